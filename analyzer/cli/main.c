/* tlsdiag: why did this TLS handshake fail? Command-line entry point. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct subcommand subcommands[] = {
    { "analyze", "why TLS connections to the server failed: evidence and a fix", cmd_analyze },
    { "diff", "diagnose a failing endpoint's capture against a working one's", cmd_diff },
    { "check", "compare the analysis of golden captures with what is expected", cmd_check },
    { "events", "print the TLS handshake events of a capture as JSON Lines", cmd_events },
    { "stats", "summarise what a capture holds and how it was read", cmd_stats },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tlsdiag COMMAND [OPTIONS] CAPTURE...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\n'tlsdiag COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
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
