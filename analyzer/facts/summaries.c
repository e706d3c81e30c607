/* What the capture shows around the kept connections: the DNS lookups of
 * targets, whether revocation checks got through, and connection attempts
 * that never got past their SYN. From the plain records the pass kept; the
 * JSON is made here, once. */
#include "facts_internal.h"
#include "addr.h"
#include "hello_facts.h"
#include "json_build.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void record_failed_connect(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t,
                           const char *server_name)
{
    if (fb->failed_connect_count >= FACTS_MAX_FAILED_CONNECTS)
        return;
    int client = conn_client(c);
    struct failed_connect *f = &fb->failed_connects[fb->failed_connect_count++];
    *f = (struct failed_connect){ .ip_version = c->ip_version, .server = c->ep[1 - client],
                                  .server_name = server_name ? strdup(server_name) : NULL,
                                  .syn_frame = t->syn_frame, .syn_count = c->half[client].syn_count,
                                  .rst_frame = t->rst_frame, .refused = t->rst_frame && t->rst_side == SIDE_SERVER };
    for (size_t i = 0; i < fb->opt.proxy_port_count; i++)
        if (fb->opt.proxy_ports[i] == f->server.port)
            f->proxy_port = true;
}

/* ---- side failures: revocation checks recognised by their timing ---- */

/* OCSP responders and CRL distribution points are plain HTTP on port 80
 * (RFC 6960 A.1, RFC 5280 4.2.1.13); a client's fetch of one is what a
 * handshake it gives up on waits for. */
#define REVOCATION_FETCH_PORT 80

static struct side_failure *side_failure_new(struct facts_builder *fb, uint8_t ip_version, const uint8_t *client,
                                             const char *how)
{
    struct side_failure *f = &fb->side_failures[fb->side_failure_next];
    fb->side_failure_next = (fb->side_failure_next + 1) % SIDE_FAILURES_MAX;
    if (fb->side_failure_count < SIDE_FAILURES_MAX)
        fb->side_failure_count++;
    *f = (struct side_failure){ .ip_version = ip_version, .how = how };
    memcpy(f->client, client, 16);
    return f;
}

void record_side_fetch(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t, const char *server_name)
{
    int client = conn_client(c);
    const struct endpoint *server = &c->ep[1 - client];
    if (server->port != REVOCATION_FETCH_PORT || t->tls || t->proxy)
        return;
    bool syn_only = t->syn_frame && !t->synack_frame && !c->half[1 - client].payload_packets &&
                    !c->half[client].payload_packets;
    bool http_failed = t->http && !(t->http_answer.seen && http_success(&t->http_answer));
    if (!syn_only && !http_failed)
        return;
    struct side_failure *f = side_failure_new(fb, c->ip_version, c->ep[client].addr, syn_only ? "tcp" : "http");
    f->start_frame = t->syn_frame ? t->syn_frame : c->first_frame;
    endpoint_text(c->ip_version, server, f->server, sizeof f->server, true);
    if (server_name)
        snprintf(f->host, sizeof f->host, "%s", server_name);
    else
        endpoint_text(c->ip_version, server, f->host, sizeof f->host, false);
    if (syn_only) {
        f->frame = t->rst_frame ? t->rst_frame : t->syn_frame;
        snprintf(f->detail, sizeof f->detail, "%s", t->rst_frame ? "connection refused" : "no answer to SYN");
    } else if (t->http_answer.seen) {
        f->frame = t->http_answer.frame;
        snprintf(f->detail, sizeof f->detail, "HTTP %u", t->http_answer.status);
    } else {
        f->frame = t->rst_frame ? t->rst_frame : c->last_frame;
        snprintf(f->detail, sizeof f->detail, "no HTTP answer");
    }
}

/* A resolver tries its search domains before (or after) the name itself:
 * "ocsp.ca.example.corp.local" NXDOMAIN says nothing once
 * "ocsp.ca.example" resolved. */
static void drop_search_domain_failures(struct facts_builder *fb, uint8_t ip_version, const uint8_t *client,
                                        const char *resolved)
{
    size_t n = strlen(resolved);
    for (uint32_t i = 0; i < fb->side_failure_count; i++) {
        struct side_failure *f = &fb->side_failures[i];
        if (!f->how || strncmp(f->how, "dns", 3) || f->ip_version != ip_version || memcmp(f->client, client, 16))
            continue;
        if (!strncasecmp(f->host, resolved, n) && f->host[n] == '.')
            f->how = NULL;   /* dropped; skipped from now on */
    }
}

static bool dns_server_port(const struct dns_event *d, bool response)
{
    return (response ? d->sport : d->dport) == 53;
}

void record_other_lookup(struct facts_builder *fb, const struct event *ev)
{
    const struct dns_event *d = ev->u.dns;
    const struct dns_message *m = d->msg;
    /* Multicast DNS is no lookup a client waits for. */
    if (!m->qname[0] || !dns_server_port(d, m->is_response))
        return;
    const uint8_t *client = m->is_response ? d->dst : d->src;
    if (!m->is_response) {
        struct other_lookup *l = &fb->other_lookups_pending[fb->other_lookup_next];
        fb->other_lookup_next = (fb->other_lookup_next + 1) % OTHER_LOOKUPS_PENDING;
        *l = (struct other_lookup){ .open = true, .id = m->id, .qtype = m->qtype, .ip_version = d->ip_version,
                                    .frame = ev->frame };
        memcpy(l->client, client, 16);
        snprintf(l->name, sizeof l->name, "%.*s", SIDE_FAILURE_HOST_MAX - 1, m->qname);
        return;
    }
    uint64_t query_frame = 0;
    for (uint32_t i = 0; i < OTHER_LOOKUPS_PENDING; i++) {
        struct other_lookup *l = &fb->other_lookups_pending[i];
        if (l->open && l->id == m->id && l->qtype == m->qtype && l->ip_version == d->ip_version &&
            !memcmp(l->client, client, 16) && !strcmp(l->name, m->qname)) {
            l->open = false;
            query_frame = l->frame;
            break;
        }
    }
    if (m->rcode == 0) {
        if (m->answers_kept > 0)
            drop_search_domain_failures(fb, d->ip_version, client, m->qname);
        return;
    }
    struct side_failure *f = side_failure_new(fb, d->ip_version, client, "dns");
    f->start_frame = query_frame ? query_frame : ev->frame;
    f->frame = ev->frame;
    snprintf(f->detail, sizeof f->detail, "%s", dns_rcode_name(m->rcode));
    snprintf(f->host, sizeof f->host, "%.*s", SIDE_FAILURE_HOST_MAX - 1, m->qname);
}

/* The queries no answer came to, as side failures. */
static void close_other_lookups(struct facts_builder *fb)
{
    for (uint32_t i = 0; i < OTHER_LOOKUPS_PENDING; i++) {
        struct other_lookup *l = &fb->other_lookups_pending[i];
        if (!l->open)
            continue;
        l->open = false;
        struct side_failure *f = side_failure_new(fb, l->ip_version, l->client, "dns_no_answer");
        f->start_frame = f->frame = l->frame;
        snprintf(f->detail, sizeof f->detail, "no answer");
        snprintf(f->host, sizeof f->host, "%s", l->name);
    }
}

void record_handshake_window(struct facts_builder *fb, const struct conn_record *rec)
{
    const struct conn_track *t = rec->t;
    const char *unknown;
    const char *stage = conn_outcome(&rec->conn, t, &unknown);
    if (!stage || strcmp(stage, "tls_handshake") || !t->server_hello || fb->window_count >= FACTS_MAX_KEPT_CONNS)
        return;
    uint64_t from = t->server_hello->frame, to = UINT64_MAX;
    uint64_t ends[] = { t->first_alert_frame[SIDE_CLIENT], t->fin_frame[SIDE_CLIENT],
                        t->rst_frame && t->rst_side == SIDE_CLIENT ? t->rst_frame : 0 };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (ends[i] > from && ends[i] < to)
            to = ends[i];
    struct handshake_window *w = &fb->windows[fb->window_count++];
    *w = (struct handshake_window){ .conn_id = rec->conn.id, .from_frame = from, .to_frame = to,
                                    .ip_version = rec->conn.ip_version };
    memcpy(w->client, rec->conn.end[SIDE_CLIENT].addr, 16);
}

static struct handshake_window *window_of(struct facts_builder *fb, const struct side_failure *f)
{
    for (uint32_t i = 0; i < fb->window_count; i++) {
        struct handshake_window *w = &fb->windows[i];
        if (w->ip_version == f->ip_version && !memcmp(w->client, f->client, 16) && f->start_frame > w->from_frame &&
            f->start_frame < w->to_frame)
            return w;
    }
    return NULL;
}

static cJSON *failed_connect_json(const struct failed_connect *f)
{
    cJSON *o = cJSON_CreateObject();
    add_server_members(o, f->ip_version, &f->server);
    if (f->server_name)
        json_add_string(o, "server_name", f->server_name);
    json_add_u64(o, "syn_frame", f->syn_frame);
    json_add_u64(o, "syn_count", f->syn_count);
    json_add_string(o, "result", f->refused ? "refused" : "no answer");
    if (f->rst_frame)
        json_add_u64(o, "rst_frame", f->rst_frame);
    json_add_bool(o, "proxy_port", f->proxy_port);
    return o;
}

/* Every failed connect, and those to a proxy port apart: there a failed
 * connect means the proxy is unreachable. */
static void add_failed_connects(struct facts_builder *fb, cJSON *capture)
{
    cJSON *failed = json_add_array(capture, "failed_connects");
    cJSON *to_proxy = json_add_array(capture, "proxy_connect_failures");
    for (uint32_t i = 0; i < fb->failed_connect_count; i++) {
        const struct failed_connect *f = &fb->failed_connects[i];
        cJSON_AddItemToArray(failed, failed_connect_json(f));
        if (f->proxy_port)
            cJSON_AddItemToArray(to_proxy, failed_connect_json(f));
    }
}

void failed_connects_free(struct facts_builder *fb)
{
    for (uint32_t i = 0; i < fb->failed_connect_count; i++)
        free(fb->failed_connects[i].server_name);
    fb->failed_connect_count = 0;
}

/* How the target's lookups failed, from the lookup that says most: an
 * error response, else a query nobody answered. Each means another thing
 * and another team: a name that does not exist (NXDOMAIN), a resolver that
 * could not get an answer (SERVFAIL), one that will not serve this client
 * (REFUSED), a DNS server the queries never reached (no answer). */
static void add_target_failure(const struct facts_builder *fb, cJSON *dns, int64_t end_ts)
{
    const struct pending_lookup *best = NULL;
    uint64_t queries = 0, unanswered = 0;
    for (uint32_t i = 0; i < fb->lookup_count; i++) {
        const struct pending_lookup *l = &fb->lookup_index[i];
        if (!l->of_target)
            continue;
        queries += l->query_seen;
        unanswered += !l->answered;
        /* The first error response, else the first unanswered query. */
        bool error = l->answered && l->rcode != 0;
        if (error ? !best || !best->answered : !l->answered && !best)
            best = l;
    }
    if (!best)
        return;
    cJSON *o = json_add_object(dns, "target_failure");
    const char *how = !best->answered      ? "no_answer"
                      : best->rcode == 3   ? "nxdomain"
                      : best->rcode == 2   ? "servfail"
                      : best->rcode == 5   ? "refused"
                                           : "error";
    json_add_string(o, "how", how);
    json_add_string(o, "name", best->name);
    json_add_string(o, "qtype_name", dns_type_name(best->qtype));
    char server[ADDR_TEXT_MAX];
    addr_format(best->server_ip_version, best->server, false, server, sizeof server);
    json_add_string(o, "server", server);
    if (best->query_seen)
        json_add_u64(o, "query_frame", best->query_frame);
    if (best->answered) {
        json_add_u64(o, "response_frame", best->response_frame);
        json_add_u64(o, "rcode", best->rcode);
        json_add_string(o, "rcode_name", dns_rcode_name(best->rcode));
    } else if (best->query_seen && end_ts >= best->query_ts_ns) {
        json_add_ms(o, "waited_ms", timestamp_between(end_ts, best->query_ts_ns));
    }
    json_add_u64(o, "queries", queries);
    json_add_u64(o, "unanswered", unanswered);
}

/* What the lookups of the target tell; the lookups move into it. */
static cJSON *dns_summary(struct facts_builder *fb, cJSON *lookups, int64_t end_ts)
{
    cJSON *o = cJSON_CreateObject();
    bool target_asked = false, target_resolved = false, target_failed = false;
    for (uint32_t i = 0; i < fb->lookup_count; i++) {
        const struct pending_lookup *l = &fb->lookup_index[i];
        if (!l->of_target)
            continue;
        target_asked = true;
        /* A response cut after its question says its rcode, not that no
         * address came: the answers may be in the bytes not captured. */
        if (l->answered && l->rcode == 0 && l->answers_listed > 0)
            target_resolved = true;
        else if (!l->answered || l->rcode != 0)
            target_failed = true;
    }
    json_add_bool(o, "target_asked", target_asked);
    json_add_bool(o, "target_resolved", target_resolved);
    json_add_bool(o, "target_failed", target_failed && !target_resolved);
    if (target_failed && !target_resolved)
        add_target_failure(fb, o, end_ts);
    json_add(o, "lookups", lookups);
    return o;
}

/* A revocation host that could not be reached, and how. */
struct unreachable {
    const char *host, *how, *detail;
    const char *server;            /* NULL: no connection */
    bool has_frame;
    uint64_t frame;
    uint64_t connection;           /* recognised by timing: the handshake's; 0: by the profile */
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
    json_add_string(h, "recognised_by", u->connection ? "timing" : "profile");
    if (u->connection)
        json_add_u64(h, "connection", u->connection);
    cJSON_AddItemToArray(list, h);
}

/* The side failures inside a failed handshake, oldest first. A fetch that
 * got as far as a connection says more than a lookup: a handshake's
 * failed lookups are listed only when none of its fetches failed. */
static void add_side_failures(struct facts_builder *fb, cJSON *unreachable)
{
    close_other_lookups(fb);
    for (int lookups = 0; lookups < 2; lookups++) {
        for (uint32_t k = 0; k < fb->side_failure_count; k++) {
            uint32_t i = fb->side_failure_count < SIDE_FAILURES_MAX ? k : (fb->side_failure_next + k) % SIDE_FAILURES_MAX;
            const struct side_failure *f = &fb->side_failures[i];
            if (!f->how || (strncmp(f->how, "dns", 3) == 0) != (lookups == 1))
                continue;
            struct handshake_window *w = window_of(fb, f);
            if (!w || (lookups && w->fetch_failed))
                continue;
            add_unreachable(unreachable, &(struct unreachable){ .host = f->host, .how = f->how, .detail = f->detail,
                                                                .server = f->server[0] ? f->server : NULL,
                                                                .has_frame = f->frame != 0, .frame = f->frame,
                                                                .connection = w->conn_id });
            w->fetch_failed |= !lookups;
        }
    }
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
    add_side_failures(fb, unreachable);
    json_add_bool(o, "attempted", fb->revocation_conn_count > 0 || cJSON_GetArraySize(unreachable) > 0);
    json_add_bool(o, "reachable", any_ok);
    json_add(o, "connections", revocation_conns_take(fb));
    return o;
}

void add_summaries(struct facts_builder *fb, cJSON *capture, int64_t end_ts)
{
    cJSON *dns = dns_summary(fb, fb->lookups, end_ts);
    fb->lookups = cJSON_CreateArray();
    json_add_u64(dns, "other_lookups", fb->other_lookups);
    json_add_u64(dns, "other_failed_lookups", fb->other_failed_lookups);
    json_add(capture, "dns", dns);
    json_add(capture, "revocation", revocation_summary(fb));
    /* The index points into the lookups, which now belong to the caller. */
    fb->lookup_count = 0;
    add_failed_connects(fb, capture);
    failed_connects_free(fb);
}
