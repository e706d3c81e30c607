#include "json_text.h"

void json_write_string(FILE *f, const uint8_t *s, size_t len)
{
    putc('"', f);
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = s[i];
        if (ch == '"' || ch == '\\') {
            putc('\\', f);
            putc(ch, f);
        } else if (ch < 0x20 || ch >= 0x7F) {
            fprintf(f, "\\u%04x", ch);
        } else {
            putc(ch, f);
        }
    }
    putc('"', f);
}

void text_from_wire(char *dst, size_t dstlen, const uint8_t *src, size_t len)
{
    size_t n = len < dstlen - 1 ? len : dstlen - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : '?';
    dst[n] = 0;
}

void hex_from_bytes(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xF];
    }
    out[2 * n] = '\0';
}
