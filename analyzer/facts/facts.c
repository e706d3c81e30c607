/* The facts builder's entry points: each event to the file that folds it
 * in (facts_internal.h says which does what), and the capture's facts at
 * the end. */
#include "facts_internal.h"
#include "cert_cache.h"
#include "hello_facts.h"
#include "json_build.h"
#include "timestamp.h"

#include <stdlib.h>

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
    if (!fb->names || !fb->certs || !targets_init(fb)) {
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
    free(fb->addr_targets);
    cert_cache_free(fb->certs);
    cJSON_Delete(fb->lookups);
    kept_connections_free(fb);
    failed_connects_free(fb);
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
    decryption_track_free(t);
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

/* Events of decryption (keys only): true when handled here. */
static bool on_keyed_event(struct facts_builder *fb, struct conn_track *t, const struct event *ev, int side)
{
    (void)fb;
    if (ev->type == EV_TLS_DECRYPTION) {
        on_tls_decryption(t, ev, side);
        return true;
    }
    on_decrypted_event(t, ev, side);
    if (ev->type == EV_HANDSHAKE_OTHER) {
        on_decrypted_handshake_other(t, ev, side);
        return true;
    }
    /* A post-handshake record (a ticket, a KeyUpdate) is not application
     * data, and not the end of the handshake either. */
    return ev->type == EV_ENCRYPTED_HANDSHAKE && ev->tls_phase == TLS_PHASE_POST_HANDSHAKE;
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
    if (ev->decrypted || ev->type == EV_TLS_DECRYPTION) {
        if (on_keyed_event(fb, t, ev, side))
            return;
    }
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
    case EV_NOT_TLS: on_not_tls(t, ev, side); break;
    case EV_TCP:
        on_tcp(t, ev, side);
        leave_budget_when_closed(fb, t);
        break;
    case EV_STREAM_GAP:
        on_stream_gap(t, ev);
        /* TLS by its record headers, every message cut off: still TLS. */
        if (ev->u.cut && !t->tls && stream_tls_session(ev->conn) && may_build_facts(fb, t, ev))
            on_tls_without_messages(t);
        break;
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
    /* A snapshot length cut frames: only then, so other reports keep their shape. */
    fb->cut_snaplen = pipeline_cut_snaplen(s);
    if (s->frames_cut) {
        cJSON *cut = json_add_object(capture, "cut");
        json_add_u64(cut, "frames", s->frames_cut);
        json_add_u64(cut, "first_frame", s->first_cut_frame);
        json_add_u64(cut, "snaplen", fb->cut_snaplen);
    }
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
    add_summaries(fb, capture, s->last_ts);
    add_keylog_summary(fb, capture);
    json_add(capture, "connections", conns);
    return capture;
}
