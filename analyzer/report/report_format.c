/* The table of output formats; see report_format.h. */
#include "report_format.h"

#include <string.h>

/* Between the reports of several captures, text and HTML. */
#define TEXT_RULE "\n------------------------------------------------------------------------------\n\n"
#define HTML_RULE "<hr class=\"between\">\n"

const struct report_format report_formats[] = {
    /* name   writer             begin_one         end_one            open_many         between
     *        close_many         shows_digests */
    { "text", report_write_text, "",               "",                "",               TEXT_RULE,
              "",                false },
    { "json", report_write_json, "",               "\n",              "[\n",            ",\n",
              "\n]\n",           true },
    { "html", report_write_html, report_html_head, report_html_tail,  report_html_head, HTML_RULE,
              report_html_tail,  true },
    { NULL, NULL, NULL, NULL, NULL, NULL, NULL, false },
};

const struct report_format *report_format_find(const char *name)
{
    for (const struct report_format *f = report_formats; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

void report_format_names(char *buf, size_t len, const char *sep, const char *last_sep)
{
    size_t used = 0;
    if (len)
        buf[0] = 0;
    for (const struct report_format *f = report_formats; f->name && used < len; f++) {
        const char *joint = f == report_formats ? "" : f[1].name ? sep : last_sep;
        int n = snprintf(buf + used, len - used, "%s%s", joint, f->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

bool report_format_write_one(const struct report_format *f, FILE *out, const cJSON *report)
{
    fputs(f->begin_one, out);
    if (!f->write(out, report))
        return false;
    fputs(f->end_one, out);
    return true;
}
