/* `tlsdiag events CAPTURE...` */
#include "cli.h"
#include "events_out.h"

#include <string.h>

static void events_help(FILE *f)
{
    fprintf(f, "usage: tlsdiag events [OPTIONS] CAPTURE...\n\n"
               "Prints one JSON object per line for every TLS Client Hello, Server Hello,\n"
               "HelloRetryRequest, Certificate and alert, and every HTTP CONNECT request and\n"
               "response, in capture order (schema: the oracle contract in the README).\n\n"
               "With a key log (--keylog, or a pcapng Decryption Secrets Block) the messages\n"
               "of decrypted records are printed too, with \"decrypted\": true.\n\n"
               "exit status: 0 read, 2 unusable input or usage error\n\n"
               "options:\n");
    cli_keylog_help(f);
    fputc('\n', f);
    cli_limit_help(f);
}

int cmd_events(int argc, char **argv)
{
    struct pipeline_options opt;
    pipeline_default_options(&opt);
    struct keylog_files keys = { 0 };
    int first_file = cli_parse_common(argc, argv, &opt, events_help, &keys);
    if (first_file < 0) {
        keylog_files_free(&keys);
        return first_file == CLI_HELP_SHOWN ? 0 : 2;
    }
    /* Events come in bursts of short lines: a large buffer, allocated by
     * the C library so it lives as long as stdout. */
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    struct events_writer w;
    events_writer_init(&w, stdout);
    struct event_sink sink = { &w, events_writer_emit };
    int status = 0;
    for (int i = first_file; i < argc; i++) {
        struct pipeline_summary summary;
        char err[256] = "";
        struct capture_source src = { .path = argv[i] };
        /* Events are written as they are read, so a key log block after
         * the packets it decrypts cannot be met on the way and the file
         * read again, as analyze does: the capture's blocks are found
         * first, by a walk over the file (capture_keys_load()). A pipe or
         * a gzip file cannot be walked first: their blocks are used as they
         * come, which is before the packets when editcap put them there. */
        struct capture_keys ck;
        if (capture_source_plain(&src))
            capture_keys_load(&ck, &keys, &src);
        else
            capture_keys_load_while_read(&ck, &keys, &src);
        opt.keylog = ck.store;
        enum pass_status st = pass_read(&src, &opt, &sink, &summary, err, sizeof err);
        opt.keylog = NULL;
        capture_keys_pass_done(&ck);
        capture_keys_free(&ck);
        fflush(stdout);
        cli_report_run(argv[i], st, err, &summary);
        if (cli_exit_status(st))
            status = cli_exit_status(st);
    }
    keylog_files_free(&keys);
    return status;
}
