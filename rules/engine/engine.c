/* Evaluating a loaded rule set over a capture's facts, and the rule set's
 * accessors. Loading and validation are in load.c and rule_check.c. */
#include "engine.h"
#include "rules_internal.h"

#include <stdlib.h>
#include <string.h>

void rules_free(struct rule_set *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->pack_count; i++) {
        cJSON_Delete(rs->packs[i].doc);
        free(rs->packs[i].file);
    }
    free(rs->packs);
    free(rs->rules);
    free(rs->causes);
    cJSON_Delete(rs->profile);
    free(rs);
}

const cJSON *rules_profile(const struct rule_set *rs)
{
    return rs->profile;
}

size_t rules_count(const struct rule_set *rs)
{
    return rs->rule_count;
}

cJSON *rules_packs_json(const struct rule_set *rs)
{
    cJSON *packs = cJSON_CreateArray();
    for (size_t i = 0; packs && i < rs->pack_count; i++) {
        const struct pack *p = &rs->packs[i];
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "pack", p->name);
        cJSON_AddStringToObject(entry, "version", p->version);
        cJSON_AddStringToObject(entry, "file", p->file);
        cJSON_AddNumberToObject(entry, "rules", (double)p->rule_count);
        cJSON_AddItemToArray(packs, entry);
    }
    return packs;
}

cJSON *rules_causes_json(const struct rule_set *rs)
{
    cJSON *causes = cJSON_CreateArray();
    for (size_t i = 0; causes && i < rs->cause_count; i++) {
        const struct cause *c = &rs->causes[i];
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "id", c->id);
        cJSON_AddStringToObject(entry, "title", c->title);
        cJSON_AddStringToObject(entry, "meaning", c->meaning);
        cJSON_AddItemToObject(entry, "who_acts", cJSON_Duplicate(c->who_acts, true));
        cJSON_AddStringToObject(entry, "pack", rs->packs[c->pack].name);
        cJSON_AddItemToArray(causes, entry);
    }
    return causes;
}

/* ---- evaluation ---- */

struct facts {
    const cJSON *capture;
    const cJSON *connections;
    const cJSON *good;
};

/* The context borrows the facts through cJSON references (deleting the
 * context leaves them alone); only "let" is its own. */
static void bind(cJSON *context, const char *name, const cJSON *value)
{
    if (cJSON_IsObject(value))
        cJSON_AddItemToObject(context, name, cJSON_CreateObjectReference(value->child));
    else if (cJSON_IsArray(value))
        cJSON_AddItemToObject(context, name, cJSON_CreateArrayReference(value->child));
}

static cJSON *new_context(const struct rule_set *rs, const struct facts *facts, const cJSON *conn)
{
    cJSON *context = cJSON_CreateObject();
    if (!context)
        return NULL;
    bind(context, "conn", conn);
    bind(context, "capture", facts->capture);
    bind(context, "profile", rs->profile);
    bind(context, "good", facts->good);
    if (!cJSON_AddObjectToObject(context, "let")) {
        cJSON_Delete(context);
        return NULL;
    }
    return context;
}

static bool when_holds(const struct rule *rule, const cJSON *context)
{
    for (const cJSON *c = rule->when->child; c; c = c->next)
        if (!rules_condition_holds(c, context))
            return false;
    return true;
}

/* In the order written, so a let can read the earlier ones; an absent
 * result leaves the name unbound (absent to templates). */
static void compute_lets(const struct rule *rule, cJSON *context)
{
    cJSON *bound = cJSON_GetObjectItemCaseSensitive(context, "let");
    for (const cJSON *spec = rule->lets ? rule->lets->child : NULL; spec; spec = spec->next) {
        cJSON *value = rules_compute_let(spec, context);
        if (value)
            cJSON_AddItemToObject(bound, spec->string, value);
    }
}

static void add_rendered(cJSON *object, const char *key, const char *tmpl, const cJSON *context)
{
    char *text = rules_render_template(tmpl, context);
    cJSON_AddStringToObject(object, key, text ? text : "");
    free(text);
}

static void add_connector_code(cJSON *finding, const struct rule *rule, const cJSON *context)
{
    const cJSON *code = rules_operand(context, rule->connector_code);
    if (cJSON_IsString(code) || cJSON_IsNumber(code))
        cJSON_AddItemToObject(finding, "connector_code", cJSON_Duplicate(code, false));
}

/* Entries whose frame is absent (or not a frame number) are dropped. */
static void add_evidence(cJSON *finding, const struct rule *rule, const cJSON *context)
{
    cJSON *list = cJSON_AddArrayToObject(finding, "evidence");
    for (const cJSON *entry = rule->evidence ? rule->evidence->child : NULL; list && entry;
         entry = entry->next) {
        const cJSON *frame = rules_operand(context, cJSON_GetObjectItemCaseSensitive(entry, "frame"));
        if (!cJSON_IsNumber(frame))
            continue;
        cJSON *item = cJSON_CreateObject();
        add_rendered(item, "what", cJSON_GetObjectItemCaseSensitive(entry, "what")->valuestring, context);
        cJSON_AddNumberToObject(item, "frame", frame->valuedouble);
        cJSON_AddItemToArray(list, item);
    }
}

static cJSON *make_finding(const struct rule_set *rs, const struct rule *rule, cJSON *context,
                           const cJSON *conn)
{
    compute_lets(rule, context);
    cJSON *finding = cJSON_CreateObject();
    if (!finding)
        return NULL;
    cJSON_AddStringToObject(finding, "rule", rule->id);
    cJSON_AddStringToObject(finding, "cause", rule->cause);
    cJSON_AddStringToObject(finding, "severity", rule->severity);
    cJSON_AddNumberToObject(finding, "rank", rule->rank);
    cJSON_AddStringToObject(finding, "title", rule->title);
    add_rendered(finding, "message", rule->message, context);
    add_rendered(finding, "remedy", rule->remedy, context);
    cJSON_AddStringToObject(finding, "scope", rule->capture_scope ? "capture" : "connection");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(conn, "id");
    if (id && !cJSON_IsNull(id))
        cJSON_AddItemToObject(finding, "connection", cJSON_Duplicate(id, true));
    add_connector_code(finding, rule, context);
    const struct cause *cause = rules_find_cause(rs, rule->cause);
    if (cause)
        cJSON_AddItemToObject(finding, "who_acts", cJSON_Duplicate(cause->who_acts, true));
    add_evidence(finding, rule, context);
    return finding;
}

/* One finding per rule at most: for a connection rule, the first connection
 * that matched speaks for all of them and the count says how many. */
static cJSON *evaluate_rule(const struct rule_set *rs, const struct rule *rule,
                            const struct facts *facts)
{
    cJSON *finding = NULL;
    int matched = 0;
    if (rule->capture_scope) {
        cJSON *context = new_context(rs, facts, NULL);
        if (context && when_holds(rule, context))
            finding = make_finding(rs, rule, context, NULL);
        cJSON_Delete(context);
    } else {
        const cJSON *conns = cJSON_IsArray(facts->connections) ? facts->connections : NULL;
        cJSON *ids = cJSON_CreateArray();
        for (const cJSON *conn = conns ? conns->child : NULL; conn; conn = conn->next) {
            cJSON *context = new_context(rs, facts, conn);
            if (context && when_holds(rule, context)) {
                matched++;
                if (!finding)
                    finding = make_finding(rs, rule, context, conn);
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(conn, "id");
                if (ids && id && !cJSON_IsNull(id))
                    cJSON_AddItemToArray(ids, cJSON_Duplicate(id, true));
            }
            cJSON_Delete(context);
        }
        /* Every connection it holds for: the report's attempt table. */
        if (finding && ids)
            cJSON_AddItemToObject(finding, "connections", ids);
        else
            cJSON_Delete(ids);
    }
    if (finding)
        cJSON_AddNumberToObject(finding, "matched_connections", matched);
    return finding;
}

cJSON *rules_evaluate(const struct rule_set *rs, const cJSON *capture, const cJSON *connections,
                      const cJSON *good)
{
    const struct facts facts = { capture, connections, good };
    cJSON *findings = cJSON_CreateArray();
    for (size_t i = 0; findings && i < rs->rule_count; i++) {
        const struct rule *rule = &rs->rules[i];
        if ((rule->mode == MODE_DIFF && !good) || (rule->mode == MODE_ANALYZE && good))
            continue;
        cJSON *finding = evaluate_rule(rs, rule, &facts);
        if (finding)
            cJSON_AddItemToArray(findings, finding);
    }
    return findings;
}
