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

size_t text_escaped_from_wire(char *dst, size_t dstlen, const uint8_t *src, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t out = 0, i = 0;
    for (; i < len; i++) {
        char form[5];
        size_t n = 0;
        uint8_t ch = src[i];
        if (ch == '\\' || ch == '\r' || ch == '\n' || ch == '\t') {
            form[n++] = '\\';
            form[n++] = ch == '\r' ? 'r' : ch == '\n' ? 'n' : ch == '\t' ? 't' : '\\';
        } else if (ch >= 0x20 && ch < 0x7F) {
            form[n++] = (char)ch;
        } else {
            form[n++] = '\\';
            form[n++] = 'x';
            form[n++] = digits[ch >> 4];
            form[n++] = digits[ch & 0xF];
        }
        if (out + n >= dstlen)
            break;
        for (size_t k = 0; k < n; k++)
            dst[out++] = form[k];
    }
    dst[out] = 0;
    return i;
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
