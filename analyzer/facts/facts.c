#include "facts.h"
#include "addr.h"
#include "cert_cache.h"
#include "classify.h"
#include "hello_facts.h"
#include "json_build.h"
#include "json_text.h"
#include "timestamp.h"
#include "tls_names.h"
#include "x509.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum side { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

/* The names a connection gives its server, from its own bytes. */
struct conn_names {
    char sni[256];
    char connect_host[256];
    char http_host[256];
};

/* The reassembler's counters of one direction, as the facts report them. */
struct direction_counts {
    uint64_t packets, payload_packets, bytes_delivered, gap_bytes;
    uint32_t syn_count, retransmissions, dup_acks, zero_windows, gaps;
    bool limit_hit;
    uint64_t limit_frame;
};

/* What the facts need of a tcp_conn after the reassembler frees it, by role
 * (enum side): a kept connection's JSON is made at the end of the capture. */
struct conn_snapshot {
    uint64_t id;
    uint8_t ip_version;
    struct endpoint end[2];
    struct direction_counts sent[2];
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
};

/* What we follow of one connection while the pass runs: counters, the
 * hellos as plain records (hello_facts.h), and the few rarer parts
 * (certificates, alerts, CONNECT, HTTP) as JSON as they arrive. */
struct conn_track {
    cJSON *tls;                    /* "tls" facts, NULL until a TLS event */
    cJSON *proxy;                  /* "proxy" facts, NULL until a CONNECT */
    cJSON *http;                   /* "http" facts of a plain HTTP exchange */
    struct conn_names *names;      /* with the facts: NULL until they are built */
    struct client_hello_facts *client_hello;   /* the first; JSON only in the report */
    uint32_t client_hello_count;
    struct server_hello_facts *server_hello;
    struct pending_certificate {   /* by side: the message, made JSON in the report */
        uint8_t *raw;
        size_t len;
        bool tls13;
        uint64_t frame;            /* 0: none kept */
        int64_t ts_ns;
    } certificate[2];
    uint64_t syn_frame, synack_frame, rst_frame, fin_frame[2];
    int64_t syn_ts, synack_ts, rst_ts, fin_ts[2];
    int rst_side;
    int64_t client_hello_ts, server_hello_ts;
    const char *last_message;      /* handshake message names are static strings */
    int64_t last_message_ts;
    uint64_t last_message_frame;
    uint64_t ccs_frame[2];
    int64_t ccs_ts[2];
    uint64_t app_bytes[2], app_records[2], app_first_frame[2], app_last_frame[2];
    int64_t app_first_ts[2], app_last_ts[2];
    uint64_t server_app_after_client_app;    /* TLS 1.3: the server answered the client */
    uint64_t alert_records[2];
    uint64_t first_alert_frame[2];
    uint64_t first_fatal_alert_frame;
    uint64_t gap_frame;            /* the first capture hole */
    /* The answers the verdict and the summaries read, besides their JSON. */
    struct http_answer {
        bool seen;
        uint16_t status;
        uint64_t frame;
    } connect_answer,              /* the latest CONNECT response */
      http_answer;                 /* the first response to the latest plain HTTP request */
    bool tls13;
    bool handshake_done;
    int64_t handshake_done_ts;
    bool detailed;                 /* counted in facts_builder.detailed_open[pool] ... */
    uint8_t pool;
    bool left_budget;              /* ... until it closed */
    bool without_facts;            /* over --max-open-tls: only counted */
};

struct lookup_slot {
    uint8_t addr[16];
    uint8_t ip_version;
    char name[DNS_NAME_MAX];
};

/* Which connections' facts are kept when a capture holds more than fit: the
 * first and the latest of each outcome, failed and the rest apart, so a
 * failure late in a long capture of successes (or the one success after
 * many failures) is never lost, and memory does not grow with the capture.
 * The counts of what was seen stay exact. */
#define SAMPLE_FIRST 32
#define SAMPLE_LATEST 96

struct conn_record;

struct sample_group {
    struct conn_record *first[SAMPLE_FIRST];
    uint32_t first_count;
    struct conn_record *latest[SAMPLE_LATEST];  /* a ring: latest_next is the oldest once full */
    uint32_t latest_count, latest_next;
};

enum sample_outcome { OUTCOME_FAILED, OUTCOME_OTHER, OUTCOME_COUNT };

struct conn_sample {
    struct sample_group group[OUTCOME_COUNT];
    uint64_t seen;
};
_Static_assert(OUTCOME_COUNT * (SAMPLE_FIRST + SAMPLE_LATEST) == FACTS_MAX_KEPT_CONNS, "facts.h's cap");

struct facts_builder {
    struct facts_options opt;
    struct cert_cache *certs;
    struct lookup_slot *names;     /* address -> name, open addressing */
    uint32_t name_count;
    cJSON *lookups;                /* DNS lookups of targets and revocation hosts */
    struct pending_lookup {        /* each entry of lookups, as the matching and summaries read it */
        uint16_t id, qtype;
        bool answered, query_seen;
        bool of_target;            /* else of a revocation host */
        uint8_t rcode;
        uint8_t answers_listed;    /* the entry's "answers" */
        const char *name;          /* the entry's own "name" string */
        cJSON *entry;
        int64_t query_ts_ns;
        uint64_t query_frame, response_frame;
    } lookup_index[FACTS_MAX_LOOKUPS];
    uint32_t lookup_count;
    uint32_t other_lookups, other_failed_lookups;
    struct conn_sample targets;    /* connection facts of target connections */
    struct conn_sample generic;    /* TLS connections kept while no target is seen */
    cJSON *failed_connects;
    struct conn_record *revocation_conns[FACTS_MAX_FAILED_CONNECTS];   /* the latest, oldest first */
    uint32_t revocation_conn_count;
    uint64_t conns_seen, tls_conns_seen;
    /* Open connections with TLS/CONNECT/HTTP facts, in two pools of
     * max_detailed_open each: those that name a target when their facts
     * start (SNI, CONNECT target, DNS name of the server), and the rest, so
     * a busy capture's other traffic never crowds out the server's. */
    uint32_t detailed_open[2];
    uint32_t max_detailed_open;
    uint64_t conns_without_facts;
};

static const char *side_name(int side) { return side == SIDE_CLIENT ? "client" : "server"; }

/* ------------------------------------------------------------------ names */

static uint32_t addr_hash(const uint8_t *addr, uint8_t v)
{
    uint32_t h = 2166136261u ^ v;
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    return h;
}

static struct lookup_slot *name_slot(struct facts_builder *fb, const uint8_t *addr, uint8_t v, bool insert)
{
    uint32_t mask = FACTS_MAX_DNS_NAMES - 1;
    uint32_t i = addr_hash(addr, v) & mask;
    for (uint32_t probes = 0; probes < FACTS_MAX_DNS_NAMES; probes++, i = (i + 1) & mask) {
        struct lookup_slot *s = &fb->names[i];
        if (s->ip_version == 0)
            return insert ? s : NULL;
        if (s->ip_version == v && memcmp(s->addr, addr, 16) == 0)
            return s;
    }
    /* Full: the newest answer replaces whatever sits in its first slot. */
    return insert ? &fb->names[addr_hash(addr, v) & mask] : NULL;
}

static const char *name_for_addr(struct facts_builder *fb, const uint8_t *addr, uint8_t v)
{
    struct lookup_slot *s = name_slot(fb, addr, v, false);
    return s ? s->name : NULL;
}

bool facts_host_matches(const char *name, const char *const *patterns, size_t count)
{
    if (!name || !*name)
        return false;
    for (size_t i = 0; i < count; i++)
        if (fnmatch(patterns[i], name, FNM_CASEFOLD) == 0)
            return true;
    return false;
}

static bool is_target_name(const struct facts_builder *fb, const char *name)
{
    return facts_host_matches(name, fb->opt.hosts, fb->opt.host_count);
}

static bool is_revocation_name(const struct facts_builder *fb, const char *name)
{
    return facts_host_matches(name, fb->opt.revocation_hosts, fb->opt.revocation_host_count);
}

/* ------------------------------------------------------------------- DNS */

/* The latest unanswered query the response answers (same id, name, type). */
static struct pending_lookup *find_pending_lookup(struct facts_builder *fb, const struct dns_message *m)
{
    for (uint32_t i = fb->lookup_count; i-- > 0;) {
        struct pending_lookup *l = &fb->lookup_index[i];
        if (!l->answered && l->id == m->id && l->qtype == m->qtype && !strcmp(l->name, m->qname))
            return l;
    }
    return NULL;
}

static void remember_answers(struct facts_builder *fb, const struct dns_message *m)
{
    for (int i = 0; i < m->answers_kept; i++) {
        const struct dns_answer *a = &m->answers[i];
        if (a->type != DNS_TYPE_A && a->type != DNS_TYPE_AAAA)
            continue;
        uint8_t v = a->type == DNS_TYPE_A ? 4 : 6;
        uint8_t addr[16] = { 0 };
        memcpy(addr, a->addr, v == 4 ? 4 : 16);
        struct lookup_slot *s = name_slot(fb, addr, v, true);
        if (s->ip_version == 0)
            fb->name_count++;
        s->ip_version = v;
        memcpy(s->addr, addr, 16);
        snprintf(s->name, sizeof s->name, "%s", m->qname);
    }
}

/* The answers as text; *listed: how many. */
static cJSON *answers_json(const struct dns_message *m, uint8_t *listed)
{
    cJSON *arr = cJSON_CreateArray();
    *listed = 0;
    for (int i = 0; i < m->answers_kept; i++) {
        const struct dns_answer *a = &m->answers[i];
        char text[DNS_NAME_MAX + 16];
        if (a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA)
            addr_format(a->type == DNS_TYPE_A ? 4 : 6, a->addr, false, text, sizeof text);
        else if (a->target[0])
            snprintf(text, sizeof text, "%s %s", dns_type_name(a->type), a->target);
        else
            continue;
        cJSON_AddItemToArray(arr, cJSON_CreateString(text));
        ++*listed;
    }
    return arr;
}

static void on_dns(struct facts_builder *fb, const struct event *ev)
{
    const struct dns_message *m = ev->u.dns->msg;
    if (m->is_response && m->rcode == 0)
        remember_answers(fb, m);
    bool relevant = is_target_name(fb, m->qname) || is_revocation_name(fb, m->qname);
    if (!relevant) {
        if (m->is_response) {
            fb->other_lookups++;
            if (m->rcode)
                fb->other_failed_lookups++;
        }
        return;
    }
    struct pending_lookup *pending = m->is_response ? find_pending_lookup(fb, m) : NULL;
    if (!pending) {
        if (fb->lookup_count >= FACTS_MAX_LOOKUPS)
            return;
        cJSON *entry = cJSON_CreateObject();
        json_add_string(entry, "name", m->qname);
        json_add_u64(entry, "qtype", m->qtype);
        json_add_string(entry, "qtype_name", dns_type_name(m->qtype));
        json_add_u64(entry, "id", m->id);
        bool of_target = is_target_name(fb, m->qname);
        json_add_string(entry, "role", of_target ? "target" : "revocation");
        if (!m->is_response) {
            json_add_u64(entry, "query_frame", ev->frame);
            json_add_number(entry, "query_ts_ns", (double)ev->ts_ns);
        }
        cJSON_AddItemToArray(fb->lookups, entry);
        pending = &fb->lookup_index[fb->lookup_count++];
        *pending = (struct pending_lookup){ .id = m->id, .qtype = m->qtype, .of_target = of_target,
                                            .name = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "name")),
                                            .entry = entry, .query_seen = !m->is_response, .query_ts_ns = ev->ts_ns,
                                            .query_frame = ev->frame };
    }
    if (!m->is_response)
        return;
    pending->answered = true;
    pending->rcode = m->rcode;
    pending->response_frame = ev->frame;
    cJSON *entry = pending->entry;
    json_add_u64(entry, "response_frame", ev->frame);
    json_add_u64(entry, "rcode", m->rcode);
    json_add_string(entry, "rcode_name", dns_rcode_name(m->rcode));
    json_add(entry, "answers", answers_json(m, &pending->answers_listed));
    if (pending->query_seen)
        json_add_ms(entry, "rtt_ms", timestamp_between(ev->ts_ns, pending->query_ts_ns));
}

/* --------------------------------------------------------------- tracking */

static struct conn_track *track(const struct event *ev)
{
    struct tcp_conn *c = ev->conn;
    if (!c->consumer)
        c->consumer = calloc(1, sizeof(struct conn_track));
    return c->consumer;
}

static int event_side(const struct event *ev)
{
    return ev->sender == conn_client(ev->conn) ? SIDE_CLIENT : SIDE_SERVER;
}

static cJSON *tls_obj(struct conn_track *t)
{
    if (!t->tls) {
        t->tls = cJSON_CreateObject();
        json_add(t->tls, "alerts", cJSON_CreateArray());
    }
    return t->tls;
}

static void note_message(struct conn_track *t, const char *name, const struct event *ev)
{
    t->last_message = name;
    t->last_message_ts = ev->ts_ns;
    t->last_message_frame = ev->frame;
}

static void on_client_hello(struct conn_track *t, const struct event *ev, int64_t conn_start)
{
    const struct tls_client_hello *ch = ev->u.client_hello;
    tls_obj(t);
    note_message(t, "client_hello", ev);
    /* The first hello is the one that tells; a second follows an HRR. */
    if (t->client_hello_count++)
        return;
    t->client_hello_ts = ev->ts_ns;
    t->client_hello = client_hello_facts_record(ch, ev->frame, timestamp_between(ev->ts_ns, conn_start));
    if (t->client_hello && t->client_hello->has_sni)
        snprintf(t->names->sni, sizeof t->names->sni, "%s", t->client_hello->sni);
}

static void on_server_hello(struct conn_track *t, const struct event *ev, int64_t conn_start)
{
    const struct tls_server_hello *sh = ev->u.server_hello;
    cJSON *tls = tls_obj(t);
    if (sh->is_hello_retry_request) {
        note_message(t, "hello_retry_request", ev);
        cJSON *o = json_add_object(tls, "hello_retry_request");
        json_add_u64(o, "frame", ev->frame);
        json_add_u64(o, "cipher_suite", sh->cipher_suite);
        json_add_u64(o, "group", sh->key_share_group);
        return;
    }
    note_message(t, "server_hello", ev);
    if (t->server_hello)
        return;
    t->server_hello_ts = ev->ts_ns;
    t->server_hello = server_hello_facts_record(sh, ev->frame, timestamp_between(ev->ts_ns, conn_start));
    t->tls13 = t->server_hello && t->server_hello->version == 0x0304;
}

static cJSON *cert_json(const struct cert_summary *cs, int64_t now_s)
{
    cJSON *o = cJSON_CreateObject();
    char when[32];
    json_add_string(o, "subject", cs->subject);
    json_add_string(o, "issuer", cs->issuer);
    json_add_string(o, "subject_cn", cs->subject_cn);
    json_add_string(o, "issuer_cn", cs->issuer_cn);
    json_add_string(o, "serial", cs->serial_hex);
    x509_format_time(cs->not_before, when, sizeof when);
    json_add_string(o, "not_before", when);
    x509_format_time(cs->not_after, when, sizeof when);
    json_add_string(o, "not_after", when);
    json_add_bool(o, "expired", cs->not_after < now_s);
    json_add_bool(o, "not_yet_valid", cs->not_before > now_s);
    cJSON *san = json_add_array(o, "san");
    for (int i = 0; i < cs->san_count; i++)
        cJSON_AddItemToArray(san, cJSON_CreateString(cs->san[i]));
    cJSON *ocsp = json_add_array(o, "ocsp");
    for (int i = 0; i < cs->ocsp_count; i++)
        cJSON_AddItemToArray(ocsp, cJSON_CreateString(cs->ocsp_urls[i]));
    cJSON *crl = json_add_array(o, "crl");
    for (int i = 0; i < cs->crl_count; i++)
        cJSON_AddItemToArray(crl, cJSON_CreateString(cs->crl_urls[i]));
    json_add_string(o, "key", cs->key_type);
    json_add_u64(o, "key_bits", (uint64_t)cs->key_bits);
    json_add_string(o, "signature_algorithm", cs->signature_algorithm);
    json_add_bool(o, "self_signed", cs->self_signed);
    json_add_bool(o, "ca", cs->is_ca);
    char hex[2 * sizeof cs->sha256 + 1];
    hex_from_bytes(cs->sha256, sizeof cs->sha256, hex);
    json_add_string(o, "sha256", hex);
    return o;
}

/* The "certificate" facts of a Certificate message seen in frame at ts_ns. */
static cJSON *certificate_json(struct facts_builder *fb, const uint8_t *body, size_t len, bool tls13,
                               uint64_t frame, int64_t ts_ns)
{
    enum parse_status st;
    const struct cert_chain *chain = cert_cache_parse(fb->certs, body, len, tls13, &st);
    if (!chain)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    json_add_u64(o, "frame", frame);
    json_add_u64(o, "count", chain->total);
    json_add_u64(o, "undecodable", chain->undecodable);
    json_add_bool(o, "malformed", st != PARSE_OK);
    int64_t now_s = ts_ns / 1000000000LL;
    cJSON *arr = json_add_array(o, "chain");
    bool any_expired = false;
    for (int i = 0; i < chain->count; i++) {
        cJSON_AddItemToArray(arr, cert_json(&chain->certs[i], now_s));
        if (chain->certs[i].not_after < now_s || chain->certs[i].not_before > now_s)
            any_expired = true;
    }
    json_add_bool(o, "leaf_expired", chain->count && chain->certs[0].not_after < now_s);
    json_add_bool(o, "any_outside_validity", any_expired);
    if (chain->count) {
        const struct cert_summary *last = &chain->certs[chain->count - 1];
        json_add_string(o, "leaf_issuer", chain->certs[0].issuer);
        json_add_string(o, "top_issuer", last->issuer);
        json_add_string(o, "top_issuer_cn", last->issuer_cn);
        json_add_bool(o, "includes_self_signed_root", last->self_signed);
    }
    return o;
}

/* A Certificate message up to this size is kept as bytes and made JSON
 * only for a reported connection (through the chain cache); a larger one
 * at once. */
#define CERT_RAW_MAX 16384

static void on_certificate(struct facts_builder *fb, struct conn_track *t, const struct event *ev, int side)
{
    cJSON *tls = tls_obj(t);
    note_message(t, "certificate", ev);
    struct pending_certificate *pc = &t->certificate[side];
    const char *key = side == SIDE_SERVER ? "certificate" : "client_certificate";
    if (pc->frame || cJSON_GetObjectItem(tls, key))
        return;
    const struct tls_certificate_msg *m = ev->u.certificate;
    if (m->len <= CERT_RAW_MAX && (pc->raw = malloc(m->len ? m->len : 1))) {
        memcpy(pc->raw, m->body, m->len);
        pc->len = m->len;
        pc->tls13 = m->tls13;
        pc->frame = ev->frame;
        pc->ts_ns = ev->ts_ns;
        return;
    }
    json_add(tls, key, certificate_json(fb, m->body, m->len, m->tls13, ev->frame, ev->ts_ns));
}

/* The certificates kept as bytes, as JSON into tls. */
static void render_certificates(struct facts_builder *fb, struct conn_track *t, cJSON *tls)
{
    static const char *const keys[2] = { [SIDE_CLIENT] = "client_certificate", [SIDE_SERVER] = "certificate" };
    for (int side = 0; side < 2; side++) {
        struct pending_certificate *pc = &t->certificate[side];
        if (pc->frame)
            json_add(tls, keys[side], certificate_json(fb, pc->raw, pc->len, pc->tls13, pc->frame, pc->ts_ns));
    }
}

static void on_alert(struct conn_track *t, const struct event *ev, int side)
{
    const struct tls_alert *a = ev->u.alert;
    cJSON *alerts = cJSON_GetObjectItem(tls_obj(t), "alerts");
    t->alert_records[side]++;
    if (!t->first_alert_frame[side])
        t->first_alert_frame[side] = ev->frame;
    if (cJSON_GetArraySize(alerts) >= 16)
        return;
    cJSON *o = cJSON_CreateObject();
    json_add_u64(o, "frame", ev->frame);
    json_add_string(o, "sender", side_name(side));
    json_add_bool(o, "encrypted", a->encrypted);
    if (!a->encrypted) {
        json_add_u64(o, "level", a->level);
        const char *lname = tls_alert_level_name(a->level);
        json_add_string(o, "level_name", lname ? lname : "unknown");
        json_add_u64(o, "description", a->description);
        const char *dname = tls_alert_name(a->description);
        json_add_string(o, "description_name", dname ? dname : "unknown");
        if (a->level == 2 && !t->first_fatal_alert_frame)
            t->first_fatal_alert_frame = ev->frame;
    }
    if (t->last_message) {
        json_add_string(o, "after", t->last_message);
        json_add_u64(o, "after_frame", t->last_message_frame);
        json_add_ms(o, "ms_after", timestamp_between(ev->ts_ns, t->last_message_ts));
    }
    json_add_bool(o, "before_handshake_done", !t->handshake_done);
    cJSON_AddItemToArray(alerts, o);
}

static void on_app_data(struct conn_track *t, const struct event *ev, int side)
{
    if (!t->app_records[side]) {
        t->app_first_frame[side] = ev->frame;
        t->app_first_ts[side] = ev->ts_ns;
    }
    t->app_records[side]++;
    t->app_bytes[side] += ev->length;
    t->app_last_frame[side] = ev->frame;
    t->app_last_ts[side] = ev->ts_ns;
    if (side == SIDE_SERVER && t->app_records[SIDE_CLIENT])
        t->server_app_after_client_app++;
    if (!t->handshake_done) {
        /* TLS <= 1.2: both ChangeCipherSpecs came before. TLS 1.3: the
         * client's Finished is its first record; the server answering
         * after it, or a second client record, means the client accepted. */
        bool done = t->tls13 ? (t->app_records[SIDE_CLIENT] >= 2 || t->server_app_after_client_app)
                             : (t->ccs_frame[SIDE_CLIENT] && t->ccs_frame[SIDE_SERVER]);
        if (done) {
            t->handshake_done = true;
            t->handshake_done_ts = ev->ts_ns;
        }
    }
    note_message(t, "application_data", ev);
}

static void on_tls_problem(struct conn_track *t, const struct event *ev)
{
    cJSON *problems = cJSON_GetObjectItem(tls_obj(t), "problems");
    if (!problems)
        problems = json_add_array(t->tls, "problems");
    if (cJSON_GetArraySize(problems) >= 8)
        return;
    cJSON *o = cJSON_CreateObject();
    json_add_u64(o, "frame", ev->frame);
    json_add_string(o, "kind", ev->type == EV_TLS_LIMIT ? "limit" : "malformed");
    json_add_string(o, "what", ev->u.problem ? ev->u.problem : "?");
    cJSON_AddItemToArray(problems, o);
}

/* The host part of "host:port" or "[v6]:port", or of an absolute URI's
 * authority ("http://host:port/path"), into out. */
static void host_of(const char *text, char *out, size_t outlen)
{
    const char *start = strstr(text, "://");
    start = start ? start + 3 : text;
    size_t len = strcspn(start, "/?#");
    if (len && start[0] == '[') {
        const char *close = memchr(start, ']', len);
        len = close ? (size_t)(close - start - 1) : len - 1;
        start++;
    } else {
        const char *colon = memchr(start, ':', len);
        if (colon)
            len = (size_t)(colon - start);
    }
    snprintf(out, outlen, "%.*s", (int)len, start);
}

static void on_connect_request(struct conn_track *t, const struct event *ev)
{
    const struct http_request *r = ev->u.connect_request;
    if (!t->proxy)
        t->proxy = cJSON_CreateObject();
    cJSON *attempts = cJSON_GetObjectItem(t->proxy, "attempts");
    if (attempts) {
        cJSON_SetNumberValue(attempts, attempts->valuedouble + 1);
    } else {
        json_add_u64(t->proxy, "attempts", 1);
    }
    char target[256];
    text_from_wire(target, sizeof target, r->target.data, r->target.len);
    cJSON_DeleteItemFromObject(t->proxy, "target");
    json_add_string(t->proxy, "target", target);
    cJSON_DeleteItemFromObject(t->proxy, "request_frame");
    json_add_u64(t->proxy, "request_frame", ev->frame);
    cJSON_DeleteItemFromObject(t->proxy, "authorization_sent");
    json_add_bool(t->proxy, "authorization_sent", r->has_proxy_authorization);
    host_of(target, t->names->connect_host, sizeof t->names->connect_host);
}

static void add_wire_text(cJSON *o, const char *key, struct wire_bytes b)
{
    if (!b.data || !b.len)
        return;
    char text[256];
    text_from_wire(text, sizeof text, b.data, b.len);
    json_add_string(o, key, text);
}

static void on_connect_response(struct conn_track *t, const struct event *ev)
{
    const struct http_response *r = ev->u.connect_response;
    if (!t->proxy)
        t->proxy = cJSON_CreateObject();
    static const char *const replaced[] = { "status", "reason", "response_frame", "auth_schemes",
                                            "via", "error", "server" };
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0]; i++)
        cJSON_DeleteItemFromObject(t->proxy, replaced[i]);
    json_add_u64(t->proxy, "status", r->status);
    t->connect_answer = (struct http_answer){ .seen = true, .status = r->status, .frame = ev->frame };
    add_wire_text(t->proxy, "reason", r->reason);
    json_add_u64(t->proxy, "response_frame", ev->frame);
    cJSON *schemes = json_add_array(t->proxy, "auth_schemes");
    for (int i = 0; i < r->auth_scheme_count; i++) {
        char text[64];
        text_from_wire(text, sizeof text, r->auth_schemes[i].data, r->auth_schemes[i].len);
        cJSON_AddItemToArray(schemes, cJSON_CreateString(text));
    }
    add_wire_text(t->proxy, "via", r->via);
    add_wire_text(t->proxy, "error", r->proxy_error);
    add_wire_text(t->proxy, "server", r->server);
    /* Every answer is kept in order: a 407 before a 200 tells the story. */
    cJSON *history = cJSON_GetObjectItem(t->proxy, "responses");
    if (!history)
        history = json_add_array(t->proxy, "responses");
    if (cJSON_GetArraySize(history) < 8) {
        cJSON *h = cJSON_CreateObject();
        json_add_u64(h, "frame", ev->frame);
        json_add_u64(h, "status", r->status);
        cJSON_AddItemToArray(history, h);
    }
}

static void on_http_request(struct conn_track *t, const struct event *ev)
{
    const struct http_request *r = ev->u.connect_request;
    cJSON_Delete(t->http);
    t->http = cJSON_CreateObject();
    t->http_answer = (struct http_answer){ 0 };
    json_add_u64(t->http, "request_frame", ev->frame);
    add_wire_text(t->http, "method", r->method);
    add_wire_text(t->http, "target", r->target);
    add_wire_text(t->http, "host", r->host);
    /* A request to a proxy names the server in its absolute URI; a request
     * to the server itself in its Host header. */
    const char *named = cJSON_GetStringValue(cJSON_GetObjectItem(t->http, "host"));
    const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(t->http, "target"));
    if (target && strstr(target, "://"))
        named = target;
    if (named)
        host_of(named, t->names->http_host, sizeof t->names->http_host);
}

static void on_http_response(struct conn_track *t, const struct event *ev)
{
    const struct http_response *r = ev->u.connect_response;
    if (!t->http)
        t->http = cJSON_CreateObject();
    json_add_u64(t->http, "response_frame", ev->frame);
    json_add_u64(t->http, "status", r->status);
    /* A second response adds its members again; readers of the JSON see the first. */
    if (!t->http_answer.seen)
        t->http_answer = (struct http_answer){ .seen = true, .status = r->status, .frame = ev->frame };
    add_wire_text(t->http, "reason", r->reason);
    add_wire_text(t->http, "via", r->via);
    add_wire_text(t->http, "error", r->proxy_error);
}

static void on_tcp(struct conn_track *t, const struct event *ev, int side)
{
    switch (ev->u.tcp_kind) {
    case TCP_EV_SYN:
        if (!t->syn_frame) {
            t->syn_frame = ev->frame;
            t->syn_ts = ev->ts_ns;
        }
        break;
    case TCP_EV_SYNACK:
        if (!t->synack_frame) {
            t->synack_frame = ev->frame;
            t->synack_ts = ev->ts_ns;
        }
        break;
    case TCP_EV_FIN:
        if (!t->fin_frame[side]) {
            t->fin_frame[side] = ev->frame;
            t->fin_ts[side] = ev->ts_ns;
        }
        break;
    case TCP_EV_RST:
        if (!t->rst_frame) {
            t->rst_frame = ev->frame;
            t->rst_ts = ev->ts_ns;
            t->rst_side = side;
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------ connection facts */

static void direction_counts_take(struct direction_counts *d, const struct tcp_half *h)
{
    *d = (struct direction_counts){ .packets = h->packets, .payload_packets = h->payload_packets,
                                    .bytes_delivered = h->bytes_delivered, .gap_bytes = h->gap_bytes,
                                    .syn_count = h->syn_count, .retransmissions = h->retransmissions,
                                    .dup_acks = h->dup_acks, .zero_windows = h->zero_windows, .gaps = h->gaps,
                                    .limit_hit = h->limit_hit, .limit_frame = h->limit_frame };
}

static void conn_snapshot_take(struct conn_snapshot *s, struct tcp_conn *c)
{
    int client = conn_client(c);
    s->id = c->id;
    s->ip_version = c->ip_version;
    s->end[SIDE_CLIENT] = c->ep[client];
    s->end[SIDE_SERVER] = c->ep[1 - client];
    direction_counts_take(&s->sent[SIDE_CLIENT], &c->half[client]);
    direction_counts_take(&s->sent[SIDE_SERVER], &c->half[1 - client]);
    s->first_frame = c->first_frame;
    s->last_frame = c->last_frame;
    s->first_ts = c->first_ts;
    s->last_ts = c->last_ts;
}

static void endpoint_text(uint8_t ip_version, const struct endpoint *e, char *buf, size_t len, bool with_port)
{
    char a[ADDR_TEXT_MAX];
    addr_format(ip_version, e->addr, with_port, a, sizeof a);
    if (with_port)
        snprintf(buf, len, "%s:%u", a, e->port);
    else
        snprintf(buf, len, "%s", a);
}

/* A client that sends data got its SYN-ACK, captured or not. */
static bool conn_connected(const struct conn_snapshot *c, const struct conn_track *t)
{
    return t->synack_frame || c->sent[SIDE_SERVER].payload_packets || c->sent[SIDE_CLIENT].payload_packets;
}

static cJSON *tcp_json(const struct conn_snapshot *c, const struct conn_track *t)
{
    const struct direction_counts *ch = &c->sent[SIDE_CLIENT], *sh = &c->sent[SIDE_SERVER];
    cJSON *o = cJSON_CreateObject();
    if (t->syn_frame)
        json_add_u64(o, "syn_frame", t->syn_frame);
    json_add_u64(o, "syn_count", ch->syn_count);
    if (t->synack_frame)
        json_add_u64(o, "synack_frame", t->synack_frame);
    json_add_bool(o, "connected", conn_connected(c, t));
    if (t->rst_frame) {
        cJSON *rst = json_add_object(o, "rst");
        json_add_u64(rst, "frame", t->rst_frame);
        json_add_string(rst, "from", side_name(t->rst_side));
    }
    if (t->fin_frame[SIDE_CLIENT])
        json_add_u64(o, "fin_client_frame", t->fin_frame[SIDE_CLIENT]);
    if (t->fin_frame[SIDE_SERVER])
        json_add_u64(o, "fin_server_frame", t->fin_frame[SIDE_SERVER]);
    const char *closed_by = NULL, *close = "open";
    if (t->rst_frame && (!t->fin_frame[0] || t->rst_frame <= t->fin_frame[0]) &&
        (!t->fin_frame[1] || t->rst_frame <= t->fin_frame[1])) {
        closed_by = side_name(t->rst_side);
        close = "rst";
    } else if (t->fin_frame[0] || t->fin_frame[1]) {
        bool client_first = t->fin_frame[0] && (!t->fin_frame[1] || t->fin_frame[0] <= t->fin_frame[1]);
        closed_by = client_first ? "client" : "server";
        close = "fin";
    }
    json_add_string(o, "close", close);
    if (closed_by)
        json_add_string(o, "closed_by", closed_by);
    json_add_u64(o, "retransmissions", ch->retransmissions + sh->retransmissions);
    json_add_u64(o, "dup_acks", ch->dup_acks + sh->dup_acks);
    json_add_u64(o, "zero_windows", ch->zero_windows + sh->zero_windows);
    json_add_u64(o, "bytes_c2s", ch->bytes_delivered);
    json_add_u64(o, "bytes_s2c", sh->bytes_delivered);
    json_add_u64(o, "packets_c2s", ch->packets);
    json_add_u64(o, "packets_s2c", sh->packets);
    json_add_u64(o, "gaps", ch->gaps + sh->gaps);
    json_add_u64(o, "gap_bytes", ch->gap_bytes + sh->gap_bytes);
    if (t->gap_frame)
        json_add_u64(o, "first_gap_frame", t->gap_frame);
    if (ch->limit_hit || sh->limit_hit)
        json_add_u64(o, "reassembly_limit_frame", ch->limit_hit ? ch->limit_frame : sh->limit_frame);
    return o;
}

static void finish_tls(cJSON *tls, const struct conn_track *t)
{
    if (t->client_hello) {
        json_add_u64(tls, "client_hello_count", t->client_hello_count);
        json_add(tls, "client_hello", client_hello_facts_json(t->client_hello));
    }
    if (t->server_hello)
        json_add(tls, "server_hello", server_hello_facts_json(t->server_hello));
    json_add_bool(tls, "handshake_complete", t->handshake_done);
    json_add_bool(tls, "tls13", t->tls13);
    if (t->ccs_frame[SIDE_CLIENT])
        json_add_u64(tls, "ccs_client_frame", t->ccs_frame[SIDE_CLIENT]);
    if (t->ccs_frame[SIDE_SERVER])
        json_add_u64(tls, "ccs_server_frame", t->ccs_frame[SIDE_SERVER]);
    cJSON *app = json_add_object(tls, "app_data");
    json_add_u64(app, "c2s_bytes", t->app_bytes[SIDE_CLIENT]);
    json_add_u64(app, "s2c_bytes", t->app_bytes[SIDE_SERVER]);
    json_add_u64(app, "c2s_records", t->app_records[SIDE_CLIENT]);
    json_add_u64(app, "s2c_records", t->app_records[SIDE_SERVER]);
    if (t->app_records[SIDE_SERVER]) {
        json_add_u64(app, "s2c_first_frame", t->app_first_frame[SIDE_SERVER]);
        json_add_u64(app, "s2c_last_frame", t->app_last_frame[SIDE_SERVER]);
    }
    json_add_u64(tls, "alert_records_client", t->alert_records[SIDE_CLIENT]);
    json_add_u64(tls, "alert_records_server", t->alert_records[SIDE_SERVER]);
    const cJSON *alerts = cJSON_GetObjectItem(tls, "alerts");
    const cJSON *a;
    cJSON_ArrayForEach(a, alerts) {
        if (!cJSON_IsTrue(cJSON_GetObjectItem(a, "encrypted"))) {
            json_add(tls, "first_alert", cJSON_Duplicate(a, true));
            break;
        }
    }
    if (t->last_message)
        json_add_string(tls, "last_message", t->last_message);
}

static bool transfer_interrupted(const struct conn_track *t);

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

static bool http_success(const struct http_answer *a)
{
    return a->status >= 200 && a->status < 300;
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

/* The stage the connection failed at, or NULL: it worked, or the capture
 * cannot tell (then *unknown says why). */
static const char *conn_outcome(const struct conn_snapshot *c, const struct conn_track *t, const char **unknown)
{
    *unknown = t->proxy ? NULL : unknown_reason(c, t);
    return *unknown ? NULL : failed_stage(t, conn_connected(c, t));
}

static bool conn_failed(const struct conn_snapshot *c, const struct conn_track *t)
{
    const char *unknown;
    return conn_outcome(c, t, &unknown) != NULL;
}

/* The connection's facts; its track's JSON parts move into them. */
static cJSON *conn_json(struct facts_builder *fb, const struct conn_snapshot *c, struct conn_track *t,
                        const struct flow_class *fc, const char *server_name, const char *name_source,
                        const char *matched_by)
{
    const struct endpoint *server = &c->end[SIDE_SERVER];
    cJSON *o = cJSON_CreateObject();
    char text[CONN_TEXT_MAX];
    json_add_u64(o, "id", c->id);
    endpoint_text(c->ip_version, &c->end[SIDE_CLIENT], text, sizeof text, true);
    json_add_string(o, "client", text);
    endpoint_text(c->ip_version, server, text, sizeof text, true);
    json_add_string(o, "server", text);
    endpoint_text(c->ip_version, server, text, sizeof text, false);
    json_add_string(o, "server_ip", text);
    json_add_u64(o, "server_port", server->port);
    json_add_u64(o, "ip_version", c->ip_version);
    if (server_name)
        json_add_string(o, "server_name", server_name);
    if (name_source)
        json_add_string(o, "name_source", name_source);
    json_add_string(o, "matched_by", matched_by);
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
    if (t->tls) {
        render_certificates(fb, t, t->tls);
        finish_tls(t->tls, t);
        json_add(o, "tls", t->tls);
        t->tls = NULL;
    }
    json_add(o, "timings", timings_json(t));
    return o;
}

static void record_failed_connect(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t,
                                  const char *server_name)
{
    if (cJSON_GetArraySize(fb->failed_connects) >= FACTS_MAX_FAILED_CONNECTS)
        return;
    int client = conn_client(c);
    const struct endpoint *server = &c->ep[1 - client];
    cJSON *o = cJSON_CreateObject();
    char text[CONN_TEXT_MAX];
    endpoint_text(c->ip_version, server, text, sizeof text, true);
    json_add_string(o, "server", text);
    endpoint_text(c->ip_version, server, text, sizeof text, false);
    json_add_string(o, "server_ip", text);
    json_add_u64(o, "server_port", server->port);
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

/* Its facts are final (closed, ended or freed): the connection no longer
 * counts against its pool's budget of open ones. */
static void leave_budget(struct facts_builder *fb, struct conn_track *t)
{
    if (t->detailed && !t->left_budget) {
        t->left_budget = true;
        fb->detailed_open[t->pool]--;
    }
}

static void track_free(struct facts_builder *fb, struct conn_track *t)
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

static void release_track(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t)
{
    track_free(fb, t);
    c->consumer = NULL;
}

/* A connection kept for the report, until the report is made: its track
 * and the reassembler's view at its end. Its JSON is made only if it is
 * still kept when the capture ends: most connections of a long capture are
 * dropped from the sample before that. */
struct conn_record {
    struct conn_snapshot conn;
    struct flow_class class;
    bool classified;
    struct conn_track *t;
    bool has_server_name;
    char server_name[DNS_NAME_MAX];
    const char *name_source, *matched_by;   /* static strings */
};

/* Takes the track from c. */
static struct conn_record *record_new(struct tcp_conn *c, struct conn_track *t, const char *server_name,
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

static void record_free(struct facts_builder *fb, struct conn_record *rec)
{
    track_free(fb, rec->t);
    free(rec);
}

static cJSON *record_json(struct facts_builder *fb, struct conn_record *rec)
{
    return conn_json(fb, &rec->conn, rec->t, rec->classified ? &rec->class : NULL,
                     rec->has_server_name ? rec->server_name : NULL, rec->name_source, rec->matched_by);
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

static uint64_t sample_kept(const struct conn_sample *sample)
{
    uint64_t n = 0;
    for (int i = 0; i < OUTCOME_COUNT; i++)
        n += sample->group[i].first_count + sample->group[i].latest_count;
    return n;
}

/* The kept connections as a JSON array (render), or freed (no render); the
 * sample is empty afterwards. */
static cJSON *sample_take(struct facts_builder *fb, struct conn_sample *sample, bool render)
{
    cJSON *arr = render ? cJSON_CreateArray() : NULL;
    for (int i = 0; i < OUTCOME_COUNT; i++) {
        struct sample_group *g = &sample->group[i];
        for (uint32_t k = 0; k < g->first_count + g->latest_count; k++) {
            struct conn_record *rec = k < g->first_count ? g->first[k] : g->latest[k - g->first_count];
            if (render)
                cJSON_AddItemToArray(arr, record_json(fb, rec));
            record_free(fb, rec);
        }
    }
    memset(sample, 0, sizeof *sample);
    return arr;
}

static void sample_clear(struct facts_builder *fb, struct conn_sample *sample)
{
    sample_take(fb, sample, false);
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

static void on_conn_end(struct facts_builder *fb, struct tcp_conn *c)
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

/* The events that build a connection's JSON facts (the rest are counters). */
static bool builds_facts(enum event_type type)
{
    return type != EV_TCP && type != EV_STREAM_GAP && type != EV_HANDSHAKE_OTHER;
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
static bool may_build_facts(struct facts_builder *fb, struct conn_track *t, const struct event *ev)
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
static void leave_budget_when_closed(struct facts_builder *fb, struct conn_track *t)
{
    if (t->rst_frame || (t->fin_frame[SIDE_CLIENT] && t->fin_frame[SIDE_SERVER]))
        leave_budget(fb, t);
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
    case EV_CLIENT_HELLO: on_client_hello(t, ev, ev->conn->first_ts); break;
    case EV_SERVER_HELLO: on_server_hello(t, ev, ev->conn->first_ts); break;
    case EV_CERTIFICATE: on_certificate(fb, t, ev, side); break;
    case EV_HANDSHAKE_OTHER: {
        const char *name = tls_handshake_name(ev->handshake_type);
        note_message(t, name ? name : "handshake", ev);
        break;
    }
    case EV_CHANGE_CIPHER_SPEC:
        tls_obj(t);
        if (!t->ccs_frame[side]) {
            t->ccs_frame[side] = ev->frame;
            t->ccs_ts[side] = ev->ts_ns;
        }
        note_message(t, "change_cipher_spec", ev);
        break;
    case EV_ENCRYPTED_HANDSHAKE:
        tls_obj(t);
        note_message(t, side == SIDE_CLIENT ? "client_finished" : "server_finished", ev);
        if (!t->tls13 && t->ccs_frame[SIDE_CLIENT] && t->ccs_frame[SIDE_SERVER] && !t->handshake_done) {
            t->handshake_done = true;
            t->handshake_done_ts = ev->ts_ns;
        }
        break;
    case EV_ALERT: on_alert(t, ev, side); break;
    case EV_APPLICATION_DATA: tls_obj(t); on_app_data(t, ev, side); break;
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
    case EV_STREAM_GAP:
        if (!t->gap_frame)
            t->gap_frame = ev->frame;
        break;
    default:
        break;
    }
}

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
    sample_clear(fb, &fb->targets);
    sample_clear(fb, &fb->generic);
    cJSON_Delete(fb->failed_connects);
    revocation_take(fb, false);
    free(fb);
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
    json_add(o, "connections", revocation_take(fb, true));
    return o;
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
    json_add_u64(capture, "kept_connections", sample_kept(chosen));
    cJSON *conns = sample_take(fb, chosen, true);
    sample_clear(fb, generic ? &fb->targets : &fb->generic);
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
    json_add(capture, "connections", sorted_by_start(conns));
    return capture;
}
