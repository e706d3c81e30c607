/* The server name of an address, from the A and AAAA answers seen, and
 * which names are targets or revocation hosts. */
#include "facts_internal.h"

#include <fnmatch.h>
#include <stdio.h>
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

bool is_target_name(const struct facts_builder *fb, const char *name)
{
    return facts_host_matches(name, fb->opt.hosts, fb->opt.host_count);
}

bool is_revocation_name(const struct facts_builder *fb, const char *name)
{
    return facts_host_matches(name, fb->opt.revocation_hosts, fb->opt.revocation_host_count);
}
