/* A connection's TLS: hellos kept as records (hello_facts.h), certificates
 * kept as bytes until a kept connection is rendered, alerts and problems as
 * JSON as they come, and the handshake's progress: whether it completed,
 * and the last message before an alert or the end. */
#include "facts_internal.h"
#include "cert_cache.h"
#include "hello_facts.h"
#include "json_build.h"
#include "json_text.h"
#include "timestamp.h"
#include "tls_names.h"
#include "x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *tls_obj(struct conn_track *t)
{
    if (!t->tls) {
        t->tls = cJSON_CreateObject();
        json_add(t->tls, "alerts", cJSON_CreateArray());
    }
    return t->tls;
}

void on_tls_without_messages(struct conn_track *t)
{
    tls_obj(t);
}

static void note_message(struct conn_track *t, const char *name, const struct event *ev)
{
    t->last_message = name;
    t->last_message_ts = ev->ts_ns;
    t->last_message_frame = ev->frame;
}

void on_client_hello(struct conn_track *t, const struct event *ev)
{
    const struct tls_client_hello *ch = ev->u.client_hello;
    tls_obj(t);
    note_message(t, "client_hello", ev);
    /* The first hello is the one that tells; a second follows an HRR. */
    if (t->client_hello_count++)
        return;
    t->client_hello_ts = ev->ts_ns;
    t->client_hello = client_hello_facts_record(ch, ev->frame, timestamp_between(ev->ts_ns, ev->conn->first_ts));
    if (t->client_hello && t->client_hello->has_sni)
        snprintf(t->names->sni, sizeof t->names->sni, "%s", t->client_hello->sni);
}

void on_server_hello(struct conn_track *t, const struct event *ev)
{
    const struct tls_server_hello *sh = ev->u.server_hello;
    cJSON *tls = tls_obj(t);
    if (sh->is_hello_retry_request) {
        note_message(t, "hello_retry_request", ev);
        cJSON *o = json_add_object(tls, "hello_retry_request");
        json_add_u64(o, "frame", ev->frame);
        json_add_conn_time(o, "time_ms", ev->ts_ns, ev->conn->first_ts);
        json_add_u64(o, "cipher_suite", sh->cipher_suite);
        json_add_u64(o, "group", sh->key_share_group);
        return;
    }
    note_message(t, "server_hello", ev);
    if (t->server_hello)
        return;
    t->server_hello_ts = ev->ts_ns;
    t->server_hello_ttl = ev->ip_ttl;
    t->server_hello = server_hello_facts_record(sh, ev->frame, timestamp_between(ev->ts_ns, ev->conn->first_ts));
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

/* Whether the leaf's issuer came with it: a verifier holds roots, not the
 * intermediates that link a leaf to them, so a leaf whose issuer is not
 * among the certificates sent (and that is not its own issuer) leaves the
 * client without the chain. Absent (-1) when the leaf could not be read,
 * or when certificates past those kept might hold the issuer. */
static int leaf_issuer_sent(const struct cert_chain *chain)
{
    const struct cert_summary *leaf = &chain->certs[0];
    if (!chain->count || !leaf->decoded)
        return -1;
    if (leaf->self_signed)
        return 1;
    for (int i = 1; i < chain->count; i++)
        if (chain->certs[i].decoded && !strcmp(chain->certs[i].subject, leaf->issuer))
            return 1;
    return chain->total > chain->count ? -1 : 0;
}

/* The leaf against the name the client asked for (NULL: none known). */
static void add_name_facts(cJSON *o, const struct cert_chain *chain, const char *reference)
{
    if (!reference || !*reference || !chain->count || !chain->certs[0].decoded)
        return;
    json_add_string(o, "names_checked_against", reference);
    enum x509_name_match m = x509_certificate_names_match(&chain->certs[0], reference);
    if (m != X509_NAME_UNKNOWN)
        json_add_bool(o, "name_matches", m == X509_NAME_MATCH);
}

/* The "certificate" facts of a Certificate message seen in frame at ts_ns,
 * on a connection whose first packet came at conn_first_ts; reference is
 * the server name the client asked for (NULL: none, or the client's own
 * certificate). */
static cJSON *certificate_json(struct facts_builder *fb, const uint8_t *body, size_t len, bool tls13,
                               uint64_t frame, int64_t ts_ns, int64_t conn_first_ts, const char *reference)
{
    enum parse_status st;
    const struct cert_chain *chain = cert_cache_parse(fb->certs, body, len, tls13, &st);
    if (!chain)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    json_add_u64(o, "frame", frame);
    json_add_conn_time(o, "time_ms", ts_ns, conn_first_ts);
    json_add_u64(o, "count", chain->total);
    json_add_u64(o, "undecodable", chain->undecodable);
    json_add_bool(o, "malformed", st != PARSE_OK);
    int64_t now_s = ts_ns / 1000000000LL;
    char when[32];
    x509_format_time(now_s, when, sizeof when);
    json_add_string(o, "checked_at", when);
    cJSON *arr = json_add_array(o, "chain");
    bool outside = false, any_expired = false, any_not_yet_valid = false;
    for (int i = 0; i < chain->count; i++) {
        const struct cert_summary *cs = &chain->certs[i];
        cJSON_AddItemToArray(arr, cert_json(cs, now_s));
        outside |= cs->not_after < now_s || cs->not_before > now_s;
        /* A certificate whose dates could not be read has none to be
         * early or late by. */
        bool dated = cs->decoded && !cs->validity_malformed;
        any_expired |= dated && cs->not_after < now_s;
        any_not_yet_valid |= dated && cs->not_before > now_s;
    }
    const struct cert_summary *leaf = chain->count ? &chain->certs[0] : NULL;
    json_add_bool(o, "leaf_expired", leaf && leaf->not_after < now_s);
    json_add_bool(o, "leaf_not_yet_valid", leaf && leaf->decoded && !leaf->validity_malformed &&
                                               leaf->not_before > now_s);
    json_add_bool(o, "any_expired", any_expired);
    json_add_bool(o, "any_not_yet_valid", any_not_yet_valid);
    json_add_bool(o, "any_outside_validity", outside);
    if (chain->count) {
        const struct cert_summary *last = &chain->certs[chain->count - 1];
        json_add_string(o, "leaf_issuer", chain->certs[0].issuer);
        json_add_string(o, "top_issuer", last->issuer);
        json_add_string(o, "top_issuer_cn", last->issuer_cn);
        json_add_bool(o, "includes_self_signed_root", last->self_signed);
    }
    int sent = leaf_issuer_sent(chain);
    if (sent >= 0)
        json_add_bool(o, "leaf_issuer_sent", sent == 1);
    add_name_facts(o, chain, reference);
    return o;
}

/* The name the client asked the server for, in on_conn_end's order: the
 * SNI, else the CONNECT target, else the DNS name of the server's address. */
static const char *asked_name(const struct facts_builder *fb, const struct conn_track *t, struct tcp_conn *c)
{
    if (t->names && t->names->sni[0])
        return t->names->sni;
    if (t->names && t->names->connect_host[0])
        return t->names->connect_host;
    return name_for_addr(fb, c->ep[1 - conn_client(c)].addr, c->ip_version);
}

/* A Certificate message up to this size is kept as bytes and made JSON
 * only for a reported connection (through the chain cache); a larger one
 * at once. */
#define CERT_RAW_MAX 16384

void on_certificate(struct facts_builder *fb, struct conn_track *t, const struct event *ev, int side)
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
        pc->decrypted = ev->decrypted;
        return;
    }
    const char *reference = side == SIDE_SERVER ? asked_name(fb, t, ev->conn) : NULL;
    cJSON *cert = json_add(tls, key, certificate_json(fb, m->body, m->len, m->tls13, ev->frame, ev->ts_ns,
                                                        ev->conn->first_ts, reference));
    if (cert && ev->decrypted)
        json_add_bool(cert, "decrypted", true);
}

/* The certificates kept as bytes, as JSON into tls; server_name is the
 * name the client asked for (NULL: none known). */
static void render_certificates(struct facts_builder *fb, struct conn_track *t, cJSON *tls, int64_t conn_first_ts,
                                const char *server_name)
{
    static const char *const keys[2] = { [SIDE_CLIENT] = "client_certificate", [SIDE_SERVER] = "certificate" };
    for (int side = 0; side < 2; side++) {
        struct pending_certificate *pc = &t->certificate[side];
        if (!pc->frame)
            continue;
        const char *reference = side == SIDE_SERVER ? server_name : NULL;
        cJSON *cert = json_add(tls, keys[side], certificate_json(fb, pc->raw, pc->len, pc->tls13, pc->frame,
                                                                pc->ts_ns, conn_first_ts, reference));
        if (cert && pc->decrypted)
            json_add_bool(cert, "decrypted", true);
    }
}

void on_handshake_other(struct conn_track *t, const struct event *ev)
{
    const char *name = tls_handshake_name(ev->handshake_type);
    note_message(t, name ? name : "handshake", ev);
    const struct tls_server_key_exchange *ske = ev->u.server_key_exchange;
    if (ev->handshake_type != TLS_HS_SERVER_KEY_EXCHANGE || !ske || t->key_exchange.frame)
        return;
    t->key_exchange.frame = ev->frame;
    t->key_exchange.kx = ske->kx;
    t->key_exchange.has_dh_bits = ske->has_dh_p;
    t->key_exchange.dh_bits = ske->dh_p_bits;
    t->key_exchange.has_group = ske->has_named_group;
    t->key_exchange.group = ske->named_group;
    t->key_exchange.malformed = ske->status != PARSE_OK;
}

static const char *kx_name(uint8_t kx)
{
    switch (kx) {
    case TLS_KX_DHE: return "dhe";
    case TLS_KX_DHE_PSK: return "dhe_psk";
    case TLS_KX_ECDHE: return "ecdhe";
    case TLS_KX_ECDHE_PSK: return "ecdhe_psk";
    default: return "other";
    }
}

static void add_key_exchange(cJSON *tls, const struct conn_track *t)
{
    if (!t->key_exchange.frame)
        return;
    cJSON *o = json_add_object(tls, "server_key_exchange");
    json_add_u64(o, "frame", t->key_exchange.frame);
    json_add_string(o, "kind", kx_name(t->key_exchange.kx));
    if (t->key_exchange.has_dh_bits)
        json_add_u64(o, "dh_bits", t->key_exchange.dh_bits);
    if (t->key_exchange.has_group) {
        json_add_u64(o, "group", t->key_exchange.group);
        const char *group = tls_group_name(t->key_exchange.group);
        if (group)
            json_add_string(o, "group_name", group);
    }
    json_add_bool(o, "malformed", t->key_exchange.malformed);
}

void on_change_cipher_spec(struct conn_track *t, const struct event *ev, int side)
{
    tls_obj(t);
    if (!t->ccs_frame[side]) {
        t->ccs_frame[side] = ev->frame;
        t->ccs_ts[side] = ev->ts_ns;
    }
    note_message(t, "change_cipher_spec", ev);
}

static void remember_opaque(struct conn_track *t, const struct event *ev, int side)
{
    t->last_opaque[side] = (struct opaque_record){ ev->frame, ev->ts_ns, ev->length, ev->tls_phase };
}

/* TLS <= 1.2: a Finished after both ChangeCipherSpecs completes the
 * handshake. TLS 1.3: the server's encrypted flight, or the client's. */
void on_encrypted_handshake(struct conn_track *t, const struct event *ev, int side)
{
    tls_obj(t);
    if (ev->tls_phase != TLS_PHASE_NONE) {
        if (!t->enc_hs_records[side]) {
            t->enc_hs_first_frame[side] = ev->frame;
            t->enc_hs_first_ts[side] = ev->ts_ns;
        }
        t->enc_hs_records[side]++;
        t->enc_hs_bytes[side] += ev->length;
        remember_opaque(t, ev, side);
        note_message(t, side == SIDE_CLIENT ? "client_finished" : "encrypted_handshake", ev);
        return;
    }
    note_message(t, side == SIDE_CLIENT ? "client_finished" : "server_finished", ev);
    if (!t->tls13 && t->ccs_frame[SIDE_CLIENT] && t->ccs_frame[SIDE_SERVER] && !t->handshake_done) {
        t->handshake_done = true;
        t->handshake_done_ts = ev->ts_ns;
    }
}

void on_alert(struct conn_track *t, const struct event *ev, int side)
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
    json_add_conn_time(o, "time_ms", ev->ts_ns, ev->conn->first_ts);
    json_add_string(o, "sender", side_name(side));
    json_add_bool(o, "encrypted", a->encrypted);
    if (ev->decrypted)
        json_add_bool(o, "decrypted", true);
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
    if (ev->ip_ttl)
        json_add_u64(o, "ip_ttl", ev->ip_ttl);
    if (ev->has_ip_id)
        json_add_u64(o, "ip_id", ev->ip_id);
    cJSON_AddItemToArray(alerts, o);
}

/* A NewSessionTicket record: the ticket, lifetime, nonce and the AEAD
 * overhead; servers send one to four right after the client's Finished. */
#define TICKET_RECORD_MAX 512
#define TICKET_RUN_MAX 4

static void take_tickets(struct conn_track *t)
{
    t->ticket_run_over = true;
    if (t->ticket_run_records < 2)
        return;
    t->tickets_records = t->ticket_run_records;
    t->tickets_bytes = t->ticket_run_bytes;
    t->tickets_first_frame = t->ticket_run_first_frame;
    t->tickets_first_ts = t->ticket_run_first_ts;
    t->app_records[SIDE_SERVER] -= t->ticket_run_records;
    t->app_bytes[SIDE_SERVER] -= t->ticket_run_bytes;
    if (!t->app_records[SIDE_SERVER])
        t->app_first_frame[SIDE_SERVER] = 0;
}

/* Without keys a ticket looks like data. What gives tickets away: a server
 * sends its tickets first, several of one size (OpenSSL two, of equal
 * length), before it answers. So the server's first records after the
 * client's flight, when two or more are small and of one length and another
 * record (or the end) follows, are taken for tickets; anything else stays
 * data. Only keys could say for sure. */
static void count_likely_tickets(struct conn_track *t, const struct event *ev)
{
    if (t->ticket_run_over)
        return;
    bool same = !t->ticket_run_records || ev->length * t->ticket_run_records == t->ticket_run_bytes;
    if (ev->length <= TICKET_RECORD_MAX && same && t->ticket_run_records < TICKET_RUN_MAX) {
        if (!t->ticket_run_records) {
            t->ticket_run_first_frame = ev->frame;
            t->ticket_run_first_ts = ev->ts_ns;
        }
        t->ticket_run_records++;
        t->ticket_run_bytes += ev->length;
        return;
    }
    take_tickets(t);
}

void on_app_data(struct conn_track *t, const struct event *ev, int side)
{
    tls_obj(t);
    if (ev->tls_phase == TLS_PHASE_AFTER_HANDSHAKE && side == SIDE_SERVER)
        count_likely_tickets(t, ev);
    if (!t->app_records[side] || !t->app_first_frame[side]) {
        t->app_first_frame[side] = ev->frame;
        t->app_first_ts[side] = ev->ts_ns;
    }
    if (ev->tls_phase != TLS_PHASE_NONE)
        remember_opaque(t, ev, side);
    t->app_records[side]++;
    t->app_bytes[side] += ev->length;
    t->app_prev_frame[side] = t->app_last_frame[side];
    t->app_last_frame[side] = ev->frame;
    t->app_last_ts[side] = ev->ts_ns;
    if (side == SIDE_SERVER && t->app_records[SIDE_CLIENT])
        t->server_app_after_client_app++;
    if (!t->handshake_done) {
        /* TLS <= 1.2: both ChangeCipherSpecs came before. TLS 1.3: the
         * client's Finished is its first record; the server answering
         * after it, or a second client record, means the client accepted. */
        bool done = ev->tls_phase == TLS_PHASE_AFTER_HANDSHAKE ? t->enc_hs_records[SIDE_CLIENT] > 0
                    : t->tls13 ? (t->app_records[SIDE_CLIENT] >= 2 || t->server_app_after_client_app)
                               : (t->ccs_frame[SIDE_CLIENT] && t->ccs_frame[SIDE_SERVER]);
        if (done) {
            t->handshake_done = true;
            t->handshake_done_ts = ev->ts_ns;
        }
    }
    note_message(t, "application_data", ev);
}

static uint32_t chosen_suite(const struct conn_track *t)
{
    return t->server_hello ? t->server_hello->cipher_suite : 0;
}

/* The AEAD tag: TLS_AES_128_CCM_8_SHA256 has a short one. */
static uint32_t aead_tag_len(const struct conn_track *t)
{
    return chosen_suite(t) == 0x1305 ? 8u : 16u;
}

/* An encrypted alert: two bytes, the inner content type and the AEAD tag. */
static bool alert_sized(const struct conn_track *t, uint32_t len)
{
    return len == 2 + 1 + aead_tag_len(t);
}

/* A client sends a Certificate message in TLS 1.3 only when the server's
 * CertificateRequest asked for one, and an empty one when it has none; its
 * Finished is the handshake hash's size. So the bytes of the client's
 * second flight beyond one Finished record tell the three apart: nothing
 * more, an empty Certificate (8 bytes; in its own record or the Finished's),
 * or a certificate with its CertificateVerify (hundreds of bytes). */
#define EMPTY_CERTIFICATE_MSG_LEN 8u
#define FINISHED_HEADER_LEN 4u
#define SMALLEST_CERTIFICATE_FLIGHT 128u

const char *client_certificate_likely(const struct conn_track *t)
{
    if (!t->tls13 || !t->enc_hs_records[SIDE_CLIENT])
        return NULL;
    uint32_t hash_len = chosen_suite(t) == 0x1302 ? 48u : 32u;
    uint64_t finished_record = FINISHED_HEADER_LEN + hash_len + 1 + aead_tag_len(t);
    uint64_t bytes = t->enc_hs_bytes[SIDE_CLIENT];
    if (bytes < finished_record)
        return NULL;
    uint64_t extra = bytes - finished_record;
    if (extra == 0 && t->enc_hs_records[SIDE_CLIENT] == 1)
        return "none";
    if ((extra == EMPTY_CERTIFICATE_MSG_LEN && t->enc_hs_records[SIDE_CLIENT] == 1) ||
        (extra == EMPTY_CERTIFICATE_MSG_LEN + 1 + aead_tag_len(t) && t->enc_hs_records[SIDE_CLIENT] == 2))
        return "empty";
    return extra >= SMALLEST_CERTIFICATE_FLIGHT ? "sent" : NULL;
}

void on_tls_close(struct conn_track *t, int side, int64_t conn_first_ts)
{
    struct opaque_record *r = &t->last_opaque[side];
    if (side == SIDE_SERVER && !t->ticket_run_over)
        take_tickets(t);   /* small records of one size, then the end */
    if (r->phase == TLS_PHASE_NONE || !t->tls || !alert_sized(t, r->len))
        return;
    if (r->phase == TLS_PHASE_AFTER_HANDSHAKE && t->app_records[side] && t->app_last_frame[side] == r->frame) {
        t->app_records[side]--;
        t->app_bytes[side] -= r->len;
        t->app_last_frame[side] = t->app_records[side] ? t->app_prev_frame[side] : 0;
        if (!t->app_records[side])
            t->app_first_frame[side] = 0;
    } else if (r->phase != TLS_PHASE_AFTER_HANDSHAKE && t->enc_hs_records[side]) {
        t->enc_hs_records[side]--;
        t->enc_hs_bytes[side] -= r->len;
    } else {
        return;
    }
    cJSON *alerts = cJSON_GetObjectItem(t->tls, "alerts");
    if (cJSON_GetArraySize(alerts) < 16) {
        cJSON *o = cJSON_CreateObject();
        json_add_u64(o, "frame", r->frame);
        json_add_conn_time(o, "time_ms", r->ts_ns, conn_first_ts);
        json_add_string(o, "sender", side_name(side));
        json_add_bool(o, "encrypted", true);
        json_add_bool(o, "likely", true);
        json_add_u64(o, "record_length", r->len);
        json_add_bool(o, "before_handshake_done", !t->handshake_done);
        cJSON_AddItemToArray(alerts, o);
    }
    r->phase = TLS_PHASE_NONE;
}

void on_tls_problem(struct conn_track *t, const struct event *ev)
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

/* Bytes of a reply that is not TLS shown in the facts: enough for a status
 * line or a banner, and a bound on what a hostile peer puts in a report. */
#define NOT_TLS_PREFIX_BYTES 40

static const char *not_tls_kind_name(uint8_t kind)
{
    switch (kind) {
    case NOT_TLS_HTTP: return "http";
    case NOT_TLS_SSH: return "ssh";
    default: return "other";
    }
}

/* Only the server's: a client that does not speak TLS never makes the
 * connection one. And only a stream seen from its start: the first bytes
 * of a connection open before the capture may be the middle of a record. */
void on_not_tls(struct conn_track *t, const struct event *ev, int side)
{
    const struct not_tls_reply *r = ev->u.not_tls;
    const struct tcp_half *h = &ev->conn->half[ev->sender];
    if (side != SIDE_SERVER || !h->syn_seen || h->gaps || cJSON_GetObjectItem(tls_obj(t), "server_not_tls"))
        return;
    cJSON *o = json_add_object(t->tls, "server_not_tls");
    json_add_u64(o, "frame", ev->frame);
    json_add_string(o, "kind", not_tls_kind_name(r->kind));
    char prefix[4 * NOT_TLS_PREFIX_BYTES + 1];
    size_t shown = r->len < NOT_TLS_PREFIX_BYTES ? r->len : NOT_TLS_PREFIX_BYTES;
    text_escaped_from_wire(prefix, sizeof prefix, r->bytes, shown);
    json_add_string(o, "prefix", prefix);
    json_add_u64(o, "segment_bytes", r->len);
}

/* The parts of the "tls" facts made from the track's counters and records. */
static void finish_tls(cJSON *tls, const struct conn_track *t, int64_t conn_first_ts)
{
    if (t->client_hello) {
        json_add_u64(tls, "client_hello_count", t->client_hello_count);
        json_add(tls, "client_hello", client_hello_facts_json(t->client_hello));
    }
    if (t->server_hello) {
        cJSON *sh = json_add(tls, "server_hello", server_hello_facts_json(t->server_hello));
        if (sh && t->server_hello_ttl)
            json_add_u64(sh, "ip_ttl", t->server_hello_ttl);
    }
    add_key_exchange(tls, t);
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
        json_add_conn_time(app, "s2c_first_time_ms", t->app_first_ts[SIDE_SERVER], conn_first_ts);
        json_add_u64(app, "s2c_last_frame", t->app_last_frame[SIDE_SERVER]);
    }
    if (t->enc_hs_records[SIDE_CLIENT] || t->enc_hs_records[SIDE_SERVER]) {
        cJSON *hs = json_add_object(tls, "encrypted_handshake");
        json_add_u64(hs, "s2c_bytes", t->enc_hs_bytes[SIDE_SERVER]);
        json_add_u64(hs, "s2c_records", t->enc_hs_records[SIDE_SERVER]);
        if (t->enc_hs_records[SIDE_SERVER]) {
            json_add_u64(hs, "s2c_first_frame", t->enc_hs_first_frame[SIDE_SERVER]);
            json_add_conn_time(hs, "s2c_first_time_ms", t->enc_hs_first_ts[SIDE_SERVER], conn_first_ts);
        }
        json_add_u64(hs, "c2s_bytes", t->enc_hs_bytes[SIDE_CLIENT]);
        json_add_u64(hs, "c2s_records", t->enc_hs_records[SIDE_CLIENT]);
        if (t->enc_hs_records[SIDE_CLIENT]) {
            json_add_u64(hs, "c2s_first_frame", t->enc_hs_first_frame[SIDE_CLIENT]);
            json_add_conn_time(hs, "c2s_first_time_ms", t->enc_hs_first_ts[SIDE_CLIENT], conn_first_ts);
        }
        const char *cert = client_certificate_likely(t);
        if (cert)
            json_add_string(hs, "client_certificate_likely", cert);
    }
    if (t->tickets_records) {
        cJSON *pt = json_add_object(tls, "likely_tickets");
        json_add_u64(pt, "s2c_records", t->tickets_records);
        json_add_u64(pt, "s2c_bytes", t->tickets_bytes);
        json_add_u64(pt, "s2c_first_frame", t->tickets_first_frame);
        json_add_conn_time(pt, "s2c_first_time_ms", t->tickets_first_ts, conn_first_ts);
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

cJSON *tls_json_take(struct facts_builder *fb, struct conn_track *t, int64_t conn_first_ts,
                     const char *server_name)
{
    cJSON *tls = t->tls;
    if (!tls)
        return NULL;
    render_certificates(fb, t, tls, conn_first_ts, server_name);
    finish_tls(tls, t, conn_first_ts);
    add_decryption_facts(fb, t, tls);
    t->tls = NULL;
    return tls;
}
