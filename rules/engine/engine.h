/* The declarative rules engine: rule packs (JSON, specified in
 * rules/FORMAT.md) are loaded and validated once, then evaluated over the
 * facts of a capture. Nothing here reads captures or prints: load errors come
 * back through err as one line, findings as cJSON.
 *
 * Absent values: a reference that does not resolve, or resolves to JSON null,
 * is absent everywhere (conditions, lets, templates, evidence); a template
 * says what to write instead with {path?text} or leaves a clause out with
 * an optional group {? ... ?} (its alternative after "?:"), else it writes
 * "-". */
#ifndef TLSDIAG_RULES_ENGINE_H
#define TLSDIAG_RULES_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

struct rule_set;

/* The facts a rule may name: every path under "conn" and "capture", keys
 * joined by '.', with "[]" after an array's key for any of its elements
 * ("conn.tls.alerts[].description" is what $conn.tls.alerts.0.description
 * names). The engine owns no facts: the analyzer passes its fact registry
 * (analyzer/facts/fact_registry.h). $good.conn... and $good.capture...
 * are checked as conn... and capture...; $profile... against the loaded
 * packs' profiles; $let.x... against what the let is computed from. */
struct rules_vocabulary {
    const char *const *facts;
    size_t fact_count;
};

/* paths: rule files or folders (every *.json in a folder, in byte order of
 * the names; names starting with '.' are skipped; a folder without any
 * *.json is an error). Every pack is read first, then every rule checked
 * against what they declare together: the causes of all packs, their
 * merged profile, and the facts of vocabulary (NULL: fact paths are not
 * checked, only their roots). On any error returns NULL and writes ONE line
 * naming the file and, when it applies, the rule id and the key, e.g.
 *   rules/tetra.json: rule 'tls_no_shared_cipher': unknown operator 'disjont' (at when[0])
 *   rules/x.json: rule 'r1': unknown fact '$conn.tls.client_helo.frame' (did you mean '$conn.tls.client_hello.frame'?) (at when[0])
 *   rules/x.json: line 12: JSON syntax error near '...'
 * err may be NULL. count 0 gives an empty rule set. */
struct rule_set *rules_load(const char *const *paths, size_t count, const struct rules_vocabulary *vocabulary,
                            char *err, size_t errlen);
void rules_free(struct rule_set *rs);

/* The profiles of all packs merged key by key (a later pack's key wins);
 * never NULL (an empty object when no pack has one). Owned by rs. */
const cJSON *rules_profile(const struct rule_set *rs);
/* New array: [{"pack","version","file","rules":N}] in load order. */
cJSON *rules_packs_json(const struct rule_set *rs);
size_t rules_count(const struct rule_set *rs);

/* The causes vocabulary: what the loaded packs declare in their "causes".
 * New array [{"id","title","meaning","pack"}] in load order. */
cJSON *rules_causes_json(const struct rule_set *rs);
/* Whether a loaded pack declares cause; when not, why says so in one line,
 * with the nearest declared cause when one is close:
 *   unknown cause 'tls_no_shared_ciper' (did you mean 'tls_no_shared_cipher'?) */
bool rules_check_cause(const struct rule_set *rs, const char *cause, char *why, size_t whylen);
/* Whether a loaded rule has this id (what `tlsdiag check` expects among the
 * findings); when not, why says so with the nearest id:
 *   unknown rule 'tetra.no_shared_ciper' (did you mean 'tetra.no_shared_cipher'?) */
bool rules_check_rule_id(const struct rule_set *rs, const char *id, char *why, size_t whylen);
/* Whether path (no '$'; under conn or capture, indexes as numbers) names a
 * fact of vocabulary; when not, why says so in one line with the nearest:
 *   unknown fact 'conn.tls.client_helo.frame' (did you mean 'conn.tls.client_hello.frame'?) */
bool rules_check_fact(const struct rules_vocabulary *vocabulary, const char *path, char *why, size_t whylen);

/* Evaluates every rule. capture: the capture's facts object (without its
 * connection list); connections: array of connection fact objects (each has
 * "id"); good: NULL in analyze mode, else {"conn": ..., "capture": ...}.
 * Returns a new array of findings (NULL only when out of memory), in rule
 * order, each
 *   {"rule","cause","severity","rank","title","message","remedy","scope",
 *    "connection": <conn "id"; absent for capture scope>,
 *    "connector_code": <when it resolves to a string or number>,
 *    "evidence": [{"what","frame"}]   (entries whose frame is not a number dropped),
 *    "matched_connections": N}        (0 for capture scope)
 * A connection-scope rule that holds for several connections gives ONE
 * finding, for the first connection that matched. */
cJSON *rules_evaluate(const struct rule_set *rs, const cJSON *capture, const cJSON *connections,
                      const cJSON *good);

/* The one JSON path resolver of tlsdiag: rule references, the report and
 * `tlsdiag check` all read values through it. path: object keys and array
 * indexes (decimal, at most 9 digits) joined by '.', without a '$', e.g.
 * "conn.tls.alerts.0.description"; len bytes of it. Returns NULL when a
 * step does not resolve or the value is JSON null (absent). */
const cJSON *rules_resolve(const cJSON *root, const char *path, size_t len);
/* The same for a NUL-terminated path. */
const cJSON *rules_get(const cJSON *root, const char *path);

/* Levenshtein distance between two names, for "did you mean" suggestions;
 * SIZE_MAX when either is longer than 160 bytes. */
size_t rules_edit_distance(const char *a, size_t la, const char *b, size_t lb);

/* Exposed for unit tests. context: {"conn","capture","profile","good","let"}. */
bool rules_condition_holds(const cJSON *condition, const cJSON *context); /* condition already validated */
/* malloc'd; NULL only when out of memory or tmpl is malformed. */
char *rules_render_template(const char *tmpl, const cJSON *context);
/* New value, or NULL when the result is absent. */
cJSON *rules_compute_let(const cJSON *let_spec, const cJSON *context);

#endif
