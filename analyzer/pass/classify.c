#include "classify.h"

#include <ndpi/ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct classifier {
    struct ndpi_detection_module_struct *ndpi;
    uint32_t in_progress;          /* flows holding nDPI state */
    uint64_t skipped;
};

/* The public result comes first so classifier_result() needs no module. */
struct flow_state {
    struct flow_class result;
    struct ndpi_flow_struct *flow; /* NULL once settled, or when skipped */
    ndpi_protocol proto;
    bool skipped;                  /* over CLASSIFY_MAX_IN_PROGRESS: never classified */
};

struct classifier *classifier_new(void)
{
    struct classifier *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (!cl->ndpi) {
        free(cl);
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(cl->ndpi, &all);
    ndpi_finalize_initialization(cl->ndpi);
    return cl;
}

void classifier_free(struct classifier *cl)
{
    if (!cl)
        return;
    ndpi_exit_detection_module(cl->ndpi);
    free(cl);
}

static void settle(struct classifier *cl, struct flow_state *fs)
{
    if (fs->result.final || fs->skipped)
        return;
    if (fs->proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
        uint8_t guessed = 0;
        fs->proto = ndpi_detection_giveup(cl->ndpi, fs->flow, 1, &guessed);
    }
    ndpi_protocol2name(cl->ndpi, fs->proto, fs->result.protocol, sizeof fs->result.protocol);
    snprintf(fs->result.category, sizeof fs->result.category, "%s",
             ndpi_category_get_name(cl->ndpi, fs->proto.category));
    fs->result.risks = fs->flow->risk;
    fs->result.final = true;
    /* The verdict is kept; nDPI's large per-flow state is not. */
    ndpi_free_flow(fs->flow);
    fs->flow = NULL;
    cl->in_progress--;
}

void classifier_packet(struct classifier *cl, struct tcp_conn *c, const struct packet_view *pkt)
{
    struct flow_state *fs = c->classifier;
    if (!fs) {
        fs = calloc(1, sizeof *fs);
        if (!fs)
            return;
        c->classifier = fs;
        if (cl->in_progress >= CLASSIFY_MAX_IN_PROGRESS) {
            fs->skipped = true;
            cl->skipped++;
            return;
        }
        fs->flow = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
        if (!fs->flow) {
            fs->skipped = true;
            cl->skipped++;
            return;
        }
        memset(fs->flow, 0, SIZEOF_FLOW_STRUCT);
        cl->in_progress++;
    }
    if (fs->result.final || fs->skipped || pkt->from_fragments || !pkt->ip_header || pkt->ip_len > 0xFFFF)
        return;
    fs->proto = ndpi_detection_process_packet(cl->ndpi, fs->flow, pkt->ip_header,
                                              (unsigned short)pkt->ip_len,
                                              (uint64_t)(pkt->ts_ns / 1000000));
    fs->result.packets_seen++;
    bool decided = fs->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN &&
                   !ndpi_extra_dissection_possible(cl->ndpi, fs->flow);
    if (decided || fs->result.packets_seen >= CLASSIFY_MAX_PACKETS)
        settle(cl, fs);
}

void classifier_finish(struct classifier *cl, struct tcp_conn *c)
{
    if (c->classifier)
        settle(cl, c->classifier);
}

const struct flow_class *classifier_result(const struct tcp_conn *c)
{
    const struct flow_state *fs = c->classifier;
    return fs && fs->result.final ? &fs->result : NULL;
}

void classifier_release(struct classifier *cl, struct tcp_conn *c)
{
    struct flow_state *fs = c->classifier;
    if (!fs)
        return;
    if (fs->flow) {
        ndpi_free_flow(fs->flow);
        cl->in_progress--;
    }
    free(fs);
    c->classifier = NULL;
}

uint64_t classifier_flows_skipped(const struct classifier *cl)
{
    return cl->skipped;
}

const char *classifier_risk_name(int bit)
{
    if (bit < 0 || bit >= NDPI_MAX_RISK)
        return "?";
    return ndpi_risk2str((ndpi_risk_enum)bit);
}
