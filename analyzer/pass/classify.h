/* Flow classification with nDPI: application protocol, category and nDPI's
 * risk flags, from each TCP connection's first packets only. */
#ifndef TLSDIAG_CLASSIFY_H
#define TLSDIAG_CLASSIFY_H

#include "tcp_reasm.h"

#define CLASSIFY_MAX_PACKETS 16   /* packets per flow nDPI gets to see */
/* Flows nDPI is working on at once. Each holds nDPI's flow state and its
 * TLS reassembly buffer (up to the 16 packets' payload, ~25 KB): flows
 * over it are counted and left unclassified. */
#define CLASSIFY_MAX_IN_PROGRESS 2048

struct flow_class {
    char protocol[64];    /* e.g. "TLS.Cisco" */
    char category[32];
    uint64_t risks;       /* bit i set: ndpi_risk_enum i */
    uint16_t packets_seen;
    bool final;
};

struct classifier;

struct classifier *classifier_new(void);
void classifier_free(struct classifier *cl);
void classifier_packet(struct classifier *cl, struct tcp_conn *c, const struct packet_view *pkt);
/* Settles the result (nDPI's best guess when it never decided). */
void classifier_finish(struct classifier *cl, struct tcp_conn *c);
/* NULL when the connection was never classified. */
const struct flow_class *classifier_result(const struct tcp_conn *c);
void classifier_release(struct classifier *cl, struct tcp_conn *c);
/* Flows left unclassified because CLASSIFY_MAX_IN_PROGRESS were in progress. */
uint64_t classifier_flows_skipped(const struct classifier *cl);
/* Name of nDPI risk bit i ("TLS Certificate Expired" ...). */
const char *classifier_risk_name(int bit);

#endif
