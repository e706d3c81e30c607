#include "pipeline.h"
#include "classify.h"

#include <stdio.h>
#include <string.h>

/* Everything one run needs; nothing lives outside it. */
struct pipeline {
    const struct pipeline_options *opt;
    const struct event_sink *consumer;
    struct packet_decoder decoder;
    struct tcp_reassembler reasm;
    struct stream_dissector streams;
    struct classifier *classifier;
    struct pipeline_summary *summary;
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

static void on_tcp_event(void *ctx, struct tcp_conn *c, int sender, enum tcp_event_kind kind,
                         const struct packet_view *pkt)
{
    struct pipeline *p = ctx;
    struct event ev = { .type = EV_TCP, .frame = pkt->frame, .ts_ns = pkt->ts_ns, .conn = c,
                        .sender = sender, .u.tcp_kind = kind };
    p->consumer->emit(p->consumer->ctx, &ev);
}

static void on_packet(void *ctx, struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    struct pipeline *p = ctx;
    (void)sender;
    if (p->classifier)
        classifier_packet(p->classifier, c, pkt);
}

static void on_conn_end(void *ctx, struct tcp_conn *c)
{
    struct pipeline *p = ctx;
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

static void dispatch(struct pipeline *p, const struct capture_packet *cp)
{
    struct pipeline_summary *s = p->summary;
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
    if (pkt.l4 == L4_TCP) {
        s->decoded_tcp++;
        reasm_packet(&p->reasm, &pkt);
    } else if (pkt.l4 == L4_UDP) {
        s->decoded_udp++;
        stream_on_datagram(&p->streams, &pkt);
    }
}

/* The reassembler has one context pointer, the pipeline; these route its
 * stream callbacks to the stream dissector inside it. */
static void route_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                       const struct packet_view *pkt, bool segment_start)
{
    struct pipeline *p = ctx;
    stream_on_data(&p->streams, c, sender, data, len, pkt, segment_start);
}

static void route_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                      const struct packet_view *pkt)
{
    struct pipeline *p = ctx;
    stream_on_gap(&p->streams, c, sender, missing, pkt);
}

static bool setup(struct pipeline *p, const struct pipeline_options *opt, const struct event_sink *consumer,
                  struct pipeline_summary *summary)
{
    memset(p, 0, sizeof *p);
    p->opt = opt;
    p->consumer = consumer;
    p->summary = summary;
    packet_decoder_init(&p->decoder, &opt->ipfrag);
    stream_init(&p->streams, consumer, &opt->stream);
    struct reasm_callbacks cb = {
        .ctx = p,
        .on_data = route_data,
        .on_gap = route_gap,
        .on_tcp_event = on_tcp_event,
        .on_packet = on_packet,
        .on_conn_end = on_conn_end,
    };
    if (!reasm_init(&p->reasm, &opt->reasm, &cb))
        return false;
    if (opt->classify)
        p->classifier = classifier_new();
    return true;
}

int pipeline_run(const char *path, const struct pipeline_options *opt, const struct event_sink *consumer,
                 struct pipeline_summary *summary, char *err, size_t errlen)
{
    memset(summary, 0, sizeof *summary);
    struct capture *cap = capture_open(path, err, errlen);
    if (!cap)
        return 2;
    snprintf(summary->format, sizeof summary->format, "%s", capture_format(cap));
    struct pipeline p;
    if (!setup(&p, opt, consumer, summary)) {
        snprintf(err, errlen, "out of memory");
        capture_close(cap);
        return 2;
    }
    struct capture_packet cp;
    enum capture_result r;
    while ((r = capture_next(cap, &cp, summary->damage, sizeof summary->damage)) == CAPTURE_PACKET) {
        summary->frames = cp.frame;
        summary->bytes += cp.wirelen;
        if (summary->frames == 1)
            summary->first_ts = cp.ts_ns;
        summary->last_ts = cp.ts_ns;
        dispatch(&p, &cp);
    }
    summary->damaged_tail = r == CAPTURE_DAMAGED_TAIL;
    /* The reader may have changed on the way (libpcap refusing mid-file). */
    snprintf(summary->format, sizeof summary->format, "%s", capture_format(cap));
    reasm_finish(&p.reasm);
    summary->reasm = p.reasm.stats;
    summary->streams = p.streams.stats;
    summary->ipfrag_completed = p.decoder.frags.datagrams_completed;
    summary->ipfrag_dropped = p.decoder.frags.datagrams_dropped;
    packet_decoder_free(&p.decoder);
    if (p.classifier) {
        summary->flows_not_classified = classifier_flows_skipped(p.classifier);
        classifier_free(p.classifier);
    }
    capture_close(cap);
    if (summary->damaged_tail && summary->frames == 0) {
        snprintf(err, errlen, "%s", summary->damage);
        return 2;
    }
    return 0;
}
