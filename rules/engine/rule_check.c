/* Load-time validation of one rule: every key known and of the right type,
 * every condition, let, template and reference well-formed, so that a pack
 * that loads cannot misbehave at evaluation time. */
#include "engine.h"
#include "rules_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const severities[] = { "critical", "error", "warning", "info", NULL };
static const char *const scopes[] = { "connection", "capture", NULL };
static const char *const modes[] = { "any", "diff", "analyze", NULL };

struct rule_key {
    const char *name;
    bool required;
};

static const struct rule_key rule_keys[] = {
    { "id", true },         { "cause", true },      { "severity", true }, { "rank", true },
    { "scope", false },     { "mode", false },      { "title", true },    { "when", true },
    { "let", false },       { "message", true },    { "remedy", true },   { "connector_code", false },
    { "evidence", false },
};
#define RULE_KEY_COUNT (sizeof rule_keys / sizeof rule_keys[0])

__attribute__((format(printf, 3, 4)))
static bool fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, whylen, fmt, args);
    va_end(args);
    return false;
}

/* Index of word in a NULL-terminated list, -1 when absent. */
static int word_index(const char *const *list, const char *word)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], word) == 0)
            return i;
    return -1;
}

bool rules_id_is_valid(const char *id)
{
    if (!*id)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
              *p == '-'))
            return false;
    return true;
}

/* Unknown keys are refused because a typo ("remdy") would otherwise be
 * silently ignored; "_" keys are comments. */
static bool check_keys(const cJSON *object, char *why, size_t whylen)
{
    bool seen[RULE_KEY_COUNT] = { false };
    for (const cJSON *key = object->child; key; key = key->next) {
        if (key->string[0] == '_')
            continue;
        size_t i = 0;
        while (i < RULE_KEY_COUNT && strcmp(rule_keys[i].name, key->string) != 0)
            i++;
        if (i == RULE_KEY_COUNT)
            return fail(why, whylen, "unknown key '%s'", key->string);
        if (seen[i])
            return fail(why, whylen, "key '%s' given twice", key->string);
        seen[i] = true;
    }
    for (size_t i = 0; i < RULE_KEY_COUNT; i++)
        if (rule_keys[i].required && !seen[i])
            return fail(why, whylen, "missing key '%s'", rule_keys[i].name);
    return true;
}

/* A string member from a word list; index into the list, or -1 with why. */
static int check_word(const cJSON *object, const char *key, const char *const *list,
                      const char *what, int absent_index, char *why, size_t whylen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (!item)
        return absent_index;
    if (!cJSON_IsString(item)) {
        fail(why, whylen, "'%s' must be a string", key);
        return -1;
    }
    int index = word_index(list, item->valuestring);
    if (index < 0)
        fail(why, whylen, "unknown %s '%s'", what, item->valuestring);
    return index;
}

/* A cause is one the loaded packs declare (their "causes"). */
static bool check_cause(const cJSON *object, const struct rule_names *names, struct rule *out,
                        char *why, size_t whylen)
{
    const cJSON *cause = cJSON_GetObjectItemCaseSensitive(object, "cause");
    if (!cJSON_IsString(cause) || !cause->valuestring[0])
        return fail(why, whylen, "'cause' must be a non-empty string");
    if (names && names->rs && !rules_check_cause(names->rs, cause->valuestring, why, whylen))
        return false;
    out->cause = cause->valuestring;
    return true;
}

static bool check_labels(const cJSON *object, const struct rule_names *names, struct rule *out,
                         char *why, size_t whylen)
{
    out->id = cJSON_GetObjectItemCaseSensitive(object, "id")->valuestring;
    if (!check_cause(object, names, out, why, whylen))
        return false;
    int severity = check_word(object, "severity", severities, "severity", -1, why, whylen);
    if (severity < 0)
        return false;
    out->severity = severities[severity];
    const cJSON *rank = cJSON_GetObjectItemCaseSensitive(object, "rank");
    if (!cJSON_IsNumber(rank) || rank->valuedouble < -1e9 || rank->valuedouble > 1e9 ||
        rank->valuedouble != (double)(int)rank->valuedouble)
        return fail(why, whylen, "'rank' must be an integer");
    out->rank = (int)rank->valuedouble;
    int scope = check_word(object, "scope", scopes, "scope", 0, why, whylen);
    int mode = scope < 0 ? -1 : check_word(object, "mode", modes, "mode", MODE_ANY, why, whylen);
    if (mode < 0)
        return false;
    out->capture_scope = scope == 1;
    out->mode = (enum rule_mode)mode;
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(object, "title");
    if (!cJSON_IsString(title) || !title->valuestring[0] || strpbrk(title->valuestring, "\r\n"))
        return fail(why, whylen, "'title' must be a non-empty one-line string");
    out->title = title->valuestring;
    return true;
}

static bool check_when(const cJSON *when, const struct ref_scope *scope, char *why, size_t whylen)
{
    if (!cJSON_IsArray(when))
        return fail(why, whylen, "'when' must be an array of conditions");
    int index = 0;
    for (const cJSON *c = when->child; c; c = c->next, index++) {
        char where[32];
        snprintf(where, sizeof where, "when[%d]", index);
        if (!rules_check_condition(c, scope, where, 1, why, whylen))
            return false;
    }
    return true;
}

static bool check_text(const cJSON *object, const char *key, const struct ref_scope *scope,
                       const char **out, char *why, size_t whylen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (!cJSON_IsString(item))
        return fail(why, whylen, "'%s' must be a string", key);
    char problem[400];
    if (!rules_check_template(item->valuestring, scope, problem, sizeof problem))
        return fail(why, whylen, "'%s': %s", key, problem);
    *out = item->valuestring;
    return true;
}

static bool check_evidence_entry(const cJSON *entry, int index, const struct ref_scope *scope,
                                 char *why, size_t whylen)
{
    if (!cJSON_IsObject(entry))
        return fail(why, whylen, "evidence[%d] must be an object {\"what\", \"frame\"}", index);
    for (const cJSON *key = entry->child; key; key = key->next)
        if (strcmp(key->string, "what") && strcmp(key->string, "frame") && key->string[0] != '_')
            return fail(why, whylen, "evidence[%d]: unknown key '%s'", index, key->string);
    const char *what;
    char problem[440];
    if (!check_text(entry, "what", scope, &what, problem, sizeof problem))
        return fail(why, whylen, "evidence[%d]: %s", index, problem);
    const cJSON *frame = cJSON_GetObjectItemCaseSensitive(entry, "frame");
    if (!rules_is_reference(frame))
        return fail(why, whylen, "evidence[%d]: 'frame' must be a $ reference", index);
    if (!rules_check_operand(frame, scope, problem, sizeof problem))
        return fail(why, whylen, "evidence[%d]: 'frame': %s", index, problem);
    return true;
}

static bool check_outputs(const cJSON *object, struct rule *out, const struct ref_scope *scope,
                          char *why, size_t whylen)
{
    if (!check_text(object, "message", scope, &out->message, why, whylen) ||
        !check_text(object, "remedy", scope, &out->remedy, why, whylen))
        return false;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(object, "connector_code");
    char problem[400];
    if (code && !cJSON_IsString(code))
        return fail(why, whylen, "'connector_code' must be a string or a $ reference");
    if (code && !rules_check_operand(code, scope, problem, sizeof problem))
        return fail(why, whylen, "'connector_code': %s", problem);
    out->connector_code = code;
    const cJSON *evidence = cJSON_GetObjectItemCaseSensitive(object, "evidence");
    if (evidence && !cJSON_IsArray(evidence))
        return fail(why, whylen, "'evidence' must be an array");
    int index = 0;
    for (const cJSON *entry = evidence ? evidence->child : NULL; entry; entry = entry->next, index++)
        if (!check_evidence_entry(entry, index, scope, why, whylen))
            return false;
    out->evidence = evidence;
    return true;
}

bool rules_check_rule(const cJSON *object, const struct rule_names *names, struct rule *out, char *why,
                      size_t whylen)
{
    if (!check_keys(object, why, whylen))
        return false;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(object, "id");
    if (!cJSON_IsString(id) || !rules_id_is_valid(id->valuestring))
        return fail(why, whylen, "'id' must be a string of [a-z0-9_.-]");
    if (!check_labels(object, names, out, why, whylen))
        return false;

    struct ref_scope scope = { .capture_scope = out->capture_scope,
                               .analyze_only = out->mode == MODE_ANALYZE,
                               .names = names };
    out->when = cJSON_GetObjectItemCaseSensitive(object, "when");
    if (!check_when(out->when, &scope, why, whylen))
        return false;
    out->lets = cJSON_GetObjectItemCaseSensitive(object, "let");
    if (out->lets && !rules_check_lets(out->lets, &scope, why, whylen))
        return false;
    /* Templates, connector code and evidence are rendered after every let. */
    scope.lets = out->lets;
    scope.lets_visible = out->lets ? (size_t)cJSON_GetArraySize(out->lets) : 0;
    return check_outputs(object, out, &scope, why, whylen);
}
