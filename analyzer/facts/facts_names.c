/* The server name of an address, from the A and AAAA answers seen, and
 * which names and addresses are targets or revocation hosts. */
#include "facts_internal.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t addr_hash(const uint8_t *addr, uint8_t v)
{
    uint32_t h = 2166136261u ^ v;
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    return h;
}

static struct lookup_slot *name_slot(const struct facts_builder *fb, const uint8_t *addr, uint8_t v, bool insert)
{
    uint32_t mask = FACTS_MAX_DNS_NAMES - 1;
    uint32_t i = addr_hash(addr, v) & mask;
    for (uint32_t probes = 0; probes < FACTS_MAX_DNS_NAMES; probes++, i = (i + 1) & mask) {
        struct lookup_slot *s = &fb->names[i];
        if (s->ip_version == 0)
            return insert ? s : NULL;
        if (s->ip_version == v && memcmp(s->addr, addr, 16) == 0)
            return s;
    }
    /* Full: the newest answer replaces whatever sits in its first slot. */
    return insert ? &fb->names[addr_hash(addr, v) & mask] : NULL;
}

const char *name_for_addr(const struct facts_builder *fb, const uint8_t *addr, uint8_t ip_version)
{
    struct lookup_slot *s = name_slot(fb, addr, ip_version, false);
    return s ? s->name : NULL;
}

void remember_answers(struct facts_builder *fb, const struct dns_message *m)
{
    for (int i = 0; i < m->answers_kept; i++) {
        const struct dns_answer *a = &m->answers[i];
        if (a->type != DNS_TYPE_A && a->type != DNS_TYPE_AAAA)
            continue;
        uint8_t v = a->type == DNS_TYPE_A ? 4 : 6;
        uint8_t addr[16] = { 0 };
        memcpy(addr, a->addr, v == 4 ? 4 : 16);
        struct lookup_slot *s = name_slot(fb, addr, v, true);
        if (s->ip_version == 0)
            fb->name_count++;
        s->ip_version = v;
        memcpy(s->addr, addr, 16);
        snprintf(s->name, sizeof s->name, "%s", m->qname);
    }
}

bool facts_host_matches(const char *name, const char *const *patterns, size_t count)
{
    if (!name || !*name)
        return false;
    for (size_t i = 0; i < count; i++)
        if (fnmatch(patterns[i], name, FNM_CASEFOLD) == 0)
            return true;
    return false;
}

/* ---- targets by address ---- */

enum host_form { HOST_NAME, HOST_ADDRESS, HOST_INVALID };

/* An address literal, "[v6]" too. */
static bool parse_address(const char *text, size_t len, struct addr_target *out)
{
    char buf[INET6_ADDRSTRLEN + 2];
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
        text++, len -= 2;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = 0;
    memset(out->addr, 0, sizeof out->addr);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->ip_version = 4;
        out->bits = 32;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->ip_version = 6;
        out->bits = 128;
        return true;
    }
    return false;
}

/* What a --host value is: an address or prefix (into out), a name
 * pattern, or neither (why says so). */
static enum host_form host_form(const char *text, struct addr_target *out, char *why, size_t whylen)
{
    size_t len = strlen(text);
    const char *slash = strchr(text, '/');
    if (len == 0) {
        snprintf(why, whylen, "'': an empty name matches nothing (\"*\" is every TLS connection)");
        return HOST_INVALID;
    }
    if (!slash)
        return parse_address(text, len, out) ? HOST_ADDRESS : HOST_NAME;
    if (!parse_address(text, (size_t)(slash - text), out)) {
        snprintf(why, whylen, "'%.200s': a prefix is ADDRESS/BITS, e.g. 192.0.2.0/24 or 2001:db8::/32", text);
        return HOST_INVALID;
    }
    char *end;
    unsigned long bits = strtoul(slash + 1, &end, 10);
    if (!slash[1] || *end || slash[1] == '-' || slash[1] == '+' || bits > out->bits) {
        snprintf(why, whylen, "'%.200s': the prefix length must be a number from 0 to %u", text, out->bits);
        return HOST_INVALID;
    }
    out->bits = (uint8_t)bits;
    return HOST_ADDRESS;
}

bool facts_host_valid(const char *text, char *why, size_t whylen)
{
    struct addr_target ignored;
    return host_form(text, &ignored, why, whylen) != HOST_INVALID;
}

/* A pattern of stars alone matches any name; as a target it is every TLS
 * connection, those without a name too. */
static bool every_name(const char *pattern)
{
    return *pattern && strspn(pattern, "*") == strlen(pattern);
}

bool targets_init(struct facts_builder *fb)
{
    fb->addr_targets = calloc(fb->opt.host_count ? fb->opt.host_count : 1, sizeof *fb->addr_targets);
    if (!fb->addr_targets)
        return false;
    for (size_t i = 0; i < fb->opt.host_count; i++) {
        char why[8];
        struct addr_target *t = &fb->addr_targets[fb->addr_target_count];
        if (host_form(fb->opt.hosts[i], t, why, sizeof why) == HOST_ADDRESS)
            fb->addr_target_count++;
        else if (every_name(fb->opt.hosts[i]))
            fb->every_tls_target = true;
    }
    return true;
}

static bool in_prefix(const struct addr_target *t, uint8_t ip_version, const uint8_t *addr)
{
    if (t->ip_version != ip_version)
        return false;
    size_t whole = t->bits / 8, rest = t->bits % 8;
    if (memcmp(t->addr, addr, whole) != 0)
        return false;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return rest == 0 || ((t->addr[whole] ^ addr[whole]) & mask) == 0;
}

bool is_target_addr(const struct facts_builder *fb, uint8_t ip_version, const uint8_t *addr)
{
    for (size_t i = 0; i < fb->addr_target_count; i++)
        if (in_prefix(&fb->addr_targets[i], ip_version, addr))
            return true;
    return false;
}

bool is_target_name(const struct facts_builder *fb, const char *name)
{
    if (facts_host_matches(name, fb->opt.hosts, fb->opt.host_count))
        return true;
    /* An address literal where a name goes (a CONNECT to an address). */
    struct addr_target literal;
    return name && fb->addr_target_count && parse_address(name, strlen(name), &literal) &&
           is_target_addr(fb, literal.ip_version, literal.addr);
}

bool is_revocation_name(const struct facts_builder *fb, const char *name)
{
    return facts_host_matches(name, fb->opt.revocation_hosts, fb->opt.revocation_host_count);
}
