#include "tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keylog.h"
#include "tls_decrypt.h"

enum {
    CT_CHANGE_CIPHER_SPEC = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPLICATION_DATA = 23,
    CT_HEARTBEAT = 24,
};

/* A handshake message at least this long is taken for encrypted data when it
 * begins a record, as tshark does. */
#define TLS_ENCRYPTED_LENGTH_HINT 65536u
/* A handshake buffer emptied after a message larger than this is freed:
 * thousands of open connections each holding a 32 KB buffer for a hello
 * that is long parsed add up. */
#define TLS_HANDSHAKE_BUFFER_KEEP 4096u

static bool known_handshake_type(uint8_t t)
{
    switch (t) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 8: case 11: case 12: case 13:
    case 14: case 15: case 16: case 20: case 21: case 22: case 23: case 24: case 25: case 67:
    case 254:
        return true;
    default:
        return false;
    }
}

static bool valid_content_type(uint8_t t) { return t >= CT_CHANGE_CIPHER_SPEC && t <= CT_HEARTBEAT; }

/* The heuristics below look at a segment's first bytes, which may be fewer
 * than a header: a field that is not there yet does not disqualify. */

/* Version bytes of a record header: SSL 3.0 to TLS 1.3 (major 3, minor 0-4). */
static bool plausible_version(struct cursor c)
{
    uint8_t major = cursor_u8(&c);
    if (!cursor_ok(&c))
        return true;
    uint8_t minor = cursor_u8(&c);
    return major == 3 && (!cursor_ok(&c) || minor <= 4);
}

static bool looks_like_sslv2_hello(const uint8_t *p, size_t len)
{
    struct cursor c = cursor_make(p, len);
    uint16_t header = cursor_be16(&c);
    uint8_t msg_type = cursor_u8(&c);
    if (!cursor_ok(&c) || !(header & 0x8000))
        return false;
    size_t rec_len = header & 0x7FFF;
    if (msg_type == 1) { /* CLIENT-HELLO: version 0x0002 or 3.x */
        uint8_t version_major = cursor_u8(&c);
        return rec_len >= 9 && (!cursor_ok(&c) || version_major == 0 || version_major == 3);
    }
    return msg_type == 4 && rec_len >= 11; /* SERVER-HELLO */
}

static bool plausible_v3_header(const uint8_t *p, size_t len)
{
    struct cursor c = cursor_make(p, len);
    uint8_t content_type = cursor_u8(&c);
    return cursor_ok(&c) && valid_content_type(content_type) && plausible_version(cursor_rest(&c));
}

bool tls_looks_like_start(const uint8_t *p, size_t len, bool first_payload)
{
    if (len < 3)
        return false;
    struct cursor c = cursor_make(p, len);
    uint8_t content_type = cursor_u8(&c);
    struct cursor version = cursor_sub(&c, 2);
    if (first_payload) {
        if (looks_like_sslv2_hello(p, len))
            return true;
        return content_type >= CT_CHANGE_CIPHER_SPEC && content_type <= CT_APPLICATION_DATA &&
               plausible_version(version);
    }
    cursor_skip(&c, 2); /* record length */
    uint8_t handshake_type = cursor_u8(&c);
    return cursor_ok(&c) && content_type == CT_HANDSHAKE && plausible_version(version) &&
           (handshake_type == TLS_HS_CLIENT_HELLO || handshake_type == TLS_HS_SERVER_HELLO);
}

static void emit(struct tls_feed_ctx *x, struct event *ev)
{
    event_at_packet(ev, x->pkt);
    ev->conn = x->conn;
    ev->sender = x->sender;
    ev->record_version = x->session->dir[x->sender].record_version;
    x->sink->emit(x->sink->ctx, ev);
}

static void report_malformed(struct tls_feed_ctx *x, const char *problem)
{
    struct tls_direction *d = &x->session->dir[x->sender];
    if (d->malformed_reported)
        return;
    d->malformed_reported = true;
    struct event ev = { .type = EV_TLS_MALFORMED, .u.problem = problem };
    emit(x, &ev);
}

static void lose_sync(struct tls_direction *d)
{
    d->in_sync = false;
    d->in_record = false;
    d->header_have = 0;
    d->record.len = 0;
    d->handshake.len = 0;
    d->skip_handshake = 0;
}

/* Once a direction is encrypted its handshake bytes are never read again. */
static void stop_copying(struct tls_direction *d)
{
    growbuf_free(&d->handshake);
    d->skip_handshake = 0;
}

/* Decryption with a key log: below, after the plaintext record layer. */
static void crypto_begin(struct tls_feed_ctx *x, const uint8_t *client_random);
static void crypto_server_hello(struct tls_feed_ctx *x, const struct tls_server_hello *sh);
static void crypto_change_cipher_spec(struct tls_feed_ctx *x);
static bool decrypt_record(struct tls_feed_ctx *x, struct tls_direction *d);
static void crypto_count_record(struct tls_feed_ctx *x);
static void crypto_lost(struct tls_feed_ctx *x);
static void crypto_free(struct tls_crypto *cr);

static void on_client_hello(struct tls_feed_ctx *x, const uint8_t *body, size_t len)
{
    struct tls_client_hello ch;
    tls_parse_client_hello(body, len, &ch);
    conn_settle_client(x->conn, x->sender, ROLE_FROM_MESSAGE);
    if (x->keys && !x->session->crypto && ch.random.len == KEYLOG_RANDOM_LEN)
        crypto_begin(x, ch.random.data);
    struct event ev = { .type = EV_CLIENT_HELLO, .handshake_type = TLS_HS_CLIENT_HELLO,
                        .length = (uint32_t)len, .u.client_hello = &ch };
    emit(x, &ev);
}

static void on_server_hello(struct tls_feed_ctx *x, uint8_t type, const uint8_t *body, size_t len)
{
    struct tls_server_hello sh;
    tls_parse_server_hello(body, len, type, &sh);
    conn_settle_client(x->conn, 1 - x->sender, ROLE_FROM_MESSAGE);
    bool tls13 = false;
    if (sh.is_hello_retry_request) {
        x->session->tls13 = true; /* only TLS 1.3 retries a hello */
    } else if (sh.status != PARSE_INVALID) {
        uint16_t v = sh.has_supported_version ? sh.supported_version : sh.legacy_version;
        x->session->version = v;
        /* TLS 1.3 (and its drafts, 0x7Fxx): the rest of the server's
         * handshake is encrypted. */
        tls13 = v == 0x0304 || (v >> 8) == 0x7F;
        x->session->tls13 = tls13;
        x->session->server_hello_tls13 = tls13;
        x->session->server_sender = (int8_t)x->sender;
        x->session->cipher_suite = sh.cipher_suite;
    }
    struct event ev = { .type = EV_SERVER_HELLO, .handshake_type = type, .length = (uint32_t)len,
                        .u.server_hello = &sh };
    emit(x, &ev);
    if (x->session->crypto && !sh.is_hello_retry_request && sh.status != PARSE_INVALID)
        crypto_server_hello(x, &sh);
    /* Only now: sh points into the handshake buffer this frees. */
    if (tls13) {
        x->session->dir[x->sender].encrypted_from_now = true;
        stop_copying(&x->session->dir[x->sender]);
    }
}

static void on_handshake_message(struct tls_feed_ctx *x, uint8_t type, const uint8_t *body, size_t len)
{
    switch (type) {
    case TLS_HS_CLIENT_HELLO:
        on_client_hello(x, body, len);
        return;
    case TLS_HS_SERVER_HELLO:
    case TLS_HS_HELLO_RETRY_REQUEST:
        on_server_hello(x, type, body, len);
        return;
    case TLS_HS_CERTIFICATE: {
        struct tls_certificate_msg cert = { body, len, x->session->version == 0x0304 };
        struct event ev = { .type = EV_CERTIFICATE, .handshake_type = type, .length = (uint32_t)len,
                            .u.certificate = &cert };
        emit(x, &ev);
        return;
    }
    default: {
        struct event ev = { .type = EV_HANDSHAKE_OTHER, .handshake_type = type, .length = (uint32_t)len };
        struct tls_server_key_exchange ske;
        if (type == TLS_HS_SERVER_KEY_EXCHANGE && !x->session->tls13 &&
            tls_suite_key_exchange(x->session->cipher_suite) != TLS_KX_OTHER) {
            tls_parse_server_key_exchange(body, len, x->session->cipher_suite, &ske);
            ev.u.server_key_exchange = &ske;
        }
        emit(x, &ev);
        return;
    }
    }
}

/* Skips what is left of a message over the cap; returns the bytes used. */
static size_t skip_oversized(struct tls_direction *d, size_t len)
{
    size_t n = d->skip_handshake < len ? (size_t)d->skip_handshake : len;
    d->skip_handshake -= n;
    return n;
}

/* The first handshake message collected in d->handshake: its header is
 * read once here for both the plaintext and the decrypted path. */
enum next_message { MESSAGE_READY, MESSAGE_INCOMPLETE, MESSAGE_OVER_CAP };

static enum next_message next_message(const struct tls_direction *d, uint32_t cap, uint8_t *type,
                                      uint32_t *len, const uint8_t **body)
{
    if (d->handshake.len < 4)
        return MESSAGE_INCOMPLETE;
    struct cursor c = cursor_make(d->handshake.data, d->handshake.len);
    *type = cursor_u8(&c);
    *len = cursor_be24(&c);
    if (*len > cap)
        return MESSAGE_OVER_CAP;
    *body = cursor_bytes(&c, *len);
    return *body ? MESSAGE_READY : MESSAGE_INCOMPLETE;
}

static void emit_over_cap(struct tls_feed_ctx *x, uint8_t type, uint32_t len, bool decrypted)
{
    struct event ev = { .type = EV_TLS_LIMIT, .handshake_type = type, .length = len, .decrypted = decrypted,
                        .u.problem = "handshake message larger than the handshake buffer cap" };
    emit(x, &ev);
}

static void extract_messages(struct tls_feed_ctx *x, struct tls_direction *d)
{
    uint8_t type;
    uint32_t len;
    const uint8_t *body;
    enum next_message next;
    while ((next = next_message(d, x->limits->max_handshake_message, &type, &len, &body)) != MESSAGE_INCOMPLETE) {
        if (next == MESSAGE_OVER_CAP) {
            emit_over_cap(x, type, len, false);
            size_t have = d->handshake.len - 4;
            if (have >= len) { /* all of it is here: drop it, read what follows */
                growbuf_consume(&d->handshake, 4 + (size_t)len);
                continue;
            }
            d->skip_handshake = len - have;
            d->handshake.len = 0;
            return;
        }
        on_handshake_message(x, type, body, len);
        if (d->encrypted_from_now || d->ccs_seen) {
            d->handshake.len = 0;
            break;
        }
        growbuf_consume(&d->handshake, 4 + (size_t)len);
    }
    growbuf_shrink_if_empty(&d->handshake, TLS_HANDSHAKE_BUFFER_KEEP);
}

static void on_handshake_record(struct tls_feed_ctx *x, struct tls_direction *d, const uint8_t *body,
                                size_t len)
{
    if (len == 0) /* a zero-length record copied nothing: body may be NULL */
        return;
    size_t used = skip_oversized(d, len);
    body += used;
    len -= used;
    if (len == 0)
        return;
    if (d->handshake.len == 0 && used == 0 && len >= 4) {
        struct cursor c = cursor_make(body, len);
        uint8_t type = cursor_u8(&c);
        uint32_t msg_len = cursor_be24(&c);
        if (!known_handshake_type(type) || msg_len >= TLS_ENCRYPTED_LENGTH_HINT) {
            struct event ev = { .type = EV_ENCRYPTED_HANDSHAKE, .length = (uint32_t)len };
            emit(x, &ev);
            return;
        }
    }
    size_t cap = (size_t)x->limits->max_handshake_message + 4 + TLS_MAX_RECORD_LEN;
    if (!growbuf_append(&d->handshake, body, len, cap)) {
        struct event ev = { .type = EV_TLS_LIMIT, .length = (uint32_t)len,
                            .u.problem = "handshake buffer full" };
        emit(x, &ev);
        d->handshake.len = 0;
        return;
    }
    extract_messages(x, d);
}

static void on_alert_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    struct tls_alert alert = { .encrypted = d->record_len != 2, .record_len = (uint16_t)d->record_len };
    if (!alert.encrypted) {
        struct cursor c = cursor_make(d->record.data, d->record.len);
        alert.level = cursor_u8(&c);
        alert.description = cursor_u8(&c);
    }
    struct event ev = { .type = EV_ALERT, .length = d->record_len, .u.alert = &alert };
    emit(x, &ev);
}

/* The client's encrypted Finished: a 4-byte header and the suite's hash,
 * the inner content type, the AEAD tag (RFC 8446 5.2, no padding). */
static bool finished_sized(uint16_t suite, uint32_t record_len)
{
    uint32_t hash = suite == 0x1302 ? 48 : 32;
    uint32_t tag = suite == 0x1305 ? 8 : 16;
    return record_len == 4 + hash + 1 + tag;
}

/* A client sends at most Certificate, CertificateVerify and Finished in
 * its second flight; past that many records without a Finished-sized one,
 * the flight is taken as over. */
#define TLS13_CLIENT_FLIGHT_MAX_RECORDS 3

static enum tls_record_phase tls13_phase(struct tls_session *s, int sender, uint32_t record_len)
{
    if (!s->server_hello_tls13)
        return TLS_PHASE_NONE;
    if (sender == s->server_sender)
        return s->client_flight_started ? TLS_PHASE_AFTER_HANDSHAKE : TLS_PHASE_SERVER_FLIGHT;
    if (s->client_flight_done)
        return TLS_PHASE_AFTER_HANDSHAKE;
    s->client_flight_started = true;
    s->client_flight_records++;
    if (finished_sized(s->cipher_suite, record_len) ||
        s->client_flight_records >= TLS13_CLIENT_FLIGHT_MAX_RECORDS)
        s->client_flight_done = true;
    return TLS_PHASE_CLIENT_FLIGHT;
}

static void on_v3_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    d->records++;
    switch (d->content_type) {
    case CT_CHANGE_CIPHER_SPEC: {
        /* Keys are in use after a CCS only in TLS <= 1.2; in TLS 1.3 the
         * record is for middleboxes, and a second Client Hello or the real
         * Server Hello may follow it in plaintext. */
        if (!x->session->tls13) {
            d->ccs_seen = true;
            stop_copying(d);
        }
        struct event ev = { .type = EV_CHANGE_CIPHER_SPEC, .length = d->record_len };
        emit(x, &ev);
        if (x->session->crypto && !x->session->tls13)
            crypto_change_cipher_spec(x);
        break;
    }
    case CT_ALERT:
        if (d->record_with_header && decrypt_record(x, d))
            break;
        on_alert_record(x, d);
        break;
    case CT_HANDSHAKE:
        if (d->record_with_header) {
            if (decrypt_record(x, d))
                break;
        } else if (d->copying) {
            on_handshake_record(x, d, d->record.data, d->record.len);
            break;
        }
        struct event hs = { .type = EV_ENCRYPTED_HANDSHAKE, .length = d->record_len };
        emit(x, &hs);
        break;
    case CT_APPLICATION_DATA: {
        enum tls_record_phase phase = tls13_phase(x->session, x->sender, d->record_len);
        if (d->decrypt_types) {
            if (d->record_with_header && decrypt_record(x, d))
                break;
            if (!d->record_with_header)
                crypto_count_record(x);
        }
        bool handshake = phase == TLS_PHASE_SERVER_FLIGHT || phase == TLS_PHASE_CLIENT_FLIGHT;
        struct event ev = { .type = handshake ? EV_ENCRYPTED_HANDSHAKE : EV_APPLICATION_DATA,
                            .length = d->record_len, .tls_phase = (uint8_t)phase };
        emit(x, &ev);
        break;
    }
    default:
        break; /* heartbeat */
    }
}

static void on_sslv2_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    d->records++;
    if (d->records != 1 || d->record.len < 1)
        return; /* only the hellos are readable */
    if (d->record.data[0] == 1) {
        struct tls_client_hello ch;
        tls_parse_sslv2_client_hello(d->record.data, d->record.len, &ch);
        conn_settle_client(x->conn, x->sender, ROLE_FROM_MESSAGE);
        struct event ev = { .type = EV_CLIENT_HELLO, .handshake_type = TLS_HS_CLIENT_HELLO,
                            .length = d->record_len, .u.client_hello = &ch };
        emit(x, &ev);
    } else if (d->record.data[0] == 4) {
        struct cursor c = cursor_make(d->record.data, d->record.len);
        cursor_skip(&c, 3); /* type, session-id hit, certificate type */
        struct tls_server_hello sh = { .sslv2 = true, .legacy_version = cursor_be16(&c),
                                       .status = c.status };
        conn_settle_client(x->conn, 1 - x->sender, ROLE_FROM_MESSAGE);
        struct event ev = { .type = EV_SERVER_HELLO, .handshake_type = TLS_HS_SERVER_HELLO,
                            .length = d->record_len, .u.server_hello = &sh };
        emit(x, &ev);
    }
}

/* Which bodies are worth copying: only what we parse. */
static bool should_copy(const struct tls_direction *d)
{
    if (d->format == TLS_FORMAT_SSLV2)
        return d->records == 0;
    switch (d->content_type) {
    case CT_CHANGE_CIPHER_SPEC: return false;
    case CT_ALERT: return d->record_len == 2;
    case CT_HANDSHAKE: return !d->ccs_seen && !d->encrypted_from_now;
    default: return false;
    }
}

/* Parses a complete header in d->header. False: not a record header. */
static bool open_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    struct cursor c = cursor_make(d->header, d->header_have);
    if (d->format == TLS_FORMAT_SSLV2) {
        uint8_t first = cursor_u8(&c);
        uint8_t second = cursor_u8(&c);
        d->record_len = (first & 0x80) ? ((uint32_t)(first & 0x7F) << 8 | second)
                                       : ((uint32_t)(first & 0x3F) << 8 | second) + cursor_u8(&c);
        d->content_type = 0;
    } else {
        d->content_type = cursor_u8(&c);
        d->record_version = cursor_be16(&c);
        d->record_len = cursor_be16(&c);
        if (!valid_content_type(d->content_type) || (d->record_version >> 8) != 3) {
            report_malformed(x, "bytes that are not a TLS record header");
            return false;
        }
        if (d->record_len > TLS_MAX_RECORD_LEN) {
            report_malformed(x, "record longer than 2^14+2048 bytes");
            return false;
        }
    }
    d->in_record = true;
    d->record_done = 0;
    d->record.len = 0;
    d->copying = should_copy(d);
    d->record_with_header = false;
    /* With keys: a protected record is copied whole, header first (it is
     * the AEAD's additional data). */
    if (d->decrypt_types && d->format == TLS_FORMAT_V3 &&
        ((d->decrypt_types >> (d->content_type - CT_CHANGE_CIPHER_SPEC)) & 1) &&
        !(d->content_type == CT_ALERT && d->record_len == 2)) {
        d->copying = d->record_with_header =
            growbuf_append(&d->record, d->header, 5, TLS_MAX_RECORD_LEN + 5);
    }
    return true;
}

static size_t header_size(struct tls_direction *d)
{
    /* After an SSLv2 CLIENT-HELLO the client goes on in whichever format
     * the server answered in; the first byte of each header tells. */
    if (d->format == TLS_FORMAT_UNKNOWN && d->header_have >= 1)
        d->format = valid_content_type(d->header[0]) ? TLS_FORMAT_V3 : TLS_FORMAT_SSLV2;
    if (d->format != TLS_FORMAT_SSLV2)
        return 5;
    return d->header_have >= 1 && !(d->header[0] & 0x80) ? 3 : 2;
}

/* Returns bytes used from p, or SIZE_MAX when the bytes are not TLS. */
static size_t collect_header(struct tls_feed_ctx *x, struct tls_direction *d, const uint8_t *p,
                             size_t len)
{
    size_t used = 0;
    while (used < len && d->header_have < header_size(d))
        d->header[d->header_have++] = p[used++];
    if (d->header_have < header_size(d))
        return used;
    if (!open_record(x, d))
        return SIZE_MAX;
    d->header_have = 0;
    return used;
}

static void close_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    d->in_record = false;
    if (d->format == TLS_FORMAT_SSLV2) {
        on_sslv2_record(x, d);
        d->format = TLS_FORMAT_UNKNOWN;
    } else
        on_v3_record(x, d);
    /* After its handshake a direction copies only 2-byte alerts: the buffer
     * the certificate chain grew need not stay for the rest of the
     * connection, nor through its linger after the close. */
    if ((d->ccs_seen || d->encrypted_from_now) && !d->decrypt_types) {
        growbuf_free(&d->record);
    } else {
        d->record.len = 0;
        growbuf_shrink_if_empty(&d->record, TLS_HANDSHAKE_BUFFER_KEEP);
    }
}

/* At a segment start while out of sync: is this where records begin? */
static bool try_resync(struct tls_direction *d, const uint8_t *p, size_t len)
{
    if (d->format == TLS_FORMAT_UNKNOWN && looks_like_sslv2_hello(p, len)) {
        d->format = TLS_FORMAT_SSLV2;
        return true;
    }
    if (!plausible_v3_header(p, len))
        return false;
    if (d->format == TLS_FORMAT_UNKNOWN || d->format == TLS_FORMAT_SSLV2)
        d->format = TLS_FORMAT_V3;
    return true;
}

/* What a peer speaks instead of TLS, by the start of its first bytes: the
 * two a wrong service on a TLS port most often answers with. */
static enum not_tls_kind not_tls_kind_of(const uint8_t *p, size_t len)
{
    struct cursor c = cursor_make(p, len);
    const uint8_t *start = cursor_bytes(&c, 4);
    if (start && memcmp(start, "SSH-", 4) == 0)
        return NOT_TLS_SSH;
    const uint8_t *slash = cursor_bytes(&c, 1);
    if (start && slash && memcmp(start, "HTTP", 4) == 0 && *slash == '/')
        return NOT_TLS_HTTP;
    return NOT_TLS_OTHER;
}

static void report_not_tls(struct tls_feed_ctx *x, const uint8_t *data, size_t len)
{
    struct not_tls_reply reply = { (uint8_t)not_tls_kind_of(data, len), data, len };
    struct event ev = { .type = EV_NOT_TLS, .length = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len),
                        .u.not_tls = &reply };
    emit(x, &ev);
}

void tls_feed(struct tls_feed_ctx *x, const uint8_t *data, size_t len, bool segment_start)
{
    struct tls_direction *d = &x->session->dir[x->sender];
    /* Only the direction's very first bytes: later ones out of sync follow
     * a gap or a malformed record, already told. */
    bool direction_start = !d->started && segment_start;
    d->started = true;
    while (len > 0) {
        if (!d->in_sync) {
            if (!segment_start || !try_resync(d, data, len)) {
                if (direction_start)
                    report_not_tls(x, data, len);
                return; /* the rest of this segment is not TLS */
            }
            d->in_sync = true;
        }
        segment_start = false;
        if (!d->in_record) {
            size_t used = collect_header(x, d, data, len);
            if (used == SIZE_MAX) {
                lose_sync(d);
                return;
            }
            data += used;
            len -= used;
            if (!d->in_record)
                continue;
        }
        size_t want = d->record_len - d->record_done;
        size_t take = want < len ? want : len;
        if (d->copying && take && !growbuf_append(&d->record, data, take, TLS_MAX_RECORD_LEN + 5)) {
            lose_sync(d);
            return;
        }
        d->record_done += (uint32_t)take;
        data += take;
        len -= take;
        if (d->record_done == d->record_len)
            close_record(x, d);
    }
}

void tls_gap(struct tls_feed_ctx *x, uint64_t missing)
{
    struct tls_direction *d = &x->session->dir[x->sender];
    d->started = true;
    if (d->in_sync && d->in_record && !d->copying && missing < d->record_len - d->record_done) {
        d->record_done += (uint32_t)missing; /* still inside a record we only count */
        return;
    }
    if (x->session->crypto)
        crypto_lost(x);
    lose_sync(d);
}

void tls_session_free(struct tls_session *s)
{
    for (int i = 0; i < 2; i++) {
        growbuf_free(&s->dir[i].record);
        growbuf_free(&s->dir[i].handshake);
    }
    if (s->crypto) {
        crypto_free(s->crypto);
        s->crypto = NULL;
    }
}

void tls_keyring_free(struct tls_keyring *k)
{
    free(k->scratch);
    k->scratch = NULL;
}


/* ---- Decryption with a key log ----
 *
 * A connection has a struct tls_crypto only when its Client Hello's random
 * has key log entries; everything below runs for those connections only.
 * TLS 1.3: each direction starts on its *_HANDSHAKE_TRAFFIC_SECRET after
 * the ServerHello and moves to its *_TRAFFIC_SECRET_0 after its Finished.
 * TLS 1.2: the CLIENT_RANDOM master secret gives both directions' keys at
 * the first ChangeCipherSpec; each direction's records after its own CCS
 * are protected. A direction stops being decrypted when its next secret is
 * missing, after a KeyUpdate, a capture hole, or records that keep failing
 * to authenticate; its records are then what they are without keys. */

enum crypto_stage { STAGE_NONE, STAGE_HANDSHAKE, STAGE_APPLICATION, STAGE_STOPPED };

/* Records in a row that fail to authenticate before a direction gives up
 * (a 0-RTT client's early data fails before its handshake records work). */
#define CRYPTO_MAX_FAILURES 8

struct crypto_direction {
    struct tls_decrypt_state st;
    const struct keylog_entry *entry;   /* the secret in use */
    bool entry_reported;                /* TLS_DECRYPTION_SECRET_USED said */
    bool failure_reported;
    uint8_t stage;                      /* enum crypto_stage */
    uint8_t failures;                   /* in a row */
};

struct tls_crypto {
    uint8_t client_random[KEYLOG_RANDOM_LEN];
    uint8_t server_random[TLS_RANDOM_LEN];
    uint16_t suite;
    bool server_hello_seen;
    bool tls13;
    bool tls12_keys;
    bool unsupported;
    int8_t client;                      /* conn->ep index of the Client Hello's sender */
    struct crypto_direction dir[2];     /* by sender */
};

static void note(struct tls_feed_ctx *x, int sender, enum tls_decryption_what what,
                 enum keylog_label label, const struct keylog_entry *e)
{
    struct tls_decryption_note n = {
        .what = (uint8_t)what, .label = (uint8_t)label, .cipher_suite = x->session->crypto->suite,
        .source = e ? keylog_entry_source(e) : 0, .line = e ? keylog_entry_line(e) : 0,
    };
    struct event ev = { .type = EV_TLS_DECRYPTION, .conn = x->conn, .sender = sender, .u.decryption = &n };
    event_at_packet(&ev, x->pkt);
    x->sink->emit(x->sink->ctx, &ev);
}

static void crypto_begin(struct tls_feed_ctx *x, const uint8_t *client_random)
{
    bool any = false;
    for (int l = 0; l < KEYLOG_LABEL_COUNT && !any; l++)
        any = keylog_find(x->keys->store, client_random, (enum keylog_label)l) != NULL;
    if (!any)
        return;
    struct tls_crypto *cr = calloc(1, sizeof *cr);
    if (!cr)
        return;
    memcpy(cr->client_random, client_random, KEYLOG_RANDOM_LEN);
    cr->client = (int8_t)x->sender;
    x->session->crypto = cr;
    x->keys->conns_with_keys++;
}

/* No more decryption for this sender's records. */
static void crypto_stop(struct tls_feed_ctx *x, int sender)
{
    struct crypto_direction *cd = &x->session->crypto->dir[sender];
    cd->stage = STAGE_STOPPED;
    tls_decrypt_state_clear(&cd->st);
    x->session->dir[sender].decrypt_types = 0;
}

/* TLS 1.3: sender's keys from the key log's label; false when missing. */
static bool tls13_keys(struct tls_feed_ctx *x, int sender, enum keylog_label label, enum crypto_stage stage)
{
    struct tls_crypto *cr = x->session->crypto;
    struct crypto_direction *cd = &cr->dir[sender];
    const struct keylog_entry *e = keylog_find(x->keys->store, cr->client_random, label);
    const uint8_t *secret = NULL;
    size_t secret_len = e ? keylog_entry_secret(e, &secret) : 0;
    if (!e || tls13_set_traffic_secret(&cd->st, cr->suite, secret, secret_len) != TLS_DECRYPT_OK) {
        crypto_stop(x, sender);
        note(x, sender, e ? TLS_DECRYPTION_AUTH_FAILED : TLS_DECRYPTION_NO_SECRET, label, e);
        return false;
    }
    cd->entry = e;
    cd->entry_reported = false;
    cd->failures = 0;
    cd->stage = (uint8_t)stage;
    x->session->dir[sender].decrypt_types = 1u << (CT_APPLICATION_DATA - CT_CHANGE_CIPHER_SPEC);
    return true;
}

static void crypto_server_hello(struct tls_feed_ctx *x, const struct tls_server_hello *sh)
{
    struct tls_crypto *cr = x->session->crypto;
    if (cr->server_hello_seen)
        return;
    cr->server_hello_seen = true;
    cr->suite = sh->cipher_suite;
    if (sh->random.len == TLS_RANDOM_LEN)
        memcpy(cr->server_random, sh->random.data, TLS_RANDOM_LEN);
    uint16_t version = x->session->version;
    const struct tls_cipher_info *ci = tls_cipher_lookup(sh->cipher_suite);
    cr->tls13 = version == 0x0304;
    if (!ci || ci->version != (cr->tls13 ? 0x0304 : 0x0303) || (!cr->tls13 && version != 0x0303)) {
        cr->unsupported = true;
        note(x, x->sender, TLS_DECRYPTION_UNSUPPORTED_SUITE, KEYLOG_CLIENT_RANDOM, NULL);
        return;
    }
    if (cr->tls13) {
        tls13_keys(x, x->sender, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, STAGE_HANDSHAKE);
        tls13_keys(x, 1 - x->sender, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, STAGE_HANDSHAKE);
    }
}

/* TLS 1.2: the sender's records are protected from now on. */
static void crypto_change_cipher_spec(struct tls_feed_ctx *x)
{
    struct tls_crypto *cr = x->session->crypto;
    if (!cr->server_hello_seen || cr->unsupported)
        return;
    int client = cr->client, server = 1 - cr->client;
    if (!cr->tls12_keys) {
        const struct keylog_entry *e = keylog_find(x->keys->store, cr->client_random, KEYLOG_CLIENT_RANDOM);
        const uint8_t *secret = NULL;
        size_t secret_len = e ? keylog_entry_secret(e, &secret) : 0;
        if (!e || tls12_set_master_secret(&cr->dir[client].st, &cr->dir[server].st, cr->suite, secret,
                                          secret_len, cr->client_random, cr->server_random) != TLS_DECRYPT_OK) {
            cr->unsupported = true; /* nothing more to try on this connection */
            note(x, x->sender, e ? TLS_DECRYPTION_AUTH_FAILED : TLS_DECRYPTION_NO_SECRET,
                 KEYLOG_CLIENT_RANDOM, e);
            return;
        }
        cr->tls12_keys = true;
        for (int i = 0; i < 2; i++) {
            cr->dir[i].entry = e;
            cr->dir[i].stage = STAGE_HANDSHAKE;
        }
    }
    if (cr->dir[x->sender].stage == STAGE_STOPPED)
        return;
    x->session->dir[x->sender].decrypt_types =
        (1u << (CT_ALERT - CT_CHANGE_CIPHER_SPEC)) | (1u << (CT_HANDSHAKE - CT_CHANGE_CIPHER_SPEC)) |
        (1u << (CT_APPLICATION_DATA - CT_CHANGE_CIPHER_SPEC));
}

/* TLS 1.2 application data is not decrypted (its type is in the clear),
 * but it takes a sequence number. */
static void crypto_count_record(struct tls_feed_ctx *x)
{
    struct crypto_direction *cd = &x->session->crypto->dir[x->sender];
    if (cd->stage == STAGE_HANDSHAKE || cd->stage == STAGE_APPLICATION)
        cd->st.seq++;
}

/* A capture hole in a direction being decrypted: the sequence numbers of
 * what follows are unknown. */
static void crypto_lost(struct tls_feed_ctx *x)
{
    struct crypto_direction *cd = &x->session->crypto->dir[x->sender];
    if (cd->stage != STAGE_HANDSHAKE && cd->stage != STAGE_APPLICATION)
        return;
    crypto_stop(x, x->sender);
    note(x, x->sender, TLS_DECRYPTION_RECORDS_MISSING, keylog_entry_label(cd->entry), cd->entry);
}

/* A decrypted handshake message: the same event as a plaintext one. True
 * when the sender's keys changed (the rest of the record cannot follow). */
static bool on_decrypted_message(struct tls_feed_ctx *x, uint8_t type, const uint8_t *body, size_t len)
{
    struct tls_crypto *cr = x->session->crypto;
    struct event ev = { .type = EV_HANDSHAKE_OTHER, .handshake_type = type, .length = (uint32_t)len,
                        .decrypted = true };
    struct tls_certificate_msg cert = { body, len, cr->tls13 };
    if (type == TLS_HS_CERTIFICATE) {
        ev.type = EV_CERTIFICATE;
        ev.u.certificate = &cert;
    }
    emit(x, &ev);
    if (!cr->tls13)
        return false;
    struct crypto_direction *cd = &cr->dir[x->sender];
    if (type == TLS_HS_FINISHED && cd->stage == STAGE_HANDSHAKE) {
        tls13_keys(x, x->sender, x->sender == cr->client ? KEYLOG_CLIENT_TRAFFIC_SECRET_0
                                                         : KEYLOG_SERVER_TRAFFIC_SECRET_0,
                   STAGE_APPLICATION);
        return true;
    }
    if (type == TLS_HS_KEY_UPDATE) {
        enum keylog_label label = keylog_entry_label(cd->entry);
        crypto_stop(x, x->sender);
        note(x, x->sender, TLS_DECRYPTION_KEY_UPDATE, label, NULL);
        return true;
    }
    return false;
}

static void decrypted_messages(struct tls_feed_ctx *x, struct tls_direction *d)
{
    uint8_t type;
    uint32_t len;
    const uint8_t *body;
    enum next_message next;
    while ((next = next_message(d, x->limits->max_handshake_message, &type, &len, &body)) != MESSAGE_INCOMPLETE) {
        if (next == MESSAGE_OVER_CAP) {
            emit_over_cap(x, type, len, true);
            d->handshake.len = 0;
            break;
        }
        bool keys_changed = on_decrypted_message(x, type, body, len);
        growbuf_consume(&d->handshake, 4 + (size_t)len);
        if (keys_changed) {
            d->handshake.len = 0;
            break;
        }
    }
    growbuf_shrink_if_empty(&d->handshake, 0);
}

/* One protected record, copied whole with its header: true when it
 * decrypted and its events went out; false leaves it to the caller, as
 * without keys. */
static bool decrypt_record(struct tls_feed_ctx *x, struct tls_direction *d)
{
    struct tls_crypto *cr = x->session->crypto;
    struct crypto_direction *cd = &cr->dir[x->sender];
    if (cd->stage != STAGE_HANDSHAKE && cd->stage != STAGE_APPLICATION)
        return false;
    if (!x->keys->scratch && !(x->keys->scratch = malloc(TLS_DECRYPT_MAX_BODY)))
        return false;
    uint8_t *out = x->keys->scratch;
    struct tls_plaintext pt;
    if (tls_decrypt_record(&cd->st, d->record.data, d->record.len, out, TLS_DECRYPT_MAX_BODY, &pt)
        != TLS_DECRYPT_OK) {
        if (!cd->failure_reported) {
            cd->failure_reported = true;
            note(x, x->sender, TLS_DECRYPTION_AUTH_FAILED, keylog_entry_label(cd->entry), cd->entry);
        }
        if (++cd->failures >= CRYPTO_MAX_FAILURES)
            crypto_stop(x, x->sender);
        else if (!cr->tls13)
            cd->st.seq++; /* TLS 1.2: the record took its number all the same */
        return false;
    }
    cd->failures = 0;
    if (!cd->entry_reported) {
        cd->entry_reported = true;
        keylog_mark_used(x->keys->store, cd->entry);
        note(x, x->sender, TLS_DECRYPTION_SECRET_USED, keylog_entry_label(cd->entry), cd->entry);
    }
    uint8_t phase = TLS_PHASE_NONE;
    if (cr->tls13)
        phase = cd->stage == STAGE_APPLICATION ? TLS_PHASE_POST_HANDSHAKE
              : x->sender == cr->client        ? TLS_PHASE_CLIENT_FLIGHT
                                               : TLS_PHASE_SERVER_FLIGHT;
    switch (pt.content_type) {
    case CT_HANDSHAKE: {
        struct event ev = { .type = EV_ENCRYPTED_HANDSHAKE, .length = d->record_len, .tls_phase = phase,
                            .decrypted = true };
        emit(x, &ev);
        size_t cap = (size_t)x->limits->max_handshake_message + 4 + TLS_MAX_RECORD_LEN;
        if (!growbuf_append(&d->handshake, pt.data, pt.len, cap)) {
            struct event lim = { .type = EV_TLS_LIMIT, .length = (uint32_t)pt.len, .decrypted = true,
                                 .u.problem = "handshake buffer full" };
            emit(x, &lim);
            d->handshake.len = 0;
            break;
        }
        decrypted_messages(x, d);
        break;
    }
    case CT_ALERT: {
        struct tls_alert alert = { .encrypted = pt.len != 2, .record_len = (uint16_t)d->record_len };
        if (pt.len == 2) {
            alert.level = pt.data[0];
            alert.description = pt.data[1];
        }
        struct event ev = { .type = EV_ALERT, .length = d->record_len, .u.alert = &alert,
                            .decrypted = true };
        emit(x, &ev);
        break;
    }
    default: {
        /* Application data: counted, its bytes wiped below, never handed on. */
        struct event ev = { .type = EV_APPLICATION_DATA, .length = d->record_len,
                            .tls_phase = cr->tls13 ? TLS_PHASE_AFTER_HANDSHAKE : TLS_PHASE_NONE,
                            .decrypted = true };
        emit(x, &ev);
        break;
    }
    }
    OPENSSL_cleanse(out, pt.len + 1);
    return true;
}

static void crypto_free(struct tls_crypto *cr)
{
    OPENSSL_cleanse(cr, sizeof *cr);
    free(cr);
}
