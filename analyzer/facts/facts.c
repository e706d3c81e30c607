/* The facts builder's entry points, and (until they move to files of their
 * own) the verdict, the kept connections and the capture summaries. */
#include "facts_internal.h"
#include "addr.h"
#include "cert_cache.h"
#include "hello_facts.h"
#include "json_build.h"
#include "json_text.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct facts_builder *facts_new(const struct facts_options *opt)
{
    struct facts_builder *fb = calloc(1, sizeof *fb);
    if (!fb)
        return NULL;
    fb->opt = *opt;
    fb->max_detailed_open = opt->max_open_tls_facts ? opt->max_open_tls_facts : PIPELINE_DEFAULT_OPEN_TLS_FACTS;
    fb->names = calloc(FACTS_MAX_DNS_NAMES, sizeof *fb->names);
    fb->certs = cert_cache_new();
    fb->lookups = cJSON_CreateArray();
    fb->failed_connects = cJSON_CreateArray();
    if (!fb->names || !fb->certs) {
        facts_free(fb);
        return NULL;
    }
    return fb;
}

void facts_free(struct facts_builder *fb)
{
    if (!fb)
        return;
    free(fb->names);
    cert_cache_free(fb->certs);
    cJSON_Delete(fb->lookups);
    kept_connections_free(fb);
    cJSON_Delete(fb->failed_connects);
    free(fb);
}

static struct conn_track *track(const struct event *ev)
{
    struct tcp_conn *c = ev->conn;
    if (!c->consumer)
        c->consumer = calloc(1, sizeof(struct conn_track));
    return c->consumer;
}

void track_free(struct facts_builder *fb, struct conn_track *t)
{
    leave_budget(fb, t);
    free(t->names);
    client_hello_facts_free(t->client_hello);
    server_hello_facts_free(t->server_hello);
    free(t->certificate[0].raw);
    free(t->certificate[1].raw);
    cJSON_Delete(t->tls);
    cJSON_Delete(t->proxy);
    cJSON_Delete(t->http);
    free(t);
}

static int event_side(const struct event *ev)
{
    return ev->sender == conn_client(ev->conn) ? SIDE_CLIENT : SIDE_SERVER;
}

/* The events that build a connection's JSON facts (the rest are counters). */
static bool builds_facts(enum event_type type)
{
    return type != EV_TCP && type != EV_STREAM_GAP && type != EV_HANDSHAKE_OTHER;
}

void facts_on_event(void *ctx, const struct event *ev)
{
    struct facts_builder *fb = ctx;
    if (ev->type == EV_DNS) {
        on_dns(fb, ev);
        return;
    }
    if (ev->type == EV_CONN_END) {
        on_conn_end(fb, ev->conn);
        return;
    }
    struct conn_track *t = track(ev);
    if (!t)
        return;
    if (builds_facts(ev->type) && !may_build_facts(fb, t, ev))
        return;
    int side = event_side(ev);
    switch (ev->type) {
    case EV_CLIENT_HELLO: on_client_hello(t, ev); break;
    case EV_SERVER_HELLO: on_server_hello(t, ev); break;
    case EV_CERTIFICATE: on_certificate(fb, t, ev, side); break;
    case EV_HANDSHAKE_OTHER: on_handshake_other(t, ev); break;
    case EV_CHANGE_CIPHER_SPEC: on_change_cipher_spec(t, ev, side); break;
    case EV_ENCRYPTED_HANDSHAKE: on_encrypted_handshake(t, ev, side); break;
    case EV_ALERT: on_alert(t, ev, side); break;
    case EV_APPLICATION_DATA: on_app_data(t, ev, side); break;
    case EV_TLS_MALFORMED:
    case EV_TLS_LIMIT: on_tls_problem(t, ev); break;
    case EV_CONNECT_REQUEST: on_connect_request(t, ev); break;
    case EV_CONNECT_RESPONSE: on_connect_response(t, ev); break;
    case EV_HTTP_REQUEST: on_http_request(t, ev); break;
    case EV_HTTP_RESPONSE: on_http_response(t, ev); break;
    case EV_TCP:
        on_tcp(t, ev, side);
        leave_budget_when_closed(fb, t);
        break;
    case EV_STREAM_GAP: on_stream_gap(t, ev); break;
    default:
        break;
    }
}

cJSON *facts_finish(struct facts_builder *fb, const struct pipeline_summary *s)
{
    cJSON *capture = cJSON_CreateObject();
    json_add_u64(capture, "frames", s->frames);
    json_add_u64(capture, "bytes", s->bytes);
    json_add_number(capture, "start_ts", (double)s->first_ts / 1e9);
    json_add_ms(capture, "duration_ms", timestamp_between(s->last_ts, s->first_ts));
    json_add_string(capture, "format", s->format);
    json_add_bool(capture, "damaged_tail", s->damaged_tail);
    /* How much the capture's reading lost to limits and bad headers: a
     * report from a capture with losses says so. */
    cJSON *losses = json_add_object(capture, "reading_losses");
    json_add_u64(losses, "connections_evicted", s->reasm.conns_evicted);
    json_add_u64(losses, "ip_datagrams_incomplete", s->ipfrag_dropped);
    json_add_u64(losses, "invalid_headers", s->invalid_headers);
    json_add_u64(losses, "truncated_headers", s->truncated_headers);
    json_add_u64(losses, "connections_without_facts", fb->conns_without_facts);
    json_add_u64(losses, "flows_not_classified", s->flows_not_classified);
    json_add_u64(capture, "tcp_connections", fb->conns_seen);
    json_add_u64(capture, "tls_connections", fb->tls_conns_seen);
    cJSON *hosts = json_add_array(capture, "target_hosts");
    for (size_t i = 0; i < fb->opt.host_count; i++)
        cJSON_AddItemToArray(hosts, cJSON_CreateString(fb->opt.hosts[i]));
    cJSON *conns = kept_connections_take(fb, capture);
    add_summaries(fb, capture);
    json_add(capture, "connections", conns);
    return capture;
}

/* A connection's verdict: the stage it failed at, or why the capture cannot
 * tell whether it worked. From the track's frames and counters (and which
 * of its JSON parts exist), so the sample can sort a connection as it ends
 * without making its JSON. */

/* A transfer is cut when the server ends the connection first and nothing
 * says it meant to. TLS <= 1.2 shows close_notify as an alert record: one
 * from either side before the server's end is a graceful close; a server FIN
 * without one counts when the client protests (an alert) or a RST follows.
 * TLS 1.3 hides close_notify, so only a server RST while the client has sent
 * nothing since the server's last data counts. A client that closes first
 * has what it wanted. */
static bool transfer_interrupted(const struct conn_track *t)
{
    uint64_t server_fin = t->fin_frame[SIDE_SERVER], client_fin = t->fin_frame[SIDE_CLIENT];
    uint64_t server_rst = t->rst_frame && t->rst_side == SIDE_SERVER ? t->rst_frame : 0;
    uint64_t client_rst = t->rst_frame && t->rst_side == SIDE_CLIENT ? t->rst_frame : 0;
    uint64_t server_end = server_fin && (!server_rst || server_fin < server_rst) ? server_fin : server_rst;
    if (!server_end || (client_fin && client_fin < server_end) || (client_rst && client_rst < server_end))
        return false;
    if (t->tls13)
        return server_end == server_rst && t->app_last_frame[SIDE_CLIENT] < t->app_last_frame[SIDE_SERVER];
    uint64_t client_alert = t->first_alert_frame[SIDE_CLIENT], server_alert = t->first_alert_frame[SIDE_SERVER];
    if ((client_alert && client_alert <= server_end) || (server_alert && server_alert <= server_end))
        return false;
    return server_end == server_rst || t->rst_frame || client_alert > server_end;
}

/* Why the capture cannot tell whether a connection worked, or NULL. */
static const char *unknown_reason(const struct conn_snapshot *c, const struct conn_track *t)
{
    if (!c->sent[SIDE_SERVER].packets && c->sent[SIDE_CLIENT].payload_packets)
        return "only the client's side of the connection is in the capture";
    if (!c->sent[SIDE_CLIENT].packets && c->sent[SIDE_SERVER].payload_packets)
        return "only the server's side of the connection is in the capture";
    if (!t->tls)
        return NULL;
    bool hellos_seen = t->client_hello || t->server_hello;
    if (!hellos_seen && !t->first_fatal_alert_frame)
        return "the handshake is not in the capture (it started before the capture)";
    if (!t->client_hello && t->server_hello)
        return "the Client Hello is missing from the capture";
    bool ended = t->rst_frame || t->fin_frame[0] || t->fin_frame[1] || t->first_fatal_alert_frame ||
                 t->alert_records[0] || t->alert_records[1];
    if (!t->handshake_done && !ended)
        return "the capture ends during the handshake";
    return NULL;
}

/* The stage a failed connection stopped at, or NULL for success. */
static const char *failed_stage(const struct conn_track *t, bool connected)
{
    if (t->proxy) {
        if (!t->connect_answer.seen)
            return connected ? "proxy" : "tcp_connect";
        if (!http_success(&t->connect_answer))
            return "proxy";
    }
    if (!connected)
        return "tcp_connect";
    if (!t->tls)
        return t->rst_frame || t->proxy ? "tls_handshake" : NULL;
    if (!t->handshake_done)
        return "tls_handshake";
    return transfer_interrupted(t) ? "transfer" : NULL;
}

/* The stage the connection failed at, or NULL: it worked, or the capture
 * cannot tell (then *unknown says why). */
const char *conn_outcome(const struct conn_snapshot *c, const struct conn_track *t, const char **unknown)
{
    *unknown = t->proxy ? NULL : unknown_reason(c, t);
    return *unknown ? NULL : failed_stage(t, conn_connected(c, t));
}

bool conn_failed(const struct conn_snapshot *c, const struct conn_track *t)
{
    const char *unknown;
    return conn_outcome(c, t, &unknown) != NULL;
}

/* A kept connection: its record while the pass runs, and its facts as JSON
 * (endpoints, names, classification, verdict, then the TCP, proxy, HTTP and
 * TLS parts and the timings) once the report is made. */

static cJSON *timings_json(const struct conn_track *t)
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
    if (unknown)
        json_add_string(o, "unknown_reason", unknown);
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
    json_add(o, "tls", tls_json_take(fb, t));
    json_add(o, "timings", timings_json(t));
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

/* Which connections' facts are kept. While a connection is open: whether it
 * may hold facts at all (the budget of open ones, two pools). When it ends:
 * whether it is a target's, a revocation check, or (while no target was
 * seen) any TLS connection, and whether the sample keeps it. */

/* Its facts are final (closed, ended or freed): the connection no longer
 * counts against its pool's budget of open ones. */
void leave_budget(struct facts_builder *fb, struct conn_track *t)
{
    if (t->detailed && !t->left_budget) {
        t->left_budget = true;
        fb->detailed_open[t->pool]--;
    }
}

/* Whether the connection's first facts-building event names a target
 * (later ones may too, but its pool is chosen now). */
static bool names_a_target(struct facts_builder *fb, const struct event *ev)
{
    char name[256];
    if (ev->type == EV_CLIENT_HELLO && ev->u.client_hello->has_sni) {
        text_from_wire(name, sizeof name, ev->u.client_hello->sni.data, ev->u.client_hello->sni.len);
        if (is_target_name(fb, name))
            return true;
    }
    if (ev->type == EV_CONNECT_REQUEST) {
        text_from_wire(name, sizeof name, ev->u.connect_request->target.data, ev->u.connect_request->target.len);
        char host[256];
        host_of(name, host, sizeof host);
        if (is_target_name(fb, host))
            return true;
    }
    const struct tcp_conn *c = ev->conn;
    for (int ep = 0; ep < 2; ep++)
        if (is_target_name(fb, name_for_addr(fb, c->ep[ep].addr, c->ip_version)))
            return true;
    return false;
}

/* Whether this connection may hold JSON facts: at most max_detailed_open
 * open connections of its pool do at once, so memory is bounded whatever
 * the capture holds. A connection refused once stays without facts (half of
 * them would mislead) and is only counted. */
bool may_build_facts(struct facts_builder *fb, struct conn_track *t, const struct event *ev)
{
    if (t->detailed)
        return true;
    if (t->without_facts)
        return false;
    int pool = names_a_target(fb, ev) ? 1 : 0;
    if (fb->detailed_open[pool] >= fb->max_detailed_open || !(t->names = calloc(1, sizeof *t->names))) {
        t->without_facts = true;
        fb->conns_without_facts++;
        return false;
    }
    t->detailed = true;
    t->pool = (uint8_t)pool;
    fb->detailed_open[pool]++;
    return true;
}

/* A closed connection's facts are final: it leaves the budget (the
 * reassembler bounds how many closed ones linger). */
void leave_budget_when_closed(struct facts_builder *fb, struct conn_track *t)
{
    if (t->rst_frame || (t->fin_frame[SIDE_CLIENT] && t->fin_frame[SIDE_SERVER]))
        leave_budget(fb, t);
}

static void release_track(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t)
{
    track_free(fb, t);
    c->consumer = NULL;
}

static void sample_add(struct facts_builder *fb, struct conn_sample *sample, struct conn_record *rec)
{
    if (!rec)
        return;
    sample->seen++;
    struct sample_group *g = &sample->group[conn_failed(&rec->conn, rec->t) ? OUTCOME_FAILED : OUTCOME_OTHER];
    if (g->first_count < SAMPLE_FIRST) {
        g->first[g->first_count++] = rec;
    } else if (g->latest_count < SAMPLE_LATEST) {
        g->latest[g->latest_count++] = rec;
    } else {
        record_free(fb, g->latest[g->latest_next]);
        g->latest[g->latest_next] = rec;
        g->latest_next = (g->latest_next + 1) % SAMPLE_LATEST;
    }
}

/* The sample's records into kept (FACTS_MAX_KEPT_CONNS of them at most);
 * the sample is empty afterwards. Returns how many. */
static uint32_t sample_take(struct conn_sample *sample, struct conn_record **kept)
{
    uint32_t n = 0;
    for (int i = 0; i < OUTCOME_COUNT; i++) {
        struct sample_group *g = &sample->group[i];
        for (uint32_t k = 0; k < g->first_count + g->latest_count; k++)
            kept[n++] = k < g->first_count ? g->first[k] : g->latest[k - g->first_count];
    }
    memset(sample, 0, sizeof *sample);
    return n;
}

static void sample_clear(struct facts_builder *fb, struct conn_sample *sample)
{
    struct conn_record *kept[FACTS_MAX_KEPT_CONNS];
    uint32_t n = sample_take(sample, kept);
    for (uint32_t i = 0; i < n; i++)
        record_free(fb, kept[i]);
}

/* Revocation checks are kept apart from the sample: the latest ones, since
 * the report tells whether the checks worked, not how they began. */
static void revocation_add(struct facts_builder *fb, struct conn_record *rec)
{
    if (!rec)
        return;
    if (fb->revocation_conn_count == FACTS_MAX_FAILED_CONNECTS) {
        record_free(fb, fb->revocation_conns[0]);
        memmove(fb->revocation_conns, fb->revocation_conns + 1,
                (FACTS_MAX_FAILED_CONNECTS - 1) * sizeof fb->revocation_conns[0]);
        fb->revocation_conn_count--;
    }
    fb->revocation_conns[fb->revocation_conn_count++] = rec;
}

/* The revocation checks as a JSON array (render), or freed (no render). */
static cJSON *revocation_take(struct facts_builder *fb, bool render)
{
    cJSON *arr = render ? cJSON_CreateArray() : NULL;
    for (uint32_t i = 0; i < fb->revocation_conn_count; i++) {
        if (render)
            cJSON_AddItemToArray(arr, record_json(fb, fb->revocation_conns[i]));
        record_free(fb, fb->revocation_conns[i]);
    }
    fb->revocation_conn_count = 0;
    return arr;
}

cJSON *revocation_conns_take(struct facts_builder *fb)
{
    return revocation_take(fb, true);
}

void on_conn_end(struct facts_builder *fb, struct tcp_conn *c)
{
    struct conn_track *t = c->consumer;
    fb->conns_seen++;
    if (!t)
        return;
    if (t->without_facts) {
        release_track(fb, c, t);
        return;
    }
    leave_budget(fb, t);
    int client = conn_client(c);
    const char *dns_name = name_for_addr(fb, c->ep[1 - client].addr, c->ip_version);
    const char *server_name = NULL, *source = NULL;
    static const struct conn_names none;
    const struct conn_names *n = t->names ? t->names : &none;
    if (n->sni[0]) {
        server_name = n->sni;
        source = "sni";
    } else if (n->connect_host[0]) {
        server_name = n->connect_host;
        source = "connect";
    } else if (n->http_host[0]) {
        server_name = n->http_host;
        source = "http_host";
    } else if (dns_name) {
        server_name = dns_name;
        source = "dns";
    }
    bool target = is_target_name(fb, server_name) || is_target_name(fb, n->connect_host) ||
                  is_target_name(fb, n->http_host) || is_target_name(fb, dns_name);
    bool syn_only = t->syn_frame && !t->synack_frame && !c->half[1 - client].payload_packets &&
                    !c->half[client].payload_packets;
    if (syn_only)
        record_failed_connect(fb, c, t, server_name);
    if (t->tls || t->proxy)
        fb->tls_conns_seen++;
    if (target) {
        bool profile = facts_host_matches(server_name, fb->opt.profile_hosts, fb->opt.profile_host_count) ||
                       facts_host_matches(n->connect_host, fb->opt.profile_hosts, fb->opt.profile_host_count) ||
                       facts_host_matches(dns_name, fb->opt.profile_hosts, fb->opt.profile_host_count);
        sample_add(fb, &fb->targets, record_new(c, t, server_name, source, profile ? "profile" : "host"));
        /* The generic list is only ever reported when no target was seen. */
        sample_clear(fb, &fb->generic);
    } else if (is_revocation_name(fb, server_name) || is_revocation_name(fb, dns_name)) {
        bool by_name = is_revocation_name(fb, server_name);
        revocation_add(fb, record_new(c, t, by_name ? server_name : dns_name, by_name ? source : "dns",
                                      "revocation"));
    } else if ((t->tls || t->proxy) && !fb->targets.seen && !fb->opt.hosts_from_user) {
        sample_add(fb, &fb->generic, record_new(c, t, server_name, source, "generic"));
    }
    if (c->consumer)
        release_track(fb, c, t);
}

static int by_first_frame(const void *a, const void *b)
{
    double x = cJSON_GetNumberValue(cJSON_GetObjectItem(*(cJSON *const *)a, "first_frame"));
    double y = cJSON_GetNumberValue(cJSON_GetObjectItem(*(cJSON *const *)b, "first_frame"));
    return x < y ? -1 : x > y;
}

/* Connections are recorded as they end; reports list them as they began. */
static cJSON *sorted_by_start(cJSON *conns)
{
    int n = cJSON_GetArraySize(conns);
    cJSON **items = n ? malloc((size_t)n * sizeof *items) : NULL;
    if (!items)
        return conns;
    for (int i = n - 1; i >= 0; i--)
        items[i] = cJSON_DetachItemFromArray(conns, i);
    qsort(items, (size_t)n, sizeof *items, by_first_frame);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(conns, items[i]);
    free(items);
    return conns;
}

cJSON *kept_connections_take(struct facts_builder *fb, cJSON *capture)
{
    /* No connection to a profile host: every TLS connection is analysed
     * instead, so the tool still finds TLS failures of any application.
     * target_connections keeps counting the real targets only. */
    uint64_t target_count = fb->targets.seen;
    bool generic = target_count == 0 && !fb->opt.hosts_from_user;
    struct conn_sample *chosen = generic ? &fb->generic : &fb->targets;
    json_add_string(capture, "selection", generic ? "all_tls" : "targets");
    json_add_u64(capture, "target_connections", target_count);
    /* Of the connections selected, how many there were and how many are in
     * "connections" (the first and latest of each outcome). */
    json_add_u64(capture, "selected_connections", chosen->seen);
    struct conn_record *kept[FACTS_MAX_KEPT_CONNS];
    uint32_t n = sample_take(chosen, kept);
    json_add_u64(capture, "kept_connections", n);
    cJSON *conns = cJSON_CreateArray();
    for (uint32_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(conns, record_json(fb, kept[i]));
        record_free(fb, kept[i]);
    }
    sample_clear(fb, generic ? &fb->targets : &fb->generic);
    return sorted_by_start(conns);
}

void kept_connections_free(struct facts_builder *fb)
{
    sample_clear(fb, &fb->targets);
    sample_clear(fb, &fb->generic);
    revocation_take(fb, false);
}

/* What the capture shows around the kept connections: the DNS lookups of
 * targets, whether revocation checks got through, and connection attempts
 * that never got past their SYN. */

void record_failed_connect(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t,
                           const char *server_name)
{
    if (cJSON_GetArraySize(fb->failed_connects) >= FACTS_MAX_FAILED_CONNECTS)
        return;
    int client = conn_client(c);
    const struct endpoint *server = &c->ep[1 - client];
    cJSON *o = cJSON_CreateObject();
    add_server_members(o, c->ip_version, server);
    if (server_name)
        json_add_string(o, "server_name", server_name);
    json_add_u64(o, "syn_frame", t->syn_frame);
    json_add_u64(o, "syn_count", c->half[client].syn_count);
    bool refused = t->rst_frame && t->rst_side == SIDE_SERVER;
    json_add_string(o, "result", refused ? "refused" : "no answer");
    if (t->rst_frame)
        json_add_u64(o, "rst_frame", t->rst_frame);
    bool proxy_port = false;
    for (size_t i = 0; i < fb->opt.proxy_port_count; i++)
        if (fb->opt.proxy_ports[i] == server->port)
            proxy_port = true;
    json_add_bool(o, "proxy_port", proxy_port);
    cJSON_AddItemToArray(fb->failed_connects, o);
}

static cJSON *take(cJSON **slot)
{
    cJSON *o = *slot;
    *slot = cJSON_CreateArray();
    return o;
}

/* What the lookups of the target tell; the lookups move into it. */
static cJSON *dns_summary(struct facts_builder *fb, cJSON *lookups)
{
    cJSON *o = cJSON_CreateObject();
    bool target_asked = false, target_resolved = false, target_failed = false;
    for (uint32_t i = 0; i < fb->lookup_count; i++) {
        const struct pending_lookup *l = &fb->lookup_index[i];
        if (!l->of_target)
            continue;
        target_asked = true;
        if (l->answered && l->rcode == 0 && l->answers_listed > 0)
            target_resolved = true;
        else if (!l->answered || l->rcode != 0)
            target_failed = true;
    }
    json_add_bool(o, "target_asked", target_asked);
    json_add_bool(o, "target_resolved", target_resolved);
    json_add_bool(o, "target_failed", target_failed && !target_resolved);
    json_add(o, "lookups", lookups);
    return o;
}

/* A revocation host that could not be reached, and how. */
struct unreachable {
    const char *host, *how, *detail;
    const char *server;            /* NULL: no connection */
    bool has_frame;
    uint64_t frame;
};

static void add_unreachable(cJSON *list, const struct unreachable *u)
{
    cJSON *h = cJSON_CreateObject();
    json_add_string(h, "host", u->host);
    json_add_string(h, "how", u->how);
    json_add_string(h, "detail", u->detail);
    if (u->server)
        json_add_string(h, "server", u->server);
    if (u->has_frame)
        json_add_u64(h, "frame", u->frame);
    cJSON_AddItemToArray(list, h);
}

/* Whether revocation checks were tried and got through: from the lookups of
 * revocation hosts and the connections to them, which move into it. */
static cJSON *revocation_summary(struct facts_builder *fb)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *unreachable = json_add_array(o, "unreachable");
    for (uint32_t i = 0; i < fb->lookup_count; i++) {
        const struct pending_lookup *l = &fb->lookup_index[i];
        if (l->of_target || (l->answered && l->rcode == 0))
            continue;
        if (l->answered)
            add_unreachable(unreachable, &(struct unreachable){ .host = l->name, .how = "dns",
                                                                .detail = dns_rcode_name(l->rcode),
                                                                .has_frame = true, .frame = l->response_frame });
        else
            add_unreachable(unreachable, &(struct unreachable){ .host = l->name, .how = "dns_no_answer",
                                                                .detail = "no answer", .has_frame = l->query_seen,
                                                                .frame = l->query_frame });
    }
    bool any_ok = false;
    /* Before the records are rendered: that moves their tracks' JSON out. */
    for (uint32_t i = 0; i < fb->revocation_conn_count; i++) {
        const struct conn_record *rec = fb->revocation_conns[i];
        const struct conn_track *t = rec->t;
        const char *host = rec->has_server_name ? rec->server_name : NULL;
        char server[CONN_TEXT_MAX];
        endpoint_text(rec->conn.ip_version, &rec->conn.end[SIDE_SERVER], server, sizeof server, true);
        if (t->http_answer.seen && !http_success(&t->http_answer)) {
            char detail[64];
            snprintf(detail, sizeof detail, "HTTP %u", t->http_answer.status);
            add_unreachable(unreachable, &(struct unreachable){ .host = host, .how = "http", .detail = detail,
                                                                .server = server, .has_frame = true,
                                                                .frame = t->http_answer.frame });
            continue;
        }
        const char *unknown;
        const char *stage = conn_outcome(&rec->conn, t, &unknown);
        if (!stage || strcmp(stage, "tcp_connect")) {
            any_ok = true;
            continue;
        }
        /* The frames the connection's "tcp" facts name, when they do. */
        uint64_t frame = t->rst_frame ? t->rst_frame : t->syn_frame;
        add_unreachable(unreachable, &(struct unreachable){ .host = host, .how = "tcp",
                                                            .detail = t->rst_frame ? "connection refused"
                                                                                   : "no answer to SYN",
                                                            .server = server, .has_frame = frame != 0,
                                                            .frame = frame });
    }
    json_add_bool(o, "attempted", fb->revocation_conn_count > 0 || cJSON_GetArraySize(unreachable) > 0);
    json_add_bool(o, "reachable", any_ok);
    json_add(o, "connections", revocation_conns_take(fb));
    return o;
}

void add_summaries(struct facts_builder *fb, cJSON *capture)
{
    cJSON *dns = dns_summary(fb, take(&fb->lookups));
    json_add_u64(dns, "other_lookups", fb->other_lookups);
    json_add_u64(dns, "other_failed_lookups", fb->other_failed_lookups);
    json_add(capture, "dns", dns);
    json_add(capture, "revocation", revocation_summary(fb));
    /* The index points into the lookups, which now belong to the caller. */
    fb->lookup_count = 0;
    cJSON *failed = take(&fb->failed_connects);
    cJSON *proxy_failed = cJSON_CreateArray();
    const cJSON *f;
    cJSON_ArrayForEach(f, failed)
        if (cJSON_IsTrue(cJSON_GetObjectItem(f, "proxy_port")))
            cJSON_AddItemToArray(proxy_failed, cJSON_Duplicate(f, true));
    json_add(capture, "failed_connects", failed);
    json_add(capture, "proxy_connect_failures", proxy_failed);
}
