/* Unit tests for the rules engine (rules/engine.h, rules/FORMAT.md).
 *
 * JSON is written with single quotes for readability; json() turns them
 * into double quotes. Rule packs are written to a fresh mkdtemp folder per
 * test, so every load error is checked on a real file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "fact_registry.h"

/* ---- helpers ---- */

static char *quoted(const char *text)
{
    char *out = strdup(text);
    assert_non_null(out);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static cJSON *json(const char *text)
{
    char *doubled = quoted(text);
    cJSON *value = cJSON_Parse(doubled);
    free(doubled);
    assert_non_null(value);
    return value;
}

/* The context most condition, let and template tests read. */
static const char *const fixture =
    "{'conn': {'id': 7,"
    "   'tls': {'client_hello': {'frame': 12, 'cipher_suites': [4865, 49199],"
    "                            'sni': 'Tetra-Defs.AMP.cisco.com'},"
    "           'alerts': [{'description': 40, 'frame': 15}, {'description': 48, 'frame': 16}],"
    "           'version': 771, 'rtt_ms': 12.345},"
    "   'closed': true, 'open': false, 'resets': 0, 'retries': 2, 'name': '', 'nothing': null,"
    "   'labels': {'a': 1, 'b': 2}, 'empty': [], 'version_text': '771'},"
    " 'capture': {'dns': {'lookups': 2}},"
    " 'profile': {'accepted_suites': [49200, 49199, 158, 4865], 'hosts': ['*.amp.cisco.com'],"
    "             'min_version': 771, 'old_versions': [769, 770]},"
    " 'let': {}}";

/* Evaluates one condition (single-quoted JSON) over the fixture. */
static bool holds(const char *condition_text)
{
    cJSON *context = json(fixture);
    cJSON *condition = json(condition_text);
    bool result = rules_condition_holds(condition, context);
    cJSON_Delete(condition);
    cJSON_Delete(context);
    return result;
}

static void assert_holds(const char *condition_text, bool expected)
{
    if (holds(condition_text) != expected)
        fail_msg("expected %s for %s", expected ? "true" : "false", condition_text);
}

static void assert_renders(const char *tmpl, const char *expected)
{
    cJSON *context = json(fixture);
    char *text = rules_render_template(tmpl, context);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
    cJSON_Delete(context);
}

/* Computes a let over the fixture and compares with expected JSON (NULL:
 * the result must be absent). */
static void assert_let(const char *spec_text, const char *expected_text)
{
    cJSON *context = json(fixture);
    cJSON *spec = json(spec_text);
    cJSON *result = rules_compute_let(spec, context);
    if (!expected_text) {
        assert_null(result);
    } else {
        cJSON *expected = json(expected_text);
        assert_non_null(result);
        if (!cJSON_Compare(result, expected, true)) {
            char *got = cJSON_PrintUnformatted(result);
            fail_msg("let %s gave %s, expected %s", spec_text, got, expected_text);
        }
        cJSON_Delete(expected);
    }
    cJSON_Delete(result);
    cJSON_Delete(spec);
    cJSON_Delete(context);
}

/* ---- a temporary folder of rule files ---- */

struct folder {
    char path[64];
    char err[512];
};

static int make_folder(void **state)
{
    struct folder *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->path, "/tmp/test_rules.XXXXXX");
    assert_non_null(mkdtemp(f->path));
    *state = f;
    return 0;
}

static int remove_folder(void **state)
{
    struct folder *f = *state;
    DIR *dir = opendir(f->path);
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        char file[600];
        snprintf(file, sizeof file, "%s/%s", f->path, entry->d_name);
        unlink(file);
    }
    if (dir)
        closedir(dir);
    rmdir(f->path);
    free(f);
    return 0;
}

/* Writes name in the folder (single quotes become double); its path goes
 * to path_out when given. */
static void write_pack(struct folder *f, const char *name, const char *text, char *path_out,
                       size_t path_len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", f->path, name);
    char *doubled = quoted(text);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(doubled, out);
    fclose(out);
    free(doubled);
    if (path_out)
        snprintf(path_out, path_len, "%s", path);
}

/* vocabulary: NULL to leave fact paths unchecked (most tests name made-up
 * facts), else the facts rules may name. */
static struct rule_set *load_paths_with(struct folder *f, const char *const *paths, size_t count,
                                        const struct rules_vocabulary *vocabulary)
{
    f->err[0] = '\0';
    return rules_load(paths, count, vocabulary, f->err, sizeof f->err);
}

static struct rule_set *load_paths(struct folder *f, const char *const *paths, size_t count)
{
    return load_paths_with(f, paths, count, NULL);
}

static struct rule_set *load_text_with(struct folder *f, const char *name, const char *text,
                                       const struct rules_vocabulary *vocabulary)
{
    char path[600];
    write_pack(f, name, text, path, sizeof path);
    const char *paths[] = { path };
    return load_paths_with(f, paths, 1, vocabulary);
}

static struct rule_set *load_text(struct folder *f, const char *name, const char *text)
{
    return load_text_with(f, name, text, NULL);
}

/* The analyzer's fact registry, as tlsdiag hands it to the loader. */
static const struct rules_vocabulary *registry(void)
{
    static struct rules_vocabulary vocabulary;
    vocabulary = (struct rules_vocabulary){ fact_registry_paths, fact_registry_count };
    return &vocabulary;
}

/* Loading must fail with an error line containing every expected piece. */
static void assert_load_error_with(struct folder *f, const char *text, const char *expected,
                                   const struct rules_vocabulary *vocabulary)
{
    struct rule_set *rs = load_text_with(f, "pack.json", text, vocabulary);
    if (rs) {
        rules_free(rs);
        fail_msg("loaded, expected an error with \"%s\"", expected);
    }
    if (!strstr(f->err, expected))
        fail_msg("error \"%s\" does not contain \"%s\"", f->err, expected);
    assert_null(strchr(f->err, '\n'));
    assert_non_null(strstr(f->err, "pack.json: "));
}

static void assert_load_error(struct folder *f, const char *text, const char *expected)
{
    assert_load_error_with(f, text, expected, NULL);
}

static void assert_loads_with(struct folder *f, const char *text, const struct rules_vocabulary *vocabulary)
{
    struct rule_set *rs = load_text_with(f, "pack.json", text, vocabulary);
    if (!rs)
        fail_msg("load failed: %s", f->err);
    rules_free(rs);
}

/* The causes the test packs' rules name, declared as a pack declares them. */
#define CAUSE(id) "{'id': '" id "', 'title': 'Title of " id "', 'meaning': 'What " id " means.', 'who_acts': ['server']}"
#define CAUSES "'causes': [" CAUSE("tls_failure_other") "," CAUSE("success") "," CAUSE("cert_expired") "," \
               CAUSE("tls_no_shared_cipher") "]"
#define PACK(rules) "{'pack': 'test', 'version': '1.0', " CAUSES ", 'rules': [" rules "]}"
/* A valid rule: when is the inside of its "when" array, message and remedy
 * are JSON values, extra is spliced in after the required keys. */
#define RULE_TEXT(id, when, message, remedy, extra)                                                \
    "{'id': '" id "', 'cause': 'tls_failure_other', 'severity': 'error', 'rank': 10,"            \
    " 'title': 'Title', 'when': [" when "], 'message': " message ", 'remedy': " remedy extra "}"
#define RULE_WHEN(id, when, extra) RULE_TEXT(id, when, "'m'", "'r'", extra)
#define RULE(id, extra) RULE_WHEN(id, "", extra)

/* ---- the resolver ---- */

/* rules_resolve/rules_get: the one path resolver the engine, the report and
 * `tlsdiag check` share. */
static void test_resolve_paths(void **state)
{
    (void)state;
    cJSON *context = json(fixture);
    const cJSON *v = rules_get(context, "conn.tls.alerts.1.description");
    assert_true(cJSON_IsNumber(v));
    assert_int_equal(v->valueint, 48);
    assert_true(cJSON_IsObject(rules_get(context, "conn.tls")));
    assert_int_equal(rules_get(context, "conn.tls.client_hello.cipher_suites.0")->valueint, 4865);
    assert_null(rules_get(context, "conn.tls.alerts.2"));          /* past the end */
    assert_null(rules_get(context, "conn.tls.alerts.x"));          /* not an index */
    assert_null(rules_get(context, "conn.tls.alerts.-1"));
    assert_null(rules_get(context, "conn.labels.0"));              /* an object has no index */
    assert_null(rules_get(context, "conn.nothing"));               /* JSON null is absent */
    assert_null(rules_get(context, "conn.id.more"));               /* into a number */
    assert_null(rules_get(context, "conn.tls.version_x"));
    assert_null(rules_get(NULL, "conn"));
    /* len bounds the path: the rest is not read. */
    assert_int_equal(rules_resolve(context, "conn.id.more", 7)->valueint, 7);
    cJSON_Delete(context);
}

/* ---- operators ---- */

static void test_op_exists_absent(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.version', 'op': 'exists'}", true);
    assert_holds("{'fact': '$conn.name', 'op': 'exists'}", true);         /* "" exists */
    assert_holds("{'fact': '$conn.missing', 'op': 'exists'}", false);
    assert_holds("{'fact': '$conn.nothing', 'op': 'exists'}", false);     /* null is absent */
    assert_holds("{'fact': '$conn.tls.version.deeper', 'op': 'exists'}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'absent'}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'absent'}", true);
    assert_holds("{'fact': '$conn.nothing', 'op': 'absent'}", true);
    assert_holds("{'fact': '$good.conn.id', 'op': 'absent'}", true);      /* unbound root */
}

static void test_op_eq_ne(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.version', 'op': 'eq', 'value': 771}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'eq', 'value': 772}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'eq', 'value': [4865, 49199]}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'eq', 'value': [49199, 4865]}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'eq', 'value': '$profile.min_version'}", true);
    assert_holds("{'fact': '$conn.version_text', 'op': 'eq', 'value': 771}", false); /* wrong type */
    assert_holds("{'fact': '$conn.missing', 'op': 'eq', 'value': 1}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'eq', 'value': '$conn.also_missing'}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'ne', 'value': 772}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'ne', 'value': 771}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'ne', 'value': 1}", true);    /* absent: always ne */
    assert_holds("{'fact': '$conn.version_text', 'op': 'ne', 'value': 771}", true);
}

static void test_op_in_not_in(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.version', 'op': 'in', 'value': [770, 771]}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'in', 'value': [769, 770]}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'in', 'value': '$profile.old_versions'}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'in', 'value': []}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'in', 'value': [1]}", false);
    assert_holds("{'fact': '$conn.version_text', 'op': 'in', 'value': [771]}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'not_in', 'value': [769, 770]}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'not_in', 'value': [771]}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'not_in', 'value': [1]}", true);
}

static void test_op_numeric_comparisons(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.retries', 'op': 'lt', 'value': 3}", true);
    assert_holds("{'fact': '$conn.retries', 'op': 'lt', 'value': 2}", false);
    assert_holds("{'fact': '$conn.retries', 'op': 'le', 'value': 2}", true);
    assert_holds("{'fact': '$conn.retries', 'op': 'le', 'value': 1}", false);
    assert_holds("{'fact': '$conn.retries', 'op': 'gt', 'value': 1}", true);
    assert_holds("{'fact': '$conn.retries', 'op': 'gt', 'value': 2}", false);
    assert_holds("{'fact': '$conn.retries', 'op': 'ge', 'value': 2}", true);
    assert_holds("{'fact': '$conn.retries', 'op': 'ge', 'value': 3}", false);
    assert_holds("{'fact': '$conn.tls.rtt_ms', 'op': 'gt', 'value': 12.3}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'ge', 'value': '$profile.min_version'}", true);
    /* Absent or not a number: every comparison is false, in both senses. */
    for (const char *const *op = (const char *const[]){ "lt", "le", "gt", "ge", NULL }; *op; op++) {
        char text[160];
        snprintf(text, sizeof text, "{'fact': '$conn.missing', 'op': '%s', 'value': 1}", *op);
        assert_holds(text, false);
        snprintf(text, sizeof text, "{'fact': '$conn.version_text', 'op': '%s', 'value': 1}", *op);
        assert_holds(text, false);
        snprintf(text, sizeof text, "{'fact': '$conn.retries', 'op': '%s', 'value': '$conn.missing'}", *op);
        assert_holds(text, false);
        snprintf(text, sizeof text, "{'fact': '$conn.closed', 'op': '%s', 'value': 0}", *op);
        assert_holds(text, false);
    }
}

static void test_op_before_after(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.client_hello.frame', 'op': 'before', 'value': '$conn.tls.alerts.0.frame'}", true);
    assert_holds("{'fact': '$conn.tls.alerts.0.frame', 'op': 'before', 'value': '$conn.tls.client_hello.frame'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.frame', 'op': 'before', 'value': 12}", false);
    assert_holds("{'fact': '$conn.tls.alerts.0.frame', 'op': 'after', 'value': 12}", true);
    assert_holds("{'fact': '$conn.tls.alerts.0.frame', 'op': 'after', 'value': 15}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'before', 'value': 100}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'after', 'value': 0}", false);
    assert_holds("{'fact': '$conn.name', 'op': 'after', 'value': 0}", false);
}

static void test_op_contains(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'contains', 'value': 4865}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'contains', 'value': 158}", false);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'contains', 'value': {'description': 48, 'frame': 16}}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'contains', 'value': '$conn.tls.version'}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'contains', 'value': 1}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'contains', 'value': 'Tetra'}", false); /* not an array */
    assert_holds("{'fact': '$conn.empty', 'op': 'contains', 'value': 1}", false);
}

static void test_op_intersects_disjoint(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'intersects', 'value': '$profile.accepted_suites'}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'intersects', 'value': [1, 2]}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'disjoint', 'value': '$profile.accepted_suites'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'disjoint', 'value': [1, 2]}", true);
    assert_holds("{'fact': '$conn.missing', 'op': 'disjoint', 'value': [1, 2]}", true);  /* absent: disjoint */
    assert_holds("{'fact': '$conn.missing', 'op': 'intersects', 'value': [1, 2]}", false);
    assert_holds("{'fact': '$conn.empty', 'op': 'intersects', 'value': [1]}", false);
    assert_holds("{'fact': '$conn.empty', 'op': 'disjoint', 'value': [1]}", true);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'intersects', 'value': [771]}", false); /* not an array */
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'intersects', 'value': '$profile.missing'}", false);
}

static void test_op_subset(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'subset', 'value': '$profile.accepted_suites'}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'subset', 'value': [4865]}", false);
    assert_holds("{'fact': '$conn.empty', 'op': 'subset', 'value': [1]}", true);  /* vacuously */
    assert_holds("{'fact': '$conn.missing', 'op': 'subset', 'value': [1]}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'subset', 'value': [771]}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'subset', 'value': '$conn.missing'}", false);
}

static void test_op_counts(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_eq', 'value': 2}", true);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_eq', 'value': 1}", false);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_ge', 'value': 2}", true);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_ge', 'value': 3}", false);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_le', 'value': 2}", true);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_le', 'value': 1}", false);
    assert_holds("{'fact': '$conn.labels', 'op': 'count_eq', 'value': 2}", true);     /* object */
    assert_holds("{'fact': '$conn.missing', 'op': 'count_eq', 'value': 0}", true);    /* absent = 0 */
    assert_holds("{'fact': '$conn.missing', 'op': 'count_ge', 'value': 1}", false);
    assert_holds("{'fact': '$conn.nothing', 'op': 'count_le', 'value': 0}", true);
    assert_holds("{'fact': '$conn.empty', 'op': 'count_eq', 'value': 0}", true);
    assert_holds("{'fact': '$conn.name', 'op': 'count_eq', 'value': 0}", false);      /* string */
    assert_holds("{'fact': '$conn.tls.version', 'op': 'count_ge', 'value': 0}", false);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_eq', 'value': '$conn.retries'}", true);
    assert_holds("{'fact': '$conn.tls.alerts', 'op': 'count_eq', 'value': '$conn.missing'}", false);
}

static void test_op_matches(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': '*.amp.cisco.com'}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': 'tetra-defs.amp.cisco.com'}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': 'tetra-def?.*.COM'}", true);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': '*.cisco.org'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': 'tetra'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': '?'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': '*'}", true);
    assert_holds("{'fact': '$conn.name', 'op': 'matches', 'value': '*'}", true);
    assert_holds("{'fact': '$conn.name', 'op': 'matches', 'value': '?*'}", false);
    assert_holds("{'fact': '$conn.missing', 'op': 'matches', 'value': '*'}", false);
    assert_holds("{'fact': '$conn.tls.version', 'op': 'matches', 'value': '*'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.sni', 'op': 'matches', 'value': '$profile.hosts.0'}", true);
}

static void test_op_truthy_falsy(void **state)
{
    (void)state;
    static const struct { const char *fact; bool truthy; } cases[] = {
        { "$conn.closed", true },        { "$conn.open", false },
        { "$conn.retries", true },       { "$conn.resets", false },
        { "$conn.tls.client_hello.sni", true }, { "$conn.name", false },
        { "$conn.tls.alerts", true },    { "$conn.empty", false },
        { "$conn.labels", true },        { "$conn.nothing", false },
        { "$conn.missing", false },      { "$conn.tls.rtt_ms", true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[160];
        snprintf(text, sizeof text, "{'fact': '%s', 'op': 'truthy'}", cases[i].fact);
        assert_holds(text, cases[i].truthy);
        snprintf(text, sizeof text, "{'fact': '%s', 'op': 'falsy'}", cases[i].fact);
        assert_holds(text, !cases[i].truthy);
    }
}

static void test_combinators(void **state)
{
    (void)state;
    const char *yes = "{'fact': '$conn.closed', 'op': 'truthy'}";
    const char *no = "{'fact': '$conn.open', 'op': 'truthy'}";
    char text[600];
    snprintf(text, sizeof text, "{'all': [%s, %s]}", yes, yes);
    assert_holds(text, true);
    snprintf(text, sizeof text, "{'all': [%s, %s]}", yes, no);
    assert_holds(text, false);
    snprintf(text, sizeof text, "{'any': [%s, %s]}", no, yes);
    assert_holds(text, true);
    snprintf(text, sizeof text, "{'any': [%s, %s]}", no, no);
    assert_holds(text, false);
    snprintf(text, sizeof text, "{'not': %s}", no);
    assert_holds(text, true);
    snprintf(text, sizeof text, "{'not': %s}", yes);
    assert_holds(text, false);
    assert_holds("{'all': []}", true);
    assert_holds("{'any': []}", false);
    /* Nested: not(any(no, all(yes, not(yes)))) */
    snprintf(text, sizeof text, "{'not': {'any': [%s, {'all': [%s, {'not': %s}]}]}}", no, yes, yes);
    assert_holds(text, true);
    snprintf(text, sizeof text, "{'all': [{'any': [%s, %s]}, {'not': {'not': %s}}]}", no, yes, yes);
    assert_holds(text, true);
}

static void test_reference_into_arrays(void **state)
{
    (void)state;
    assert_holds("{'fact': '$conn.tls.alerts.0.description', 'op': 'eq', 'value': 40}", true);
    assert_holds("{'fact': '$conn.tls.alerts.1.description', 'op': 'eq', 'value': 48}", true);
    assert_holds("{'fact': '$conn.tls.alerts.2.description', 'op': 'exists'}", false);
    assert_holds("{'fact': '$conn.tls.alerts.x', 'op': 'exists'}", false);
    assert_holds("{'fact': '$conn.tls.alerts.-1', 'op': 'exists'}", false);
    assert_holds("{'fact': '$conn.tls.client_hello.cipher_suites.1', 'op': 'eq', 'value': 49199}", true);
    assert_holds("{'fact': '$profile.hosts.0', 'op': 'eq', 'value': '*.amp.cisco.com'}", true);
    assert_holds("{'fact': '$conn.labels.a', 'op': 'eq', 'value': 1}", true);
    assert_holds("{'fact': '$conn', 'op': 'exists'}", true);
}

/* ---- lets ---- */

static void test_let_difference(void **state)
{
    (void)state;
    assert_let("{'op': 'difference', 'a': '$profile.accepted_suites', 'b': '$conn.tls.client_hello.cipher_suites'}",
               "[49200, 158]");
    assert_let("{'op': 'difference', 'a': [3, 1, 3, 2, 1], 'b': [2]}", "[3, 1]");   /* order kept, no duplicates */
    assert_let("{'op': 'difference', 'a': [1, 2], 'b': '$conn.missing'}", "[1, 2]");
    assert_let("{'op': 'difference', 'a': '$conn.missing', 'b': [1]}", "[]");
    assert_let("{'op': 'difference', 'a': '$conn.tls.version', 'b': [1]}", "[]");    /* not an array */
}

static void test_let_intersection(void **state)
{
    (void)state;
    assert_let("{'op': 'intersection', 'a': '$profile.accepted_suites', 'b': '$conn.tls.client_hello.cipher_suites'}",
               "[49199, 4865]");
    assert_let("{'op': 'intersection', 'a': [3, 1, 3, 2], 'b': [3, 2]}", "[3, 2]");
    assert_let("{'op': 'intersection', 'a': [1, 2], 'b': '$conn.missing'}", "[]");
    assert_let("{'op': 'intersection', 'a': [1, 2], 'b': 'not-an-array'}", "[]");
}

static void test_let_union(void **state)
{
    (void)state;
    assert_let("{'op': 'union', 'a': '$conn.tls.client_hello.cipher_suites', 'b': '$profile.accepted_suites'}",
               "[4865, 49199, 49200, 158]");
    assert_let("{'op': 'union', 'a': [2, 2, 1], 'b': [1, 3, 3]}", "[2, 1, 3]");
    assert_let("{'op': 'union', 'a': '$conn.missing', 'b': ['x']}", "['x']");
    assert_let("{'op': 'union', 'a': '$conn.missing', 'b': '$conn.missing'}", "[]");
}

static void test_let_count(void **state)
{
    (void)state;
    assert_let("{'op': 'count', 'a': '$profile.accepted_suites'}", "4");
    assert_let("{'op': 'count', 'a': '$conn.labels'}", "2");
    assert_let("{'op': 'count', 'a': '$conn.empty'}", "0");
    assert_let("{'op': 'count', 'a': '$conn.missing'}", "0");
    assert_let("{'op': 'count', 'a': [1, 2, 3]}", "3");
    assert_let("{'op': 'count', 'a': '$conn.name'}", NULL);     /* not countable: absent */
}

static void test_let_first(void **state)
{
    (void)state;
    assert_let("{'op': 'first', 'a': '$conn.tls.alerts'}", "{'description': 40, 'frame': 15}");
    assert_let("{'op': 'first', 'a': '$profile.accepted_suites'}", "49200");
    assert_let("{'op': 'first', 'a': '$conn.empty'}", NULL);
    assert_let("{'op': 'first', 'a': '$conn.missing'}", NULL);
    assert_let("{'op': 'first', 'a': '$conn.labels'}", NULL);
    assert_let("{'op': 'first', 'a': [null, 1]}", NULL);
}

static void test_let_value(void **state)
{
    (void)state;
    assert_let("{'op': 'value', 'a': '$conn.tls.client_hello.sni'}", "'Tetra-Defs.AMP.cisco.com'");
    assert_let("{'op': 'value', 'a': '$conn.tls.alerts.1'}", "{'description': 48, 'frame': 16}");
    assert_let("{'op': 'value', 'a': '$conn.missing'}", NULL);
    assert_let("{'op': 'value', 'a': '$conn.nothing'}", NULL);
    assert_let("{'op': 'value', 'a': 'literal'}", "'literal'");
}

static void test_let_reads_earlier_let(void **state)
{
    (void)state;
    cJSON *context = json(fixture);
    cJSON *spec = json("{'op': 'difference', 'a': '$profile.accepted_suites', 'b': [158]}");
    cJSON *missing = rules_compute_let(spec, context);
    assert_non_null(missing);
    cJSON_AddItemToObject(cJSON_GetObjectItem(context, "let"), "missing", missing);
    cJSON *count_spec = json("{'op': 'count', 'a': '$let.missing'}");
    cJSON *count = rules_compute_let(count_spec, context);
    assert_true(cJSON_IsNumber(count));
    assert_int_equal(count->valueint, 3);
    cJSON_Delete(count);
    cJSON_Delete(count_spec);
    cJSON_Delete(spec);
    cJSON_Delete(context);
}

/* ---- templates ---- */

static void test_template_plain_values(void **state)
{
    (void)state;
    assert_renders("", "");
    assert_renders("no placeholders", "no placeholders");
    assert_renders("SNI {conn.tls.client_hello.sni}.", "SNI Tetra-Defs.AMP.cisco.com.");
    assert_renders("{conn.tls.version} {conn.tls.rtt_ms} {conn.closed} {conn.open}", "771 12.345 true false");
    assert_renders("{conn.tls.client_hello.cipher_suites}", "4865, 49199");
    assert_renders("{conn.labels}", "{\"a\":1,\"b\":2}");
    assert_renders("{conn.missing} {conn.nothing} {good.conn.id} {conn.empty}", "- - - -");
    assert_renders("{conn.name}|", "|");
}

static void test_template_escapes(void **state)
{
    (void)state;
    assert_renders("{{literal}}", "{literal}");
    assert_renders("a {{ b }} c", "a { b } c");
    assert_renders("{{{conn.id}}}", "{7}");
    assert_renders("}}{{", "}{");
}

/* {? ... ?}: kept only when every placeholder in it has a value. */
static void test_template_optional_groups(void **state)
{
    (void)state;
    assert_renders("SNI{? {conn.tls.client_hello.sni}?}.", "SNI Tetra-Defs.AMP.cisco.com.");
    assert_renders("Cert{? valid to {conn.missing}?}.", "Cert.");
    assert_renders("a{? {conn.id} and {conn.missing}?} b", "a b");
    assert_renders("{?{conn.empty|join}?}|{?{conn.empty|count}?}", "|0");
    assert_renders("{?{conn.missing|count}?}x", "x");
    assert_renders("{?no placeholder?}", "no placeholder");
    assert_renders("{? what? {conn.id}?}", " what? 7");
    assert_renders("{?{{{conn.id}}}?}{?{conn.nothing}}}?}", "{7}");
    assert_renders("{conn.missing}{? {conn.id}?}{? {conn.nothing}?}", "- 7");
    assert_renders("x ?}} y", "x ?} y");  /* outside a group '?' is text, '}}' a brace */
}

/* {path?text}: the text instead of "-" when the value is absent (does not
 * resolve, is null, or is an empty list); a value that is there wins. */
static void test_template_absent_text(void **state)
{
    (void)state;
    assert_renders("got {conn.missing?no answer}", "got no answer");
    assert_renders("{conn.nothing?none} {conn.empty?no items} {conn.tls.alerts.9.frame?no frame}",
                   "none no items no frame");
    assert_renders("{conn.id?none}", "7");
    assert_renders("{conn.name?none}|", "|");                  /* an empty string is a value */
    assert_renders("{conn.missing|alert?no alert}", "no alert");
    assert_renders("{conn.tls.alerts.0.description|alert?no alert}", "handshake_failure");
    assert_renders("{conn.missing|count?none}", "none");
    assert_renders("{conn.empty|count?none}", "0");            /* a count of nothing is 0 */
    assert_renders("[{conn.missing?}]", "[]");
    assert_renders("{conn.missing?a|b?c: d}", "a|b?c: d");     /* the text is everything after '?' */
    /* In a group, a placeholder with its own text for absence has a value. */
    assert_renders("{? got {conn.missing?nothing}?}.", " got nothing.");
    assert_renders("{? {conn.missing?x} {conn.nothing}?}.", ".");
}

/* {? ... ?: ... ?}: the part after "?:" when the group is dropped. */
static void test_template_group_alternative(void **state)
{
    (void)state;
    assert_renders("({?first alert: {conn.tls.alerts.0.description|alert}?:no alert?})",
                   "(first alert: handshake_failure)");
    assert_renders("({?first alert: {conn.tls.alerts.9.description|alert}?:no alert?})", "(no alert)");
    assert_renders("{?{conn.missing}?:id {conn.id}?}", "id 7");
    assert_renders("{?{conn.missing}?:{conn.nothing}?}", "-");   /* the alternative renders as written */
    assert_renders("{?{conn.id}?:?}|{?{conn.missing}?:?}", "7|");
    assert_renders("{? a?b ?: c?d ?}", " a?b ");                 /* a lone '?' is text */
    assert_renders("x ?: y {conn.id}", "x ?: y 7");               /* outside a group '?:' is text */
}

static void test_template_array_index(void **state)
{
    (void)state;
    assert_renders("#{conn.tls.alerts.1.frame}: {conn.tls.alerts.1.description|alert}", "#16: unknown_ca");
    assert_renders("{conn.tls.alerts.9.frame}", "-");
    assert_renders("{profile.hosts.0}", "*.amp.cisco.com");
}

static void test_filter_count(void **state)
{
    (void)state;
    assert_renders("{profile.accepted_suites|count}", "4");
    assert_renders("{conn.labels|count}", "2");
    assert_renders("{conn.empty|count}", "0");
    assert_renders("{conn.missing|count}", "-");
    assert_renders("{conn.tls.version|count}", "-");
}

static void test_filter_join(void **state)
{
    (void)state;
    assert_renders("{profile.hosts|join}", "*.amp.cisco.com");
    assert_renders("{conn.tls.client_hello.cipher_suites|join}", "4865, 49199");
    assert_renders("{conn.tls.version|join}", "771");
    assert_renders("{conn.empty|join}", "-");
}

static void test_filter_suites(void **state)
{
    (void)state;
    assert_renders("{conn.tls.client_hello.cipher_suites|suites}",
                   "TLS_AES_128_GCM_SHA256 (0x1301), TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)");
    cJSON *context = json("{'let': {'odd': [4660, 4865, 'x']}}");  /* 4660 = 0x1234, unassigned */
    char *text = rules_render_template("{let.odd|suites}", context);
    assert_string_equal(text, "0x1234, TLS_AES_128_GCM_SHA256 (0x1301), x");
    free(text);
    cJSON_Delete(context);
}

static void test_filter_suite(void **state)
{
    (void)state;
    assert_renders("{conn.tls.client_hello.cipher_suites.0|suite}", "TLS_AES_128_GCM_SHA256 (0x1301)");
    assert_renders("{profile.accepted_suites.2|suite}", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (0x009e)");
    assert_renders("{conn.missing|suite}", "-");
    assert_renders("{conn.name|suite}", "");
}

static void test_filter_hex(void **state)
{
    (void)state;
    assert_renders("{conn.tls.version|hex}", "0x0303");
    assert_renders("{conn.tls.client_hello.cipher_suites|hex}", "0x1301, 0xc02f");
    assert_renders("{conn.tls.rtt_ms|hex}", "12.345");  /* not an integer: plain */
    assert_renders("{conn.missing|hex}", "-");
}

static void test_filter_version(void **state)
{
    (void)state;
    assert_renders("{conn.tls.version|version}", "TLS 1.2");
    assert_renders("{profile.old_versions|version}", "TLS 1.0, TLS 1.1");
    cJSON *context = json("{'let': {'v': 4660}}");
    char *text = rules_render_template("{let.v|version}", context);
    assert_string_equal(text, "0x1234");
    free(text);
    cJSON_Delete(context);
    assert_renders("{conn.missing|version}", "-");
}

static void test_filter_alert(void **state)
{
    (void)state;
    assert_renders("{conn.tls.alerts.0.description|alert}", "handshake_failure");
    cJSON *context = json("{'let': {'a': 255, 'list': [40, 48]}}");
    char *text = rules_render_template("{let.a|alert} / {let.list|alert}", context);
    assert_string_equal(text, "255 / handshake_failure, unknown_ca");
    free(text);
    cJSON_Delete(context);
    assert_renders("{conn.missing|alert}", "-");
}

static void test_filter_ms(void **state)
{
    (void)state;
    assert_renders("{conn.tls.rtt_ms|ms}", "12.3 ms");
    assert_renders("{conn.retries|ms}", "2.0 ms");
    assert_renders("{conn.missing|ms}", "-");
    assert_renders("{conn.name|ms}", "");
}

static void test_filter_frames(void **state)
{
    (void)state;
    assert_renders("{conn.tls.client_hello.frame|frames}", "#12");
    cJSON *context = json("{'let': {'f': [12, 14]}}");
    char *text = rules_render_template("{let.f|frames}", context);
    assert_string_equal(text, "#12, #14");
    free(text);
    cJSON_Delete(context);
    assert_renders("{conn.missing|frames}", "-");
}

static void test_template_malformed_gives_null(void **state)
{
    (void)state;
    cJSON *context = json(fixture);
    static const char *const bad[] = { "{conn.id", "a } b", "{conn.id|nope}", "{a{b}}", "{? open",
                                       "{? {? nested ?} ?}", "{? {conn.id ?}", "{? a ?: b ?: c ?}",
                                       "{? a ?: b" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(rules_render_template(bad[i], context));
    cJSON_Delete(context);
}

/* ---- loading ---- */

static void test_load_syntax_error_line(void **state)
{
    struct folder *f = *state;
    assert_load_error(f, "{\n  'pack': 'test',\n  'version': '1.0',\n  'rules': [ , ]\n}\n",
                      "pack.json: line 4: JSON syntax error near ', ]'");
    assert_load_error(f, "{\n  'pack': 'test',\n", "line 3: JSON syntax error near end of file");
    assert_load_error(f, PACK() "\n\ntrailing", "line 3: JSON syntax error near 'trailing'");
}

static void test_load_unknown_operator(void **state)
{
    assert_load_error(*state,
                      PACK(RULE_WHEN("tls_no_shared_cipher",
                                     "{'fact': '$conn.a', 'op': 'disjont', 'value': []}", "")),
                      "pack.json: rule 'tls_no_shared_cipher': unknown operator 'disjont' (at when[0])");
    /* Found however deep it is. */
    assert_load_error(*state,
                      PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'exists'},"
                                     " {'any': [{'not': {'fact': '$conn.a', 'op': 'eqq', 'value': 1}}]}", "")),
                      "rule 'r1': unknown operator 'eqq' (at when[1].any[0].not)");
}

static void test_load_unknown_cause(void **state)
{
    assert_load_error(*state,
                      PACK("{'id': 'r1', 'cause': 'tls_broken', 'severity': 'error', 'rank': 1,"
                           " 'title': 'T', 'when': [], 'message': 'm', 'remedy': 'r'}"),
                      "rule 'r1': unknown cause 'tls_broken'");
}

static void test_load_duplicate_id_across_files(void **state)
{
    struct folder *f = *state;
    char a[600], b[600];
    write_pack(f, "a.json", PACK(RULE("r1", "")), a, sizeof a);
    write_pack(f, "b.json", "{'pack': 'b', 'version': '1', 'rules': [" RULE("r2", "") "," RULE("r1", "") "]}", b, sizeof b);
    const char *paths[] = { a, b };
    assert_null(load_paths(f, paths, 2));
    char expected[1400];
    snprintf(expected, sizeof expected, "%s: rule 'r1': duplicate id (also in %s)", b, a);
    assert_string_equal(f->err, expected);
    /* Within one file too. */
    assert_load_error(f, PACK(RULE("r1", "") "," RULE("r1", "")), "rule 'r1': duplicate id");
}

static void test_load_missing_message(void **state)
{
    assert_load_error(*state,
                      PACK("{'id': 'r1', 'cause': 'cert_expired', 'severity': 'error', 'rank': 1,"
                           " 'title': 'T', 'when': [], 'remedy': 'r'}"),
                      "pack.json: rule 'r1': missing key 'message'");
}

static void test_load_unknown_key(void **state)
{
    assert_load_error(*state, PACK(RULE("r1", ", 'remdy': 'typo'")),
                      "pack.json: rule 'r1': unknown key 'remdy'");
    /* Keys starting with '_' are comments, in rules, conditions and lets alike. */
    struct folder *f = *state;
    struct rule_set *rs = load_text(f, "ok.json",
                                    "{'_about': 'x', 'pack': 'p', 'version': '1', " CAUSES ", 'rules': ["
                                    RULE_WHEN("r1", "{'_c': 1, 'fact': '$conn.a', 'op': 'exists'}",
                                              ", '_note': 'why', 'let': {'n': {'_c': 2, 'op': 'count', 'a': []}}")
                                    "]}");
    assert_non_null(rs);
    rules_free(rs);
}

/* Everything else the loader refuses, one case each. */
static void test_load_rejects_malformed(void **state)
{
    static const struct { const char *text; const char *expected; } cases[] = {
        { "[]", "a rule pack must be a JSON object" },
        { "{'version': '1', 'rules': []}", "missing key 'pack'" },
        { "{'pack': 'p', 'rules': []}", "missing key 'version'" },
        { "{'pack': 'p', 'version': '1'}", "missing key 'rules'" },
        { "{'pack': 'p', 'version': 1, 'rules': []}", "'version' must be a string" },
        { "{'pack': 'p', 'version': '1', 'rules': {}}", "'rules' must be an array" },
        { "{'pack': 'p', 'version': '1', 'profile': [], 'rules': []}", "'profile' must be an object" },
        { "{'pack': 'p', 'version': '1', 'rulez': [], 'rules': []}", "unknown top-level key 'rulez'" },
        { PACK("3"), "rules[0]: a rule must be an object" },
        { PACK("{'cause': 'success'}"), "rules[0]: missing key 'id'" },
        { PACK(RULE("Bad Id", "")), "rule 'Bad Id': 'id' must be a string of [a-z0-9_.-]" },
        { PACK("{'id': 'r1', 'cause': 'success', 'severity': 'fatal', 'rank': 1, 'title': 'T',"
               " 'when': [], 'message': 'm', 'remedy': 'r'}"), "rule 'r1': unknown severity 'fatal'" },
        { PACK("{'id': 'r1', 'cause': 'success', 'severity': 'info', 'rank': 1.5, 'title': 'T',"
               " 'when': [], 'message': 'm', 'remedy': 'r'}"), "rule 'r1': 'rank' must be an integer" },
        { PACK("{'id': 'r1', 'cause': 'success', 'severity': 'info', 'rank': '1', 'title': 'T',"
               " 'when': [], 'message': 'm', 'remedy': 'r'}"), "rule 'r1': 'rank' must be an integer" },
        { PACK(RULE("r1", ", 'scope': 'packet'")), "rule 'r1': unknown scope 'packet'" },
        { PACK(RULE("r1", ", 'mode': 'always'")), "rule 'r1': unknown mode 'always'" },
        { PACK(RULE("r1", ", 'message': 'twice'")), "rule 'r1': key 'message' given twice" },
        { PACK("{'id': 'r1', 'cause': 'success', 'severity': 'info', 'rank': 1, 'title': 'T\\nU',"
               " 'when': [], 'message': 'm', 'remedy': 'r'}"), "'title' must be a non-empty one-line string" },
        { PACK("{'id': 'r1', 'cause': 'success', 'severity': 'info', 'rank': 1, 'title': 'T',"
               " 'when': {}, 'message': 'm', 'remedy': 'r'}"), "'when' must be an array of conditions" },
        { PACK(RULE_WHEN("r1", "{'fact': 'conn.a', 'op': 'exists'}", "")),
          "'fact' must be a $ reference (at when[0])" },
        { PACK(RULE_WHEN("r1", "{'fact': '$con.a', 'op': 'exists'}", "")),
          "reference '$con.a': unknown root 'con'" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn..a', 'op': 'exists'}", "")), "empty path segment" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'eq'}", "")),
          "operator 'eq' needs a 'value' (at when[0])" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'exists', 'value': 1}", "")),
          "operator 'exists' takes no 'value'" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'in', 'value': 3}", "")),
          "'value' of operator 'in' must be an array or a $ reference" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'lt', 'value': 'x'}", "")),
          "'value' of operator 'lt' must be a number" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'matches', 'value': 1}", "")),
          "'value' of operator 'matches' must be a string" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'exists', 'vaule': 1}", "")),
          "unknown or repeated key 'vaule' in a condition" },
        { PACK(RULE_WHEN("r1", "{'any': {}}", "")), "'any' must be an array of conditions" },
        { PACK(RULE_WHEN("r1", "{'not': [], 'all': []}", "")), "must be the only key of its condition" },
        { PACK(RULE_WHEN("r1", "3", "")), "a condition must be an object (at when[0])" },
        { PACK(RULE_WHEN("r1", "{'fact': '$let.x', 'op': 'exists'}", ", 'let': {'x': {'op': 'count', 'a': []}}")),
          "'let.x' is not a let computed before this point" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.a', 'op': 'exists'}", ", 'scope': 'capture'")),
          "'conn' is not bound in a capture-scope rule" },
        { PACK(RULE_WHEN("r1", "{'fact': '$good.conn.a', 'op': 'exists'}", ", 'mode': 'analyze'")),
          "'good' is not bound in an analyze-mode rule" },
        { PACK(RULE("r1", ", 'let': {'x': {'op': 'minus', 'a': []}}")), "let 'x': unknown let op 'minus'" },
        { PACK(RULE("r1", ", 'let': {'x': {'op': 'difference', 'a': []}}")), "let 'x': missing key 'b'" },
        { PACK(RULE("r1", ", 'let': {'x': {'op': 'count', 'a': [], 'b': []}}")), "let 'x': op 'count' takes no 'b'" },
        { PACK(RULE("r1", ", 'let': {'x': {'op': 'union', 'a': 3, 'b': []}}")),
          "let 'x': 'a' must be an array or a $ reference" },
        { PACK(RULE("r1", ", 'let': {'x': {'op': 'value', 'a': '$let.y'}, 'y': {'op': 'count', 'a': []}}")),
          "let 'x': 'a': reference '$let.y': 'let.y' is not a let computed before this point" },
        { PACK(RULE("r1", ", 'let': []")), "'let' must be an object" },
        { PACK(RULE("r1", ", 'let': {'a.b': {'op': 'count', 'a': []}}")), "let 'a.b': a let name is" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'see {conn.a'", "")), "'remedy': unclosed '{' at offset 4" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'a } b'", "")), "'remedy': lone '}' at offset 2" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'a {? b'", "")), "'remedy': unclosed '{?' at offset 2 (end the group with '?}')" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{? a {? b ?} ?}'", "")), "'remedy': '{?' at offset 5 inside a group" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{? {let.nope} ?}'", "")), "'remedy': {let.nope}: 'let.nope' is not a let" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{? a ?: b ?: c ?}'", "")), "'remedy': a second '?:' at offset 10 in one group" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{? a ?: {let.nope} ?}'", "")), "'remedy': {let.nope}: 'let.nope' is not a let" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{conn.a|sha?none}'", "")), "'remedy': {conn.a|sha?none}: unknown filter 'sha'" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{conn.a|sha}'", "")), "'remedy': {conn.a|sha}: unknown filter 'sha'" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{conn.a|count|hex}'", "")), "one filter per placeholder" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{let.nope}'", "")), "'remedy': {let.nope}: 'let.nope' is not a let" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{}'", "")), "'remedy': {}: empty reference" },
        { PACK(RULE_TEXT("r1", "", "'m'", "3", "")), "'remedy' must be a string" },
        { PACK(RULE("r1", ", 'connector_code': 5")), "'connector_code' must be a string or a $ reference" },
        { PACK(RULE("r1", ", 'connector_code': '$profil.codes'")), "'connector_code': reference '$profil.codes'" },
        { PACK(RULE("r1", ", 'evidence': {}")), "'evidence' must be an array" },
        { PACK(RULE("r1", ", 'evidence': [{'what': 'x'}]")), "evidence[0]: 'frame' must be a $ reference" },
        { PACK(RULE("r1", ", 'evidence': [{'frame': '$conn.f'}]")), "evidence[0]: 'what' must be a string" },
        { PACK(RULE("r1", ", 'evidence': [{'what': 'x', 'frame': '$conn.f', 'fram': 1}]")),
          "evidence[0]: unknown key 'fram'" },
        { PACK(RULE("r1", ", 'evidence': [{'what': 'x {', 'frame': '$conn.f'}]")), "evidence[0]: 'what': unclosed '{'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_load_error(*state, cases[i].text, cases[i].expected);
}

static void test_load_bad_paths(void **state)
{
    struct folder *f = *state;
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.json", f->path);
    const char *paths[] = { missing };
    assert_null(load_paths(f, paths, 1));
    assert_non_null(strstr(f->err, "none.json: cannot open"));
    const char *folder[] = { f->path };
    assert_null(load_paths(f, folder, 1));   /* a folder without packs */
    assert_non_null(strstr(f->err, "no *.json rule files"));
}

static void test_load_nothing(void **state)
{
    (void)state;
    struct rule_set *rs = rules_load(NULL, 0, NULL, NULL, 0);
    assert_non_null(rs);
    assert_int_equal(rules_count(rs), 0);
    assert_true(cJSON_IsObject(rules_profile(rs)));
    assert_null(rules_profile(rs)->child);
    cJSON *findings = rules_evaluate(rs, NULL, NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(findings), 0);
    cJSON_Delete(findings);
    rules_free(rs);
}

static void test_load_folder_two_packs(void **state)
{
    struct folder *f = *state;
    write_pack(f, "20-second.json",
               "{'pack': 'second', 'version': '2.0', 'profile': {'x': 2, 'y': [3]},"
               " 'rules': [" RULE("b1", "") "]}", NULL, 0);
    write_pack(f, "10-first.json",
               "{'pack': 'first', 'version': '1.0', 'description': 'd', " CAUSES ","
               " 'profile': {'hosts': ['a.example'], 'x': 1},"
               " 'rules': [" RULE("a1", "") "," RULE("a2", "") "]}", NULL, 0);
    write_pack(f, "README.md", "not a pack", NULL, 0);
    write_pack(f, ".hidden.json", "not a pack either", NULL, 0);
    const char *paths[] = { f->path };
    struct rule_set *rs = load_paths(f, paths, 1);
    if (!rs)
        fail_msg("load failed: %s", f->err);
    assert_int_equal(rules_count(rs), 3);

    cJSON *expected_profile = json("{'hosts': ['a.example'], 'x': 2, 'y': [3]}");
    assert_true(cJSON_Compare(rules_profile(rs), expected_profile, true));
    cJSON_Delete(expected_profile);

    char expected_text[1400];
    snprintf(expected_text, sizeof expected_text,
             "[{'pack': 'first', 'version': '1.0', 'file': '%s/10-first.json', 'rules': 2},"
             " {'pack': 'second', 'version': '2.0', 'file': '%s/20-second.json', 'rules': 1}]",
             f->path, f->path);
    cJSON *expected_packs = json(expected_text);
    cJSON *packs = rules_packs_json(rs);
    assert_true(cJSON_Compare(packs, expected_packs, true));
    cJSON_Delete(packs);
    cJSON_Delete(expected_packs);

    /* Rules come in pack order, then file order. */
    cJSON *conns = json("[{'id': 1}]");
    cJSON *findings = rules_evaluate(rs, NULL, conns, NULL);
    assert_int_equal(cJSON_GetArraySize(findings), 3);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(findings, 0), "rule")->valuestring, "a1");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(findings, 1), "rule")->valuestring, "a2");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(findings, 2), "rule")->valuestring, "b1");
    cJSON_Delete(findings);
    cJSON_Delete(conns);
    rules_free(rs);
}

/* ---- names checked against what exists ---- */

/* A misspelled fact is refused wherever a rule writes it (when, let,
 * templates, evidence, connector code), in one line naming the file, the
 * rule, the path as written and the nearest fact of the registry. */
static void test_load_unknown_fact_everywhere(void **state)
{
#define TYPO "conn.tls.client_helo.frame"
#define FIXED "conn.tls.client_hello.frame"
    static const struct { const char *text; const char *expected; } cases[] = {
        { PACK(RULE_WHEN("r1", "{'fact': '$" TYPO "', 'op': 'exists'}", "")),
          "pack.json: rule 'r1': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?) (at when[0])" },
        { PACK(RULE_WHEN("r1", "{'any': [{'not': {'fact': '$" TYPO "', 'op': 'exists'}}]}", "")),
          "rule 'r1': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?) (at when[0].any[0].not)" },
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.id', 'op': 'eq', 'value': '$" TYPO "'}", "")),
          "rule 'r1': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?) (at when[0])" },
        { PACK(RULE("r1", ", 'let': {'f': {'op': 'value', 'a': '$" TYPO "'}}")),
          "rule 'r1': let 'f': 'a': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?)" },
        { PACK(RULE("r1", ", 'let': {'f': {'op': 'difference', 'a': [], 'b': '$conn.tls.client_helo.cipher_suites'}}")),
          "rule 'r1': let 'f': 'b': unknown fact '$conn.tls.client_helo.cipher_suites' "
          "(did you mean '$conn.tls.client_hello.cipher_suites'?)" },
        { PACK(RULE_TEXT("r1", "", "'Client Hello #{" TYPO "}'", "'r'", "")),
          "rule 'r1': 'message': unknown fact '{" TYPO "}' (did you mean '{" FIXED "}'?)" },
        { PACK(RULE_TEXT("r1", "", "'#{" TYPO "?none}'", "'r'", "")),
          "rule 'r1': 'message': unknown fact '{" TYPO "}' (did you mean '{" FIXED "}'?)" },
        { PACK(RULE_TEXT("r1", "", "'m'", "'{conn.tls.client_helo.cipher_suites|suites}'", "")),
          "rule 'r1': 'remedy': unknown fact '{conn.tls.client_helo.cipher_suites}' "
          "(did you mean '{conn.tls.client_hello.cipher_suites}'?)" },
        { PACK(RULE("r1", ", 'evidence': [{'what': 'Client Hello', 'frame': '$" TYPO "'}]")),
          "rule 'r1': evidence[0]: 'frame': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?)" },
        { PACK(RULE("r1", ", 'evidence': [{'what': 'CH #{" TYPO "}', 'frame': '$" FIXED "'}]")),
          "rule 'r1': evidence[0]: 'what': unknown fact '{" TYPO "}' (did you mean '{" FIXED "}'?)" },
        { PACK(RULE("r1", ", 'connector_code': '$" TYPO "'")),
          "rule 'r1': 'connector_code': unknown fact '$" TYPO "' (did you mean '$" FIXED "'?)" },
        /* Indexes are kept in the suggestion. */
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.tls.alerts.2.descripton', 'op': 'exists'}", "")),
          "unknown fact '$conn.tls.alerts.2.descripton' (did you mean '$conn.tls.alerts.2.description'?)" },
        /* $good mirrors conn and capture. */
        { PACK(RULE_WHEN("r1", "{'fact': '$good.conn.tls.server_hello.cipher_suit', 'op': 'exists'}", "")),
          "unknown fact '$good.conn.tls.server_hello.cipher_suit' "
          "(did you mean '$good.conn.tls.server_hello.cipher_suite'?)" },
        { PACK(RULE_WHEN("r1", "{'fact': '$good.con.tls', 'op': 'exists'}", "")),
          "unknown fact '$good.con.tls' (did you mean '$good.conn.tls'?)" },
        { PACK(RULE_WHEN("r1", "{'fact': '$capture.dns.target_resolvd', 'op': 'truthy'}", ", 'scope': 'capture'")),
          "unknown fact '$capture.dns.target_resolvd' (did you mean '$capture.dns.target_resolved'?)" },
        /* Nothing close: no suggestion. Rules never see the connection list. */
        { PACK(RULE_WHEN("r1", "{'fact': '$conn.xyzzy', 'op': 'exists'}", "")),
          "rule 'r1': unknown fact '$conn.xyzzy' (at when[0])" },
        { PACK(RULE_WHEN("r1", "{'fact': '$capture.connections', 'op': 'exists'}", ", 'scope': 'capture'")),
          "unknown fact '$capture.connections'" },
        /* A let's members are checked as what the let is computed from. */
        { PACK(RULE("r1", ", 'scope': 'capture', 'let': {'failed': {'op': 'first', 'a': '$capture.dns.lookups'}},"
                          " 'evidence': [{'what': 'q', 'frame': '$let.failed.qury_frame'}]")),
          "evidence[0]: 'frame': unknown fact '$let.failed.qury_frame' (did you mean '$let.failed.query_frame'?)" },
        { PACK(RULE_TEXT("r1", "", "'{let.b.fram}'", "'r'",
                         ", 'let': {'a': {'op': 'value', 'a': '$conn.tls'}, 'b': {'op': 'value', 'a': '$let.a.client_hello'}}")),
          "'message': unknown fact '{let.b.fram}' (did you mean '{let.b.frame}'?)" },
        { PACK(RULE("r1", ", 'mode': 'diff', 'let': {'g': {'op': 'first', 'a': '$good.capture.dns.lookups'}},"
                          " 'evidence': [{'what': 'a', 'frame': '$let.g.response_fram'}]")),
          "unknown fact '$let.g.response_fram' (did you mean '$let.g.response_frame'?)" },
        { PACK(RULE("r1", ", 'let': {'n': {'op': 'count', 'a': '$conn.tls.alerts'}, 'm': {'op': 'value', 'a': '$let.n.x'}}")),
          "let 'm': 'a': unknown member '$let.n.x' ('let.n' is a count)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_load_error_with(*state, cases[i].text, cases[i].expected, registry());
#undef TYPO
#undef FIXED
}

/* What the registry has loads, indexes and all; without a vocabulary
 * (NULL) fact paths are not checked. */
static void test_load_known_facts(void **state)
{
    struct folder *f = *state;
    assert_loads_with(f, PACK(RULE_TEXT("r1",
        "{'fact': '$conn.tls.alerts.0.description', 'op': 'eq', 'value': 40},"
        " {'fact': '$conn', 'op': 'exists'}, {'fact': '$good', 'op': 'absent'},"
        " {'fact': '$good.conn.tls.client_hello.cipher_suites.12', 'op': 'absent'},"
        " {'fact': '$good.capture.dns', 'op': 'absent'}",
        "'{conn.tls.client_hello.cipher_suites|suites} {let.u.0.anything} {let.lit.x} {let.a.1.level_name}'", "'r'",
        ", 'let': {'u': {'op': 'union', 'a': '$conn.tls.alerts', 'b': []},"
        "          'lit': {'op': 'value', 'a': {'x': 1}},"
        "          'a': {'op': 'intersection', 'a': '$conn.tls.alerts', 'b': []}},"
        " 'evidence': [{'what': 'w', 'frame': '$conn.tls.certificate.chain.0.not_after'}]")), registry());
    assert_loads_with(f, PACK(RULE_WHEN("r1", "{'fact': '$capture.revocation.connections.0.tls.first_alert.sender', 'op': 'exists'}",
                                        ", 'scope': 'capture'")), registry());
    assert_loads_with(f, PACK(RULE_WHEN("r1", "{'fact': '$conn.tls.client_helo.frame', 'op': 'exists'}", "")), NULL);

    /* The packs tlsdiag ships. */
    const char *packs[] = { "rules/packs" };
    struct rule_set *rs = load_paths_with(f, packs, 1, registry());
    if (!rs)
        fail_msg("rules/packs: %s", f->err);
    rules_free(rs);
}

/* Profile keys are whatever the loaded packs' profiles hold, from any pack. */
static void test_load_profile_keys(void **state)
{
    struct folder *f = *state;
#define PROFILED(profile, rules) "{'pack': 'test', 'version': '1.0', " CAUSES ", 'profile': " profile ", 'rules': [" rules "]}"
    const char *profile = "{'accepted_suites': [49200, 4865], 'codes': {'unknown': 'E1'}, 'hosts': [{'name': 'a'}]}";
    char text[2000];
    snprintf(text, sizeof text, PROFILED("%s", RULE_WHEN("r1", "{'fact': '$profile.accepted_suite', 'op': 'exists'}", "")),
             profile);
    assert_load_error(f, text,
                      "rule 'r1': unknown profile key '$profile.accepted_suite' (did you mean '$profile.accepted_suites'?)");
    snprintf(text, sizeof text, PROFILED("%s", RULE("r1", ", 'connector_code': '$profile.codes.unknwn'")), profile);
    assert_load_error(f, text, "'connector_code': unknown profile key '$profile.codes.unknwn' (did you mean '$profile.codes.unknown'?)");
    snprintf(text, sizeof text, PROFILED("%s", RULE_TEXT("r1", "", "'{profile.hosts.3.nam}'", "'r'", "")), profile);
    assert_load_error(f, text, "'message': unknown profile key '{profile.hosts.3.nam}' (did you mean '{profile.hosts.3.name}'?)");
    snprintf(text, sizeof text, PROFILED("%s", RULE_WHEN("r1", "{'fact': '$profile.zzzzzzz', 'op': 'exists'}", "")), profile);
    assert_load_error(f, text, "unknown profile key '$profile.zzzzzzz' (no loaded pack's profile has it)");
    assert_load_error(f, PACK(RULE_WHEN("r1", "{'fact': '$profile.hosts', 'op': 'exists'}", "")),
                      "unknown profile key '$profile.hosts' (no loaded pack has a profile)");
    snprintf(text, sizeof text, PROFILED("%s", RULE_TEXT("r1",
             "{'fact': '$profile.accepted_suites.1', 'op': 'exists'}, {'fact': '$profile', 'op': 'exists'}",
             "'{profile.hosts.0.name} {profile.codes.unknown} {let.first.name}'", "'r'",
             ", 'let': {'first': {'op': 'first', 'a': '$profile.hosts'}}")), profile);
    assert_loads_with(f, text, NULL);
    snprintf(text, sizeof text, PROFILED("%s", RULE_TEXT("r1", "", "'{let.first.nam}'", "'r'",
             ", 'let': {'first': {'op': 'first', 'a': '$profile.hosts'}}")), profile);
    assert_load_error(f, text, "unknown profile key '{let.first.nam}' (did you mean '{let.first.name}'?)");

    /* A key another pack's profile brings. */
    char a[600], b[600];
    write_pack(f, "a.json", PACK(RULE_WHEN("r1", "{'fact': '$profile.min_version', 'op': 'exists'}", "")), a, sizeof a);
    write_pack(f, "b.json", "{'pack': 'b', 'version': '1', 'profile': {'min_version': 771}, 'rules': []}", b, sizeof b);
    const char *paths[] = { a, b };
    struct rule_set *rs = load_paths(f, paths, 2);
    if (!rs)
        fail_msg("load failed: %s", f->err);
    rules_free(rs);
#undef PROFILED
}

/* Causes are the packs': declared in "causes", usable by any loaded pack's
 * rules, declared once. */
static void test_load_causes(void **state)
{
    struct folder *f = *state;
    static const struct { const char *text; const char *expected; } cases[] = {
        { "{'pack': 'p', 'version': '1', 'rules': [" RULE("r1", "") "]}",
          "pack.json: rule 'r1': unknown cause 'tls_failure_other' (no loaded pack declares any \"causes\")" },
        { PACK("{'id': 'r1', 'cause': 'tls_failur_other', 'severity': 'error', 'rank': 1,"
               " 'title': 'T', 'when': [], 'message': 'm', 'remedy': 'r'}"),
          "pack.json: rule 'r1': unknown cause 'tls_failur_other' (did you mean 'tls_failure_other'?)" },
        { PACK("{'id': 'r1', 'cause': 3, 'severity': 'error', 'rank': 1,"
               " 'title': 'T', 'when': [], 'message': 'm', 'remedy': 'r'}"),
          "rule 'r1': 'cause' must be a non-empty string" },
        { "{'pack': 'p', 'version': '1', 'causes': {}, 'rules': []}", "pack.json: 'causes' must be an array" },
        { "{'pack': 'p', 'version': '1', 'causes': [3], 'rules': []}", "pack.json: causes[0]: a cause must be an object" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'Bad', 'title': 't', 'meaning': 'm'}], 'rules': []}",
          "pack.json: causes[0]: 'id' must be a string of [a-z0-9_.-]" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'meaning': 'm'}], 'rules': []}",
          "pack.json: cause 'c': 'title' must be a non-empty one-line string" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'title': 't', 'meaning': 'two\\nlines'}], 'rules': []}",
          "pack.json: cause 'c': 'meaning' must be a non-empty one-line string" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'title': 't', 'meaning': 'm', 'titel': 'x'}], 'rules': []}",
          "pack.json: cause 'c': unknown key 'titel'" },
        { "{'pack': 'p', 'version': '1', 'causes': [" CAUSE("c") "," CAUSE("c") "], 'rules': []}",
          "cause 'c': declared twice (also in " },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'title': 't', 'meaning': 'm'}], 'rules': []}",
          "pack.json: cause 'c': 'who_acts' must be an array of endpoint, server, proxy or network" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'title': 't', 'meaning': 'm', 'who_acts': ['admin']}], 'rules': []}",
          "pack.json: cause 'c': 'who_acts' item 0 must be one of endpoint, server, proxy, network" },
        { "{'pack': 'p', 'version': '1', 'causes': [{'id': 'c', 'title': 't', 'meaning': 'm', 'who_acts': ['proxy', 'proxy']}], 'rules': []}",
          "pack.json: cause 'c': 'who_acts' names 'proxy' twice" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_load_error(f, cases[i].text, cases[i].expected);

    /* Declared in one pack, named by another's rule; declared twice across packs. */
    char a[600], b[600], c[600];
    write_pack(f, "a.json", "{'pack': 'a', 'version': '1', 'rules': [" RULE_WHEN("r1", "", "") "]}", a, sizeof a);
    write_pack(f, "b.json", "{'pack': 'b', 'version': '1', 'causes': [" CAUSE("tls_failure_other") ", "
                            "{'id': 'site.cut', 'title': 'Cut', 'meaning': 'The proxy cuts it.', 'who_acts': ['proxy'], '_note': 'x'}],"
                            " 'rules': []}", b, sizeof b);
    const char *paths[] = { a, b };
    struct rule_set *rs = load_paths(f, paths, 2);
    if (!rs)
        fail_msg("load failed: %s", f->err);
    cJSON *causes = rules_causes_json(rs);
    cJSON *expected = json("[{'id': 'tls_failure_other', 'title': 'Title of tls_failure_other',"
                           "  'meaning': 'What tls_failure_other means.', 'who_acts': ['server'], 'pack': 'b'},"
                           " {'id': 'site.cut', 'title': 'Cut', 'meaning': 'The proxy cuts it.', 'who_acts': ['proxy'],"
                           "  'pack': 'b'}]");
    assert_true(cJSON_Compare(causes, expected, true));
    cJSON_Delete(causes);
    cJSON_Delete(expected);
    char why[300];
    assert_true(rules_check_cause(rs, "site.cut", why, sizeof why));
    assert_false(rules_check_cause(rs, "site.cutt", why, sizeof why));
    assert_string_equal(why, "unknown cause 'site.cutt' (did you mean 'site.cut'?)");
    rules_free(rs);

    write_pack(f, "c.json", "{'pack': 'c', 'version': '1', 'causes': [" CAUSE("site.cut") "], 'rules': []}", c, sizeof c);
    const char *twice[] = { b, c };
    assert_null(load_paths(f, twice, 2));
    char message[1400];
    snprintf(message, sizeof message, "%s: cause 'site.cut': declared twice (also in %s)", c, b);
    assert_string_equal(f->err, message);
}

/* The checks `tlsdiag check` uses on its expectations. */
static void test_check_fact_public(void **state)
{
    (void)state;
    char why[300];
    assert_true(rules_check_fact(registry(), "conn.tls.alerts.0.description", why, sizeof why));
    assert_true(rules_check_fact(registry(), "capture.dns.target_resolved", why, sizeof why));
    assert_true(rules_check_fact(NULL, "anything.at.all", why, sizeof why));
    assert_false(rules_check_fact(registry(), "conn.tls.client_helo.frame", why, sizeof why));
    assert_string_equal(why, "unknown fact 'conn.tls.client_helo.frame' (did you mean 'conn.tls.client_hello.frame'?)");
    assert_false(rules_check_fact(registry(), "conn.tls.alerts.1.sendr", why, sizeof why));
    assert_string_equal(why, "unknown fact 'conn.tls.alerts.1.sendr' (did you mean 'conn.tls.alerts.1.sender'?)");
    assert_false(rules_check_fact(registry(), "", why, sizeof why));
}

/* ---- evaluation ---- */

static cJSON *evaluate_text(struct folder *f, const char *pack, const char *capture_text,
                            const char *conns_text, const char *good_text)
{
    struct rule_set *rs = load_text(f, "eval.json", pack);
    if (!rs)
        fail_msg("load failed: %s", f->err);
    cJSON *capture = capture_text ? json(capture_text) : NULL;
    cJSON *conns = conns_text ? json(conns_text) : NULL;
    cJSON *good = good_text ? json(good_text) : NULL;
    cJSON *findings = rules_evaluate(rs, capture, conns, good);
    assert_non_null(findings);
    cJSON_Delete(capture);
    cJSON_Delete(conns);
    cJSON_Delete(good);
    rules_free(rs);
    return findings;
}

static const cJSON *finding_for(const cJSON *findings, const char *rule)
{
    for (const cJSON *f = findings->child; f; f = f->next)
        if (strcmp(cJSON_GetObjectItem(f, "rule")->valuestring, rule) == 0)
            return f;
    return NULL;
}

static void test_scope_capture_vs_connection(void **state)
{
    cJSON *findings = evaluate_text(
        *state,
        PACK(RULE_TEXT("cap", "{'fact': '$capture.dns_failures', 'op': 'ge', 'value': 1}",
                       "'{capture.dns_failures} failed lookups'", "'r'", ", 'scope': 'capture'")
             "," RULE_TEXT("per_conn", "{'fact': '$conn.reset', 'op': 'truthy'}", "'conn {conn.id}'", "'r'",
                           ", 'scope': 'connection'")
             "," RULE_WHEN("cap_quiet", "{'fact': '$capture.dns_failures', 'op': 'gt', 'value': 5}", ", 'scope': 'capture'")),
        "{'dns_failures': 2}", "[{'id': 'c1', 'reset': false}, {'id': 'c2', 'reset': true}]", NULL);
    assert_int_equal(cJSON_GetArraySize(findings), 2);
    const cJSON *cap = finding_for(findings, "cap");
    assert_non_null(cap);
    assert_string_equal(cJSON_GetObjectItem(cap, "scope")->valuestring, "capture");
    assert_null(cJSON_GetObjectItem(cap, "connection"));
    assert_string_equal(cJSON_GetObjectItem(cap, "message")->valuestring, "2 failed lookups");
    assert_int_equal(cJSON_GetObjectItem(cap, "matched_connections")->valueint, 0);
    const cJSON *conn = finding_for(findings, "per_conn");
    assert_string_equal(cJSON_GetObjectItem(conn, "scope")->valuestring, "connection");
    assert_string_equal(cJSON_GetObjectItem(conn, "connection")->valuestring, "c2");
    assert_string_equal(cJSON_GetObjectItem(conn, "message")->valuestring, "conn c2");
    assert_int_equal(cJSON_GetObjectItem(conn, "matched_connections")->valueint, 1);
    assert_null(finding_for(findings, "cap_quiet"));
    cJSON_Delete(findings);
}

static void test_mode_diff_and_analyze(void **state)
{
    const char *pack =
        PACK(RULE_TEXT("diff_rule", "{'fact': '$conn.suite', 'op': 'ne', 'value': '$good.conn.suite'}",
                       "'good used {good.conn.suite|hex}, this one {conn.suite|hex}'", "'r'", ", 'mode': 'diff'")
             "," RULE("analyze_rule", ", 'mode': 'analyze'")
             "," RULE_WHEN("any_rule", "{'fact': '$good', 'op': 'absent'}", ""));
    const char *conns = "[{'id': 1, 'suite': 49199}]";

    cJSON *alone = evaluate_text(*state, pack, "{}", conns, NULL);
    assert_null(finding_for(alone, "diff_rule"));
    assert_non_null(finding_for(alone, "analyze_rule"));
    assert_non_null(finding_for(alone, "any_rule"));
    cJSON_Delete(alone);

    cJSON *compared = evaluate_text(*state, pack, "{}", conns, "{'conn': {'id': 9, 'suite': 4865}, 'capture': {}}");
    const cJSON *diff = finding_for(compared, "diff_rule");
    assert_non_null(diff);
    assert_string_equal(cJSON_GetObjectItem(diff, "message")->valuestring, "good used 0x1301, this one 0xc02f");
    assert_null(finding_for(compared, "analyze_rule"));
    assert_null(finding_for(compared, "any_rule"));
    cJSON_Delete(compared);
}

static void test_matched_connections_counting(void **state)
{
    cJSON *findings = evaluate_text(
        *state,
        PACK(RULE_TEXT("reset", "{'fact': '$conn.reset', 'op': 'truthy'}", "'reset at #{let.frame} of {conn.id}'", "'r'",
                       ", 'let': {'frame': {'op': 'value', 'a': '$conn.reset_frame'}}")
             "," RULE_WHEN("never", "{'fact': '$conn.nope', 'op': 'exists'}", "")),
        "{}",
        "[{'id': 1, 'reset': false}, {'id': 2, 'reset': true, 'reset_frame': 20},"
        " {'id': 3, 'reset': true, 'reset_frame': 30}, {'id': 4}, {'id': 5, 'reset': 1, 'reset_frame': 50}]",
        NULL);
    assert_int_equal(cJSON_GetArraySize(findings), 1);
    const cJSON *reset = finding_for(findings, "reset");
    assert_int_equal(cJSON_GetObjectItem(reset, "matched_connections")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(reset, "connection")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(reset, "message")->valuestring, "reset at #20 of 2");
    cJSON_Delete(findings);

    /* No connections: a connection rule cannot hold. */
    cJSON *none = evaluate_text(*state, PACK(RULE("r", "")), "{}", "[]", NULL);
    assert_int_equal(cJSON_GetArraySize(none), 0);
    cJSON_Delete(none);
}

static void test_evidence_absent_frame_dropped(void **state)
{
    cJSON *findings = evaluate_text(
        *state,
        PACK(RULE("r", ", 'evidence': [{'what': 'Client Hello to {conn.sni}', 'frame': '$conn.ch_frame'},"
                            " {'what': 'Server Hello', 'frame': '$conn.sh_frame'},"
                            " {'what': 'Null frame', 'frame': '$conn.null_frame'},"
                            " {'what': 'Alert {conn.alerts.0|alert}', 'frame': '$conn.alert_frames.0'}]")),
        "{}", "[{'id': 1, 'sni': 'h.example', 'ch_frame': 4, 'null_frame': null, 'alerts': [40], 'alert_frames': [9]}]",
        NULL);
    cJSON *expected = json("[{'what': 'Client Hello to h.example', 'frame': 4}, {'what': 'Alert handshake_failure', 'frame': 9}]");
    const cJSON *evidence = cJSON_GetObjectItem(finding_for(findings, "r"), "evidence");
    assert_true(cJSON_Compare(evidence, expected, true));
    cJSON_Delete(expected);
    cJSON_Delete(findings);
}

/* The example rule of FORMAT.md end to end, every field of the finding. */
static void test_finding_shape(void **state)
{
    const char *pack =
        "{'pack': 'tetra', 'version': '1.0.0', " CAUSES ","
        " 'profile': {'accepted_suites': [49200, 49199, 158, 4865], 'connector_codes': {'unknown_error': 'TETRA-E7'}},"
        " 'rules': [{'id': 'tls_no_shared_cipher', 'cause': 'tls_no_shared_cipher', 'severity': 'critical', 'rank': 90,"
        "  'scope': 'connection', 'title': 'No cipher suite in common with the server',"
        "  'when': [{'fact': '$conn.tls.client_hello.cipher_suites', 'op': 'disjoint', 'value': '$profile.accepted_suites'}],"
        "  'let': {'missing': {'op': 'difference', 'a': '$profile.accepted_suites', 'b': '$conn.tls.client_hello.cipher_suites'},"
        "          'how_many': {'op': 'count', 'a': '$let.missing'}},"
        "  'message': 'The endpoint offers none of the {profile.accepted_suites|count} suites (Client Hello #{conn.tls.client_hello.frame}).',"
        "  'remedy': 'Add {let.missing|suites} ({let.how_many}).',"
        "  'connector_code': '$profile.connector_codes.unknown_error',"
        "  'evidence': [{'what': 'Client Hello', 'frame': '$conn.tls.client_hello.frame'}]},"
        " {'id': 'literal_code', 'cause': 'success', 'severity': 'info', 'rank': 0, 'title': 'T', 'when': [],"
        "  'message': 'm', 'remedy': 'r', 'connector_code': 'OK-1'},"
        " {'id': 'absent_code', 'cause': 'success', 'severity': 'info', 'rank': -5, 'title': 'T', 'when': [],"
        "  'message': 'm', 'remedy': 'r', 'connector_code': '$conn.connector_code'}]}";
    cJSON *findings = evaluate_text(*state, pack, "{}",
                                    "[{'id': 'conn-1', 'tls': {'client_hello': {'frame': 12, 'cipher_suites': [4865]}}},"
                                    " {'id': 'conn-2', 'tls': {'client_hello': {'frame': 40, 'cipher_suites': [47, 53]}}}]",
                                    NULL);
    cJSON *expected = json(
        "{'rule': 'tls_no_shared_cipher', 'cause': 'tls_no_shared_cipher', 'severity': 'critical', 'rank': 90,"
        " 'title': 'No cipher suite in common with the server',"
        " 'message': 'The endpoint offers none of the 4 suites (Client Hello #40).',"
        " 'remedy': 'Add TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030), TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f),"
        " TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (0x009e), TLS_AES_128_GCM_SHA256 (0x1301) (4).',"
        " 'scope': 'connection', 'connection': 'conn-2', 'connector_code': 'TETRA-E7', 'who_acts': ['server'],"
        " 'evidence': [{'what': 'Client Hello', 'frame': 40}], 'connections': ['conn-2'], 'matched_connections': 1}");
    const cJSON *finding = cJSON_GetArrayItem(findings, 0);
    if (!cJSON_Compare(finding, expected, true)) {
        char *got = cJSON_Print(finding);
        fail_msg("finding differs:\n%s", got);
    }
    /* Key order is part of the output's readability. */
    const char *const order[] = { "rule", "cause", "severity", "rank", "title", "message", "remedy", "scope",
                                  "connection", "connector_code", "who_acts", "evidence", "connections",
                                  "matched_connections" };
    const cJSON *key = finding->child;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++, key = key->next)
        assert_string_equal(key->string, order[i]);
    cJSON_Delete(expected);

    assert_string_equal(cJSON_GetObjectItem(finding_for(findings, "literal_code"), "connector_code")->valuestring, "OK-1");
    const cJSON *absent = finding_for(findings, "absent_code");
    assert_null(cJSON_GetObjectItem(absent, "connector_code"));
    assert_int_equal(cJSON_GetObjectItem(absent, "rank")->valueint, -5);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(absent, "evidence")), 0);
    cJSON_Delete(findings);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_paths),
        cmocka_unit_test(test_op_exists_absent),
        cmocka_unit_test(test_op_eq_ne),
        cmocka_unit_test(test_op_in_not_in),
        cmocka_unit_test(test_op_numeric_comparisons),
        cmocka_unit_test(test_op_before_after),
        cmocka_unit_test(test_op_contains),
        cmocka_unit_test(test_op_intersects_disjoint),
        cmocka_unit_test(test_op_subset),
        cmocka_unit_test(test_op_counts),
        cmocka_unit_test(test_op_matches),
        cmocka_unit_test(test_op_truthy_falsy),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_reference_into_arrays),
        cmocka_unit_test(test_let_difference),
        cmocka_unit_test(test_let_intersection),
        cmocka_unit_test(test_let_union),
        cmocka_unit_test(test_let_count),
        cmocka_unit_test(test_let_first),
        cmocka_unit_test(test_let_value),
        cmocka_unit_test(test_let_reads_earlier_let),
        cmocka_unit_test(test_template_plain_values),
        cmocka_unit_test(test_template_escapes),
        cmocka_unit_test(test_template_optional_groups),
        cmocka_unit_test(test_template_absent_text),
        cmocka_unit_test(test_template_group_alternative),
        cmocka_unit_test(test_template_array_index),
        cmocka_unit_test(test_filter_count),
        cmocka_unit_test(test_filter_join),
        cmocka_unit_test(test_filter_suites),
        cmocka_unit_test(test_filter_suite),
        cmocka_unit_test(test_filter_hex),
        cmocka_unit_test(test_filter_version),
        cmocka_unit_test(test_filter_alert),
        cmocka_unit_test(test_filter_ms),
        cmocka_unit_test(test_filter_frames),
        cmocka_unit_test(test_template_malformed_gives_null),
        cmocka_unit_test_setup_teardown(test_load_syntax_error_line, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_unknown_operator, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_unknown_cause, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_duplicate_id_across_files, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_missing_message, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_unknown_key, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_rejects_malformed, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_bad_paths, make_folder, remove_folder),
        cmocka_unit_test(test_load_nothing),
        cmocka_unit_test_setup_teardown(test_load_folder_two_packs, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_unknown_fact_everywhere, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_known_facts, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_profile_keys, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_load_causes, make_folder, remove_folder),
        cmocka_unit_test(test_check_fact_public),
        cmocka_unit_test_setup_teardown(test_scope_capture_vs_connection, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_mode_diff_and_analyze, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_matched_connections_counting, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_evidence_absent_frame_dropped, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_finding_shape, make_folder, remove_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
