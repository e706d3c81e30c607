/* `tlsdiag stats CAPTURE...`: what the capture holds and how the pipeline
 * read it, as one JSON object per capture. For triage and for tests that
 * must know that every frame was read. */
#include "cli.h"
#include "timestamp.h"

#include <cjson/cJSON.h>
#include <string.h>

struct conn_counter {
    uint64_t conns, tls_conns, tunnels, with_gaps, limit_hits, cut;
};

static void count_conn(void *ctx, const struct event *ev)
{
    struct conn_counter *cc = ctx;
    if (ev->type != EV_CONN_END)
        return;
    cc->conns++;
    const char *kind = stream_kind_name(ev->conn);
    if (!strcmp(kind, "tls") || !strcmp(kind, "connect+tls"))
        cc->tls_conns++;
    if (!strcmp(kind, "connect+tls"))
        cc->tunnels++;
    for (int i = 0; i < 2; i++) {
        if (ev->conn->half[i].gaps) {
            cc->with_gaps++;
            break;
        }
    }
    if (ev->conn->half[0].limit_hit || ev->conn->half[1].limit_hit)
        cc->limit_hits++;
    if (ev->conn->half[0].cuts || ev->conn->half[1].cuts)
        cc->cut++;
}

static void add_u64(cJSON *o, const char *key, uint64_t v) { cJSON_AddNumberToObject(o, key, (double)v); }

static cJSON *summary_json(const char *path, const struct pipeline_summary *s, const struct conn_counter *cc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddStringToObject(o, "format", s->format);
    add_u64(o, "frames", s->frames);
    add_u64(o, "bytes", s->bytes);
    cJSON_AddNumberToObject(o, "duration_s", s->frames ? (double)timestamp_between(s->last_ts, s->first_ts) / 1e9 : 0);
    add_u64(o, "tcp_packets", s->decoded_tcp);
    add_u64(o, "udp_packets", s->decoded_udp);
    add_u64(o, "not_ip", s->not_ip);
    add_u64(o, "truncated_headers", s->truncated_headers);
    add_u64(o, "invalid_headers", s->invalid_headers);
    add_u64(o, "ip_fragments_held", s->fragments_held);
    add_u64(o, "ip_datagrams_reassembled", s->ipfrag_completed);
    add_u64(o, "ip_datagrams_incomplete", s->ipfrag_dropped);
    add_u64(o, "unknown_link_packets", s->unknown_link_packets);
    add_u64(o, "tcp_connections", cc->conns);
    add_u64(o, "tls_connections", cc->tls_conns);
    add_u64(o, "connect_tunnels", cc->tunnels);
    add_u64(o, "connections_with_gaps", cc->with_gaps);
    add_u64(o, "connections_hitting_limits", cc->limit_hits);
    add_u64(o, "max_live_connections", s->reasm.max_live_conns);
    add_u64(o, "connections_evicted", s->reasm.conns_evicted);
    add_u64(o, "dns_messages", s->streams.dns_messages);
    /* Only for a capture a snapshot length cut, like "damage" below. */
    if (s->frames_cut) {
        add_u64(o, "frames_cut", s->frames_cut);
        add_u64(o, "first_cut_frame", s->first_cut_frame);
        add_u64(o, "snaplen", pipeline_cut_snaplen(s));
        add_u64(o, "connections_cut", cc->cut);
    }
    cJSON_AddBoolToObject(o, "damaged_tail", s->damaged_tail);
    if (s->damaged_tail)
        cJSON_AddStringToObject(o, "damage", s->damage);
    return o;
}

static void stats_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag stats [OPTIONS] CAPTURE...\n\n"
               "Prints, for each capture, one JSON object: its format, frames, bytes, how\n"
               "many packets could not be decoded and why, TCP/TLS/CONNECT connections, DNS\n"
               "messages, frames a snapshot length cut (frames_cut, first_cut_frame,\n"
               "snaplen, connections_cut; only when there are), and whether the file has a\n"
               "damaged tail.\n\n"
               "exit status: 0 read, 2 unusable input or usage error\n\n");
    cli_limit_help(f);
}

int cmd_stats(int argc, char **argv)
{
    struct pipeline_options opt;
    pipeline_default_options(&opt);
    int first_file = cli_parse_common(argc, argv, &opt, stats_help, NULL);
    if (first_file < 0)
        return first_file == CLI_HELP_SHOWN ? 0 : 2;
    int status = 0;
    for (int i = first_file; i < argc; i++) {
        struct conn_counter cc = { 0 };
        struct event_sink sink = { &cc, count_conn };
        struct pipeline_summary summary;
        char err[256] = "";
        struct capture_source src = { .path = argv[i] };
        enum pass_status st = pass_read(&src, &opt, &sink, &summary, err, sizeof err);
        cli_report_run(argv[i], st, err, &summary);
        if (st == PASS_UNUSABLE) {
            status = cli_exit_status(st);
            continue;
        }
        cJSON *o = summary_json(argv[i], &summary, &cc);
        char *text = cJSON_PrintUnformatted(o);
        if (text)
            puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    }
    return status;
}
