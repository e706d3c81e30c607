/* Readable evidence (report.h): each evidence item's UTC time and the
 * Wireshark display filter that shows it, and one filter for the whole
 * diagnosis. The facts time the frames they name ("frame" beside
 * "time_ms", "syn_frame" beside "syn_time_ms", a DNS query beside its
 * query_ts_ns), relative to their connection's start_ts; evidence frames
 * are always frames the facts name, so no capture is read again. */
#include "report.h"
#include "report_path.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct frame_time {
    double frame, ts;             /* seconds since the epoch */
};

struct frame_times {
    struct frame_time *e;
    size_t n, cap;
};

static void note(struct frame_times *ft, double frame, double ts)
{
    if (frame <= 0 || !(ts > 0) || !isfinite(ts))
        return;
    if (ft->n == ft->cap) {
        size_t cap = ft->cap ? ft->cap * 2 : 64;
        struct frame_time *grown = realloc(ft->e, cap * sizeof *grown);
        if (!grown)
            return;
        ft->e = grown;
        ft->cap = cap;
    }
    ft->e[ft->n++] = (struct frame_time){ frame, ts };
}

/* "frame" -> "time_ms", "syn_frame" -> "syn_time_ms",
 * "s2c_first_frame" -> "s2c_first_time_ms". */
static bool time_key_of(const char *frame_key, char *out, size_t len)
{
    size_t n = strlen(frame_key);
    if (n < 5 || strcmp(frame_key + n - 5, "frame"))
        return false;
    snprintf(out, len, "%.*stime_ms", (int)(n - 5), frame_key);
    return true;
}

/* Every frame the facts time, under o; conn_start: the start_ts of the
 * connection o is in (0: none). */
static void collect(struct frame_times *ft, const cJSON *o, double conn_start, int depth)
{
    if (depth > 24 || !o)
        return;
    if (cJSON_IsObject(o)) {
        const cJSON *start = cJSON_GetObjectItem(o, "start_ts");
        if (cJSON_IsNumber(start) && cJSON_GetObjectItem(o, "first_frame")) {
            conn_start = start->valuedouble;
            note(ft, num(o, "first_frame", 0), conn_start);
            note(ft, num(o, "last_frame", 0), conn_start + num(o, "duration_ms", NAN) / 1e3);
        }
        /* DNS lookups carry their own clock. */
        const cJSON *query_ts = cJSON_GetObjectItem(o, "query_ts_ns");
        if (cJSON_IsNumber(query_ts)) {
            double q = query_ts->valuedouble / 1e9;
            note(ft, num(o, "query_frame", 0), q);
            note(ft, num(o, "response_frame", 0), q + num(o, "rtt_ms", NAN) / 1e3);
        }
        const cJSON *item;
        cJSON_ArrayForEach(item, o) {
            char time_key[96];
            if (conn_start > 0 && cJSON_IsNumber(item) && item->string &&
                time_key_of(item->string, time_key, sizeof time_key)) {
                const cJSON *ms = cJSON_GetObjectItem(o, time_key);
                if (cJSON_IsNumber(ms))
                    note(ft, item->valuedouble, conn_start + ms->valuedouble / 1e3);
            }
            collect(ft, item, conn_start, depth + 1);
        }
    } else if (cJSON_IsArray(o)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, o)
            collect(ft, item, conn_start, depth + 1);
    }
}

static double time_of(const struct frame_times *ft, double frame)
{
    for (size_t i = 0; i < ft->n; i++)
        if (ft->e[i].frame == frame)
            return ft->e[i].ts;
    return 0;
}

void report_utc_text(double ts, char *buf, size_t len)
{
    time_t secs = (time_t)ts;
    struct tm tm;
    if (!(ts > 0) || !gmtime_r(&secs, &tm)) {
        snprintf(buf, len, "-");
        return;
    }
    int us = (int)((ts - (double)secs) * 1e6);
    us = us < 0 ? 0 : us > 999999 ? 999999 : us;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour % 24, tm.tm_min % 60, tm.tm_sec % 61, us);
}

static void annotate(const struct frame_times *ft, cJSON *evidence)
{
    cJSON *e;
    cJSON_ArrayForEach(e, evidence) {
        double frame = num(e, "frame", 0);
        if (frame <= 0)
            continue;
        double ts = time_of(ft, frame);
        if (ts > 0 && !cJSON_GetObjectItem(e, "time")) {
            char when[40];
            report_utc_text(ts, when, sizeof when);
            cJSON_AddStringToObject(e, "time", when);
        }
        if (!cJSON_GetObjectItem(e, "filter")) {
            char filter[48];
            snprintf(filter, sizeof filter, "frame.number == %.0f", frame);
            cJSON_AddStringToObject(e, "filter", filter);
        }
    }
}

void report_time_evidence(const cJSON *facts, cJSON *findings)
{
    struct frame_times ft = { 0 };
    collect(&ft, facts, 0, 0);
    cJSON *f;
    cJSON_ArrayForEach(f, findings)
        annotate(&ft, cJSON_GetObjectItem(f, "evidence"));
    free(ft.e);
}

/* "ip.addr == 192.0.2.10 && tcp.port == 53132": one end of a connection
 * (only an address and a port reach the filter). */
static bool endpoint_filter(const char *endpoint, char *out, size_t len)
{
    struct report_endpoint e;
    if (!report_endpoint_parse(endpoint, &e))
        return false;
    snprintf(out, len, "%s == %s && tcp.port == %u", e.ip_version == 6 ? "ipv6.addr" : "ip.addr", e.host,
             (unsigned)e.port);
    return true;
}

void report_add_display_filter(cJSON *diagnosis, const cJSON *facts)
{
    char frames[256] = "";
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(diagnosis, "evidence")) {
        double frame = num(e, "frame", 0);
        size_t used = strlen(frames);
        if (frame > 0 && used < sizeof frames - 24)
            snprintf(frames + used, sizeof frames - used, "%s%.0f", used ? " " : "", frame);
    }
    char conn_filter[300] = "";
    double id = num(diagnosis, "connection", 0);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections")) {
        char client[128], server[128];
        if (num(c, "id", 0) == id && endpoint_filter(str(c, "client"), client, sizeof client) &&
            endpoint_filter(str(c, "server"), server, sizeof server))
            snprintf(conn_filter, sizeof conn_filter, "(%s && %s)", client, server);
    }
    if (!*frames && !*conn_filter)
        return;
    char filter[600];
    snprintf(filter, sizeof filter, "%s%s%s%s%s", *frames ? "frame.number in {" : "", frames, *frames ? "}" : "",
             *frames && *conn_filter ? " || " : "", conn_filter);
    cJSON_AddStringToObject(diagnosis, "wireshark_filter", filter);
}
