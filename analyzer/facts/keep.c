/* Which connections' facts are kept. While a connection is open: whether it
 * may hold facts at all (the budget of open ones, two pools). When it ends:
 * whether it is a target's, a revocation check, or (while no target was
 * seen) any TLS connection, and whether the sample keeps it. */
#include "facts_internal.h"
#include "json_build.h"
#include "json_text.h"

#include <stdlib.h>
#include <string.h>

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
        if (is_target_name(fb, name_for_addr(fb, c->ep[ep].addr, c->ip_version)) ||
            is_target_addr(fb, c->ip_version, c->ep[ep].addr))
            return true;
    return fb->every_tls_target;
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
    const char *unknown;
    bool failed = conn_outcome(&rec->conn, rec->t, &unknown) != NULL;
    if (failed)
        sample->failed++;
    else if (unknown)
        sample->unknown++;
    else
        sample->succeeded++;
    struct sample_group *g = &sample->group[failed ? OUTCOME_FAILED : OUTCOME_OTHER];
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
    /* By name, by the server's address, or ("*") any TLS connection. */
    bool target = is_target_name(fb, server_name) || is_target_name(fb, n->connect_host) ||
                  is_target_name(fb, n->http_host) || is_target_name(fb, dns_name) ||
                  is_target_addr(fb, c->ip_version, c->ep[1 - client].addr) ||
                  (fb->every_tls_target && (t->tls || t->proxy));
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
    } else {
        record_side_fetch(fb, c, t, server_name);
        if ((t->tls || t->proxy) && !fb->targets.seen && !fb->opt.hosts_from_user)
            sample_add(fb, &fb->generic, record_new(c, t, server_name, source, "generic"));
    }
    if (c->consumer)
        release_track(fb, c, t);
}

/* Happy eyeballs (RFC 8305): a client with both address families tries one
 * and, when it does not connect within a moment, the other. A connect that
 * failed in one family while a connection of the other family to the same
 * server name worked, started within this window of it, was a fallback: the
 * endpoint got through, and the failed family is a finding, not the verdict. */
#define FALLBACK_WINDOW_S 2.0

static const char *member_string(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
}

static double member_number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool same_server_name(const cJSON *a, const cJSON *b)
{
    const char *x = member_string(a, "server_name"), *y = member_string(b, "server_name");
    return x && y && !strcmp(x, y);
}

/* Marks the failed connects of conns (sorted by start) that a connection of
 * the other address family made good. Returns how many. */
static uint64_t mark_fallbacks(cJSON *conns)
{
    uint64_t marked = 0;
    const cJSON *failed;
    cJSON_ArrayForEach(failed, conns) {
        const char *stage = member_string(failed, "failed_stage");
        if (!stage || strcmp(stage, "tcp_connect") || strcmp(member_string(failed, "path"), "direct"))
            continue;
        double start = member_number(failed, "start_ts");
        const cJSON *ok;
        cJSON_ArrayForEach(ok, conns) {
            const char *verdict = member_string(ok, "verdict");
            double after = member_number(ok, "start_ts") - start;
            if (verdict && !strcmp(verdict, "success") && same_server_name(failed, ok) &&
                member_number(ok, "ip_version") != member_number(failed, "ip_version") &&
                after > -FALLBACK_WINDOW_S && after < FALLBACK_WINDOW_S) {
                cJSON *fb = cJSON_AddObjectToObject((cJSON *)failed, "fallback");
                cJSON_AddNumberToObject(fb, "to_connection", member_number(ok, "id"));
                cJSON_AddNumberToObject(fb, "to_ip_version", member_number(ok, "ip_version"));
                cJSON_AddNumberToObject(fb, "after_ms", (double)(int64_t)(after * 1e6) / 1e3);
                marked++;
                break;
            }
        }
    }
    return marked;
}

static int by_first_frame(const void *a, const void *b)
{
    uint64_t x = (*(struct conn_record *const *)a)->conn.first_frame;
    uint64_t y = (*(struct conn_record *const *)b)->conn.first_frame;
    return x < y ? -1 : x > y;
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
    /* Every attempt of the selection by verdict, kept or not: the outcome
     * over the whole capture is the report's to decide from these. */
    cJSON *attempts = json_add_object(capture, "attempts");
    json_add_u64(attempts, "total", chosen->seen);
    json_add_u64(attempts, "succeeded", chosen->succeeded);
    json_add_u64(attempts, "failed", chosen->failed);
    json_add_u64(attempts, "unknown", chosen->unknown);
    struct conn_record *kept[FACTS_MAX_KEPT_CONNS];
    uint32_t n = sample_take(chosen, kept);
    json_add_u64(capture, "kept_connections", n);
    /* Connections are kept as they end; reports list them as they began. */
    qsort(kept, n, sizeof *kept, by_first_frame);
    cJSON *conns = cJSON_CreateArray();
    for (uint32_t i = 0; i < n; i++) {
        record_handshake_window(fb, kept[i]);
        cJSON_AddItemToArray(conns, record_json(fb, kept[i]));
        record_free(fb, kept[i]);
    }
    json_add_u64(attempts, "fallbacks", mark_fallbacks(conns));
    sample_clear(fb, generic ? &fb->targets : &fb->generic);
    return conns;
}

void kept_connections_free(struct facts_builder *fb)
{
    sample_clear(fb, &fb->targets);
    sample_clear(fb, &fb->generic);
    revocation_take(fb, false);
}
