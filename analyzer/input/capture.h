/* Capture input: one packet at a time from a pcap or pcapng file, or from
 * the same bytes in memory.
 *
 * libpcap reads what it can; when it refuses a pcapng file whose interfaces
 * differ in link type or snapshot length, the file is read again with our own
 * pcapng block reader (pcapng_reader.c), which keeps a link type per
 * interface. The rest of the program sees only this interface.
 */
#ifndef TLSDIAG_CAPTURE_H
#define TLSDIAG_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct capture_packet {
    const uint8_t *data;   /* valid until the next capture_next() */
    uint32_t caplen;       /* bytes present */
    uint32_t wirelen;      /* bytes on the wire */
    int64_t ts_ns;         /* nanoseconds since the epoch */
    int linktype;          /* DLT_* / LINKTYPE_* value of this packet's interface */
    uint64_t frame;        /* 1-based packet number */
};

enum capture_result {
    CAPTURE_PACKET,
    CAPTURE_EOF,
    CAPTURE_DAMAGED_TAIL,  /* a usable prefix was read; the rest is unreadable */
};

struct capture;

/* ---- Decryption Secrets Blocks (pcapng spec 4.7) ----
 * libpcap drops these blocks, so they are seen on the bytes on their way to
 * it (pcapng_tap.h) and by our reader (pcapng_reader.h), both handing them
 * over as this. */

#define PCAPNG_SECRETS_TLS_KEY_LOG 0x544c534bu   /* "TLSK": NSS key log text */

struct pcapng_secrets {
    uint64_t block_offset;      /* where the block starts in the file */
    uint32_t secrets_type;
    uint32_t claimed_len;       /* the secrets length field */
    const uint8_t *data;        /* valid during the callback only; NULL when malformed */
    uint32_t len;
    bool malformed;             /* the secrets length runs past the block */
    /* A packet block (enhanced, simple or obsolete) came before it in the
     * file: packets before it were read without its keys. */
    bool after_packets;
};

typedef void (*pcapng_secrets_fn)(void *ctx, const struct pcapng_secrets *secrets);

/* Where a capture is read from: a file, or its bytes in memory. */
struct capture_source {
    const char *path;           /* a file; NULL: the bytes below */
    const void *data;           /* the whole capture; must stay valid until capture_close() */
    size_t len;
    /* pcapng through our reader from the first block, not only when libpcap
     * refuses the file (the pcapng fuzz target; tests); pcap still goes to
     * libpcap. */
    bool own_pcapng_reader;
    /* A pcapng file's Decryption Secrets Blocks, as the file is read (NULL:
     * not looked for). Each reaches on_secrets once its bytes are read,
     * which is before the packets after it are returned. When libpcap gives
     * up and our reader reads the file again from its start, the blocks
     * already handed over come a second time: block_offset tells them
     * apart. */
    pcapng_secrets_fn on_secrets;
    void *secrets_ctx;
};

/* Whether the source can be read more than once: bytes in memory or a
 * regular file; not standard input ("-") nor a pipe. */
bool capture_source_rereadable(const struct capture_source *src);
/* Whether its bytes are the capture as it is: rereadable and not gzip. A
 * walk over the file before the pass (pcapng_secrets.h) works on these. */
bool capture_source_plain(const struct capture_source *src);

/* Whether a file's first bytes are a capture's this reads: pcap (any
 * byte order and timestamp unit), pcapng, or gzip (decompressed as read).
 * For picking captures out of a directory; no other check is made. */
bool capture_path_looks_like_capture(const char *path);

/* Opens the source. On failure returns NULL and writes a one-line reason,
 * without the file name, into err. Bytes in memory are read where they are
 * (no copy) and meet the same checks and messages as a file of those bytes. */
struct capture *capture_open_source(const struct capture_source *src, char *err, size_t errlen);

/* capture_open_source() of a file. */
struct capture *capture_open(const char *path, char *err, size_t errlen);

/* Reads the next packet. On CAPTURE_DAMAGED_TAIL err says what was wrong.
 * After CAPTURE_EOF or CAPTURE_DAMAGED_TAIL every later call returns
 * CAPTURE_EOF. */
enum capture_result capture_next(struct capture *cap, struct capture_packet *pkt,
                                 char *err, size_t errlen);

/* The snapshot length the file declares: the pcap file header's, or the
 * smallest of the pcapng interfaces' read so far; 0 when none is declared
 * (a pcapng IDB's 0, or libpcap's 262144 for "no limit"). A frame cut by it
 * has caplen < wirelen; one larger than any frame (65535) cuts nothing. */
uint32_t capture_snaplen(const struct capture *cap);

/* "pcap" or "pcapng (own reader)" etc., for reports. */
const char *capture_format(const struct capture *cap);

void capture_close(struct capture *cap);

#endif
