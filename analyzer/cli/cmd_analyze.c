/* `tlsdiag analyze`, `tlsdiag diff` and `tlsdiag check`: facts from each
 * capture, rules over the facts, a report. */
#include "cli.h"
#include "diagnose.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct analyze_args {
    struct diagnose_options diag;
    const char *json_path;       /* --json FILE */
    bool json_stdout;            /* --format json */
    const char *good, *bad;      /* diff */
    const char *expect;          /* check --expect */
    const char *manifest;        /* check --manifest */
    const char **files;
    int file_count;
    int jobs;                    /* analyze --jobs N */
};

static void common_help(FILE *f)
{
    fprintf(f, "options:\n"
               "  --host NAME          a server to analyse (repeatable; wildcards * and ?);\n"
               "                       default: the rule packs' profile hosts, else every TLS\n"
               "                       connection in the capture\n"
               "  --rules DIR|FILE     load more rule packs (repeatable)\n"
               "  --no-default-rules   do not load the packs installed with tlsdiag\n"
               "  --json FILE          also write the JSON report to FILE\n"
               "  --format text|json   what to print on standard output (default text)\n"
               "  --jobs N             analyze: N captures at a time, one process each;\n"
               "                       output stays in the order of the arguments\n\n");
    cli_limit_help(f);
}

static void analyze_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag analyze [OPTIONS] CAPTURE...\n\n"
               "Says why TLS connections to the target server failed in each capture: the\n"
               "cause first, then the frames that show it, then what to change.\n\n"
               "exit status: 0 no failure found, 1 failure diagnosed, 2 unusable input or usage\n\n");
    common_help(f);
}

static void diff_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag diff [OPTIONS] --good CAPTURE --bad CAPTURE\n\n"
               "Diagnoses the failing endpoint's capture with the working endpoint's capture\n"
               "beside it: what broke, and every difference between the two that matters.\n\n"
               "exit status: 0 no failure found, 1 failure diagnosed, 2 unusable input or usage\n\n");
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

/* Parses everything the three commands share. Returns 0, or the exit status. */
static int parse_args(int argc, char **argv, struct analyze_args *a, void (*help)(FILE *))
{
    memset(a, 0, sizeof *a);
    diagnose_default_options(&a->diag);
    a->files = calloc((size_t)argc, sizeof *a->files);
    a->jobs = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        int r = cli_limit_option(argc, argv, &i, &a->diag.pipeline);
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
            const char *v = argv[++i];
            if (strcmp(v, "json") && strcmp(v, "text")) {
                fprintf(stderr, "tlsdiag: --format takes text or json\n");
                return 2;
            }
            a->json_stdout = !strcmp(v, "json");
        } else if (!strcmp(arg, "--jobs") && has_value) {
            char *end;
            long jobs = strtol(argv[++i], &end, 10);
            if (*end || jobs < 1 || jobs > 256) {
                fprintf(stderr, "tlsdiag: --jobs takes a number from 1 to 256\n");
                return 2;
            }
            a->jobs = (int)jobs;
        } else if ((!strcmp(arg, "--host") || !strcmp(arg, "--rules") || !strcmp(arg, "--json") ||
                    !strcmp(arg, "--good") || !strcmp(arg, "--bad") || !strcmp(arg, "--expect") ||
                    !strcmp(arg, "--manifest")) && has_value) {
            const char *v = argv[++i];
            if (!strcmp(arg, "--host"))
                diagnose_add_host(&a->diag, v);
            else if (!strcmp(arg, "--rules"))
                diagnose_add_rules(&a->diag, v);
            else if (!strcmp(arg, "--json"))
                a->json_path = v;
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

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "tlsdiag: %s: cannot write the report\n", path);
    return ok;
}

/* 1 when a failure was diagnosed: a cause other than success whose severity
 * says something broke (a warning, such as an inconclusive capture, is not
 * a failure found). */
static int exit_status_for(const cJSON *report)
{
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    const char *cause = cJSON_GetStringValue(cJSON_GetObjectItem(diag, "cause"));
    const char *severity = cJSON_GetStringValue(cJSON_GetObjectItem(diag, "severity"));
    if (!cause || !strcmp(cause, "success"))
        return 0;
    return severity && (!strcmp(severity, "warning") || !strcmp(severity, "info")) ? 0 : 1;
}

/* One report to stdout in the chosen format, and to --json FILE. */
static int write_outputs(const struct analyze_args *a, const cJSON *report)
{
    int rc = 0;
    if (a->json_path || a->json_stdout) {
        char *json = cJSON_Print(report);
        if (!json)
            return 2;
        if (a->json_path && !write_file(a->json_path, json))
            rc = 2;
        if (a->json_stdout)
            puts(json);
        free(json);
    }
    if (!a->json_stdout)
        report_print_text(stdout, report);
    return rc;
}

/* Analyses one capture; writes the text report to text and the JSON report
 * to json (either may be NULL). Returns the exit status. */
static int analyze_to(struct diagnoser *d, const char *path, FILE *text, FILE *json)
{
    cJSON *report = NULL;
    enum pass_status read = diagnose_capture(d, path, NULL, &report);
    if (read == PASS_UNUSABLE)
        return cli_exit_status(read);
    int status = exit_status_for(report);
    if (json) {
        char *printed = cJSON_Print(report);
        if (printed)
            fputs(printed, json);
        free(printed);
    }
    if (text)
        report_print_text(text, report);
    cJSON_Delete(report);
    return status;
}

struct job {
    pid_t pid;
    FILE *text, *json;   /* the child's outputs, read back in argument order */
    int status;
};

static void start_job(struct diagnoser *d, const struct analyze_args *a, int i, struct job *job)
{
    bool want_json = a->json_path || a->json_stdout;
    job->text = a->json_stdout ? NULL : tmpfile();
    job->json = want_json ? tmpfile() : NULL;
    job->status = 2;
    fflush(NULL);
    job->pid = fork();
    if (job->pid == 0) {
        int status = analyze_to(d, a->files[i], job->text, job->json);
        fflush(NULL);
        _exit(status);
    }
}

static void copy_back(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        fwrite(buf, 1, n, to);
    fclose(from);
}

static void finish_job(struct job *job, FILE *text_out, FILE *json_out, bool first)
{
    int wstatus;
    if (job->pid > 0 && waitpid(job->pid, &wstatus, 0) == job->pid && WIFEXITED(wstatus))
        job->status = WEXITSTATUS(wstatus);
    if (job->text) {
        if (!first)
            fputs("\n------------------------------------------------------------------------------\n\n", text_out);
        copy_back(job->text, text_out);
    }
    if (job->json) {
        if (!first)
            fputs(",\n", json_out);
        copy_back(job->json, json_out);
    }
}

/* Several captures: each analysed in a child process, --jobs at a time, the
 * outputs joined in argument order. JSON goes out as an array of reports. */
static int analyze_many(struct diagnoser *d, const struct analyze_args *a)
{
    struct job *jobs = calloc((size_t)a->file_count, sizeof *jobs);
    if (!jobs)
        return 2;
    char *joined = NULL;
    size_t joined_len = 0;
    FILE *json_out = open_memstream(&joined, &joined_len);
    fputs("[\n", json_out);
    int started = 0, worst = 0;
    for (int i = 0; i < a->file_count; i++) {
        while (started < a->file_count && started < i + a->jobs) {
            start_job(d, a, started, &jobs[started]);
            started++;
        }
        finish_job(&jobs[i], stdout, json_out, i == 0);
        if (jobs[i].status > worst)
            worst = jobs[i].status;
    }
    fputs("\n]\n", json_out);
    fclose(json_out);
    if (a->json_path && !write_file(a->json_path, joined))
        worst = 2;
    if (a->json_stdout)
        fputs(joined, stdout);
    free(joined);
    free(jobs);
    return worst;
}

static int finish(struct analyze_args *a, int status)
{
    free(a->files);
    diagnose_free_options(&a->diag);
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
    a.diag.input_digests = a.json_path || a.json_stdout;
    a.diag.on_input_read = cli_report_run;
    char err[512] = "";
    struct diagnoser *d = diagnoser_new(&a.diag, err, sizeof err);
    if (!d) {
        fprintf(stderr, "tlsdiag: %s\n", err);
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
