#include "events_out.h"
#include "addr.h"
#include "json_text.h"

void events_writer_init(struct events_writer *w, FILE *out)
{
    w->out = out;
    w->lines = 0;
}

static void write_list(FILE *f, const char *key, const struct wire_list *l)
{
    fprintf(f, ", \"%s\": [", key);
    for (uint32_t i = 0; i < l->count; i++)
        fprintf(f, i ? ", %u" : "%u", wire_list_get(l, i));
    putc(']', f);
}

static void write_client_hello(FILE *f, const struct tls_client_hello *ch)
{
    if (ch->has_sni) {
        fputs(", \"sni\": ", f);
        json_write_string(f, ch->sni.data, ch->sni.len);
    }
    fprintf(f, ", \"legacy_version\": %u", ch->legacy_version);
    if (ch->supported_versions.present)
        write_list(f, "supported_versions", &ch->supported_versions);
    if (ch->cipher_suites.present)
        write_list(f, "cipher_suites", &ch->cipher_suites);
}

static void write_server_hello(FILE *f, const struct tls_server_hello *sh)
{
    fprintf(f, ", \"legacy_version\": %u", sh->legacy_version);
    if (sh->has_supported_version)
        fprintf(f, ", \"supported_versions\": [%u]", sh->supported_version);
    if (sh->has_cipher_suite)
        fprintf(f, ", \"cipher_suite\": %u", sh->cipher_suite);
}

static const char *type_name(const struct event *ev)
{
    switch (ev->type) {
    case EV_CLIENT_HELLO: return "client_hello";
    case EV_SERVER_HELLO:
        return ev->u.server_hello->is_hello_retry_request ? "hello_retry_request" : "server_hello";
    case EV_CERTIFICATE: return "certificate";
    case EV_ALERT: return "alert";
    case EV_CONNECT_REQUEST: return "connect_request";
    case EV_CONNECT_RESPONSE: return "connect_response";
    default: return NULL;
    }
}

void events_writer_emit(void *ctx, const struct event *ev)
{
    struct events_writer *w = ctx;
    const char *type = type_name(ev);
    if (!type)
        return;
    FILE *f = w->out;
    char conn[CONN_TEXT_MAX];
    conn_format(ev->conn, conn, sizeof conn);
    bool from_client = ev->sender == conn_client(ev->conn);
    fprintf(f, "{\"frame\": %llu, \"conn\": \"%s\", \"dir\": \"%s\", \"type\": \"%s\"",
            (unsigned long long)ev->frame, conn, from_client ? "c2s" : "s2c", type);
    switch (ev->type) {
    case EV_CLIENT_HELLO:
        write_client_hello(f, ev->u.client_hello);
        break;
    case EV_SERVER_HELLO:
        write_server_hello(f, ev->u.server_hello);
        break;
    case EV_ALERT:
        if (ev->u.alert->encrypted)
            fputs(", \"encrypted\": true", f);
        else
            fprintf(f, ", \"alert_level\": %u, \"alert_description\": %u", ev->u.alert->level,
                    ev->u.alert->description);
        break;
    case EV_CONNECT_REQUEST:
        fputs(", \"target\": ", f);
        json_write_string(f, ev->u.connect_request->target.data, ev->u.connect_request->target.len);
        break;
    case EV_CONNECT_RESPONSE:
        fprintf(f, ", \"status\": %u", ev->u.connect_response->status);
        break;
    default:
        break;
    }
    if (ev->decrypted)
        fputs(", \"decrypted\": true", f);
    fputs("}\n", f);
    w->lines++;
}
