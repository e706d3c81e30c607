/* What the rules engine's files share: reference resolution, JSON value
 * helpers and the load-time validators. Not part of the engine's API. */
#ifndef TLSDIAG_RULES_INTERNAL_H
#define TLSDIAG_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Conditions nest no deeper than this; deeper is a load error, so the
 * recursive evaluator has a known bound. */
#define RULES_MAX_DEPTH 32

/* What a reference may name where it is written, so that a reference that
 * could never resolve (a typo, $conn in a capture rule, a let used before it
 * is computed) is a load error rather than a rule that silently never fires. */
struct ref_scope {
    bool capture_scope;     /* $conn is never bound */
    bool analyze_only;      /* $good is never bound */
    const cJSON *lets;      /* the rule's "let" object, or NULL */
    size_t lets_visible;    /* how many of its entries are computed at this point */
};

enum rule_mode { MODE_ANY, MODE_DIFF, MODE_ANALYZE };

/* A validated rule; the pointers are into its pack's parsed document. */
struct rule {
    const char *id;
    const char *cause;
    const char *severity;
    const char *title;
    int rank;
    bool capture_scope;
    enum rule_mode mode;
    const cJSON *when;              /* array */
    const cJSON *lets;              /* object or NULL */
    const char *message;
    const char *remedy;
    const cJSON *connector_code;    /* string or NULL */
    const cJSON *evidence;          /* array or NULL */
    size_t pack;                    /* index in rule_set.packs */
};

struct pack {
    cJSON *doc;                     /* owns everything the pack's rules point to */
    char *file;
    const char *name;
    const char *version;
    size_t rule_count;
};

struct rule_set {
    struct pack *packs;
    size_t pack_count;
    struct rule *rules;
    size_t rule_count;
    cJSON *profile;
};

/* ---- one rule (rule_check.c) ---- */

/* Validates a rule object and fills out; on failure writes why (without the
 * file and rule id, which the caller knows). */
bool rules_check_rule(const cJSON *object, struct rule *out, char *why, size_t whylen);

/* ---- values (values.c) ---- */

bool rules_is_reference(const cJSON *operand);
/* A "$..." operand resolved, anything else the literal itself; NULL when absent. */
const cJSON *rules_operand(const cJSON *context, const cJSON *operand);
bool rules_array_has(const cJSON *array, const cJSON *item);
/* Length of an array or object; -1 for any other type. */
int rules_length(const cJSON *value);
bool rules_truthy(const cJSON *value);
/* Case-insensitive glob with '*' and '?'. */
bool rules_glob_matches(const char *pattern, const char *text);

/* Validates a reference path (without '$'); writes why on failure. */
bool rules_check_path(const char *path, size_t len, const struct ref_scope *scope, char *why,
                      size_t whylen);
/* A "$..." operand must name a valid path; literals pass. */
bool rules_check_operand(const cJSON *operand, const struct ref_scope *scope, char *why,
                         size_t whylen);

/* ---- validators (conditions.c, lets.c, templates.c) ---- */

/* where: location of the condition for messages, e.g. "when[2]". */
bool rules_check_condition(const cJSON *condition, const struct ref_scope *scope,
                           const char *where, int depth, char *why, size_t whylen);
/* The whole "let" object of a rule. */
bool rules_check_lets(const cJSON *lets, const struct ref_scope *scope, char *why, size_t whylen);
bool rules_check_template(const char *tmpl, const struct ref_scope *scope, char *why,
                          size_t whylen);

#endif
