/* `tlsdiag analyze`, `tlsdiag diff` and `tlsdiag check`: facts from each
 * capture, rules over the facts, a report. */
#include "cli.h"
#include "diagnose.h"
#include "key_sources.h"
#include "extract.h"
#include "report.h"
#include "report_format.h"
#include "rollup.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
enum { JSON_FILE, HTML_FILE };

struct analyze_args {
    struct diagnose_options diag;
    const struct report_format *format;   /* --format NAME: what goes to stdout */
    const char *file_path[FILE_OPTIONS];  /* --json FILE, --html FILE: NULL when not given */
    const char *good, *bad;      /* diff */
    const char *expect;          /* check --expect */
    const char *manifest;        /* check --manifest */
    const char *extract_path;    /* --extract FILE: the evidence capture */
    bool extract_keys;           /* --extract-keys: with its connections' key log lines */
    bool quiet;                  /* --quiet: no progress line */
    const char **files;
    int file_count;
    bool from_directory;         /* a directory was given: a fleet, whatever its size */
    char **owned;                /* the paths found in directories */
    size_t owned_count;
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
               "                       output stays in the order of the arguments\n"
               "  --quiet, -q          no progress line (shown on a terminal for captures\n"
               "                       that take more than a second)\n"
               "  --extract FILE       write the evidence to FILE (pcapng): the packets of the\n"
               "                       diagnosed attempts and their DNS lookups, each with\n"
               "                       its frame number in the capture as its comment\n"
               "  --extract-keys       with --extract: put the extracted connections' key log\n"
               "                       lines (--keylog, the capture's secrets blocks) in it\n");
    cli_keylog_help(f);
    fputc('\n', f);
    cli_limit_help(f);
    /* Where the default packs come from, and where they are right now. */
    char where[PATH_MAX];
    struct diagnose_failure searched;
    memset(&searched, 0, sizeof searched);
    bool found = diagnose_default_rules(where, sizeof where, &searched);
    fprintf(f, "\nrule packs: --rules, then the default packs from $TLSDIAG_RULES, else\n"
               "rules/packs one or two folders above the binary (a build tree), else\n"
               "share/tlsdiag/rules beside its bin/ (make install), else\n"
               "/usr/share/tlsdiag/rules.\n");
    if (found) {
        fprintf(f, "default packs now: %s\n", where);
    } else {
        fprintf(f, "default packs now: none found; looked in:\n");
        for (size_t i = 0; i < searched.searched_count; i++)
            fprintf(f, "  %s\n", searched.searched[i]);
    }
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
        if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->quiet = true;
        } else if (!strcmp(arg, "--extract-keys")) {
            a->extract_keys = true;
        } else if (!strcmp(arg, "--no-default-rules")) {
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
                    !strcmp(arg, "--manifest") || !strcmp(arg, "--extract")) && has_value) {
            const char *v = argv[++i];
            if (!strcmp(arg, "--extract"))
                a->extract_path = v;
            else if (!strcmp(arg, "--host"))
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

/* --json FILE is the json format, whatever goes to stdout. */
static const struct report_format *json_format(void) { return report_format_find("json"); }

/* Writes to path a document of one report in fmt. */
static bool write_file(const char *path, const struct report_format *fmt, const cJSON *report)
{
    FILE *f = fopen(path, "w");
    bool ok = f != NULL;
    if (ok)
        ok = report_format_write_one(fmt, f, report);
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
        if (a->file_path[k] && !write_file(a->file_path[k], file_format(k), report))
            rc = 2;
    if (!report_format_write_one(a->format, stdout, report))
        rc = 2;
    return rc;
}

/* Analyses one capture in a child of analyze_many(): its report, compact
 * JSON, to out. Returns the exit status. */
static int analyze_to(struct diagnoser *d, const char *path, FILE *out)
{
    cJSON *report = NULL;
    enum pass_status read = diagnose_capture(d, path, NULL, &report);
    if (read == PASS_UNUSABLE)
        return cli_exit_status(read);
    int status = exit_status_for(report);
    char *text = cJSON_PrintUnformatted(report);
    if (text)
        fputs(text, out);
    else
        status = 2;
    free(text);
    cJSON_Delete(report);
    return status;
}

struct job {
    pid_t pid;
    FILE *out;          /* the child's report, read back in argument order */
    int status;
};

static void start_job(struct diagnoser *d, const struct analyze_args *a, int i, struct job *job)
{
    job->out = tmpfile();
    job->status = 2;
    fflush(NULL);
    job->pid = job->out ? fork() : -1;
    if (job->pid == 0) {
        int status = analyze_to(d, a->files[i], job->out);
        fflush(NULL);
        _exit(status);
    }
}

/* Waits for a child; its report (NULL when the capture was unusable). */
static cJSON *finish_job(struct job *job)
{
    int wstatus;
    if (job->pid > 0 && waitpid(job->pid, &wstatus, 0) == job->pid && WIFEXITED(wstatus))
        job->status = WEXITSTATUS(wstatus);
    cJSON *report = NULL;
    if (job->out && job->status != 2) {
        long size = (fseek(job->out, 0, SEEK_END) == 0) ? ftell(job->out) : -1;
        char *text = size > 0 ? malloc((size_t)size + 1) : NULL;
        if (text) {
            rewind(job->out);
            size_t got = fread(text, 1, (size_t)size, job->out);
            text[got] = 0;
            report = cJSON_Parse(text);
            free(text);
        }
        if (!report)
            job->status = 2;
    }
    if (job->out)
        fclose(job->out);
    return report;
}

/* The fleet document (JSON): every capture's report as it comes, then the
 * rows, the unusable captures and the roll-up. Streamed: a fleet's reports
 * are never all in memory. */
static void fleet_open(FILE *f)
{
    fprintf(f, "{\"schema\":\"tlsdiag-fleet\",\"schema_version\":\"%s\","
               "\"tool\":{\"name\":\"tlsdiag\",\"version\":\"%s\"},\"reports\":[",
            FLEET_SCHEMA_VERSION, TLSDIAG_VERSION);
}

static void fleet_add_report(FILE *f, const cJSON *report, bool first)
{
    char *text = cJSON_PrintUnformatted(report);
    if (text)
        fprintf(f, "%s%s", first ? "" : ",\n", text);
    free(text);
}

static void fleet_close(FILE *f, const cJSON *rows, const cJSON *unusable, const cJSON *rollup)
{
    char *r = cJSON_PrintUnformatted(rows), *u = cJSON_PrintUnformatted(unusable),
         *t = cJSON_PrintUnformatted(rollup);
    fprintf(f, "],\n\"captures\":%s,\n\"unusable\":%s,\n\"rollup\":%s}\n", r ? r : "[]", u ? u : "[]",
            t ? t : "{}");
    free(r);
    free(u);
    free(t);
}

/* Several captures: each analysed in a child process, --jobs at a time,
 * read back in argument order: a line per capture and the roll-up (text),
 * or one fleet document (JSON, on stdout and/or --json FILE). */
static int analyze_many(struct diagnoser *d, const struct analyze_args *a)
{
    struct job *jobs = calloc((size_t)a->file_count, sizeof *jobs);
    if (!jobs)
        return 2;
    bool json_stdout = a->format == json_format();
    const char *json_path = a->file_path[JSON_FILE];
    FILE *json_file = json_path ? fopen(json_path, "w") : NULL;
    int worst = 0;
    if (json_path && !json_file) {
        fprintf(stderr, "tlsdiag: %s: cannot write the report\n", json_path);
        worst = 2;
    }
    struct rollup *rollup = rollup_new();
    cJSON *rows = cJSON_CreateArray(), *unusable = cJSON_CreateArray();
    if (json_stdout)
        fleet_open(stdout);
    else
        fprintf(stdout, "%-12s %-36s %s\n", "outcome", "cause", "capture (endpoint, key frame)");
    if (json_file)
        fleet_open(json_file);
    int started = 0, reports = 0;
    for (int i = 0; i < a->file_count; i++) {
        while (started < a->file_count && started < i + a->jobs) {
            start_job(d, a, started, &jobs[started]);
            started++;
        }
        cJSON *report = finish_job(&jobs[i]);
        if (status_weight(jobs[i].status) > status_weight(worst))
            worst = jobs[i].status;
        if (!report) {
            rollup_add_unusable(rollup);
            cJSON_AddItemToArray(unusable, cJSON_CreateString(a->files[i]));
            if (!json_stdout)
                fprintf(stdout, "%-12s %-36s %s\n", "unusable", "-", a->files[i]);
            continue;
        }
        cJSON *row = rollup_row(report);
        rollup_add_row(rollup, row);
        if (json_stdout)
            fleet_add_report(stdout, report, reports == 0);
        else
            rollup_write_row_text(stdout, row);
        if (json_file)
            fleet_add_report(json_file, report, reports == 0);
        reports++;
        cJSON_AddItemToArray(rows, row);
        cJSON_Delete(report);
    }
    cJSON *summary = rollup_json(rollup);
    if (json_stdout)
        fleet_close(stdout, rows, unusable, summary);
    else
        rollup_write_text(stdout, summary);
    if (json_file) {
        fleet_close(json_file, rows, unusable, summary);
        if (fclose(json_file) != 0)
            worst = 2;
    }
    cJSON_Delete(summary);
    cJSON_Delete(rows);
    cJSON_Delete(unusable);
    rollup_free(rollup);
    free(jobs);
    return worst;
}

static int finish(struct analyze_args *a, int status)
{
    for (size_t i = 0; i < a->owned_count; i++)
        free(a->owned[i]);
    free(a->owned);
    free(a->files);
    diagnose_free_options(&a->diag);
    keylog_files_free(&a->keys);
    return status;
}

/* Diagnoses one capture (beside a working one in diff mode) and writes the
 * report. Returns the exit status. */
/* --extract FILE: the diagnosed capture's evidence, read a second time. */
/* --extract-keys: the key log lines of the extracted connections (their
 * client randoms), from --keylog files and the capture's own secrets
 * blocks, as NSS text; *lines says how many. NULL when there are none. */
static char *extract_key_text(const struct analyze_args *a, const struct capture_source *src,
                              const struct extract_result *result, size_t *len, int *lines)
{
    struct capture_keys ck;
    capture_keys_load(&ck, &a->keys, src);
    *len = 0;
    *lines = 0;
    if (!ck.store)
        return NULL;
    size_t cap = (size_t)result->random_count * KEYLOG_LABEL_COUNT * (48 + 2 * (32 + 48)) + 1;
    char *text = malloc(cap);
    for (size_t r = 0; text && r < result->random_count; r++)
        for (int l = 0; l < KEYLOG_LABEL_COUNT; l++) {
            const struct keylog_entry *e = keylog_find(ck.store, result->randoms[r], (enum keylog_label)l);
            const uint8_t *secret;
            size_t n = e ? keylog_entry_secret(e, &secret) : 0;
            if (!n)
                continue;
            *len += (size_t)snprintf(text + *len, cap - *len, "%s ", keylog_label_name((enum keylog_label)l));
            for (size_t i = 0; i < KEYLOG_RANDOM_LEN; i++)
                *len += (size_t)snprintf(text + *len, cap - *len, "%02x", result->randoms[r][i]);
            *len += (size_t)snprintf(text + *len, cap - *len, " ");
            for (size_t i = 0; i < n; i++)
                *len += (size_t)snprintf(text + *len, cap - *len, "%02x", secret[i]);
            *len += (size_t)snprintf(text + *len, cap - *len, "\n");
            (*lines)++;
        }
    capture_keys_free(&ck);
    if (text && !*lines) {
        free(text);
        text = NULL;
    }
    return text;
}

/* --extract FILE: the diagnosed capture's evidence, read a second time. */
static bool write_extract(const struct analyze_args *a, const char *capture, const cJSON *report)
{
    const char *out_path = a->extract_path;
    struct capture_source src = { .path = capture };
    if (!capture_source_rereadable(&src)) {
        fprintf(stderr, "tlsdiag: %s: --extract reads the capture a second time; standard input or a pipe "
                        "cannot be\n", capture);
        return false;
    }
    struct extract_plan plan;
    report_extract_plan(report, &plan);
    plan.source_name = capture;
    static struct extract_result result;   /* 8 KB of client randoms: not on the stack */
    char err[300];
    bool ok = extract_write(&src, &plan, out_path, &result, err, sizeof err);
    report_extract_plan_free(&plan);
    if (!ok) {
        fprintf(stderr, "tlsdiag: --extract: %s\n", err);
        return false;
    }
    char keys_said[96] = "; no keys (--extract-keys adds them)";
    if (a->extract_keys) {
        size_t len;
        int lines;
        char *text = extract_key_text(a, &src, &result, &len, &lines);
        if (text && !extract_add_secrets(out_path, (const uint8_t *)text, len, err, sizeof err)) {
            fprintf(stderr, "tlsdiag: --extract-keys: %s\n", err);
            ok = false;
        }
        /* The secrets go into the file asked for, never to a terminal. */
        snprintf(keys_said, sizeof keys_said, "; %d key log line%s of %zu connection%s in a secrets block", lines,
                 lines == 1 ? "" : "s", result.random_count, result.random_count == 1 ? "" : "s");
        free(text);
    }
    fprintf(stderr, "tlsdiag: %s: %llu of %llu frames (%llu bytes), each with its frame number in %s%s\n", out_path,
            (unsigned long long)result.packets_written, (unsigned long long)result.frames_read,
            (unsigned long long)result.bytes_written, capture, keys_said);
    return ok;
}

/* A progress line on a terminal, for captures that take more than a
 * second: bytes read, percent of the file, rate. The pass reports frames
 * and bytes; the files come in order (the failing capture, then the
 * working one), so a count that starts again is the next file. */
struct progress {
    const char *paths[2];
    int index;
    uint64_t last_frames;
    double start;
    bool shown;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress_clear(struct progress *pr)
{
    if (pr->shown)
        fputs("\r\033[K", stderr);
    pr->shown = false;
}

static void on_progress(void *ctx, uint64_t frames, uint64_t bytes)
{
    struct progress *pr = ctx;
    if (frames < pr->last_frames && pr->index < 1) {
        pr->index++;
        pr->start = now_s();
    }
    pr->last_frames = frames;
    double elapsed = now_s() - pr->start;
    if (elapsed < 1.0 || !pr->paths[pr->index])
        return;
    struct stat st;
    double size = stat(pr->paths[pr->index], &st) == 0 && S_ISREG(st.st_mode) ? (double)st.st_size : 0;
    char percent[16] = "";
    if (size > 0)
        snprintf(percent, sizeof percent, " (%.0f%%)", bytes < size ? 100.0 * (double)bytes / size : 99.0);
    const char *name = strrchr(pr->paths[pr->index], '/') ? strrchr(pr->paths[pr->index], '/') + 1
                                                            : pr->paths[pr->index];
    fprintf(stderr, "\r\033[Ktlsdiag: %.40s: %.0f MB read%s, %.0f MB/s", name, (double)bytes / 1e6, percent,
            (double)bytes / 1e6 / elapsed);
    fflush(stderr);
    pr->shown = true;
}

static int report_one(struct diagnoser *d, const struct analyze_args *a, const char *bad, const char *good)
{
    cJSON *report = NULL;
    struct progress pr = { .paths = { bad, good }, .start = now_s() };
    struct diagnose_options *opt = (struct diagnose_options *)&a->diag;
    if (!a->quiet && isatty(STDERR_FILENO)) {
        opt->pipeline.on_progress = on_progress;
        opt->pipeline.progress_ctx = &pr;
    }
    enum pass_status read = diagnose_capture(d, bad, good, &report);
    opt->pipeline.on_progress = NULL;
    opt->pipeline.progress_ctx = NULL;
    progress_clear(&pr);
    int rc = cli_exit_status(read);
    if (read != PASS_UNUSABLE) {
        rc = write_outputs(a, report);
        if (!rc && a->extract_path && !write_extract(a, bad, report))
            rc = 2;
        if (!rc)
            rc = exit_status_for(report);
    }
    cJSON_Delete(report);
    return rc;
}

static bool expand_directories(struct analyze_args *a);

/* What the three commands share: arguments, the rule set, clean-up. */
static int run_command(int argc, char **argv, void (*help)(FILE *),
                       bool (*usable)(const struct analyze_args *),
                       int (*body)(struct diagnoser *, const struct analyze_args *))
{
    struct analyze_args a;
    int rc = parse_args(argc, argv, &a, help);
    if (rc)
        return finish(&a, rc < 0 ? 0 : rc);
    if (!expand_directories(&a))
        return finish(&a, 2);
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
    bool many = a->file_count > 1 || a->from_directory;
    if (many && a->extract_path) {
        fprintf(stderr, "tlsdiag: --extract takes one capture (or a diff's failing one)\n");
        return 2;
    }
    if (many && (a->file_path[HTML_FILE] || a->format == report_format_find("html"))) {
        fprintf(stderr, "tlsdiag: the HTML report is one capture's (or a diff's); several captures give a line "
                        "each and a roll-up (text) or a fleet document (--format json, --json FILE)\n");
        return 2;
    }
    return many ? analyze_many(d, a) : report_one(d, a, a->files[0], NULL);
}

static const char **grow_paths(const char **paths, size_t *cap)
{
    const char **grown = realloc(paths, *cap * 2 * sizeof *grown);
    if (!grown) {
        free(paths);
        return NULL;
    }
    *cap *= 2;
    return grown;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A directory among the arguments means the captures in it (not its
 * subdirectories, not hidden files), in name order. Returns false (and
 * says why) when a directory cannot be read. */
static bool expand_directories(struct analyze_args *a)
{
    size_t cap = (size_t)a->file_count + 16, n = 0;
    const char **files = malloc(cap * sizeof *files);
    if (!files)
        return false;
    for (int i = 0; i < a->file_count; i++) {
        struct stat st;
        if (stat(a->files[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (n == cap && !(files = grow_paths(files, &cap)))
                return false;
            files[n++] = a->files[i];
            continue;
        }
        a->from_directory = true;
        DIR *dir = opendir(a->files[i]);
        if (!dir) {
            fprintf(stderr, "tlsdiag: %s: %s\n", a->files[i], strerror(errno));
            free(files);
            return false;
        }
        size_t first = n, skipped = 0;
        struct dirent *e;
        while ((e = readdir(dir))) {
            if (e->d_name[0] == '.')
                continue;
            char *path = malloc(strlen(a->files[i]) + strlen(e->d_name) + 2);
            if (!path)
                break;
            sprintf(path, "%s/%s", a->files[i], e->d_name);
            struct stat fst;
            if (stat(path, &fst) != 0 || !S_ISREG(fst.st_mode) || !capture_path_looks_like_capture(path)) {
                skipped += stat(path, &fst) == 0 && S_ISREG(fst.st_mode);
                free(path);
                continue;
            }
            char **owned = realloc(a->owned, (a->owned_count + 1) * sizeof *owned);
            if (!owned || (n == cap && !(files = grow_paths(files, &cap)))) {
                free(path);
                break;
            }
            a->owned = owned;
            a->owned[a->owned_count++] = path;
            files[n++] = path;
        }
        closedir(dir);
        qsort(files + first, n - first, sizeof *files, by_name);
        if (skipped)
            fprintf(stderr, "tlsdiag: %s: %zu file%s left out (not a pcap, pcapng or gzip file)\n",
                    a->files[i], skipped, skipped == 1 ? "" : "s");
        if (n == first)
            fprintf(stderr, "tlsdiag: %s: no capture in it\n", a->files[i]);
    }
    free(a->files);
    a->files = files;
    a->file_count = (int)n;
    return true;
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
