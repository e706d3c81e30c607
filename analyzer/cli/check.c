/* `tlsdiag check`: golden captures against what is expected of them. An
 * expectation names what matters — the cause, finding ids, key facts — not
 * a byte-exact report, so it survives wording changes and new facts. Its
 * cause must be one the loaded packs declare and its facts ones the fact
 * registry has: a misspelled name is unusable input, not a silent FAIL. */
#include "cli.h"
#include "diagnose.h"
#include "engine.h"
#include "report.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the facts people check most, as paths into the context
 * {conn: the connection the diagnosis is about, capture: the capture's facts}.
 * Any other key is a fact path itself. */
static const struct { const char *key, *path; } fact_aliases[] = {
    { "alert_description", "conn.tls.first_alert.description" },
    { "alert_sender", "conn.tls.first_alert.sender" },
    { "proxy_status", "conn.proxy.status" },
    { "chosen_suite", "conn.tls.server_hello.cipher_suite" },
    { "tls_version", "conn.tls.server_hello.version" },
    { "failed_stage", "conn.failed_stage" },
    { "path", "conn.path" },
};

/* The rcode of the endpoint's first answered lookup of the target. */
static const cJSON *target_dns_rcode(const cJSON *capture)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, rules_get(capture, "dns.lookups")) {
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(l, "role"));
        if (role && !strcmp(role, "target") && cJSON_GetObjectItem(l, "rcode_name"))
            return cJSON_GetObjectItem(l, "rcode_name");
    }
    return NULL;
}

/* The path a fact key names, or NULL for a computed one. */
static const char *fact_path(const char *key)
{
    if (!strcmp(key, "dns_rcode"))
        return NULL;
    for (size_t i = 0; i < sizeof fact_aliases / sizeof fact_aliases[0]; i++)
        if (!strcmp(key, fact_aliases[i].key))
            return fact_aliases[i].path;
    return key;
}

static const cJSON *fact_value(const cJSON *context, const char *key)
{
    const char *path = fact_path(key);
    return path ? rules_get(context, path) : target_dns_rcode(cJSON_GetObjectItem(context, "capture"));
}

/* Whether every name the expectation uses exists; says why not on stderr. */
static bool expectation_usable(struct diagnoser *d, const char *where, const cJSON *expect)
{
    char why[400];
    const cJSON *cause = cJSON_GetObjectItem(expect, "cause");
    if (cause && !cJSON_IsString(cause)) {
        fprintf(stderr, "tlsdiag: %s: \"cause\" must be a string\n", where);
        return false;
    }
    if (cause && !rules_check_cause(diagnoser_rules(d), cause->valuestring, why, sizeof why)) {
        fprintf(stderr, "tlsdiag: %s: %s\n", where, why);
        return false;
    }
    const struct rules_vocabulary facts = diagnose_fact_vocabulary();
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(expect, "facts")) {
        const char *path = fact_path(f->string);
        if (path && !rules_check_fact(&facts, path, why, sizeof why)) {
            if (path == f->string)
                fprintf(stderr, "tlsdiag: %s: %s\n", where, why);
            else    /* a short name whose path is wrong */
                fprintf(stderr, "tlsdiag: %s: fact '%s': %s\n", where, f->string, why);
            return false;
        }
    }
    return true;
}

static void describe(const cJSON *v, char *buf, size_t len)
{
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(buf, len, "%s", text ? text : "(absent)");
    free(text);
}

static bool has_finding(const cJSON *findings, const char *rule)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
        if (id && !strcmp(id, rule))
            return true;
    }
    return false;
}

/* Prints each expectation that does not hold; returns how many. */
static int compare(const char *label, const cJSON *report, const cJSON *expect)
{
    int failures = 0;
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    const char *cause = cJSON_GetStringValue(cJSON_GetObjectItem(diag, "cause"));
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(expect, "cause"));
    if (want && (!cause || strcmp(want, cause))) {
        printf("FAIL %s: cause expected %s, got %s\n", label, want, cause ? cause : "(none)");
        failures++;
    }
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(report, "mode"));
    const cJSON *side = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "captures"),
                                            mode && !strcmp(mode, "diff") ? "bad" : "capture");
    const cJSON *findings = cJSON_GetObjectItem(side, "findings");
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(expect, "findings")) {
        if (cJSON_IsString(f) && !has_finding(findings, f->valuestring)) {
            printf("FAIL %s: finding %s expected, not reported\n", label, f->valuestring);
            failures++;
        }
    }
    const cJSON *facts = cJSON_GetObjectItem(side, "facts");
    cJSON *context = cJSON_CreateObject();
    const cJSON *primary = NULL, *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections"))
        if (cJSON_GetObjectItem(side, "primary_connection") &&
            cJSON_GetNumberValue(cJSON_GetObjectItem(c, "id")) ==
                cJSON_GetNumberValue(cJSON_GetObjectItem(side, "primary_connection")))
            primary = c;
    if (primary)
        cJSON_AddItemReferenceToObject(context, "conn", (cJSON *)primary);
    cJSON_AddItemReferenceToObject(context, "capture", (cJSON *)facts);
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(expect, "facts")) {
        const cJSON *got = fact_value(context, f->string);
        if (!got || !cJSON_Compare(got, f, true)) {
            char want_text[128], got_text[128];
            describe(f, want_text, sizeof want_text);
            describe(got, got_text, sizeof got_text);
            printf("FAIL %s: fact %s expected %s, got %s\n", label, f->string, want_text, got_text);
            failures++;
        }
    }
    cJSON_Delete(context);
    if (!failures)
        printf("ok   %s: %s\n", label, cause ? cause : "?");
    return failures;
}

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tlsdiag: %s: cannot open\n", path);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && len < (16u << 20)) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(text, cap);
            if (!grown)
                break;
            text = grown;
        }
        memcpy(text + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!text) {
        fprintf(stderr, "tlsdiag: %s: empty\n", path);
        return NULL;
    }
    text[len] = 0;
    cJSON *json = cJSON_Parse(text);
    if (!json)
        fprintf(stderr, "tlsdiag: %s: not valid JSON near '%.20s'\n", path, cJSON_GetErrorPtr());
    free(text);
    return json;
}

/* Runs one analysis and compares; -1 when the capture is unusable. */
static int run_and_compare(struct diagnoser *d, const char *label, const char *capture, const char *good,
                           const cJSON *expect)
{
    cJSON *report = NULL;
    if (diagnose_capture(d, capture, good, &report) == PASS_UNUSABLE)
        return -1;
    int failures = compare(label, report, expect);
    cJSON_Delete(report);
    return failures;
}

int check_one(struct diagnoser *d, const char *capture, const char *good, const char *expect_path)
{
    cJSON *doc = read_json(expect_path);
    if (!doc)
        return 2;
    const cJSON *expect = cJSON_GetObjectItem(doc, "expect") ? cJSON_GetObjectItem(doc, "expect") : doc;
    int failures = -1;
    if (expectation_usable(d, expect_path, expect))
        failures = run_and_compare(d, capture, capture, good, expect);
    cJSON_Delete(doc);
    if (failures < 0)
        return 2;
    printf("check: %d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}

static void sibling(const char *manifest, const char *name, char *out, size_t len)
{
    if (name[0] == '/') {
        snprintf(out, len, "%s", name);
        return;
    }
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", manifest);
    snprintf(out, len, "%s/%s", dirname(copy), name);
}

int check_manifest(struct diagnoser *d, const char *manifest_path)
{
    cJSON *doc = read_json(manifest_path);
    if (!doc)
        return 2;
    int passed = 0, failed = 0, unusable = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "samples")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(s, "capture"));
        const char *good_name = cJSON_GetStringValue(cJSON_GetObjectItem(s, "good"));
        const cJSON *expect = cJSON_GetObjectItem(s, "expect");
        if (!name || !expect) {
            fprintf(stderr, "tlsdiag: %s: a sample needs \"capture\" and \"expect\"\n", manifest_path);
            unusable++;
            continue;
        }
        char path[PATH_MAX], good[PATH_MAX], label[2 * PATH_MAX];
        snprintf(label, sizeof label, "%s: sample '%s'", manifest_path, name);
        if (!expectation_usable(d, label, expect)) {
            unusable++;
            continue;
        }
        sibling(manifest_path, name, path, sizeof path);
        int r = run_and_compare(d, name, path, NULL, expect);
        r < 0 ? unusable++ : r ? failed++ : passed++;
        if (good_name && strcmp(good_name, name)) {
            sibling(manifest_path, good_name, good, sizeof good);
            snprintf(label, sizeof label, "%s (diff against %s)", name, good_name);
            r = run_and_compare(d, label, path, good, expect);
            r < 0 ? unusable++ : r ? failed++ : passed++;
        }
    }
    cJSON_Delete(doc);
    printf("check: %d passed, %d failed\n", passed, failed + unusable);
    return unusable ? 2 : failed ? 1 : 0;
}
