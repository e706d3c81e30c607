/* The report model: the JSON report built from facts and findings (its
 * shape: report.schema.json). Its views are the output formats
 * (report_format.h): the text view in report_text.c, JSON as it is. */
#include "report.h"
#include "report_path.h"
#include "version.h"

#include <stdio.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

const char *report_actor_words(const char *who)
{
    static const struct { const char *word, *text; } actors[] = {
        { "endpoint", "the endpoint's administrator" }, { "server", "the server's administrator" },
        { "proxy", "the proxy's administrator" }, { "network", "the network team (firewall, routing, DNS)" },
    };
    for (size_t i = 0; who && i < sizeof actors / sizeof actors[0]; i++)
        if (!strcmp(who, actors[i].word))
            return actors[i].text;
    return NULL;
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

bool report_endpoint_parse(const char *text, struct report_endpoint *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return false;
    char host[64];
    const char *port;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            return false;
        snprintf(host, sizeof host, "%.*s", (int)(close - text - 1), text + 1);
        port = close + 2;
        out->ip_version = 6;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            return false;
        snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
        port = colon + 1;
        out->ip_version = 4;
    }
    int family = out->ip_version == 4 ? AF_INET : AF_INET6;
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535 || inet_pton(family, host, out->addr) != 1 ||
        !inet_ntop(family, out->addr, out->host, sizeof out->host))
        return false;
    out->port = (uint16_t)p;
    return true;
}

bool report_finding_is_failure(const cJSON *finding)
{
    return finding_class(finding) == 0;
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
    static const char *const keys[] = { "cause", "title", "severity", "rule", "message", "remedy", "who_acts",
                                        "connector_code", "connection", "evidence", "matched_connections" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItem(pick, keys[i]);
        if (v)
            cJSON_AddItemToObject(d, keys[i], cJSON_Duplicate(v, true));
    }
    return d;
}

/* ----------------------------------------------------------- differences */

/* The frame a connection starts at: its SYN, or its first frame when the
 * capture began after the SYN. */
static double conn_start_frame(const cJSON *conn)
{
    double syn = num(conn, "tcp.syn_frame", 0);
    return syn > 0 ? syn : num(conn, "first_frame", 0);
}

static bool has_string(const cJSON *arr, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsString(e) && !strcmp(e->valuestring, s))
            return true;
    return false;
}

/* The latest connection of facts to conn's server address that started
 * before conn: the attempt before it, when conn is a retry. */
static const cJSON *earlier_attempt(const cJSON *facts, const cJSON *conn)
{
    const char *server = str(conn, "server");
    double start = conn_start_frame(conn);
    const cJSON *c, *latest = NULL;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections")) {
        double s = conn_start_frame(c);
        if (c != conn && server && str(c, "server") && !strcmp(server, str(c, "server")) && s < start &&
            (!latest || s > conn_start_frame(latest)))
            latest = c;
    }
    return latest;
}

/* report_lookup_of_connection with conn's earlier attempt (NULL: none)
 * already found. */
static bool lookup_of(const cJSON *conn, const cJSON *earlier, const cJSON *lookup)
{
    double frame = num(lookup, "query_frame", 0);
    if (frame <= 0)   /* only the answer was captured */
        frame = num(lookup, "response_frame", 0);
    /* A revocation lookup is of no connection by name or address: it is the
     * certificate check of the connection open while it was made. */
    if (!strcmp(str(lookup, "role") ? str(lookup, "role") : "", "revocation"))
        return frame >= num(conn, "first_frame", 0) && frame <= num(conn, "last_frame", 0);
    const char *name = str(conn, "server_name"), *lname = str(lookup, "name"), *ip = str(conn, "server_ip");
    if (!((name && lname && !strcasecmp(name, lname)) ||
          (ip && has_string(cJSON_GetObjectItem(lookup, "answers"), ip))))
        return false;
    /* A retry reuses what an earlier attempt resolved, or resolves again
     * after it started: only lookups since then are the retry's. */
    return frame > (earlier ? conn_start_frame(earlier) : 0) && frame < conn_start_frame(conn);
}

bool report_lookup_of_connection(const cJSON *facts, const cJSON *conn, const cJSON *lookup)
{
    return !conn || lookup_of(conn, earlier_attempt(facts, conn), lookup);
}

static bool has_item(const cJSON *arr, const cJSON *item)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        if (cJSON_Compare(e, item, true))
            return true;
    return false;
}

/* The answers the connection's address came from, each once, in order:
 * those of its own target lookups, else (a retry that resolved nothing
 * anew) those of the latest earlier attempt that has some. NULL: none.
 * No connection: every target lookup's. */
static cJSON *connection_answers(const cJSON *facts, const cJSON *conn)
{
    for (;;) {
        const cJSON *earlier = conn ? earlier_attempt(facts, conn) : NULL;
        cJSON *all = NULL;
        const cJSON *l, *a;
        cJSON_ArrayForEach(l, rules_get(facts, "dns.lookups")) {
            bool revocation = !strcmp(str(l, "role") ? str(l, "role") : "", "revocation");
            const cJSON *answers = cJSON_GetObjectItem(l, "answers");
            if (revocation || (conn && !lookup_of(conn, earlier, l)) || !cJSON_IsArray(answers))
                continue;
            if (!all)
                all = cJSON_CreateArray();
            cJSON_ArrayForEach(a, answers)
                if (!has_item(all, a))
                    cJSON_AddItemToArray(all, cJSON_Duplicate(a, true));
        }
        /* Each step goes to an earlier start: the walk ends. */
        if (all || !earlier)
            return all;
        conn = earlier;
    }
}

/* The items of from that to lacks, in from's order, each once. */
static cJSON *items_missing(const cJSON *from, const cJSON *to)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, from)
        if (!has_item(to, e) && !has_item(out, e))
            cJSON_AddItemToArray(out, cJSON_Duplicate(e, true));
    return out;
}

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
    /* Two lists are compared as sets: what the failing side gained and
     * lost says more than their lengths. (A list on one side only is
     * all there is to say.) */
    if (cJSON_IsArray(good) && cJSON_IsArray(bad)) {
        cJSON_AddItemToObject(d, "added", items_missing(bad, good));
        cJSON_AddItemToObject(d, "removed", items_missing(good, bad));
    }
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
        { "tls.certificate.chain.0.san", "certificate names (SAN)" },
        { "tls.first_alert.description_name", "first alert" },
    };
    cJSON *diffs = cJSON_CreateArray();
    for (size_t i = 0; i < sizeof conn_facts / sizeof conn_facts[0]; i++)
        add_difference(diffs, conn_facts[i].path, conn_facts[i].label,
                       rules_get(good_conn, conn_facts[i].path), rules_get(bad_conn, conn_facts[i].path));
    /* The answers each compared connection was given, not the capture's
     * first lookup: with retries that may be another attempt's. */
    cJSON *good_answers = connection_answers(good_capture, good_conn);
    cJSON *bad_answers = connection_answers(bad_capture, bad_conn);
    add_difference(diffs, "capture.dns.lookups.*.answers", "DNS answers", good_answers, bad_answers);
    cJSON_Delete(good_answers);
    cJSON_Delete(bad_answers);
    add_difference(diffs, "capture.dns.target_resolved", "server name resolved",
                   rules_get(good_capture, "dns.target_resolved"), rules_get(bad_capture, "dns.target_resolved"));
    add_difference(diffs, "capture.target_connections", "connections to the server",
                   rules_get(good_capture, "target_connections"), rules_get(bad_capture, "target_connections"));
    return diffs;
}

/* Which side of a diff does not look like what --good and --bad promise:
 * a working capture whose diagnosis is not success, a failing one whose
 * diagnosis is. NULL when both look right. */
cJSON *report_diff_warnings(const cJSON *good_side, const cJSON *bad_side)
{
    const char *good_cause = str(good_side, "diagnosis.cause"), *bad_cause = str(bad_side, "diagnosis.cause");
    /* The outcome over all attempts says it; a cause alone is one attempt's. */
    const char *good_outcome = str(good_side, "diagnosis.outcome"), *bad_outcome = str(bad_side, "diagnosis.outcome");
    bool good_failed = good_outcome ? strcmp(good_outcome, "success") != 0 : !good_cause || strcmp(good_cause, "success");
    bool bad_succeeded = bad_outcome ? !strcmp(bad_outcome, "success") : bad_cause && !strcmp(bad_cause, "success");
    if (!good_failed && !bad_succeeded)
        return NULL;
    char message[512];
    const char *code, *good_text = good_cause ? good_cause : "no diagnosis";
    if (good_failed && bad_succeeded) {
        code = "inputs_swapped";
        snprintf(message, sizeof message, "The inputs look swapped: the working capture (--good) is "
                 "diagnosed %s and the failing one (--bad) success.", good_text);
    } else if (good_failed) {
        code = "good_not_working";
        snprintf(message, sizeof message, "The working capture (--good) is diagnosed %s, not success: "
                 "check that it was taken where the connection works.", good_text);
    } else {
        code = "bad_succeeded";
        snprintf(message, sizeof message, "The failing capture (--bad) is diagnosed success: check that it "
                 "was taken where the connection fails.");
    }
    cJSON *warnings = cJSON_CreateArray();
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "code", code);
    cJSON_AddStringToObject(w, "message", message);
    if (good_cause)
        cJSON_AddStringToObject(w, "good_cause", good_cause);
    if (bad_cause)
        cJSON_AddStringToObject(w, "bad_cause", bad_cause);
    cJSON_AddItemToArray(warnings, w);
    return warnings;
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
        /* The connection shown first is the one the diagnosis is about; on
         * the working side, the one the differences compare (a working
         * attempt when there is one). */
        report_time_evidence(sides[i].facts, sides[i].findings);
        cJSON *diagnosis = report_decide(sides[i].facts, sides[i].findings, targets);
        report_add_display_filter(diagnosis, sides[i].facts);
        const cJSON *primary = report_primary_connection(sides[i].facts, i == 0);
        double primary_id = i == 0 ? num(diagnosis, "connection", primary ? num(primary, "id", 0) : 0)
                                   : primary ? num(primary, "id", 0) : 0;
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
        cJSON *warnings = report_diff_warnings(good, bad);
        if (warnings)
            cJSON_AddItemToObject(r, "warnings", warnings);
    }
    return r;
}
