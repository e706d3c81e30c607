#include "file_digest.h"
#include "json_text.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large reads keep the syscall count small; the buffer is the thread's own. */
#define DIGEST_READ_SIZE (1u << 20)

struct file_digest {
    char *path;
    pthread_t thread;
    bool thread_started;
    bool ok;
    char hex[FILE_DIGEST_HEX];
};

static bool hash_file(const char *path, char hex[FILE_DIGEST_HEX])
{
    hex[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned char *buf = malloc(DIGEST_READ_SIZE);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = buf && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    while (ok) {
        ssize_t n = read(fd, buf, DIGEST_READ_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        ok = EVP_DigestUpdate(md, buf, (size_t)n) == 1;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (ok)
        ok = EVP_DigestFinal_ex(md, digest, &len) == 1 && len == 32;
    if (ok)
        hex_from_bytes(digest, len, hex);
    EVP_MD_CTX_free(md);
    free(buf);
    close(fd);
    return ok;
}

static void *digest_thread(void *arg)
{
    struct file_digest *d = arg;
    d->ok = hash_file(d->path, d->hex);
    return NULL;
}

struct file_digest *file_digest_start(const char *path)
{
    struct file_digest *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->path = strdup(path);
    if (!d->path) {
        free(d);
        return NULL;
    }
    d->thread_started = pthread_create(&d->thread, NULL, digest_thread, d) == 0;
    return d;
}

bool file_digest_finish(struct file_digest *d, char hex[FILE_DIGEST_HEX])
{
    hex[0] = 0;
    if (!d)
        return false;
    if (d->thread_started)
        pthread_join(d->thread, NULL);
    else
        d->ok = hash_file(d->path, d->hex);
    bool ok = d->ok;
    if (ok)
        memcpy(hex, d->hex, FILE_DIGEST_HEX);
    free(d->path);
    free(d);
    return ok;
}
