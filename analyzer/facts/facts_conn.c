/* A kept connection: its record while the pass runs, and its facts as JSON
 * (endpoints, names, classification, verdict, then the TCP, proxy, HTTP and
 * TLS parts and the timings) once the report is made. */
#include "facts_internal.h"
#include "addr.h"
#include "json_build.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* When the connection ended: its first FIN or RST, else its last packet. */
static int64_t end_ts(const struct conn_snapshot *c, const struct conn_track *t)
{
    int64_t end = 0;
    uint64_t end_frame = 0;
    const uint64_t frames[3] = { t->fin_frame[0], t->fin_frame[1], t->rst_frame };
    const int64_t times[3] = { t->fin_ts[0], t->fin_ts[1], t->rst_ts };
    for (int i = 0; i < 3; i++)
        if (frames[i] && (!end_frame || frames[i] < end_frame)) {
            end_frame = frames[i];
            end = times[i];
        }
    return end_frame ? end : c->last_ts;
}

static cJSON *timings_json(const struct conn_snapshot *c, const struct conn_track *t)
{
    cJSON *o = cJSON_CreateObject();
    if (t->syn_frame && t->synack_frame)
        json_add_ms(o, "connect_rtt_ms", timestamp_between(t->synack_ts, t->syn_ts));
    if (t->client_hello_ts && t->server_hello_ts)
        json_add_ms(o, "server_hello_ms", timestamp_between(t->server_hello_ts, t->client_hello_ts));
    if (t->client_hello_ts && t->handshake_done)
        json_add_ms(o, "handshake_ms", timestamp_between(t->handshake_done_ts, t->client_hello_ts));
    if (t->app_records[SIDE_SERVER] > 1)
        json_add_ms(o, "transfer_ms", timestamp_between(t->app_last_ts[SIDE_SERVER], t->app_first_ts[SIDE_SERVER]));
    if (t->client_hello_ts && end_ts(c, t) >= t->client_hello_ts)
        json_add_ms(o, "client_hello_to_end_ms", timestamp_between(end_ts(c, t), t->client_hello_ts));
    return o;
}

cJSON *record_json(struct facts_builder *fb, struct conn_record *rec)
{
    const struct conn_snapshot *c = &rec->conn;
    struct conn_track *t = rec->t;
    const struct flow_class *fc = rec->classified ? &rec->class : NULL;
    const struct endpoint *server = &c->end[SIDE_SERVER];
    cJSON *o = cJSON_CreateObject();
    char text[CONN_TEXT_MAX];
    json_add_u64(o, "id", c->id);
    endpoint_text(c->ip_version, &c->end[SIDE_CLIENT], text, sizeof text, true);
    json_add_string(o, "client", text);
    add_server_members(o, c->ip_version, server);
    json_add_u64(o, "ip_version", c->ip_version);
    if (rec->has_server_name)
        json_add_string(o, "server_name", rec->server_name);
    if (rec->name_source)
        json_add_string(o, "name_source", rec->name_source);
    json_add_string(o, "matched_by", rec->matched_by);
    json_add_string(o, "path", t->proxy ? "proxy" : "direct");
    json_add_u64(o, "first_frame", c->first_frame);
    json_add_u64(o, "last_frame", c->last_frame);
    json_add_number(o, "start_ts", (double)c->first_ts / 1e9);
    json_add_ms(o, "duration_ms", timestamp_between(c->last_ts, c->first_ts));
    if (fc) {
        cJSON *cl = json_add_object(o, "classification");
        json_add_string(cl, "protocol", fc->protocol);
        json_add_string(cl, "category", fc->category);
        cJSON *risks = json_add_array(cl, "risks");
        for (int bit = 0; bit < 64; bit++)
            if (fc->risks & (1ULL << bit))
                cJSON_AddItemToArray(risks, cJSON_CreateString(classifier_risk_name(bit)));
    }
    cJSON *tcp = tcp_json(c, t);
    const char *unknown;
    const char *stage = conn_outcome(c, t, &unknown);
    json_add_string(o, "verdict", unknown ? "unknown" : stage ? "failed" : "success");
    if (stage)
        json_add_string(o, "failed_stage", stage);
    uint64_t cut_frame = conn_first_cut_frame(c);
    if (unknown == unknown_reason_cut && fb->cut_snaplen) {
        char reason[160];
        snprintf(reason, sizeof reason, "capture cut to %u bytes per packet from frame %llu: TLS contents not available",
                 fb->cut_snaplen, (unsigned long long)cut_frame);
        json_add_string(o, "unknown_reason", reason);
    } else if (unknown) {
        json_add_string(o, "unknown_reason", unknown);
    }
    if (cut_frame) {
        cJSON *cut = json_add_object(o, "capture_cut");
        if (fb->cut_snaplen)
            json_add_u64(cut, "snaplen", fb->cut_snaplen);
        json_add_u64(cut, "first_frame", cut_frame);
        json_add_u64(cut, "bytes", c->sent[SIDE_CLIENT].cut_bytes + c->sent[SIDE_SERVER].cut_bytes);
    }
    if (t->proxy) {
        endpoint_text(c->ip_version, server, text, sizeof text, true);
        json_add_string(t->proxy, "address", text);
        json_add(o, "proxy", t->proxy);
        t->proxy = NULL;
    }
    json_add(o, "tcp", tcp);
    if (t->http) {
        json_add(o, "http", t->http);
        t->http = NULL;
    }
    /* An HTTP Host names the server of a plain request, not what a TLS
     * client asked for. */
    bool asked = rec->has_server_name && rec->name_source && strcmp(rec->name_source, "http_host") != 0;
    json_add(o, "tls", tls_json_take(fb, t, c->first_ts, asked ? rec->server_name : NULL));
    json_add(o, "timings", timings_json(c, t));
    return o;
}

struct conn_record *record_new(struct tcp_conn *c, struct conn_track *t, const char *server_name,
                               const char *name_source, const char *matched_by)
{
    struct conn_record *rec = malloc(sizeof *rec);
    if (!rec)
        return NULL;
    conn_snapshot_take(&rec->conn, c);
    const struct flow_class *fc = classifier_result(c);
    rec->classified = fc != NULL;
    if (fc)
        rec->class = *fc;
    rec->t = t;
    rec->has_server_name = server_name != NULL;
    snprintf(rec->server_name, sizeof rec->server_name, "%s", server_name ? server_name : "");
    rec->name_source = name_source;
    rec->matched_by = matched_by;
    c->consumer = NULL;
    return rec;
}

void record_free(struct facts_builder *fb, struct conn_record *rec)
{
    track_free(fb, rec->t);
    free(rec);
}
