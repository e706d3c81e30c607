/* One pass over one capture: capture -> link/IP -> TCP reassembly -> stream
 * dissectors -> events, delivered to a consumer sink. */
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
    bool damaged_tail;
    char damage[256];             /* why the tail is unreadable */
    char format[48];
    struct reasm_stats reasm;
    struct stream_stats streams;
    uint64_t ipfrag_completed, ipfrag_dropped;
    uint64_t flows_not_classified;  /* over the classifier's in-progress cap */
};

void pipeline_default_options(struct pipeline_options *opt);

/* Returns 0 when the capture was read (perhaps with a damaged tail), 2 when
 * it cannot be used; err then holds a one-line reason. */
int pipeline_run(const char *path, const struct pipeline_options *opt, const struct event_sink *consumer,
                 struct pipeline_summary *summary, char *err, size_t errlen);

#endif
