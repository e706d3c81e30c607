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
