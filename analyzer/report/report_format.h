/* The report's output formats behind one interface: a table with one row
 * per format ("text", "json", "html"). A new format is a file with its writer and
 * one row in report_format.c (and the writer's declaration below); the
 * command line takes its --format names, help and error messages from the
 * table. */
#ifndef TLSDIAG_REPORT_FORMAT_H
#define TLSDIAG_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct report_format {
    const char *name;            /* --format NAME */
    /* One report as it stands in a document. False when it could not be
     * rendered (out of memory); errors of out are the caller's (ferror). */
    bool (*write)(FILE *out, const cJSON *report);
    /* A document of one report is begin_one, the report, end_one. Several
     * reports (analyze with several captures) make one document: open_many,
     * the reports with between them, close_many. */
    const char *begin_one, *end_one;
    const char *open_many, *between, *close_many;
    /* Its reports show each input's SHA-256, which costs a second read of
     * every input: computed only when a format that shows it is written. */
    bool shows_digests;
};

/* Every format, the default ("text") first; the last has no name. */
extern const struct report_format report_formats[];

/* NULL when no format has that name. */
const struct report_format *report_format_find(const char *name);

/* The names joined with sep, the last two with last_sep: "text|json",
 * "text or json". */
void report_format_names(char *buf, size_t len, const char *sep, const char *last_sep);

/* A document of one report: begin_one, the report, end_one. False as for
 * write. */
bool report_format_write_one(const struct report_format *f, FILE *out, const cJSON *report);

/* The writers of the table's rows, one file each. */
bool report_write_text(FILE *out, const cJSON *report);   /* report_text.c */
bool report_write_json(FILE *out, const cJSON *report);   /* report_json.c */
bool report_write_html(FILE *out, const cJSON *report);   /* report_html.c */
/* What frames the HTML reports: the page's head (styles, the policy that
 * forbids scripts) and its end. */
extern const char report_html_head[], report_html_tail[];

#endif
