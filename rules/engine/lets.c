/* Lets: named values a rule computes after its conditions hold, for its
 * templates and evidence. */
#include "engine.h"
#include "rules_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum let_op { LET_DIFFERENCE, LET_INTERSECTION, LET_UNION, LET_COUNT, LET_FIRST, LET_VALUE };

struct let_info {
    const char *name;
    enum let_op op;
    bool takes_b;
};

static const struct let_info let_table[] = {
    { "difference", LET_DIFFERENCE, true }, { "intersection", LET_INTERSECTION, true },
    { "union", LET_UNION, true },           { "count", LET_COUNT, false },
    { "first", LET_FIRST, false },          { "value", LET_VALUE, false },
};

static const struct let_info *find_let_op(const cJSON *op)
{
    if (!cJSON_IsString(op))
        return NULL;
    for (size_t i = 0; i < sizeof let_table / sizeof let_table[0]; i++)
        if (strcmp(let_table[i].name, op->valuestring) == 0)
            return &let_table[i];
    return NULL;
}

/* ---- evaluation ---- */

enum keep { KEEP_ALL, KEEP_IF_IN, KEEP_IF_NOT_IN };

/* Appends a copy of each element of from that passes the filter and is not
 * already in out; set results keep the order of their first operand. A
 * filter that is absent or not an array is the empty set. */
static void append_distinct(cJSON *out, const cJSON *from, const cJSON *filter, enum keep keep)
{
    if (!cJSON_IsArray(from))
        return;
    for (const cJSON *el = from->child; el; el = el->next) {
        if (keep != KEEP_ALL && rules_array_has(filter, el) != (keep == KEEP_IF_IN))
            continue;
        if (rules_array_has(out, el))
            continue;
        cJSON_AddItemToArray(out, cJSON_Duplicate(el, true));
    }
}

static cJSON *set_operation(enum let_op op, const cJSON *a, const cJSON *b)
{
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return NULL;
    switch (op) {
    case LET_DIFFERENCE: append_distinct(out, a, b, KEEP_IF_NOT_IN); break;
    case LET_INTERSECTION: append_distinct(out, a, b, KEEP_IF_IN); break;
    default:
        append_distinct(out, a, NULL, KEEP_ALL);
        append_distinct(out, b, NULL, KEEP_ALL);
        break;
    }
    return out;
}

cJSON *rules_compute_let(const cJSON *let_spec, const cJSON *context)
{
    const struct let_info *info = find_let_op(cJSON_GetObjectItemCaseSensitive(let_spec, "op"));
    if (!info)
        return NULL;
    const cJSON *a = rules_operand(context, cJSON_GetObjectItemCaseSensitive(let_spec, "a"));
    const cJSON *b = rules_operand(context, cJSON_GetObjectItemCaseSensitive(let_spec, "b"));
    switch (info->op) {
    case LET_DIFFERENCE: case LET_INTERSECTION: case LET_UNION:
        return set_operation(info->op, a, b);
    case LET_COUNT: {
        int length = a ? rules_length(a) : 0;
        return length < 0 ? NULL : cJSON_CreateNumber(length);
    }
    case LET_FIRST: {
        const cJSON *first = cJSON_IsArray(a) ? a->child : NULL;
        return first && !cJSON_IsNull(first) ? cJSON_Duplicate(first, true) : NULL;
    }
    case LET_VALUE:
        return a ? cJSON_Duplicate(a, true) : NULL;
    }
    return NULL;
}

/* ---- validation ---- */

enum let_shape rules_let_shape(const cJSON *let_spec, const char **a)
{
    const struct let_info *info = find_let_op(cJSON_GetObjectItemCaseSensitive(let_spec, "op"));
    const cJSON *operand = cJSON_GetObjectItemCaseSensitive(let_spec, "a");
    *a = rules_is_reference(operand) ? operand->valuestring : NULL;
    if (!info)
        return LET_SHAPE_ANY;
    switch (info->op) {
    case LET_COUNT:
        return LET_SHAPE_NUMBER;
    case LET_DIFFERENCE: case LET_INTERSECTION: case LET_VALUE:
        return *a ? LET_SHAPE_LIKE_A : LET_SHAPE_ANY;
    case LET_FIRST:
        return *a ? LET_SHAPE_ELEMENT_OF_A : LET_SHAPE_ANY;
    case LET_UNION:
        break;
    }
    return LET_SHAPE_ANY;   /* a union mixes a's elements with b's */
}

__attribute__((format(printf, 4, 5)))
static bool fail(char *why, size_t whylen, const char *name, const char *fmt, ...)
{
    char problem[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(problem, sizeof problem, fmt, args);
    va_end(args);
    snprintf(why, whylen, "let '%.60s': %s", name, problem);
    return false;
}

static bool name_is_valid(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

static bool check_let_operand(const char *name, const char *key, const cJSON *operand,
                              bool array_literal_only, const struct ref_scope *scope, char *why,
                              size_t whylen)
{
    if (!operand)
        return fail(why, whylen, name, "missing key '%s'", key);
    if (array_literal_only && !rules_is_reference(operand) && !cJSON_IsArray(operand))
        return fail(why, whylen, name, "'%s' must be an array or a $ reference", key);
    char problem[400];
    if (!rules_check_operand(operand, scope, problem, sizeof problem))
        return fail(why, whylen, name, "'%s': %s", key, problem);
    return true;
}

static bool check_let(const cJSON *spec, const struct ref_scope *scope, char *why, size_t whylen)
{
    const char *name = spec->string;
    if (!name_is_valid(name))
        return fail(why, whylen, name, "a let name is letters, digits and '_'");
    if (!cJSON_IsObject(spec))
        return fail(why, whylen, name, "must be an object {\"op\", \"a\", ...}");
    for (const cJSON *key = spec->child; key; key = key->next)
        if (strcmp(key->string, "op") && strcmp(key->string, "a") && strcmp(key->string, "b") &&
            key->string[0] != '_')
            return fail(why, whylen, name, "unknown key '%s'", key->string);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(spec, "op");
    const struct let_info *info = find_let_op(op);
    if (!info) {
        if (!cJSON_IsString(op))
            return fail(why, whylen, name, "missing or non-string 'op'");
        return fail(why, whylen, name, "unknown let op '%s'", op->valuestring);
    }
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(spec, "b");
    if (!info->takes_b && b)
        return fail(why, whylen, name, "op '%s' takes no 'b'", info->name);
    if (!check_let_operand(name, "a", cJSON_GetObjectItemCaseSensitive(spec, "a"),
                           info->op != LET_VALUE, scope, why, whylen))
        return false;
    return !info->takes_b || check_let_operand(name, "b", b, true, scope, why, whylen);
}

bool rules_check_lets(const cJSON *lets, const struct ref_scope *scope, char *why, size_t whylen)
{
    if (!cJSON_IsObject(lets)) {
        snprintf(why, whylen, "'let' must be an object");
        return false;
    }
    struct ref_scope visible = *scope;
    visible.lets = lets;
    visible.lets_visible = 0;
    for (const cJSON *spec = lets->child; spec; spec = spec->next, visible.lets_visible++) {
        for (const cJSON *earlier = lets->child; earlier != spec; earlier = earlier->next)
            if (strcmp(earlier->string, spec->string) == 0)
                return fail(why, whylen, spec->string, "defined twice");
        if (!check_let(spec, &visible, why, whylen))
            return false;
    }
    return true;
}
