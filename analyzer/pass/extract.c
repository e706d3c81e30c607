/* The evidence capture (extract.h): capture -> link/IP decode -> the plan's
 * packets -> a pcapng file of our own writing (libpcap writes pcap only,
 * and the per-packet comment needs pcapng). */
#include "extract.h"
#include "packet.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_TSRESOL 9
#define TSRESOL_NANOSECONDS 9
#define MAX_INTERFACES 16

struct writer {
    FILE *f;
    int linktypes[MAX_INTERFACES];
    size_t interfaces;
    uint64_t bytes;
    bool failed;
};

static void put(struct writer *w, const void *p, size_t n)
{
    if (!w->failed && fwrite(p, 1, n, w->f) != n)
        w->failed = true;
    w->bytes += n;
}

static void put_u32(struct writer *w, uint32_t v) { put(w, &v, 4); }
static void put_u16(struct writer *w, uint16_t v) { put(w, &v, 2); }

static void put_padding(struct writer *w, size_t n)
{
    static const uint8_t zeros[4];
    put(w, zeros, (4 - n % 4) % 4);
}

static size_t padded(size_t n) { return (n + 3) / 4 * 4; }

/* An option: code, length, value, padding. */
static void put_option(struct writer *w, uint16_t code, const void *value, uint16_t len)
{
    put_u16(w, code);
    put_u16(w, len);
    put(w, value, len);
    put_padding(w, len);
}

static size_t option_size(size_t len) { return 4 + padded(len); }

static void write_section_header(struct writer *w)
{
    static const char app[] = "tlsdiag --extract";
    uint32_t total = (uint32_t)(28 + option_size(sizeof app - 1) + 4);
    put_u32(w, BLOCK_SHB);
    put_u32(w, total);
    put_u32(w, BYTE_ORDER_MAGIC);
    put_u16(w, 1);
    put_u16(w, 0);
    uint64_t unknown_length = UINT64_MAX;
    put(w, &unknown_length, 8);
    put_option(w, SHB_USERAPPL, app, sizeof app - 1);
    put_u32(w, OPT_END);
    put_u32(w, total);
}

/* The interface of a link type, described the first time it is met. */
static uint32_t interface_for(struct writer *w, int linktype)
{
    for (size_t i = 0; i < w->interfaces; i++)
        if (w->linktypes[i] == linktype)
            return (uint32_t)i;
    if (w->interfaces == MAX_INTERFACES)
        return 0;
    uint8_t resol = TSRESOL_NANOSECONDS;
    uint32_t total = (uint32_t)(20 + option_size(1) + 4);
    put_u32(w, BLOCK_IDB);
    put_u32(w, total);
    put_u16(w, (uint16_t)linktype);
    put_u16(w, 0);
    put_u32(w, 0);              /* no snapshot length */
    put_option(w, IF_TSRESOL, &resol, 1);
    put_u32(w, OPT_END);
    put_u32(w, total);
    w->linktypes[w->interfaces] = linktype;
    return (uint32_t)w->interfaces++;
}

static void write_packet(struct writer *w, const struct capture_packet *pkt, const char *comment)
{
    uint32_t ifc = interface_for(w, pkt->linktype);
    size_t comment_len = strlen(comment);
    if (comment_len > UINT16_MAX)
        comment_len = UINT16_MAX;
    uint32_t total = (uint32_t)(28 + padded(pkt->caplen) + option_size(comment_len) + 4 + 4);
    uint64_t ts = pkt->ts_ns < 0 ? 0 : (uint64_t)pkt->ts_ns;
    put_u32(w, BLOCK_EPB);
    put_u32(w, total);
    put_u32(w, ifc);
    put_u32(w, (uint32_t)(ts >> 32));
    put_u32(w, (uint32_t)ts);
    put_u32(w, pkt->caplen);
    put_u32(w, pkt->wirelen);
    put(w, pkt->data, pkt->caplen);
    put_padding(w, pkt->caplen);
    put_option(w, OPT_COMMENT, comment, (uint16_t)comment_len);
    put_u32(w, OPT_END);
    put_u32(w, total);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool wanted_frame(const struct extract_plan *plan, uint64_t frame)
{
    return plan->frame_count &&
           bsearch(&frame, plan->frames, plan->frame_count, sizeof *plan->frames, by_value) != NULL;
}

/* The flow a packet belongs to and its direction (0: from addr[0]), or -1. */
static int flow_of(const struct extract_plan *plan, const struct packet_view *p, int *dir)
{
    size_t len = p->ip_version == 4 ? 4 : 16;
    for (size_t i = 0; i < plan->flow_count; i++) {
        const struct extract_flow *fl = &plan->flows[i];
        if (fl->ip_version != p->ip_version)
            continue;
        for (int d = 0; d < 2; d++)
            if (!memcmp(p->src, fl->addr[d], len) && p->sport == fl->port[d] &&
                !memcmp(p->dst, fl->addr[1 - d], len) && p->dport == fl->port[1 - d]) {
                *dir = d;
                return (int)i;
            }
    }
    return -1;
}

bool extract_write(const struct capture_source *src, const struct extract_plan *plan, const char *out_path,
                   struct extract_result *result, char *err, size_t errlen)
{
    memset(result, 0, sizeof *result);
    struct capture_source again = *src;
    again.on_secrets = NULL;
    struct capture *cap = capture_open_source(&again, err, errlen);
    if (!cap)
        return false;
    FILE *f = fopen(out_path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
        capture_close(cap);
        return false;
    }
    uint64_t *sorted = plan->frame_count ? malloc(plan->frame_count * sizeof *sorted) : NULL;
    uint64_t (*sent)[2] = plan->flow_count ? calloc(plan->flow_count, sizeof *sent) : NULL;
    struct extract_plan p = *plan;
    if (sorted) {
        memcpy(sorted, plan->frames, plan->frame_count * sizeof *sorted);
        qsort(sorted, plan->frame_count, sizeof *sorted, by_value);
        p.frames = sorted;
    } else {
        p.frame_count = 0;
    }
    if (!sent)
        p.flow_count = 0;
    struct writer w = { .f = f };
    write_section_header(&w);
    struct packet_decoder decoder;
    struct ipfrag_limits limits = { 0 };
    packet_decoder_init(&decoder, &limits);
    struct capture_packet pkt;
    char cerr[256];
    while (capture_next(cap, &pkt, cerr, sizeof cerr) == CAPTURE_PACKET) {
        result->frames_read++;
        bool take = wanted_frame(&p, pkt.frame);
        struct packet_view view;
        if (!take && packet_decode(&decoder, pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, pkt.frame,
                                   pkt.ts_ns, &view) == DECODE_OK) {
            int dir;
            int i = flow_of(&p, &view, &dir);
            if (i >= 0) {
                take = p.flows[i].full || !view.payload_len || sent[i][dir] < p.payload_cap;
                if (take)
                    sent[i][dir] += view.payload_len;
            }
        }
        if (!take)
            continue;
        char comment[600];
        snprintf(comment, sizeof comment, "frame %" PRIu64 " of %s", pkt.frame,
                 plan->source_name ? plan->source_name : "the original capture");
        write_packet(&w, &pkt, comment);
        result->packets_written++;
    }
    packet_decoder_free(&decoder);
    capture_close(cap);
    free(sorted);
    free(sent);
    result->bytes_written = w.bytes;
    bool ok = !w.failed;
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "%s: cannot write: %s", out_path, strerror(errno));
    return ok;
}
