/* Per-connection facts: the events of one pass folded into one record per
 * connection to a target server, plus what the capture shows around them
 * (DNS lookups, failed connection attempts, revocation checks).
 *
 * The facts are JSON (cJSON) in the shape documented by
 * analyzer/report/report.schema.json, because rules and reports read them as data;
 * while the pass runs, a connection is a plain record (counters, the hellos
 * of hello_facts.h, its certificates as bytes), made JSON only if it is
 * still kept when the capture ends. Only connections that matter are kept:
 * those to a target (by SNI, CONNECT target or a DNS answer for the server
 * address, or by the server's address itself), or, when no connection
 * matches any target, the TLS connections seen, so the tool still works as
 * a generic TLS failure finder.
 */
#ifndef TLSDIAG_FACTS_H
#define TLSDIAG_FACTS_H

#include <cjson/cJSON.h>
#include "events.h"
#include "key_sources.h"
#include "pipeline.h"

/* Connection facts kept, of targets (or, when none matched, of every TLS
 * connection): the first 32 and the latest 96 failed ones, and the same of
 * the others. */
#define FACTS_MAX_KEPT_CONNS 256
#define FACTS_MAX_DNS_NAMES 4096      /* name -> address entries remembered */
#define FACTS_MAX_LOOKUPS 256         /* DNS lookups kept for the report */
#define FACTS_MAX_FAILED_CONNECTS 64

struct facts_options {
    /* Targets (see facts_host_valid): name patterns (glob, case-insensitive)
     * matched against a connection's SNI, CONNECT target, HTTP Host or DNS
     * name; IP addresses and prefixes matched against the server's address
     * (and an address-literal CONNECT target); "*" every TLS connection. */
    const char *const *hosts;
    size_t host_count;
    bool hosts_from_user;              /* --host: no fallback to every TLS connection */
    const char *const *profile_hosts;  /* the subset that came from the rule profile */
    size_t profile_host_count;
    const char *const *revocation_hosts;
    size_t revocation_host_count;
    const uint16_t *proxy_ports;       /* ports where a failed connect means "proxy unreachable" */
    size_t proxy_port_count;
    /* Open (not yet closed) connections with TLS, CONNECT or HTTP facts at
     * once; the ones over it are counted (reading_losses.connections_without_facts).
     * 0: PIPELINE_DEFAULT_OPEN_TLS_FACTS. */
    uint32_t max_open_tls_facts;
    /* The capture's key log and where its lines came from (NULL or no
     * store: no decryption facts at all). Must outlive facts_finish(). */
    const struct capture_keys *keys;
};

struct facts_builder;

struct facts_builder *facts_new(const struct facts_options *opt);
void facts_free(struct facts_builder *fb);

/* The event sink (struct event_sink.emit); ctx is the facts_builder. */
void facts_on_event(void *ctx, const struct event *ev);

/* After the pass: the capture's facts object, including "connections".
 * Ownership passes to the caller. */
cJSON *facts_finish(struct facts_builder *fb, const struct pipeline_summary *summary);

/* True when name matches one of the glob patterns (case-insensitive). */
bool facts_host_matches(const char *name, const char *const *patterns, size_t count);

/* Whether text is a usable target: an IPv4 or IPv6 address ("[v6]" too),
 * a prefix ADDRESS/BITS (192.0.2.0/24, 2001:db8::/32), or else a name
 * pattern with * and ? ("*" alone: every TLS connection, named or not).
 * When not (an empty text, a prefix that is not ADDRESS/BITS, too many
 * bits), why says so in one line. */
bool facts_host_valid(const char *text, char *why, size_t whylen);

#endif
