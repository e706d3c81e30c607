/* A connection's TCP: its handshake, how and by whom it ended, and the
 * reassembler's counters, kept past the tcp_conn in a conn_snapshot. */
#include "facts_internal.h"
#include "addr.h"
#include "json_build.h"

#include <stdio.h>

void on_tcp(struct conn_track *t, const struct event *ev, int side)
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
            t->synack_ttl = ev->ip_ttl;
        }
        break;
    case TCP_EV_FIN:
        on_tls_close(t, side, ev->conn->first_ts);
        if (!t->fin_frame[side]) {
            t->fin_frame[side] = ev->frame;
            t->fin_ts[side] = ev->ts_ns;
        }
        break;
    case TCP_EV_RST:
        on_tls_close(t, side, ev->conn->first_ts);
        if (!t->rst_frame) {
            t->rst_frame = ev->frame;
            t->rst_ts = ev->ts_ns;
            t->rst_side = side;
            t->rst_ttl = ev->ip_ttl;
            t->rst_has_ip_id = ev->has_ip_id;
            t->rst_ip_id = ev->ip_id;
        }
        break;
    default:
        break;
    }
}

/* Cut bytes are counted by the reassembler (the connection's capture_cut
 * facts); only a hole the capture lost is a gap. */
void on_stream_gap(struct conn_track *t, const struct event *ev)
{
    if (!ev->u.cut && !t->gap_frame)
        t->gap_frame = ev->frame;
}

static void direction_counts_take(struct direction_counts *d, const struct tcp_half *h, const struct tcp_half *peer)
{
    struct half_shortfall short_of = reasm_shortfall(h);
    *d = (struct direction_counts){ .packets = h->packets, .payload_packets = h->payload_packets,
                                    .bytes_delivered = h->bytes_delivered, .gap_bytes = h->gap_bytes,
                                    .syn_count = h->syn_count, .retransmissions = h->retransmissions,
                                    .dup_acks = h->dup_acks, .zero_windows = h->zero_windows, .gaps = h->gaps,
                                    .limit_hit = h->limit_hit, .limit_frame = h->limit_frame,
                                    .cuts = h->cuts, .cut_bytes = h->cut_bytes,
                                    .first_cut_frame = h->first_cut_frame,
                                    .acked_all_frame = h->acked_upto == peer->next_seq ? h->acked_frame : 0,
                                    .unseen_bytes = short_of.unseen_bytes,
                                    .stranded_bytes = short_of.stranded_bytes };
}

void conn_snapshot_take(struct conn_snapshot *s, struct tcp_conn *c)
{
    int client = conn_client(c);
    s->id = c->id;
    s->ip_version = c->ip_version;
    s->end[SIDE_CLIENT] = c->ep[client];
    s->end[SIDE_SERVER] = c->ep[1 - client];
    direction_counts_take(&s->sent[SIDE_CLIENT], &c->half[client], &c->half[1 - client]);
    direction_counts_take(&s->sent[SIDE_SERVER], &c->half[1 - client], &c->half[client]);
    s->first_frame = c->first_frame;
    s->last_frame = c->last_frame;
    s->first_ts = c->first_ts;
    s->last_ts = c->last_ts;
    s->open_at_start = !c->half[0].syn_seen && !c->half[1].syn_seen;
}

void endpoint_text(uint8_t ip_version, const struct endpoint *e, char *buf, size_t len, bool with_port)
{
    char a[ADDR_TEXT_MAX];
    addr_format(ip_version, e->addr, with_port, a, sizeof a);
    if (with_port)
        snprintf(buf, len, "%s:%u", a, e->port);
    else
        snprintf(buf, len, "%s", a);
}

void add_server_members(cJSON *o, uint8_t ip_version, const struct endpoint *server)
{
    char text[CONN_TEXT_MAX];
    endpoint_text(ip_version, server, text, sizeof text, true);
    json_add_string(o, "server", text);
    endpoint_text(ip_version, server, text, sizeof text, false);
    json_add_string(o, "server_ip", text);
    json_add_u64(o, "server_port", server->port);
}

/* A client that sends data got its SYN-ACK, captured or not; so did one
 * whose connection was open before the capture began. */
bool conn_connected(const struct conn_snapshot *c, const struct conn_track *t)
{
    return t->synack_frame || c->sent[SIDE_SERVER].payload_packets || c->sent[SIDE_CLIENT].payload_packets ||
           c->open_at_start;
}

unsigned ttl_hops(uint8_t ttl)
{
    static const unsigned initial[] = { 32, 64, 128, 255 };
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i] - ttl;
    return 0;
}

static void add_ttl(cJSON *o, const char *literal_ttl_key, const char *literal_hops_key, uint8_t ttl)
{
    json_add_u64(o, literal_ttl_key, ttl);
    json_add_u64(o, literal_hops_key, ttl_hops(ttl));
}

cJSON *tcp_json(const struct conn_snapshot *c, const struct conn_track *t)
{
    const struct direction_counts *ch = &c->sent[SIDE_CLIENT], *sh = &c->sent[SIDE_SERVER];
    cJSON *o = cJSON_CreateObject();
    if (t->syn_frame) {
        json_add_u64(o, "syn_frame", t->syn_frame);
        json_add_conn_time(o, "syn_time_ms", t->syn_ts, c->first_ts);
    }
    json_add_u64(o, "syn_count", ch->syn_count);
    if (t->synack_frame) {
        json_add_u64(o, "synack_frame", t->synack_frame);
        json_add_conn_time(o, "synack_time_ms", t->synack_ts, c->first_ts);
    }
    /* TTL 0 never crosses a link: it says no IP header was read. */
    if (t->synack_frame && t->synack_ttl)
        add_ttl(o, "server_ip_ttl", "server_ip_hops", t->synack_ttl);
    json_add_bool(o, "connected", conn_connected(c, t));
    if (c->open_at_start)
        json_add_bool(o, "open_at_capture_start", true);
    if (t->rst_frame) {
        cJSON *rst = json_add_object(o, "rst");
        json_add_u64(rst, "frame", t->rst_frame);
        json_add_conn_time(rst, "time_ms", t->rst_ts, c->first_ts);
        json_add_string(rst, "from", side_name(t->rst_side));
        if (t->rst_ttl)
            add_ttl(rst, "ip_ttl", "ip_hops", t->rst_ttl);
        if (t->rst_has_ip_id)
            json_add_u64(rst, "ip_id", t->rst_ip_id);
    }
    if (t->fin_frame[SIDE_CLIENT]) {
        json_add_u64(o, "fin_client_frame", t->fin_frame[SIDE_CLIENT]);
        json_add_conn_time(o, "fin_client_time_ms", t->fin_ts[SIDE_CLIENT], c->first_ts);
    }
    if (t->fin_frame[SIDE_SERVER]) {
        json_add_u64(o, "fin_server_frame", t->fin_frame[SIDE_SERVER]);
        json_add_conn_time(o, "fin_server_time_ms", t->fin_ts[SIDE_SERVER], c->first_ts);
    }
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
    if (sh->acked_all_frame)
        json_add_u64(o, "c2s_acked_frame", sh->acked_all_frame);
    if (sh->unseen_bytes)
        json_add_u64(o, "s2c_unseen_bytes", sh->unseen_bytes);
    if (sh->stranded_bytes)
        json_add_u64(o, "s2c_stranded_bytes", sh->stranded_bytes);
    if (ch->limit_hit || sh->limit_hit)
        json_add_u64(o, "reassembly_limit_frame", ch->limit_hit ? ch->limit_frame : sh->limit_frame);
    return o;
}
