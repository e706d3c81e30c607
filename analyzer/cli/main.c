/* tlsdiag: why did this TLS handshake fail? Command-line entry point. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct subcommand subcommands[] = {
    { "analyze", "why TLS connections to the server failed: evidence and a fix", cmd_analyze },
    { "diff", "diagnose a failing endpoint's capture against a working one's", cmd_diff },
    { "check", "compare the analysis of golden captures with what is expected", cmd_check },
    { "events", "print the TLS handshake events of a capture as JSON Lines", cmd_events },
    { "stats", "summarise what a capture holds and how it was read", cmd_stats },
    { "summarize", "one roll-up of JSON reports made anywhere (a fleet)", cmd_summarize },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tlsdiag COMMAND [OPTIONS] CAPTURE...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\n'tlsdiag COMMAND --help' describes each command.\n");
}

/* "--opt=value" as "--opt" "value", the GNU way, for every option of every
 * command: the commands then see one form only. Nothing after "--" (a
 * file may be named "--x=y"), and "-x=y" is left alone. The strings live in
 * one block (*block), freed with the array by the caller. Returns the new
 * argv, or NULL when out of memory. */
static char **split_long_options(int argc, char **argv, int *out_argc, char **block)
{
    size_t extra = 0, bytes = 0;
    bool after_dashes = false;
    for (int i = 0; i < argc; i++) {
        after_dashes |= !strcmp(argv[i], "--");
        if (!after_dashes && !strncmp(argv[i], "--", 2) && strchr(argv[i], '='))
            extra++, bytes += strlen(argv[i]) + 1;
    }
    char **out = malloc(((size_t)argc + extra + 1) * sizeof *out);
    char *text = malloc(bytes + 1);
    if (!out || !text) {
        free(out);
        free(text);
        return NULL;
    }
    *block = text;
    int n = 0;
    after_dashes = false;
    for (int i = 0; i < argc; i++) {
        after_dashes |= !strcmp(argv[i], "--");
        const char *eq = strchr(argv[i], '=');
        if (after_dashes || strncmp(argv[i], "--", 2) || !eq) {
            out[n++] = argv[i];
            continue;
        }
        size_t name_len = (size_t)(eq - argv[i]);
        memcpy(text, argv[i], name_len);
        text[name_len] = '\0';
        out[n++] = text;
        out[n++] = (char *)eq + 1;
        text += name_len + 1;
    }
    out[n] = NULL;
    *out_argc = n;
    return out;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tlsdiag %s\n", TLSDIAG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tlsdiag: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int split_argc;
    char *block = NULL;
    char **split = split_long_options(argc, argv, &split_argc, &block);
    if (!split) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return 2;
    }
    int rc = run(split_argc, split);
    free(split);
    free(block);
    return rc;
}
