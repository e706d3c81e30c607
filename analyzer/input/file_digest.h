/* The SHA-256 of an input file, for the JSON report (a support ticket names
 * the exact capture it was made from).
 *
 * Hashing a capture costs about as much as analysing it (SHA-256 runs at
 * ~1.8 GB/s a core), so it runs on a thread of its own, reading the file
 * beside the analysis pass, and the pass is not slowed on a machine with a
 * second core. The result is the same as `sha256sum FILE`. */
#ifndef TLSDIAG_FILE_DIGEST_H
#define TLSDIAG_FILE_DIGEST_H

#include <stdbool.h>

#define FILE_DIGEST_HEX 65   /* 64 hex digits and the NUL */

struct file_digest;

/* Starts hashing path. Never NULL unless out of memory; when no thread can
 * be started the hash is computed by file_digest_finish() instead. */
struct file_digest *file_digest_start(const char *path);

/* Waits for the hash and frees d. True with hex set when the whole file was
 * read; false (hex "") when it could not be. d may be NULL. */
bool file_digest_finish(struct file_digest *d, char hex[FILE_DIGEST_HEX]);

#endif
