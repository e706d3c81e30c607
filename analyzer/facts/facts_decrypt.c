/* Decryption facts: what a key log did for each connection (which lines
 * were used, or why its records stayed encrypted) and the capture's key
 * log summary. Present only when the capture has a key log (--keylog or a
 * Decryption Secrets Block): without one the facts are as they always were.
 * Key log lines are named "source:line", never by their secret. */
#include "facts_internal.h"
#include "json_build.h"
#include "tls_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECRYPTION_MAX_LINES 8

struct decryption_track {
    bool unsupported, auth_failed, records_missing, key_update;
    uint16_t suite;
    uint64_t auth_failed_frame, records_missing_frame, key_update_frame;
    int key_update_side;
    uint8_t used_labels, missing_labels;            /* bits: enum keylog_label */
    uint32_t line_count;                            /* distinct lines used, all counted */
    struct { uint32_t source, line; } lines[DECRYPTION_MAX_LINES];
    uint64_t records[2];                            /* decrypted, by side */
};

void decryption_track_free(struct conn_track *t)
{
    free(t->decryption);
    t->decryption = NULL;
}

static struct decryption_track *dec_of(struct conn_track *t)
{
    if (!t->decryption)
        t->decryption = calloc(1, sizeof *t->decryption);
    return t->decryption;
}

static void add_line(struct decryption_track *d, uint32_t source, uint32_t line)
{
    uint32_t kept = d->line_count < DECRYPTION_MAX_LINES ? d->line_count : DECRYPTION_MAX_LINES;
    for (uint32_t i = 0; i < kept; i++)
        if (d->lines[i].source == source && d->lines[i].line == line)
            return;
    if (d->line_count < DECRYPTION_MAX_LINES) {
        d->lines[d->line_count].source = source;
        d->lines[d->line_count].line = line;
    }
    d->line_count++;
}

void on_tls_decryption(struct conn_track *t, const struct event *ev, int side)
{
    struct decryption_track *d = dec_of(t);
    if (!d)
        return;
    const struct tls_decryption_note *n = ev->u.decryption;
    d->suite = n->cipher_suite;
    switch (n->what) {
    case TLS_DECRYPTION_SECRET_USED:
        d->used_labels |= (uint8_t)(1u << n->label);
        add_line(d, n->source, n->line);
        break;
    case TLS_DECRYPTION_UNSUPPORTED_SUITE:
        d->unsupported = true;
        break;
    case TLS_DECRYPTION_RECORDS_MISSING:
        if (!d->records_missing)
            d->records_missing_frame = ev->frame;
        d->records_missing = true;
        break;
    case TLS_DECRYPTION_AUTH_FAILED:
        if (!d->auth_failed)
            d->auth_failed_frame = ev->frame;
        d->auth_failed = true;
        break;
    case TLS_DECRYPTION_KEY_UPDATE:
        if (!d->key_update) {
            d->key_update_frame = ev->frame;
            d->key_update_side = side;
        }
        d->key_update = true;
        break;
    case TLS_DECRYPTION_NO_SECRET:
        d->missing_labels |= (uint8_t)(1u << n->label);
        break;
    default:
        break;
    }
}

void on_decrypted_event(struct conn_track *t, const struct event *ev, int side)
{
    struct decryption_track *d = dec_of(t);
    if (d && (ev->type == EV_ENCRYPTED_HANDSHAKE || ev->type == EV_APPLICATION_DATA || ev->type == EV_ALERT))
        d->records[side]++;
}

/* A decrypted handshake message the facts have no record for: the last
 * message seen. A Finished keeps the names the record layer's phases give
 * it without keys (client_finished, server_finished). */
void on_decrypted_handshake_other(struct conn_track *t, const struct event *ev, int side)
{
    const char *name = ev->handshake_type == TLS_HS_FINISHED
                     ? (side == SIDE_CLIENT ? "client_finished" : "server_finished")
                     : tls_handshake_name(ev->handshake_type);
    t->last_message = name ? name : "handshake";
    t->last_message_ts = ev->ts_ns;
    t->last_message_frame = ev->frame;
}

static void line_name(const struct capture_keys *keys, uint32_t source, uint32_t line, char *out, size_t len)
{
    char buf[48];
    snprintf(out, len, "%s:%u", capture_keys_source_name(keys, source, buf, sizeof buf), line);
}

static cJSON *labels_json(uint8_t bits)
{
    cJSON *a = cJSON_CreateArray();
    for (int l = 0; l < KEYLOG_LABEL_COUNT; l++)
        if (bits & (1u << l))
            cJSON_AddItemToArray(a, cJSON_CreateString(keylog_label_name((enum keylog_label)l)));
    return a;
}

static bool has_keys(const struct facts_builder *fb)
{
    return fb->opt.keys && fb->opt.keys->store;
}

void add_decryption_facts(struct facts_builder *fb, const struct conn_track *t, cJSON *tls)
{
    const struct decryption_track *d = t->decryption;
    /* Only a connection with protected records has anything to decrypt. */
    if (!has_keys(fb) || (!d && !t->tls13 && !t->ccs_frame[SIDE_CLIENT] && !t->ccs_frame[SIDE_SERVER]))
        return;
    cJSON *o = json_add_object(tls, "decryption");
    const char *status = "no_keys", *reason = "no key log line for its Client Hello's random";
    if (d && d->line_count) {
        status = "decrypted";
        reason = d->missing_labels ? "decrypted as far as the key log's secrets go" : "decrypted";
    } else if (d && d->unsupported) {
        status = "unsupported_suite";
        reason = "the cipher suite is not one tlsdiag decrypts (AEAD suites of TLS 1.2 and 1.3 only)";
    } else if (d && d->records_missing) {
        status = "records_missing";
        reason = "records are missing from the capture before anything was decrypted";
    } else if (d && d->auth_failed) {
        status = "auth_failed";
        reason = "records did not authenticate with the key log's secret (wrong key log?)";
    } else if (d && d->missing_labels) {
        reason = "the key log lacks the secrets this connection needs";
    }
    json_add_string(o, "status", status);
    json_add_string(o, "reason", reason);
    json_add_u64(o, "key_log_lines_used", d ? d->line_count : 0);
    cJSON *lines = json_add_array(o, "key_log_lines");
    uint32_t kept = d ? (d->line_count < DECRYPTION_MAX_LINES ? d->line_count : DECRYPTION_MAX_LINES) : 0;
    for (uint32_t i = 0; i < kept; i++) {
        char name[300];
        line_name(fb->opt.keys, d->lines[i].source, d->lines[i].line, name, sizeof name);
        cJSON_AddItemToArray(lines, cJSON_CreateString(name));
    }
    if (!d)
        return;
    json_add(o, "secrets_used", labels_json(d->used_labels));
    if (d->missing_labels)
        json_add(o, "secrets_missing", labels_json(d->missing_labels));
    json_add_u64(o, "records_decrypted_client", d->records[SIDE_CLIENT]);
    json_add_u64(o, "records_decrypted_server", d->records[SIDE_SERVER]);
    if (d->unsupported)
        json_add_u64(o, "cipher_suite", d->suite);
    if (d->records_missing)
        json_add_u64(o, "records_missing_frame", d->records_missing_frame);
    if (d->auth_failed)
        json_add_u64(o, "auth_failed_frame", d->auth_failed_frame);
    if (d->key_update) {
        json_add_u64(o, "key_update_frame", d->key_update_frame);
        json_add_string(o, "key_update_by", side_name(d->key_update_side));
    }
}

void add_keylog_summary(struct facts_builder *fb, cJSON *capture)
{
    if (!has_keys(fb))
        return;
    const struct capture_keys *keys = fb->opt.keys;
    struct keylog_stats st;
    keylog_get_stats(keys->store, &st);
    cJSON *o = json_add_object(capture, "keylog");
    cJSON *sources = json_add_array(o, "sources");
    size_t files = keys->files ? keys->files->count : 0;
    for (size_t i = 0; i < files; i++)
        cJSON_AddItemToArray(sources, cJSON_CreateString(keys->files->files[i].path));
    for (uint32_t b = 1; b <= keys->dsb.key_log_blocks; b++) {
        char buf[48];
        cJSON_AddItemToArray(sources, cJSON_CreateString(
            capture_keys_source_name(keys, (uint32_t)files + b, buf, sizeof buf)));
    }
    json_add_u64(o, "dsb_blocks", keys->dsb.key_log_blocks);
    json_add_u64(o, "lines_read", st.lines);
    json_add_u64(o, "entries", st.entries);
    json_add_u64(o, "entries_used", st.used);
    json_add_u64(o, "entries_unused", st.entries - st.used);
    json_add_u64(o, "malformed_lines", st.malformed);
    if (st.malformed) {
        char name[300];
        line_name(keys, st.first_malformed_source, st.first_malformed_line, name, sizeof name);
        json_add_string(o, "first_malformed_line", name);
    }
    json_add_u64(o, "ignored_lines", st.ignored);
    json_add_u64(o, "duplicates", st.duplicates);
    json_add_u64(o, "over_cap", st.over_cap);
    json_add_string(o, "status", keylog_status_message(st.status));
    /* The unused entries' lines, the first few: which lines did not help. */
    cJSON *unused = json_add_array(o, "unused_lines");
    int listed = 0;
    for (size_t i = 0; i < keylog_count(keys->store) && listed < 8; i++) {
        const struct keylog_entry *e = keylog_entry_at(keys->store, i);
        if (keylog_entry_used(e))
            continue;
        char name[300];
        line_name(keys, keylog_entry_source(e), keylog_entry_line(e), name, sizeof name);
        cJSON_AddItemToArray(unused, cJSON_CreateString(name));
        listed++;
    }
}
