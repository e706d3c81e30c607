/* A connection's verdict: the stage it failed at, or why the capture cannot
 * tell whether it worked. From the track's frames and counters (and which
 * of its JSON parts exist), so the sample can sort a connection as it ends
 * without making its JSON. */
#include "facts_internal.h"

#include <string.h>

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

const char unknown_reason_cut[] = "the capture was cut by a snapshot length: TLS contents not available";

/* Why the capture cannot tell whether a connection worked, or NULL. */
static const char *unknown_reason(const struct conn_snapshot *c, const struct conn_track *t)
{
    if (!c->sent[SIDE_SERVER].packets && c->sent[SIDE_CLIENT].payload_packets)
        return "only the client's side of the connection is in the capture";
    if (!c->sent[SIDE_CLIENT].packets && c->sent[SIDE_SERVER].payload_packets)
        return "only the server's side of the connection is in the capture";
    if (!t->tls)
        return c->open_at_start && !t->http
                   ? "the connection was already open at capture start: its beginning is not in the capture"
                   : NULL;
    bool hellos_seen = t->client_hello || t->server_hello;
    if (!hellos_seen && !t->first_fatal_alert_frame)
        return "the handshake is not in the capture (it started before the capture)";
    if (!t->client_hello && t->server_hello)
        return "the Client Hello is missing from the capture";
    bool ended = t->rst_frame || t->fin_frame[0] || t->fin_frame[1] || t->first_fatal_alert_frame ||
                 t->alert_records[0] || t->alert_records[1];
    if (!t->handshake_done && !ended)
        return "the capture ends during the handshake";
    if (!t->app_records[SIDE_SERVER] && !ended)
        return "the capture ends before the server sent any application data";
    return NULL;
}

/* The side that ended the connection first (FIN or RST), or -1. */
static int first_to_close(const struct conn_track *t)
{
    uint64_t end[2];
    for (int side = 0; side < 2; side++) {
        uint64_t rst = t->rst_frame && t->rst_side == side ? t->rst_frame : 0;
        uint64_t fin = t->fin_frame[side];
        end[side] = fin && (!rst || fin < rst) ? fin : rst;
    }
    if (!end[SIDE_CLIENT] && !end[SIDE_SERVER])
        return -1;
    if (!end[SIDE_CLIENT])
        return SIDE_SERVER;
    if (!end[SIDE_SERVER])
        return SIDE_CLIENT;
    return end[SIDE_SERVER] < end[SIDE_CLIENT] ? SIDE_SERVER : SIDE_CLIENT;
}

/* The server asked for a client certificate, the client sent none, and the
 * server then ended the connection: it refused the client, whatever it
 * answered first (nginx completes the handshake and answers 400 inside
 * TLS). A server that only wanted one lets the client close. */
static bool client_certificate_refused(const struct conn_track *t)
{
    const cJSON *msg = t->tls ? cJSON_GetObjectItem(t->tls, "client_certificate") : NULL;
    const cJSON *count = msg ? cJSON_GetObjectItem(msg, "count") : NULL;
    const char *likely = client_certificate_likely(t);
    bool empty = (count && cJSON_IsNumber(count) && count->valuedouble == 0) ||
                 (!msg && likely && !strcmp(likely, "empty"));
    return empty && first_to_close(t) == SIDE_SERVER;
}

/* The stage a failed connection stopped at, or NULL for success. Success
 * has to be shown: the handshake completed from both sides and the server
 * delivered application data that nobody cut short. */
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
    if (transfer_interrupted(t))
        return "transfer";
    if (!t->app_records[SIDE_SERVER] || client_certificate_refused(t))
        return "tls_handshake";
    return NULL;
}

/* Of a connection a snapshot length cut, whether its outcome is in the
 * bytes the capture kept: a connect that failed, or a proxy's refusal.
 * Anything said of its TLS (success, a handshake that seems to stop, a
 * transfer that seems cut short, even a fatal alert whose cause was in the
 * messages cut off) may be the cut's doing: the capture cannot tell. */
static bool outcome_in_kept_bytes(const struct conn_track *t, const char *stage)
{
    if (!stage)
        return false;
    if (!strcmp(stage, "tcp_connect"))
        return true;
    return !strcmp(stage, "proxy") && t->connect_answer.seen && !http_success(&t->connect_answer);
}

/* The stage the connection failed at, or NULL: it worked, or the capture
 * cannot tell (then *unknown says why). */
const char *conn_outcome(const struct conn_snapshot *c, const struct conn_track *t, const char **unknown)
{
    *unknown = t->proxy ? NULL : unknown_reason(c, t);
    const char *stage = *unknown ? NULL : failed_stage(t, conn_connected(c, t));
    if (conn_first_cut_frame(c) && !outcome_in_kept_bytes(t, stage)) {
        *unknown = unknown_reason_cut;
        return NULL;
    }
    return stage;
}

bool conn_failed(const struct conn_snapshot *c, const struct conn_track *t)
{
    const char *unknown;
    return conn_outcome(c, t, &unknown) != NULL;
}

