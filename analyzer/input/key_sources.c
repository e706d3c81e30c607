/* --keylog files and Decryption Secrets Blocks into one key log per
 * capture; see key_sources.h. */
#include "key_sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

static bool read_file(const char *path, size_t room, uint8_t **text, size_t *len, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open the key log: %s", strerror(errno));
        return false;
    }
    struct stat st;
    bool ok = false;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "cannot stat the key log: %s", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "the key log is not a regular file");
    } else if ((uint64_t)st.st_size > room) {
        snprintf(err, errlen, "key log of %lld bytes over the %u MiB limit of all key logs together",
                 (long long)st.st_size, KEYLOG_MAX_INPUT >> 20);
    } else {
        size_t size = (size_t)st.st_size;
        *text = malloc(size ? size : 1);
        if (!*text)
            snprintf(err, errlen, "out of memory for the key log");
        else if (fread(*text, 1, size, f) != size || ferror(f))
            snprintf(err, errlen, "cannot read the key log");
        else {
            *len = size;
            ok = true;
        }
        if (!ok) {
            free(*text);
            *text = NULL;
        }
    }
    fclose(f);
    return ok;
}

bool keylog_files_add(struct keylog_files *kf, const char *path, char *err, size_t errlen)
{
    uint8_t *text = NULL;
    size_t len = 0;
    if (!read_file(path, KEYLOG_MAX_INPUT - kf->bytes, &text, &len, err, errlen))
        return false;
    /* Parsed once here to refuse what is not a key log at all. */
    struct keylog *probe = keylog_new();
    struct keylog_stats st = { 0 };
    if (probe) {
        keylog_feed(probe, text, len, 1);
        keylog_get_stats(probe, &st);
        keylog_free(probe);
    }
    if (st.entries == 0 && st.ignored == 0 && st.malformed > 0) {
        snprintf(err, errlen, "not an NSS key log: %llu malformed lines (the first at line %u), no key log line",
                 (unsigned long long)st.malformed, st.first_malformed_line);
        OPENSSL_cleanse(text, len);
        free(text);
        return false;
    }
    struct keylog_file *grown = realloc(kf->files, (kf->count + 1) * sizeof *grown);
    char *copy = strdup(path);
    if (!grown || !copy) {
        if (grown)
            kf->files = grown;
        free(copy);
        OPENSSL_cleanse(text, len);
        free(text);
        snprintf(err, errlen, "out of memory for the key log");
        return false;
    }
    kf->files = grown;
    kf->files[kf->count++] = (struct keylog_file){ copy, text, len };
    kf->bytes += len;
    return true;
}

void keylog_files_free(struct keylog_files *kf)
{
    for (size_t i = 0; i < kf->count; i++) {
        OPENSSL_cleanse(kf->files[i].text, kf->files[i].len);
        free(kf->files[i].text);
        free(kf->files[i].path);
    }
    free(kf->files);
    memset(kf, 0, sizeof *kf);
}

/* Starts like pcapng (a section header's type): only then can it hold
 * Decryption Secrets Blocks. */
static bool starts_like_pcapng(const struct capture_source *src)
{
    static const uint8_t magic[4] = { 0x0A, 0x0D, 0x0D, 0x0A };
    uint8_t head[4] = { 0 };
    if (!src->path)
        return src->data && src->len >= 4 && memcmp(src->data, magic, 4) == 0;
    /* A pipe is read once, by the pass: nothing may be read from it here;
     * it and a gzip file may hold a pcapng with secrets blocks. */
    if (!capture_source_plain(src))
        return true;
    FILE *f = fopen(src->path, "rb");
    if (!f)
        return false;
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got == sizeof head && memcmp(head, magic, 4) == 0;
}

/* A store with the files' entries, sources 1..n. */
static bool start_store(struct capture_keys *ck, const struct keylog_files *files)
{
    ck->store = keylog_new();
    if (!ck->store)
        return false;
    for (size_t i = 0; files && i < files->count; i++)
        keylog_feed(ck->store, files->files[i].text, files->files[i].len, (uint32_t)(i + 1));
    return true;
}

static uint32_t first_block_source(const struct capture_keys *ck)
{
    return (uint32_t)(ck->files ? ck->files->count : 0) + 1;
}

void capture_keys_load(struct capture_keys *ck, const struct keylog_files *files,
                       const struct capture_source *src)
{
    memset(ck, 0, sizeof *ck);
    ck->files = files;
    bool pcapng = starts_like_pcapng(src);
    if ((!files || files->count == 0) && !pcapng)
        return; /* no keys: not even a store */
    if (!start_store(ck, files))
        return;
    char err[160];
    uint32_t first = first_block_source(ck);
    if (pcapng && capture_source_plain(src)) {
        /* Damage or an unreadable file is the pass's to report. */
        if (src->path)
            pcapng_secrets_scan_file_from(src->path, ck->store, first, &ck->dsb, err, sizeof err);
        else
            pcapng_secrets_scan_memory_from(src->data, src->len, ck->store, first, &ck->dsb, err,
                                            sizeof err);
    }
    capture_keys_pass_done(ck);
}

/* A block as the pass reads it. When our reader takes over from libpcap it
 * reads the file again from its start, and a second pass reads all of it
 * again: blocks come in file order, but some more than once, and one at or
 * before the last one taken has been counted. */
static void take_block(void *ctx, const struct pcapng_secrets *secrets)
{
    struct capture_keys *ck = ctx;
    if (ck->dsb_taken && secrets->block_offset <= ck->dsb_last_offset)
        return;
    ck->dsb_taken = true;
    ck->dsb_last_offset = secrets->block_offset;
    uint32_t key_logs = ck->dsb.key_log_blocks;
    dsb_scan_add(&ck->dsb, ck->store, first_block_source(ck), secrets);
    if (ck->dsb.key_log_blocks != key_logs && secrets->after_packets)
        ck->late = true;
}

void capture_keys_load_while_read(struct capture_keys *ck, const struct keylog_files *files,
                                  struct capture_source *src)
{
    memset(ck, 0, sizeof *ck);
    ck->files = files;
    bool pcapng = starts_like_pcapng(src);
    if ((!files || files->count == 0) && !pcapng)
        return; /* no keys: not even a store */
    /* An empty store costs the pass a failed lookup per Client Hello. */
    if (!start_store(ck, files) || !pcapng)
        return;
    src->on_secrets = take_block;
    src->secrets_ctx = ck;
}

void capture_keys_pass_done(struct capture_keys *ck)
{
    if ((!ck->files || ck->files->count == 0) && ck->dsb.key_log_blocks == 0) {
        keylog_free(ck->store);
        ck->store = NULL;
    }
}

const char *capture_keys_source_name(const struct capture_keys *ck, uint32_t source, char *buf,
                                     size_t len)
{
    size_t n = ck->files ? ck->files->count : 0;
    if (source >= 1 && source <= n)
        return ck->files->files[source - 1].path;
    snprintf(buf, len, "pcapng DSB %u", source > n ? (unsigned)(source - n) : 0u);
    return buf;
}

void capture_keys_free(struct capture_keys *ck)
{
    keylog_free(ck->store);
    ck->store = NULL;
}
