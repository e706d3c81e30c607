/* Writing JSON strings from wire bytes: everything that is not printable
 * ASCII is escaped, so output stays valid UTF-8 whatever the wire held. */
#ifndef TLSDIAG_JSON_TEXT_H
#define TLSDIAG_JSON_TEXT_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

void json_write_string(FILE *f, const uint8_t *s, size_t len);

/* Wire bytes as a C string for the facts: printable ASCII kept, any other
 * byte '?', cut to fit dst (dstlen >= 1). */
void text_from_wire(char *dst, size_t dstlen, const uint8_t *src, size_t len);

#endif
