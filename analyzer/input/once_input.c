/* Captures read once from their start: standard input, and gzip files or
 * pipes decompressed as they are read (once_input.h). */
#include "once_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#define RAW_CHUNK (64u * 1024u)
#define GZIP_MAGIC_0 0x1f
#define GZIP_MAGIC_1 0x8b

struct once_input {
    int fd;
    bool own_fd;                 /* opened here (not stdin) */
    bool gzip;
    bool raw_eof, z_done;
    bool failed;
    /* Raw bytes read ahead to tell gzip from a capture, served first. */
    uint8_t raw_head[2];
    size_t raw_head_len, raw_head_pos;
    /* Decompressed bytes read ahead for the capture checks, served first. */
    uint8_t head[ONCE_INPUT_HEAD];
    size_t head_len, head_pos;
    z_stream z;
    uint8_t in[RAW_CHUNK];
};

static ssize_t raw_read(struct once_input *in, uint8_t *buf, size_t size)
{
    if (in->raw_head_pos < in->raw_head_len) {
        size_t n = in->raw_head_len - in->raw_head_pos < size ? in->raw_head_len - in->raw_head_pos : size;
        memcpy(buf, in->raw_head + in->raw_head_pos, n);
        in->raw_head_pos += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = read(in->fd, buf, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Decompressed bytes; concatenated gzip members (what `cat a.gz b.gz` and
 * some rotating writers make) are read as one stream. */
static ssize_t inflate_read(struct once_input *in, uint8_t *buf, size_t size)
{
    in->z.next_out = buf;
    in->z.avail_out = (uInt)(size > UINT32_MAX ? UINT32_MAX : size);
    while (in->z.avail_out == (uInt)size && !in->z_done) {
        if (in->z.avail_in == 0 && !in->raw_eof) {
            ssize_t n = raw_read(in, in->in, sizeof in->in);
            if (n < 0)
                return -1;
            if (n == 0)
                in->raw_eof = true;
            in->z.next_in = in->in;
            in->z.avail_in = (uInt)n;
        }
        int rc = inflate(&in->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (in->z.avail_in == 0 && in->raw_eof) {
                in->z_done = true;
            } else if (inflateReset(&in->z) != Z_OK) {
                return -1;
            }
        } else if (rc == Z_BUF_ERROR && in->raw_eof && in->z.avail_in == 0) {
            /* Cut short: what came before is the capture, the reader says
             * where it ended. */
            in->z_done = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            errno = EIO;
            return -1;
        }
    }
    return (ssize_t)(size - in->z.avail_out);
}

static ssize_t payload_read(struct once_input *in, uint8_t *buf, size_t size)
{
    return in->gzip ? inflate_read(in, buf, size) : raw_read(in, buf, size);
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct once_input *in = cookie;
    if (in->head_pos < in->head_len) {
        size_t n = in->head_len - in->head_pos < size ? in->head_len - in->head_pos : size;
        memcpy(buf, in->head + in->head_pos, n);
        in->head_pos += n;
        return (ssize_t)n;
    }
    return payload_read(in, (uint8_t *)buf, size);
}

static int cookie_close(void *cookie)
{
    struct once_input *in = cookie;
    if (in->gzip)
        inflateEnd(&in->z);
    int rc = in->own_fd ? close(in->fd) : 0;
    free(in);
    return rc;
}

bool once_input_wanted(const char *path, const uint8_t *file_head, size_t got)
{
    return !strcmp(path, "-") || (got >= 2 && file_head[0] == GZIP_MAGIC_0 && file_head[1] == GZIP_MAGIC_1);
}

/* Fills buf with up to len bytes, fewer only at the end. */
static ssize_t fill(struct once_input *in, uint8_t *buf, size_t len, bool raw)
{
    size_t have = 0;
    while (have < len) {
        ssize_t n = raw ? raw_read(in, buf + have, len - have) : payload_read(in, buf + have, len - have);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        have += (size_t)n;
    }
    return (ssize_t)have;
}

FILE *once_input_open(const char *path, uint8_t *head, size_t *head_len, bool *compressed, char *err,
                      size_t errlen)
{
    struct once_input *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!strcmp(path, "-")) {
        in->fd = STDIN_FILENO;
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        in->own_fd = true;
        if (in->fd < 0) {
            snprintf(err, errlen, "cannot open: %s", strerror(errno));
            free(in);
            return NULL;
        }
    }
    ssize_t n = fill(in, in->raw_head, sizeof in->raw_head, true);
    if (n < 0) {
        snprintf(err, errlen, "read error: %s", strerror(errno));
        goto fail;
    }
    in->raw_head_len = (size_t)n;
    in->gzip = n == 2 && in->raw_head[0] == GZIP_MAGIC_0 && in->raw_head[1] == GZIP_MAGIC_1;
    /* 15 + 32: a window of 32 KiB, gzip or zlib headers told apart by zlib. */
    if (in->gzip && inflateInit2(&in->z, 15 + 32) != Z_OK) {
        snprintf(err, errlen, "cannot start gzip decompression");
        in->gzip = false;
        goto fail;
    }
    n = fill(in, in->head, sizeof in->head, false);
    if (n < 0) {
        snprintf(err, errlen, in->gzip ? "not a readable gzip stream" : "read error: %s", strerror(errno));
        goto fail;
    }
    in->head_len = (size_t)n;
    memcpy(head, in->head, in->head_len);
    *head_len = in->head_len;
    *compressed = in->gzip;
    cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
    FILE *f = fopencookie(in, "rb", io);
    if (f)
        return f;
    snprintf(err, errlen, "out of memory");
fail:
    cookie_close(in);
    return NULL;
}
