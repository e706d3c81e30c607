/* The evidence capture: a second read of a capture that writes only the
 * packets of chosen connections and chosen frames to a small pcapng file,
 * each packet's comment naming its frame in the original, so a ticket can
 * carry the evidence of a multi-gigabyte capture and its reader can find
 * every frame the report cites. */
#ifndef TLSDIAG_EXTRACT_H
#define TLSDIAG_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* A connection by its endpoints (either direction matches). */
struct extract_flow {
    uint8_t ip_version;
    uint8_t addr[2][16];
    uint16_t port[2];
    /* Every packet; else the payload-carrying packets stop after
     * payload_cap bytes each way (the handshake and the first data prove a
     * success; a long download's body is not evidence), the rest (ACKs,
     * FIN, RST) stays. */
    bool full;
};

struct extract_plan {
    struct extract_flow *flows;
    size_t flow_count;
    uint64_t *frames;            /* more frames, by number (DNS lookups, lone SYNs) */
    size_t frame_count;
    uint64_t payload_cap;
    const char *source_name;     /* named in each packet's comment */
};

#define EXTRACT_RANDOM_LEN 32u
#define EXTRACT_MAX_RANDOMS 256u

struct extract_result {
    uint64_t frames_read, packets_written, bytes_written;
    /* The client randoms of the Client Hellos written (the first
     * EXTRACT_MAX_RANDOMS): what a key log line names a connection by. */
    uint8_t randoms[EXTRACT_MAX_RANDOMS][EXTRACT_RANDOM_LEN];
    size_t random_count;
};

/* Reads src again and writes the plan's packets to out_path. False with a
 * one-line reason in err (the input unreadable, the output not writable). A
 * damaged tail ends the read where the first pass ended too. */
bool extract_write(const struct capture_source *src, const struct extract_plan *plan, const char *out_path,
                   struct extract_result *result, char *err, size_t errlen);

/* Puts NSS key log text into the extract at out_path as a Decryption
 * Secrets Block right after its section header, where readers meet it
 * before the packets it decrypts (a file of our own writing: its section
 * header's length is known). False with a reason in err. */
bool extract_add_secrets(const char *out_path, const uint8_t *text, size_t len, char *err, size_t errlen);

#endif
