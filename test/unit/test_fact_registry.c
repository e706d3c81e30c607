/* The facts vocabulary (analyzer/facts/fact_registry.[ch]) is well formed
 * and agrees with the report's schema (analyzer/report/report.schema.json):
 * every registry path is in the schema's facts ($defs/connection under
 * "conn", $defs/capture_facts without its connection list under "capture")
 * with the same type, and every path the schema describes there is in the
 * registry. Run from the top of the source tree (make unit does). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fact_registry.h"

#define SCHEMA_PATH "analyzer/report/report.schema.json"
#define MAX_SCHEMA_PATHS 2048

struct schema_fact {
    char path[256];
    char type[16];
};

struct schema_facts {
    const cJSON *defs;
    struct schema_fact facts[MAX_SCHEMA_PATHS];
    size_t count;
};

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: cannot open (run from the top of the source tree)", path);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *doc = cJSON_Parse(text);
    if (!doc)
        fail_msg("%s: not JSON", path);
    return doc;
}

/* "#/$defs/name" -> the definition. */
static const cJSON *deref(const struct schema_facts *sf, const cJSON *node, char *ref_name, size_t len)
{
    ref_name[0] = '\0';
    for (int guard = 0; guard < 8; guard++) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
        if (!cJSON_IsString(ref))
            return node;
        const char *prefix = "#/$defs/";
        assert_true(strncmp(ref->valuestring, prefix, strlen(prefix)) == 0);
        snprintf(ref_name, len, "%s", ref->valuestring + strlen(prefix));
        node = cJSON_GetObjectItemCaseSensitive(sf->defs, ref_name);
        if (!node)
            fail_msg("schema: dangling $ref %s", ref->valuestring);
    }
    fail_msg("schema: $ref chain too long");
    return NULL;
}

/* The registry's type names for a schema node: a frame is its own type; an
 * enum is the type of its values. */
static void schema_type(const cJSON *node, const char *ref_name, char *out, size_t len)
{
    if (!strcmp(ref_name, "frame")) {
        snprintf(out, len, "frame");
        return;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
    if (cJSON_IsString(type)) {
        snprintf(out, len, "%s", type->valuestring);
        return;
    }
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(node, "enum");
    const cJSON *first = cJSON_IsArray(values) ? values->child : NULL;
    if (cJSON_IsString(first)) {
        snprintf(out, len, "string");
        return;
    }
    if (cJSON_IsNumber(first)) {
        snprintf(out, len, "integer");
        return;
    }
    snprintf(out, len, cJSON_GetObjectItemCaseSensitive(node, "properties") ? "object" : "?");
}

static void walk(struct schema_facts *sf, const cJSON *node, const char *path, const char *skip)
{
    char ref_name[64];
    node = deref(sf, node, ref_name, sizeof ref_name);
    assert_true(sf->count < MAX_SCHEMA_PATHS);
    struct schema_fact *fact = &sf->facts[sf->count++];
    snprintf(fact->path, sizeof fact->path, "%s", path);
    schema_type(node, ref_name, fact->type, sizeof fact->type);
    const cJSON *properties = cJSON_GetObjectItemCaseSensitive(node, "properties");
    for (const cJSON *p = properties ? properties->child : NULL; p; p = p->next) {
        if (skip && !strcmp(p->string, skip))
            continue;
        char child[256];
        snprintf(child, sizeof child, "%s.%s", path, p->string);
        walk(sf, p, child, NULL);
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(node, "items");
    if (items) {
        char child[256];
        snprintf(child, sizeof child, "%s[]", path);
        walk(sf, items, child, NULL);
    }
}

static const struct schema_fact *schema_find(const struct schema_facts *sf, const char *path)
{
    for (size_t i = 0; i < sf->count; i++)
        if (!strcmp(sf->facts[i].path, path))
            return &sf->facts[i];
    return NULL;
}

static void test_registry_matches_schema(void **state)
{
    (void)state;
    cJSON *schema = read_json(SCHEMA_PATH);
    static struct schema_facts sf;
    memset(&sf, 0, sizeof sf);
    sf.defs = cJSON_GetObjectItemCaseSensitive(schema, "$defs");
    assert_non_null(sf.defs);
    walk(&sf, cJSON_GetObjectItemCaseSensitive(sf.defs, "connection"), "conn", NULL);
    /* Rules see the capture's facts without the connection list. */
    walk(&sf, cJSON_GetObjectItemCaseSensitive(sf.defs, "capture_facts"), "capture", "connections");

    int problems = 0;
    for (size_t i = 0; i < fact_registry_count; i++) {
        const struct fact_def *def = &fact_registry[i];
        const struct schema_fact *in_schema = schema_find(&sf, def->path);
        if (!in_schema) {
            print_error("registry fact %s (%s) is not in %s\n", def->path, fact_type_name(def->type),
                        SCHEMA_PATH);
            problems++;
        } else if (strcmp(in_schema->type, fact_type_name(def->type))) {
            print_error("fact %s: registry type %s, schema type %s\n", def->path,
                        fact_type_name(def->type), in_schema->type);
            problems++;
        }
    }
    for (size_t i = 0; i < sf.count; i++)
        if (!fact_registry_find(sf.facts[i].path)) {
            print_error("schema fact %s (%s) is not in analyzer/facts/fact_registry.c\n",
                        sf.facts[i].path, sf.facts[i].type);
            problems++;
        }
    cJSON_Delete(schema);
    if (problems)
        fail_msg("%d disagreements between the fact registry and the schema", problems);
}

/* Unique paths; a parent is declared before its members and is an object
 * (or, for "[]", an array); one line of meaning each. */
static void test_registry_well_formed(void **state)
{
    (void)state;
    assert_true(fact_registry_count > 100);
    for (size_t i = 0; i < fact_registry_count; i++) {
        const struct fact_def *def = &fact_registry[i];
        assert_ptr_equal(fact_registry_paths[i], def->path);
        assert_ptr_equal(fact_registry_find(def->path), def);
        if (!def->meaning[0] || strchr(def->meaning, '\n') || strlen(def->meaning) > 100)
            fail_msg("%s: the meaning must be one line of at most 100 characters", def->path);
        char parent[256];
        snprintf(parent, sizeof parent, "%s", def->path);
        size_t len = strlen(parent);
        bool element = len > 2 && !strcmp(parent + len - 2, "[]");
        char *dot = strrchr(parent, '.');
        if (element)
            parent[len - 2] = '\0';
        else if (dot)
            *dot = '\0';
        else {
            assert_true(!strcmp(def->path, "conn") || !strcmp(def->path, "capture"));
            continue;
        }
        const struct fact_def *up = fact_registry_find(parent);
        if (!up || up >= def)
            fail_msg("%s: its parent %s is not declared before it", def->path, parent);
        if (up->type != (element ? FACT_ARRAY : FACT_OBJECT))
            fail_msg("%s: its parent %s is a %s", def->path, parent, fact_type_name(up->type));
    }
    assert_null(fact_registry_find("conn.tls.client_helo.frame"));
    assert_non_null(fact_registry_find("conn.tls.alerts[].description"));
    assert_int_equal(fact_registry_find("capture.dns.lookups[].query_frame")->type, FACT_FRAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_well_formed),
        cmocka_unit_test(test_registry_matches_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
