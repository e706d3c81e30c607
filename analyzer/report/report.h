/* The report: diagnosis, findings with evidence, both sides' facts, the
 * differences that matter, and what is needed to reproduce it. Built from
 * facts and findings only; nothing here reads a capture. The JSON shape is
 * analyzer/report.schema.json (schema_version below); the ways it is
 * written out (text, JSON) are the formats of report_format.h. */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#define REPORT_SCHEMA_VERSION "1.3"

/* One analysed capture: its facts and the findings the rules produced. */
struct report_side {
    const char *role;        /* "bad", "good" or "capture" */
    const char *path;
    cJSON *input;            /* file, size, sha256 (JSON reports), format, frames (owned) */
    cJSON *facts;            /* capture facts with "connections" (owned) */
    cJSON *findings;         /* rules_evaluate() output (owned) */
};

/* The connection a side is judged by: the last failed target connection
 * (the most recent attempt), else its first successful one. NULL if none. */
const cJSON *report_primary_connection(const cJSON *facts, bool prefer_failed);

/* Who must act, in the words of a ticket: "the endpoint's administrator"
 * for "endpoint" (a who_acts word); NULL for a word it does not know. */
const char *report_actor_words(const char *who);

/* Picks the diagnosis: the highest-ranked failure (critical or error),
 * else the highest-ranked success, else the highest-ranked warning. Returns
 * a new object
 * {cause, title, severity, rule, message, remedy, connector_code, evidence}. */
cJSON *report_diagnosis(const cJSON *findings);
/* A connection end as the facts write it ("192.0.2.10:443",
 * "[2001:db8::10]:443"), read back: the address (checked by inet_pton and
 * written again by inet_ntop, so host holds only an address) and port. */
struct report_endpoint {
    uint8_t ip_version;          /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
    char host[48];
};
bool report_endpoint_parse(const char *text, struct report_endpoint *out);

/* A finding (or diagnosis) that says something broke: not the success
 * cause, severity critical or error. */
bool report_finding_is_failure(const cJSON *finding);
/* The same over the findings allowed passes (NULL: all). */
cJSON *report_diagnosis_filtered(const cJSON *findings, bool (*allowed)(const cJSON *finding, void *ctx),
                                 void *ctx);

/* outcome.c: the diagnosis of one capture over all its attempts to reach
 * the targets: the headline finding (never one about another server when
 * targets are named: those are "also_seen"), "outcome" (success, failed,
 * intermittent or inconclusive, with "outcome_reason" for the last), the
 * attempt table "attempts" and "attempts_summary". targets is the
 * report's "targets" object. */
cJSON *report_decide(const cJSON *facts, const cJSON *findings, const cJSON *targets);

/* Differences between the working and failing primary connections: one
 * {fact, label, good, bad} per fact whose values differ (a fact equal or
 * absent on both sides has none); a list fact that is a list on both sides
 * also gets "added" (in bad, not in good) and "removed" (in good, not in
 * bad), both empty when only the order (or repeats) differ. */
cJSON *report_differences(const cJSON *good_conn, const cJSON *bad_conn,
                          const cJSON *good_capture, const cJSON *bad_capture);

/* Whether a DNS lookup of facts (capture.dns.lookups) belongs to conn, one
 * of facts' connections: a lookup of its server name, or answered with its
 * address, made after the latest earlier connection to the same server
 * started (or the capture started) and before conn's SYN (its first frame
 * without one); a revocation lookup made while conn was open. Every lookup
 * belongs when conn is NULL (no connection to tell them apart by). */
bool report_lookup_of_connection(const cJSON *facts, const cJSON *conn, const cJSON *lookup);

/* The warnings of a diff (the "bad" and "good" sides as report_build makes
 * them, with their diagnosis): a --good whose diagnosis is not success, a
 * --bad whose diagnosis is, or both (the inputs look swapped). A new array
 * of {code, message, good_cause, bad_cause}; NULL when there is none. */
cJSON *report_diff_warnings(const cJSON *good_side, const cJSON *bad_side);

/* The whole report. sides[0] is the one diagnosed (bad or the only
 * capture); sides[1] the working one in diff mode. Takes ownership of the
 * sides' JSON, packs (rules_packs_json()), profile (the merged profiles) and
 * targets ({"hosts": [...], "source"}). */
cJSON *report_build(const char *mode, struct report_side *sides, int side_count, cJSON *packs,
                    cJSON *profile, cJSON *targets);

/* What identifies an input, for reproducibility: size -1 and sha256_hex
 * NULL or "" when not known (the digest is computed for JSON reports only). */
cJSON *report_input_json(const char *role, const char *path, int64_t size, const char *sha256_hex,
                         const char *format, uint64_t frames);

/* report_extract.c: what the evidence capture of a report holds (the
 * diagnosed attempts' connections, revocation checks, DNS lookups and lone
 * SYNs; extract.h). plan's arrays are the caller's to free with
 * report_extract_plan_free(). */
struct extract_plan;
void report_extract_plan(const cJSON *report, struct extract_plan *plan);
void report_extract_plan_free(struct extract_plan *plan);

/* evidence.c: readable evidence. Each finding's evidence items get their
 * UTC "time" (ISO 8601, from the frames the facts time) and a Wireshark
 * "filter"; report_add_display_filter() gives the diagnosis one
 * "wireshark_filter": its evidence frames, or the connection's packets. */
void report_time_evidence(const cJSON *facts, cJSON *findings);
void report_add_display_filter(cJSON *diagnosis, const cJSON *facts);
/* "2026-12-06T21:25:58.414123Z"; "-" for no time. */
void report_utc_text(double ts, char *buf, size_t len);

#endif
