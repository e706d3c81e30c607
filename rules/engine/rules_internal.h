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

struct rules_vocabulary;
struct rule_set;

/* What a rule's names are checked against when it loads (vocabulary.c). */
struct rule_names {
    const struct rules_vocabulary *facts;   /* NULL: paths under conn, capture, good unchecked */
    const cJSON *profile;                   /* the merged profile of every loaded pack */
    const struct rule_set *rs;              /* the causes the loaded packs declare */
};

/* What a reference may name where it is written, so that a reference that
 * could never resolve (a typo, $conn in a capture rule, a let used before it
 * is computed, a fact or profile key that does not exist) is a load error
 * rather than a rule that silently never fires. */
struct ref_scope {
    bool capture_scope;     /* $conn is never bound */
    bool analyze_only;      /* $good is never bound */
    const cJSON *lets;      /* the rule's "let" object, or NULL */
    size_t lets_visible;    /* how many of its entries are computed at this point */
    const struct rule_names *names;         /* NULL: only the roots are checked */
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

/* A cause a pack declares (its "causes"); the strings are in its document. */
struct cause {
    const char *id;
    const char *title;
    const char *meaning;
    const cJSON *who_acts;          /* array of actor words, possibly empty */
    size_t pack;
};

struct rule_set {
    struct pack *packs;
    size_t pack_count;
    struct rule *rules;
    size_t rule_count;
    struct cause *causes;
    size_t cause_count;
    cJSON *profile;
};

/* vocabulary.c: "who_acts" is an array of distinct actor words (endpoint,
 * server, proxy, network); a declared cause by id, or NULL. */
bool rules_check_actors(const cJSON *who, char *why, size_t whylen);
const struct cause *rules_find_cause(const struct rule_set *rs, const char *cause);

/* ---- one rule (rule_check.c) ---- */

/* Validates a rule object against names and fills out; on failure writes
 * why (without the file and rule id, which the caller knows). */
bool rules_check_rule(const cJSON *object, const struct rule_names *names, struct rule *out, char *why,
                      size_t whylen);
/* Whether a string is a valid rule or cause id: [a-z0-9_.-]+. */
bool rules_id_is_valid(const char *id);

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

/* A path segment that is an array index: 1 to 9 decimal digits. */
bool rules_segment_is_index(const char *seg, size_t len);

/* How a reference is written: "$path" (conditions, lets, evidence frames,
 * connector codes), "{path}" (templates), or bare (a `tlsdiag check` fact). */
enum path_form { FORM_REFERENCE, FORM_PLACEHOLDER, FORM_BARE };
enum path_check {
    PATH_OK,
    PATH_MALFORMED,     /* why: the problem, to be prefixed with the reference */
    PATH_UNKNOWN,       /* why: a whole message naming the reference and the nearest known one */
};
/* Validates a reference path (without '$' or braces). */
enum path_check rules_check_path(const char *path, size_t len, const struct ref_scope *scope,
                                 enum path_form form, char *why, size_t whylen);
/* A "$..." operand must name a valid path; literals pass. */
bool rules_check_operand(const cJSON *operand, const struct ref_scope *scope, char *why,
                         size_t whylen);

/* ---- names (vocabulary.c) ---- */

/* A well-formed path whose root is bound where it is written: does what it
 * names exist? Facts in scope->names->facts, profile keys in the merged
 * profile, a let's members in what the let is computed from. */
enum path_check rules_check_names(const char *path, size_t len, const struct ref_scope *scope,
                                  enum path_form form, char *why, size_t whylen);

/* What a let's value is made of, for checking references into it. */
enum let_shape {
    LET_SHAPE_ANY,          /* a literal or a union: members not checked */
    LET_SHAPE_NUMBER,       /* a count: no members */
    LET_SHAPE_LIKE_A,       /* shaped like the value its "a" names */
    LET_SHAPE_ELEMENT_OF_A, /* an element of the array its "a" names */
};
/* a: set to the let's "a" reference (with its '$') for the LIKE/ELEMENT shapes. */
enum let_shape rules_let_shape(const cJSON *let_spec, const char **a);

/* ---- validators (conditions.c, lets.c, templates.c) ---- */

/* where: location of the condition for messages, e.g. "when[2]". */
bool rules_check_condition(const cJSON *condition, const struct ref_scope *scope,
                           const char *where, int depth, char *why, size_t whylen);
/* The whole "let" object of a rule. */
bool rules_check_lets(const cJSON *lets, const struct ref_scope *scope, char *why, size_t whylen);
bool rules_check_template(const char *tmpl, const struct ref_scope *scope, char *why,
                          size_t whylen);

#endif
