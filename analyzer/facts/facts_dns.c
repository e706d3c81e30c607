/* DNS lookups of targets and revocation hosts: each query and its answer as
 * one entry of the facts, and every address answered remembered with its
 * name (facts_names.c). Other lookups are only counted. */
#include "facts_internal.h"
#include "addr.h"
#include "json_build.h"
#include "timestamp.h"

#include <stdio.h>
#include <string.h>

/* The latest unanswered query the response answers (same id, name, type). */
static struct pending_lookup *find_pending_lookup(struct facts_builder *fb, const struct dns_message *m)
{
    for (uint32_t i = fb->lookup_count; i-- > 0;) {
        struct pending_lookup *l = &fb->lookup_index[i];
        if (!l->answered && l->id == m->id && l->qtype == m->qtype && !strcmp(l->name, m->qname))
            return l;
    }
    return NULL;
}

/* The answers as text; *listed: how many. */
static cJSON *answers_json(const struct dns_message *m, uint8_t *listed)
{
    cJSON *arr = cJSON_CreateArray();
    *listed = 0;
    for (int i = 0; i < m->answers_kept; i++) {
        const struct dns_answer *a = &m->answers[i];
        char text[DNS_NAME_MAX + 16];
        if (a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA)
            addr_format(a->type == DNS_TYPE_A ? 4 : 6, a->addr, false, text, sizeof text);
        else if (a->target[0])
            snprintf(text, sizeof text, "%s %s", dns_type_name(a->type), a->target);
        else
            continue;
        cJSON_AddItemToArray(arr, cJSON_CreateString(text));
        ++*listed;
    }
    return arr;
}

void on_dns(struct facts_builder *fb, const struct event *ev)
{
    const struct dns_message *m = ev->u.dns->msg;
    if (m->is_response && m->rcode == 0)
        remember_answers(fb, m);
    bool relevant = is_target_name(fb, m->qname) || is_revocation_name(fb, m->qname);
    if (!relevant) {
        record_other_lookup(fb, ev);
        if (m->is_response) {
            fb->other_lookups++;
            if (m->rcode)
                fb->other_failed_lookups++;
        }
        return;
    }
    struct pending_lookup *pending = m->is_response ? find_pending_lookup(fb, m) : NULL;
    if (!pending) {
        if (fb->lookup_count >= FACTS_MAX_LOOKUPS)
            return;
        cJSON *entry = cJSON_CreateObject();
        json_add_string(entry, "name", m->qname);
        json_add_u64(entry, "qtype", m->qtype);
        json_add_string(entry, "qtype_name", dns_type_name(m->qtype));
        json_add_u64(entry, "id", m->id);
        bool of_target = is_target_name(fb, m->qname);
        json_add_string(entry, "role", of_target ? "target" : "revocation");
        if (!m->is_response) {
            json_add_u64(entry, "query_frame", ev->frame);
            json_add_number(entry, "query_ts_ns", (double)ev->ts_ns);
        }
        cJSON_AddItemToArray(fb->lookups, entry);
        pending = &fb->lookup_index[fb->lookup_count++];
        *pending = (struct pending_lookup){ .id = m->id, .qtype = m->qtype, .of_target = of_target,
                                            .name = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "name")),
                                            .entry = entry, .query_seen = !m->is_response, .query_ts_ns = ev->ts_ns,
                                            .query_frame = ev->frame, .server_ip_version = ev->u.dns->ip_version };
        memcpy(pending->server, m->is_response ? ev->u.dns->src : ev->u.dns->dst, sizeof pending->server);
    }
    if (!m->is_response)
        return;
    pending->answered = true;
    pending->rcode = m->rcode;
    pending->response_frame = ev->frame;
    cJSON *entry = pending->entry;
    json_add_u64(entry, "response_frame", ev->frame);
    json_add_u64(entry, "rcode", m->rcode);
    json_add_string(entry, "rcode_name", dns_rcode_name(m->rcode));
    json_add(entry, "answers", answers_json(m, &pending->answers_listed));
    pending->response_cut = ev->u.dns->cut;
    if (pending->response_cut)
        json_add_bool(entry, "response_cut", true);
    if (pending->query_seen)
        json_add_ms(entry, "rtt_ms", timestamp_between(ev->ts_ns, pending->query_ts_ns));
}
