/* Decryption Secrets Blocks into a key log store; see pcapng_secrets.h.
 * The walking is pcapng_reader.c's: this file only looks at its first four
 * bytes to tell "not pcapng" (nothing to find) from damage, and counts. */
#include "pcapng_secrets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "pcapng_reader.h"

#define SECTION_HEADER_MAGIC 0x0A0D0D0Au   /* the same in both byte orders */
#define MAGIC_LEN 4u

struct scan {
    struct keylog *kl;
    struct dsb_scan *out;
    uint32_t first_source;
};

void dsb_scan_add(struct dsb_scan *out, struct keylog *kl, uint32_t first_source,
                  const struct pcapng_secrets *secrets)
{
    out->blocks++;
    if (secrets->malformed) {
        if (out->malformed_blocks++ == 0)
            out->first_malformed_offset = secrets->block_offset;
        return;
    }
    if (secrets->secrets_type != PCAPNG_SECRETS_TLS_KEY_LOG) {
        out->other_blocks++;
        return;
    }
    out->key_log_blocks++;
    out->key_log_bytes += secrets->len;
    enum keylog_status status = keylog_feed(kl, secrets->data, secrets->len,
                                            first_source + out->key_log_blocks - 1);
    if (status != KEYLOG_OK && out->keylog_status == KEYLOG_OK)
        out->keylog_status = status;
}

static void on_secrets(void *ctx, const struct pcapng_secrets *secrets)
{
    struct scan *scan = ctx;
    dsb_scan_add(scan->out, scan->kl, scan->first_source, secrets);
}

static bool starts_like_pcapng(const uint8_t *bytes, size_t len)
{
    struct cursor c = cursor_make(bytes, len);
    return cursor_be32(&c) == SECTION_HEADER_MAGIC && cursor_ok(&c);
}

/* Reads every block of an opened reader (and closes it). */
static enum dsb_scan_result walk(struct pcapng_reader *reader, struct scan *scan,
                                 char *err, size_t errlen)
{
    pcapng_reader_on_secrets(reader, on_secrets, scan);
    pcapng_reader_secrets_only(reader);
    struct capture_packet pkt;
    enum capture_result result;
    while ((result = pcapng_reader_next(reader, &pkt, err, errlen)) == CAPTURE_PACKET)
        ;
    pcapng_reader_close(reader);
    return result == CAPTURE_EOF ? DSB_SCAN_OK : DSB_SCAN_DAMAGED;
}

enum dsb_scan_result pcapng_secrets_scan_file(const char *path, struct keylog *kl,
                                              struct dsb_scan *out, char *err, size_t errlen)
{
    return pcapng_secrets_scan_file_from(path, kl, 1, out, err, errlen);
}

enum dsb_scan_result pcapng_secrets_scan_file_from(const char *path, struct keylog *kl,
                                                   uint32_t first_source, struct dsb_scan *out,
                                                   char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return DSB_SCAN_UNREADABLE;
    }
    /* A large buffer: the walk reads through small blocks (pcapng_reader.c). */
    setvbuf(f, NULL, _IOFBF, 1u << 20);
    uint8_t magic[MAGIC_LEN];
    size_t got = fread(magic, 1, sizeof magic, f);
    if (ferror(f)) {
        snprintf(err, errlen, "read error: %s", strerror(errno));
        fclose(f);
        return DSB_SCAN_UNREADABLE;
    }
    if (!starts_like_pcapng(magic, got)) {
        fclose(f);
        return DSB_SCAN_NOT_PCAPNG;
    }
    rewind(f);
    struct pcapng_reader *reader = pcapng_reader_open(f, err, errlen);
    if (!reader)
        return DSB_SCAN_DAMAGED;
    struct scan scan = { kl, out, first_source };
    return walk(reader, &scan, err, errlen);
}

enum dsb_scan_result pcapng_secrets_scan_memory(const uint8_t *data, size_t len,
                                                struct keylog *kl, struct dsb_scan *out,
                                                char *err, size_t errlen)
{
    return pcapng_secrets_scan_memory_from(data, len, kl, 1, out, err, errlen);
}

enum dsb_scan_result pcapng_secrets_scan_memory_from(const uint8_t *data, size_t len,
                                                     struct keylog *kl, uint32_t first_source,
                                                     struct dsb_scan *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = '\0';
    if (!data || !starts_like_pcapng(data, len))
        return DSB_SCAN_NOT_PCAPNG;
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return DSB_SCAN_UNREADABLE;
    }
    struct pcapng_reader *reader = pcapng_reader_open_sized(f, len, err, errlen);
    if (!reader)
        return DSB_SCAN_DAMAGED;
    struct scan scan = { kl, out, first_source };
    return walk(reader, &scan, err, errlen);
}
