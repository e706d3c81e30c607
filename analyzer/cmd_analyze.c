/* `tlsdiag analyze`, `tlsdiag diff` and `tlsdiag check`: facts from each
 * capture, rules over the facts, a report. */
#include "cli.h"
#include "diagnose.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct analyze_args {
    struct diagnose_options diag;
    const char *json_path;       /* --json FILE */
    bool json_stdout;            /* --format json */
    const char *good, *bad;      /* diff */
    const char *expect;          /* check --expect */
    const char *manifest;        /* check --manifest */
    const char **files;
    int file_count;
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
               "  --format text|json   what to print on standard output (default text)\n\n");
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

static int write_outputs(const struct analyze_args *a, const cJSON *report)
{
    if (a->json_path) {
        FILE *f = fopen(a->json_path, "w");
        char *text = cJSON_Print(report);
        if (!f || !text || fputs(text, f) < 0 || fputc('\n', f) < 0) {
            fprintf(stderr, "tlsdiag: %s: cannot write the report\n", a->json_path);
            if (f)
                fclose(f);
            free(text);
            return 2;
        }
        fclose(f);
        free(text);
    }
    if (a->json_stdout) {
        char *text = cJSON_Print(report);
        if (text)
            puts(text);
        free(text);
    } else {
        report_print_text(stdout, report);
    }
    return 0;
}

static int exit_status_for(const cJSON *report)
{
    const char *cause = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(report, "diagnosis"), "cause"));
    return cause && !strcmp(cause, "success") ? 0 : 1;
}

static int finish(struct analyze_args *a, int status)
{
    free(a->files);
    diagnose_free_options(&a->diag);
    return status;
}

int cmd_analyze(int argc, char **argv)
{
    struct analyze_args a;
    int rc = parse_args(argc, argv, &a, analyze_help);
    if (rc)
        return finish(&a, rc < 0 ? 0 : rc);
    if (a.file_count == 0) {
        analyze_help(stderr);
        return finish(&a, 2);
    }
    struct diagnoser *d = diagnoser_new(&a.diag);
    if (!d)
        return finish(&a, 2);
    int worst = 0;
    for (int i = 0; i < a.file_count; i++) {
        cJSON *report = NULL;
        rc = diagnose_capture(d, a.files[i], NULL, &report);
        if (rc) {
            worst = 2;
            continue;
        }
        if (i > 0 && !a.json_stdout)
            printf("\n%s\n\n", "------------------------------------------------------------------------------");
        if (write_outputs(&a, report))
            worst = 2;
        int status = exit_status_for(report);
        if (status > worst)
            worst = status;
        cJSON_Delete(report);
    }
    diagnoser_free(d);
    return finish(&a, worst);
}

int cmd_diff(int argc, char **argv)
{
    struct analyze_args a;
    int rc = parse_args(argc, argv, &a, diff_help);
    if (rc)
        return finish(&a, rc < 0 ? 0 : rc);
    if (!a.good || !a.bad || a.file_count) {
        diff_help(stderr);
        return finish(&a, 2);
    }
    struct diagnoser *d = diagnoser_new(&a.diag);
    if (!d)
        return finish(&a, 2);
    cJSON *report = NULL;
    rc = diagnose_capture(d, a.bad, a.good, &report);
    if (!rc) {
        rc = write_outputs(&a, report);
        if (!rc)
            rc = exit_status_for(report);
    }
    cJSON_Delete(report);
    diagnoser_free(d);
    return finish(&a, rc);
}

int cmd_check(int argc, char **argv)
{
    struct analyze_args a;
    int rc = parse_args(argc, argv, &a, check_help);
    if (rc)
        return finish(&a, rc < 0 ? 0 : rc);
    bool single = a.expect && a.file_count == 1 && !a.manifest;
    if (!single && !(a.manifest && a.file_count == 0 && !a.expect)) {
        check_help(stderr);
        return finish(&a, 2);
    }
    struct diagnoser *d = diagnoser_new(&a.diag);
    if (!d)
        return finish(&a, 2);
    rc = single ? check_one(d, a.files[0], a.good, a.expect) : check_manifest(d, a.manifest);
    diagnoser_free(d);
    return finish(&a, rc);
}
