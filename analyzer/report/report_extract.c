/* What an evidence capture holds, read from a report (report.h): the
 * connections of the diagnosed attempts — every packet of a failed one and
 * of the one the diagnosis is about, the handshake and first data of the
 * others — revocation checks, and the frames of the DNS lookups and of
 * connects that never got past their SYN. */
#include "report.h"
#include "report_path.h"
#include "extract.h"

#include <stdlib.h>
#include <string.h>

/* A working download's body is not evidence: its handshake and first data
 * show it worked. */
#define EXTRACT_PAYLOAD_CAP (256u * 1024u)

static void add_flow(struct extract_plan *plan, const cJSON *conn, bool full)
{
    struct report_endpoint client, server;
    if (!report_endpoint_parse(str(conn, "client"), &client) || !report_endpoint_parse(str(conn, "server"), &server) ||
        client.ip_version != server.ip_version)
        return;
    struct extract_flow fl = { .full = full, .ip_version = client.ip_version,
                               .port = { client.port, server.port } };
    memcpy(fl.addr[0], client.addr, sizeof fl.addr[0]);
    memcpy(fl.addr[1], server.addr, sizeof fl.addr[1]);
    struct extract_flow *grown = realloc(plan->flows, (plan->flow_count + 1) * sizeof *grown);
    if (!grown)
        return;
    plan->flows = grown;
    plan->flows[plan->flow_count++] = fl;
}

static void add_frame(struct extract_plan *plan, double frame)
{
    if (frame <= 0)
        return;
    uint64_t *grown = realloc(plan->frames, (plan->frame_count + 1) * sizeof *grown);
    if (!grown)
        return;
    plan->frames = grown;
    plan->frames[plan->frame_count++] = (uint64_t)frame;
}

static bool listed(const cJSON *attempts, double id)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, attempts)
        if (num(a, "connection", -1) == id)
            return true;
    return false;
}

void report_extract_plan(const cJSON *report, struct extract_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->payload_cap = EXTRACT_PAYLOAD_CAP;
    const cJSON *captures = cJSON_GetObjectItem(report, "captures");
    const cJSON *side = captures ? captures->child : NULL;   /* the capture, or the failing one */
    const cJSON *diag = cJSON_GetObjectItem(side, "diagnosis");
    const cJSON *facts = cJSON_GetObjectItem(side, "facts");
    const cJSON *attempts = cJSON_GetObjectItem(diag, "attempts");
    double diagnosed = num(diag, "connection", num(side, "primary_connection", -1));
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections")) {
        double id = num(c, "id", 0);
        if (cJSON_GetArraySize(attempts) > 0 && !listed(attempts, id) && id != diagnosed)
            continue;
        const char *verdict = str(c, "verdict");
        add_flow(plan, c, id == diagnosed || !verdict || strcmp(verdict, "success"));
    }
    cJSON_ArrayForEach(c, rules_get(facts, "revocation.connections"))
        add_flow(plan, c, true);
    cJSON_ArrayForEach(c, rules_get(facts, "dns.lookups")) {
        add_frame(plan, num(c, "query_frame", 0));
        add_frame(plan, num(c, "response_frame", 0));
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "failed_connects")) {
        add_frame(plan, num(c, "syn_frame", 0));
        add_frame(plan, num(c, "rst_frame", 0));
    }
}

void report_extract_plan_free(struct extract_plan *plan)
{
    free(plan->flows);
    free(plan->frames);
    memset(plan, 0, sizeof *plan);
}
