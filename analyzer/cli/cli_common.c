#include "cli.h"
#include "diagnose.h"
#include "packet.h"
#include "pcapng_reader.h"
#include "x509.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct limit_option {
    const char *name;
    const char *help;
    size_t offset;      /* into struct pipeline_options */
    int width;          /* 32: uint32_t; 64: int64_t seconds stored as ns */
};

#define OPT_OFFSET(field) offsetof(struct pipeline_options, field)

static const struct limit_option limit_options[] = {
    { "--max-conns", "live TCP connections tracked at once (oldest evicted)", OPT_OFFSET(reasm.max_conns), 32 },
    { "--max-ooo-bytes", "out-of-order bytes held per direction, then a gap", OPT_OFFSET(reasm.max_held_bytes), 32 },
    { "--max-ooo-segments", "out-of-order segments held per direction", OPT_OFFSET(reasm.max_held_segments), 32 },
    { "--max-handshake", "bytes of one TLS handshake message collected", OPT_OFFSET(stream.tls.max_handshake_message), 32 },
    { "--max-http-header", "bytes of a CONNECT request/response head", OPT_OFFSET(stream.max_http_header), 32 },
    { "--max-fragments", "IP datagrams being reassembled at once", OPT_OFFSET(ipfrag.max_datagrams), 32 },
    { "--idle-timeout", "seconds after which a silent connection is closed", OPT_OFFSET(reasm.idle_timeout_ns), 64 },
    { "--max-open-tls", "TLS/proxy connections open at once whose facts are kept", OPT_OFFSET(max_open_tls_facts), 32 },
};

int cli_limit_option(int argc, char **argv, int *i, struct pipeline_options *opt)
{
    for (size_t k = 0; k < sizeof limit_options / sizeof limit_options[0]; k++) {
        const struct limit_option *lo = &limit_options[k];
        if (strcmp(argv[*i], lo->name))
            continue;
        if (*i + 1 >= argc) {
            fprintf(stderr, "tlsdiag: %s needs a value\n", lo->name);
            return -1;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(argv[*i + 1], &end, 10);
        if (errno || *end || end == argv[*i + 1] || v == 0 || v > 0xFFFFFFFFull) {
            fprintf(stderr, "tlsdiag: %s: '%s' is not a number from 1 to 4294967295\n", lo->name,
                    argv[*i + 1]);
            return -1;
        }
        char *field = (char *)opt + lo->offset;
        if (lo->width == 32) {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof v32);
        } else {
            int64_t ns = (int64_t)v * 1000000000LL;
            memcpy(field, &ns, sizeof ns);
        }
        *i += 1;
        return 1;
    }
    return 0;
}

void cli_limit_help(FILE *f)
{
    struct pipeline_options d;
    pipeline_default_options(&d);
    fprintf(f, "limits (a connection that hits one is marked and the capture goes on):\n");
    for (size_t k = 0; k < sizeof limit_options / sizeof limit_options[0]; k++) {
        const struct limit_option *lo = &limit_options[k];
        const char *field = (const char *)&d + lo->offset;
        unsigned long long v;
        if (lo->width == 32) {
            uint32_t v32;
            memcpy(&v32, field, sizeof v32);
            v = v32;
        } else {
            int64_t ns;
            memcpy(&ns, field, sizeof ns);
            v = (unsigned long long)(ns / 1000000000LL);
        }
        fprintf(f, "  %s N\n        %s (default %llu)\n", lo->name, lo->help, v);
    }
    /* The fixed ones, so a user who meets one knows it was a limit. */
    fprintf(f, "fixed limits (README, section Limits): TLS record %u bytes; %u DNS answers\n"
               "  and %u certificates per chain kept (the rest counted); HTTP head line %u\n"
               "  bytes, %u"
               " fields; pcapng block %u MiB, %u interfaces per section;\n"
               "  %d VLAN tags, %d MPLS"
               " labels, %d IPv6 extension headers, %d nested\n"
               "  encapsulations per frame\n",
            TLS_MAX_RECORD_LEN, DNS_MAX_ANSWERS, X509_MAX_CHAIN, HTTP_MAX_LINE, HTTP_MAX_HEADERS,
            PCAPNG_MAX_BLOCK >> 20, PCAPNG_MAX_INTERFACES, PACKET_MAX_VLAN_TAGS, PACKET_MAX_MPLS_LABELS,
            PACKET_MAX_IPV6_EXT_HEADERS, PACKET_MAX_ENCAP_DEPTH);
}

void cli_report_run(const char *path, enum pass_status status, const char *err,
                    const struct pipeline_summary *s)
{
    if (status == PASS_UNUSABLE) {
        fprintf(stderr, "tlsdiag: %s: %s\n", path, err);
        return;
    }
    if (s->damaged_tail)
        fprintf(stderr, "tlsdiag: warning: %s: after frame %llu: %s; the %llu frames before it were analysed\n",
                path, (unsigned long long)s->frames, s->damage, (unsigned long long)s->frames);
    for (int i = 0; i < s->unknown_link_kinds; i++)
        fprintf(stderr, "tlsdiag: warning: %s: %llu packets of unknown link type %d skipped\n", path,
                (unsigned long long)s->unknown_links[i].count, s->unknown_links[i].linktype);
}

void cli_report_diagnose_failure(const struct diagnose_failure *why)
{
    if (why->kind != DIAGNOSE_NO_RULE_PACK) {
        fprintf(stderr, "tlsdiag: %s\n", why->message);
        return;
    }
    fprintf(stderr, "tlsdiag: %s; looked in: ", why->message);
    for (size_t i = 0; i < why->searched_count; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", why->searched[i]);
    fprintf(stderr, "; set TLSDIAG_RULES to the packs' folder, or give --rules DIR with --no-default-rules\n");
}

int cli_exit_status(enum pass_status worst)
{
    return worst == PASS_UNUSABLE ? 2 : 0;
}

int cli_keylog_option(int argc, char **argv, int *i, struct keylog_files *kf)
{
    if (!kf || strcmp(argv[*i], "--keylog"))
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tlsdiag: --keylog needs a file\n");
        return -1;
    }
    const char *path = argv[++*i];
    char err[192];
    if (!keylog_files_add(kf, path, err, sizeof err)) {
        fprintf(stderr, "tlsdiag: %s: %s\n", path, err);
        return -1;
    }
    return 1;
}

void cli_keylog_help(FILE *f)
{
    fprintf(f, "  --keylog FILE        TLS key log to decrypt with (NSS format, as\n"
               "                       SSLKEYLOGFILE writes; repeatable; at most %u MiB and\n"
               "                       %u entries in all); a pcapng file's Decryption\n"
               "                       Secrets Blocks are used unasked\n",
            KEYLOG_MAX_INPUT >> 20, KEYLOG_MAX_ENTRIES);
}

int cli_parse_common(int argc, char **argv, struct pipeline_options *opt, void (*help)(FILE *),
                     struct keylog_files *keys)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return CLI_HELP_SHOWN;
        }
        int k = cli_keylog_option(argc, argv, &i, keys);
        if (k < 0)
            return CLI_USAGE_ERROR;
        if (k > 0)
            continue;
        int r = cli_limit_option(argc, argv, &i, opt);
        if (r < 0)
            return CLI_USAGE_ERROR;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "--"))
            return i + 1 < argc ? i + 1 : (help(stderr), CLI_USAGE_ERROR);
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "tlsdiag %s: unknown option '%s'\n", argv[0], argv[i]);
            return CLI_USAGE_ERROR;
        }
        return i;
    }
    help(stderr);
    return CLI_USAGE_ERROR;
}
