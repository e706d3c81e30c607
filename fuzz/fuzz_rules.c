/* The rule-pack loader (rules/engine/load.c, rule_check.c, vocabulary.c) on
 * the input as a rule file, with the fact registry as tlsdiag passes it (so
 * unknown names and their suggestions are exercised); when it loads, every
 * rule is evaluated (conditions, lets, templates, $ references) over fixed
 * facts from real sample captures (fuzz/rules_facts.json), alone and beside
 * a working capture as in `tlsdiag diff`, and the diagnosis is picked from
 * the findings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fact_registry.h"
#include "harness.h"
#include "report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIXTURES 8

struct fixture {
    cJSON *capture;          /* facts without "connections" */
    const cJSON *connections;
    cJSON *good;             /* {"conn", "capture"} of the working side */
};

static struct fixture fixtures[MAX_FIXTURES];
static int fixture_count;
static cJSON *fixture_root;
static struct fuzz_memfile rule_file;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n)
        text[n] = 0;
    else {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

static cJSON *without_connections(const cJSON *facts)
{
    cJSON *copy = cJSON_Duplicate(facts, true);
    cJSON_DeleteItemFromObject(copy, "connections");
    return copy;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *text = read_file(FUZZ_SOURCE_DIR "/fuzz/rules_facts.json");
    fixture_root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!fixture_root) {
        fprintf(stderr, "fuzz_rules: cannot read " FUZZ_SOURCE_DIR "/fuzz/rules_facts.json\n");
        abort();
    }
    const cJSON *pair;
    cJSON_ArrayForEach(pair, cJSON_GetObjectItem(fixture_root, "captures")) {
        if (fixture_count == MAX_FIXTURES)
            break;
        struct fixture *fx = &fixtures[fixture_count++];
        const cJSON *bad = cJSON_GetObjectItem(pair, "bad");
        const cJSON *good = cJSON_GetObjectItem(pair, "good");
        fx->capture = without_connections(bad);
        fx->connections = cJSON_GetObjectItem(bad, "connections");
        fx->good = cJSON_CreateObject();
        const cJSON *primary = report_primary_connection(good, false);
        if (primary)
            cJSON_AddItemToObject(fx->good, "conn", cJSON_Duplicate(primary, true));
        cJSON_AddItemToObject(fx->good, "capture", without_connections(good));
    }
    return 0;
}

static void evaluate(const struct rule_set *rules, const struct fixture *fx, const cJSON *good)
{
    cJSON *findings = rules_evaluate(rules, fx->capture, fx->connections, good);
    if (!findings)
        return;
    cJSON *diagnosis = report_diagnosis(findings);
    char *text = cJSON_PrintUnformatted(findings);
    free(text);
    cJSON_Delete(diagnosis);
    cJSON_Delete(findings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_memfile_write(&rule_file, data, size) != 0)
        return 0;
    const char *paths[1] = { rule_file.path };
    char err[512];
    const struct rules_vocabulary facts = { fact_registry_paths, fact_registry_count };
    struct rule_set *rules = rules_load(paths, 1, &facts, err, sizeof err);
    if (!rules) {
        if (memchr(err, 0, sizeof err) == NULL)
            abort();   /* the one-line message must be a string */
        return 0;
    }
    const cJSON *profile = rules_profile(rules);
    if (!profile)
        abort();
    cJSON *packs = rules_packs_json(rules);
    cJSON_Delete(packs);
    /* Input bytes past the JSON cannot steer this, so the length does: the
     * fixtures are evaluated in turn rather than all of them every run. */
    const struct fixture *fx = &fixtures[size % (size_t)fixture_count];
    evaluate(rules, fx, NULL);
    evaluate(rules, fx, fx->good);
    rules_free(rules);
    return 0;
}
