/* `tlsdiag check`: golden captures against what is expected of them. An
 * expectation names what matters — the cause, the outcome, finding ids, key
 * facts — not a byte-exact report, so it survives wording changes and new
 * facts. Expectation files are read strictly before any capture is: an
 * unknown key, a value of the wrong type, an empty expectation, a cause no
 * loaded pack declares, a rule no pack has, a fact the fact registry does
 * not have — each is unusable input (exit 2) naming the file and the key,
 * never an expectation silently ignored or a misleading FAIL. */
#include "cli.h"
#include "diagnose.h"
#include "engine.h"
#include "fact_registry.h"
#include "report.h"

#include <stdarg.h>
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
    { "server_ip_ttl", "conn.tcp.server_ip_ttl" },
    { "rst_ip_ttl", "conn.tcp.rst.ip_ttl" },
    { "server_cert_count", "conn.tls.certificate.count" },
    { "server_rsa_bits", "conn.tls.certificate.chain.0.key_bits" },
    { "dh_prime_bits", "conn.tls.server_key_exchange.dh_bits" },
};

/* The rcode of the endpoint's first answered lookup of the target; "none"
 * when it looked the target up and no answer came (kept in the context,
 * which owns it). */
static const cJSON *target_dns_rcode(cJSON *context)
{
    const cJSON *capture = cJSON_GetObjectItem(context, "capture");
    const cJSON *l;
    cJSON_ArrayForEach(l, rules_get(capture, "dns.lookups")) {
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(l, "role"));
        if (role && !strcmp(role, "target") && cJSON_GetObjectItem(l, "rcode_name"))
            return cJSON_GetObjectItem(l, "rcode_name");
    }
    if (!cJSON_IsTrue(rules_get(capture, "dns.target_asked")))
        return NULL;
    const cJSON *none = cJSON_GetObjectItem(context, "dns_rcode");
    return none ? none : cJSON_AddStringToObject(context, "dns_rcode", "none");
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

static const cJSON *fact_value(cJSON *context, const char *key)
{
    const char *path = fact_path(key);
    return path ? rules_get(context, path) : target_dns_rcode(context);
}

/* ---- reading expectation files strictly ---- */

static const char *const expect_keys[] = { "cause", "outcome", "findings", "facts", NULL };
static const char *const manifest_keys[] = { "version", "samples", NULL };
static const char *const sample_keys[] = { "capture", "good", "expect", "expect_diff", NULL };
static const char *const wrapper_keys[] = { "version", "expect", NULL };
/* What a report's outcome may be (README, 'tlsdiag check'). */
static const char *const outcomes[] = { "success", "failed", "intermittent", "inconclusive", NULL };

__attribute__((format(printf, 2, 3)))
static bool refuse(const char *where, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "tlsdiag: %s: ", where);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return false;
}

static void list_words(const char *const *words, char *out, size_t len)
{
    out[0] = 0;
    for (size_t i = 0; words[i]; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? ", " : "", words[i]);
}

static bool in_words(const char *const *words, const char *word)
{
    for (size_t i = 0; words[i]; i++)
        if (!strcmp(words[i], word))
            return true;
    return false;
}

/* Every key of object is one of keys (or a "_" comment), once. */
static bool known_keys(const char *where, const char *what, const cJSON *object, const char *const *keys)
{
    char known[128];
    list_words(keys, known, sizeof known);
    for (const cJSON *k = object->child; k; k = k->next) {
        if (k->string[0] == '_')
            continue;
        for (const cJSON *e = object->child; e != k; e = e->next)
            if (!strcmp(e->string, k->string))
                return refuse(where, "key '%s' given twice in %s", k->string, what);
        if (in_words(keys, k->string))
            continue;
        const char *nearest = NULL;
        size_t best = 3;
        for (size_t i = 0; keys[i]; i++) {
            size_t distance = rules_edit_distance(k->string, strlen(k->string), keys[i], strlen(keys[i]));
            if (distance < best) {
                best = distance;
                nearest = keys[i];
            }
        }
        if (nearest)
            return refuse(where, "unknown key '%s' in %s (did you mean '%s'?)", k->string, what, nearest);
        return refuse(where, "unknown key '%s' in %s (it takes %s)", k->string, what, known);
    }
    return true;
}

/* "conn.tls.alerts.0.description" -> "conn.tls.alerts[].description". */
static void registry_form(const char *path, char *out, size_t len)
{
    size_t n = 0;
    out[0] = 0;
    while (*path && n + 3 < len) {
        size_t seg = strcspn(path, ".");
        bool index = seg > 0 && strspn(path, "0123456789") == seg;
        if (index) {
            n += (size_t)snprintf(out + n, len - n, "[]");
        } else {
            n += (size_t)snprintf(out + n, len - n, "%s%.*s", n ? "." : "", (int)seg, path);
        }
        if (n >= len)
            break;
        path += seg + (path[seg] == '.');
    }
}

/* The expected value's JSON type is the fact's. */
static bool value_fits(const cJSON *v, enum fact_type type)
{
    switch (type) {
    case FACT_BOOLEAN: return cJSON_IsBool(v);
    case FACT_INTEGER:
    case FACT_FRAME: return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
    case FACT_NUMBER: return cJSON_IsNumber(v);
    case FACT_STRING: return cJSON_IsString(v);
    case FACT_OBJECT: return cJSON_IsObject(v);
    case FACT_ARRAY: return cJSON_IsArray(v);
    }
    return false;
}

static bool facts_usable(const char *where, const cJSON *facts)
{
    if (!cJSON_IsObject(facts))
        return refuse(where, "\"facts\" must be an object {\"fact\": value, ...}");
    char why[400];
    const struct rules_vocabulary vocabulary = diagnose_fact_vocabulary();
    const cJSON *f;
    cJSON_ArrayForEach(f, facts) {
        if (f->string[0] == '_')
            continue;   /* a comment */
        for (const cJSON *e = facts->child; e != f; e = e->next)
            if (!strcmp(e->string, f->string))
                return refuse(where, "fact '%s' given twice", f->string);
        const char *path = fact_path(f->string);
        if (path && !rules_check_fact(&vocabulary, path, why, sizeof why)) {
            if (path == f->string)
                return refuse(where, "%s", why);
            return refuse(where, "fact '%s': %s", f->string, why);    /* a short name whose path is wrong */
        }
        char canonical[256];
        registry_form(path ? path : "capture.dns.lookups[].rcode_name", canonical, sizeof canonical);
        const struct fact_def *def = fact_registry_find(canonical);
        if (cJSON_IsNull(f))
            return refuse(where, "fact '%s': null never matches (an absent fact has no value)", f->string);
        if (def && !value_fits(f, def->type))
            return refuse(where, "fact '%s' is %s %s, not %s", f->string,
                          def->type == FACT_INTEGER || def->type == FACT_ARRAY || def->type == FACT_OBJECT
                              ? "an" : "a",
                          fact_type_name(def->type),
                          cJSON_IsString(f) ? "a string" : cJSON_IsNumber(f) ? "a number"
                          : cJSON_IsBool(f) ? "a boolean" : cJSON_IsArray(f) ? "an array" : "an object");
    }
    return true;
}

/* Whether an expectation is well-formed and every name it uses exists;
 * says why not on stderr, naming where and the key. */
static bool expectation_usable(struct diagnoser *d, const char *where, const cJSON *expect)
{
    char why[400], known[128];
    list_words(expect_keys, known, sizeof known);
    if (!cJSON_IsObject(expect))
        return refuse(where, "\"expect\" must be an object with %s", known);
    if (!known_keys(where, "\"expect\"", expect, expect_keys))
        return false;
    /* Something to check: a cause or outcome, or a finding or fact. */
    bool any = cJSON_GetObjectItemCaseSensitive(expect, "cause") ||
               cJSON_GetObjectItemCaseSensitive(expect, "outcome");
    for (size_t i = 2; expect_keys[i]; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(expect, expect_keys[i]);
        if (list && !cJSON_IsArray(list) && !cJSON_IsObject(list))
            any = true;     /* a wrong type, said below */
        for (const cJSON *e = list ? list->child : NULL; e; e = e->next)
            any |= !e->string || e->string[0] != '_';
    }
    if (!any)
        return refuse(where, "\"expect\" is empty: it needs at least one of %s", known);
    const cJSON *cause = cJSON_GetObjectItemCaseSensitive(expect, "cause");
    if (cause && (!cJSON_IsString(cause) || !cause->valuestring[0]))
        return refuse(where, "\"cause\" must be a non-empty string");
    if (cause && !rules_check_cause(diagnoser_rules(d), cause->valuestring, why, sizeof why))
        return refuse(where, "%s", why);
    const cJSON *outcome = cJSON_GetObjectItemCaseSensitive(expect, "outcome");
    list_words(outcomes, known, sizeof known);
    if (outcome && !cJSON_IsString(outcome))
        return refuse(where, "\"outcome\" must be a string: one of %s", known);
    if (outcome && !in_words(outcomes, outcome->valuestring))
        return refuse(where, "unknown outcome '%s' (one of %s)", outcome->valuestring, known);
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(expect, "findings");
    if (findings && !cJSON_IsArray(findings))
        return refuse(where, "\"findings\" must be an array of rule ids");
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        if (!cJSON_IsString(f))
            return refuse(where, "\"findings\" must be an array of rule ids (strings)");
        if (!rules_check_rule_id(diagnoser_rules(d), f->valuestring, why, sizeof why))
            return refuse(where, "\"findings\": %s", why);
    }
    const cJSON *facts = cJSON_GetObjectItemCaseSensitive(expect, "facts");
    return !facts || facts_usable(where, facts);
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
    /* The report's verdict on the whole capture, where it will carry one. */
    const char *want_outcome = cJSON_GetStringValue(cJSON_GetObjectItem(expect, "outcome"));
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(diag, "outcome"));
    if (want_outcome && !outcome) {
        printf("FAIL %s: outcome expected %s, but the report has no outcome (this tlsdiag does not "
               "judge a capture's outcome yet)\n", label, want_outcome);
        failures++;
    } else if (want_outcome && strcmp(want_outcome, outcome)) {
        printf("FAIL %s: outcome expected %s, got %s\n", label, want_outcome, outcome);
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
        if (f->string[0] == '_')
            continue;
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

/* The expectation of an --expect file: the file is one, or wraps one as
 * {"expect": {...}}. A JSON array or a manifest is refused, naming what to
 * give instead. NULL after saying why. */
static const cJSON *expect_file_expectation(const char *path, const cJSON *doc)
{
    if (!cJSON_IsObject(doc)) {
        refuse(path, "%s; --expect takes one expectation {\"cause\": ..., \"facts\": {...}}",
               cJSON_IsArray(doc) ? "a JSON array" : "not a JSON object");
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(doc, "samples")) {
        refuse(path, "a manifest (it has \"samples\"): give it with --manifest, not --expect");
        return NULL;
    }
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(doc, "expect");
    if (!expect)
        return doc;
    if (!known_keys(path, "the file", doc, wrapper_keys))
        return NULL;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    if (version && !(cJSON_IsNumber(version) && version->valuedouble == 1)) {
        refuse(path, "\"version\" must be 1");
        return NULL;
    }
    return expect;
}

int check_one(struct diagnoser *d, const char *capture, const char *good, const char *expect_path)
{
    cJSON *doc = read_json(expect_path);
    if (!doc)
        return 2;
    const cJSON *expect = expect_file_expectation(expect_path, doc);
    int failures = -1;
    if (expect && expectation_usable(d, expect_path, expect))
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

/* The manifest's shape and every sample's expectation, before any capture
 * is read: {"version": 1, "samples": [{"capture", "good", "expect"}, ...]}.
 * Says every problem found; false when there is one. */
static bool manifest_usable(struct diagnoser *d, const char *path, const cJSON *doc)
{
    if (!cJSON_IsObject(doc))
        return refuse(path, "%s; a manifest is {\"version\": 1, \"samples\": [{\"capture\": ..., "
                            "\"expect\": {...}}, ...]}", cJSON_IsArray(doc) ? "a JSON array" : "not a JSON object");
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(doc, "samples");
    bool expectation = false;
    for (size_t i = 0; expect_keys[i]; i++)
        expectation |= cJSON_GetObjectItemCaseSensitive(doc, expect_keys[i]) != NULL;
    if (!samples && (expectation || cJSON_GetObjectItemCaseSensitive(doc, "expect")))
        return refuse(path, "one expectation, not a manifest: give it with CAPTURE --expect");
    if (!known_keys(path, "the manifest", doc, manifest_keys))
        return false;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    if (version && !(cJSON_IsNumber(version) && version->valuedouble == 1))
        return refuse(path, "\"version\" must be 1");
    if (!cJSON_IsArray(samples) || !samples->child)
        return refuse(path, "\"samples\" must be a non-empty array of {\"capture\", \"good\", \"expect\"}");
    bool usable = true;
    int index = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, samples) {
        char where[PATH_MAX + 300];
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "capture"));
        snprintf(where, sizeof where, "%s: samples[%d]%s%.200s%s", path, index++, name ? " ('" : "",
                 name ? name : "", name ? "')" : "");
        if (!cJSON_IsObject(s)) {
            usable = refuse(where, "must be an object {\"capture\", \"good\", \"expect\"}");
            continue;
        }
        if (!known_keys(where, "the sample", s, sample_keys)) {
            usable = false;
            continue;
        }
        const cJSON *capture = cJSON_GetObjectItemCaseSensitive(s, "capture");
        const cJSON *good = cJSON_GetObjectItemCaseSensitive(s, "good");
        if (!cJSON_IsString(capture) || !capture->valuestring[0])
            usable = refuse(where, "\"capture\" must be a capture file's name");
        else if (good && (!cJSON_IsString(good) || !good->valuestring[0]))
            usable = refuse(where, "\"good\" must be a capture file's name");
        else if (!cJSON_GetObjectItemCaseSensitive(s, "expect"))
            usable = refuse(where, "a sample needs \"expect\"");
        else if (!expectation_usable(d, where, cJSON_GetObjectItemCaseSensitive(s, "expect")))
            usable = false;
        /* A rule that only a diff can decide (it compares with the working
         * capture) needs its own expectation for the diff run. */
        const cJSON *expect_diff = cJSON_GetObjectItemCaseSensitive(s, "expect_diff");
        if (expect_diff && !good)
            usable = refuse(where, "\"expect_diff\" needs \"good\"");
        else if (expect_diff && !expectation_usable(d, where, expect_diff))
            usable = false;
    }
    return usable;
}

int check_manifest(struct diagnoser *d, const char *manifest_path)
{
    cJSON *doc = read_json(manifest_path);
    if (!doc)
        return 2;
    if (!manifest_usable(d, manifest_path, doc)) {
        cJSON_Delete(doc);
        return 2;
    }
    int passed = 0, failed = 0, unusable = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "samples")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(s, "capture"));
        const char *good_name = cJSON_GetStringValue(cJSON_GetObjectItem(s, "good"));
        const cJSON *expect = cJSON_GetObjectItem(s, "expect");
        char path[PATH_MAX], good[PATH_MAX], label[2 * PATH_MAX];
        sibling(manifest_path, name, path, sizeof path);
        int r = run_and_compare(d, name, path, NULL, expect);
        r < 0 ? unusable++ : r ? failed++ : passed++;
        if (good_name && strcmp(good_name, name)) {
            sibling(manifest_path, good_name, good, sizeof good);
            snprintf(label, sizeof label, "%s (diff against %s)", name, good_name);
            const cJSON *expect_diff = cJSON_GetObjectItem(s, "expect_diff");
            r = run_and_compare(d, label, path, good, expect_diff ? expect_diff : expect);
            r < 0 ? unusable++ : r ? failed++ : passed++;
        }
    }
    cJSON_Delete(doc);
    printf("check: %d passed, %d failed\n", passed, failed + unusable);
    return unusable ? 2 : failed ? 1 : 0;
}
