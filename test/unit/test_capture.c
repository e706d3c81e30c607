/* Tests for the capture input layer: capture.c (libpcap and the fallback)
 * and pcapng_reader.c. Every input is built byte by byte here and written to
 * a temporary directory, so each test states exactly what the file holds;
 * each file is read again from memory, which must read the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "pcapng_reader.h"

#define LINKTYPE_ETHERNET   1
#define LINKTYPE_LINUX_SLL  113
#define NS                  INT64_C(1000000000)
#define MAX_RECORDED        64

#define REAL_MIXED_FILE            "test/data/mixed-linktypes.pcapng"
#define REAL_MIXED_PACKETS         12   /* capinfos -c */

/* ---- byte builder ---- */

struct bytes {
    uint8_t *data;
    size_t len;
    size_t capacity;
    bool big_endian;
};

static void put_raw(struct bytes *b, const void *src, size_t n)
{
    if (b->len + n > b->capacity) {
        b->capacity = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->capacity);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void put_u8(struct bytes *b, uint8_t v) { put_raw(b, &v, 1); }

static void set_u32(struct bytes *b, size_t pos, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        int shift = b->big_endian ? 24 - 8 * i : 8 * i;
        b->data[pos + (size_t)i] = (uint8_t)(v >> shift);
    }
}

static void put_u16(struct bytes *b, uint16_t v)
{
    uint8_t out[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (b->big_endian) {
        out[0] = (uint8_t)(v >> 8);
        out[1] = (uint8_t)v;
    }
    put_raw(b, out, 2);
}

static void put_u32(struct bytes *b, uint32_t v)
{
    uint8_t zero[4] = { 0 };
    put_raw(b, zero, 4);
    set_u32(b, b->len - 4, v);
}

static void put_u64(struct bytes *b, uint64_t v)
{
    if (b->big_endian) {
        put_u32(b, (uint32_t)(v >> 32));
        put_u32(b, (uint32_t)v);
    } else {
        put_u32(b, (uint32_t)v);
        put_u32(b, (uint32_t)(v >> 32));
    }
}

static void put_padding(struct bytes *b)
{
    while (b->len % 4)
        put_u8(b, 0);
}

/* Packet bytes start with a marker so a test can tell packets apart. */
static void put_payload(struct bytes *b, uint32_t n, uint8_t marker)
{
    for (uint32_t i = 0; i < n; i++)
        put_u8(b, (uint8_t)(marker + i));
}

/* ---- pcap ---- */

static void pcap_header_with_snaplen(struct bytes *b, bool nano, uint32_t linktype, uint32_t snaplen)
{
    put_u32(b, nano ? 0xA1B23C4Du : 0xA1B2C3D4u);
    put_u16(b, 2);
    put_u16(b, 4);
    put_u32(b, 0);           /* thiszone */
    put_u32(b, 0);           /* sigfigs */
    put_u32(b, snaplen);
    put_u32(b, linktype);
}

static void pcap_header(struct bytes *b, bool nano, uint32_t linktype)
{
    pcap_header_with_snaplen(b, nano, linktype, 65535);
}

static void pcap_record(struct bytes *b, uint32_t sec, uint32_t subsec, uint32_t caplen,
                        uint32_t wirelen, uint8_t marker)
{
    put_u32(b, sec);
    put_u32(b, subsec);
    put_u32(b, caplen);
    put_u32(b, wirelen);
    put_payload(b, caplen, marker);
}

/* ---- pcapng ---- */

static size_t block_start(struct bytes *b, uint32_t type)
{
    size_t start = b->len;
    put_u32(b, type);
    put_u32(b, 0);           /* patched by block_end */
    return start;
}

static void block_end(struct bytes *b, size_t start)
{
    put_padding(b);
    uint32_t total = (uint32_t)(b->len - start + 4);
    put_u32(b, total);
    set_u32(b, start + 4, total);
}

static void shb(struct bytes *b)
{
    size_t start = block_start(b, 0x0A0D0D0Au);
    put_u32(b, 0x1A2B3C4Du);
    put_u16(b, 1);
    put_u16(b, 0);
    put_u64(b, UINT64_MAX);  /* section length unknown */
    block_end(b, start);
}

struct idb_options {
    int tsresol;             /* -1: absent */
    bool has_tsoffset;
    int64_t tsoffset;
};

static const struct idb_options NO_OPTIONS = { .tsresol = -1 };

static void idb_with(struct bytes *b, uint16_t linktype, uint32_t snaplen,
                     struct idb_options opts)
{
    size_t start = block_start(b, 1);
    put_u16(b, linktype);
    put_u16(b, 0);
    put_u32(b, snaplen);
    if (opts.tsresol >= 0) {
        put_u16(b, 9);
        put_u16(b, 1);
        put_u8(b, (uint8_t)opts.tsresol);
        put_padding(b);
    }
    if (opts.has_tsoffset) {
        put_u16(b, 14);
        put_u16(b, 8);
        put_u64(b, (uint64_t)opts.tsoffset);
    }
    if (opts.tsresol >= 0 || opts.has_tsoffset) {
        put_u16(b, 0);
        put_u16(b, 0);
    }
    block_end(b, start);
}

static void idb(struct bytes *b, uint16_t linktype)
{
    idb_with(b, linktype, 65535, NO_OPTIONS);
}

static void epb(struct bytes *b, uint32_t interface_id, uint64_t ts, uint32_t caplen,
                uint32_t origlen, uint8_t marker)
{
    size_t start = block_start(b, 6);
    put_u32(b, interface_id);
    put_u32(b, (uint32_t)(ts >> 32));
    put_u32(b, (uint32_t)ts);
    put_u32(b, caplen);
    put_u32(b, origlen);
    put_payload(b, caplen, marker);
    block_end(b, start);
}

static void spb(struct bytes *b, uint32_t origlen, uint32_t body_len, uint8_t marker)
{
    size_t start = block_start(b, 3);
    put_u32(b, origlen);
    put_payload(b, body_len, marker);
    block_end(b, start);
}

static void obsolete_pb(struct bytes *b, uint16_t interface_id, uint64_t ts, uint32_t caplen,
                        uint32_t origlen, uint8_t marker)
{
    size_t start = block_start(b, 2);
    put_u16(b, interface_id);
    put_u16(b, 0);           /* drops */
    put_u32(b, (uint32_t)(ts >> 32));
    put_u32(b, (uint32_t)ts);
    put_u32(b, caplen);
    put_u32(b, origlen);
    put_payload(b, caplen, marker);
    block_end(b, start);
}

/* A block the readers must step over (name resolution, here empty). */
static void unknown_block(struct bytes *b, uint32_t type)
{
    size_t start = block_start(b, type);
    put_u32(b, 0);
    block_end(b, start);
}

/* ---- files ---- */

static char temp_dir[64];     /* short, so every path below fits in PATH_MAX */
static unsigned file_counter;

static void temp_path(char *out, size_t n, const char *name)
{
    int written = snprintf(out, n, "%s/%s", temp_dir, name);
    assert_true(written > 0 && (size_t)written < n);
}

/* Writes b to a fresh file, frees b, and returns the path in out. */
static void write_bytes(struct bytes *b, char *out, size_t n)
{
    char name[32];
    snprintf(name, sizeof name, "input-%u", file_counter++);
    temp_path(out, n, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    if (b->len)
        assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/test_capture.XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    return nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- reading everything ---- */

struct packet_record {
    uint64_t frame;
    uint32_t caplen;
    uint32_t wirelen;
    int64_t ts_ns;
    int linktype;
    uint8_t first_byte;
};

struct read_outcome {
    bool opened;
    struct packet_record packets[MAX_RECORDED];
    size_t count;
    enum capture_result end;
    char err[512];
    char format[64];
    uint32_t snaplen;       /* capture_snaplen() at the end */
};

static void record_packet(struct read_outcome *out, const struct capture_packet *pkt)
{
    if (out->count < MAX_RECORDED) {
        struct packet_record *rec = &out->packets[out->count];
        rec->frame = pkt->frame;
        rec->caplen = pkt->caplen;
        rec->wirelen = pkt->wirelen;
        rec->ts_ns = pkt->ts_ns;
        rec->linktype = pkt->linktype;
        rec->first_byte = pkt->caplen ? pkt->data[0] : 0;
    }
    out->count++;
}

static void read_source(const struct capture_source *src, struct read_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct capture *cap = capture_open_source(src, out->err, sizeof out->err);
    if (!cap)
        return;
    out->opened = true;
    struct capture_packet pkt;
    while ((out->end = capture_next(cap, &pkt, out->err, sizeof out->err)) == CAPTURE_PACKET)
        record_packet(out, &pkt);
    snprintf(out->format, sizeof out->format, "%s", capture_format(cap));
    out->snaplen = capture_snaplen(cap);
    /* The end is sticky. */
    assert_int_equal(capture_next(cap, &pkt, out->err, sizeof out->err), CAPTURE_EOF);
    capture_close(cap);
}

/* A regular file's bytes (a buffer of exactly their size); NULL for a
 * path that is not one, or cannot be read. */
static uint8_t *file_bytes(const char *path, size_t *len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    *len = (size_t)st.st_size;
    uint8_t *data = malloc(*len ? *len : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

static void assert_same_outcome(const struct read_outcome *a, const struct read_outcome *b)
{
    assert_int_equal(a->opened, b->opened);
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->packets, b->packets, sizeof a->packets);
    assert_int_equal(a->end, b->end);
    assert_string_equal(a->err, b->err);
    assert_string_equal(a->format, b->format);
}

static void count_secrets(void *ctx, const struct pcapng_secrets *secrets)
{
    (void)secrets;
    ++*(int *)ctx;
}

/* Reads path, and the same bytes from memory, which must read the same:
 * packets, end, messages and format. So must both with the Decryption
 * Secrets Blocks looked for (a pcapng file then reaches libpcap through
 * the tap, pcapng_tap.h), which only watches the bytes go by. */
static void read_with_capture(const char *path, struct read_outcome *out)
{
    struct capture_source file = { .path = path };
    read_source(&file, out);
    int blocks = 0;
    struct read_outcome tapped;
    struct capture_source file_tapped = { .path = path, .on_secrets = count_secrets,
                                          .secrets_ctx = &blocks };
    read_source(&file_tapped, &tapped);
    assert_same_outcome(out, &tapped);
    size_t len;
    uint8_t *data = file_bytes(path, &len);
    if (!data)
        return;
    struct read_outcome from_memory;
    struct capture_source memory = { .data = data, .len = len };
    read_source(&memory, &from_memory);
    assert_same_outcome(out, &from_memory);
    struct capture_source memory_tapped = { .data = data, .len = len, .on_secrets = count_secrets,
                                            .secrets_ctx = &blocks };
    read_source(&memory_tapped, &tapped);
    assert_same_outcome(out, &tapped);
    free(data);
}

static void read_with_own_reader_from(FILE *f, struct read_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct pcapng_reader *r = pcapng_reader_open(f, out->err, sizeof out->err);
    if (!r)
        return;
    out->opened = true;
    struct capture_packet pkt;
    while ((out->end = pcapng_reader_next(r, &pkt, out->err, sizeof out->err))
           == CAPTURE_PACKET) {
        pkt.frame = out->count + 1;
        record_packet(out, &pkt);
    }
    pcapng_reader_close(r);
}

/* Our reader on the file, and on a stream over its bytes in memory (no
 * descriptor to learn the size from): the same outcome. */
static void read_with_own_reader(const char *path, struct read_outcome *out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    read_with_own_reader_from(f, out);
    size_t len;
    uint8_t *data = file_bytes(path, &len);
    assert_non_null(data);
    if (len) {   /* fmemopen() takes no empty buffer */
        struct read_outcome from_memory;
        FILE *m = fmemopen(data, len, "rb");
        assert_non_null(m);
        read_with_own_reader_from(m, &from_memory);
        assert_same_outcome(out, &from_memory);
    }
    free(data);
}

static void assert_packet(const struct read_outcome *out, size_t index, uint32_t caplen,
                          uint32_t wirelen, int64_t ts_ns, int linktype, uint8_t first_byte)
{
    assert_true(index < out->count);
    const struct packet_record *rec = &out->packets[index];
    assert_int_equal(rec->caplen, caplen);
    assert_int_equal(rec->wirelen, wirelen);
    assert_int_equal(rec->ts_ns, ts_ns);
    assert_int_equal(rec->linktype, linktype);
    assert_int_equal(rec->first_byte, first_byte);
}

static void assert_frames_numbered(const struct read_outcome *out)
{
    for (size_t i = 0; i < out->count && i < MAX_RECORDED; i++)
        assert_int_equal(out->packets[i].frame, i + 1);
}

static void assert_err_contains(const struct read_outcome *out, const char *expected)
{
    if (!strstr(out->err, expected))
        fail_msg("error \"%s\" does not contain \"%s\"", out->err, expected);
}

static void assert_open_fails(const char *path, const char *expected_err)
{
    struct read_outcome out;
    read_with_capture(path, &out);
    assert_false(out.opened);
    assert_string_equal(out.err, expected_err);
}

/* ---- pcap ---- */

static void check_pcap(bool big_endian, bool nano)
{
    struct bytes b = { .big_endian = big_endian };
    uint32_t subsec = nano ? 123456789u : 123456u;
    int64_t subsec_ns = nano ? 123456789 : 123456000;
    pcap_header(&b, nano, LINKTYPE_ETHERNET);
    pcap_record(&b, 1700000000u, subsec, 60, 60, 0x10);
    pcap_record(&b, 1700000001u, subsec, 42, 42, 0x20);
    pcap_record(&b, 1700000002u, 0, 100, 1514, 0x30);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_true(out.opened);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_string_equal(out.format, "pcap");
    assert_int_equal(out.count, 3);
    assert_frames_numbered(&out);
    assert_packet(&out, 0, 60, 60, 1700000000 * NS + subsec_ns, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 42, 42, 1700000001 * NS + subsec_ns, LINKTYPE_ETHERNET, 0x20);
    assert_packet(&out, 2, 100, 1514, 1700000002 * NS, LINKTYPE_ETHERNET, 0x30);
}

static void test_pcap_little_endian_micro(void **state) { (void)state; check_pcap(false, false); }
static void test_pcap_big_endian_micro(void **state) { (void)state; check_pcap(true, false); }
static void test_pcap_little_endian_nano(void **state) { (void)state; check_pcap(false, true); }
static void test_pcap_big_endian_nano(void **state) { (void)state; check_pcap(true, true); }

static void test_pcap_truncated_last_record(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    pcap_header(&b, false, LINKTYPE_ETHERNET);
    pcap_record(&b, 1, 0, 60, 60, 0x10);
    pcap_record(&b, 2, 0, 60, 60, 0x20);
    pcap_record(&b, 3, 0, 60, 60, 0x30);
    /* A record header promising 1234 bytes, then only 56 of them. */
    put_u32(&b, 4);
    put_u32(&b, 0);
    put_u32(&b, 1234);
    put_u32(&b, 1234);
    put_payload(&b, 56, 0x40);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.count, 3);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_err_contains(&out, "truncated dump file; tried to read 1234 captured bytes, only got 56");
}

static void test_pcap_caplen_larger_than_wirelen(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    pcap_header(&b, false, LINKTYPE_ETHERNET);
    pcap_record(&b, 1, 0, 60, 60, 0x10);
    pcap_record(&b, 2, 0, 100, 50, 0x20);
    pcap_record(&b, 3, 0, 60, 60, 0x30);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_string_equal(out.err, "packet 2: captured length 100 is larger than its wire length 50");
}

/* ---- files that are not captures ---- */

static void test_empty_file(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    assert_open_fails(path, "empty file");
}

static void test_not_a_capture(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    put_raw(&b, "Hello, this is a text file.\n", 28);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    assert_open_fails(path, "not a pcap or pcapng file (magic 0x48656c6c)");
}

static void test_too_short(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    put_raw(&b, "\xd4\xc3", 2);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    assert_open_fails(path, "too short to be a capture (2 bytes)");

    pcap_header(&b, false, LINKTYPE_ETHERNET);
    b.len = 14;             /* the magic, then the header cut off */
    write_bytes(&b, path, sizeof path);
    assert_open_fails(path, "too short to be a capture (14 bytes)");
}

static void test_directory(void **state)
{
    (void)state;
    assert_open_fails(temp_dir, "is a directory");
}

static void test_missing_file(void **state)
{
    (void)state;
    char path[PATH_MAX];
    temp_path(path, sizeof path, "does-not-exist.pcap");
    assert_open_fails(path, "no such file");
}

static void test_unreadable_file(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip();             /* root reads regardless of permissions */
    struct bytes b = { 0 };
    pcap_header(&b, false, LINKTYPE_ETHERNET);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    assert_int_equal(chmod(path, 0), 0);
    assert_open_fails(path, "permission denied");
}

/* ---- pcapng through libpcap, and the same bytes through our reader ---- */

static void check_pcapng_single_interface(bool big_endian)
{
    struct bytes b = { .big_endian = big_endian };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    epb(&b, 0, UINT64_C(1700000000123456), 60, 60, 0x10);
    unknown_block(&b, 4);   /* name resolution */
    epb(&b, 0, UINT64_C(1700000001000001), 61, 1500, 0x20);
    unknown_block(&b, 5);   /* interface statistics */
    unknown_block(&b, 0x0BAD);
    epb(&b, 0, UINT64_C(1700000002000000), 0, 0, 0);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome via_libpcap, via_own;
    read_with_capture(path, &via_libpcap);
    read_with_own_reader(path, &via_own);
    assert_string_equal(via_libpcap.format, "pcapng");
    const struct read_outcome *outcomes[] = { &via_libpcap, &via_own };
    for (size_t i = 0; i < 2; i++) {
        const struct read_outcome *out = outcomes[i];
        assert_int_equal(out->end, CAPTURE_EOF);
        assert_int_equal(out->count, 3);
        assert_frames_numbered(out);
        assert_packet(out, 0, 60, 60, 1700000000123456000, LINKTYPE_ETHERNET, 0x10);
        assert_packet(out, 1, 61, 1500, 1700000001000001000, LINKTYPE_ETHERNET, 0x20);
        assert_packet(out, 2, 0, 0, 1700000002000000000, LINKTYPE_ETHERNET, 0);
    }
}

static void test_pcapng_little_endian(void **state) { (void)state; check_pcapng_single_interface(false); }
static void test_pcapng_big_endian(void **state) { (void)state; check_pcapng_single_interface(true); }

/* A source may ask for our reader from the first block: the packets libpcap
 * gives, under our reader's name. A pcap file still goes to libpcap. */
static void test_own_reader_requested(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    epb(&b, 0, UINT64_C(1700000000123456), 60, 60, 0x10);
    epb(&b, 0, UINT64_C(1700000001000001), 61, 1500, 0x20);
    struct bytes copy = { 0 };
    put_raw(&copy, b.data, b.len);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome via_libpcap, via_own;
    read_with_capture(path, &via_libpcap);
    struct capture_source own = { .data = copy.data, .len = copy.len, .own_pcapng_reader = true };
    read_source(&own, &via_own);
    assert_string_equal(via_libpcap.format, "pcapng");
    assert_string_equal(via_own.format, "pcapng (own reader)");
    assert_int_equal(via_own.end, CAPTURE_EOF);
    assert_int_equal(via_own.count, 2);
    assert_memory_equal(via_own.packets, via_libpcap.packets, sizeof via_own.packets);
    free(copy.data);

    struct bytes pcap = { 0 };
    pcap_header(&pcap, false, LINKTYPE_ETHERNET);
    pcap_record(&pcap, 1700000000u, 5, 60, 60, 0x10);
    struct capture_source pcap_source = { .data = pcap.data, .len = pcap.len, .own_pcapng_reader = true };
    read_source(&pcap_source, &via_own);
    assert_string_equal(via_own.format, "pcap");
    assert_int_equal(via_own.count, 1);
    free(pcap.data);
}

/* Bytes in memory that are no capture, or none: the messages a file of
 * them gets. */
static void test_memory_not_a_capture(void **state)
{
    (void)state;
    struct read_outcome out;
    struct capture_source none = { .data = NULL, .len = 0 };
    read_source(&none, &out);
    assert_false(out.opened);
    assert_string_equal(out.err, "empty file");
    struct capture_source text = { .data = "Hello, this is text.", .len = 20 };
    read_source(&text, &out);
    assert_false(out.opened);
    assert_string_equal(out.err, "not a pcap or pcapng file (magic 0x48656c6c)");
}

/* ---- mixed link types: libpcap refuses, our reader takes over ---- */

/* ---- snapshot lengths ---- */

/* A pcap file's snapshot length (tcpdump -s 96 writes it in the header) and
 * its cut frame: captured length short of the wire length. */
static uint32_t pcap_snaplen_of(uint32_t declared)
{
    struct bytes b = { 0 };
    pcap_header_with_snaplen(&b, false, LINKTYPE_ETHERNET, declared);
    pcap_record(&b, 1700000000u, 0, 60, 60, 0x10);
    pcap_record(&b, 1700000001u, 0, 96 < declared ? 96 : declared, 1514, 0x20);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_int_equal(out.count, 2);
    assert_int_equal(out.packets[1].wirelen, 1514);
    assert_true(out.packets[1].caplen < out.packets[1].wirelen);
    return out.snaplen;
}

static void test_pcap_snaplen(void **state)
{
    (void)state;
    assert_int_equal(pcap_snaplen_of(96), 96);
    assert_int_equal(pcap_snaplen_of(65535), 65535);
    assert_int_equal(pcap_snaplen_of(262144), 0);   /* libpcap's "no limit" */
}

/* A pcapng interface's snapshot length, through libpcap and through our
 * reader alike; 0 in the IDB is no limit. */
static void check_pcapng_snaplen(uint32_t declared, uint32_t expected)
{
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, declared, NO_OPTIONS);
    epb(&b, 0, UINT64_C(1700000000123456), 60, 60, 0x10);
    epb(&b, 0, UINT64_C(1700000001000001), 128 < declared || !declared ? 128 : declared, 1500, 0x20);
    struct bytes copy = { 0 };
    put_raw(&copy, b.data, b.len);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    struct read_outcome via_libpcap, via_own;
    read_with_capture(path, &via_libpcap);
    struct capture_source own = { .data = copy.data, .len = copy.len, .own_pcapng_reader = true };
    read_source(&own, &via_own);
    free(copy.data);
    assert_string_equal(via_libpcap.format, "pcapng");
    assert_string_equal(via_own.format, "pcapng (own reader)");
    assert_int_equal(via_libpcap.snaplen, expected);
    assert_int_equal(via_own.snaplen, expected);
}

static void test_pcapng_snaplen(void **state)
{
    (void)state;
    check_pcapng_snaplen(128, 128);
    check_pcapng_snaplen(0, 0);
}

/* Interfaces with different snapshot lengths: the smallest is the file's. */
static void test_pcapng_snaplen_smallest_interface(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 200, NO_OPTIONS);
    idb_with(&b, LINKTYPE_LINUX_SLL, 96, NO_OPTIONS);
    idb_with(&b, LINKTYPE_ETHERNET, 0, NO_OPTIONS);
    epb(&b, 0, 1000001, 60, 60, 0x10);
    epb(&b, 1, 2000002, 96, 400, 0x20);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_string_equal(out.format, "pcapng (mixed link types, own reader)");
    assert_int_equal(out.snaplen, 96);
}

static void test_mixed_link_types(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    idb(&b, LINKTYPE_LINUX_SLL);
    epb(&b, 0, 1000001, 60, 60, 0x10);
    epb(&b, 1, 2000002, 44, 44, 0x20);
    epb(&b, 0, 3000003, 70, 70, 0x30);
    epb(&b, 1, 4000004, 80, 90, 0x40);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_true(out.opened);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_string_equal(out.format, "pcapng (mixed link types, own reader)");
    assert_int_equal(out.count, 4);
    assert_frames_numbered(&out);
    assert_packet(&out, 0, 60, 60, 1000001000, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 44, 44, 2000002000, LINKTYPE_LINUX_SLL, 0x20);
    assert_packet(&out, 2, 70, 70, 3000003000, LINKTYPE_ETHERNET, 0x30);
    assert_packet(&out, 3, 80, 90, 4000004000, LINKTYPE_LINUX_SLL, 0x40);
}

/* libpcap delivers the first packets and only then meets the second
 * interface; the fallback must neither repeat nor lose a packet. */
static void test_mixed_link_types_after_first_packets(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    epb(&b, 0, 1000000, 60, 60, 0x10);
    epb(&b, 0, 2000000, 60, 60, 0x20);
    idb(&b, LINKTYPE_LINUX_SLL);
    epb(&b, 1, 3000000, 50, 50, 0x30);
    epb(&b, 0, 4000000, 60, 60, 0x40);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_string_equal(out.format, "pcapng (mixed link types, own reader)");
    assert_int_equal(out.count, 4);
    assert_frames_numbered(&out);
    assert_packet(&out, 0, 60, 60, 1000000000, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 60, 60, 2000000000, LINKTYPE_ETHERNET, 0x20);
    assert_packet(&out, 2, 50, 50, 3000000000, LINKTYPE_LINUX_SLL, 0x30);
    assert_packet(&out, 3, 60, 60, 4000000000, LINKTYPE_ETHERNET, 0x40);
}

/* A new section in the other byte order, with its own interface numbering. */
static void test_multiple_sections(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    epb(&b, 0, 1000000, 60, 60, 0x10);
    b.big_endian = true;
    shb(&b);
    idb(&b, LINKTYPE_LINUX_SLL);
    epb(&b, 0, 2000000, 50, 50, 0x20);
    epb(&b, 1, 3000000, 50, 50, 0x30);   /* interface 1 was in the old section */
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.count, 2);
    assert_packet(&out, 0, 60, 60, 1000000000, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 50, 50, 2000000000, LINKTYPE_LINUX_SLL, 0x20);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_err_contains(&out, "packet on interface 1 but the section defines 1 interfaces");
}

/* ---- timestamp resolution ---- */

static void test_tsresol_nanoseconds(void **state)
{
    (void)state;
    struct bytes b = { .big_endian = true };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 0, (struct idb_options){ .tsresol = 9 });
    idb_with(&b, LINKTYPE_LINUX_SLL, 0, (struct idb_options){ .tsresol = 3 });
    epb(&b, 0, UINT64_C(1700000000123456789), 60, 60, 0x10);
    epb(&b, 1, UINT64_C(1700000000123), 60, 60, 0x20);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_capture(path, &out);
    assert_string_equal(out.format, "pcapng (mixed link types, own reader)");
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_int_equal(out.count, 2);
    assert_packet(&out, 0, 60, 60, 1700000000123456789, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 60, 60, 1700000000123000000, LINKTYPE_LINUX_SLL, 0x20);
}

/* Power-of-two resolutions and if_tsoffset; libpcap reads the same
 * single-interface file, so both readers must agree. */
static void test_tsresol_power_of_two(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 0,
             (struct idb_options){ .tsresol = 0x80 | 20, .has_tsoffset = true, .tsoffset = 100 });
    epb(&b, 0, (UINT64_C(5) << 20) | (UINT64_C(1) << 19), 60, 60, 0x10);   /* 5.5 s */
    epb(&b, 0, (UINT64_C(7) << 20) | (UINT64_C(1) << 18), 60, 60, 0x20);   /* 7.25 s */
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome via_libpcap, via_own;
    read_with_capture(path, &via_libpcap);
    read_with_own_reader(path, &via_own);
    assert_string_equal(via_libpcap.format, "pcapng");
    const struct read_outcome *outcomes[] = { &via_libpcap, &via_own };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(outcomes[i]->count, 2);
        assert_int_equal(outcomes[i]->end, CAPTURE_EOF);
        assert_packet(outcomes[i], 0, 60, 60, 105500000000, LINKTYPE_ETHERNET, 0x10);
        assert_packet(outcomes[i], 1, 60, 60, 107250000000, LINKTYPE_ETHERNET, 0x20);
    }
}

static void test_tsresol_fine_power_of_two(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 0,
             (struct idb_options){ .tsresol = 0x80 | 40, .has_tsoffset = true, .tsoffset = -2 });
    epb(&b, 0, (UINT64_C(7) << 40) | (UINT64_C(1) << 39), 60, 60, 0x10);   /* 7.5 s */
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_int_equal(out.count, 1);
    assert_packet(&out, 0, 60, 60, 5500000000, LINKTYPE_ETHERNET, 0x10);
}

static void test_tsresol_unsupported(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 0, (struct idb_options){ .tsresol = 20 });
    epb(&b, 0, 1, 60, 60, 0x10);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_int_equal(out.count, 0);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_err_contains(&out, "if_tsresol 0x14 not supported");
}

/* ---- simple and obsolete packet blocks ---- */

static void test_simple_packet_blocks(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb_with(&b, LINKTYPE_ETHERNET, 0, NO_OPTIONS);
    spb(&b, 60, 60, 0x10);
    spb(&b, 1500, 64, 0x20);     /* snapped: the body holds 64 bytes */
    spb(&b, 61, 61, 0x30);       /* padded to 64: caplen is still 61 */
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_int_equal(out.count, 3);
    assert_packet(&out, 0, 60, 60, 0, LINKTYPE_ETHERNET, 0x10);
    assert_packet(&out, 1, 64, 1500, 0, LINKTYPE_ETHERNET, 0x20);
    assert_packet(&out, 2, 61, 61, 0, LINKTYPE_ETHERNET, 0x30);
}

static void test_simple_packet_block_without_interface(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    spb(&b, 60, 60, 0x10);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_string_equal(out.err,
                        "block at offset 28: packet on interface 0 but the section defines 0 interfaces");
}

static void test_obsolete_packet_blocks(void **state)
{
    (void)state;
    struct bytes b = { .big_endian = true };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    idb(&b, LINKTYPE_LINUX_SLL);
    obsolete_pb(&b, 1, 1000000, 40, 40, 0x10);
    obsolete_pb(&b, 0, 2000000, 60, 60, 0x20);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);

    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_int_equal(out.count, 2);
    assert_packet(&out, 0, 40, 40, 1000000000, LINKTYPE_LINUX_SLL, 0x10);
    assert_packet(&out, 1, 60, 60, 2000000000, LINKTYPE_ETHERNET, 0x20);
}

/* ---- damaged pcapng ---- */

/* Two good packets on mixed interfaces, so the capture layer must use our
 * reader; returns the offset where the next block will start. */
static size_t mixed_prefix(struct bytes *b)
{
    shb(b);
    idb(b, LINKTYPE_ETHERNET);
    idb(b, LINKTYPE_LINUX_SLL);
    epb(b, 0, 1000000, 60, 60, 0x10);
    epb(b, 1, 2000000, 60, 60, 0x20);
    return b->len;
}

static void expect_damage_after_prefix(struct bytes *b, size_t expected_packets,
                                       const char *expected_err)
{
    char path[PATH_MAX];
    write_bytes(b, path, sizeof path);
    struct read_outcome out;
    read_with_capture(path, &out);
    assert_true(out.opened);
    assert_int_equal(out.count, expected_packets);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_string_equal(out.err, expected_err);
}

static void test_block_length_past_end_of_file(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    put_u32(&b, 6);
    put_u32(&b, 123456788);
    put_payload(&b, 40, 0);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: total length 123456788 past end of file (48 bytes left)",
             bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

/* A single-interface file: libpcap reads the prefix and fails, and the
 * message comes from our reader, which knows where the damage is. */
static void test_block_length_past_end_of_file_via_libpcap(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    epb(&b, 0, 1000000, 60, 60, 0x10);
    epb(&b, 0, 2000000, 60, 60, 0x20);
    size_t bad_block = b.len;
    put_u32(&b, 6);
    put_u32(&b, 1000);
    put_payload(&b, 100, 0);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: total length 1000 past end of file (108 bytes left)",
             bad_block);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    struct read_outcome out;
    read_with_capture(path, &out);
    assert_int_equal(out.count, 2);
    assert_int_equal(out.end, CAPTURE_DAMAGED_TAIL);
    assert_string_equal(out.err, expected);
    assert_string_equal(out.format, "pcapng (own reader)");
}

static void test_block_header_cut_off(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    put_payload(&b, 5, 6);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: only 5 of 8 block header bytes before end of file", bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_block_length_not_multiple_of_four(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    put_u32(&b, 6);
    put_u32(&b, 30);
    put_payload(&b, 22, 0);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: total length 30 is not a multiple of 4", bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_trailing_length_mismatch(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    epb(&b, 0, 3000000, 60, 60, 0x30);
    set_u32(&b, b.len - 4, 96);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: trailing length 96 differs from leading length 92", bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_packet_on_undefined_interface(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    epb(&b, 7, 3000000, 60, 60, 0x30);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: packet on interface 7 but the section defines 2 interfaces",
             bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_caplen_does_not_fit_block(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    epb(&b, 0, 3000000, 60, 60, 0x30);
    set_u32(&b, bad_block + 20, 61);    /* caplen field */
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: captured length 61 does not fit in the block (60 bytes left)",
             bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_option_runs_past_block(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    size_t bad_block = mixed_prefix(&b);
    size_t start = block_start(&b, 1);
    put_u16(&b, LINKTYPE_ETHERNET);
    put_u16(&b, 0);
    put_u32(&b, 0);
    put_u16(&b, 2);          /* if_name */
    put_u16(&b, 200);        /* far longer than the block */
    put_u32(&b, 0);
    block_end(&b, start);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: an option runs past the end of the block", bad_block);
    expect_damage_after_prefix(&b, 2, expected);
}

static void test_pcapng_caplen_larger_than_origlen(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    mixed_prefix(&b);
    epb(&b, 1, 3000000, 80, 40, 0x30);
    expect_damage_after_prefix(&b, 2,
                               "packet 3: captured length 80 is larger than its wire length 40");
}

static void test_pcapng_caplen_over_limit(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    mixed_prefix(&b);
    epb(&b, 1, 3000000, 300000, 300000, 0x30);
    expect_damage_after_prefix(&b, 2,
                               "packet 3: captured length 300000 over the 262144-byte limit");
}

static void test_huge_interface_count(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    shb(&b);
    idb(&b, LINKTYPE_ETHERNET);
    for (int i = 1; i < PCAPNG_MAX_INTERFACES; i++)
        idb(&b, LINKTYPE_LINUX_SLL);
    epb(&b, PCAPNG_MAX_INTERFACES - 1, 1000000, 60, 60, 0x10);
    size_t one_too_many = b.len;
    idb(&b, LINKTYPE_LINUX_SLL);
    epb(&b, 0, 2000000, 60, 60, 0x20);
    char expected[200];
    snprintf(expected, sizeof expected,
             "block at offset %zu: more than %d interfaces in one section",
             one_too_many, PCAPNG_MAX_INTERFACES);
    expect_damage_after_prefix(&b, 1, expected);
}

static void test_own_reader_refuses_other_files(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    pcap_header(&b, false, LINKTYPE_ETHERNET);
    pcap_record(&b, 1, 0, 60, 60, 0x10);
    char path[PATH_MAX];
    write_bytes(&b, path, sizeof path);
    struct read_outcome out;
    read_with_own_reader(path, &out);
    assert_false(out.opened);
    assert_string_equal(out.err, "not a pcapng file (first bytes 0xd4c3b2a1)");

    write_bytes(&b, path, sizeof path);
    read_with_own_reader(path, &out);
    assert_false(out.opened);
    assert_string_equal(out.err, "empty file");
}

/* ---- a file written by real tools: mergecap of an Ethernet and an SLL capture ---- */

static void test_real_mergecap_file(void **state)
{
    (void)state;
    struct read_outcome out;
    read_with_capture(REAL_MIXED_FILE, &out);
    if (!out.opened)
        fail_msg("%s: %s (run from the repository root)", REAL_MIXED_FILE, out.err);
    assert_int_equal(out.end, CAPTURE_EOF);
    assert_string_equal(out.format, "pcapng (mixed link types, own reader)");
    assert_int_equal(out.count, REAL_MIXED_PACKETS);
    assert_frames_numbered(&out);
    size_t ethernet = 0, cooked = 0;
    for (size_t i = 0; i < out.count; i++) {
        ethernet += out.packets[i].linktype == LINKTYPE_ETHERNET;
        cooked += out.packets[i].linktype == LINKTYPE_LINUX_SLL;
        assert_true(out.packets[i].caplen <= out.packets[i].wirelen);
        if (i > 0)   /* mergecap merges in time order */
            assert_true(out.packets[i].ts_ns >= out.packets[i - 1].ts_ns);
    }
    assert_true(ethernet > 0);
    assert_true(cooked > 0);
    assert_int_equal(ethernet + cooked, out.count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_little_endian_micro),
        cmocka_unit_test(test_pcap_big_endian_micro),
        cmocka_unit_test(test_pcap_little_endian_nano),
        cmocka_unit_test(test_pcap_big_endian_nano),
        cmocka_unit_test(test_pcap_truncated_last_record),
        cmocka_unit_test(test_pcap_caplen_larger_than_wirelen),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_pcapng_little_endian),
        cmocka_unit_test(test_pcapng_big_endian),
        cmocka_unit_test(test_own_reader_requested),
        cmocka_unit_test(test_memory_not_a_capture),
        cmocka_unit_test(test_pcap_snaplen),
        cmocka_unit_test(test_pcapng_snaplen),
        cmocka_unit_test(test_pcapng_snaplen_smallest_interface),
        cmocka_unit_test(test_mixed_link_types),
        cmocka_unit_test(test_mixed_link_types_after_first_packets),
        cmocka_unit_test(test_multiple_sections),
        cmocka_unit_test(test_tsresol_nanoseconds),
        cmocka_unit_test(test_tsresol_power_of_two),
        cmocka_unit_test(test_tsresol_fine_power_of_two),
        cmocka_unit_test(test_tsresol_unsupported),
        cmocka_unit_test(test_simple_packet_blocks),
        cmocka_unit_test(test_simple_packet_block_without_interface),
        cmocka_unit_test(test_obsolete_packet_blocks),
        cmocka_unit_test(test_block_length_past_end_of_file),
        cmocka_unit_test(test_block_length_past_end_of_file_via_libpcap),
        cmocka_unit_test(test_block_header_cut_off),
        cmocka_unit_test(test_block_length_not_multiple_of_four),
        cmocka_unit_test(test_trailing_length_mismatch),
        cmocka_unit_test(test_packet_on_undefined_interface),
        cmocka_unit_test(test_caplen_does_not_fit_block),
        cmocka_unit_test(test_option_runs_past_block),
        cmocka_unit_test(test_pcapng_caplen_larger_than_origlen),
        cmocka_unit_test(test_pcapng_caplen_over_limit),
        cmocka_unit_test(test_huge_interface_count),
        cmocka_unit_test(test_own_reader_refuses_other_files),
        cmocka_unit_test(test_real_mergecap_file),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
