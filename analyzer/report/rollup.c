/* A fleet's roll-up (rollup.h): one row per capture and counts by outcome
 * and cause, from the reports alone, so that reports made on many machines
 * and merged later (tlsdiag summarize) give the same roll-up as one run. */
#include "rollup.h"
#include "report.h"
#include "report_path.h"

#include <stdlib.h>
#include <string.h>

/* Files named per cause in the roll-up; the counts stay exact. */
#define ROLLUP_FILES_PER_CAUSE 10
#define TEXT_WIDTH 80

static const char *const outcomes[] = { "success", "failed", "intermittent", "inconclusive" };
#define OUTCOME_COUNT (sizeof outcomes / sizeof outcomes[0])

struct rollup_cause {
    char *cause;
    uint64_t captures;
    uint64_t by_outcome[OUTCOME_COUNT];
    cJSON *files;                      /* the first ROLLUP_FILES_PER_CAUSE */
};

struct rollup {
    uint64_t captures, unusable;
    uint64_t by_outcome[OUTCOME_COUNT];
    struct rollup_cause *causes;
    size_t cause_count;
};

struct rollup *rollup_new(void)
{
    return calloc(1, sizeof(struct rollup));
}

void rollup_free(struct rollup *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->cause_count; i++) {
        free(r->causes[i].cause);
        cJSON_Delete(r->causes[i].files);
    }
    free(r->causes);
    free(r);
}

static int outcome_index(const char *outcome)
{
    for (size_t i = 0; outcome && i < OUTCOME_COUNT; i++)
        if (!strcmp(outcome, outcomes[i]))
            return (int)i;
    return -1;
}

/* The endpoint's address: the client of the connection the diagnosis is
 * about, else of the first connection; without its port. */
static void endpoint_of(const cJSON *side, char *out, size_t len)
{
    out[0] = 0;
    const cJSON *conns = rules_get(side, "facts.connections");
    double primary = num(side, "primary_connection", 0);
    const cJSON *c, *pick = NULL;
    cJSON_ArrayForEach(c, conns) {
        if (!pick || num(c, "id", 0) == primary)
            pick = c;
        if (num(c, "id", 0) == primary)
            break;
    }
    struct report_endpoint client;
    if (pick && report_endpoint_parse(str(pick, "client"), &client))
        snprintf(out, len, "%s", client.host);
}

cJSON *rollup_row(const cJSON *report)
{
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    const cJSON *captures = cJSON_GetObjectItem(report, "captures");
    const cJSON *side = captures ? captures->child : NULL;   /* "capture", or "bad" first in a diff */
    cJSON *row = cJSON_CreateObject();
    const char *file = side ? str(side, "file") : NULL;
    cJSON_AddStringToObject(row, "file", file ? file : "");
    cJSON_AddStringToObject(row, "outcome", str(diag, "outcome") ? str(diag, "outcome") : "inconclusive");
    cJSON_AddStringToObject(row, "cause", str(diag, "cause") ? str(diag, "cause") : "tls_failure_other");
    char endpoint[64];
    endpoint_of(side, endpoint, sizeof endpoint);
    if (endpoint[0])
        cJSON_AddStringToObject(row, "endpoint", endpoint);
    double frame = num(diag, "evidence.0.frame", 0);
    if (frame > 0)
        cJSON_AddNumberToObject(row, "key_frame", frame);
    const cJSON *who = cJSON_GetObjectItem(diag, "who_acts");
    if (who)
        cJSON_AddItemToObject(row, "who_acts", cJSON_Duplicate(who, true));
    return row;
}

static struct rollup_cause *cause_slot(struct rollup *r, const char *cause)
{
    for (size_t i = 0; i < r->cause_count; i++)
        if (!strcmp(r->causes[i].cause, cause))
            return &r->causes[i];
    struct rollup_cause *grown = realloc(r->causes, (r->cause_count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    r->causes = grown;
    struct rollup_cause *c = &r->causes[r->cause_count];
    *c = (struct rollup_cause){ .cause = strdup(cause), .files = cJSON_CreateArray() };
    if (!c->cause || !c->files) {
        free(c->cause);
        cJSON_Delete(c->files);
        return NULL;
    }
    r->cause_count++;
    return c;
}

void rollup_add_row(struct rollup *r, const cJSON *row)
{
    r->captures++;
    int o = outcome_index(str(row, "outcome"));
    if (o >= 0)
        r->by_outcome[o]++;
    struct rollup_cause *c = cause_slot(r, str(row, "cause") ? str(row, "cause") : "tls_failure_other");
    if (!c)
        return;
    c->captures++;
    if (o >= 0)
        c->by_outcome[o]++;
    if (cJSON_GetArraySize(c->files) < ROLLUP_FILES_PER_CAUSE)
        cJSON_AddItemToArray(c->files, cJSON_CreateString(str(row, "file") ? str(row, "file") : ""));
}

void rollup_add_unusable(struct rollup *r)
{
    r->unusable++;
}

/* Causes by how many captures they explain, then by name: the order does
 * not depend on the order the reports came in. */
static int by_count(const void *a, const void *b)
{
    const struct rollup_cause *x = a, *y = b;
    if (x->captures != y->captures)
        return x->captures < y->captures ? 1 : -1;
    return strcmp(x->cause, y->cause);
}

cJSON *rollup_json(struct rollup *r)
{
    qsort(r->causes, r->cause_count, sizeof *r->causes, by_count);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "captures", (double)r->captures);
    cJSON_AddNumberToObject(o, "unusable", (double)r->unusable);
    cJSON *by = cJSON_AddObjectToObject(o, "outcomes");
    for (size_t i = 0; i < OUTCOME_COUNT; i++)
        cJSON_AddNumberToObject(by, outcomes[i], (double)r->by_outcome[i]);
    cJSON *causes = cJSON_AddArrayToObject(o, "causes");
    for (size_t i = 0; i < r->cause_count; i++) {
        const struct rollup_cause *c = &r->causes[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "cause", c->cause);
        cJSON_AddNumberToObject(e, "captures", (double)c->captures);
        cJSON *co = cJSON_AddObjectToObject(e, "outcomes");
        for (size_t k = 0; k < OUTCOME_COUNT; k++)
            if (c->by_outcome[k])
                cJSON_AddNumberToObject(co, outcomes[k], (double)c->by_outcome[k]);
        cJSON_AddItemToObject(e, "files", cJSON_Duplicate(c->files, true));
        cJSON_AddItemToArray(causes, e);
    }
    return o;
}

/* The last part of a path: reports name captures as they were given. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

void rollup_write_row_text(FILE *out, const cJSON *row)
{
    const char *outcome = str(row, "outcome") ? str(row, "outcome") : "";
    const char *cause = str(row, "cause") ? str(row, "cause") : "";
    const char *file = base_name(str(row, "file") ? str(row, "file") : "");
    /* A long name keeps its end, which tells captures apart. */
    int room = TEXT_WIDTH - 12 - 1 - (strlen(cause) > 36 ? (int)strlen(cause) : 36) - 1;
    char shown[256];
    if (room > 3 && (int)strlen(file) > room)
        snprintf(shown, sizeof shown, "...%s", file + strlen(file) - (size_t)(room - 3));
    else
        snprintf(shown, sizeof shown, "%s", file);
    char line[512];
    int n = snprintf(line, sizeof line, "%-12s %-36s %s", outcome, cause, shown);
    char detail[128] = "";
    const char *endpoint = str(row, "endpoint");
    double frame = num(row, "key_frame", 0);
    if (endpoint && frame > 0)
        snprintf(detail, sizeof detail, "%s #%.0f", endpoint, frame);
    else if (endpoint)
        snprintf(detail, sizeof detail, "%s", endpoint);
    else if (frame > 0)
        snprintf(detail, sizeof detail, "#%.0f", frame);
    /* The details after the file when they fit, else under it. */
    if (*detail && n > 0 && (size_t)n + 2 + strlen(detail) <= TEXT_WIDTH)
        fprintf(out, "%s  %s\n", line, detail);
    else if (*detail)
        fprintf(out, "%s\n%13s%s\n", line, "", detail);
    else
        fprintf(out, "%s\n", line);
}

void rollup_write_text(FILE *out, const cJSON *rollup)
{
    double total = num(rollup, "captures", 0);
    fprintf(out, "\nRoll-up: %.0f capture%s", total, total == 1 ? "" : "s");
    if (num(rollup, "unusable", 0) > 0)
        fprintf(out, " (and %.0f unusable)", num(rollup, "unusable", 0));
    fprintf(out, "\n");
    const cJSON *by = cJSON_GetObjectItem(rollup, "outcomes");
    const cJSON *o;
    cJSON_ArrayForEach(o, by)
        if (o->valuedouble > 0)
            fprintf(out, "  %-14s %.0f of %.0f\n", o->string, o->valuedouble, total);
    fprintf(out, "\n  %-38s %s\n", "cause", "captures");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(rollup, "causes")) {
        char outcomes_text[160] = "";
        const cJSON *k;
        cJSON_ArrayForEach(k, cJSON_GetObjectItem(c, "outcomes")) {
            size_t used = strlen(outcomes_text);
            snprintf(outcomes_text + used, sizeof outcomes_text - used, "%s%.0f %s", used ? ", " : "",
                     k->valuedouble, k->string);
        }
        char line[400];
        int n = snprintf(line, sizeof line, "  %-38s %.0f of %.0f", str(c, "cause"), num(c, "captures", 0), total);
        if (n > 0 && (size_t)n + 3 + strlen(outcomes_text) <= TEXT_WIDTH)
            fprintf(out, "%s (%s)\n", line, outcomes_text);
        else
            fprintf(out, "%s\n%4s(%s)\n", line, "", outcomes_text);
    }
}
