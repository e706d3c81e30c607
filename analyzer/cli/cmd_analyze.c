/* `tlsdiag analyze`, `tlsdiag diff` and `tlsdiag check`: facts from each
 * capture, rules over the facts, a report. */
#include "cli.h"
#include "diagnose.h"
#include "report_format.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The options that write the report to a file in a format of their own,
 * besides what goes to stdout. */
static const struct file_option {
    const char *option, *format;
} file_options[] = {
    { "--json", "json" },
    { "--html", "html" },
};
#define FILE_OPTIONS (sizeof file_options / sizeof file_options[0])

struct analyze_args {
    struct diagnose_options diag;
    const struct report_format *format;   /* --format NAME: what goes to stdout */
    const char *file_path[FILE_OPTIONS];  /* --json FILE, --html FILE: NULL when not given */
    const char *good, *bad;      /* diff */
    const char *expect;          /* check --expect */
    const char *manifest;        /* check --manifest */
    const char **files;
    int file_count;
    int jobs;                    /* analyze --jobs N */
    struct keylog_files keys;    /* --keylog FILE... */
};

static void common_help(FILE *f)
{
    char formats[128];
    report_format_names(formats, sizeof formats, ", ", " or ");
    fprintf(f, "options:\n"
               "  --host HOST          a server to analyse (repeatable): a name (wildcards * and\n"
               "                       ?), an IP address, or a prefix (192.0.2.0/24,\n"
               "                       2001:db8::/32); '*' alone: every TLS connection;\n"
               "                       default: the rule packs' profile hosts, else every TLS\n"
               "                       connection in the capture\n"
               "  --rules DIR|FILE     load more rule packs (repeatable)\n"
               "  --no-default-rules   do not load the packs installed with tlsdiag\n"
               "  --json FILE          also write the JSON report to FILE\n"
               "  --html FILE          also write the HTML report to FILE: one page, no\n"
               "                       scripts, ladder diagrams of the attempts\n"
               "  --format NAME        what to print on standard output: %s\n"
               "                       (default %s)\n",
            formats, report_formats[0].name);
    fprintf(f, "  --jobs N             analyze: N captures at a time, one process each;\n"
               "                       output stays in the order of the arguments\n");
    cli_keylog_help(f);
    fputc('\n', f);
    cli_limit_help(f);
}

static void analyze_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag analyze [OPTIONS] CAPTURE...\n\n"
               "Says why TLS connections to the target server failed in each capture: the\n"
               "cause first, then the frames that show it, then what to change.\n\n"
               "exit status: 0 success, 1 failed or intermittent, 2 unusable input or usage\n"
               "error, 3 inconclusive (the capture cannot tell; the report says why)\n\n");
    common_help(f);
}

static void diff_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag diff [OPTIONS] --good CAPTURE --bad CAPTURE\n\n"
               "Diagnoses the failing endpoint's capture with the working endpoint's capture\n"
               "beside it: what broke, and every difference between the two that matters.\n\n"
               "exit status: 0 success, 1 failed or intermittent, 2 unusable input or usage\n"
               "error, 3 inconclusive (the capture cannot tell; the report says why)\n\n");
    common_help(f);
}

static void check_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag check [OPTIONS] CAPTURE --expect EXPECTED.json [--good CAPTURE]\n"
               "       tlsdiag check [OPTIONS] --manifest MANIFEST.json\n\n"
               "Compares the analysis of golden captures with what is expected of them: the\n"
               "cause, finding ids and key facts (see README, 'tlsdiag check'). Prints each\n"
               "difference.\n\n"
               "exit status: 0 all hold, 1 a regression, 2 unusable input or usage error\n\n");
    common_help(f);
}

/* Which of file_options arg is; -1: none. */
static int file_option_index(const char *arg)
{
    for (size_t k = 0; k < FILE_OPTIONS; k++)
        if (!strcmp(arg, file_options[k].option))
            return (int)k;
    return -1;
}

static const struct report_format *file_format(size_t k) { return report_format_find(file_options[k].format); }

/* Parses everything the three commands share. Returns 0, or the exit status. */
static int parse_args(int argc, char **argv, struct analyze_args *a, void (*help)(FILE *))
{
    memset(a, 0, sizeof *a);
    diagnose_default_options(&a->diag);
    a->files = calloc((size_t)argc, sizeof *a->files);
    a->format = &report_formats[0];
    a->jobs = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        int r = cli_limit_option(argc, argv, &i, &a->diag.pipeline);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        r = cli_keylog_option(argc, argv, &i, &a->keys);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            help(stdout);
            return -1;
        }
        if (!strcmp(arg, "--no-default-rules")) {
            a->diag.default_rules = false;
        } else if (!strcmp(arg, "--format") && has_value) {
            a->format = report_format_find(argv[++i]);
            if (!a->format) {
                char formats[128];
                report_format_names(formats, sizeof formats, ", ", " or ");
                fprintf(stderr, "tlsdiag: --format takes %s\n", formats);
                return 2;
            }
        } else if (!strcmp(arg, "--jobs") && has_value) {
            char *end;
            long jobs = strtol(argv[++i], &end, 10);
            if (*end || jobs < 1 || jobs > 256) {
                fprintf(stderr, "tlsdiag: --jobs takes a number from 1 to 256\n");
                return 2;
            }
            a->jobs = (int)jobs;
        } else if (file_option_index(arg) >= 0 && has_value) {
            a->file_path[file_option_index(arg)] = argv[++i];
        } else if ((!strcmp(arg, "--host") || !strcmp(arg, "--rules") ||
                    !strcmp(arg, "--good") || !strcmp(arg, "--bad") || !strcmp(arg, "--expect") ||
                    !strcmp(arg, "--manifest")) && has_value) {
            const char *v = argv[++i];
            if (!strcmp(arg, "--host"))
                diagnose_add_host(&a->diag, v);
            else if (!strcmp(arg, "--rules"))
                diagnose_add_rules(&a->diag, v);
            else if (!strcmp(arg, "--good"))
                a->good = v;
            else if (!strcmp(arg, "--bad"))
                a->bad = v;
            else if (!strcmp(arg, "--expect"))
                a->expect = v;
            else
                a->manifest = v;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "tlsdiag %s: unknown option or missing value: '%s'\n", argv[0], arg);
            return 2;
        } else {
            a->files[a->file_count++] = arg;
        }
    }
    return 0;
}

/* Writes to path a document of one report in fmt, or (report NULL) text and
 * a newline: the joined reports of several captures. */
static bool write_file(const char *path, const struct report_format *fmt, const cJSON *report,
                       const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f != NULL;
    if (ok && report)
        ok = report_format_write_one(fmt, f, report);
    else if (ok)
        ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f) {
        ok = ok && !ferror(f);
        if (fclose(f) != 0)
            ok = false;
    }
    if (!ok)
        fprintf(stderr, "tlsdiag: %s: cannot write the report\n", path);
    return ok;
}

/* The exit status of a report: its diagnosis's outcome (report.h). */
static int exit_status_for(const cJSON *report)
{
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(diag, "outcome"));
    if (outcome && !strcmp(outcome, "success"))
        return 0;
    if (outcome && !strcmp(outcome, "inconclusive"))
        return 3;
    return 1;
}

/* Several captures exit with the worst: unusable input, then a failure,
 * then a capture that cannot tell, then success. */
static int status_weight(int status)
{
    switch (status) {
    case 0: return 0;
    case 3: return 1;
    case 1: return 2;
    default: return 3;
    }
}

/* One report to each FILE of --json and --html, and to stdout in the
 * chosen format. */
static int write_outputs(const struct analyze_args *a, const cJSON *report)
{
    int rc = 0;
    for (size_t k = 0; k < FILE_OPTIONS; k++)
        if (a->file_path[k] && !write_file(a->file_path[k], file_format(k), report, NULL))
            rc = 2;
    if (!report_format_write_one(a->format, stdout, report))
        rc = 2;
    return rc;
}

/* Analyses one capture; writes the report as it stands in a document of
 * several, in fmt to out and in each file option's format to files[k]
 * (NULL: not wanted). Returns the exit status. */
static int analyze_to(struct diagnoser *d, const char *path, const struct report_format *fmt, FILE *out,
                      FILE *const files[FILE_OPTIONS])
{
    cJSON *report = NULL;
    enum pass_status read = diagnose_capture(d, path, NULL, &report);
    if (read == PASS_UNUSABLE)
        return cli_exit_status(read);
    int status = exit_status_for(report);
    for (size_t k = 0; k < FILE_OPTIONS; k++)
        if (files[k])
            file_format(k)->write(files[k], report);
    if (out)
        fmt->write(out, report);
    cJSON_Delete(report);
    return status;
}

struct job {
    pid_t pid;
    FILE *out, *files[FILE_OPTIONS];   /* the child's outputs, read back in argument order */
    int status;
};

static void start_job(struct diagnoser *d, const struct analyze_args *a, int i, struct job *job)
{
    job->out = tmpfile();
    /* A file in the format of stdout is made from stdout's output. */
    for (size_t k = 0; k < FILE_OPTIONS; k++)
        job->files[k] = a->file_path[k] && a->format != file_format(k) ? tmpfile() : NULL;
    job->status = 2;
    fflush(NULL);
    job->pid = fork();
    if (job->pid == 0) {
        int status = analyze_to(d, a->files[i], a->format, job->out, job->files);
        fflush(NULL);
        _exit(status);
    }
}

static void copy_back(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    if (!from)
        return;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        fwrite(buf, 1, n, to);
}

/* Waits for a child and adds its report to the stdout document and to the
 * document of each file option (file_out[k], NULL when it is not given). */
static void finish_job(struct job *job, const struct report_format *fmt, FILE *const file_out[FILE_OPTIONS],
                       bool first)
{
    int wstatus;
    if (job->pid > 0 && waitpid(job->pid, &wstatus, 0) == job->pid && WIFEXITED(wstatus))
        job->status = WEXITSTATUS(wstatus);
    if (!first)
        fputs(fmt->between, stdout);
    copy_back(job->out, stdout);
    for (size_t k = 0; k < FILE_OPTIONS; k++) {
        if (!file_out[k])
            continue;
        if (!first)
            fputs(file_format(k)->between, file_out[k]);
        copy_back(job->files[k] ? job->files[k] : job->out, file_out[k]);
        if (job->files[k])
            fclose(job->files[k]);
    }
    if (job->out)
        fclose(job->out);
}

/* Several captures: each analysed in a child process, --jobs at a time, the
 * outputs joined in argument order, as one document of each format. */
static int analyze_many(struct diagnoser *d, const struct analyze_args *a)
{
    struct job *jobs = calloc((size_t)a->file_count, sizeof *jobs);
    if (!jobs)
        return 2;
    char *joined[FILE_OPTIONS] = { NULL };
    size_t joined_len[FILE_OPTIONS] = { 0 };
    FILE *file_out[FILE_OPTIONS] = { NULL };
    for (size_t k = 0; k < FILE_OPTIONS; k++) {
        if (!a->file_path[k])
            continue;
        file_out[k] = open_memstream(&joined[k], &joined_len[k]);
        if (file_out[k])
            fputs(file_format(k)->open_many, file_out[k]);
    }
    fputs(a->format->open_many, stdout);
    int started = 0, worst = 0;
    for (int i = 0; i < a->file_count; i++) {
        while (started < a->file_count && started < i + a->jobs) {
            start_job(d, a, started, &jobs[started]);
            started++;
        }
        finish_job(&jobs[i], a->format, file_out, i == 0);
        if (status_weight(jobs[i].status) > status_weight(worst))
            worst = jobs[i].status;
    }
    fputs(a->format->close_many, stdout);
    for (size_t k = 0; k < FILE_OPTIONS; k++) {
        if (!a->file_path[k])
            continue;
        if (file_out[k]) {
            fputs(file_format(k)->close_many, file_out[k]);
            fclose(file_out[k]);
        }
        if (!file_out[k] || !write_file(a->file_path[k], NULL, NULL, joined[k]))
            worst = 2;
        free(joined[k]);
    }
    free(jobs);
    return worst;
}

static int finish(struct analyze_args *a, int status)
{
    free(a->files);
    diagnose_free_options(&a->diag);
    keylog_files_free(&a->keys);
    return status;
}

/* Diagnoses one capture (beside a working one in diff mode) and writes the
 * report. Returns the exit status. */
static int report_one(struct diagnoser *d, const struct analyze_args *a, const char *bad, const char *good)
{
    cJSON *report = NULL;
    enum pass_status read = diagnose_capture(d, bad, good, &report);
    int rc = cli_exit_status(read);
    if (read != PASS_UNUSABLE) {
        rc = write_outputs(a, report);
        if (!rc)
            rc = exit_status_for(report);
    }
    cJSON_Delete(report);
    return rc;
}

/* What the three commands share: arguments, the rule set, clean-up. */
static int run_command(int argc, char **argv, void (*help)(FILE *),
                       bool (*usable)(const struct analyze_args *),
                       int (*body)(struct diagnoser *, const struct analyze_args *))
{
    struct analyze_args a;
    int rc = parse_args(argc, argv, &a, help);
    if (rc)
        return finish(&a, rc < 0 ? 0 : rc);
    if (!usable(&a)) {
        help(stderr);
        return finish(&a, 2);
    }
    a.diag.input_digests = a.format->shows_digests;
    for (size_t k = 0; k < FILE_OPTIONS; k++)
        if (a.file_path[k] && file_format(k)->shows_digests)
            a.diag.input_digests = true;
    a.diag.on_input_read = cli_report_run;
    a.diag.keylog_files = &a.keys;
    struct diagnose_failure why;
    struct diagnoser *d = diagnoser_new(&a.diag, &why);
    if (!d) {
        cli_report_diagnose_failure(&why);
        return finish(&a, 2);
    }
    rc = body(d, &a);
    diagnoser_free(d);
    return finish(&a, rc);
}

static bool analyze_usable(const struct analyze_args *a) { return a->file_count > 0; }

static int analyze_body(struct diagnoser *d, const struct analyze_args *a)
{
    return a->file_count > 1 ? analyze_many(d, a) : report_one(d, a, a->files[0], NULL);
}

static bool diff_usable(const struct analyze_args *a) { return a->good && a->bad && !a->file_count; }

static int diff_body(struct diagnoser *d, const struct analyze_args *a)
{
    return report_one(d, a, a->bad, a->good);
}

static bool check_usable(const struct analyze_args *a)
{
    bool single = a->expect && a->file_count == 1 && !a->manifest;
    bool manifest = a->manifest && a->file_count == 0 && !a->expect;
    return single || manifest;
}

static int check_body(struct diagnoser *d, const struct analyze_args *a)
{
    return a->manifest ? check_manifest(d, a->manifest) : check_one(d, a->files[0], a->good, a->expect);
}

int cmd_analyze(int argc, char **argv) { return run_command(argc, argv, analyze_help, analyze_usable, analyze_body); }
int cmd_diff(int argc, char **argv) { return run_command(argc, argv, diff_help, diff_usable, diff_body); }
int cmd_check(int argc, char **argv) { return run_command(argc, argv, check_help, check_usable, check_body); }
