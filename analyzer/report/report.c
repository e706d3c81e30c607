/* The report model: the JSON report built from facts and findings (its
 * shape: report.schema.json). Its views are the output formats
 * (report_format.h): the text view in report_text.c, JSON as it is. */
#include "report.h"
#include "report_path.h"
#include "version.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- selection */

const cJSON *report_primary_connection(const cJSON *facts, bool prefer_failed)
{
    const cJSON *conns = cJSON_GetObjectItem(facts, "connections");
    const cJSON *c, *first = NULL, *last_failed = NULL, *first_ok = NULL;
    cJSON_ArrayForEach(c, conns) {
        if (!first)
            first = c;
        bool ok = !strcmp(str(c, "verdict") ? str(c, "verdict") : "", "success");
        if (ok && !first_ok)
            first_ok = c;
        if (!ok)
            last_failed = c;
    }
    if (prefer_failed)
        return last_failed ? last_failed : first_ok ? first_ok : first;
    return first_ok ? first_ok : last_failed ? last_failed : first;
}

/* Findings fall in three classes, in this order of precedence: a failure
 * (critical or error), success, and warnings (such as a connection the
 * capture cannot judge). Within a class, the highest rank wins. */
static int finding_class(const cJSON *f)
{
    const char *cause = str(f, "cause") ? str(f, "cause") : "";
    const char *severity = str(f, "severity") ? str(f, "severity") : "";
    if (!strcmp(cause, "success"))
        return 1;
    return !strcmp(severity, "critical") || !strcmp(severity, "error") ? 0 : 2;
}

cJSON *report_diagnosis(const cJSON *findings)
{
    return report_diagnosis_filtered(findings, NULL, NULL);
}

cJSON *report_diagnosis_filtered(const cJSON *findings, bool (*allowed)(const cJSON *finding, void *ctx),
                                 void *ctx)
{
    const cJSON *f, *best[3] = { NULL, NULL, NULL };
    cJSON_ArrayForEach(f, findings) {
        if (allowed && !allowed(f, ctx))
            continue;
        const cJSON **slot = &best[finding_class(f)];
        if (!*slot || num(f, "rank", 0) > num(*slot, "rank", 0))
            *slot = f;
    }
    const cJSON *pick = best[0] ? best[0] : best[1] ? best[1] : best[2];
    cJSON *d = cJSON_CreateObject();
    if (!pick) {
        cJSON_AddStringToObject(d, "cause", "tls_failure_other");
        cJSON_AddStringToObject(d, "title", "No rule explains this capture");
        cJSON_AddStringToObject(d, "severity", "warning");
        cJSON_AddStringToObject(d, "message", "No loaded rule matched the facts of this capture.");
        cJSON_AddStringToObject(d, "remedy", "Inspect the connections below, or add a rule with --rules.");
        cJSON_AddItemToObject(d, "evidence", cJSON_CreateArray());
        return d;
    }
    static const char *const keys[] = { "cause", "title", "severity", "rule", "message", "remedy",
                                        "connector_code", "connection", "evidence", "matched_connections" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItem(pick, keys[i]);
        if (v)
            cJSON_AddItemToObject(d, keys[i], cJSON_Duplicate(v, true));
    }
    return d;
}

/* ----------------------------------------------------------- differences */

static void add_difference(cJSON *diffs, const char *fact, const char *label, const cJSON *good,
                           const cJSON *bad)
{
    if ((!good && !bad) || (good && bad && cJSON_Compare(good, bad, true)))
        return;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "fact", fact);
    cJSON_AddStringToObject(d, "label", label);
    cJSON_AddItemToObject(d, "good", good ? cJSON_Duplicate(good, true) : cJSON_CreateNull());
    cJSON_AddItemToObject(d, "bad", bad ? cJSON_Duplicate(bad, true) : cJSON_CreateNull());
    cJSON_AddItemToArray(diffs, d);
}

cJSON *report_differences(const cJSON *good_conn, const cJSON *bad_conn, const cJSON *good_capture,
                          const cJSON *bad_capture)
{
    static const struct { const char *path, *label; } conn_facts[] = {
        { "path", "path" },
        { "proxy.status", "proxy status" },
        { "server", "server address" },
        { "tcp.server_ip_ttl", "server's IP TTL (SYN-ACK)" },
        { "verdict", "verdict" },
        { "failed_stage", "failed stage" },
        { "tls.client_hello.max_version_name", "highest TLS version offered" },
        { "tls.client_hello.versions", "TLS versions offered" },
        { "tls.client_hello.cipher_suites", "cipher suites offered" },
        { "tls.client_hello.groups", "supported groups" },
        { "tls.client_hello.signature_algorithms", "signature algorithms" },
        { "tls.client_hello.extensions", "extensions" },
        { "tls.client_hello.alpn", "ALPN" },
        { "tls.client_hello.sni", "SNI" },
        { "tls.client_hello.ja4", "JA4" },
        { "tls.client_hello.ja3_hash", "JA3" },
        { "tls.server_hello.version_name", "version chosen by the server" },
        { "tls.server_hello.cipher_suite_name", "suite chosen by the server" },
        { "tls.certificate.leaf_issuer", "certificate issuer" },
        { "tls.certificate.top_issuer", "chain anchored at" },
        { "tls.first_alert.description_name", "first alert" },
    };
    cJSON *diffs = cJSON_CreateArray();
    for (size_t i = 0; i < sizeof conn_facts / sizeof conn_facts[0]; i++)
        add_difference(diffs, conn_facts[i].path, conn_facts[i].label,
                       rules_get(good_conn, conn_facts[i].path), rules_get(bad_conn, conn_facts[i].path));
    add_difference(diffs, "capture.dns.lookups.0.answers", "DNS answers",
                   rules_get(cJSON_GetArrayItem(rules_get(good_capture, "dns.lookups"), 0), "answers"),
                   rules_get(cJSON_GetArrayItem(rules_get(bad_capture, "dns.lookups"), 0), "answers"));
    add_difference(diffs, "capture.dns.target_resolved", "server name resolved",
                   rules_get(good_capture, "dns.target_resolved"), rules_get(bad_capture, "dns.target_resolved"));
    add_difference(diffs, "capture.target_connections", "connections to the server",
                   rules_get(good_capture, "target_connections"), rules_get(bad_capture, "target_connections"));
    return diffs;
}

/* ----------------------------------------------------------------- build */

cJSON *report_input_json(const char *role, const char *path, int64_t size, const char *sha256_hex,
                         const char *format, uint64_t frames)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", role);
    cJSON_AddStringToObject(o, "file", path);
    if (size >= 0)
        cJSON_AddNumberToObject(o, "size", (double)size);
    if (sha256_hex && *sha256_hex)
        cJSON_AddStringToObject(o, "sha256", sha256_hex);
    cJSON_AddStringToObject(o, "format", format);
    cJSON_AddNumberToObject(o, "frames", (double)frames);
    return o;
}

cJSON *report_build(const char *mode, struct report_side *sides, int side_count, cJSON *packs,
                    cJSON *profile, cJSON *targets)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "schema", "tlsdiag-report");
    cJSON_AddStringToObject(r, "schema_version", REPORT_SCHEMA_VERSION);
    cJSON *tool = cJSON_AddObjectToObject(r, "tool");
    cJSON_AddStringToObject(tool, "name", "tlsdiag");
    cJSON_AddStringToObject(tool, "version", TLSDIAG_VERSION);
    cJSON_AddStringToObject(r, "mode", mode);
    cJSON_AddItemToObject(r, "rule_packs", packs);
    cJSON_AddItemToObject(r, "profile", profile);
    cJSON_AddItemToObject(r, "targets", targets);
    cJSON *inputs = cJSON_AddArrayToObject(r, "inputs");
    cJSON *captures = cJSON_AddObjectToObject(r, "captures");
    for (int i = 0; i < side_count; i++) {
        cJSON_AddItemToArray(inputs, sides[i].input);
        cJSON *side = cJSON_AddObjectToObject(captures, sides[i].role);
        cJSON_AddStringToObject(side, "file", sides[i].path);
        /* The connection shown first is the one the diagnosis is about. */
        cJSON *diagnosis = report_decide(sides[i].facts, sides[i].findings, targets);
        const cJSON *primary = report_primary_connection(sides[i].facts, i == 0);
        double primary_id = num(diagnosis, "connection", primary ? num(primary, "id", 0) : 0);
        if (primary_id > 0)
            cJSON_AddNumberToObject(side, "primary_connection", primary_id);
        cJSON_AddItemToObject(side, "diagnosis", diagnosis);
        cJSON_AddItemToObject(side, "findings", sides[i].findings);
        cJSON_AddItemToObject(side, "facts", sides[i].facts);
        sides[i].input = sides[i].facts = sides[i].findings = NULL;
    }
    const cJSON *first = cJSON_GetObjectItem(captures, sides[0].role);
    cJSON_AddItemToObject(r, "diagnosis", cJSON_Duplicate(cJSON_GetObjectItem(first, "diagnosis"), true));
    if (side_count > 1) {
        const cJSON *bad = cJSON_GetObjectItem(captures, sides[0].role);
        const cJSON *good = cJSON_GetObjectItem(captures, sides[1].role);
        const cJSON *bad_facts = cJSON_GetObjectItem(bad, "facts");
        const cJSON *good_facts = cJSON_GetObjectItem(good, "facts");
        cJSON_AddItemToObject(r, "differences",
                              report_differences(report_primary_connection(good_facts, false),
                                                 report_primary_connection(bad_facts, true), good_facts,
                                                 bad_facts));
    }
    return r;
}
