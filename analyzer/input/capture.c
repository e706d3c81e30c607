/* Capture input; see capture.h.
 *
 * The file is checked by hand before libpcap sees it, because libpcap's
 * messages for an empty file or a text file ("unknown file format") do not
 * tell a user what is wrong. Packets then come from libpcap, or from our
 * pcapng reader when libpcap gives up on a pcapng file.
 *
 * When the source asks for a pcapng file's Decryption Secrets Blocks,
 * libpcap reads it through a stream of ours (fopencookie) that shows every
 * piece it reads to a tap (pcapng_tap.h): libpcap drops those blocks, and
 * this way they are found without a read of the file of their own. */
#include "capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cursor.h"
#include "once_input.h"
#include "pcapng_reader.h"
#include "pcapng_tap.h"

#define PCAPNG_MAGIC             0x0A0D0D0Au
#define PCAP_FILE_HEADER_LEN     24u
#define PCAPNG_MIN_HEADER_LEN    28u
#define MAGIC_LEN                4u
/* libpcap's own ceiling for most link types; anything above is not a packet
 * we can trust, whatever the record header says. */
#define MAX_PLAUSIBLE_CAPLEN     262144u
#define NS_PER_SECOND            1000000000
/* The stdio buffer libpcap reads through: with the default (the file
 * system's block size, 4 KiB) a 1 GB capture costs a quarter of a million
 * read() calls; with 1 MiB about a thousand. The buffer starts 64 bytes
 * past a page boundary: a block this large comes from mmap, page-aligned,
 * and the kernel's copy from page-aligned page-cache pages into a
 * page-aligned buffer ran at a third of the speed here (AMD EPYC; measured
 * in bench/RESULTS.md). */
#define READ_BUFFER_SIZE         (1u << 20)
#define READ_BUFFER_SKEW         64u

struct capture {
    pcap_t *pcap;                      /* NULL once our reader has taken over */
    struct pcapng_reader *own_reader;
    char *path;                        /* to read the file again with our reader */
    const void *data;                  /* or the bytes in memory (path NULL; the caller's) */
    size_t len;
    bool is_pcapng;
    bool mixed_link_types;             /* libpcap refused interfaces of different types */
    int pcap_linktype;
    uint64_t frames_returned;
    bool finished;                     /* EOF or damaged tail already reported */
    char *read_buffers[2];             /* stdio buffers: the first stream, the reopened one */
    bool once;                         /* standard input or gzip: read through once_input */
    bool compressed;
    char format[48];
    pcapng_secrets_fn on_secrets;      /* the source's; NULL: secrets blocks not looked for */
    void *secrets_ctx;
};

/* ---- checks before libpcap ---- */

/* A large stdio buffer for a stream nothing was read through yet. It must
 * outlive the stream: the caller frees *buffer after the stream is closed
 * (NULL if none was set). */
static void set_read_buffer(FILE *f, char **buffer)
{
    *buffer = NULL;
    char *b = malloc(READ_BUFFER_SIZE + READ_BUFFER_SKEW);
    if (b && setvbuf(f, b + READ_BUFFER_SKEW, _IOFBF, READ_BUFFER_SIZE) == 0)
        *buffer = b;
    else
        free(b); /* the default buffer works too */
}

/* fopen with a large stdio buffer (set_read_buffer()). */
static FILE *open_buffered(const char *path, char **buffer)
{
    *buffer = NULL;
    FILE *f = fopen(path, "rb");
    if (f)
        set_read_buffer(f, buffer);
    return f;
}

/* Opened, but its buffer not chosen yet: that depends on what the file
 * turns out to be, and stdio allows the choice only before the first read. */
static FILE *open_regular_file(const char *path, uint64_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            snprintf(err, errlen, "no such file");
        else if (errno == EACCES)
            snprintf(err, errlen, "permission denied");
        else if (errno == EISDIR)
            snprintf(err, errlen, "is a directory");
        else
            snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "cannot stat: %s", strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory");
    } else if (!S_ISREG(st.st_mode)) {
        /* A pipe cannot be read twice, and the pcapng fallback needs that. */
        snprintf(err, errlen, "not a regular file");
    } else {
        *size = (uint64_t)st.st_size;
        return f;
    }
    fclose(f);
    return NULL;
}

/* The file's first bytes, read past its stream (so that stream's buffer can
 * still be chosen). */
static size_t read_file_head(FILE *f, uint8_t *head, size_t len)
{
    ssize_t got = pread(fileno(f), head, len, 0);
    return got > 0 ? (size_t)got : 0;
}

/* A stream over bytes in memory: read where they are, no copy. glibc's
 * fmemopen() does not write to a buffer opened for reading, so the const
 * goes. No stream for no bytes (fmemopen() refuses a size of 0). */
static FILE *open_memory(const void *data, size_t len)
{
    return len ? fmemopen((void *)data, len, "rb") : NULL;
}

static bool is_pcap_magic(uint32_t magic)
{
    switch (magic) {
    case 0xA1B2C3D4u: case 0xD4C3B2A1u:   /* microseconds */
    case 0xA1B23C4Du: case 0x4D3CB2A1u:   /* nanoseconds */
    case 0xA1B2CD34u: case 0x34CDB2A1u:   /* Kuznetzov's modified pcap */
        return true;
    default:
        return false;
    }
}

/* The magic number (got bytes of it in head) decides whether libpcap
 * should be asked at all. */
static bool check_capture_magic(const uint8_t *head, size_t got, uint64_t size, bool *is_pcapng,
                                char *err, size_t errlen)
{
    if (size == 0) {
        snprintf(err, errlen, "empty file");
        return false;
    }
    if (got < MAGIC_LEN) {
        snprintf(err, errlen, "too short to be a capture (%zu bytes)", got);
        return false;
    }
    struct cursor c = cursor_make(head, got);
    uint32_t magic = cursor_be32(&c);
    *is_pcapng = magic == PCAPNG_MAGIC;
    if (!*is_pcapng && !is_pcap_magic(magic)) {
        snprintf(err, errlen, "not a pcap or pcapng file (magic 0x%08" PRIx32 ")", magic);
        return false;
    }
    uint64_t header_len = *is_pcapng ? PCAPNG_MIN_HEADER_LEN : PCAP_FILE_HEADER_LEN;
    if (size < header_len) {
        snprintf(err, errlen, "too short to be a capture (%" PRIu64 " bytes)", size);
        return false;
    }
    return true;
}

/* ---- the tap on what libpcap reads ---- */

/* What the stream libpcap reads a pcapng file through reads from: the file,
 * through its descriptor (its own stdio buffer stays unused, so the bytes
 * are copied once, into the stream's buffer), or the bytes in memory. */
struct tapped_input {
    FILE *file;                 /* NULL: the bytes */
    bool via_stdio;             /* file is a stream without a descriptor (once_input.h) */
    const uint8_t *data;
    size_t len;
    size_t pos;
    struct pcapng_tap *tap;
};

static ssize_t tapped_read(void *cookie, char *buf, size_t size)
{
    struct tapped_input *in = cookie;
    size_t got;
    if (in->file && in->via_stdio) {
        got = fread(buf, 1, size, in->file);
        if (!got && ferror(in->file))
            return -1;
    } else if (in->file) {
        ssize_t n;
        do
            n = read(fileno(in->file), buf, size);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return -1;
        got = (size_t)n;
    } else {
        got = in->len - in->pos < size ? in->len - in->pos : size;
        memcpy(buf, in->data + in->pos, got);
        in->pos += got;
    }
    pcapng_tap_feed(in->tap, (const uint8_t *)buf, got);
    return (ssize_t)got;
}

static int tapped_close(void *cookie)
{
    struct tapped_input *in = cookie;
    int rc = in->file ? fclose(in->file) : 0;
    pcapng_tap_free(in->tap);
    free(in);
    return rc;
}

/* The stream over f (NULL: the bytes in memory), with the large buffer
 * (freed by the caller after the stream). Takes f; NULL when out of memory. */
static FILE *open_tapped(const struct capture *cap, FILE *f, uint64_t size, char **buffer)
{
    *buffer = NULL;
    struct tapped_input *in = calloc(1, sizeof *in);
    struct pcapng_tap *tap = pcapng_tap_new(cap->once ? 0 : size, cap->on_secrets, cap->secrets_ctx);
    FILE *stream = NULL;
    if (in && tap) {
        *in = (struct tapped_input){ .file = f, .via_stdio = cap->once, .data = cap->data, .len = cap->len,
                                     .tap = tap };
        if (cap->once)
            setvbuf(f, NULL, _IONBF, 0);   /* the tapped stream's buffer is the one */
        cookie_io_functions_t io = { .read = tapped_read, .close = tapped_close };
        stream = fopencookie(in, "rb", io);
    }
    if (!stream) {
        pcapng_tap_free(tap);
        free(in);
        if (f)
            fclose(f);
        return NULL;
    }
    set_read_buffer(stream, buffer);
    return stream;
}

/* ---- libpcap or our reader ---- */

/* Other refusals (differing snapshot lengths, sections in different byte
 * orders, damage) also lead to our reader, but only this one earns the
 * "mixed link types" label in reports. */
static bool refused_for_mixed_link_types(const char *libpcap_message)
{
    return strstr(libpcap_message, "different from the type of the first interface") != NULL;
}

/* After the streams are closed: their buffers go too. */
static void free_capture(struct capture *cap)
{
    free(cap->path);
    free(cap->read_buffers[0]);
    free(cap->read_buffers[1]);
    free(cap);
}

/* The stream of a source, again from its start: the file opened anew (with a
 * large buffer, freed by the caller after the stream), or the bytes. */
static FILE *reopen(const struct capture *cap, char **buffer)
{
    *buffer = NULL;
    if (cap->once) {
        struct stat st;
        if (!strcmp(cap->path, "-") || stat(cap->path, &st) != 0 || !S_ISREG(st.st_mode)) {
            errno = ESPIPE;   /* a pipe cannot be read a second time */
            return NULL;
        }
        uint8_t head[ONCE_INPUT_HEAD];
        size_t got;
        bool compressed;
        char err[160];
        FILE *f = once_input_open(cap->path, head, &got, &compressed, err, sizeof err);
        if (f)
            set_read_buffer(f, buffer);
        return f;
    }
    return cap->path ? open_buffered(cap->path, buffer) : open_memory(cap->data, cap->len);
}

/* The stream libpcap or our reader reads first: the checked file f with a
 * large buffer, or a stream over the bytes (f NULL). NULL only for the
 * bytes, with errno set. */
static FILE *first_stream(struct capture *cap, FILE *f)
{
    if (f) {
        set_read_buffer(f, &cap->read_buffers[0]);
        return f;
    }
    return open_memory(cap->data, cap->len);
}

/* The checked source (f: its file, opened but not read through; NULL for
 * bytes in memory; size bytes) to libpcap, or to our reader when libpcap
 * refuses a pcapng file or the source asks for it. Takes f and cap; frees
 * both on failure. */
static struct capture *start_reading(struct capture *cap, FILE *f, uint64_t size,
                                     bool own_pcapng_reader, char *err, size_t errlen)
{
    if (!(own_pcapng_reader && cap->is_pcapng)) {
        bool tapped = cap->is_pcapng && cap->on_secrets;
        FILE *stream = tapped ? open_tapped(cap, f, size, &cap->read_buffers[0])
                              : first_stream(cap, f);
        if (!stream) {
            if (tapped)
                snprintf(err, errlen, "out of memory");
            else
                snprintf(err, errlen, "cannot read from memory: %s", strerror(errno));
            free_capture(cap);
            return NULL;
        }
        /* The same call as pcap_open_offline_with_tstamp_precision(), on the
         * stream we already checked, so the file cannot change in between. */
        char errbuf[PCAP_ERRBUF_SIZE] = "";
        cap->pcap = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO,
                                                             errbuf);
        if (cap->pcap) {
            cap->pcap_linktype = pcap_datalink(cap->pcap);
            return cap;
        }
        /* libpcap leaves the stream open when it fails. */
        if (!cap->is_pcapng) {
            snprintf(err, errlen, "%s", errbuf);
            fclose(stream);
            free_capture(cap);
            return NULL;
        }
        cap->mixed_link_types = refused_for_mixed_link_types(errbuf);
        if (tapped) {
            /* Our stream cannot go back: the file anew. */
            fclose(stream);
            f = reopen(cap, &cap->read_buffers[1]);
            if (!f) {
                snprintf(err, errlen, "%s (reopening: %s)", errbuf, strerror(errno));
                free_capture(cap);
                return NULL;
            }
        } else {
            rewind(stream);
            f = stream;
        }
    } else {
        f = first_stream(cap, f);
        if (!f) {
            snprintf(err, errlen, "cannot read from memory: %s", strerror(errno));
            free_capture(cap);
            return NULL;
        }
    }
    cap->own_reader = pcapng_reader_open(f, err, errlen);
    if (!cap->own_reader) {
        free_capture(cap);
        return NULL;
    }
    if (cap->on_secrets)
        pcapng_reader_on_secrets(cap->own_reader, cap->on_secrets, cap->secrets_ctx);
    return cap;
}

struct capture *capture_open_source(const struct capture_source *src, char *err, size_t errlen)
{
    uint64_t size = 0;
    bool is_pcapng = false;
    uint8_t head[ONCE_INPUT_HEAD] = { 0 };
    size_t got = 0;
    FILE *f = NULL;
    bool once = false, compressed = false;
    /* A pipe, a terminal or a socket (/dev/stdin, <(zcat x.gz)) is read
     * once, like standard input. */
    struct stat st;
    bool stream_path = src->path && (!strcmp(src->path, "-") ||
                                     (stat(src->path, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
                                                                     S_ISSOCK(st.st_mode))));
    if (src->path && !stream_path) {
        f = open_regular_file(src->path, &size, err, errlen);
        if (!f)
            return NULL;
        got = read_file_head(f, head, MAGIC_LEN);
    }
    if (src->path && (stream_path || once_input_wanted(src->path, head, got))) {
        if (f)
            fclose(f);
        f = once_input_open(src->path, head, &got, &compressed, err, errlen);
        if (!f)
            return NULL;
        once = true;
        /* The size is not known before the end: what was read, or more. */
        size = got < ONCE_INPUT_HEAD ? got : UINT64_MAX;
    } else if (src->data) {
        size = src->len;
        got = size < sizeof head ? (size_t)size : sizeof head;
        memcpy(head, src->data, got);
    }
    if (!check_capture_magic(head, got, size, &is_pcapng, err, errlen)) {
        if (f)
            fclose(f);
        return NULL;
    }
    struct capture *cap = calloc(1, sizeof *cap);
    if (cap && src->path)
        cap->path = strdup(src->path);
    if (!cap || (src->path && !cap->path)) {
        snprintf(err, errlen, "out of memory");
        if (f)
            fclose(f);
        if (cap)
            free_capture(cap);
        return NULL;
    }
    cap->data = src->data;
    cap->len = src->len;
    cap->is_pcapng = is_pcapng;
    cap->once = once;
    cap->compressed = compressed;
    cap->on_secrets = src->on_secrets;
    cap->secrets_ctx = src->secrets_ctx;
    return start_reading(cap, f, size, src->own_pcapng_reader, err, errlen);
}

bool capture_source_rereadable(const struct capture_source *src)
{
    struct stat st;
    if (!src->path)
        return true;
    return strcmp(src->path, "-") && stat(src->path, &st) == 0 && S_ISREG(st.st_mode);
}

bool capture_path_looks_like_capture(const char *path)
{
    uint8_t head[MAGIC_LEN] = { 0 };
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (once_input_wanted(path, head, got))
        return strcmp(path, "-") != 0;
    struct cursor c = cursor_make(head, got);
    uint32_t magic = cursor_be32(&c);
    return cursor_ok(&c) && (magic == PCAPNG_MAGIC || is_pcap_magic(magic));
}

bool capture_source_plain(const struct capture_source *src)
{
    if (!capture_source_rereadable(src))
        return false;
    if (!src->path)
        return true;
    uint8_t head[2] = { 0 };
    FILE *f = fopen(src->path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return !once_input_wanted(src->path, head, got);
}

struct capture *capture_open(const char *path, char *err, size_t errlen)
{
    struct capture_source src = { .path = path };
    return capture_open_source(&src, err, errlen);
}

static int64_t timeval_ns_to_ns(const struct timeval *tv)
{
    int64_t ns;
    /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
    if (__builtin_mul_overflow((int64_t)tv->tv_sec, NS_PER_SECOND, &ns)
        || __builtin_add_overflow(ns, (int64_t)tv->tv_usec, &ns))
        return tv->tv_sec > 0 ? INT64_MAX : INT64_MIN;
    return ns;
}

/* libpcap stopped with an error on a pcapng file. Its usual reason is
 * interfaces that differ; read the file again with our reader, step over the
 * packets libpcap already delivered, and carry on from there. If our reader
 * stops at the same place its message is the more precise one. */
static enum capture_result continue_with_own_reader(struct capture *cap,
                                                    struct capture_packet *pkt,
                                                    const char *libpcap_message,
                                                    char *err, size_t errlen)
{
    FILE *f = reopen(cap, &cap->read_buffers[1]);
    if (!f) {
        snprintf(err, errlen, "%s (reopening: %s)", libpcap_message, strerror(errno));
        return CAPTURE_DAMAGED_TAIL;
    }
    struct pcapng_reader *reader = pcapng_reader_open(f, err, errlen);
    if (!reader)
        return CAPTURE_DAMAGED_TAIL;
    if (cap->on_secrets)
        pcapng_reader_on_secrets(reader, cap->on_secrets, cap->secrets_ctx);
    cap->mixed_link_types = refused_for_mixed_link_types(libpcap_message);
    pcap_close(cap->pcap);
    cap->pcap = NULL;
    cap->own_reader = reader;

    for (uint64_t skipped = 0; skipped < cap->frames_returned; skipped++) {
        enum capture_result result = pcapng_reader_next(reader, pkt, err, errlen);
        if (result == CAPTURE_EOF)
            snprintf(err, errlen, "%s", libpcap_message);
        if (result != CAPTURE_PACKET)
            return CAPTURE_DAMAGED_TAIL;
    }
    return pcapng_reader_next(reader, pkt, err, errlen);
}

static enum capture_result next_from_libpcap(struct capture *cap, struct capture_packet *pkt,
                                             char *err, size_t errlen)
{
    struct pcap_pkthdr *header;
    const u_char *data;
    int rc = pcap_next_ex(cap->pcap, &header, &data);
    if (rc == 1) {
        pkt->data = data;
        pkt->caplen = header->caplen;
        pkt->wirelen = header->len;
        pkt->ts_ns = timeval_ns_to_ns(&header->ts);
        pkt->linktype = cap->pcap_linktype;
        return CAPTURE_PACKET;
    }
    if (rc == PCAP_ERROR_BREAK)
        return CAPTURE_EOF;

    char message[PCAP_ERRBUF_SIZE];
    snprintf(message, sizeof message, "%s", pcap_geterr(cap->pcap));
    if (cap->is_pcapng)
        return continue_with_own_reader(cap, pkt, message, err, errlen);
    snprintf(err, errlen, "%s", message);
    return CAPTURE_DAMAGED_TAIL;
}

/* A record header can claim anything; refuse lengths no capture produces. */
static bool packet_lengths_plausible(const struct capture *cap, const struct capture_packet *pkt,
                                     char *err, size_t errlen)
{
    uint64_t frame = cap->frames_returned + 1;
    if (pkt->caplen > pkt->wirelen) {
        snprintf(err, errlen,
                 "packet %" PRIu64 ": captured length %" PRIu32
                 " is larger than its wire length %" PRIu32,
                 frame, pkt->caplen, pkt->wirelen);
        return false;
    }
    if (pkt->caplen > MAX_PLAUSIBLE_CAPLEN) {
        snprintf(err, errlen, "packet %" PRIu64 ": captured length %" PRIu32
                 " over the %u-byte limit", frame, pkt->caplen, MAX_PLAUSIBLE_CAPLEN);
        return false;
    }
    return true;
}

enum capture_result capture_next(struct capture *cap, struct capture_packet *pkt,
                                 char *err, size_t errlen)
{
    if (cap->finished)
        return CAPTURE_EOF;
    enum capture_result result = cap->own_reader
                               ? pcapng_reader_next(cap->own_reader, pkt, err, errlen)
                               : next_from_libpcap(cap, pkt, err, errlen);
    if (result == CAPTURE_PACKET && !packet_lengths_plausible(cap, pkt, err, errlen))
        result = CAPTURE_DAMAGED_TAIL;
    if (result == CAPTURE_PACKET)
        pkt->frame = ++cap->frames_returned;
    else
        cap->finished = true;
    return result;
}

uint32_t capture_snaplen(const struct capture *cap)
{
    uint32_t snaplen = 0;
    if (cap->own_reader) {
        snaplen = pcapng_reader_snaplen(cap->own_reader);
    } else if (cap->pcap) {
        int s = pcap_snapshot(cap->pcap);
        snaplen = s > 0 ? (uint32_t)s : 0;
    }
    /* libpcap gives its own maximum for "no limit" (a pcapng IDB's 0). */
    return snaplen < MAX_PLAUSIBLE_CAPLEN ? snaplen : 0;
}

static const char *base_format(const struct capture *cap);

const char *capture_format(const struct capture *cap)
{
    if (!cap->compressed)
        return base_format(cap);
    struct capture *c = (struct capture *)cap;
    snprintf(c->format, sizeof c->format, "%s, gzip", base_format(cap));
    return c->format;
}

static const char *base_format(const struct capture *cap)
{
    if (cap->own_reader)
        return cap->mixed_link_types ? "pcapng (mixed link types, own reader)"
                                     : "pcapng (own reader)";
    return cap->is_pcapng ? "pcapng" : "pcap";
}

void capture_close(struct capture *cap)
{
    if (!cap)
        return;
    if (cap->pcap)
        pcap_close(cap->pcap);
    pcapng_reader_close(cap->own_reader);
    free_capture(cap);
}
