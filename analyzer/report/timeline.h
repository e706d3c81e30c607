/* A connection's story as rows in frame order: DNS, the TCP handshake,
 * CONNECT, each TLS message, alerts, the close, and what the capture kept
 * from view. Read from the report's facts only. The text view prints the
 * rows as a timeline; the HTML view draws them as a ladder, which is why
 * each row also says who sent it to whom and when. Private to
 * analyzer/report/. */
#ifndef TLSDIAG_TIMELINE_H
#define TLSDIAG_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* Who a row goes between. A connection through a proxy talks TCP and
 * CONNECT with the proxy, and TLS with the server through it. */
enum timeline_lane { LANE_DNS, LANE_CLIENT, LANE_PROXY, LANE_SERVER, LANE_COUNT };

struct timeline_entry {
    uint64_t frame;
    /* Milliseconds from the connection's first packet (negative: before
     * it, a DNS lookup); NAN when the facts do not time the frame. */
    double ms;
    /* from == to: a note on the connection (a capture hole, a limit),
     * not a message. */
    enum timeline_lane from, to;
    char what[16];
    char detail[160];
    int added;          /* the order rows were added in: ties of one frame keep it */
};

#define TIMELINE_MAX 48

struct timeline {
    struct timeline_entry e[TIMELINE_MAX];
    int n;
    double t0;          /* seconds since the epoch that ms counts from; 0: unknown */
};

/* An empty timeline whose times count from t0 (a connection's start_ts,
 * else the capture's; 0: unknown). */
void timeline_init(struct timeline *tl, double t0);

/* The capture's DNS lookups (capture_facts "dns.lookups") whose query frame
 * is at or after from_frame and before to_frame (0: no end), and, with conn
 * (a "connections" item; NULL: all), only its own lookups
 * (report_lookup_of_connection()). */
void timeline_add_dns(struct timeline *tl, const cJSON *capture_facts, double from_frame, double to_frame,
                      const cJSON *conn);

/* Connections that never got past their SYN ("failed_connects"), in the
 * same frame range; those that are also one of conns (a "connections"
 * array, drawn on their own; NULL: none) are left out. */
void timeline_add_failed_connects(struct timeline *tl, const cJSON *capture_facts, double from_frame,
                                  double to_frame, const cJSON *conns);

/* Everything one connection's facts (a "connections" item) tell. */
void timeline_add_conn(struct timeline *tl, const cJSON *conn);

/* In frame order; rows of one frame keep the order they were added in. */
void timeline_sort(struct timeline *tl);

/* "NAME (0xc030)", or "0x1234" for a suite without a name. */
void report_suite_text(uint16_t id, char *buf, size_t len);

#endif
