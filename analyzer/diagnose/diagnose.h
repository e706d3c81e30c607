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

/* Why a diagnoser could not be made. */
enum diagnose_failure_kind {
    DIAGNOSE_RULES_INVALID,     /* a rule pack does not load (message: which, why) */
    DIAGNOSE_NO_RULE_PACK,      /* the packs installed with tlsdiag are nowhere (searched: where) */
    DIAGNOSE_NO_RULES,          /* default packs not wanted and no --rules: nothing to diagnose with */
    DIAGNOSE_BAD_HOST,          /* a --host value is no name, address or prefix (message) */
    DIAGNOSE_NO_MEMORY,
};

/* Where the packs installed with tlsdiag are looked for, in order:
 * $TLSDIAG_RULES alone when it is set, else rules/packs/ of the source tree
 * the binary is in (one and two folders up), share/tlsdiag/rules beside
 * its bin/, and the system's /usr/share/tlsdiag/rules. */
#define DIAGNOSE_RULE_PLACES 5
#define DIAGNOSE_PLACE_MAX 4200

struct diagnose_failure {
    enum diagnose_failure_kind kind;
    char message[512];          /* one line, without "tlsdiag: " */
    /* DIAGNOSE_NO_RULE_PACK: every place looked in, in order, e.g.
     * "/opt/x/rules/packs" or "$TLSDIAG_RULES (not set)"; the caller
     * says them (the library prints nothing). */
    size_t searched_count;
    char searched[DIAGNOSE_RULE_PLACES][DIAGNOSE_PLACE_MAX];
};

/* Finds and loads the rule packs, checking every fact they name against
 * the fact registry (fact_registry.h), and checks the --host values. NULL
 * with why filled in (why may be NULL): a rule pack that does not load
 * (malformed, unknown fact, undeclared cause), no pack at all — the
 * default packs wanted and not found, or none wanted and no --rules —, or
 * a malformed --host. Never a diagnoser without rules: a capture judged by
 * no rule would read "nothing explains it". */
struct diagnoser *diagnoser_new(const struct diagnose_options *o, struct diagnose_failure *why);
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

/* Where the packs installed with tlsdiag are: $TLSDIAG_RULES, else
 * rules/packs one and two folders above the binary's (a build tree), else
 * share/tlsdiag/rules beside its bin/ (make install), else
 * /usr/share/tlsdiag/rules. False when none is there; searched (may be
 * NULL) lists the places looked in. */
bool diagnose_default_rules(char *out, size_t len, struct diagnose_failure *searched);

#endif
