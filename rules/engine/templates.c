/* Templates: text with {path} and {path|filter} placeholders, {{ and }} for
 * literal braces, {path?text} for the text to write when the value is
 * absent, and optional groups {? ... ?}: a group is kept only when every
 * placeholder in it has a value, so a sentence about a fact the capture
 * does not hold is left out instead of reading "-"; {? ... ?: ... ?} says
 * what to write instead. One scanner serves both load-time validation and
 * rendering, so the two can never disagree on what is well-formed. */
#include "engine.h"
#include "rules_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_names.h"

enum filter {
    FILTER_NONE, FILTER_COUNT, FILTER_JOIN, FILTER_SUITES, FILTER_SUITE, FILTER_HEX,
    FILTER_VERSION, FILTER_ALERT, FILTER_MS, FILTER_FRAMES,
};

static const char *const filter_names[] = {
    [FILTER_COUNT] = "count",   [FILTER_JOIN] = "join",       [FILTER_SUITES] = "suites",
    [FILTER_SUITE] = "suite",   [FILTER_HEX] = "hex",         [FILTER_VERSION] = "version",
    [FILTER_ALERT] = "alert",   [FILTER_MS] = "ms",           [FILTER_FRAMES] = "frames",
};

/* ---- scanning ---- */

enum token_kind {
    TOKEN_END, TOKEN_TEXT, TOKEN_PLACEHOLDER, TOKEN_GROUP_OPEN,
    TOKEN_GROUP_ELSE,       /* "?:" in a group: what follows is written when the group is dropped */
    TOKEN_GROUP_CLOSE, TOKEN_ERROR,
};

struct token {
    enum token_kind kind;
    const char *text;       /* TEXT: the literal bytes; PLACEHOLDER: the path */
    size_t len;
    enum filter filter;     /* PLACEHOLDER */
    const char *absent;     /* PLACEHOLDER: the text for an absent value ({path?text}), NULL: "-" */
    size_t absent_len;
};

__attribute__((format(printf, 3, 4)))
static enum token_kind scan_error(char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(why, whylen, fmt, args);
        va_end(args);
    }
    return TOKEN_ERROR;
}

static bool find_filter(const char *name, size_t len, enum filter *filter)
{
    for (size_t i = 1; i < sizeof filter_names / sizeof filter_names[0]; i++)
        if (strlen(filter_names[i]) == len && memcmp(filter_names[i], name, len) == 0) {
            *filter = (enum filter)i;
            return true;
        }
    return false;
}

/* body: the bytes between '{' and '}': path, path|filter, and either with
 * ?text after it (everything after the first '?'). */
static enum token_kind scan_placeholder(const char *body, size_t len, struct token *tok,
                                        char *why, size_t whylen)
{
    size_t whole = len;     /* for messages */
    const char *question = memchr(body, '?', len);
    tok->absent = question ? question + 1 : NULL;
    tok->absent_len = question ? len - (size_t)(question - body) - 1 : 0;
    if (question)
        len = (size_t)(question - body);
    const char *bar = memchr(body, '|', len);
    tok->kind = TOKEN_PLACEHOLDER;
    tok->text = body;
    tok->len = bar ? (size_t)(bar - body) : len;
    tok->filter = FILTER_NONE;
    if (!bar)
        return TOKEN_PLACEHOLDER;
    const char *name = bar + 1;
    size_t name_len = len - tok->len - 1;
    if (memchr(name, '|', name_len))
        return scan_error(why, whylen, "{%.*s}: one filter per placeholder", (int)whole, body);
    if (!find_filter(name, name_len, &tok->filter))
        return scan_error(why, whylen, "{%.*s}: unknown filter '%.*s'", (int)whole, body,
                          (int)name_len, name);
    return TOKEN_PLACEHOLDER;
}

/* Reads the next token at *cursor and advances it. Inside a group
 * (in_group) "?}" ends it and "?:" starts its alternative; elsewhere they
 * have no meaning of their own. */
static enum token_kind next_token(const char *start, const char **cursor, struct token *tok, bool in_group,
                                  char *why, size_t whylen)
{
    const char *p = *cursor;
    tok->kind = TOKEN_TEXT;
    if (*p == '\0')
        return tok->kind = TOKEN_END;
    if (p[0] == '{' && p[1] == '?') {
        if (in_group)
            return scan_error(why, whylen, "'{?' at offset %zu inside a group (groups do not nest)",
                              (size_t)(p - start));
        *cursor = p + 2;
        return tok->kind = TOKEN_GROUP_OPEN;
    }
    if (in_group && p[0] == '?' && (p[1] == '}' || p[1] == ':')) {
        *cursor = p + 2;
        return tok->kind = p[1] == '}' ? TOKEN_GROUP_CLOSE : TOKEN_GROUP_ELSE;
    }
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
        tok->text = p;
        tok->len = 1;
        *cursor = p + 2;
        return TOKEN_TEXT;
    }
    if (*p == '}')
        return scan_error(why, whylen, "lone '}' at offset %zu (write '}}' for a brace)",
                          (size_t)(p - start));
    if (*p == '{') {
        size_t body_len = strcspn(p + 1, "{}");
        if (p[1 + body_len] != '}')
            return scan_error(why, whylen, "unclosed '{' at offset %zu (write '{{' for a brace)",
                              (size_t)(p - start));
        *cursor = p + body_len + 2;
        return tok->kind = scan_placeholder(p + 1, body_len, tok, why, whylen);
    }
    tok->text = p;
    tok->len = strcspn(p, "{}");
    if (in_group) {
        for (const char *q = p; q < p + tok->len; q++)
            if (q[0] == '?' && (q[1] == '}' || q[1] == ':')) {
                tok->len = (size_t)(q - p);
                break;
            }
        if (tok->len == 0) /* a '?' that does not close: text of its own */
            tok->len = 1;
    }
    *cursor = p + tok->len;
    return TOKEN_TEXT;
}

bool rules_check_template(const char *tmpl, const struct ref_scope *scope, char *why,
                          size_t whylen)
{
    const char *cursor = tmpl, *group_start = NULL;
    bool group_else = false;
    struct token tok;
    for (;;) {
        const char *at = cursor;
        enum token_kind kind = next_token(tmpl, &cursor, &tok, group_start != NULL, why, whylen);
        if (kind == TOKEN_GROUP_ELSE && group_else) {
            snprintf(why, whylen, "a second '?:' at offset %zu in one group", (size_t)(at - tmpl));
            return false;
        }
        if (kind == TOKEN_END && group_start) {
            snprintf(why, whylen, "unclosed '{?' at offset %zu (end the group with '?}')",
                     (size_t)(group_start - tmpl));
            return false;
        }
        if (kind == TOKEN_END)
            return true;
        if (kind == TOKEN_ERROR)
            return false;
        if (kind == TOKEN_GROUP_OPEN)
            group_start = at, group_else = false;
        if (kind == TOKEN_GROUP_ELSE)
            group_else = true;
        if (kind == TOKEN_GROUP_CLOSE)
            group_start = NULL;
        if (kind != TOKEN_PLACEHOLDER)
            continue;
        char problem[400];
        enum path_check found = rules_check_path(tok.text, tok.len, scope, FORM_PLACEHOLDER, problem,
                                                 sizeof problem);
        if (found == PATH_MALFORMED) {
            snprintf(why, whylen, "{%.*s}: %s", (int)(tok.len > 60 ? 60 : tok.len), tok.text, problem);
            return false;
        }
        if (found == PATH_UNKNOWN) {
            snprintf(why, whylen, "%s", problem);
            return false;
        }
    }
}

/* ---- rendering ---- */

struct text {
    char *data;
    size_t len;
    size_t cap;
    bool failed;    /* out of memory: the result is dropped */
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_add_str(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void text_addf(struct text *t, const char *fmt, ...)
{
    char buf[128];
    va_list args;
    va_start(args, fmt);
    vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    text_add_str(t, buf);
}

static bool integer_in(const cJSON *v, double low, double high)
{
    return cJSON_IsNumber(v) && v->valuedouble >= low && v->valuedouble <= high &&
           v->valuedouble == (double)(int64_t)v->valuedouble;
}

/* The plain form of one value: strings as they are, numbers without a
 * needless fraction, containers as compact JSON. */
static void add_plain(struct text *t, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        text_add_str(t, "-");
    } else if (cJSON_IsString(v)) {
        text_add_str(t, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        text_addf(t, "%.15g", v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        text_add_str(t, cJSON_IsTrue(v) ? "true" : "false");
    } else {
        char *json = cJSON_PrintUnformatted(v);
        if (!json)
            t->failed = true;
        else
            text_add_str(t, json);
        free(json);
    }
}

static void add_suite(struct text *t, const cJSON *v)
{
    if (!integer_in(v, 0, 0xFFFF)) {
        add_plain(t, v);
        return;
    }
    unsigned id = (unsigned)v->valuedouble;
    const char *name = tls_cipher_suite_name((uint16_t)id);
    if (name)
        text_addf(t, "%s (0x%04x)", name, id);
    else
        text_addf(t, "0x%04x", id);
}

/* Unknown code points stay readable: versions in hex, alerts as numbers. */
static void add_named(struct text *t, const cJSON *v, enum filter filter)
{
    const char *name = NULL;
    if (filter == FILTER_VERSION && integer_in(v, 0, 0xFFFF))
        name = tls_version_name((uint16_t)v->valuedouble);
    else if (filter == FILTER_ALERT && integer_in(v, 0, 0xFF))
        name = tls_alert_name((uint8_t)v->valuedouble);
    if (name)
        text_add_str(t, name);
    else if (filter == FILTER_VERSION && integer_in(v, 0, 0xFFFF))
        text_addf(t, "0x%04x", (unsigned)v->valuedouble);
    else
        add_plain(t, v);
}

static void add_element(struct text *t, const cJSON *v, enum filter filter)
{
    if (filter == FILTER_SUITES || filter == FILTER_SUITE)
        add_suite(t, v);
    else if (filter == FILTER_VERSION || filter == FILTER_ALERT)
        add_named(t, v, filter);
    else if (filter == FILTER_HEX && integer_in(v, 0, 0xFFFFFFFF))
        text_addf(t, "0x%04x", (unsigned)v->valuedouble);
    else if (filter == FILTER_MS && cJSON_IsNumber(v))
        text_addf(t, "%.1f ms", v->valuedouble);
    else if (filter == FILTER_FRAMES && integer_in(v, 0, 9e15))
        text_addf(t, "#%.0f", v->valuedouble);
    else
        add_plain(t, v);
}

/* An absent value (or an empty list, which reads as "nothing" too): the
 * placeholder's own text for it, or "-". Returns false for "-": a group
 * holding it is dropped. */
static bool add_absent(struct text *t, const struct token *tok)
{
    if (tok->absent) {
        text_add(t, tok->absent, tok->absent_len);
        return true;
    }
    text_add_str(t, "-");
    return false;
}

/* Returns false when the value is absent and "-" was written. */
static bool add_placeholder(struct text *t, const struct token *tok, const cJSON *context)
{
    const cJSON *v = rules_resolve(context, tok->text, tok->len);
    int count = rules_length(v);
    if (!v) {
        return add_absent(t, tok);
    } else if (tok->filter == FILTER_COUNT) {
        if (count < 0)
            return add_absent(t, tok);
        text_addf(t, "%d", count);
    } else if (!cJSON_IsArray(v)) {
        add_element(t, v, tok->filter);
    } else if (!v->child) {
        return add_absent(t, tok);
    } else {
        for (const cJSON *el = v->child; el; el = el->next) {
            if (el != v->child)
                text_add_str(t, ", ");
            add_element(t, el, tok->filter);
        }
    }
    return true;
}

char *rules_render_template(const char *tmpl, const cJSON *context)
{
    struct text out = { 0 };
    text_add(&out, "", 0);      /* an empty template still gives "" */
    struct text group = { 0 };  /* the open group's text, kept if all its values are there */
    struct text other = { 0 };  /* its alternative (after "?:"), written if it is not */
    bool in_group = false, in_other = false, group_complete = true;
    const char *cursor = tmpl;
    struct token tok;
    for (;;) {
        enum token_kind kind = next_token(tmpl, &cursor, &tok, in_group, NULL, 0);
        if (kind == TOKEN_END) {
            out.failed |= in_group;    /* unclosed: refused at load time */
            break;
        }
        if (kind == TOKEN_ERROR || group.failed || other.failed || (kind == TOKEN_GROUP_ELSE && in_other))
            out.failed = true;
        if (out.failed)
            break;
        struct text *dst = in_other ? &other : in_group ? &group : &out;
        if (kind == TOKEN_GROUP_OPEN) {
            in_group = true;
            group_complete = true;
            group.len = other.len = 0;
        } else if (kind == TOKEN_GROUP_ELSE) {
            in_other = true;
        } else if (kind == TOKEN_GROUP_CLOSE) {
            struct text *kept = group_complete ? &group : &other;
            if (kept->len)
                text_add(&out, kept->data, kept->len);
            in_group = in_other = false;
        } else if (kind == TOKEN_TEXT) {
            text_add(dst, tok.text, tok.len);
        } else if (!add_placeholder(dst, &tok, context) && !in_other) {
            group_complete = false;
        }
    }
    free(group.data);
    free(other.data);
    if (out.failed) {
        free(out.data);
        return NULL;
    }
    return out.data;
}
