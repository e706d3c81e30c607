/* Names checked against what exists, when a pack loads: fact paths against
 * the caller's vocabulary (the analyzer's fact registry), profile keys
 * against the loaded packs' merged profile, a let's members against what
 * the let is computed from, causes against those the packs declare (and,
 * for `tlsdiag check`, rule ids against the loaded rules). An
 * unknown name is reported with the nearest known one (edit distance), so a
 * typo names its own fix. */
#include "engine.h"
#include "rules_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_CANON 256           /* longer than any fact path: unknown */
#define MAX_INDEXES 16
#define MAX_SUGGEST_LEN 160     /* edit distances only between names this short */
#define MAX_PROFILE_NODES 4096  /* profile paths offered as suggestions */
#define MAX_LET_DEPTH 64
#define SHOWN_MAX 100           /* characters of a name in a message */

/* ---- the nearest known name ---- */

size_t rules_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > MAX_SUGGEST_LEN || lb > MAX_SUGGEST_LEN)
        return SIZE_MAX;
    size_t row[MAX_SUGGEST_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

struct nearest {
    const char *want;
    size_t want_len;
    size_t limit;               /* a candidate must be closer than this */
    char best[MAX_CANON];       /* "" while none is close enough */
};

/* Close enough to suggest: a quarter of the name's length, at least 2. */
static void nearest_init(struct nearest *n, const char *want, size_t len)
{
    n->want = want;
    n->want_len = len;
    n->limit = (len / 4 > 2 ? len / 4 : 2) + 1;
    n->best[0] = '\0';
}

static void nearest_offer(struct nearest *n, const char *candidate, size_t len)
{
    if (n->want_len > MAX_SUGGEST_LEN || len > MAX_SUGGEST_LEN || len >= sizeof n->best)
        return;
    size_t gap = len > n->want_len ? len - n->want_len : n->want_len - len;
    if (gap >= n->limit)
        return;
    size_t distance = rules_edit_distance(n->want, n->want_len, candidate, len);
    if (distance < n->limit) {
        n->limit = distance;
        memcpy(n->best, candidate, len);
        n->best[len] = '\0';
    }
}

/* ---- paths with indexes as "[]" ---- */

struct canonical {
    char text[MAX_CANON];
    size_t len;
    const char *index[MAX_INDEXES];     /* the indexes as written, in order */
    size_t index_len[MAX_INDEXES];
    size_t index_count;
};

/* "conn.tls.alerts.0.frame" -> "conn.tls.alerts[].frame"; false when it
 * does not fit (then it is longer than any fact). */
static bool canonicalize(const char *path, size_t len, struct canonical *c)
{
    c->len = 0;
    c->index_count = 0;
    for (size_t start = 0; start <= len;) {
        const char *dot = memchr(path + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - path) : len;
        const char *seg = path + start;
        size_t seg_len = end - start;
        bool index = start > 0 && rules_segment_is_index(seg, seg_len);
        size_t need = index ? 2 : seg_len + (start > 0);
        if (c->len + need >= sizeof c->text)
            return false;
        if (index) {
            memcpy(c->text + c->len, "[]", 2);
            if (c->index_count < MAX_INDEXES) {
                c->index[c->index_count] = seg;
                c->index_len[c->index_count++] = seg_len;
            }
        } else {
            if (start > 0)
                c->text[c->len++] = '.';
            memcpy(c->text + c->len, seg, seg_len);
        }
        c->len += index ? 2 : seg_len;
        start = end + 1;
    }
    c->text[c->len] = '\0';
    return true;
}

/* A known path as the reference would write it: each "[]" as ".N", with
 * the indexes the reference wrote, in order (0 past them). */
static void written_form(const char *known, const struct canonical *c, char *out, size_t outlen)
{
    size_t n = 0, k = 0;
    for (const char *p = known; *p && n + 1 < outlen;) {
        if (p[0] != '[' || p[1] != ']') {
            out[n++] = *p++;
            continue;
        }
        bool written = k < c->index_count;
        int w = snprintf(out + n, outlen - n, ".%.*s", written ? (int)c->index_len[k] : 1,
                         written ? c->index[k] : "0");
        if (w < 0 || (size_t)w >= outlen - n)
            break;
        n += (size_t)w;
        k++;
        p += 2;
    }
    out[n] = '\0';
}

/* ---- messages ---- */

/* How a path being checked is shown. A let's members are checked as the
 * fact they come from, $good.conn... as conn...: the checked path is
 * strip + rest where the author wrote prefix + rest, and a suggestion made
 * for the checked path maps back through each link to what they would
 * write. The outermost link holds the reference as written. */
struct shown {
    const char *written;
    size_t written_len;
    enum path_form form;
    const char *strip, *prefix;
    size_t strip_len, prefix_len;
    const struct shown *outer;
};

static bool map_back(const struct shown *s, const char *suggestion, char *out, size_t outlen)
{
    char buf[2][2 * MAX_CANON];
    int which = 0;
    for (; s; s = s->outer) {
        if (strncmp(suggestion, s->strip, s->strip_len) != 0)
            return false;
        int n = snprintf(buf[which], sizeof buf[which], "%.*s%s", (int)s->prefix_len, s->prefix,
                         suggestion + s->strip_len);
        if (n < 0 || (size_t)n >= sizeof buf[which])
            return false;
        suggestion = buf[which];
        which = 1 - which;
    }
    snprintf(out, outlen, "%s", suggestion);
    return true;
}

/* "unknown WHAT '$written' (did you mean '$suggestion'?)", or with note in
 * the parentheses when nothing is close. suggestion: a checked path. */
static enum path_check unknown(char *why, size_t whylen, const struct shown *s, const char *what,
                               const char *suggestion, const char *note)
{
    const struct shown *top = s;
    while (top->outer)
        top = top->outer;
    const char *open = top->form == FORM_REFERENCE ? "$" : top->form == FORM_PLACEHOLDER ? "{" : "";
    const char *close = top->form == FORM_PLACEHOLDER ? "}" : "";
    int shown_len = top->written_len > SHOWN_MAX ? SHOWN_MAX : (int)top->written_len;
    int n = snprintf(why, whylen, "unknown %s '%s%.*s%s'", what, open, shown_len, top->written, close);
    if (n < 0 || (size_t)n >= whylen)
        return PATH_UNKNOWN;
    char mapped[2 * MAX_CANON];
    if (suggestion && suggestion[0] && map_back(s, suggestion, mapped, sizeof mapped))
        snprintf(why + n, whylen - (size_t)n, " (did you mean '%s%.*s%s'?)", open, SHOWN_MAX, mapped, close);
    else if (note)
        snprintf(why + n, whylen - (size_t)n, " (%s)", note);
    return PATH_UNKNOWN;
}

/* ---- facts ---- */

static bool fact_known(const struct rules_vocabulary *v, const char *canonical)
{
    for (size_t i = 0; i < v->fact_count; i++)
        if (strcmp(v->facts[i], canonical) == 0)
            return true;
    return false;
}

static enum path_check check_fact(const struct rules_vocabulary *v, const char *path, size_t len,
                                  const struct shown *s, char *why, size_t whylen)
{
    struct canonical c;
    bool fits = canonicalize(path, len, &c);
    if (fits && fact_known(v, c.text))
        return PATH_OK;
    char suggestion[2 * MAX_CANON] = "";
    if (fits) {
        struct nearest n;
        nearest_init(&n, c.text, c.len);
        for (size_t i = 0; i < v->fact_count; i++)
            nearest_offer(&n, v->facts[i], strlen(v->facts[i]));
        if (n.best[0])
            written_form(n.best, &c, suggestion, sizeof suggestion);
    }
    return unknown(why, whylen, s, "fact", suggestion, NULL);
}

bool rules_check_fact(const struct rules_vocabulary *vocabulary, const char *path, char *why, size_t whylen)
{
    if (!vocabulary)
        return true;
    struct shown top = { .written = path, .written_len = strlen(path), .form = FORM_BARE, .strip = "",
                         .prefix = "" };
    return check_fact(vocabulary, path, top.written_len, &top, why, whylen) == PATH_OK;
}

/* ---- profile keys ---- */

/* Whether path (under node) exists: object keys present, any index of an
 * array whose elements (one of them) hold the rest. */
static bool profile_has(const cJSON *node, const char *path, size_t len)
{
    if (len == 0)
        return true;
    const char *dot = memchr(path, '.', len);
    size_t seg_len = dot ? (size_t)(dot - path) : len;
    const char *rest = dot ? dot + 1 : path + len;
    size_t rest_len = dot ? len - seg_len - 1 : 0;
    if (cJSON_IsObject(node)) {
        for (const cJSON *child = node->child; child; child = child->next)
            if (strlen(child->string) == seg_len && memcmp(child->string, path, seg_len) == 0)
                return profile_has(child, rest, rest_len);
        return false;
    }
    if (!cJSON_IsArray(node) || !rules_segment_is_index(path, seg_len))
        return false;
    if (rest_len == 0)
        return true;
    for (const cJSON *el = node->child; el; el = el->next)
        if (profile_has(el, rest, rest_len))
            return true;
    return false;
}

struct profile_walk {
    struct nearest *nearest;
    size_t visited;
    char path[MAX_CANON];
};

static void offer_profile(struct profile_walk *w, const cJSON *node, size_t len)
{
    if (w->visited++ >= MAX_PROFILE_NODES)
        return;
    nearest_offer(w->nearest, w->path, len);
    if (cJSON_IsObject(node)) {
        for (const cJSON *child = node->child; child; child = child->next) {
            size_t key_len = strlen(child->string);
            if (len + 1 + key_len >= sizeof w->path)
                continue;
            w->path[len] = '.';
            memcpy(w->path + len + 1, child->string, key_len + 1);
            offer_profile(w, child, len + 1 + key_len);
        }
    } else if (cJSON_IsArray(node) && len + 2 < sizeof w->path) {
        memcpy(w->path + len, "[]", 3);
        for (const cJSON *el = node->child; el; el = el->next)
            offer_profile(w, el, len + 2);
        if (!node->child)
            nearest_offer(w->nearest, w->path, len + 2);
    }
    w->path[len] = '\0';
}

static enum path_check check_profile(const cJSON *profile, const char *path, size_t len,
                                     const struct shown *s, char *why, size_t whylen)
{
    const size_t root_len = strlen("profile");
    if (!profile || len == root_len || profile_has(profile, path + root_len + 1, len - root_len - 1))
        return PATH_OK;
    char suggestion[2 * MAX_CANON] = "";
    struct canonical c;
    if (canonicalize(path, len, &c)) {
        struct nearest n;
        nearest_init(&n, c.text, c.len);
        struct profile_walk w = { .nearest = &n };
        memcpy(w.path, "profile", root_len + 1);
        offer_profile(&w, profile, root_len);
        if (n.best[0])
            written_form(n.best, &c, suggestion, sizeof suggestion);
    }
    return unknown(why, whylen, s, "profile key", suggestion,
                   profile->child ? "no loaded pack's profile has it" : "no loaded pack has a profile");
}

/* ---- where a path goes ---- */

static enum path_check check_at(const char *path, size_t len, const struct ref_scope *scope,
                                const struct shown *s, int depth, char *why, size_t whylen);

static bool root_is(const char *path, size_t len, const char *root)
{
    size_t n = strlen(root);
    return len >= n && memcmp(path, root, n) == 0 && (len == n || path[n] == '.');
}

/* $let.NAME.rest: checked as the value the let is computed from, with the
 * lets visible to that let. */
static enum path_check check_let_member(const char *path, size_t len, const struct ref_scope *scope,
                                        const struct shown *s, int depth, char *why, size_t whylen)
{
    const char *name = path + strlen("let.");
    const char *dot = memchr(name, '.', len - (size_t)(name - path));
    if (!dot || depth >= MAX_LET_DEPTH)
        return PATH_OK;
    size_t name_len = (size_t)(dot - name);
    const cJSON *spec = scope->lets ? scope->lets->child : NULL;
    size_t position = 0;
    while (spec && position < scope->lets_visible &&
           !(strlen(spec->string) == name_len && memcmp(spec->string, name, name_len) == 0)) {
        spec = spec->next;
        position++;
    }
    if (!spec || position >= scope->lets_visible)
        return PATH_OK;     /* refused already: not a let computed before this point */
    const char *a;
    enum let_shape shape = rules_let_shape(spec, &a);
    if (shape == LET_SHAPE_ANY)
        return PATH_OK;
    char note[120];
    if (shape == LET_SHAPE_NUMBER) {
        snprintf(note, sizeof note, "'let.%.60s' is a count", spec->string);
        return unknown(why, whylen, s, "member", NULL, note);
    }
    const char *rest = dot + 1;
    size_t rest_len = len - (size_t)(rest - path);
    char *origin = NULL, *checked = NULL;
    int origin_len = asprintf(&origin, "%s%s", a + 1, shape == LET_SHAPE_ELEMENT_OF_A ? ".0" : "");
    if (origin_len < 0 || asprintf(&checked, "%s.%.*s", origin, (int)rest_len, rest) < 0) {
        free(origin);
        return PATH_OK;     /* out of memory: left to evaluation, where it is absent */
    }
    char prefix[80];
    snprintf(prefix, sizeof prefix, "let.%.60s.", spec->string);
    struct shown link = { .written = s->written, .written_len = s->written_len, .form = s->form,
                          .strip = checked, .strip_len = (size_t)origin_len + 1,
                          .prefix = prefix, .prefix_len = strlen(prefix), .outer = s };
    struct ref_scope visible = *scope;
    visible.lets_visible = position;
    enum path_check found = check_at(checked, strlen(checked), &visible, &link, depth + 1, why, whylen);
    free(checked);
    free(origin);
    return found;
}

static enum path_check check_at(const char *path, size_t len, const struct ref_scope *scope,
                                const struct shown *s, int depth, char *why, size_t whylen)
{
    const struct rules_vocabulary *facts = scope->names->facts;
    if (root_is(path, len, "conn") || root_is(path, len, "capture"))
        return facts ? check_fact(facts, path, len, s, why, whylen) : PATH_OK;
    if (root_is(path, len, "good")) {
        size_t root_len = strlen("good");
        if (len == root_len || !facts)
            return PATH_OK;
        struct shown link = { .written = s->written, .written_len = s->written_len, .form = s->form,
                              .strip = "", .prefix = "good.", .prefix_len = root_len + 1, .outer = s };
        return check_fact(facts, path + root_len + 1, len - root_len - 1, &link, why, whylen);
    }
    if (root_is(path, len, "profile"))
        return check_profile(scope->names->profile, path, len, s, why, whylen);
    if (root_is(path, len, "let"))
        return check_let_member(path, len, scope, s, depth, why, whylen);
    return PATH_OK;     /* roots are checked before */
}

enum path_check rules_check_names(const char *path, size_t len, const struct ref_scope *scope,
                                  enum path_form form, char *why, size_t whylen)
{
    if (!scope->names)
        return PATH_OK;
    struct shown top = { .written = path, .written_len = len, .form = form, .strip = "", .prefix = "" };
    return check_at(path, len, scope, &top, 0, why, whylen);
}

/* ---- causes ---- */

/* Who must act on a cause: the remedy is addressed to them. */
static const char *const actors[] = { "endpoint", "server", "proxy", "network", NULL };

bool rules_check_actors(const cJSON *who, char *why, size_t whylen)
{
    if (!cJSON_IsArray(who)) {
        snprintf(why, whylen, "must be an array of endpoint, server, proxy or network (the first acts first)");
        return false;
    }
    int n = 0;
    for (const cJSON *a = who->child; a; a = a->next, n++) {
        bool known = false;
        for (int i = 0; cJSON_IsString(a) && actors[i]; i++)
            known |= strcmp(a->valuestring, actors[i]) == 0;
        if (!known) {
            snprintf(why, whylen, "item %d must be one of endpoint, server, proxy, network", n);
            return false;
        }
        for (const cJSON *b = who->child; b != a; b = b->next)
            if (strcmp(a->valuestring, b->valuestring) == 0) {
                snprintf(why, whylen, "names '%s' twice", a->valuestring);
                return false;
            }
    }
    return true;
}

const struct cause *rules_find_cause(const struct rule_set *rs, const char *cause)
{
    for (size_t i = 0; i < rs->cause_count; i++)
        if (strcmp(rs->causes[i].id, cause) == 0)
            return &rs->causes[i];
    return NULL;
}

bool rules_check_cause(const struct rule_set *rs, const char *cause, char *why, size_t whylen)
{
    for (size_t i = 0; i < rs->cause_count; i++)
        if (strcmp(rs->causes[i].id, cause) == 0)
            return true;
    struct nearest n;
    nearest_init(&n, cause, strlen(cause));
    for (size_t i = 0; i < rs->cause_count; i++)
        nearest_offer(&n, rs->causes[i].id, strlen(rs->causes[i].id));
    if (n.best[0])
        snprintf(why, whylen, "unknown cause '%.*s' (did you mean '%s'?)", SHOWN_MAX, cause, n.best);
    else
        snprintf(why, whylen, "unknown cause '%.*s' (%s)", SHOWN_MAX, cause,
                 rs->cause_count ? "no loaded pack declares it in its \"causes\""
                                 : "no loaded pack declares any \"causes\"");
    return false;
}

/* ---- rule ids ---- */

bool rules_check_rule_id(const struct rule_set *rs, const char *id, char *why, size_t whylen)
{
    for (size_t i = 0; i < rs->rule_count; i++)
        if (strcmp(rs->rules[i].id, id) == 0)
            return true;
    struct nearest n;
    nearest_init(&n, id, strlen(id));
    for (size_t i = 0; i < rs->rule_count; i++)
        nearest_offer(&n, rs->rules[i].id, strlen(rs->rules[i].id));
    if (n.best[0])
        snprintf(why, whylen, "unknown rule '%.*s' (did you mean '%s'?)", SHOWN_MAX, id, n.best);
    else
        snprintf(why, whylen, "unknown rule '%.*s' (no loaded pack has a rule with this id)", SHOWN_MAX, id);
    return false;
}
