/* See harness.h. */
#include "harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fingerprint.h"
#include "stream.h"

/* ---- in-memory file ---- */

int fuzz_memfile_write(struct fuzz_memfile *m, const uint8_t *data, size_t len)
{
    if (m->path[0] == 0) {
        m->fd = memfd_create("tlsdiag-fuzz", 0);
        if (m->fd < 0)
            return -1;
        snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
    }
    if (ftruncate(m->fd, 0) != 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(m->fd, data + done, len - done, (off_t)done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

FILE *fuzz_null_file(void)
{
    static FILE *null_file;
    if (!null_file)
        null_file = fopen("/dev/null", "w");
    return null_file;
}

uint64_t fuzz_touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t sum = 0;
    for (size_t i = 0; b && i < n; i++)
        sum = sum * 31 + b[i];
    return sum;
}

/* ---- the consumer ---- */

static uint64_t touch_list(const struct wire_list *l)
{
    uint64_t sum = 0;
    if (!l->present)
        return 0;
    for (uint32_t i = 0; i < l->count; i++)
        sum += wire_list_get(l, i);
    return sum;
}

static uint64_t touch_extensions(struct wire_bytes block)
{
    uint64_t sum = 0;
    struct cursor c = cursor_make(block.data, block.len);
    struct tls_extension ext;
    while (tls_next_extension(&c, &ext))
        sum += ext.type + fuzz_touch(ext.data.data, ext.data.len);
    return sum;
}

static uint64_t touch_client_hello(const struct tls_client_hello *ch)
{
    uint64_t sum = fuzz_touch(ch->random.data, ch->random.len) +
                   fuzz_touch(ch->session_id.data, ch->session_id.len) +
                   touch_list(&ch->cipher_suites) + touch_list(&ch->compression_methods) +
                   touch_list(&ch->supported_versions) + touch_list(&ch->supported_groups) +
                   touch_list(&ch->signature_algorithms) + touch_list(&ch->ec_point_formats);
    if (ch->has_sni)
        sum += fuzz_touch(ch->sni.data, ch->sni.len);
    if (ch->has_alpn)
        sum += fuzz_touch(ch->alpn.data, ch->alpn.len);
    if (ch->has_extensions)
        sum += touch_extensions(ch->extensions);
    char raw[8192];
    fingerprint_ja4_raw(ch, raw, sizeof raw);
    return sum + strlen(raw);
}

static uint64_t touch_server_hello(const struct tls_server_hello *sh)
{
    uint64_t sum = fuzz_touch(sh->random.data, sh->random.len) +
                   fuzz_touch(sh->session_id.data, sh->session_id.len);
    if (sh->has_alpn)
        sum += fuzz_touch(sh->alpn.data, sh->alpn.len);
    if (sh->has_extensions)
        sum += touch_extensions(sh->extensions);
    return sum;
}

static uint64_t touch_bytes(struct wire_bytes b) { return fuzz_touch(b.data, b.len); }

static uint64_t touch_event(const struct event *ev)
{
    switch (ev->type) {
    case EV_CLIENT_HELLO: return touch_client_hello(ev->u.client_hello);
    case EV_SERVER_HELLO: return touch_server_hello(ev->u.server_hello);
    case EV_CERTIFICATE: return fuzz_touch(ev->u.certificate->body, ev->u.certificate->len);
    case EV_TLS_MALFORMED:
    case EV_TLS_LIMIT: return strlen(ev->u.problem);
    case EV_CONNECT_REQUEST: {
        const struct http_request *r = ev->u.connect_request;
        return touch_bytes(r->method) + touch_bytes(r->target) + touch_bytes(r->host) +
               touch_bytes(r->user_agent) + touch_bytes(r->proxy_authorization_scheme);
    }
    case EV_CONNECT_RESPONSE: {
        const struct http_response *r = ev->u.connect_response;
        uint64_t sum = touch_bytes(r->reason) + touch_bytes(r->via) +
                       touch_bytes(r->proxy_error) + touch_bytes(r->server);
        for (int i = 0; i < r->auth_scheme_count; i++)
            sum += touch_bytes(r->auth_schemes[i]);
        return sum;
    }
    case EV_DNS: {
        const struct dns_message *m = ev->u.dns->msg;
        uint64_t sum = strlen(m->qname);
        for (int i = 0; i < m->answers_kept; i++)
            sum += strlen(m->answers[i].name) + strlen(m->answers[i].target);
        return sum + fuzz_touch(ev->u.dns->src, 16) + fuzz_touch(ev->u.dns->dst, 16);
    }
    case EV_NOT_TLS: return ev->u.not_tls->kind + fuzz_touch(ev->u.not_tls->bytes, ev->u.not_tls->len);
    case EV_CONN_END:
        return strlen(stream_kind_name(ev->conn)) + (stream_tls_session(ev->conn) != NULL);
    default:
        return 0;
    }
}

/* The facts builder, made the first time it is wanted. */
static struct facts_builder *consumer_facts(struct fuzz_consumer *c)
{
    if (c->with_facts && !c->facts) {
        /* No target names: every TLS connection is kept, as in a generic
         * run; a proxy port makes failed connects take the proxy branch too. */
        static const uint16_t proxy_ports[] = { 3128, 8080 };
        static const char *const revocation_hosts[] = { "*.ocsp.example", "crl.example.com" };
        struct facts_options fo = { .revocation_hosts = revocation_hosts, .revocation_host_count = 2,
                                    .proxy_ports = proxy_ports, .proxy_port_count = 2 };
        c->facts = facts_new(&fo);
    }
    return c->facts;
}

static void consumer_emit(void *ctx, const struct event *ev)
{
    struct fuzz_consumer *c = ctx;
    c->checksum += touch_event(ev);
    events_writer_emit(&c->writer, ev);
    struct facts_builder *facts = consumer_facts(c);
    if (facts)
        facts_on_event(facts, ev);
}

void fuzz_consumer_init(struct fuzz_consumer *c, bool with_facts)
{
    memset(c, 0, sizeof *c);
    events_writer_init(&c->writer, fuzz_null_file());
    c->with_facts = with_facts;
    c->sink.ctx = c;
    c->sink.emit = consumer_emit;
}

void fuzz_consumer_finish(struct fuzz_consumer *c, const struct pipeline_summary *summary)
{
    if (!summary) {
        facts_free(c->facts);
        c->facts = NULL;
        return;
    }
    if (!consumer_facts(c))
        return;
    cJSON *facts = facts_finish(c->facts, summary);
    char *text = cJSON_PrintUnformatted(facts);
    c->checksum += text ? strlen(text) : 0;
    free(text);
    cJSON_Delete(facts);
    facts_free(c->facts);
    c->facts = NULL;
}
