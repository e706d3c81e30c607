#include "pipeline.h"
#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything one pass needs; nothing lives outside it. */
struct pass {
    const struct pipeline_options *opt;
    const struct event_sink *consumer;
    struct capture *cap;              /* NULL: packets come from pass_put_decoded() */
    struct packet_decoder decoder;
    struct tcp_reassembler reasm;
    struct stream_dissector streams;
    struct classifier *classifier;
    struct pipeline_summary summary;
    enum capture_result end;          /* how the capture ended, once it has */
    bool ended;
    struct pass_taps taps;
    bool tapped;                      /* taps.on_decoded is set */
};

void pipeline_default_options(struct pipeline_options *opt)
{
    memset(opt, 0, sizeof *opt);
    reasm_default_limits(&opt->reasm);
    stream_default_limits(&opt->stream);
    opt->ipfrag.max_datagrams = 64;
    opt->ipfrag.timeout_ns = 30LL * 1000000000LL;
    opt->classify = false;
    opt->max_open_tls_facts = PIPELINE_DEFAULT_OPEN_TLS_FACTS;
}

uint32_t pipeline_cut_snaplen(const struct pipeline_summary *s)
{
    if (!s->frames_cut)
        return 0;
    return s->snaplen && s->snaplen <= s->cut_caplen ? s->snaplen : s->cut_caplen;
}

static void on_tcp_event(void *ctx, struct tcp_conn *c, int sender, enum tcp_event_kind kind,
                         const struct packet_view *pkt)
{
    struct pass *p = ctx;
    struct event ev = { .type = EV_TCP, .conn = c, .sender = sender, .u.tcp_kind = kind };
    event_at_packet(&ev, pkt);
    p->consumer->emit(p->consumer->ctx, &ev);
}

static void on_packet(void *ctx, struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    struct pass *p = ctx;
    (void)sender;
    if (p->classifier)
        classifier_packet(p->classifier, c, pkt);
}

static void on_conn_end(void *ctx, struct tcp_conn *c)
{
    struct pass *p = ctx;
    if (p->classifier)
        classifier_finish(p->classifier, c);
    struct event ev = { .type = EV_CONN_END, .frame = c->last_frame, .ts_ns = c->last_ts, .conn = c };
    p->consumer->emit(p->consumer->ctx, &ev);
    stream_release(&p->streams, c);
    if (p->classifier)
        classifier_release(p->classifier, c);
}

static void count_unknown_link(struct pipeline_summary *s, int linktype)
{
    s->unknown_link_packets++;
    for (int i = 0; i < s->unknown_link_kinds; i++) {
        if (s->unknown_links[i].linktype == linktype) {
            s->unknown_links[i].count++;
            return;
        }
    }
    if (s->unknown_link_kinds < PIPELINE_MAX_LINKTYPES) {
        s->unknown_links[s->unknown_link_kinds].linktype = linktype;
        s->unknown_links[s->unknown_link_kinds++].count = 1;
    }
}

/* A decoded packet to the reassembler or the datagram dissectors. tapped
 * is a constant wherever this is inlined: the untapped path has no test. */
static inline __attribute__((always_inline)) void put_decoded(struct pass *p, const struct packet_view *pkt,
                                                              bool tapped)
{
    if (pkt->l4 == L4_TCP) {
        p->summary.decoded_tcp++;
        if (tapped)
            p->taps.on_decoded(p->taps.ctx, pkt);
        reasm_packet(&p->reasm, pkt);
    } else if (pkt->l4 == L4_UDP) {
        p->summary.decoded_udp++;
        if (tapped)
            p->taps.on_decoded(p->taps.ctx, pkt);
        stream_on_datagram(&p->streams, pkt);
    }
}

static inline __attribute__((always_inline)) void dispatch(struct pass *p, const struct capture_packet *cp,
                                                           bool tapped)
{
    struct pipeline_summary *s = &p->summary;
    struct packet_view pkt;
    enum decode_result r = packet_decode(&p->decoder, cp->linktype, cp->data, cp->caplen,
                                         cp->wirelen, cp->frame,
                                         cp->ts_ns, &pkt);
    switch (r) {
    case DECODE_OK:
        break;
    case DECODE_UNKNOWN_LINK:
        count_unknown_link(s, cp->linktype);
        return;
    case DECODE_NOT_IP: s->not_ip++; return;
    case DECODE_TRUNCATED: s->truncated_headers++; return;
    case DECODE_INVALID: s->invalid_headers++; return;
    case DECODE_FRAGMENT_HELD: s->fragments_held++; return;
    }
    put_decoded(p, &pkt, tapped);
}

/* A frame the snapshot length cut: rare, so out of the per-packet path. */
static __attribute__((noinline)) void count_cut(struct pipeline_summary *s, const struct capture_packet *cp)
{
    if (!s->frames_cut++) {
        s->first_cut_frame = cp->frame;
        s->cut_caplen = cp->caplen;
    }
}

/* Reads one packet and dispatches it; false at the end of the capture. */
static inline __attribute__((always_inline)) bool step(struct pass *p, bool tapped)
{
    struct pipeline_summary *s = &p->summary;
    struct capture_packet cp;
    enum capture_result r = capture_next(p->cap, &cp, s->damage, sizeof s->damage);
    if (r != CAPTURE_PACKET) {
        p->end = r;
        p->ended = true;
        return false;
    }
    s->frames = cp.frame;
    s->bytes += cp.wirelen;
    if (__builtin_expect(cp.caplen < cp.wirelen, 0))
        count_cut(s, &cp);
    if (s->frames == 1)
        s->first_ts = cp.ts_ns;
    s->last_ts = cp.ts_ns;
    dispatch(p, &cp, tapped);
    return true;
}

/* The reassembler has one context pointer, the pass; these route its
 * stream callbacks to the stream dissector inside it. */
static void route_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                       const struct packet_view *pkt, bool segment_start)
{
    struct pass *p = ctx;
    stream_on_data(&p->streams, c, sender, data, len, pkt, segment_start);
}

static void route_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                      const struct packet_view *pkt, bool cut)
{
    struct pass *p = ctx;
    stream_on_gap(&p->streams, c, sender, missing, pkt, cut);
}

/* The same, shown to the taps first (set by pass_set_taps() only). */
static void route_data_tapped(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                              const struct packet_view *pkt, bool segment_start)
{
    struct pass *p = ctx;
    if (p->taps.on_stream_data)
        p->taps.on_stream_data(p->taps.ctx, c, sender, data, len, pkt, segment_start);
    stream_on_data(&p->streams, c, sender, data, len, pkt, segment_start);
}

static void route_gap_tapped(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                             const struct packet_view *pkt, bool cut)
{
    struct pass *p = ctx;
    if (p->taps.on_stream_gap)
        p->taps.on_stream_gap(p->taps.ctx, c, sender, missing, pkt, cut);
    stream_on_gap(&p->streams, c, sender, missing, pkt, cut);
}

/* The pieces, empty, around cap (NULL for a pass fed decoded packets). */
static struct pass *new_pass(struct capture *cap, const struct pipeline_options *opt,
                             const struct event_sink *consumer, char *err, size_t errlen)
{
    struct pass *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        capture_close(cap);
        return NULL;
    }
    p->opt = opt;
    p->consumer = consumer;
    p->cap = cap;
    packet_decoder_init(&p->decoder, &opt->ipfrag);
    stream_init(&p->streams, consumer, &opt->stream);
    stream_set_keys(&p->streams, opt->keylog);
    struct reasm_callbacks cb = {
        .ctx = p,
        .on_data = route_data,
        .on_gap = route_gap,
        .on_tcp_event = on_tcp_event,
        .on_packet = on_packet,
        .on_conn_end = on_conn_end,
    };
    if (!reasm_init(&p->reasm, &opt->reasm, &cb)) {
        snprintf(err, errlen, "out of memory");
        packet_decoder_free(&p->decoder);
        capture_close(cap);
        free(p);
        return NULL;
    }
    if (opt->classify)
        p->classifier = classifier_new();
    if (cap)
        snprintf(p->summary.format, sizeof p->summary.format, "%s", capture_format(cap));
    return p;
}

struct pass *pass_open(const struct capture_source *src, const struct pipeline_options *opt,
                       const struct event_sink *sink, char *err, size_t errlen)
{
    struct capture *cap = capture_open_source(src, err, errlen);
    return cap ? new_pass(cap, opt, sink, err, errlen) : NULL;
}

struct pass *pass_open_path(const char *path, const struct pipeline_options *opt,
                            const struct event_sink *sink, char *err, size_t errlen)
{
    struct capture_source src = { .path = path };
    return pass_open(&src, opt, sink, err, errlen);
}

struct pass *pass_open_memory(const void *data, size_t len, const struct pipeline_options *opt,
                              const struct event_sink *sink, char *err, size_t errlen)
{
    struct capture_source src = { .data = data, .len = len };
    return pass_open(&src, opt, sink, err, errlen);
}

struct pass *pass_open_decoded(const struct pipeline_options *opt, const struct event_sink *sink,
                               char *err, size_t errlen)
{
    struct pass *p = new_pass(NULL, opt, sink, err, errlen);
    if (p)
        snprintf(p->summary.format, sizeof p->summary.format, "decoded packets");
    return p;
}

void pass_set_taps(struct pass *p, const struct pass_taps *taps)
{
    p->taps = *taps;
    p->tapped = taps->on_decoded != NULL;
    p->reasm.cb.on_data = route_data_tapped;
    p->reasm.cb.on_gap = route_gap_tapped;
}

uint64_t pass_feed(struct pass *p, uint64_t max_packets)
{
    if (!p->cap || p->ended)
        return 0;
    if (max_packets == 0)
        max_packets = UINT64_MAX;
    uint64_t n = 0;
    if (p->tapped)
        while (n < max_packets && step(p, true))
            n++;
    else
        while (n < max_packets && step(p, false))
            n++;
    return n;
}

/* Packets between progress reports: cheap enough to count, often enough
 * (a few times a second) to watch. */
#define PROGRESS_EVERY 65536

void pass_run(struct pass *p)
{
    if (!p->cap || p->ended)
        return;
    if (p->opt->on_progress) {
        while (pass_feed(p, PROGRESS_EVERY) == PROGRESS_EVERY)
            p->opt->on_progress(p->opt->progress_ctx, p->summary.frames, p->summary.bytes);
        return;
    }
    if (p->tapped)
        while (step(p, true))
            ;
    else
        while (step(p, false))
            ;
}

void pass_put_decoded(struct pass *p, const struct packet_view *pkt)
{
    struct pipeline_summary *s = &p->summary;
    if (s->frames == 0)
        s->first_ts = pkt->ts_ns;
    s->frames = pkt->frame;
    s->last_ts = pkt->ts_ns;
    if (p->tapped)
        put_decoded(p, pkt, true);
    else
        put_decoded(p, pkt, false);
}

enum pass_status pass_finish(struct pass *p, struct pipeline_summary *summary)
{
    struct pipeline_summary *s = &p->summary;
    s->damaged_tail = p->ended && p->end == CAPTURE_DAMAGED_TAIL;
    /* The reader may have changed on the way (libpcap refusing mid-file). */
    if (p->cap) {
        snprintf(s->format, sizeof s->format, "%s", capture_format(p->cap));
        s->snaplen = capture_snaplen(p->cap);
    }
    reasm_finish(&p->reasm);
    stream_finish(&p->streams);
    s->reasm = p->reasm.stats;
    s->streams = p->streams.stats;
    s->ipfrag_completed = p->decoder.frags.datagrams_completed;
    s->ipfrag_dropped = p->decoder.frags.datagrams_dropped;
    packet_decoder_free(&p->decoder);
    if (p->classifier) {
        s->flows_not_classified = classifier_flows_skipped(p->classifier);
        classifier_free(p->classifier);
    }
    capture_close(p->cap);
    *summary = *s;
    free(p);
    if (!summary->damaged_tail)
        return PASS_OK;
    return summary->frames ? PASS_DAMAGED_TAIL : PASS_UNUSABLE;
}

enum pass_status pass_read(const struct capture_source *src, const struct pipeline_options *opt,
                           const struct event_sink *sink, struct pipeline_summary *summary,
                           char *err, size_t errlen)
{
    struct pass *p = pass_open(src, opt, sink, err, errlen);
    if (!p) {
        memset(summary, 0, sizeof *summary);
        return PASS_UNUSABLE;
    }
    pass_run(p);
    enum pass_status status = pass_finish(p, summary);
    if (status == PASS_UNUSABLE)
        snprintf(err, errlen, "%s", summary->damage);
    return status;
}
