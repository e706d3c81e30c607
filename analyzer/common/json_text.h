/* Text from wire bytes: JSON strings (everything that is not printable
 * ASCII is escaped, so output stays valid UTF-8 whatever the wire held),
 * C strings for the facts, hex. */
#ifndef TLSDIAG_JSON_TEXT_H
#define TLSDIAG_JSON_TEXT_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

void json_write_string(FILE *f, const uint8_t *s, size_t len);

/* Wire bytes as a C string for the facts: printable ASCII kept, any other
 * byte '?', cut to fit dst (dstlen >= 1). */
void text_from_wire(char *dst, size_t dstlen, const uint8_t *src, size_t len);

/* Wire bytes as text that shows what was sent, for a peer's reply that is
 * not the protocol expected: printable ASCII kept (a backslash doubled),
 * CR, LF and TAB as \r \n \t, any other byte as \xNN. Stops before a byte
 * whose form would not fit in dst (dstlen >= 1); returns the bytes of src
 * written. */
size_t text_escaped_from_wire(char *dst, size_t dstlen, const uint8_t *src, size_t len);

/* n bytes as lowercase hex into out (2 * n + 1 bytes, NUL-terminated):
 * digests and certificate hashes. */
void hex_from_bytes(const uint8_t *bytes, size_t n, char *out);

#endif
