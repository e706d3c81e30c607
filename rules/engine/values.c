/* References into the evaluation context and the JSON value helpers the
 * operators, lets and templates share. */
#include "rules_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum root { ROOT_CONN, ROOT_CAPTURE, ROOT_PROFILE, ROOT_GOOD, ROOT_LET, ROOT_COUNT };
static const char *const context_roots[ROOT_COUNT] = { "conn", "capture", "profile", "good", "let" };

bool rules_segment_is_index(const char *seg, size_t len)
{
    if (len == 0 || len > 9)   /* 9 digits always fits an int */
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)seg[i]))
            return false;
    return true;
}

static const cJSON *object_member(const cJSON *object, const char *key, size_t len)
{
    for (const cJSON *child = object->child; child; child = child->next)
        if (child->string && strlen(child->string) == len && memcmp(child->string, key, len) == 0)
            return child;
    return NULL;
}

static const cJSON *step_into(const cJSON *node, const char *seg, size_t len)
{
    if (cJSON_IsObject(node))
        return object_member(node, seg, len);
    if (cJSON_IsArray(node) && rules_segment_is_index(seg, len)) {
        int index = 0;
        for (size_t i = 0; i < len; i++)
            index = index * 10 + (seg[i] - '0');
        return cJSON_GetArrayItem(node, index);
    }
    return NULL;
}

const cJSON *rules_resolve(const cJSON *root, const char *path, size_t len)
{
    const cJSON *node = root;
    size_t start = 0;
    while (node && start <= len) {
        const char *dot = memchr(path + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - path) : len;
        node = step_into(node, path + start, end - start);
        start = end + 1;
    }
    return cJSON_IsNull(node) ? NULL : node;
}

const cJSON *rules_get(const cJSON *root, const char *path)
{
    return rules_resolve(root, path, strlen(path));
}

bool rules_is_reference(const cJSON *operand)
{
    return cJSON_IsString(operand) && operand->valuestring[0] == '$';
}

const cJSON *rules_operand(const cJSON *context, const cJSON *operand)
{
    if (rules_is_reference(operand)) {
        return rules_get(context, operand->valuestring + 1);
    }
    return cJSON_IsNull(operand) ? NULL : operand;
}

bool rules_array_has(const cJSON *array, const cJSON *item)
{
    if (!cJSON_IsArray(array) || !item)
        return false;
    for (const cJSON *el = array->child; el; el = el->next)
        if (cJSON_Compare(el, item, true))
            return true;
    return false;
}

int rules_length(const cJSON *value)
{
    if (!cJSON_IsArray(value) && !cJSON_IsObject(value))
        return -1;
    return cJSON_GetArraySize(value);
}

bool rules_truthy(const cJSON *value)
{
    if (cJSON_IsTrue(value))
        return true;
    if (cJSON_IsNumber(value))
        return value->valuedouble != 0;
    if (cJSON_IsString(value))
        return value->valuestring[0] != '\0';
    if (cJSON_IsArray(value) || cJSON_IsObject(value))
        return value->child != NULL;
    return false;
}

/* Iterative glob: on a mismatch after a '*', the star absorbs one more
 * character and matching resumes; linear in practice, no recursion. */
bool rules_glob_matches(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern == '?' ||
                   (*pattern && tolower((unsigned char)*pattern) == tolower((unsigned char)*text))) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

static bool let_is_visible(const struct ref_scope *scope, const char *name, size_t len)
{
    size_t position = 0;
    for (const cJSON *let = scope->lets ? scope->lets->child : NULL;
         let && position < scope->lets_visible; let = let->next, position++)
        if (strlen(let->string) == len && memcmp(let->string, name, len) == 0)
            return true;
    return false;
}

static bool check_root(const char *root, size_t len, const char *rest, size_t rest_len,
                       const struct ref_scope *scope, char *why, size_t whylen)
{
    enum root i = 0;
    while (i < ROOT_COUNT && !(strlen(context_roots[i]) == len && memcmp(context_roots[i], root, len) == 0))
        i++;
    if (i == ROOT_COUNT) {
        snprintf(why, whylen, "unknown root '%.*s' (conn, capture, profile, good or let)", (int)len,
                 root);
        return false;
    }
    if (i == ROOT_CONN && scope->capture_scope) {
        snprintf(why, whylen, "'conn' is not bound in a capture-scope rule");
        return false;
    }
    if (i == ROOT_GOOD && scope->analyze_only) {
        snprintf(why, whylen, "'good' is not bound in an analyze-mode rule");
        return false;
    }
    if (i == ROOT_LET) {
        const char *dot = memchr(rest, '.', rest_len);
        size_t name_len = dot ? (size_t)(dot - rest) : rest_len;
        if (!let_is_visible(scope, rest, name_len)) {
            snprintf(why, whylen, "'let.%.*s' is not a let computed before this point", (int)name_len,
                     rest);
            return false;
        }
    }
    return true;
}

enum path_check rules_check_path(const char *path, size_t len, const struct ref_scope *scope,
                                 enum path_form form, char *why, size_t whylen)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (isspace(ch) || iscntrl(ch) || ch == '{' || ch == '}' || ch == '|' || ch == '$') {
            snprintf(why, whylen, "character '%c' in a reference", isprint(ch) ? ch : '?');
            return PATH_MALFORMED;
        }
        if (ch == '.' && (i == 0 || i + 1 == len || path[i + 1] == '.')) {
            snprintf(why, whylen, "empty path segment");
            return PATH_MALFORMED;
        }
    }
    if (len == 0) {
        snprintf(why, whylen, "empty reference");
        return PATH_MALFORMED;
    }
    const char *dot = memchr(path, '.', len);
    size_t root_len = dot ? (size_t)(dot - path) : len;
    const char *rest = dot ? dot + 1 : path + len;
    if (!check_root(path, root_len, rest, len - (size_t)(rest - path), scope, why, whylen))
        return PATH_MALFORMED;
    return scope->names ? rules_check_names(path, len, scope, form, why, whylen) : PATH_OK;
}

bool rules_check_operand(const cJSON *operand, const struct ref_scope *scope, char *why,
                         size_t whylen)
{
    if (!rules_is_reference(operand))
        return true;
    const char *path = operand->valuestring + 1;
    char problem[400];
    switch (rules_check_path(path, strlen(path), scope, FORM_REFERENCE, problem, sizeof problem)) {
    case PATH_OK:
        return true;
    case PATH_UNKNOWN:
        snprintf(why, whylen, "%s", problem);
        return false;
    case PATH_MALFORMED:
        break;
    }
    snprintf(why, whylen, "reference '%.60s': %s", operand->valuestring, problem);
    return false;
}
