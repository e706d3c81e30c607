/* From capture files to a report: runs the pipeline with the facts builder
 * as its consumer, evaluates the rule packs over the facts, and builds the
 * report. Shared by analyze, diff and check. */
#ifndef TLSDIAG_DIAGNOSE_H
#define TLSDIAG_DIAGNOSE_H

#include <cjson/cJSON.h>
#include "engine.h"
#include "pipeline.h"

struct diagnose_options {
    struct pipeline_options pipeline;
    const char **hosts;          /* --host values */
    size_t host_count;
    const char **rule_paths;     /* --rules values */
    size_t rule_path_count;
    bool default_rules;          /* load the packs installed with tlsdiag */
    bool input_digests;          /* SHA-256 of each input (for JSON reports) */
    /* Told how each input was read (unusable: rc 2 and err; a damaged tail
     * or skipped link types in the summary), as it is read; the caller
     * decides what to say. May be NULL. */
    void (*on_input_read)(const char *path, int rc, const char *err, const struct pipeline_summary *s);
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

/* Analyses bad (with good beside it when not NULL). Returns 0 with *report
 * set, or 2 when a capture is unusable (on_input_read was told why). */
int diagnose_capture(struct diagnoser *d, const char *bad, const char *good, cJSON **report);

/* `tlsdiag check`: 0 all expectations hold, 1 a regression, 2 unusable input. */
int check_one(struct diagnoser *d, const char *capture, const char *good, const char *expect_path);
int check_manifest(struct diagnoser *d, const char *manifest_path);

#endif
