/* The rows of a connection's story (timeline.h), from the report's facts. */
#include "timeline.h"
#include "report.h"
#include "report_path.h"
#include "tls_names.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void timeline_init(struct timeline *tl, double t0)
{
    tl->n = 0;
    tl->t0 = t0;
}

static void tl_add(struct timeline *tl, double frame, double ms, enum timeline_lane from, enum timeline_lane to,
                   const char *what, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void tl_add(struct timeline *tl, double frame, double ms, enum timeline_lane from, enum timeline_lane to,
                   const char *what, const char *fmt, ...)
{
    if (frame <= 0 || tl->n == TIMELINE_MAX)
        return;
    struct timeline_entry *e = &tl->e[tl->n];
    e->added = tl->n++;
    e->frame = (uint64_t)frame;
    e->ms = ms;
    e->from = from;
    e->to = to;
    snprintf(e->what, sizeof e->what, "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

/* A *time_ms fact; NAN when the facts do not have it. */
static double ms_of(const cJSON *o, const char *path)
{
    return num(o, path, NAN);
}

/* A moment given in seconds since the epoch, on the timeline's clock. */
static double ms_since_t0(const struct timeline *tl, double epoch_s)
{
    return tl->t0 > 0 && epoch_s > 0 ? (epoch_s - tl->t0) * 1000.0 : NAN;
}

static bool in_range(double frame, double from_frame, double to_frame)
{
    return frame >= from_frame && (to_frame <= 0 || frame < to_frame);
}

void report_suite_text(uint16_t id, char *buf, size_t len)
{
    const char *name = tls_cipher_suite_name(id);
    if (name)
        snprintf(buf, len, "%s (0x%04x)", name, id);
    else
        snprintf(buf, len, "0x%04x", id);
}

void timeline_add_dns(struct timeline *tl, const cJSON *capture_facts, double from_frame, double to_frame,
                      const cJSON *conn)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, rules_get(capture_facts, "dns.lookups")) {
        if (!in_range(num(l, "query_frame", 0), from_frame, to_frame))
            continue;
        if (conn && !report_lookup_of_connection(capture_facts, conn, l))
            continue;
        const char *name = str(l, "name");
        double query_ms = ms_since_t0(tl, num(l, "query_ts_ns", 0) / 1e9);
        tl_add(tl, num(l, "query_frame", 0), query_ms, LANE_CLIENT, LANE_DNS, "DNS query", "%s %s",
               str(l, "qtype_name") ? str(l, "qtype_name") : "", name ? name : "");
        const cJSON *answers = cJSON_GetObjectItem(l, "answers");
        char first[64] = "";
        if (cJSON_GetArraySize(answers) > 0)
            snprintf(first, sizeof first, " %s", cJSON_GetArrayItem(answers, 0)->valuestring);
        else if (cJSON_IsTrue(cJSON_GetObjectItem(l, "response_cut")))
            snprintf(first, sizeof first, " (answers cut off by the snapshot length)");
        else if (num(l, "rcode", -1) == 0)
            snprintf(first, sizeof first, ", no %s record", str(l, "qtype_name") ? str(l, "qtype_name") : "");
        tl_add(tl, num(l, "response_frame", 0), query_ms + num(l, "rtt_ms", NAN), LANE_DNS, LANE_CLIENT,
               "DNS answer", "%s%s for %s", str(l, "rcode_name") ? str(l, "rcode_name") : "?", first,
               name ? name : "");
    }
}

static bool syn_of_one(const cJSON *conns, double syn_frame)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, conns)
        if (num(c, "tcp.syn_frame", 0) == syn_frame)
            return true;
    return false;
}

void timeline_add_failed_connects(struct timeline *tl, const cJSON *capture_facts, double from_frame,
                                  double to_frame, const cJSON *conns)
{
    const cJSON *fc;
    cJSON_ArrayForEach(fc, cJSON_GetObjectItem(capture_facts, "failed_connects")) {
        double syn = num(fc, "syn_frame", 0);
        if (in_range(syn, from_frame, to_frame) && !syn_of_one(conns, syn))
            tl_add(tl, syn, NAN, LANE_CLIENT, LANE_SERVER, "SYN", "to %s: %s", str(fc, "server"), str(fc, "result"));
    }
}

/* The TLS messages go between the client and the server, through the
 * proxy's tunnel when there is one. */
static void add_tls(struct timeline *tl, const cJSON *tls)
{
    const cJSON *ch = cJSON_GetObjectItem(tls, "client_hello");
    if (ch) {
        /* Signalling values and GREASE ride in the list; they are not suites. */
        int suites = 0, signals = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, rules_get(ch, "cipher_suites")) {
            /* SSLv2 hellos list 3-byte cipher specs: not a TLS suite's 16 bits. */
            if (cJSON_IsNumber(s) && s->valuedouble >= 0 && s->valuedouble <= 0xFFFF &&
                tls_suite_is_signal((uint16_t)s->valuedouble))
                signals++;
            else
                suites++;
        }
        char extra[48] = "";
        if (signals)
            snprintf(extra, sizeof extra, " (+%d SCSV/GREASE)", signals);
        tl_add(tl, num(ch, "frame", 0), ms_of(ch, "time_ms"), LANE_CLIENT, LANE_SERVER, "Client Hello",
               "%s, SNI %s, %d suites offered%s", str(ch, "max_version_name") ? str(ch, "max_version_name") : "?",
               str(ch, "sni") ? str(ch, "sni") : "(none)", suites, extra);
    }
    const cJSON *hrr = cJSON_GetObjectItem(tls, "hello_retry_request");
    if (hrr)
        tl_add(tl, num(hrr, "frame", 0), ms_of(hrr, "time_ms"), LANE_SERVER, LANE_CLIENT, "Retry Request",
               "the server asks for another key share");
    const cJSON *sh = cJSON_GetObjectItem(tls, "server_hello");
    if (sh) {
        char suite[96];
        report_suite_text((uint16_t)num(sh, "cipher_suite", 0), suite, sizeof suite);
        tl_add(tl, num(sh, "frame", 0), ms_of(sh, "time_ms"), LANE_SERVER, LANE_CLIENT, "Server Hello",
               "%s, %s chosen", str(sh, "version_name") ? str(sh, "version_name") : "?", suite);
    }
    const cJSON *cert = cJSON_GetObjectItem(tls, "certificate");
    if (cert) {
        const cJSON *leaf = cJSON_GetArrayItem(cJSON_GetObjectItem(cert, "chain"), 0);
        bool expired = cJSON_IsTrue(cJSON_GetObjectItem(cert, "leaf_expired"));
        tl_add(tl, num(cert, "frame", 0), ms_of(cert, "time_ms"), LANE_SERVER, LANE_CLIENT, "Certificate",
               "%d cert(s): %s, issued by %s%s%s", (int)num(cert, "count", 0), leaf ? str(leaf, "subject_cn") : "?",
               leaf ? str(leaf, "issuer_cn") : "?", expired ? ", EXPIRED " : "",
               expired && leaf ? str(leaf, "not_after") : "");
    }
    const cJSON *hs = cJSON_GetObjectItem(tls, "encrypted_handshake");
    if (num(hs, "s2c_records", 0) > 0)
        tl_add(tl, num(hs, "s2c_first_frame", 0), ms_of(hs, "s2c_first_time_ms"), LANE_SERVER, LANE_CLIENT,
               "Handshake", "encrypted handshake, %.0f bytes from the server", num(hs, "s2c_bytes", 0));
    if (num(hs, "c2s_records", 0) > 0)
        tl_add(tl, num(hs, "c2s_first_frame", 0), ms_of(hs, "c2s_first_time_ms"), LANE_CLIENT, LANE_SERVER,
               "Handshake", "encrypted handshake, %.0f bytes from the client", num(hs, "c2s_bytes", 0));
    const cJSON *tickets = cJSON_GetObjectItem(tls, "likely_tickets");
    if (tickets)
        tl_add(tl, num(tickets, "s2c_first_frame", 0), ms_of(tickets, "s2c_first_time_ms"), LANE_SERVER,
               LANE_CLIENT, "Tickets", "%.0f records, %.0f bytes (likely session tickets)",
               num(tickets, "s2c_records", 0), num(tickets, "s2c_bytes", 0));
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(tls, "alerts")) {
        const char *sender = str(a, "sender");
        bool by_client = sender && !strcmp(sender, "client");
        enum timeline_lane from = by_client ? LANE_CLIENT : LANE_SERVER, to = by_client ? LANE_SERVER : LANE_CLIENT;
        double frame = num(a, "frame", 0), ms = ms_of(a, "time_ms");
        if (cJSON_IsTrue(cJSON_GetObjectItem(a, "likely")))
            tl_add(tl, frame, ms, from, to, "Alert", "encrypted alert (likely) from the %s, %.0f bytes", sender,
                   num(a, "record_length", 0));
        else if (cJSON_IsTrue(cJSON_GetObjectItem(a, "encrypted")))
            tl_add(tl, frame, ms, from, to, "Alert", "encrypted, from the %s", sender);
        else if (str(a, "after"))
            tl_add(tl, frame, ms, from, to, "Alert", "%s %s (%d) from the %s, %.1f ms after %s", str(a, "level_name"),
                   str(a, "description_name"), (int)num(a, "description", 0), sender, num(a, "ms_after", 0),
                   str(a, "after"));
        else /* nothing before it in the capture to time it from */
            tl_add(tl, frame, ms, from, to, "Alert", "%s %s (%d) from the %s", str(a, "level_name"),
                   str(a, "description_name"), (int)num(a, "description", 0), sender);
    }
    const cJSON *app = cJSON_GetObjectItem(tls, "app_data");
    if (num(app, "s2c_records", 0) > 0)
        tl_add(tl, num(app, "s2c_first_frame", 0), ms_of(app, "s2c_first_time_ms"), LANE_SERVER, LANE_CLIENT,
               "App data", "%.0f bytes to the client, %.0f to the server", num(app, "s2c_bytes", 0),
               num(app, "c2s_bytes", 0));
}

void timeline_add_conn(struct timeline *tl, const cJSON *conn)
{
    const cJSON *tcp = cJSON_GetObjectItem(conn, "tcp");
    const cJSON *proxy = cJSON_GetObjectItem(conn, "proxy");
    /* TCP's other end: the proxy, when the connection goes through one. */
    enum timeline_lane peer = proxy ? LANE_PROXY : LANE_SERVER;
    if (cJSON_IsTrue(cJSON_GetObjectItem(tcp, "open_at_capture_start")))
        tl_add(tl, num(conn, "first_frame", 0), 0, LANE_CLIENT, LANE_CLIENT, "First packet",
               "the connection was already open at capture start (no SYN or SYN-ACK in the capture)");
    int syns = (int)num(tcp, "syn_count", 0);
    tl_add(tl, num(tcp, "syn_frame", 0), ms_of(tcp, "syn_time_ms"), LANE_CLIENT, peer, "SYN", "to %s%s",
           str(conn, "server"), syns > 1 ? " (retransmitted)" : "");
    tl_add(tl, num(tcp, "synack_frame", 0), ms_of(tcp, "synack_time_ms"), peer, LANE_CLIENT, "SYN-ACK",
           "connected");
    if (proxy) {
        tl_add(tl, num(proxy, "request_frame", 0), ms_of(proxy, "request_time_ms"), LANE_CLIENT, LANE_PROXY,
               "CONNECT", "%s%s", str(proxy, "target"),
               cJSON_IsTrue(cJSON_GetObjectItem(proxy, "authorization_sent")) ? " with credentials" : "");
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(proxy, "responses")) {
            bool last = num(r, "frame", 0) == num(proxy, "response_frame", -1) && str(proxy, "reason");
            tl_add(tl, num(r, "frame", 0), ms_of(r, "time_ms"), LANE_PROXY, LANE_CLIENT, "Proxy answer", "%d%s%s",
                   (int)num(r, "status", 0), last ? " " : "", last ? str(proxy, "reason") : "");
        }
    }
    add_tls(tl, cJSON_GetObjectItem(conn, "tls"));
    /* What the capture or a limit kept from view: the facts after it may be partial. */
    if (num(tcp, "first_gap_frame", 0))
        tl_add(tl, num(tcp, "first_gap_frame", 0), NAN, LANE_CLIENT, LANE_CLIENT, "Capture gap",
               "%.0f bytes never captured (%.0f hole%s)", num(tcp, "gap_bytes", 0), num(tcp, "gaps", 0),
               num(tcp, "gaps", 0) == 1 ? "" : "s");
    if (num(tcp, "reassembly_limit_frame", 0))
        tl_add(tl, num(tcp, "reassembly_limit_frame", 0), NAN, LANE_CLIENT, LANE_CLIENT, "Limit hit",
               "out-of-order data over --max-ooo-bytes or --max-ooo-segments; the hole is taken as a gap");
    const cJSON *problem;
    cJSON_ArrayForEach(problem, cJSON_GetObjectItem(cJSON_GetObjectItem(conn, "tls"), "problems")) {
        bool limit = !strcmp(str(problem, "kind") ? str(problem, "kind") : "", "limit");
        tl_add(tl, num(problem, "frame", 0), NAN, LANE_CLIENT, LANE_CLIENT, limit ? "Limit hit" : "Malformed", "%s%s",
               str(problem, "what"), limit ? " (see --help for the limit options)" : "");
    }
    const cJSON *rst = cJSON_GetObjectItem(tcp, "rst");
    if (rst) {
        bool by_client = str(rst, "from") && !strcmp(str(rst, "from"), "client");
        tl_add(tl, num(rst, "frame", 0), ms_of(rst, "time_ms"), by_client ? LANE_CLIENT : peer,
               by_client ? peer : LANE_CLIENT, "RST", "from the %s", str(rst, "from"));
    }
    tl_add(tl, num(tcp, "fin_client_frame", 0), ms_of(tcp, "fin_client_time_ms"), LANE_CLIENT, peer, "FIN",
           "from the client");
    tl_add(tl, num(tcp, "fin_server_frame", 0), ms_of(tcp, "fin_server_time_ms"), peer, LANE_CLIENT, "FIN",
           "from the server");
}

/* Rows of one frame (a Server Hello and its Certificate) stay in the
 * order they were added in, whatever qsort does with equal keys. */
static int by_frame(const void *a, const void *b)
{
    const struct timeline_entry *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return (x->added > y->added) - (x->added < y->added);
}

void timeline_sort(struct timeline *tl)
{
    qsort(tl->e, (size_t)tl->n, sizeof tl->e[0], by_frame);
}
