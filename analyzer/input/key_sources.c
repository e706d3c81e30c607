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
    FILE *f = fopen(src->path, "rb");
    if (!f)
        return false;
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got == sizeof head && memcmp(head, magic, 4) == 0;
}

void capture_keys_load(struct capture_keys *ck, const struct keylog_files *files,
                       const struct capture_source *src)
{
    memset(ck, 0, sizeof *ck);
    ck->files = files;
    ck->dsb_result = DSB_SCAN_NOT_PCAPNG;
    size_t n = files ? files->count : 0;
    bool pcapng = starts_like_pcapng(src);
    if (n == 0 && !pcapng)
        return; /* no keys: not even a store */
    ck->store = keylog_new();
    if (!ck->store)
        return;
    for (size_t i = 0; i < n; i++)
        keylog_feed(ck->store, files->files[i].text, files->files[i].len, (uint32_t)(i + 1));
    char err[160];
    uint32_t first = (uint32_t)n + 1;
    if (pcapng)
        ck->dsb_result = src->path
        ? pcapng_secrets_scan_file_from(src->path, ck->store, first, &ck->dsb, err, sizeof err)
        : pcapng_secrets_scan_memory_from(src->data, src->len, ck->store, first, &ck->dsb, err, sizeof err);
    /* Damage or an unreadable file is the pass's to report. Without a file
     * and without a key log block there are no keys: no store. */
    if (n == 0 && ck->dsb.key_log_blocks == 0) {
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
