/* Subcommands and the options they share. */
#ifndef TLSDIAG_CLI_H
#define TLSDIAG_CLI_H

#include <stdio.h>
#include "key_sources.h"
#include "pipeline.h"

#include "version.h"

struct subcommand {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the subcommand name */
};

int cmd_analyze(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_summarize(int argc, char **argv);

#define CLI_HELP_SHOWN (-1)
#define CLI_USAGE_ERROR (-2)

/* For commands that take only limit options and capture files: returns the
 * index of the first file, CLI_HELP_SHOWN after --help, or CLI_USAGE_ERROR
 * (message printed). */
int cli_parse_common(int argc, char **argv, struct pipeline_options *opt, void (*help)(FILE *),
                     struct keylog_files *keys);

/* --keylog FILE (keys NULL: not an option of this command). Returns 1 when
 * argv[*i] was one (the file read into keys), 0 when not, -1 when the file
 * cannot be used (message naming it printed: exit 2). */
int cli_keylog_option(int argc, char **argv, int *i, struct keylog_files *keys);
void cli_keylog_help(FILE *f);

/* Parses a limit option shared by every command (--max-conns N ...).
 * Returns 1 when argv[*i] was such an option (and consumes its value),
 * 0 when it was not, -1 on a bad value (message printed). */
int cli_limit_option(int argc, char **argv, int *i, struct pipeline_options *opt);
/* The help text for those options. */
void cli_limit_help(FILE *f);

/* Reports how a capture was read on stderr the same way for every command:
 * "tlsdiag: FILE: reason" for unusable input, warnings for damaged tails
 * and skipped link types. */
void cli_report_run(const char *path, enum pass_status status, const char *err,
                    const struct pipeline_summary *s);

/* Says in one line on stderr why no diagnoser could be made (exit status
 * 2): the rule pack that does not load, or every place the packs were
 * looked for. */
struct diagnose_failure;
void cli_report_diagnose_failure(const struct diagnose_failure *why);

/* The exit status of a command that read captures: 2 when one was unusable. */
int cli_exit_status(enum pass_status worst);

/* `tlsdiag check` (check.c): 0 all expectations hold, 1 a regression, 2
 * unusable input. */
struct diagnoser;
int check_one(struct diagnoser *d, const char *capture, const char *good, const char *expect_path);
int check_manifest(struct diagnoser *d, const char *manifest_path);

#endif
