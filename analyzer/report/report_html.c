/* The HTML view of the report: one self-contained page to attach to a
 * ticket or print to PDF. Verdict and outcome first, who acts and the
 * remedy, then a ladder diagram of each attempt (in diff mode the working
 * and failing ones side by side, the first step where they part marked),
 * the attempt table, the differences, the facts and the inputs.
 *
 * The page is made of strings a capture chose (SNI, certificate names,
 * HTTP reasons, DNS names), so nothing dynamic reaches it except through
 * esc(): the page's own markup is literals only, and the policy in its
 * head forbids scripts and every fetch in case that ever fails. Reads only
 * the report's JSON. */
#include "report.h"
#include "report_format.h"
#include "report_path.h"
#include "timeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- escaping */

/* The one way text reaches the page, in elements, attributes and SVG text
 * alike: the five characters markup is made of become entities, so a
 * string stays text wherever it lands; control characters (not allowed in
 * HTML) become U+FFFD. */
static void esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                fputs("&#xfffd;", out);
            else
                fputc(c, out);
        }
    }
}

static void escf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* printf, then esc() over the whole result. */
static void escf(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n >= 0)
        esc(out, text);
    free(text);
}

/* At most max_chars characters of s into buf (UTF-8: never half a
 * character), with an ellipsis when cut: SVG text does not wrap. */
static void clip(const char *s, size_t max_chars, char *buf, size_t len)
{
    size_t i = 0, chars = 0;
    while (s && s[i] && chars < max_chars) {
        size_t step = 1;
        while (s[i + step] && ((unsigned char)s[i + step] & 0xc0) == 0x80)
            step++;
        if (i + step + 4 > len)
            break;
        i += step;
        chars++;
    }
    memcpy(buf, s ? s : "", i);
    buf[i] = '\0';
    if (s && s[i])
        strcat(buf, "\xe2\x80\xa6");
}

/* ------------------------------------------------------------ the frame */

const char report_html_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"tlsdiag\">\n"
    "<title>tlsdiag report</title>\n"
    "<style>\n"
    ":root{--ok:#1a7f37;--fail:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--tls:#0969da;"
    "--tcp:#57606a;--dns:#8250df;--proxy:#bc4c00;--bg:#f6f8fa}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:#1f2328;"
    "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",\"DejaVu Sans\",Arial,sans-serif}\n"
    "article.report{max-width:1180px;margin:16px auto;padding:20px 28px;background:#fff;"
    "border:1px solid var(--line);border-radius:8px}\n"
    "h1{font-size:21px;margin:6px 0 8px}h2{font-size:16px;margin:22px 0 8px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}h3{font-size:14px;margin:12px 0 6px}\n"
    "p{margin:4px 0}code,.mono{font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    ".verdict{border-left:6px solid var(--fail);padding:6px 0 6px 16px}\n"
    ".verdict.outcome-success{border-color:var(--ok)}.verdict.outcome-intermittent{border-color:var(--warn)}"
    ".verdict.outcome-inconclusive{border-color:var(--muted)}\n"
    ".badge{display:inline-block;padding:1px 9px;border-radius:4px;color:#fff;background:var(--fail);"
    "font-weight:700;letter-spacing:.06em;font-size:12px;vertical-align:2px}\n"
    ".outcome-success .badge{background:var(--ok)}.outcome-intermittent .badge{background:var(--warn)}"
    ".outcome-inconclusive .badge{background:var(--muted)}\n"
    ".cause{font-weight:600}.connector{color:var(--muted);font-size:13px}\n"
    ".message{font-size:15px}.reason,.summary,.repeats{color:#1f2328}.evidence{color:var(--muted)}\n"
    ".action{display:grid;grid-template-columns:minmax(180px,1fr) 3fr;gap:4px 20px;margin-top:14px;"
    "padding:10px 16px;background:#fff8c5;border:1px solid #eac54f;border-radius:6px}\n"
    ".action h2{border:0;margin:0;padding:0;font-size:13px;text-transform:uppercase;letter-spacing:.05em;"
    "color:var(--muted)}.action ul{margin:0;padding-left:18px}\n"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}\n"
    ".attempt-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:16px}\n"
    "figure.ladder{margin:0 0 16px;padding:8px 10px;border:1px solid var(--line);border-radius:6px;"
    "break-inside:avoid;page-break-inside:avoid;min-width:0}\n"
    "figcaption{font-size:13px;margin-bottom:6px}figcaption .who{font-weight:600}\n"
    ".divergence-note{padding:6px 12px;border-left:4px solid var(--fail);background:#ffebe9;margin:6px 0 12px}\n"
    "svg.ladder-svg{display:block;width:100%;height:auto}\n"
    "svg text{font-family:system-ui,\"DejaVu Sans\",Arial,sans-serif;font-size:11px;fill:#1f2328}\n"
    "svg .lane-head rect{fill:#eef2f6;stroke:#8c959f}svg .lane-name{font-weight:700;font-size:12px}\n"
    "svg .lane-addr{font-size:10px;fill:var(--muted)}\n"
    "svg .lifeline{stroke:#8c959f;stroke-width:1;stroke-dasharray:4 4}\n"
    "svg .step line{stroke:var(--tls);stroke-width:1.6}svg .step polygon{fill:var(--tls)}\n"
    "svg .step-dns line{stroke:var(--dns)}svg .step-dns polygon{fill:var(--dns)}\n"
    "svg .step-tcp line{stroke:var(--tcp)}svg .step-tcp polygon{fill:var(--tcp)}\n"
    "svg .step-proxy line{stroke:var(--proxy)}svg .step-proxy polygon{fill:var(--proxy)}\n"
    "svg .step-alert line{stroke:var(--fail);stroke-width:2.2}svg .step-alert polygon{fill:var(--fail)}\n"
    "svg .step-alert .label{fill:var(--fail)}\n"
    "svg .label{font-weight:600}svg .frame{fill:var(--muted);font-weight:400}"
    "svg .ms{fill:var(--muted);font-weight:400}svg .detail{font-size:10px;fill:#424a53}\n"
    "svg .note rect{fill:#fff8c5;stroke:#d4a72c}\n"
    "svg rect.divergence{fill:#ffebe9;stroke:var(--fail);stroke-dasharray:4 3}"
    "svg text.divergence{fill:var(--fail);font-weight:700;font-size:10px}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}\n"
    "th{background:#f6f8fa;font-weight:600}td.mono{overflow-wrap:anywhere}td.nowrap{white-space:nowrap}\n"
    ".differences table{table-layout:fixed}.differences th:first-child{width:28%}\n"
    "td.outcome-failed{color:var(--fail);font-weight:600}td.outcome-success{color:var(--ok);font-weight:600}\n"
    "details.facts{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:4px 10px}\n"
    "details.facts summary{cursor:pointer;font-weight:600}\n"
    "pre{margin:8px 0;white-space:pre-wrap;word-break:break-all;tab-size:2;"
    "font:12px/1.35 ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace}\n"
    ".muted{color:var(--muted)}hr.between{border:0;border-top:3px double var(--line);margin:28px 0}\n"
    "footer{margin-top:18px;color:var(--muted);font-size:12px}\n"
    "@media (max-width:900px){.pair,.attempt-grid{grid-template-columns:1fr}}\n"
    "@media print{@page{margin:14mm}body{background:#fff;font-size:11pt}"
    "article.report{max-width:none;margin:0;padding:0;border:0}"
    ".pair{grid-template-columns:1fr 1fr}.attempt-grid{grid-template-columns:1fr 1fr}"
    "h2{break-after:avoid;page-break-after:avoid}"
    "tr,figure,.verdict,.action{break-inside:avoid;page-break-inside:avoid}"
    ".action,.divergence-note,svg rect.divergence,svg .note rect{-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}details.facts pre{font-size:8pt}td.nowrap{white-space:normal}}\n"
    "</style>\n"
    "</head>\n"
    "<body>\n";

const char report_html_tail[] = "</body>\n</html>\n";

/* --------------------------------------------------------------- helpers */

static bool is(const char *s, const char *want)
{
    return s && !strcmp(s, want);
}

/* A paragraph of one string, when there is one. */
static void para(FILE *out, const char *cls, const char *text)
{
    if (!text || !*text)
        return;
    fputs("<p class=\"", out);
    esc(out, cls);
    fputs("\">", out);
    esc(out, text);
    fputs("</p>\n", out);
}

static void cell(FILE *out, const char *text)
{
    fputs("<td>", out);
    esc(out, text ? text : "");
    fputs("</td>", out);
}

static void mono_cell(FILE *out, const char *text)
{
    fputs("<td class=\"mono\">", out);
    esc(out, text ? text : "");
    fputs("</td>", out);
}

static const cJSON *connection_by_id(const cJSON *facts, double id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections"))
        if (num(c, "id", -1) == id)
            return c;
    return NULL;
}

/* ------------------------------------------------------- the verdict */

static void write_verdict(FILE *out, const cJSON *diag)
{
    const char *outcome = str(diag, "outcome") ? str(diag, "outcome") : "failed";
    bool ok = is(outcome, "success");
    fputs("<header class=\"verdict outcome-", out);
    esc(out, outcome);
    fputs("\">\n<p><span class=\"badge outcome\">", out);
    esc(out, ok ? "OK" : is(outcome, "intermittent") ? "INTERMITTENT" : is(outcome, "inconclusive")
                                                                      ? "INCONCLUSIVE" : "FAILED");
    fputs("</span> <span class=\"muted\">outcome: ", out);
    esc(out, outcome);
    fputs("</span></p>\n<h1><code class=\"cause\">", out);
    esc(out, str(diag, "cause") ? str(diag, "cause") : "");
    fputs("</code> ", out);
    esc(out, str(diag, "title"));
    if (str(diag, "connector_code")) {
        fputs(" <span class=\"connector\">[connector ", out);
        esc(out, str(diag, "connector_code"));
        fputs("]</span>", out);
    }
    fputs("</h1>\n", out);
    para(out, "message", str(diag, "message"));
    if (str(diag, "outcome_reason")) {
        fputs("<p class=\"reason\">Inconclusive: ", out);
        esc(out, str(diag, "outcome_reason"));
        fputs(".</p>\n", out);
    }
    para(out, "summary", str(diag, "attempts_summary"));
    if (num(diag, "matched_connections", 0) > 1) {
        fputs("<p class=\"repeats\">", out);
        escf(out, "The same on %.0f connections.",
             num(diag, "matched_connections", 0));
        fputs("</p>\n", out);
    }
    const cJSON *ev = cJSON_GetObjectItem(diag, "evidence");
    if (cJSON_GetArraySize(ev) > 0) {
        fputs("<p class=\"evidence\">Evidence: ", out);
        const cJSON *e;
        cJSON_ArrayForEach(e, ev) {
            if (e != ev->child)
                fputs(", ", out);
            escf(out, "%s #%.0f", str(e, "what") ? str(e, "what") : "", num(e, "frame", 0));
        }
        fputs("</p>\n", out);
    }
    fputs("</header>\n", out);
    if (ok)
        return;
    fputs("<section class=\"action\">\n<h2>Who acts</h2>\n<ul class=\"who-acts\">", out);
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(diag, "who_acts")) {
        const char *word = cJSON_GetStringValue(w);
        fputs("<li data-actor=\"", out);
        esc(out, word);
        fputs("\">", out);
        esc(out, report_actor_words(word) ? report_actor_words(word) : word);
        fputs("</li>", out);
    }
    fputs("</ul>\n<h2>Remedy</h2>\n<div class=\"remedy\">", out);
    esc(out, str(diag, "remedy") ? str(diag, "remedy") : "");
    fputs("</div>\n</section>\n", out);
}

/* ------------------------------------------------------- the ladders */

#define SVG_W 600
#define LANE_MARGIN 74
#define HEAD_H 50
#define ROW_H 42
/* An average character's width at the detail line's 10px, for clipping
 * text SVG cannot wrap (a bit wide, so the clip comes before the edge). */
#define CHAR_W 6.0

static const char *const lane_names[LANE_COUNT] = {
    [LANE_DNS] = "DNS", [LANE_CLIENT] = "Endpoint", [LANE_PROXY] = "Proxy", [LANE_SERVER] = "Server",
};

struct ladder {
    struct timeline tl;
    bool shown[LANE_COUNT];
    const char *addr[LANE_COUNT];   /* under each lane's name */
    int diverge;                    /* the row where two ladders part; -1: none */
};

/* The ladder of one connection (conn NULL: the capture's DNS and failed
 * connects alone), with the capture's DNS lookups and failed connects from
 * the frame range [from_frame, to_frame) (to_frame 0: no end). */
static void ladder_build(struct ladder *l, const cJSON *facts, const cJSON *conn, double from_frame, double to_frame)
{
    memset(l, 0, sizeof *l);
    l->diverge = -1;
    timeline_init(&l->tl, conn ? num(conn, "start_ts", 0) : num(facts, "start_ts", 0));
    timeline_add_dns(&l->tl, facts, from_frame, to_frame, conn);
    if (conn)
        timeline_add_conn(&l->tl, conn);
    timeline_add_failed_connects(&l->tl, facts, from_frame, to_frame, cJSON_GetObjectItem(facts, "connections"));
    timeline_sort(&l->tl);
    l->shown[LANE_CLIENT] = l->shown[LANE_SERVER] = true;
    l->shown[LANE_PROXY] = cJSON_GetObjectItem(conn, "proxy") != NULL;
    for (int i = 0; i < l->tl.n; i++)
        if (l->tl.e[i].from == LANE_DNS || l->tl.e[i].to == LANE_DNS)
            l->shown[LANE_DNS] = true;
    const cJSON *proxy = cJSON_GetObjectItem(conn, "proxy");
    l->addr[LANE_CLIENT] = str(conn, "client");
    l->addr[LANE_PROXY] = str(proxy, "address") ? str(proxy, "address") : str(conn, "server");
    l->addr[LANE_SERVER] = str(conn, "server_name") ? str(conn, "server_name")
                         : proxy ? str(proxy, "target") : str(conn, "server");
    l->addr[LANE_DNS] = "lookups";
}

/* What kind of step a row is, for its colour. */
static const char *step_class(const struct timeline_entry *e)
{
    if (e->from == e->to)
        return "note";
    if (is(e->what, "Alert") || is(e->what, "RST"))
        return "step step-alert";
    if (!strncmp(e->what, "DNS", 3))
        return "step step-dns";
    if (is(e->what, "SYN") || is(e->what, "SYN-ACK") || is(e->what, "FIN"))
        return "step step-tcp";
    if (is(e->what, "CONNECT") || is(e->what, "Proxy answer"))
        return "step step-proxy";
    return "step step-tls";
}

static void ms_text(double ms, char *buf, size_t len)
{
    if (isnan(ms))
        buf[0] = '\0';
    else if (fabs(ms) < 10)
        snprintf(buf, len, "%.2f ms", ms);
    else if (fabs(ms) < 1000)
        snprintf(buf, len, "%.1f ms", ms);
    else
        snprintf(buf, len, "%.0f ms", ms);
}

/* Text at (x, y) in the given class, clipped to the room left before the
 * picture's right edge. */
static void svg_text(FILE *out, const char *cls, double x, double y, const char *text)
{
    char clipped[512];
    double room = SVG_W - 6 - x;
    clip(text, room > CHAR_W ? (size_t)(room / CHAR_W) : 1, clipped, sizeof clipped);
    fprintf(out, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, x, y);
    esc(out, clipped);
    fputs("</text>", out);
}

static void write_ladder_svg(FILE *out, const struct ladder *l, const char *label)
{
    double x[LANE_COUNT] = { 0 };
    int shown = 0;
    for (int k = 0; k < LANE_COUNT; k++)
        shown += l->shown[k];
    for (int k = 0, i = 0; k < LANE_COUNT; k++)
        if (l->shown[k])
            x[k] = LANE_MARGIN + (shown > 1 ? i++ * (double)(SVG_W - 2 * LANE_MARGIN) / (shown - 1) : 0);
    int height = HEAD_H + 12 + (l->tl.n ? l->tl.n : 1) * ROW_H;
    fprintf(out, "<svg class=\"ladder-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                 "role=\"img\" aria-label=\"", SVG_W, height);
    esc(out, label);
    fputs("\">\n", out);
    for (int k = 0; k < LANE_COUNT; k++) {
        if (!l->shown[k])
            continue;
        fprintf(out, "<g class=\"lane-head lane-%d\"><line class=\"lifeline\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                     "y2=\"%d\"/><rect x=\"%.1f\" y=\"4\" width=\"128\" height=\"38\" rx=\"5\"/>",
                k, x[k], HEAD_H - 8, x[k], height - 4, x[k] - 64);
        fprintf(out, "<text class=\"lane-name\" x=\"%.1f\" y=\"20\" text-anchor=\"middle\">", x[k]);
        esc(out, lane_names[k]);
        fputs("</text>", out);
        char addr[64];
        clip(l->addr[k] ? l->addr[k] : "", 21, addr, sizeof addr);
        fprintf(out, "<text class=\"lane-addr\" x=\"%.1f\" y=\"35\" text-anchor=\"middle\">", x[k]);
        esc(out, addr);
        fputs("</text></g>\n", out);
    }
    if (!l->tl.n)
        svg_text(out, "detail", 8, HEAD_H + 30, "nothing of this connection is in the capture");
    for (int i = 0; i < l->tl.n; i++) {
        const struct timeline_entry *e = &l->tl.e[i];
        double top = HEAD_H + 8 + i * ROW_H, y = top + 21;
        if (i == l->diverge) {
            fprintf(out, "<rect class=\"divergence\" x=\"2\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"4\"/>", top,
                    SVG_W - 4, ROW_H - 2);
            fprintf(out, "<text class=\"divergence\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">first divergence</text>",
                    SVG_W - 8, top + 12);
        }
        char ms[32], head[96];
        ms_text(e->ms, ms, sizeof ms);
        fprintf(out, "<g class=\"%s\" data-frame=\"%llu\"><title>", step_class(e), (unsigned long long)e->frame);
        escf(out, "#%llu %s%s%s: %s", (unsigned long long)e->frame, e->what, *ms ? ", " : "", ms, e->detail);
        fputs("</title>", out);
        if (e->from == e->to) {
            double left = LANE_MARGIN - 60, right = SVG_W - LANE_MARGIN + 60;
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"4\"/>", left, top + 3,
                    right - left, ROW_H - 8);
            snprintf(head, sizeof head, "#%llu %s", (unsigned long long)e->frame, e->what);
            svg_text(out, "label", left + 6, top + 16, head);
            svg_text(out, "detail", left + 6, top + 29, e->detail);
            fputs("</g>\n", out);
            continue;
        }
        double x1 = x[e->from], x2 = x[e->to], dir = x2 > x1 ? 1 : -1;
        double text_x = (x1 < x2 ? x1 : x2) + 8;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x1, y, x2 - dir * 7, y);
        fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>", x2, y, x2 - dir * 9, y - 4.5,
                x2 - dir * 9, y + 4.5);
        /* "#12 Client Hello  3.51 ms" above the arrow, the detail below. */
        fprintf(out, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\"><tspan class=\"frame\">", text_x, y - 6);
        escf(out, "#%llu", (unsigned long long)e->frame);
        fputs("</tspan> ", out);
        esc(out, e->what);
        if (*ms) {
            fputs(" <tspan class=\"ms\">", out);
            esc(out, ms);
            fputs("</tspan>", out);
        }
        fputs("</text>", out);
        svg_text(out, "detail", text_x, y + 14, e->detail);
        fputs("</g>\n", out);
    }
    fputs("</svg>\n", out);
}

/* "Attempt 1 of 2", the connection, its endpoints and how it ended. */
static void write_caption(FILE *out, const char *who, const cJSON *conn, const cJSON *row)
{
    fputs("<figcaption><span class=\"who\">", out);
    esc(out, who);
    fputs("</span>", out);
    if (conn) {
        escf(out, " \xc2\xb7 connection %.0f \xc2\xb7 %s \xe2\x86\x92 %s (%s)", num(conn, "id", 0),
             str(conn, "client") ? str(conn, "client") : "?", str(conn, "server") ? str(conn, "server") : "?",
             str(conn, "path") ? str(conn, "path") : "direct");
        if (str(conn, "server_name"))
            escf(out, " \xc2\xb7 %s", str(conn, "server_name"));
    } else {
        fputs(" \xc2\xb7 no connection to the server", out);
    }
    const char *outcome = row ? str(row, "outcome") : str(conn, "verdict");
    if (outcome) {
        fputs(" \xc2\xb7 <strong>", out);
        esc(out, outcome);
        fputs("</strong>", out);
        const char *why = str(row, "cause") ? str(row, "cause") : str(row, "failed_stage");
        if (why && !is(why, "success"))
            escf(out, ": %s", why);
    }
    if (str(row, "time"))
        escf(out, " \xc2\xb7 %s", str(row, "time"));
    fputs("</figcaption>\n", out);
}

static void write_ladder(FILE *out, const char *cls, const char *who, const struct ladder *l, const cJSON *conn,
                         const cJSON *row)
{
    fputs("<figure class=\"ladder ", out);
    esc(out, cls);
    fputs("\">\n", out);
    write_caption(out, who, conn, row);
    write_ladder_svg(out, l, who);
    fputs("</figure>\n", out);
}

/* analyze: a ladder per attempt. The capture's DNS lookups and failed
 * connects go with the attempt they lead to (the next one to start), those
 * after the last attempt's start with the last. */
static void write_attempt_ladders(FILE *out, const cJSON *side, const cJSON *diag)
{
    const cJSON *facts = cJSON_GetObjectItem(side, "facts");
    const cJSON *rows = cJSON_GetObjectItem(diag, "attempts");
    int n = cJSON_GetArraySize(rows);
    fputs("<section class=\"ladders\">\n<h2>Sequence</h2>\n<div class=\"attempt-grid\">\n", out);
    struct ladder *l = malloc(sizeof *l);
    if (!l) {
        fputs("</div>\n</section>\n", out);
        return;
    }
    if (n == 0) {
        const cJSON *conn = connection_by_id(facts, num(side, "primary_connection", -1));
        ladder_build(l, facts, conn, 0, 0);
        write_ladder(out, "ladder-attempt", conn ? "Connection" : "The capture", l, conn, NULL);
    }
    double from_frame = 0;
    int i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        const cJSON *conn = connection_by_id(facts, num(row, "connection", -1));
        double first = num(conn, "first_frame", 0);
        ladder_build(l, facts, conn, from_frame, row->next ? first : 0);
        from_frame = first;
        char who[48];
        snprintf(who, sizeof who, n > 1 ? "Attempt %d of %d" : "Attempt", ++i, n);
        write_ladder(out, "ladder-attempt", who, l, conn, row);
    }
    free(l);
    fputs("</div>\n</section>\n", out);
}

/* A row's kind, for where two ladders part: the message, and whether the
 * client sent it. */
static bool same_step(const struct timeline_entry *a, const struct timeline_entry *b)
{
    return !strcmp(a->what, b->what) && (a->from == LANE_CLIENT) == (b->from == LANE_CLIENT);
}

/* diff: the working and the failing ladders side by side, the first step
 * whose kind differs marked in both. */
static void write_diff_ladders(FILE *out, const cJSON *report)
{
    const cJSON *good = rules_get(report, "captures.good"), *bad = rules_get(report, "captures.bad");
    const cJSON *gfacts = cJSON_GetObjectItem(good, "facts"), *bfacts = cJSON_GetObjectItem(bad, "facts");
    const cJSON *gconn = connection_by_id(gfacts, num(good, "primary_connection", -1));
    const cJSON *bconn = connection_by_id(bfacts, num(bad, "primary_connection", -1));
    struct ladder *l = malloc(2 * sizeof *l);
    if (!l)
        return;
    ladder_build(&l[0], gfacts, gconn, 0, 0);
    ladder_build(&l[1], bfacts, bconn, 0, 0);
    int i = 0;
    while (i < l[0].tl.n && i < l[1].tl.n && same_step(&l[0].tl.e[i], &l[1].tl.e[i]))
        i++;
    bool parted = i < l[0].tl.n || i < l[1].tl.n;
    fputs("<section class=\"ladders\">\n<h2>Sequence: working and failing</h2>\n", out);
    if (parted) {
        l[0].diverge = i < l[0].tl.n ? i : -1;
        l[1].diverge = i < l[1].tl.n ? i : -1;
        fprintf(out, "<p class=\"divergence-note\">First divergence at step %d: ", i + 1);
        for (int k = 0; k < 2; k++) {
            const struct timeline_entry *e = i < l[k].tl.n ? &l[k].tl.e[i] : NULL;
            esc(out, k ? "; failing " : "working ");
            if (e)
                escf(out, "%s #%llu (%s)", e->what, (unsigned long long)e->frame, e->detail);
            else
                esc(out, "(nothing more)");
        }
        fputs(".</p>\n", out);
    } else {
        fputs("<p class=\"muted\">The two connections go through the same steps.</p>\n", out);
    }
    fputs("<div class=\"pair\">\n", out);
    write_ladder(out, "ladder-working", "Working endpoint", &l[0], gconn, NULL);
    write_ladder(out, "ladder-failing", "Failing endpoint", &l[1], bconn, NULL);
    fputs("</div>\n</section>\n", out);
    free(l);
}

/* ------------------------------------------------------- the tables */

static void write_attempts(FILE *out, const cJSON *diag)
{
    const cJSON *rows = cJSON_GetObjectItem(diag, "attempts");
    if (!cJSON_GetArraySize(rows))
        return;
    fputs("<section class=\"attempts\">\n<h2>Attempts</h2>\n<table>\n<thead><tr><th>connection</th>"
          "<th>time (UTC)</th><th>path</th><th>IP</th><th>server</th><th>outcome</th><th>cause</th>"
          "<th>key frames</th></tr></thead>\n<tbody>\n", out);
    const cJSON *r;
    cJSON_ArrayForEach(r, rows) {
        fputs("<tr>", out);
        fputs("<td>", out);
        escf(out, "%.0f", num(r, "connection", 0));
        fputs("</td>", out);
        fputs("<td class=\"mono nowrap\">", out);
        esc(out, str(r, "time"));
        fputs("</td>", out);
        cell(out, str(r, "path"));
        fputs("<td>", out);
        escf(out, "IPv%.0f", num(r, "ip_version", 4));
        fputs("</td>", out);
        fputs("<td class=\"mono nowrap\">", out);
        esc(out, str(r, "server"));
        fputs("</td>", out);
        fputs("<td class=\"outcome-", out);
        esc(out, str(r, "outcome"));
        fputs("\">", out);
        esc(out, str(r, "outcome"));
        fputs("</td>", out);
        cell(out, str(r, "cause") ? str(r, "cause") : str(r, "failed_stage") ? str(r, "failed_stage")
                                                                              : str(r, "unknown_reason"));
        fputs("<td>", out);
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "key_frames")) {
            escf(out, "%s%s #%.0f", e == cJSON_GetObjectItem(r, "key_frames")->child ? "" : ", ",
                 str(e, "what") ? str(e, "what") : "", num(e, "frame", 0));
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

/* A difference's value: lists in full (numbers in hex, as code points
 * are read), an absent one said so. */
static void write_value(FILE *out, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        fputs("<span class=\"muted\">(absent)</span>", out);
    } else if (cJSON_IsArray(v)) {
        if (!cJSON_GetArraySize(v))
            fputs("<span class=\"muted\">(none)</span>", out);
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (e != v->child)
                fputs(", ", out);
            if (cJSON_IsNumber(e))
                escf(out, "0x%04x", (unsigned)e->valuedouble);
            else
                esc(out, cJSON_IsString(e) ? e->valuestring : "?");
        }
    } else if (cJSON_IsString(v)) {
        esc(out, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        esc(out, cJSON_IsTrue(v) ? "yes" : "no");
    } else {
        escf(out, "%g", v->valuedouble);
    }
}

static void write_differences(FILE *out, const cJSON *diffs)
{
    if (!cJSON_GetArraySize(diffs))
        return;
    fputs("<section class=\"differences\">\n<h2>Differences</h2>\n<table>\n<thead><tr><th>fact</th>"
          "<th>working</th><th>failing</th></tr></thead>\n<tbody>\n", out);
    const cJSON *d;
    cJSON_ArrayForEach(d, diffs) {
        fputs("<tr><td>", out);
        esc(out, str(d, "label") ? str(d, "label") : str(d, "fact"));
        fputs(" <code class=\"muted\">", out);
        esc(out, str(d, "fact"));
        fputs("</code></td><td class=\"mono\">", out);
        write_value(out, cJSON_GetObjectItem(d, "good"));
        fputs("</td><td class=\"mono\">", out);
        write_value(out, cJSON_GetObjectItem(d, "bad"));
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

/* The findings besides the verdict's, and failures on other servers. */
static void write_other_findings(FILE *out, const cJSON *side, const cJSON *diag)
{
    bool header = false;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(side, "findings")) {
        const char *cause = str(f, "cause");
        if (!cause || is(cause, str(diag, "cause")) || is(cause, "tls_failure_other") || is(cause, "success"))
            continue;
        if (!header)
            fputs("<section class=\"findings\">\n<h2>Other findings</h2>\n<ul>\n", out);
        header = true;
        fputs("<li>", out);
        escf(out, "[%s] ", str(f, "severity") ? str(f, "severity") : "");
        fputs("<code>", out);
        esc(out, cause);
        fputs("</code>: ", out);
        esc(out, str(f, "title"));
        fputs("</li>\n", out);
    }
    if (header)
        fputs("</ul>\n</section>\n", out);
    const cJSON *also = cJSON_GetObjectItem(diag, "also_seen");
    if (!cJSON_GetArraySize(also))
        return;
    fputs("<section class=\"also-seen\">\n<h2>Also seen (other servers, not the verdict)</h2>\n<ul>\n", out);
    cJSON_ArrayForEach(f, also) {
        fputs("<li>", out);
        escf(out, "connection %.0f: ", num(f, "connection", 0));
        fputs("<code>", out);
        esc(out, str(f, "cause"));
        fputs("</code>: ", out);
        esc(out, str(f, "title"));
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</section>\n", out);
}

/* Each capture's facts as the JSON report has them, folded away. */
static void write_facts(FILE *out, const cJSON *report, bool diff)
{
    static const struct { const char *role, *name; } sides[] = {
        { "capture", "the capture" }, { "bad", "the failing capture" }, { "good", "the working capture" },
    };
    fputs("<section class=\"facts\">\n<h2>Facts</h2>\n", out);
    for (size_t i = diff ? 1 : 0; i < (diff ? 3u : 1u); i++) {
        const cJSON *side = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "captures"), sides[i].role);
        char *json = cJSON_Print(cJSON_GetObjectItem(side, "facts"));
        fputs("<details class=\"facts\"><summary>", out);
        escf(out, "Facts of %s (%s), JSON", sides[i].name, str(side, "file") ? str(side, "file") : "?");
        fputs("</summary>\n<pre>", out);
        esc(out, json ? json : "");
        fputs("</pre>\n</details>\n", out);
        free(json);
    }
    fputs("</section>\n", out);
}

static void write_inputs(FILE *out, const cJSON *report)
{
    fputs("<section class=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<thead><tr><th>role</th><th>file</th>"
          "<th>format</th><th>bytes</th><th>frames</th><th>SHA-256</th></tr></thead>\n<tbody>\n", out);
    const cJSON *in;
    cJSON_ArrayForEach(in, cJSON_GetObjectItem(report, "inputs")) {
        fputs("<tr>", out);
        cell(out, str(in, "role"));
        mono_cell(out, str(in, "file"));
        cell(out, str(in, "format"));
        fputs("<td>", out);
        escf(out, "%.0f", num(in, "size", 0));
        fputs("</td><td>", out);
        escf(out, "%.0f", num(in, "frames", 0));
        fputs("</td>", out);
        mono_cell(out, str(in, "sha256") ? str(in, "sha256") : "not computed");
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n<h3>Rule packs</h3>\n<table>\n<thead><tr><th>pack</th><th>version</th>"
          "<th>rules</th><th>file</th></tr></thead>\n<tbody>\n", out);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(report, "rule_packs")) {
        fputs("<tr>", out);
        cell(out, str(p, "pack"));
        cell(out, str(p, "version"));
        fputs("<td>", out);
        escf(out, "%.0f", num(p, "rules", 0));
        fputs("</td>", out);
        mono_cell(out, str(p, "file"));
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    fputs("<p class=\"targets\">Targets: ", out);
    const cJSON *h;
    cJSON_ArrayForEach(h, rules_get(report, "targets.hosts")) {
        if (h != rules_get(report, "targets.hosts")->child)
            fputs(", ", out);
        esc(out, cJSON_GetStringValue(h));
    }
    escf(out, " (%s)", str(report, "targets.source") ? str(report, "targets.source") : "?");
    fputs("</p>\n</section>\n<footer class=\"tool\">", out);
    escf(out, "%s %s, %s mode, report schema %s %s", str(report, "tool.name") ? str(report, "tool.name") : "tlsdiag",
         str(report, "tool.version") ? str(report, "tool.version") : "?", str(report, "mode") ? str(report, "mode") : "?",
         str(report, "schema") ? str(report, "schema") : "", str(report, "schema_version") ? str(report, "schema_version") : "");
    fputs("</footer>\n", out);
}

bool report_write_html(FILE *out, const cJSON *report)
{
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    bool diff = is(str(report, "mode"), "diff");
    const cJSON *side = rules_get(report, diff ? "captures.bad" : "captures.capture");
    fputs("<article class=\"report mode-", out);
    esc(out, diff ? "diff" : "analyze");
    fputs("\">\n", out);
    write_verdict(out, diag);
    if (diff)
        write_diff_ladders(out, report);
    else
        write_attempt_ladders(out, side, diag);
    write_attempts(out, diag);
    write_differences(out, cJSON_GetObjectItem(report, "differences"));
    write_other_findings(out, side, diag);
    write_facts(out, report, diff);
    write_inputs(out, report);
    fputs("</article>\n", out);
    return true;
}
