/* tlsdiag summarize: the roll-up of JSON reports made anywhere — single
 * reports (analyze/diff --format json) and fleet documents (analyze of
 * several captures) — the reduce step of a fleet analysed in parallel. */
#include "cli.h"
#include "rollup.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A fleet document holds every report; past this it is not read whole. */
#define SUMMARIZE_MAX_FILE (1024L * 1024 * 1024)

static void summarize_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag summarize [--format text|json] REPORT.json...\n\n"
               "Merges JSON reports (one capture's, from analyze or diff --format json, or a\n"
               "fleet document of several) into one roll-up: a line per capture and the\n"
               "counts by outcome and cause. The same roll-up as analyze over the same\n"
               "captures, wherever each report was made.\n\n"
               "exit status: 0 every report read, 2 a file is not a tlsdiag report or\n"
               "cannot be read, or a usage error\n");
}

static char *read_whole(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    char *text = NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        snprintf(err, errlen, "not a regular file");
    else if (st.st_size > SUMMARIZE_MAX_FILE)
        snprintf(err, errlen, "larger than %ld MiB", SUMMARIZE_MAX_FILE >> 20);
    else if (!(text = malloc((size_t)st.st_size + 1)))
        snprintf(err, errlen, "out of memory");
    else {
        size_t got = fread(text, 1, (size_t)st.st_size, f);
        text[got] = 0;
    }
    fclose(f);
    return text;
}

/* Adds a file's reports; false (err says why) when it holds none. */
static bool add_file(const char *path, struct rollup *r, cJSON *rows, cJSON *unusable, char *err, size_t errlen)
{
    char *text = read_whole(path, err, errlen);
    if (!text)
        return false;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    const char *schema = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "schema"));
    bool ok = true;
    if (schema && !strcmp(schema, "tlsdiag-report")) {
        cJSON *row = rollup_row(doc);
        rollup_add_row(r, row);
        cJSON_AddItemToArray(rows, row);
    } else if (schema && !strcmp(schema, "tlsdiag-fleet")) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(doc, "captures")) {
            rollup_add_row(r, row);
            cJSON_AddItemToArray(rows, cJSON_Duplicate(row, true));
        }
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItem(doc, "unusable")) {
            rollup_add_unusable(r);
            cJSON_AddItemToArray(unusable, cJSON_Duplicate(u, true));
        }
    } else {
        snprintf(err, errlen, "%s", doc ? "not a tlsdiag report (no \"schema\": \"tlsdiag-report\" or "
                                          "\"tlsdiag-fleet\")" : "not JSON");
        ok = false;
    }
    cJSON_Delete(doc);
    return ok;
}

int cmd_summarize(int argc, char **argv)
{
    bool json = false;
    int first = 0, status = 0;
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            summarize_help(stdout);
            free(files);
            return 0;
        }
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "text") && strcmp(f, "json")) {
                fprintf(stderr, "tlsdiag: --format takes text or json\n");
                free(files);
                return 2;
            }
            json = !strcmp(f, "json");
        } else if (!strcmp(argv[i], "--") ) {
            for (i++; i < argc; i++)
                files[first++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "tlsdiag summarize: unknown option or missing value: '%s'\n", argv[i]);
            free(files);
            return 2;
        } else {
            files[first++] = argv[i];
        }
    }
    if (!first) {
        summarize_help(stderr);
        free(files);
        return 2;
    }
    struct rollup *r = rollup_new();
    cJSON *rows = cJSON_CreateArray(), *unusable = cJSON_CreateArray();
    for (int i = 0; i < first; i++) {
        char err[200];
        if (!add_file(files[i], r, rows, unusable, err, sizeof err)) {
            fprintf(stderr, "tlsdiag: %s: %s\n", files[i], err);
            status = 2;
        }
    }
    cJSON *summary = rollup_json(r);
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "schema", "tlsdiag-fleet");
        cJSON_AddStringToObject(doc, "schema_version", FLEET_SCHEMA_VERSION);
        cJSON *tool = cJSON_AddObjectToObject(doc, "tool");
        cJSON_AddStringToObject(tool, "name", "tlsdiag");
        cJSON_AddStringToObject(tool, "version", TLSDIAG_VERSION);
        cJSON_AddItemToObject(doc, "captures", rows);
        cJSON_AddItemToObject(doc, "unusable", unusable);
        cJSON_AddItemToObject(doc, "rollup", summary);
        char *text = cJSON_PrintUnformatted(doc);
        if (text)
            printf("%s\n", text);
        free(text);
        cJSON_Delete(doc);
    } else {
        printf("%-12s %-36s %s\n", "outcome", "cause", "capture (endpoint, key frame)");
        const cJSON *row;
        cJSON_ArrayForEach(row, rows)
            rollup_write_row_text(stdout, row);
        rollup_write_text(stdout, summary);
        cJSON_Delete(rows);
        cJSON_Delete(unusable);
        cJSON_Delete(summary);
    }
    rollup_free(r);
    free(files);
    return status;
}
