/* From capture files to a report: runs the pipeline with the facts builder
 * as its consumer, evaluates the rule packs over the facts, and builds the
 * report. Shared by analyze, diff and check. */
#ifndef TLSDIAG_DIAGNOSE_H
#define TLSDIAG_DIAGNOSE_H

#include <cjson/cJSON.h>
#include "engine.h"
#include "key_sources.h"
#include "pipeline.h"

struct diagnose_options {
    struct pipeline_options pipeline;
    const char **hosts;          /* --host values */
    size_t host_count;
    const char **rule_paths;     /* --rules values */
    size_t rule_path_count;
    bool default_rules;          /* load the packs installed with tlsdiag */
    bool input_digests;          /* SHA-256 of each input (for JSON reports) */
    const struct keylog_files *keylog_files;   /* --keylog; NULL: none */
    /* Told how each input was read (unusable: the reason in err; a damaged
     * tail or skipped link types in the summary), as it is read; the caller
     * decides what to say. May be NULL. */
    void (*on_input_read)(const char *path, enum pass_status status, const char *err,
                          const struct pipeline_summary *s);
};

void diagnose_default_options(struct diagnose_options *o);
void diagnose_add_host(struct diagnose_options *o, const char *host);
void diagnose_add_rules(struct diagnose_options *o, const char *path);
void diagnose_free_options(struct diagnose_options *o);

struct diagnoser;

/* Loads the rules, checking every fact they name against the fact registry
 * (fact_registry.h); NULL with a one-line reason in err (malformed rule
 * file, unknown fact, undeclared cause). */
struct diagnoser *diagnoser_new(const struct diagnose_options *o, char *err, size_t errlen);
void diagnoser_free(struct diagnoser *d);

/* The loaded rule packs (their causes, profile). */
const struct rule_set *diagnoser_rules(const struct diagnoser *d);
/* The fact registry as the rules engine takes it. */
struct rules_vocabulary diagnose_fact_vocabulary(void);

/* Analyses bad (with good beside it when not NULL). Returns how the
 * captures were read, the worse of the two; *report is set unless that is
 * PASS_UNUSABLE (on_input_read was told why). */
enum pass_status diagnose_capture(struct diagnoser *d, const char *bad, const char *good, cJSON **report);

/* The same for one capture whose bytes are in memory (the fuzz target):
 * name stands for its file in the report and in on_input_read. */
enum pass_status diagnose_memory(struct diagnoser *d, const char *name, const void *data, size_t len,
                                 cJSON **report);

#endif
