/* The evidence capture (extract.h): capture -> link/IP decode -> the plan's
 * packets -> a pcapng file of our own writing (libpcap writes pcap only,
 * and the per-packet comment needs pcapng). */
#include "extract.h"
#include "cursor.h"
#include "packet.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BLOCK_DSB 0x0000000Au
#define SECRETS_TLS_KEY_LOG 0x544c534bu     /* "TLSK" */
#define TLS_HANDSHAKE 22
#define HANDSHAKE_CLIENT_HELLO 1
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

/* The client random of a Client Hello at the start of a payload: record
 * header (5), handshake header (4), version (2), then the random. */
static void note_client_random(struct extract_result *result, const struct packet_view *v)
{
    struct cursor c = cursor_make(v->payload, v->payload_len);
    if (cursor_u8(&c) != TLS_HANDSHAKE)
        return;
    cursor_skip(&c, 4);
    if (cursor_u8(&c) != HANDSHAKE_CLIENT_HELLO)
        return;
    cursor_skip(&c, 3 + 2);
    const uint8_t *random = cursor_bytes(&c, EXTRACT_RANDOM_LEN);
    if (!random || result->random_count == EXTRACT_MAX_RANDOMS)
        return;
    for (size_t i = 0; i < result->random_count; i++)
        if (!memcmp(result->randoms[i], random, EXTRACT_RANDOM_LEN))
            return;
    memcpy(result->randoms[result->random_count++], random, EXTRACT_RANDOM_LEN);
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
                if (take && view.payload_len && dir == 0 && sent[i][0] == 0)
                    note_client_random(result, &view);
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

bool extract_add_secrets(const char *out_path, const uint8_t *text, size_t len, char *err, size_t errlen)
{
    if (len > UINT32_MAX - 64) {
        snprintf(err, errlen, "key log too large for a secrets block");
        return false;
    }
    char tmp_path[4200];
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out_path);
    FILE *in = fopen(out_path, "rb");
    FILE *out = in ? fopen(tmp_path, "wb") : NULL;
    uint8_t head[8];
    bool ok = in && out && fread(head, 1, sizeof head, in) == sizeof head;
    uint32_t shb_len = 0;
    if (ok)
        memcpy(&shb_len, head + 4, 4);
    ok = ok && shb_len >= 28 && shb_len < 4096;
    if (ok) {
        /* the section header as it is */
        uint8_t shb[4096];
        memcpy(shb, head, sizeof head);
        ok = fread(shb + 8, 1, shb_len - 8, in) == shb_len - 8 && fwrite(shb, 1, shb_len, out) == shb_len;
    }
    if (ok) {
        struct writer w = { .f = out };
        uint32_t total = (uint32_t)(20 + padded(len));
        put_u32(&w, BLOCK_DSB);
        put_u32(&w, total);
        put_u32(&w, SECRETS_TLS_KEY_LOG);
        put_u32(&w, (uint32_t)len);
        put(&w, text, len);
        put_padding(&w, len);
        put_u32(&w, total);
        ok = !w.failed;
        uint8_t buf[65536];
        size_t n;
        while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
            ok = fwrite(buf, 1, n, out) == n;
        ok = ok && !ferror(in);
    }
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = false;
    if (ok && rename(tmp_path, out_path) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, errlen, "%s: cannot add the key log: %s", out_path, strerror(errno));
        remove(tmp_path);
    }
    return ok;
}
