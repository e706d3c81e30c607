#include "hello_facts.h"
#include "fingerprint.h"
#include "json_build.h"
#include "json_text.h"
#include "tls_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- record */

static void keep_value(struct value_list *l, uint32_t v)
{
    if (l->kept < FACTS_MAX_LIST)
        l->v[l->kept++] = (uint16_t)v;
    l->total++;
}

static void keep_wire_list(struct value_list *l, const struct wire_list *w, bool skip_grease)
{
    for (uint32_t i = 0; w->present && i < w->count; i++) {
        uint32_t v = wire_list_get(w, i);
        if (!(skip_grease && tls_is_grease(v)))
            keep_value(l, v);
    }
}

static void keep_extension_types(struct value_list *l, struct wire_bytes block, bool present)
{
    if (!present)
        return;
    struct cursor c = cursor_make(block.data, block.len);
    struct tls_extension ext;
    while (tls_next_extension(&c, &ext))
        keep_value(l, ext.type);
}

/* The protocol names, NUL-separated, as many as fit HELLO_ALPN_TEXT. */
static void keep_alpn(struct client_hello_facts *h, const struct tls_client_hello *ch)
{
    if (!ch->has_alpn)
        return;
    size_t used = 0;
    struct cursor c = cursor_make(ch->alpn.data, ch->alpn.len);
    while (cursor_remaining(&c)) {
        struct cursor name = cursor_vec8(&c);
        if (!cursor_ok(&name))
            break;
        h->alpn_total++;
        size_t n = name.len < 255 ? name.len : 255;
        if (h->alpn_kept >= FACTS_MAX_LIST || used + n + 1 > sizeof h->alpn)
            continue;
        text_from_wire(h->alpn + used, n + 1, name.data, name.len);
        used += n + 1;
        h->alpn_kept++;
    }
}

static uint16_t highest_version(const struct tls_client_hello *ch)
{
    uint16_t best = 0;
    for (uint32_t i = 0; ch->supported_versions.present && i < ch->supported_versions.count; i++) {
        uint32_t v = wire_list_get(&ch->supported_versions, i);
        if (!tls_is_grease(v) && v > best && v <= 0x0304)
            best = (uint16_t)v;
    }
    return best ? best : ch->legacy_version;
}

/* The lowest version supported_versions offers, or 0 without the
 * extension: a legacy_version is the client's highest, and its lowest is
 * not on the wire. */
static uint16_t lowest_version(const struct tls_client_hello *ch)
{
    uint16_t low = 0;
    for (uint32_t i = 0; ch->supported_versions.present && i < ch->supported_versions.count; i++) {
        uint32_t v = wire_list_get(&ch->supported_versions, i);
        if (!tls_is_grease(v) && v >= 0x0300 && v <= 0x0304 && (!low || v < low))
            low = (uint16_t)v;
    }
    return low;
}

/* The message's bytes, when small enough to fingerprint at render time. */
static bool keep_message_bytes(struct wire_bytes message, uint8_t **raw, size_t *raw_len)
{
    if (!message.data || message.len > HELLO_RAW_MAX)
        return false;
    *raw = malloc(message.len ? message.len : 1);
    if (!*raw)
        return false;
    memcpy(*raw, message.data, message.len);
    *raw_len = message.len;
    return true;
}

struct client_hello_facts *client_hello_facts_record(const struct tls_client_hello *ch, uint64_t frame,
                                                     int64_t since_conn_start_ns)
{
    struct client_hello_facts *h = calloc(1, sizeof *h);
    char ja3[JA3_TEXT_MAX];
    if (!h)
        return NULL;
    h->frame = frame;
    h->since_conn_start_ns = since_conn_start_ns;
    h->legacy_version = ch->legacy_version;
    h->max_version = highest_version(ch);
    h->min_version = lowest_version(ch);
    h->has_supported_versions = ch->supported_versions.present;
    keep_wire_list(&h->versions, &ch->supported_versions, true);
    for (uint32_t i = 0; ch->cipher_suites.present && i < ch->cipher_suites.count; i++) {
        if (h->suites_kept < FACTS_MAX_SUITES)
            h->suites[h->suites_kept++] = wire_list_get(&ch->cipher_suites, i);
        h->suites_total++;
    }
    keep_extension_types(&h->extensions, ch->extensions, ch->has_extensions);
    keep_wire_list(&h->groups, &ch->supported_groups, false);
    keep_wire_list(&h->signature_algorithms, &ch->signature_algorithms, false);
    keep_alpn(h, ch);
    h->has_sni = ch->has_sni;
    if (ch->has_sni)
        text_from_wire(h->sni, sizeof h->sni, ch->sni.data, ch->sni.len);
    h->key_share_count = ch->key_share_count;
    memcpy(h->key_shares, ch->key_share_groups, sizeof h->key_shares);
    h->sslv2 = ch->sslv2;
    h->malformed = ch->status != PARSE_OK;
    if (keep_message_bytes(ch->message, &h->raw, &h->raw_len))
        return h;
    fingerprint_ja3(ch, ja3, sizeof ja3, h->ja3_hash);
    fingerprint_ja4(ch, h->ja4);
    h->ja3 = strdup(ja3);
    if (!h->ja3) {
        free(h);
        return NULL;
    }
    return h;
}

struct server_hello_facts *server_hello_facts_record(const struct tls_server_hello *sh, uint64_t frame,
                                                     int64_t since_conn_start_ns)
{
    struct server_hello_facts *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->frame = frame;
    h->since_conn_start_ns = since_conn_start_ns;
    h->legacy_version = sh->legacy_version;
    h->version = sh->has_supported_version ? sh->supported_version : sh->legacy_version;
    h->has_cipher_suite = sh->has_cipher_suite;
    h->cipher_suite = sh->cipher_suite;
    keep_extension_types(&h->extensions, sh->extensions, sh->has_extensions);
    h->has_alpn = sh->has_alpn;
    if (sh->has_alpn)
        text_from_wire(h->alpn, sizeof h->alpn, sh->alpn.data, sh->alpn.len);
    h->sslv2 = sh->sslv2;
    h->msg_type = sh->msg_type;
    /* SSLv2 has no JA3S. */
    if (sh->sslv2 || keep_message_bytes(sh->message, &h->raw, &h->raw_len))
        return h;
    char ja3s[JA3_TEXT_MAX];
    fingerprint_ja3s(sh, ja3s, sizeof ja3s, h->ja3s_hash);
    h->ja3s = strdup(ja3s);
    if (!h->ja3s) {
        free(h);
        return NULL;
    }
    return h;
}

void client_hello_facts_free(struct client_hello_facts *h)
{
    if (h) {
        free(h->raw);
        free(h->ja3);
    }
    free(h);
}

void server_hello_facts_free(struct server_hello_facts *h)
{
    if (h) {
        free(h->raw);
        free(h->ja3s);
    }
    free(h);
}

/* ---------------------------------------------------------------- render */


static void add_version(cJSON *o, const char *key, const char *name_key, uint16_t v)
{
    json_add_u64(o, key, v);
    const char *name = tls_version_name(v);
    json_add_string(o, name_key, name ? name : "unknown");
}

/* A list cut to its first items says how long it was. */
static void add_total(cJSON *o, const char *literal_total_key, uint32_t kept, uint32_t total)
{
    if (total <= kept)
        return;
    json_add_u64(o, literal_total_key, total);
    if (!cJSON_GetObjectItem(o, "lists_truncated"))
        json_add_bool(o, "lists_truncated", true);
}

static void add_values(cJSON *o, const char *literal_key, const char *literal_total_key,
                       const struct value_list *l)
{
    cJSON *arr = json_add_array(o, literal_key);
    for (uint32_t i = 0; arr && i < l->kept; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(l->v[i]));
    add_total(o, literal_total_key, l->kept, l->total);
}

/* Where both hellos start: the frame, when, and the legacy version field. */
static cJSON *new_hello_object(uint64_t frame, int64_t since_conn_start_ns, uint16_t legacy_version)
{
    cJSON *o = cJSON_CreateObject();
    json_add_u64(o, "frame", frame);
    json_add_ms(o, "time_ms", since_conn_start_ns);
    json_add_u64(o, "legacy_version", legacy_version);
    return o;
}

cJSON *client_hello_facts_json(const struct client_hello_facts *h)
{
    cJSON *o = new_hello_object(h->frame, h->since_conn_start_ns, h->legacy_version);
    add_version(o, "max_version", "max_version_name", h->max_version);
    if (h->min_version)
        add_version(o, "min_version", "min_version_name", h->min_version);
    if (h->has_supported_versions)
        add_values(o, "versions", "versions_total", &h->versions);
    else
        json_add(o, "versions", cJSON_CreateIntArray((const int[]){ h->legacy_version }, 1));
    cJSON *suites = json_add_array(o, "cipher_suites");
    cJSON *names = json_add_array(o, "cipher_suite_names");
    for (uint32_t i = 0; suites && names && i < h->suites_kept; i++) {
        uint32_t v = h->suites[i];
        cJSON_AddItemToArray(suites, cJSON_CreateNumber(v));
        const char *name = v <= 0xFFFF ? tls_cipher_suite_name((uint16_t)v) : NULL;
        char hex[16];
        if (!name)
            snprintf(hex, sizeof hex, "0x%04x", v);
        /* The names are static: referenced, not copied. */
        cJSON_AddItemToArray(names, name ? cJSON_CreateStringReference(name) : cJSON_CreateString(hex));
    }
    add_total(o, "cipher_suites_total", h->suites_kept, h->suites_total);
    add_values(o, "extensions", "extensions_total", &h->extensions);
    if (h->has_sni)
        json_add_string(o, "sni", h->sni);
    add_values(o, "groups", "groups_total", &h->groups);
    add_values(o, "signature_algorithms", "signature_algorithms_total", &h->signature_algorithms);
    cJSON *alpn = json_add_array(o, "alpn");
    const char *p = h->alpn;
    for (uint32_t i = 0; alpn && i < h->alpn_kept; i++, p += strlen(p) + 1)
        cJSON_AddItemToArray(alpn, cJSON_CreateString(p));
    add_total(o, "alpn_total", h->alpn_kept, h->alpn_total);
    cJSON *shares = json_add_array(o, "key_share_groups");
    for (int i = 0; shares && i < h->key_share_count; i++)
        cJSON_AddItemToArray(shares, cJSON_CreateNumber(h->key_shares[i]));
    json_add_bool(o, "sslv2_format", h->sslv2);
    json_add_bool(o, "malformed", h->malformed);
    if (h->raw) {
        /* The same bytes parse to the same view the event had. */
        struct tls_client_hello ch;
        if (h->sslv2)
            tls_parse_sslv2_client_hello(h->raw, h->raw_len, &ch);
        else
            tls_parse_client_hello(h->raw, h->raw_len, &ch);
        char ja3[JA3_TEXT_MAX], md5[33], ja4[40];
        fingerprint_ja3(&ch, ja3, sizeof ja3, md5);
        fingerprint_ja4(&ch, ja4);
        json_add_string(o, "ja3", ja3);
        json_add_string(o, "ja3_hash", md5);
        json_add_string(o, "ja4", ja4);
    } else {
        json_add_string(o, "ja3", h->ja3 ? h->ja3 : "");
        json_add_string(o, "ja3_hash", h->ja3_hash);
        json_add_string(o, "ja4", h->ja4);
    }
    return o;
}

cJSON *server_hello_facts_json(const struct server_hello_facts *h)
{
    cJSON *o = new_hello_object(h->frame, h->since_conn_start_ns, h->legacy_version);
    add_version(o, "version", "version_name", h->version);
    if (h->has_cipher_suite) {
        json_add_u64(o, "cipher_suite", h->cipher_suite);
        const char *name = tls_cipher_suite_name(h->cipher_suite);
        json_add_string(o, "cipher_suite_name", name ? name : "unknown");
    }
    add_values(o, "extensions", "extensions_total", &h->extensions);
    if (h->has_alpn)
        json_add_string(o, "alpn", h->alpn);
    if (h->raw) {
        struct tls_server_hello sh;
        tls_parse_server_hello(h->raw, h->raw_len, h->msg_type, &sh);
        char ja3s[JA3_TEXT_MAX], md5[33];
        fingerprint_ja3s(&sh, ja3s, sizeof ja3s, md5);
        json_add_string(o, "ja3s", ja3s);
        json_add_string(o, "ja3s_hash", md5);
    } else if (h->ja3s) {
        json_add_string(o, "ja3s", h->ja3s);
        json_add_string(o, "ja3s_hash", h->ja3s_hash);
    }
    return o;
}
