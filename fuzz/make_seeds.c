/* Seed extractor: reads captures with tlsdiag's own pass, watching it
 * through its taps, and writes, in the input formats of the fuzz targets,
 * what they carry:
 *   OUT/tls/    each TCP connection's two byte streams as fuzz_tls commands
 *   OUT/reasm/  each capture's TCP segments (first 8 connections) as
 *               fuzz_reasm segments
 *   OUT/http/   the heads of HTTP CONNECT exchanges (request, response)
 *   OUT/dns/    DNS messages carried over UDP
 * fuzz/make_seeds.py runs it, adds hand-built edge cases, removes duplicates
 * and keeps the committed seeds small.
 *
 * usage: make_seeds OUT CAPTURE... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define MAX_STREAMS 256
#define STREAM_SEED_MAX (32 * 1024)
#define REASM_SEED_MAX (48 * 1024)
#define HTTP_HEAD_MAX 4096
#define DNS_SEEDS_PER_CAPTURE 24
#define REASM_CONNS 8

struct buf {
    uint8_t *data;
    size_t len, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) {
            perror("make_seeds");
            exit(1);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }
static void buf_u16(struct buf *b, uint16_t v) { buf_u8(b, (uint8_t)(v >> 8)); buf_u8(b, (uint8_t)v); }
static void buf_u32(struct buf *b, uint32_t v) { buf_u16(b, (uint16_t)(v >> 16)); buf_u16(b, (uint16_t)v); }

struct stream_seed {
    uint64_t conn_id;
    struct buf tls;               /* fuzz_tls commands */
    struct buf head[2];           /* first bytes of each direction, for HTTP */
    int first_sender;
};

struct extractor {
    const char *out_dir;
    const char *capture_name;
    struct stream_seed streams[MAX_STREAMS];
    int stream_count;
    int dns_written;
    struct buf reasm;
    struct endpoint reasm_conns[REASM_CONNS][2];
    int reasm_conn_count;
};

static void write_file(const struct extractor *x, const char *kind, const char *suffix,
                       uint8_t prefix, bool with_prefix, const uint8_t *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s-%s", x->out_dir, kind, x->capture_name, suffix);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (with_prefix)
        fputc(prefix, f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static struct stream_seed *stream_for(struct extractor *x, uint64_t conn_id, int sender)
{
    for (int i = 0; i < x->stream_count; i++)
        if (x->streams[i].conn_id == conn_id)
            return &x->streams[i];
    if (x->stream_count == MAX_STREAMS)
        return NULL;
    struct stream_seed *s = &x->streams[x->stream_count++];
    memset(s, 0, sizeof *s);
    s->conn_id = conn_id;
    s->first_sender = sender;
    buf_u8(&s->tls, 0);   /* fuzz_tls setup byte: default cap, no facts */
    return s;
}

static void on_stream_bytes(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data,
                            size_t len, const struct packet_view *pkt, bool segment_start)
{
    (void)pkt;
    struct extractor *x = ctx;
    struct stream_seed *s = stream_for(x, c->id, sender);
    if (!s)
        return;
    struct buf *head = &s->head[sender];
    if (head->len < HTTP_HEAD_MAX) {
        size_t n = HTTP_HEAD_MAX - head->len < len ? HTTP_HEAD_MAX - head->len : len;
        buf_put(head, data, n);
    }
    while (len > 0 && s->tls.len < STREAM_SEED_MAX) {
        size_t n = len < 65535 ? len : 65535;
        buf_u8(&s->tls, (uint8_t)(31 << 3 | (segment_start ? 4 : 0) | sender));
        buf_u16(&s->tls, (uint16_t)n);
        buf_put(&s->tls, data, n);
        data += n;
        len -= n;
        segment_start = false;
    }
}

static void on_stream_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                          const struct packet_view *pkt, bool cut)
{
    (void)pkt;
    (void)cut;
    struct extractor *x = ctx;
    struct stream_seed *s = stream_for(x, c->id, sender);
    if (!s || s->tls.len >= STREAM_SEED_MAX)
        return;
    buf_u8(&s->tls, (uint8_t)(2 | sender));
    buf_u16(&s->tls, (uint16_t)((missing > 65536 ? 65536 : missing) - 1));
}

static void on_datagram(void *ctx, const struct packet_view *pkt)
{
    struct extractor *x = ctx;
    bool dns = pkt->sport == 53 || pkt->dport == 53 || pkt->sport == 5353 || pkt->dport == 5353;
    if (!dns || x->dns_written >= DNS_SEEDS_PER_CAPTURE || pkt->payload_len != pkt->payload_wire_len)
        return;
    char suffix[32];
    snprintf(suffix, sizeof suffix, "dns%d", x->dns_written++);
    write_file(x, "dns", suffix, 0, false, pkt->payload, pkt->payload_len);
}

static bool same_endpoint(const struct endpoint *e, const uint8_t *addr, uint16_t port)
{
    return e->port == port && memcmp(e->addr, addr, 16) == 0;
}

/* Appends one TCP segment to the capture's fuzz_reasm seed. */
static void record_segment(struct extractor *x, const struct packet_view *pkt)
{
    if (x->reasm.len >= REASM_SEED_MAX)
        return;
    int index = -1, dir = 0;
    for (int i = 0; i < x->reasm_conn_count && index < 0; i++) {
        if (same_endpoint(&x->reasm_conns[i][0], pkt->src, pkt->sport) &&
            same_endpoint(&x->reasm_conns[i][1], pkt->dst, pkt->dport))
            index = i, dir = 0;
        else if (same_endpoint(&x->reasm_conns[i][1], pkt->src, pkt->sport) &&
                 same_endpoint(&x->reasm_conns[i][0], pkt->dst, pkt->dport))
            index = i, dir = 1;
    }
    if (index < 0) {
        if (x->reasm_conn_count == REASM_CONNS)
            return;
        index = x->reasm_conn_count++;
        memcpy(x->reasm_conns[index][0].addr, pkt->src, 16);
        x->reasm_conns[index][0].port = pkt->sport;
        memcpy(x->reasm_conns[index][1].addr, pkt->dst, 16);
        x->reasm_conns[index][1].port = pkt->dport;
    }
    if (x->reasm.len == 0) {
        buf_u8(&x->reasm, 0xFF & ~0x80 & ~0x40);   /* 4 conns, 16 held, 4 KB held, 600 s */
        buf_u32(&x->reasm, 0);
        buf_u32(&x->reasm, 0);
        buf_u8(&x->reasm, 0);
    }
    bool cut = pkt->payload_wire_len > pkt->payload_len;
    uint32_t missing = pkt->payload_wire_len - pkt->payload_len;
    buf_u8(&x->reasm, (uint8_t)((pkt->tcp_flags & 0x1F) | (dir ? 0x20 : 0) | 0x40 | (cut ? 0x80 : 0)));
    buf_u8(&x->reasm, (uint8_t)index);  /* no time passes */
    buf_u32(&x->reasm, pkt->seq);
    uint32_t len = pkt->payload_len < 65535 ? pkt->payload_len : 65535;
    if (len >= 255) {
        buf_u8(&x->reasm, 255);
        buf_u16(&x->reasm, (uint16_t)len);
    } else {
        buf_u8(&x->reasm, (uint8_t)len);
    }
    if (cut)
        buf_u8(&x->reasm, (uint8_t)(missing > 255 ? 255 : missing));
    buf_put(&x->reasm, pkt->payload, len);
}

static void on_decoded(void *ctx, const struct packet_view *pkt)
{
    if (pkt->l4 == L4_TCP)
        record_segment(ctx, pkt);
    else
        on_datagram(ctx, pkt);
}

static bool looks_like_tls(const struct buf *b)
{
    /* The first command's first payload byte: a record type or SSLv2. */
    if (b->len < 5)
        return false;
    uint8_t first = b->data[4];
    return (first >= 20 && first <= 24) || (first & 0x80);
}

static void flush(struct extractor *x)
{
    for (int i = 0; i < x->stream_count; i++) {
        struct stream_seed *s = &x->streams[i];
        char suffix[64];
        if (looks_like_tls(&s->tls)) {
            snprintf(suffix, sizeof suffix, "conn%llu", (unsigned long long)s->conn_id);
            write_file(x, "tls", suffix, 0, false, s->tls.data, s->tls.len);
        }
        int requester = -1;
        for (int d = 0; d < 2; d++)
            if (s->head[d].len >= 8 && !memcmp(s->head[d].data, "CONNECT ", 8))
                requester = d;
        if (requester >= 0) {
            snprintf(suffix, sizeof suffix, "conn%llu-request", (unsigned long long)s->conn_id);
            write_file(x, "http", suffix, 0, true, s->head[requester].data, s->head[requester].len);
            const struct buf *resp = &s->head[1 - requester];
            if (resp->len) {
                snprintf(suffix, sizeof suffix, "conn%llu-response", (unsigned long long)s->conn_id);
                write_file(x, "http", suffix, 2, true, resp->data, resp->len);
            }
        }
        free(s->tls.data);
        free(s->head[0].data);
        free(s->head[1].data);
    }
    x->stream_count = 0;
    if (x->reasm.len)
        write_file(x, "reasm", "segments", 0, false, x->reasm.data, x->reasm.len);
    free(x->reasm.data);
    memset(&x->reasm, 0, sizeof x->reasm);
    x->reasm_conn_count = 0;
}

static void ignore_event(void *ctx, const struct event *ev)
{
    (void)ctx;
    (void)ev;
}

static int extract(struct extractor *x, const char *path)
{
    char err[256] = "";
    struct pipeline_options opt;
    pipeline_default_options(&opt);
    struct event_sink sink = { NULL, ignore_event };
    struct pass *p = pass_open_path(path, &opt, &sink, err, sizeof err);
    if (!p) {
        fprintf(stderr, "make_seeds: %s: %s\n", path, err);
        return 1;
    }
    const char *slash = strrchr(path, '/');
    x->capture_name = slash ? slash + 1 : path;
    x->dns_written = 0;
    struct pass_taps taps = { .ctx = x, .on_decoded = on_decoded, .on_stream_data = on_stream_bytes,
                              .on_stream_gap = on_stream_gap };
    pass_set_taps(p, &taps);
    pass_run(p);
    struct pipeline_summary summary;
    pass_finish(p, &summary);
    flush(x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_seeds OUT CAPTURE...\n");
        return 2;
    }
    static struct extractor x;
    x.out_dir = argv[1];
    static const char *const kinds[] = { "tls", "reasm", "http", "dns" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], kinds[i]);
        mkdir(argv[1], 0755);
        mkdir(dir, 0755);
    }
    int failed = 0;
    for (int i = 2; i < argc; i++)
        failed |= extract(&x, argv[i]);
    return failed;
}
