/* One pass over one capture: capture -> link/IP -> TCP reassembly -> stream
 * dissectors -> events, delivered to a consumer sink. Every reader of
 * captures (the commands, the unit tests, the fuzz targets, the seed
 * extractor) goes through this API; nothing else wires the pieces together.
 *
 *     struct pass *p = pass_open_path(path, &opt, &sink, err, sizeof err);
 *     if (!p)                              // unusable input; err says why
 *         ...
 *     pass_run(p);                         // or pass_feed(p, n) until it returns 0
 *     enum pass_status st = pass_finish(p, &summary);   // frees p
 *
 * pass_read() does the three at once. The status is data: what it means to
 * a user (a message, an exit code) is the command line's business. */
#ifndef TLSDIAG_PIPELINE_H
#define TLSDIAG_PIPELINE_H

#include "capture.h"
#include "stream.h"
#include "tcp_reasm.h"

struct pipeline_options {
    struct reasm_limits reasm;
    struct stream_limits stream;
    struct ipfrag_limits ipfrag;
    bool classify;                /* run nDPI on each flow's first packets */
    /* Not the pass's own: the facts builder's limit, kept here so that one
     * table of limit options (cli_common.c) serves every command. */
    uint32_t max_open_tls_facts;  /* connections with TLS/proxy facts open at once */
    /* The key log TLS records are decrypted with: --keylog files and the
     * capture's Decryption Secrets Blocks (key_sources.h). NULL: none. */
    struct keylog *keylog;
    /* Called every so many packets of pass_run() (NULL: never) with the
     * frames and the bytes on the wire read so far: a progress line. */
    void (*on_progress)(void *ctx, uint64_t frames, uint64_t bytes);
    void *progress_ctx;
};

/* An open connection's facts are a few KB (its hello records, its
 * certificates' bytes up to 16 KB, a few alerts; ~60 KB at the most, with a
 * hostile capture's caps all reached): with the 512 closed connections the
 * reassembler lets linger, 1024 open ones bound them to ~10 MB (~90 MB). */
#define PIPELINE_DEFAULT_OPEN_TLS_FACTS 1024

#define PIPELINE_MAX_LINKTYPES 8

struct pipeline_summary {
    uint64_t frames;
    uint64_t bytes;
    int64_t first_ts, last_ts;
    uint64_t decoded_tcp, decoded_udp;
    uint64_t not_ip, truncated_headers, invalid_headers, fragments_held;
    struct { int linktype; uint64_t count; } unknown_links[PIPELINE_MAX_LINKTYPES];
    uint8_t unknown_link_kinds;
    uint64_t unknown_link_packets;
    /* Frames captured shorter than they were on the wire (caplen < wirelen):
     * a snapshot length (tcpdump -s 96, editcap -s 128) cut them. */
    uint64_t frames_cut;
    uint64_t first_cut_frame;     /* 0: none was cut */
    uint32_t cut_caplen;          /* bytes captured of the first cut frame */
    uint32_t snaplen;             /* the file's declared snapshot length (capture_snaplen), 0: none */
    bool damaged_tail;
    char damage[256];             /* why the tail is unreadable */
    char format[48];
    struct reasm_stats reasm;
    struct stream_stats streams;
    uint64_t ipfrag_completed, ipfrag_dropped;
    uint64_t flows_not_classified;  /* over the classifier's in-progress cap */
};

void pipeline_default_options(struct pipeline_options *opt);

/* The bytes a snapshot length kept of each cut frame: the file's declared
 * snapshot length, else the captured length of the first cut frame; 0 when
 * no frame was cut. */
uint32_t pipeline_cut_snaplen(const struct pipeline_summary *s);

/* How a capture was read. */
enum pass_status {
    PASS_OK,              /* to its end */
    PASS_DAMAGED_TAIL,    /* a usable prefix; summary.damage says why the rest is unreadable */
    PASS_UNUSABLE,        /* nothing: it could not be opened, or was damaged before its first packet */
};

struct pass;

/* Opens a capture for one pass whose events go to sink. NULL when the input
 * cannot be used, with a one-line reason (no file name) in err. opt and sink
 * must outlive the pass; so must bytes in memory. */
struct pass *pass_open(const struct capture_source *src, const struct pipeline_options *opt,
                       const struct event_sink *sink, char *err, size_t errlen);
struct pass *pass_open_path(const char *path, const struct pipeline_options *opt,
                            const struct event_sink *sink, char *err, size_t errlen);
/* data: a whole pcap or pcapng file's bytes, read where they are. */
struct pass *pass_open_memory(const void *data, size_t len, const struct pipeline_options *opt,
                              const struct event_sink *sink, char *err, size_t errlen);

/* Reads up to max_packets packets (0: no limit) through the pipeline.
 * Returns how many were read: fewer than asked (0 at the latest) once the
 * capture has ended. */
uint64_t pass_feed(struct pass *p, uint64_t max_packets);
/* Reads to the end of the capture. */
void pass_run(struct pass *p);

/* Ends every connection still open (their EV_CONN_END reach the sink),
 * writes the summary and frees the pass. Finishing before the end is
 * allowed: the packets read so far are the capture. PASS_UNUSABLE here
 * means damaged before the first packet; summary->damage says how. */
enum pass_status pass_finish(struct pass *p, struct pipeline_summary *summary);

/* Open, run and finish in one call. The summary is zero when the input
 * could not be opened; err holds the reason whenever the result is
 * PASS_UNUSABLE. */
enum pass_status pass_read(const struct capture_source *src, const struct pipeline_options *opt,
                           const struct event_sink *sink, struct pipeline_summary *summary,
                           char *err, size_t errlen);

/* A pass without a capture: the caller hands it packets already decoded
 * (the reassembler's fuzz target makes them up); pass_feed() reads none.
 * The summary's frames and times follow the packets' own. */
struct pass *pass_open_decoded(const struct pipeline_options *opt, const struct event_sink *sink,
                               char *err, size_t errlen);
void pass_put_decoded(struct pass *p, const struct packet_view *pkt);

/* What the seed extractor watches besides the events: every decoded packet
 * before the reassembler or the datagram dissectors have it, and every run
 * of stream bytes and every gap before the stream dissectors. Any callback
 * may be NULL. */
struct pass_taps {
    void *ctx;
    void (*on_decoded)(void *ctx, const struct packet_view *pkt);
    void (*on_stream_data)(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                           const struct packet_view *pkt, bool segment_start);
    void (*on_stream_gap)(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                          const struct packet_view *pkt, bool cut);
};

/* Before the first packet. The pass picks its per-packet path here, so a
 * pass without taps does not test for them on every packet. */
void pass_set_taps(struct pass *p, const struct pass_taps *taps);

#endif
