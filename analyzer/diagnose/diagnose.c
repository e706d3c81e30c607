#include "diagnose.h"
#include "engine.h"
#include "fact_registry.h"
#include "facts.h"
#include "file_digest.h"
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PROFILE_LIST 64

struct diagnoser {
    const struct diagnose_options *opt;
    struct rule_set *rules;
    const char *hosts[MAX_PROFILE_LIST * 2];
    size_t host_count;
    const char *profile_hosts[MAX_PROFILE_LIST];
    size_t profile_host_count;
    const char *revocation_hosts[MAX_PROFILE_LIST];
    size_t revocation_host_count;
    uint16_t proxy_ports[MAX_PROFILE_LIST];
    size_t proxy_port_count;
    char default_rules_dir[PATH_MAX];
};

void diagnose_default_options(struct diagnose_options *o)
{
    memset(o, 0, sizeof *o);
    pipeline_default_options(&o->pipeline);
    o->pipeline.classify = true;
    o->default_rules = true;
}

static void append(const char ***list, size_t *count, const char *v)
{
    const char **grown = realloc(*list, (*count + 1) * sizeof **list);
    if (!grown)
        return;
    *list = grown;
    (*list)[(*count)++] = v;
}

void diagnose_add_host(struct diagnose_options *o, const char *host) { append(&o->hosts, &o->host_count, host); }
void diagnose_add_rules(struct diagnose_options *o, const char *path) { append(&o->rule_paths, &o->rule_path_count, path); }

void diagnose_free_options(struct diagnose_options *o)
{
    free(o->hosts);
    free(o->rule_paths);
    o->hosts = o->rule_paths = NULL;
}

/* A place looked in: what (a path, or how $TLSDIAG_RULES stood) and, when
 * not NULL, why it is no use. */
static void add_place(struct diagnose_failure *f, const char *what, const char *problem)
{
    if (f->searched_count < DIAGNOSE_RULE_PLACES)
        snprintf(f->searched[f->searched_count++], DIAGNOSE_PLACE_MAX, problem ? "%s (%s)" : "%s%s", what,
                 problem ? problem : "");
}

/* path's parent folder, in place: "/a/b" -> "/a", "/a" -> "/". */
static void parent_dir(char *path)
{
    char *slash = strrchr(path, '/');
    if (!slash)
        return;
    if (slash == path)
        slash[1] = 0;
    else
        *slash = 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The packs installed with tlsdiag: $TLSDIAG_RULES, else rules/packs/ of the
 * source tree the binary was built in, else the system location. Every
 * place looked in goes into searched, so that "not found" can say where. */
static bool find_default_rules(char *out, size_t len, struct diagnose_failure *searched)
{
    const char *env = getenv("TLSDIAG_RULES");
    if (env && *env) {
        struct stat st;
        snprintf(out, len, "%s", env);
        if (stat(out, &st) == 0)
            return true;
        char what[DIAGNOSE_PLACE_MAX - 64];
        snprintf(what, sizeof what, "$TLSDIAG_RULES=%s", env);
        add_place(searched, what, strerror(errno));
        return false;
    }
    add_place(searched, "$TLSDIAG_RULES", "not set");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        parent_dir(exe);        /* the binary's folder */
        /* /proc/self/exe has its links resolved, so ".." is the parent. */
        char up1[PATH_MAX], up2[PATH_MAX];
        snprintf(up1, sizeof up1, "%s", exe);
        parent_dir(up1);
        snprintf(up2, sizeof up2, "%s", up1);
        parent_dir(up2);
        const char *const bases[] = { up1, up2, up1 };
        static const char *const relative[] = { "rules/packs", "rules/packs", "share/tlsdiag/rules" };
        for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
            const char *base = bases[i];
            snprintf(out, len, "%s%s%s", base, strcmp(base, "/") ? "/" : "", relative[i]);
            if (is_dir(out))
                return true;
            add_place(searched, out, NULL);
        }
    }
    snprintf(out, len, "/usr/share/tlsdiag/rules");
    if (is_dir(out))
        return true;
    add_place(searched, out, NULL);
    return false;
}

bool diagnose_default_rules(char *out, size_t len, struct diagnose_failure *searched)
{
    struct diagnose_failure ignored;
    memset(&ignored, 0, sizeof ignored);
    return find_default_rules(out, len, searched ? searched : &ignored);
}

static size_t string_list(const cJSON *arr, const char **out, size_t max)
{
    size_t n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
        if (cJSON_IsString(v) && n < max)
            out[n++] = v->valuestring;
    return n;
}

static void read_profile(struct diagnoser *d)
{
    const cJSON *profile = rules_profile(d->rules);
    d->profile_host_count = string_list(cJSON_GetObjectItem(profile, "hosts"), d->profile_hosts, MAX_PROFILE_LIST);
    d->revocation_host_count = string_list(cJSON_GetObjectItem(profile, "revocation_hosts"),
                                           d->revocation_hosts, MAX_PROFILE_LIST);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(profile, "proxy_ports"))
        if (cJSON_IsNumber(v) && d->proxy_port_count < MAX_PROFILE_LIST && v->valuedouble > 0 && v->valuedouble < 65536)
            d->proxy_ports[d->proxy_port_count++] = (uint16_t)v->valuedouble;
    /* --host names the servers to analyse; without it, the profile's. */
    if (d->opt->host_count) {
        for (size_t i = 0; i < d->opt->host_count && d->host_count < MAX_PROFILE_LIST; i++)
            d->hosts[d->host_count++] = d->opt->hosts[i];
    } else {
        for (size_t i = 0; i < d->profile_host_count; i++)
            d->hosts[d->host_count++] = d->profile_hosts[i];
    }
}

static struct diagnoser *failed(struct diagnoser *d, struct diagnose_failure *why,
                                 enum diagnose_failure_kind kind, const char *message)
{
    why->kind = kind;
    if (message)
        snprintf(why->message, sizeof why->message, "%s", message);
    free(d);
    return NULL;
}

struct diagnoser *diagnoser_new(const struct diagnose_options *o, struct diagnose_failure *why)
{
    struct diagnose_failure ignored;
    if (!why)
        why = &ignored;
    memset(why, 0, sizeof *why);
    struct diagnoser *d = calloc(1, sizeof *d);
    if (!d)
        return failed(d, why, DIAGNOSE_NO_MEMORY, "out of memory");
    d->opt = o;
    for (size_t i = 0; i < o->host_count; i++) {
        char problem[300];
        if (!facts_host_valid(o->hosts[i], problem, sizeof problem)) {
            snprintf(why->message, sizeof why->message, "--host %s", problem);
            return failed(d, why, DIAGNOSE_BAD_HOST, NULL);
        }
    }
    const char *paths[MAX_PROFILE_LIST];
    size_t n = 0;
    if (o->default_rules) {
        if (!find_default_rules(d->default_rules_dir, sizeof d->default_rules_dir, why))
            return failed(d, why, DIAGNOSE_NO_RULE_PACK, "no rule pack found");
        paths[n++] = d->default_rules_dir;
    }
    for (size_t i = 0; i < o->rule_path_count && n < MAX_PROFILE_LIST; i++)
        paths[n++] = o->rule_paths[i];
    if (n == 0)
        return failed(d, why, DIAGNOSE_NO_RULES, "no rule pack to load: --no-default-rules and no --rules");
    const struct rules_vocabulary facts = diagnose_fact_vocabulary();
    d->rules = rules_load(paths, n, &facts, why->message, sizeof why->message);
    if (!d->rules)
        return failed(d, why, DIAGNOSE_RULES_INVALID, NULL);
    read_profile(d);
    return d;
}

struct rules_vocabulary diagnose_fact_vocabulary(void)
{
    return (struct rules_vocabulary){ .facts = fact_registry_paths, .fact_count = fact_registry_count };
}

const struct rule_set *diagnoser_rules(const struct diagnoser *d)
{
    return d->rules;
}

void diagnoser_free(struct diagnoser *d)
{
    if (!d)
        return;
    rules_free(d->rules);
    free(d);
}

/* One capture through the pipeline into facts. */
static enum pass_status collect_facts(struct diagnoser *d, const struct capture_source *src, const char *name,
                                      const char *role, struct report_side *side)
{
    struct facts_options fo = {
        .hosts = d->hosts, .host_count = d->host_count, .hosts_from_user = d->opt->host_count > 0,
        .profile_hosts = d->profile_hosts, .profile_host_count = d->profile_host_count,
        .revocation_hosts = d->revocation_hosts, .revocation_host_count = d->revocation_host_count,
        .proxy_ports = d->proxy_ports, .proxy_port_count = d->proxy_port_count,
        .max_open_tls_facts = d->opt->pipeline.max_open_tls_facts,
    };
    /* The capture's keys: --keylog files and its Decryption Secrets Blocks,
     * the blocks fed to the store as the pass reads them. */
    struct capture_keys keys;
    struct capture_source read_src = *src;
    capture_keys_load_while_read(&keys, d->opt->keylog_files, &read_src);
    struct pipeline_options popt = d->opt->pipeline;
    popt.keylog = keys.store;
    fo.keys = &keys;
    struct facts_builder *fb = facts_new(&fo);
    if (!fb) {
        capture_keys_free(&keys);
        return PASS_UNUSABLE;
    }
    struct event_sink sink = { fb, facts_on_event };
    struct pipeline_summary summary;
    char err[256] = "";
    /* A digest names a file; bytes in memory have none. */
    /* Standard input or a pipe is read once, by the pass: no digest, no
     * size, no second pass. */
    bool from_stdin = !capture_source_rereadable(src);
    struct file_digest *digest = d->opt->input_digests && src->path && !from_stdin ? file_digest_start(src->path)
                                                                                  : NULL;
    enum pass_status status = pass_read(&read_src, &popt, &sink, &summary, err, sizeof err);
    char sha256[FILE_DIGEST_HEX];
    file_digest_finish(digest, sha256);
    if (keys.late && status != PASS_UNUSABLE && !from_stdin) {
        /* A key log block came after packets, which were read without its
         * keys: the whole capture again, with every key from the start, as
         * if the blocks had all come first. The blocks are not fed twice
         * (key_sources.c), and only this pass's use of the keys counts. */
        facts_free(fb);
        fb = facts_new(&fo);
        if (!fb) {
            capture_keys_free(&keys);
            return PASS_UNUSABLE;
        }
        sink.ctx = fb;
        keylog_clear_used(keys.store);
        err[0] = '\0';
        status = pass_read(&read_src, &popt, &sink, &summary, err, sizeof err);
    }
    capture_keys_pass_done(&keys);
    if (d->opt->on_input_read)
        d->opt->on_input_read(name, status, err, &summary);
    if (status == PASS_UNUSABLE) {
        facts_free(fb);
        capture_keys_free(&keys);
        return status;
    }
    struct stat st;
    int64_t size = !src->path ? (int64_t)src->len
                   : !from_stdin && stat(src->path, &st) == 0 ? (int64_t)st.st_size : -1;
    side->role = role;
    side->path = name;
    side->facts = facts_finish(fb, &summary);
    side->input = report_input_json(role, name, size, sha256, summary.format, summary.frames);
    facts_free(fb);
    capture_keys_free(&keys);
    return status;
}

/* Rules see the capture's facts apart from its connection list. */
static cJSON *evaluate(struct diagnoser *d, cJSON *facts, const cJSON *good)
{
    cJSON *conns = cJSON_DetachItemFromObject(facts, "connections");
    cJSON *findings = rules_evaluate(d->rules, facts, conns, good);
    cJSON_AddItemToObject(facts, "connections", conns);
    return findings ? findings : cJSON_CreateArray();
}

static cJSON *targets_json(const struct diagnoser *d)
{
    cJSON *t = cJSON_CreateObject();
    cJSON *hosts = cJSON_AddArrayToObject(t, "hosts");
    for (size_t i = 0; i < d->host_count; i++)
        cJSON_AddItemToArray(hosts, cJSON_CreateString(d->hosts[i]));
    cJSON_AddStringToObject(t, "source", d->opt->host_count ? "--host" : d->host_count ? "profile" : "all_tls");
    return t;
}

static enum pass_status worse(enum pass_status a, enum pass_status b) { return a > b ? a : b; }

/* bad, and good beside it when not NULL (named good_name). */
static enum pass_status diagnose_sources(struct diagnoser *d, const struct capture_source *bad, const char *bad_name,
                                         const struct capture_source *good, const char *good_name, cJSON **report)
{
    struct report_side sides[2];
    memset(sides, 0, sizeof sides);
    enum pass_status status = collect_facts(d, bad, bad_name, good ? "bad" : "capture", &sides[0]);
    if (status != PASS_UNUSABLE && good)
        status = worse(status, collect_facts(d, good, good_name, "good", &sides[1]));
    if (status == PASS_UNUSABLE) {
        for (int i = 0; i < 2; i++) {
            cJSON_Delete(sides[i].facts);
            cJSON_Delete(sides[i].input);
        }
        return status;
    }
    cJSON *good_ctx = NULL;
    if (good) {
        sides[1].findings = evaluate(d, sides[1].facts, NULL);
        good_ctx = cJSON_CreateObject();
        const cJSON *primary = report_primary_connection(sides[1].facts, false);
        if (primary)
            cJSON_AddItemToObject(good_ctx, "conn", cJSON_Duplicate(primary, true));
        cJSON *capture = cJSON_Duplicate(sides[1].facts, true);
        cJSON_DeleteItemFromObject(capture, "connections");
        cJSON_AddItemToObject(good_ctx, "capture", capture);
    }
    sides[0].findings = evaluate(d, sides[0].facts, good_ctx);
    cJSON_Delete(good_ctx);
    *report = report_build(good ? "diff" : "analyze", sides, good ? 2 : 1, rules_packs_json(d->rules),
                           cJSON_Duplicate(rules_profile(d->rules), true), targets_json(d));
    return status;
}

enum pass_status diagnose_capture(struct diagnoser *d, const char *bad, const char *good, cJSON **report)
{
    struct capture_source bad_file = { .path = bad }, good_file = { .path = good };
    return diagnose_sources(d, &bad_file, bad, good ? &good_file : NULL, good, report);
}

enum pass_status diagnose_memory(struct diagnoser *d, const char *name, const void *data, size_t len,
                                 cJSON **report)
{
    struct capture_source bytes = { .data = data, .len = len };
    return diagnose_sources(d, &bytes, name, NULL, NULL, report);
}
