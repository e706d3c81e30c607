/* See harness.h. */
#include "harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fingerprint.h"
#include "stream.h"

/* ---- in-memory file ---- */

int fuzz_memfile_write(struct fuzz_memfile *m, const uint8_t *data, size_t len)
{
    if (m->path[0] == 0) {
        m->fd = memfd_create("tlsdiag-fuzz", 0);
        if (m->fd < 0)
            return -1;
        snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
    }
    if (ftruncate(m->fd, 0) != 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(m->fd, data + done, len - done, (off_t)done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

FILE *fuzz_memfile_fopen(struct fuzz_memfile *m)
{
    /* Through the path, not dup(): a dup shares the file offset. */
    return fopen(m->path, "rb");
}

FILE *fuzz_null_file(void)
{
    static FILE *null_file;
    if (!null_file)
        null_file = fopen("/dev/null", "w");
    return null_file;
}

uint64_t fuzz_touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t sum = 0;
    for (size_t i = 0; b && i < n; i++)
        sum = sum * 31 + b[i];
    return sum;
}

/* ---- the pipeline ---- */

static void on_tcp_event(void *ctx, struct tcp_conn *c, int sender, enum tcp_event_kind kind,
                         const struct packet_view *pkt)
{
    struct fuzz_pipeline *p = ctx;
    struct event ev = { .type = EV_TCP, .frame = pkt->frame, .ts_ns = pkt->ts_ns, .conn = c,
                        .sender = sender, .u.tcp_kind = kind };
    p->consumer->emit(p->consumer->ctx, &ev);
}

static void on_conn_end(void *ctx, struct tcp_conn *c)
{
    struct fuzz_pipeline *p = ctx;
    struct event ev = { .type = EV_CONN_END, .frame = c->last_frame, .ts_ns = c->last_ts, .conn = c };
    p->consumer->emit(p->consumer->ctx, &ev);
    stream_release(&p->streams, c);
}

static void route_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                       const struct packet_view *pkt, bool segment_start)
{
    struct fuzz_pipeline *p = ctx;
    if (p->tap)
        p->tap(p->tap_ctx, c, sender, data, len, pkt, segment_start);
    stream_on_data(&p->streams, c, sender, data, len, pkt, segment_start);
}

static void route_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                      const struct packet_view *pkt)
{
    struct fuzz_pipeline *p = ctx;
    if (p->tap_gap)
        p->tap_gap(p->tap_ctx, c, sender, missing);
    stream_on_gap(&p->streams, c, sender, missing, pkt);
}

bool fuzz_pipeline_init(struct fuzz_pipeline *p, const struct pipeline_options *opt,
                        const struct event_sink *consumer)
{
    memset(p, 0, sizeof *p);
    p->consumer = consumer;
    packet_decoder_init(&p->decoder, &opt->ipfrag);
    stream_init(&p->streams, consumer, &opt->stream);
    struct reasm_callbacks cb = {
        .ctx = p,
        .on_data = route_data,
        .on_gap = route_gap,
        .on_tcp_event = on_tcp_event,
        .on_conn_end = on_conn_end,
    };
    if (!reasm_init(&p->reasm, &opt->reasm, &cb)) {
        packet_decoder_free(&p->decoder);
        return false;
    }
    snprintf(p->summary.format, sizeof p->summary.format, "fuzz");
    return true;
}

void fuzz_pipeline_decoded(struct fuzz_pipeline *p, const struct packet_view *pkt)
{
    if (pkt->l4 == L4_TCP) {
        p->summary.decoded_tcp++;
        reasm_packet(&p->reasm, pkt);
    } else if (pkt->l4 == L4_UDP) {
        p->summary.decoded_udp++;
        if (p->tap_datagram)
            p->tap_datagram(p->tap_ctx, pkt);
        stream_on_datagram(&p->streams, pkt);
    }
}

void fuzz_pipeline_packet(struct fuzz_pipeline *p, const struct capture_packet *cp)
{
    struct pipeline_summary *s = &p->summary;
    s->frames = cp->frame;
    s->bytes += cp->wirelen;
    if (s->frames == 1)
        s->first_ts = cp->ts_ns;
    s->last_ts = cp->ts_ns;
    struct packet_view pkt;
    enum decode_result r = packet_decode(&p->decoder, cp->linktype, cp->data, cp->caplen,
                                         cp->wirelen, cp->frame, cp->ts_ns, &pkt);
    if (r == DECODE_OK)
        fuzz_pipeline_decoded(p, &pkt);
    else
        fuzz_touch(decode_result_name(r), 1);
}

void fuzz_pipeline_finish(struct fuzz_pipeline *p)
{
    reasm_finish(&p->reasm);
    p->summary.reasm = p->reasm.stats;
    p->summary.streams = p->streams.stats;
    p->summary.ipfrag_completed = p->decoder.frags.datagrams_completed;
    p->summary.ipfrag_dropped = p->decoder.frags.datagrams_dropped;
    packet_decoder_free(&p->decoder);
}

/* ---- the consumer ---- */

static uint64_t touch_list(const struct wire_list *l)
{
    uint64_t sum = 0;
    if (!l->present)
        return 0;
    for (uint32_t i = 0; i < l->count; i++)
        sum += wire_list_get(l, i);
    return sum;
}

static uint64_t touch_extensions(struct wire_bytes block)
{
    uint64_t sum = 0;
    struct cursor c = cursor_make(block.data, block.len);
    struct tls_extension ext;
    while (tls_next_extension(&c, &ext))
        sum += ext.type + fuzz_touch(ext.data.data, ext.data.len);
    return sum;
}

static uint64_t touch_client_hello(const struct tls_client_hello *ch)
{
    uint64_t sum = fuzz_touch(ch->random.data, ch->random.len) +
                   fuzz_touch(ch->session_id.data, ch->session_id.len) +
                   touch_list(&ch->cipher_suites) + touch_list(&ch->compression_methods) +
                   touch_list(&ch->supported_versions) + touch_list(&ch->supported_groups) +
                   touch_list(&ch->signature_algorithms) + touch_list(&ch->ec_point_formats);
    if (ch->has_sni)
        sum += fuzz_touch(ch->sni.data, ch->sni.len);
    if (ch->has_alpn)
        sum += fuzz_touch(ch->alpn.data, ch->alpn.len);
    if (ch->has_extensions)
        sum += touch_extensions(ch->extensions);
    char raw[8192];
    fingerprint_ja4_raw(ch, raw, sizeof raw);
    return sum + strlen(raw);
}

static uint64_t touch_server_hello(const struct tls_server_hello *sh)
{
    uint64_t sum = fuzz_touch(sh->random.data, sh->random.len) +
                   fuzz_touch(sh->session_id.data, sh->session_id.len);
    if (sh->has_alpn)
        sum += fuzz_touch(sh->alpn.data, sh->alpn.len);
    if (sh->has_extensions)
        sum += touch_extensions(sh->extensions);
    return sum;
}

static uint64_t touch_bytes(struct wire_bytes b) { return fuzz_touch(b.data, b.len); }

static uint64_t touch_event(const struct event *ev)
{
    switch (ev->type) {
    case EV_CLIENT_HELLO: return touch_client_hello(ev->u.client_hello);
    case EV_SERVER_HELLO: return touch_server_hello(ev->u.server_hello);
    case EV_CERTIFICATE: return fuzz_touch(ev->u.certificate->body, ev->u.certificate->len);
    case EV_TLS_MALFORMED:
    case EV_TLS_LIMIT: return strlen(ev->u.problem);
    case EV_CONNECT_REQUEST: {
        const struct http_request *r = ev->u.connect_request;
        return touch_bytes(r->method) + touch_bytes(r->target) + touch_bytes(r->host) +
               touch_bytes(r->user_agent) + touch_bytes(r->proxy_authorization_scheme);
    }
    case EV_CONNECT_RESPONSE: {
        const struct http_response *r = ev->u.connect_response;
        uint64_t sum = touch_bytes(r->reason) + touch_bytes(r->via) +
                       touch_bytes(r->proxy_error) + touch_bytes(r->server);
        for (int i = 0; i < r->auth_scheme_count; i++)
            sum += touch_bytes(r->auth_schemes[i]);
        return sum;
    }
    case EV_DNS: {
        const struct dns_message *m = ev->u.dns->msg;
        uint64_t sum = strlen(m->qname);
        for (int i = 0; i < m->answers_kept; i++)
            sum += strlen(m->answers[i].name) + strlen(m->answers[i].target);
        return sum + fuzz_touch(ev->u.dns->src, 16) + fuzz_touch(ev->u.dns->dst, 16);
    }
    case EV_CONN_END:
        return strlen(stream_kind_name(ev->conn)) + (stream_tls_session(ev->conn) != NULL);
    default:
        return 0;
    }
}

static void consumer_emit(void *ctx, const struct event *ev)
{
    struct fuzz_consumer *c = ctx;
    c->checksum += touch_event(ev);
    events_writer_emit(&c->writer, ev);
    if (c->facts)
        facts_on_event(c->facts, ev);
}

void fuzz_consumer_init(struct fuzz_consumer *c, bool with_facts)
{
    memset(c, 0, sizeof *c);
    events_writer_init(&c->writer, fuzz_null_file());
    /* No target names: every TLS connection is kept, as in a generic run;
     * a proxy port makes failed connects take the proxy branch too. */
    static const uint16_t proxy_ports[] = { 3128, 8080 };
    static const char *const revocation_hosts[] = { "*.ocsp.example", "crl.example.com" };
    struct facts_options fo = { .revocation_hosts = revocation_hosts, .revocation_host_count = 2,
                                .proxy_ports = proxy_ports, .proxy_port_count = 2 };
    c->facts = with_facts ? facts_new(&fo) : NULL;
    c->sink.ctx = c;
    c->sink.emit = consumer_emit;
}

void fuzz_consumer_finish(struct fuzz_consumer *c, const struct pipeline_summary *summary)
{
    if (!c->facts)
        return;
    cJSON *facts = facts_finish(c->facts, summary);
    char *text = cJSON_PrintUnformatted(facts);
    c->checksum += text ? strlen(text) : 0;
    free(text);
    cJSON_Delete(facts);
    facts_free(c->facts);
    c->facts = NULL;
}
