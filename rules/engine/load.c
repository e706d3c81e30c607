/* Loading rule packs: files and folders, JSON syntax errors with a line
 * number, the pack's top level and the causes it declares, and the rule set
 * the packs are merged into. Every pack is read before any rule is checked:
 * a rule may name a cause or a profile key another pack declares. The first
 * problem stops the load: a malformed pack must not run. */
#include "engine.h"
#include "rules_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RULES_MAX_FILE_BYTES (16u << 20)   /* far above any hand-written pack */

struct loader {
    struct rule_set *rs;
    const struct rules_vocabulary *vocabulary;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static bool load_fail(struct loader *ld, const char *file, const char *fmt, ...)
{
    if (!ld->err || ld->errlen == 0)
        return false;
    int n = snprintf(ld->err, ld->errlen, "%s: ", file);
    if (n >= 0 && (size_t)n < ld->errlen) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, args);
        va_end(args);
    }
    return false;
}

/* ---- reading and parsing ---- */

static char *read_whole_file(struct loader *ld, const char *file, size_t *size)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        load_fail(ld, file, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 == cap) {
            char *grown = cap >= RULES_MAX_FILE_BYTES ? NULL : realloc(buf, cap * 2);
            if (!grown) {
                errno = cap >= RULES_MAX_FILE_BYTES ? EFBIG : ENOMEM;
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool failed = !buf || ferror(f);
    int saved_errno = errno;
    fclose(f);
    if (failed) {
        free(buf);
        load_fail(ld, file, "cannot read: %s", strerror(saved_errno));
        return NULL;
    }
    buf[len] = '\0';
    *size = len;
    return buf;
}

static unsigned line_of(const char *text, const char *at)
{
    unsigned line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

static cJSON *parse_pack(struct loader *ld, const char *file, const char *text, size_t size)
{
    const char *nul = memchr(text, '\0', size);
    if (nul) {
        load_fail(ld, file, "line %u: NUL byte in the file", line_of(text, nul));
        return NULL;
    }
    const char *json = text;
    if (size >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0)   /* editors' UTF-8 BOM */
        json += 3;
    const char *end = NULL;
    /* The length includes the NUL: cJSON then refuses trailing garbage. */
    cJSON *doc = cJSON_ParseWithLengthOpts(json, size + 1 - (size_t)(json - text), &end, true);
    if (doc)
        return doc;
    if (!end || !*end) {
        load_fail(ld, file, "line %u: JSON syntax error near end of file",
                  line_of(text, end ? end : text + size));
        return NULL;
    }
    char near[32];
    size_t n = 0;
    for (const char *p = end; *p && *p != '\n' && n + 1 < sizeof near; p++)
        near[n++] = (*p >= 0x20 && *p < 0x7F) ? *p : '?';
    near[n] = '\0';
    load_fail(ld, file, "line %u: JSON syntax error near '%s'", line_of(text, end), near);
    return NULL;
}

/* ---- the pack's top level ---- */

static bool check_top_keys(struct loader *ld, const char *file, const cJSON *doc)
{
    static const char *const known[] = { "pack", "version", "description", "profile", "causes", "rules" };
    for (const cJSON *key = doc->child; key; key = key->next) {
        size_t i = 0;
        while (i < sizeof known / sizeof known[0] && strcmp(known[i], key->string) != 0)
            i++;
        if (i == sizeof known / sizeof known[0] && key->string[0] != '_')
            return load_fail(ld, file, "unknown top-level key '%s'", key->string);
        for (const cJSON *earlier = doc->child; earlier != key; earlier = earlier->next)
            if (strcmp(earlier->string, key->string) == 0)
                return load_fail(ld, file, "key '%s' given twice", key->string);
    }
    const cJSON *pack = cJSON_GetObjectItemCaseSensitive(doc, "pack");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *description = cJSON_GetObjectItemCaseSensitive(doc, "description");
    const cJSON *profile = cJSON_GetObjectItemCaseSensitive(doc, "profile");
    const cJSON *causes = cJSON_GetObjectItemCaseSensitive(doc, "causes");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    if (!pack || !version || !rules)
        return load_fail(ld, file, "missing key '%s'", !pack ? "pack" : !version ? "version" : "rules");
    if (!cJSON_IsString(pack) || !pack->valuestring[0])
        return load_fail(ld, file, "'pack' must be a non-empty string");
    if (!cJSON_IsString(version))
        return load_fail(ld, file, "'version' must be a string");
    if (description && !cJSON_IsString(description))
        return load_fail(ld, file, "'description' must be a string");
    if (profile && !cJSON_IsObject(profile))
        return load_fail(ld, file, "'profile' must be an object");
    if (causes && !cJSON_IsArray(causes))
        return load_fail(ld, file, "'causes' must be an array");
    if (!cJSON_IsArray(rules))
        return load_fail(ld, file, "'rules' must be an array");
    return true;
}

/* ---- the causes a pack declares ---- */

static bool one_line(const cJSON *item)
{
    return cJSON_IsString(item) && item->valuestring[0] && !strpbrk(item->valuestring, "\r\n");
}

static bool add_cause(struct loader *ld, const char *file, const cJSON *object, int index, size_t pack)
{
    struct rule_set *rs = ld->rs;
    if (!cJSON_IsObject(object))
        return load_fail(ld, file, "causes[%d]: a cause must be an object {\"id\", \"title\", \"meaning\", \"who_acts\"}",
                         index);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(object, "id");
    if (!cJSON_IsString(id) || !rules_id_is_valid(id->valuestring))
        return load_fail(ld, file, "causes[%d]: 'id' must be a string of [a-z0-9_.-]", index);
    for (const cJSON *key = object->child; key; key = key->next)
        if (strcmp(key->string, "id") && strcmp(key->string, "title") && strcmp(key->string, "meaning") &&
            strcmp(key->string, "who_acts") && key->string[0] != '_')
            return load_fail(ld, file, "cause '%.100s': unknown key '%s'", id->valuestring, key->string);
    static const char *const texts[] = { "title", "meaning" };
    for (size_t i = 0; i < 2; i++)
        if (!one_line(cJSON_GetObjectItemCaseSensitive(object, texts[i])))
            return load_fail(ld, file, "cause '%.100s': '%s' must be a non-empty one-line string",
                             id->valuestring, texts[i]);
    const cJSON *who = cJSON_GetObjectItemCaseSensitive(object, "who_acts");
    char problem[160];
    if (!rules_check_actors(who, problem, sizeof problem))
        return load_fail(ld, file, "cause '%.100s': 'who_acts' %s", id->valuestring, problem);
    for (size_t i = 0; i < rs->cause_count; i++)
        if (strcmp(rs->causes[i].id, id->valuestring) == 0)
            return load_fail(ld, file, "cause '%.100s': declared twice (also in %s)", id->valuestring,
                             rs->packs[rs->causes[i].pack].file);
    struct cause *grown = realloc(rs->causes, (rs->cause_count + 1) * sizeof *grown);
    if (!grown)
        return load_fail(ld, file, "out of memory");
    rs->causes = grown;
    rs->causes[rs->cause_count++] = (struct cause){
        .id = id->valuestring,
        .title = cJSON_GetObjectItemCaseSensitive(object, "title")->valuestring,
        .meaning = cJSON_GetObjectItemCaseSensitive(object, "meaning")->valuestring,
        .who_acts = who,
        .pack = pack,
    };
    return true;
}

/* ---- rules, once every pack is read ---- */

static bool add_rule(struct loader *ld, size_t pack, const cJSON *object, int index)
{
    struct rule_set *rs = ld->rs;
    const char *file = rs->packs[pack].file;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(object, "id");
    char label[120];
    if (cJSON_IsString(id))
        snprintf(label, sizeof label, "rule '%.100s'", id->valuestring);
    else
        snprintf(label, sizeof label, "rules[%d]", index);
    if (!cJSON_IsObject(object))
        return load_fail(ld, file, "%s: a rule must be an object", label);

    struct rule rule = { .pack = pack };
    const struct rule_names names = { .facts = ld->vocabulary, .profile = rs->profile, .rs = rs };
    char why[512];
    if (!rules_check_rule(object, &names, &rule, why, sizeof why))
        return load_fail(ld, file, "%s: %s", label, why);
    for (size_t i = 0; i < rs->rule_count; i++)
        if (strcmp(rs->rules[i].id, rule.id) == 0)
            return load_fail(ld, file, "%s: duplicate id (also in %s)", label,
                             rs->packs[rs->rules[i].pack].file);

    struct rule *grown = realloc(rs->rules, (rs->rule_count + 1) * sizeof *grown);
    if (!grown)
        return load_fail(ld, file, "out of memory");
    rs->rules = grown;
    rs->rules[rs->rule_count++] = rule;
    rs->packs[rule.pack].rule_count++;
    return true;
}

/* A later pack's key replaces an earlier one's. */
static bool merge_profile(struct rule_set *rs, const cJSON *profile)
{
    for (const cJSON *key = profile ? profile->child : NULL; key; key = key->next) {
        cJSON *copy = cJSON_Duplicate(key, true);
        if (!copy)
            return false;
        if (cJSON_GetObjectItemCaseSensitive(rs->profile, key->string))
            cJSON_ReplaceItemInObjectCaseSensitive(rs->profile, key->string, copy);
        else
            cJSON_AddItemToObject(rs->profile, key->string, copy);
    }
    return true;
}

static bool add_pack(struct loader *ld, const char *file, cJSON *doc)
{
    struct rule_set *rs = ld->rs;
    struct pack *grown = realloc(rs->packs, (rs->pack_count + 1) * sizeof *grown);
    char *file_copy = strdup(file);
    if (grown)
        rs->packs = grown;
    if (!grown || !file_copy) {
        free(file_copy);
        cJSON_Delete(doc);
        return load_fail(ld, file, "out of memory");
    }
    rs->packs[rs->pack_count++] = (struct pack){
        .doc = doc,
        .file = file_copy,
        .name = cJSON_GetObjectItemCaseSensitive(doc, "pack")->valuestring,
        .version = cJSON_GetObjectItemCaseSensitive(doc, "version")->valuestring,
    };
    return true;
}

static bool load_file(struct loader *ld, const char *file)
{
    size_t size;
    char *text = read_whole_file(ld, file, &size);
    if (!text)
        return false;
    cJSON *doc = parse_pack(ld, file, text, size);
    free(text);
    if (!doc)
        return false;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return load_fail(ld, file, "a rule pack must be a JSON object");
    }
    if (!check_top_keys(ld, file, doc)) {
        cJSON_Delete(doc);
        return false;
    }
    if (!add_pack(ld, file, doc))      /* from here the rule set owns doc */
        return false;
    size_t pack = ld->rs->pack_count - 1;
    int index = 0;
    const cJSON *causes = cJSON_GetObjectItemCaseSensitive(doc, "causes");
    for (const cJSON *cause = causes ? causes->child : NULL; cause; cause = cause->next, index++)
        if (!add_cause(ld, file, cause, index, pack))
            return false;
    if (!merge_profile(ld->rs, cJSON_GetObjectItemCaseSensitive(doc, "profile")))
        return load_fail(ld, file, "out of memory");
    return true;
}

/* Every pack's rules, in load order, against what all packs declare. */
static bool add_rules(struct loader *ld)
{
    for (size_t pack = 0; pack < ld->rs->pack_count; pack++) {
        int index = 0;
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(ld->rs->packs[pack].doc, "rules");
        for (const cJSON *rule = rules->child; rule; rule = rule->next, index++)
            if (!add_rule(ld, pack, rule, index))
                return false;
    }
    return true;
}

/* ---- folders ---- */

static int select_json(const struct dirent *entry)
{
    size_t len = strlen(entry->d_name);
    return entry->d_name[0] != '.' && len > 5 && strcmp(entry->d_name + len - 5, ".json") == 0;
}

/* Byte order, not the locale's collation: the same folder loads the same
 * way everywhere. */
static int compare_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static bool load_folder(struct loader *ld, const char *folder)
{
    struct dirent **entries;
    int n = scandir(folder, &entries, select_json, compare_names);
    if (n < 0)
        return load_fail(ld, folder, "cannot list: %s", strerror(errno));
    bool ok = n > 0 || load_fail(ld, folder, "no *.json rule files in this folder");
    size_t folder_len = strlen(folder);
    bool slash = folder_len > 0 && folder[folder_len - 1] == '/';
    for (int i = 0; i < n; i++) {
        char *file = NULL;
        if (ok && asprintf(&file, "%s%s%s", folder, slash ? "" : "/", entries[i]->d_name) < 0) {
            file = NULL;
            ok = load_fail(ld, folder, "out of memory");
        }
        if (ok)
            ok = load_file(ld, file);
        free(file);
        free(entries[i]);
    }
    free(entries);
    return ok;
}

struct rule_set *rules_load(const char *const *paths, size_t count, const struct rules_vocabulary *vocabulary,
                            char *err, size_t errlen)
{
    struct loader ld = { .rs = calloc(1, sizeof *ld.rs), .vocabulary = vocabulary, .err = err, .errlen = errlen };
    if (err && errlen)
        err[0] = '\0';
    if (!ld.rs || !(ld.rs->profile = cJSON_CreateObject())) {
        free(ld.rs);
        load_fail(&ld, "rules", "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        bool ok;
        if (stat(paths[i], &st) != 0)
            ok = load_fail(&ld, paths[i], "cannot open: %s", strerror(errno));
        else if (S_ISDIR(st.st_mode))
            ok = load_folder(&ld, paths[i]);
        else
            ok = load_file(&ld, paths[i]);
        if (!ok) {
            rules_free(ld.rs);
            return NULL;
        }
    }
    if (!add_rules(&ld)) {
        rules_free(ld.rs);
        return NULL;
    }
    return ld.rs;
}
