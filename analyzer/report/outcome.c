/* The outcome of a capture over all of its attempts to reach the targets
 * (report.h): success only when an attempt shows it and none failed for
 * good, intermittent when a failure was followed by a success, failed, or
 * inconclusive when the capture cannot answer. Also which findings may be
 * the headline: with targets named (profile or --host), a connection to
 * another server is never the verdict, only "also seen". */
#include "report.h"
#include "report_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED_ATTEMPTS 24
#define FIRST_LISTED_ATTEMPTS 8

static bool is(const char *s, const char *want)
{
    return s && !strcmp(s, want);
}

/* Connections the facts fell back to because no target was seen: with
 * targets named by the user or a profile they are other servers. */
static bool others_only(const cJSON *facts, const cJSON *targets)
{
    return is(str(facts, "selection"), "all_tls") && !is(str(targets, "source"), "all_tls");
}

struct headline_filter {
    bool others_only;    /* conn-scope findings are about other servers */
    bool success_only;
};

static bool headline_allowed(const cJSON *finding, void *ctx)
{
    const struct headline_filter *f = ctx;
    if (f->success_only && !is(str(finding, "cause"), "success"))
        return false;
    return !(f->others_only && is(str(finding, "scope"), "connection"));
}

static bool holds_for(const cJSON *finding, double id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(finding, "connections"))
        if (cJSON_IsNumber(c) && c->valuedouble == id)
            return true;
    return num(finding, "connection", 0) == id;
}

/* The finding that explains connection id best (failures first, then by
 * rank), or NULL. */
static const cJSON *finding_of(const cJSON *findings, double id)
{
    const cJSON *f, *best = NULL;
    cJSON_ArrayForEach(f, findings) {
        if (!holds_for(f, id))
            continue;
        bool failure = report_finding_is_failure(f);
        bool best_failure = best && report_finding_is_failure(best);
        if (!best || (failure && !best_failure) ||
            (failure == best_failure && num(f, "rank", 0) > num(best, "rank", 0)))
            best = f;
    }
    return best;
}

/* An attempt's time: ISO 8601 with the date (the table), or the clock
 * alone for a sentence ("21:25:58.414 UTC"). */
static void utc_text(double ts, char *buf, size_t len, bool with_date)
{
    char iso[40];
    report_utc_text(ts, iso, sizeof iso);
    if (with_date || !strcmp(iso, "-"))
        snprintf(buf, len, "%s", iso);
    else
        snprintf(buf, len, "%.12s UTC", iso + 11);
}

/* "success", "failed", "unknown" or "fallback". */
static const char *attempt_outcome(const cJSON *conn)
{
    if (cJSON_GetObjectItem(conn, "fallback"))
        return "fallback";
    const char *verdict = str(conn, "verdict");
    return verdict ? verdict : "unknown";
}

static void add_frame(cJSON *frames, const char *what, const cJSON *conn, const char *path)
{
    double frame = num(conn, path, 0);
    if (frame <= 0)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "what", what);
    cJSON_AddNumberToObject(o, "frame", frame);
    cJSON_AddItemToArray(frames, o);
}

/* The frames that tell an attempt's story, from its own facts. */
static void add_key_frames(cJSON *row, const cJSON *conn)
{
    cJSON *frames = cJSON_AddArrayToObject(row, "key_frames");
    add_frame(frames, "SYN", conn, "tcp.syn_frame");
    add_frame(frames, "CONNECT", conn, "http.request_frame");
    add_frame(frames, "Client Hello", conn, "tls.client_hello.frame");
    add_frame(frames, "Server Hello", conn, "tls.server_hello.frame");
    add_frame(frames, "alert", conn, "tls.first_alert.frame");
    add_frame(frames, "RST", conn, "tcp.rst.frame");
    if (cJSON_GetArraySize(frames) == 0)
        add_frame(frames, "first packet", conn, "first_frame");
}

static cJSON *attempt_row(const cJSON *conn, const cJSON *findings)
{
    cJSON *row = cJSON_CreateObject();
    double id = num(conn, "id", 0);
    char when[64];
    utc_text(num(conn, "start_ts", 0), when, sizeof when, true);
    cJSON_AddNumberToObject(row, "connection", id);
    cJSON_AddStringToObject(row, "time", when);
    cJSON_AddStringToObject(row, "path", str(conn, "path") ? str(conn, "path") : "direct");
    cJSON_AddNumberToObject(row, "ip_version", num(conn, "ip_version", 4));
    if (str(conn, "server"))
        cJSON_AddStringToObject(row, "server", str(conn, "server"));
    const char *outcome = attempt_outcome(conn);
    cJSON_AddStringToObject(row, "outcome", outcome);
    const cJSON *finding = finding_of(findings, id);
    const char *cause = finding ? str(finding, "cause") : NULL;
    if (is(outcome, "unknown"))
        cause = NULL;
    if (cause)
        cJSON_AddStringToObject(row, "cause", cause);
    else if (str(conn, "failed_stage"))
        cJSON_AddStringToObject(row, "failed_stage", str(conn, "failed_stage"));
    if (is(outcome, "unknown") && str(conn, "unknown_reason"))
        cJSON_AddStringToObject(row, "unknown_reason", str(conn, "unknown_reason"));
    add_key_frames(row, conn);
    return row;
}

struct tally {
    double total, succeeded, failed, unknown, fallbacks;
    const cJSON *latest_success, *latest_failure, *first_unknown;
};

static struct tally count_attempts(const cJSON *facts, const cJSON *conns)
{
    const cJSON *a = cJSON_GetObjectItem(facts, "attempts");
    struct tally t = {
        .total = num(a, "total", 0), .succeeded = num(a, "succeeded", 0), .failed = num(a, "failed", 0),
        .unknown = num(a, "unknown", 0), .fallbacks = num(a, "fallbacks", 0),
    };
    /* A fallback is a failed connect the other family made good. */
    t.failed = t.failed > t.fallbacks ? t.failed - t.fallbacks : 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, conns) {
        const char *o = attempt_outcome(c);
        if (is(o, "success"))
            t.latest_success = c;
        else if (is(o, "failed"))
            t.latest_failure = c;
        else if (is(o, "unknown") && !t.first_unknown)
            t.first_unknown = c;
    }
    return t;
}

/* Headline causes that say the capture holds nothing to judge. */
static bool nothing_to_judge(const char *rule)
{
    return is(rule, "generic.no_connection_attempt") || is(rule, "generic.no_tls") ||
           is(rule, "generic.facts_limited");
}

static void set_outcome(cJSON *d, const char *outcome, const char *reason)
{
    cJSON_AddStringToObject(d, "outcome", outcome);
    if (reason)
        cJSON_AddStringToObject(d, "outcome_reason", reason);
}

static void plural(char *buf, size_t len, double n, const char *one)
{
    snprintf(buf, len, "%.0f %s%s", n, one, n == 1 ? "" : "s");
}

/* The sentence that sums the attempts up, when there was more than one. */
static void summarize(cJSON *d, const struct tally *t, const char *outcome)
{
    if (t->total < 2)
        return;
    char line[400], n[40], when[64];
    plural(n, sizeof n, t->total, "attempt");
    int used = snprintf(line, sizeof line, "%s to the server: %.0f succeeded, %.0f failed", n, t->succeeded,
                        t->failed);
    if (t->fallbacks)
        used += snprintf(line + used, sizeof line - (size_t)used, ", %.0f fell back to the other IP version",
                         t->fallbacks);
    if (t->unknown)
        used += snprintf(line + used, sizeof line - (size_t)used, ", %.0f cannot be judged", t->unknown);
    if (is(outcome, "intermittent") && t->latest_success) {
        utc_text(num(t->latest_success, "start_ts", 0), when, sizeof when, false);
        snprintf(line + used, sizeof line - (size_t)used, "; a later attempt (connection %.0f, %s) worked.",
                 num(t->latest_success, "id", 0), when);
    } else if (is(outcome, "failed") && t->latest_success && t->latest_failure) {
        utc_text(num(t->latest_failure, "start_ts", 0), when, sizeof when, false);
        snprintf(line + used, sizeof line - (size_t)used,
                 "; the latest (connection %.0f, %s) failed after an earlier one worked.",
                 num(t->latest_failure, "id", 0), when);
    } else {
        snprintf(line + used, sizeof line - (size_t)used, ".");
    }
    cJSON_AddStringToObject(d, "attempts_summary", line);
}

static void decide(cJSON *d, const cJSON *facts, const struct tally *t, bool others)
{
    if (nothing_to_judge(str(d, "rule"))) {
        set_outcome(d, "inconclusive", is(str(d, "rule"), "generic.facts_limited")
                                           ? "the target's connections were over the facts limit"
                                           : "no connection to the target servers is in the capture");
        return;
    }
    if (others || t->total == 0 || !cJSON_GetArraySize(cJSON_GetObjectItem(facts, "connections"))) {
        /* Capture-wide failures: DNS, an unreachable proxy. */
        if (report_finding_is_failure(d))
            set_outcome(d, "failed", NULL);
        else
            set_outcome(d, "inconclusive", "no connection to the target servers is in the capture");
        return;
    }
    if (t->failed == 0 && t->succeeded == 0) {
        const char *why = t->first_unknown ? str(t->first_unknown, "unknown_reason") : NULL;
        set_outcome(d, "inconclusive", why ? why : "no connection's outcome can be told from the capture");
        return;
    }
    if (t->failed == 0) {
        set_outcome(d, "success", NULL);
        return;
    }
    if (t->succeeded == 0) {
        set_outcome(d, "failed", NULL);
        return;
    }
    bool success_last = t->latest_success && (!t->latest_failure ||
                        num(t->latest_success, "start_ts", 0) > num(t->latest_failure, "start_ts", 0));
    set_outcome(d, success_last ? "intermittent" : "failed", NULL);
}

static void add_also_seen(cJSON *d, const cJSON *findings, bool others)
{
    if (!others)
        return;
    cJSON *also = NULL;
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        if (!is(str(f, "scope"), "connection") || is(str(f, "cause"), "success"))
            continue;
        if (!also)
            also = cJSON_AddArrayToObject(d, "also_seen");
        if (cJSON_GetArraySize(also) >= MAX_LISTED_ATTEMPTS)
            break;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "cause", str(f, "cause"));
        cJSON_AddStringToObject(o, "title", str(f, "title") ? str(f, "title") : "");
        cJSON_AddNumberToObject(o, "connection", num(f, "connection", 0));
        cJSON_AddItemToArray(also, o);
    }
}

cJSON *report_decide(const cJSON *facts, const cJSON *findings, const cJSON *targets)
{
    bool others = others_only(facts, targets);
    struct headline_filter filter = { .others_only = others };
    cJSON *d = report_diagnosis_filtered(findings, headline_allowed, &filter);
    const cJSON *conns = cJSON_GetObjectItem(facts, "connections");
    struct tally t = count_attempts(facts, others ? NULL : conns);
    decide(d, facts, &t, others);
    if (is(str(d, "outcome"), "success") && !is(str(d, "cause"), "success")) {
        /* Every attempt worked: a failure finding is not the verdict. */
        filter.success_only = true;
        cJSON *success = report_diagnosis_filtered(findings, headline_allowed, &filter);
        if (is(str(success, "cause"), "success")) {
            cJSON_Delete(d);
            d = success;
            decide(d, facts, &t, others);
        } else {
            cJSON_Delete(success);
        }
    }
    const char *outcome = str(d, "outcome");
    summarize(d, &t, outcome);
    if (!others && cJSON_GetArraySize(conns) > 0) {
        /* Many attempts: the first few and the latest ones. */
        cJSON *rows = cJSON_AddArrayToObject(d, "attempts");
        int n = cJSON_GetArraySize(conns), i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, conns) {
            if (n <= MAX_LISTED_ATTEMPTS || i < FIRST_LISTED_ATTEMPTS ||
                i >= n - (MAX_LISTED_ATTEMPTS - FIRST_LISTED_ATTEMPTS))
                cJSON_AddItemToArray(rows, attempt_row(c, findings));
            i++;
        }
    }
    add_also_seen(d, findings, others);
    return d;
}
