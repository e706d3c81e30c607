/* Conditions: { "fact", "op", "value" } and the all/any/not combinators,
 * their load-time validation and their evaluation. */
#include "engine.h"
#include "rules_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum op {
    OP_EXISTS, OP_ABSENT, OP_EQ, OP_NE, OP_IN, OP_NOT_IN, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_BEFORE, OP_AFTER, OP_CONTAINS, OP_INTERSECTS, OP_DISJOINT, OP_SUBSET,
    OP_COUNT_EQ, OP_COUNT_GE, OP_COUNT_LE, OP_MATCHES, OP_TRUTHY, OP_FALSY,
};

/* What a literal "value" must be; a "$" reference is accepted for any kind
 * but VALUE_NONE and is checked when evaluated. */
enum value_kind { VALUE_NONE, VALUE_ANY, VALUE_ARRAY, VALUE_NUMBER, VALUE_STRING };

struct op_info {
    const char *name;
    enum op op;
    enum value_kind value;
};

static const struct op_info op_table[] = {
    { "exists", OP_EXISTS, VALUE_NONE },         { "absent", OP_ABSENT, VALUE_NONE },
    { "eq", OP_EQ, VALUE_ANY },                  { "ne", OP_NE, VALUE_ANY },
    { "in", OP_IN, VALUE_ARRAY },                { "not_in", OP_NOT_IN, VALUE_ARRAY },
    { "lt", OP_LT, VALUE_NUMBER },               { "le", OP_LE, VALUE_NUMBER },
    { "gt", OP_GT, VALUE_NUMBER },               { "ge", OP_GE, VALUE_NUMBER },
    { "before", OP_BEFORE, VALUE_NUMBER },       { "after", OP_AFTER, VALUE_NUMBER },
    { "contains", OP_CONTAINS, VALUE_ANY },      { "intersects", OP_INTERSECTS, VALUE_ARRAY },
    { "disjoint", OP_DISJOINT, VALUE_ARRAY },    { "subset", OP_SUBSET, VALUE_ARRAY },
    { "count_eq", OP_COUNT_EQ, VALUE_NUMBER },   { "count_ge", OP_COUNT_GE, VALUE_NUMBER },
    { "count_le", OP_COUNT_LE, VALUE_NUMBER },   { "matches", OP_MATCHES, VALUE_STRING },
    { "truthy", OP_TRUTHY, VALUE_NONE },         { "falsy", OP_FALSY, VALUE_NONE },
};

static const struct op_info *find_op(const char *name)
{
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (strcmp(op_table[i].name, name) == 0)
            return &op_table[i];
    return NULL;
}

/* ---- evaluation ---- */

static bool numbers_compare(const cJSON *fact, const cJSON *value, enum op op)
{
    if (!cJSON_IsNumber(fact) || !cJSON_IsNumber(value))
        return false;
    double a = fact->valuedouble, b = value->valuedouble;
    switch (op) {
    case OP_LT: case OP_BEFORE: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: case OP_AFTER: return a > b;
    case OP_GE: return a >= b;
    default: return false;
    }
}

static bool arrays_intersect(const cJSON *a, const cJSON *b)
{
    if (!cJSON_IsArray(a) || !cJSON_IsArray(b))
        return false;
    for (const cJSON *el = a->child; el; el = el->next)
        if (rules_array_has(b, el))
            return true;
    return false;
}

static bool array_is_subset(const cJSON *fact, const cJSON *value)
{
    if (!cJSON_IsArray(fact) || !cJSON_IsArray(value))
        return false;
    for (const cJSON *el = fact->child; el; el = el->next)
        if (!rules_array_has(value, el))
            return false;
    return true;
}

/* Absent counts as 0; a fact that is neither array nor object has no count. */
static bool count_compare(const cJSON *fact, const cJSON *value, enum op op)
{
    int count = fact ? rules_length(fact) : 0;
    if (count < 0 || !cJSON_IsNumber(value))
        return false;
    double want = value->valuedouble;
    switch (op) {
    case OP_COUNT_EQ: return count == want;
    case OP_COUNT_GE: return count >= want;
    case OP_COUNT_LE: return count <= want;
    default: return false;
    }
}

static bool op_holds(enum op op, const cJSON *fact, const cJSON *value)
{
    switch (op) {
    case OP_EXISTS: return fact != NULL;
    case OP_ABSENT: return fact == NULL;
    case OP_EQ: return fact && value && cJSON_Compare(fact, value, true);
    case OP_NE: return !op_holds(OP_EQ, fact, value);
    case OP_IN: return rules_array_has(value, fact);
    case OP_NOT_IN: return !rules_array_has(value, fact);
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_BEFORE: case OP_AFTER:
        return numbers_compare(fact, value, op);
    case OP_CONTAINS: return rules_array_has(fact, value);
    case OP_INTERSECTS: return arrays_intersect(fact, value);
    case OP_DISJOINT: return !arrays_intersect(fact, value);
    case OP_SUBSET: return array_is_subset(fact, value);
    case OP_COUNT_EQ: case OP_COUNT_GE: case OP_COUNT_LE: return count_compare(fact, value, op);
    case OP_MATCHES:
        return cJSON_IsString(fact) && cJSON_IsString(value) &&
               rules_glob_matches(value->valuestring, fact->valuestring);
    case OP_TRUTHY: return rules_truthy(fact);
    case OP_FALSY: return !rules_truthy(fact);
    }
    return false;
}

static bool all_hold(const cJSON *conditions, const cJSON *context)
{
    for (const cJSON *c = conditions ? conditions->child : NULL; c; c = c->next)
        if (!rules_condition_holds(c, context))
            return false;
    return true;
}

static bool any_holds(const cJSON *conditions, const cJSON *context)
{
    for (const cJSON *c = conditions ? conditions->child : NULL; c; c = c->next)
        if (rules_condition_holds(c, context))
            return true;
    return false;
}

bool rules_condition_holds(const cJSON *condition, const cJSON *context)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(condition, "all");
    if (all)
        return all_hold(all, context);
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(condition, "any");
    if (any)
        return any_holds(any, context);
    const cJSON *not = cJSON_GetObjectItemCaseSensitive(condition, "not");
    if (not)
        return !rules_condition_holds(not, context);

    const cJSON *op_name = cJSON_GetObjectItemCaseSensitive(condition, "op");
    const struct op_info *info = cJSON_IsString(op_name) ? find_op(op_name->valuestring) : NULL;
    if (!info)
        return false;
    const cJSON *fact = rules_operand(context, cJSON_GetObjectItemCaseSensitive(condition, "fact"));
    const cJSON *value = rules_operand(context, cJSON_GetObjectItemCaseSensitive(condition, "value"));
    return op_holds(info->op, fact, value);
}

/* ---- validation ---- */

__attribute__((format(printf, 4, 5)))
static bool fail(char *why, size_t whylen, const char *where, const char *fmt, ...)
{
    char problem[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(problem, sizeof problem, fmt, args);
    va_end(args);
    snprintf(why, whylen, "%s (at %s)", problem, where);
    return false;
}

static bool check_value_kind(const cJSON *value, const struct op_info *info, const char *where,
                             char *why, size_t whylen)
{
    if (info->value == VALUE_NONE) {
        if (value)
            return fail(why, whylen, where, "operator '%s' takes no 'value'", info->name);
        return true;
    }
    if (!value)
        return fail(why, whylen, where, "operator '%s' needs a 'value'", info->name);
    if (rules_is_reference(value))
        return true;
    static const char *const kind_names[] = { "", "", "an array", "a number", "a string" };
    bool ok = info->value == VALUE_ANY ||
              (info->value == VALUE_ARRAY && cJSON_IsArray(value)) ||
              (info->value == VALUE_NUMBER && cJSON_IsNumber(value)) ||
              (info->value == VALUE_STRING && cJSON_IsString(value));
    if (!ok)
        return fail(why, whylen, where, "'value' of operator '%s' must be %s or a $ reference",
                    info->name, kind_names[info->value]);
    return true;
}

static bool check_operand_ref(const cJSON *operand, const struct ref_scope *scope,
                              const char *where, char *why, size_t whylen)
{
    char problem[400];
    if (rules_check_operand(operand, scope, problem, sizeof problem))
        return true;
    return fail(why, whylen, where, "%s", problem);
}

static bool check_comparison(const cJSON *condition, const struct ref_scope *scope,
                             const char *where, char *why, size_t whylen)
{
    const cJSON *fact = NULL, *op = NULL, *value = NULL;
    for (const cJSON *key = condition->child; key; key = key->next) {
        if (strcmp(key->string, "fact") == 0 && !fact)
            fact = key;
        else if (strcmp(key->string, "op") == 0 && !op)
            op = key;
        else if (strcmp(key->string, "value") == 0 && !value)
            value = key;
        else if (key->string[0] != '_')
            return fail(why, whylen, where, "unknown or repeated key '%s' in a condition", key->string);
    }
    if (!op)
        return fail(why, whylen, where, "condition without 'op' (or all/any/not)");
    if (!cJSON_IsString(op))
        return fail(why, whylen, where, "'op' must be a string");
    const struct op_info *info = find_op(op->valuestring);
    if (!info)
        return fail(why, whylen, where, "unknown operator '%s'", op->valuestring);
    if (!fact)
        return fail(why, whylen, where, "operator '%s' needs a 'fact'", info->name);
    if (!rules_is_reference(fact))
        return fail(why, whylen, where, "'fact' must be a $ reference");
    return check_operand_ref(fact, scope, where, why, whylen) &&
           check_value_kind(value, info, where, why, whylen) &&
           (!value || check_operand_ref(value, scope, where, why, whylen));
}

static bool check_list(const cJSON *list, const struct ref_scope *scope, const char *where,
                       int depth, char *why, size_t whylen)
{
    if (!cJSON_IsArray(list))
        return fail(why, whylen, where, "'%s' must be an array of conditions", list->string);
    int index = 0;
    for (const cJSON *c = list->child; c; c = c->next, index++) {
        char child_where[256];
        snprintf(child_where, sizeof child_where, "%s.%s[%d]", where, list->string, index);
        if (!rules_check_condition(c, scope, child_where, depth + 1, why, whylen))
            return false;
    }
    return true;
}

bool rules_check_condition(const cJSON *condition, const struct ref_scope *scope,
                           const char *where, int depth, char *why, size_t whylen)
{
    if (depth > RULES_MAX_DEPTH)
        return fail(why, whylen, where, "conditions nested deeper than %d", RULES_MAX_DEPTH);
    if (!cJSON_IsObject(condition))
        return fail(why, whylen, where, "a condition must be an object");
    const cJSON *combinator = NULL;
    size_t keys = 0;
    for (const cJSON *key = condition->child; key; key = key->next) {
        if (key->string[0] == '_')
            continue;
        keys++;
        if (!strcmp(key->string, "all") || !strcmp(key->string, "any") || !strcmp(key->string, "not"))
            combinator = key;
    }
    if (!combinator)
        return check_comparison(condition, scope, where, why, whylen);
    if (keys != 1)
        return fail(why, whylen, where, "'%s' must be the only key of its condition",
                    combinator->string);
    if (strcmp(combinator->string, "not") != 0)
        return check_list(combinator, scope, where, depth, why, whylen);
    char child_where[256];
    snprintf(child_where, sizeof child_where, "%s.not", where);
    return rules_check_condition(combinator, scope, child_where, depth + 1, why, whylen);
}
