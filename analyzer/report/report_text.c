/* The text view of the report: for a person at an 80-column terminal,
 * verdict first, then the evidence with frame numbers, then the remedy,
 * then the rest. Reads only the report's JSON. */
#include "report.h"
#include "report_format.h"
#include "report_path.h"
#include "timeline.h"
#include "tls_names.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_WIDTH 79

/* Greedy word wrap; first_prefix starts the first line, indent the rest. */
static void wrap(FILE *out, const char *first_prefix, int indent, const char *text)
{
    int col = fprintf(out, "%s", first_prefix);
    bool line_empty = true;
    while (*text) {
        while (*text == ' ')
            text++;
        if (*text == '\n') {
            fputc('\n', out);
            col = fprintf(out, "%*s", indent, "");
            line_empty = true;
            text++;
            continue;
        }
        size_t word = strcspn(text, " \n");
        if (!word)
            break;
        if (!line_empty && col + 1 + (int)word > TEXT_WIDTH) {
            fputc('\n', out);
            col = fprintf(out, "%*s", indent, "");
            line_empty = true;
        }
        /* A word longer than a whole line (a registry key, a URL) is cut
         * after a path separator that fits, else where the line ends. */
        size_t room = TEXT_WIDTH > col ? (size_t)(TEXT_WIDTH - col) : 1;
        if (line_empty && word > room) {
            size_t cut = room;
            for (size_t i = room; i > room / 2; i--)
                if (text[i - 1] == '\\' || text[i - 1] == '/') {
                    cut = i;
                    break;
                }
            fprintf(out, "%.*s\n", (int)cut, text);
            col = fprintf(out, "%*s", indent, "");
            text += cut;
            continue;
        }
        if (!line_empty)
            col += fprintf(out, " ");
        col += fprintf(out, "%.*s", (int)word, text);
        line_empty = false;
        text += word;
    }
    fputc('\n', out);
}

static void print_timeline(FILE *out, struct timeline *tl)
{
    timeline_sort(tl);
    /* The frame column is as wide as the largest frame number, 5 at least. */
    int width = 5;
    for (int i = 0; i < tl->n; i++) {
        char digits[24];
        int w = snprintf(digits, sizeof digits, "%llu", (unsigned long long)tl->e[i].frame);
        if (w > width)
            width = w;
    }
    for (int i = 0; i < tl->n; i++) {
        /* The clock (UTC) of the row when the facts time it. */
        char clock[16] = "";
        double ts = tl->t0 + tl->e[i].ms / 1e3;
        if (tl->t0 > 0 && isfinite(tl->e[i].ms)) {
            char iso[40];
            report_utc_text(ts, iso, sizeof iso);
            snprintf(clock, sizeof clock, "%.12s", iso + 11);   /* HH:MM:SS.mmm */
        }
        char prefix[80];
        snprintf(prefix, sizeof prefix, "  #%-*llu %-12s %-13s ", width, (unsigned long long)tl->e[i].frame, clock,
                 tl->e[i].what);
        wrap(out, prefix, 31 + width, tl->e[i].detail);
    }
}

/* Once, above the connection's timeline: what the timeline cannot show.
 * Not when the diagnosis printed above (diag; NULL: none for this side),
 * about this connection, has just said it. */
static void print_capture_cut(FILE *out, const cJSON *conn, const cJSON *diag)
{
    const cJSON *cut = cJSON_GetObjectItem(conn, "capture_cut");
    if (!cut)
        return;
    const char *reason = str(conn, "unknown_reason"), *message = str(diag, "message");
    if (num(diag, "connection", 0) == num(conn, "id", -1) && reason && message && strstr(message, reason))
        return;
    char line[160];
    if (num(cut, "snaplen", 0) > 0)
        snprintf(line, sizeof line, "capture cut to %.0f bytes per packet from frame #%.0f: TLS contents not available",
                 num(cut, "snaplen", 0), num(cut, "first_frame", 0));
    else
        snprintf(line, sizeof line, "capture cut by a snapshot length from frame #%.0f: TLS contents not available",
                 num(cut, "first_frame", 0));
    wrap(out, "  ", 2, line);
}

/* shown_diag: the diagnosis printed at the top, when it is this side's. */
static void print_side(FILE *out, const char *heading, const cJSON *side, const cJSON *shown_diag)
{
    const cJSON *facts = cJSON_GetObjectItem(side, "facts");
    const cJSON *conns = cJSON_GetObjectItem(facts, "connections");
    double primary_id = num(side, "primary_connection", -1);
    const cJSON *conn = NULL, *c;
    cJSON_ArrayForEach(c, conns)
        if (num(c, "id", 0) == primary_id)
            conn = c;
    struct timeline tl;
    timeline_init(&tl, num(conn, "start_ts", 0));
    timeline_add_dns(&tl, facts, 0, 0, conn);
    if (conn) {
        char prefix[64], endpoints[160];
        snprintf(prefix, sizeof prefix, "%s  ", heading);
        snprintf(endpoints, sizeof endpoints, "%s -> %s (%s)", str(conn, "client"), str(conn, "server"),
                 str(conn, "path"));
        wrap(out, prefix, (int)strlen(prefix), endpoints);
        print_capture_cut(out, conn, shown_diag);
        timeline_add_conn(&tl, conn);
    } else {
        fprintf(out, "%s  no connection to the server\n", heading);
    }
    /* Connects that never got past their SYN: the story when no connection
     * was made; beside a connection they are other attempts (the table). */
    if (!conn)
        timeline_add_failed_connects(&tl, facts, 0, 0, NULL);
    print_timeline(out, &tl);
    int listed = cJSON_GetArraySize(conns);
    int others = (int)num(facts, "selected_connections", listed) - (conn ? 1 : 0);
    if (others > 0) {
        char line[PATH_MAX + 64];
        snprintf(line, sizeof line, "(%d more connection%s to the server in %s)", others,
                 others == 1 ? "" : "s", str(side, "file"));
        wrap(out, "  ", 3, line);
    }
}

/* "N things what", appended to a "; "-separated line when N is not 0. */
static void append_count(char *line, size_t cap, size_t *used, double n, const char *thing, const char *what)
{
    if (!n || *used >= cap)
        return;
    *used += (size_t)snprintf(line + *used, cap - *used, "%s%.0f %s%s %s", *used ? "; " : "", n, thing,
                              n == 1 ? "" : "s", what);
}

/* A line when limits or bad headers kept part of the capture from view. */
static void print_losses(FILE *out, const cJSON *losses)
{
    char line[512] = "";
    size_t used = 0;
    append_count(line, sizeof line, &used, num(losses, "connections_evicted", 0), "connection",
                 "ended early at --max-conns");
    append_count(line, sizeof line, &used, num(losses, "ip_datagrams_incomplete", 0), "IP datagram",
                 "left incomplete");
    append_count(line, sizeof line, &used,
                 num(losses, "invalid_headers", 0) + num(losses, "truncated_headers", 0), "frame",
                 "with bad or cut headers");
    append_count(line, sizeof line, &used, num(losses, "connections_without_facts", 0), "TLS connection",
                 "without facts (more than --max-open-tls open at once)");
    append_count(line, sizeof line, &used, num(losses, "flows_not_classified", 0), "flow",
                 "not classified by nDPI");
    if (used)
        wrap(out, "  not analysed: ", 16, line);
}

static void value_text(const cJSON *v, char *buf, size_t len)
{
    if (!v || cJSON_IsNull(v)) {
        snprintf(buf, len, "(absent)");
    } else if (cJSON_IsArray(v)) {
        /* Short lists in full (numbers in hex, as code points are read),
         * long ones by their size. */
        int n = cJSON_GetArraySize(v);
        if (n == 0 || n > 4) {
            snprintf(buf, len, "%d item%s", n, n == 1 ? "" : "s");
            return;
        }
        size_t used = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            int w = cJSON_IsNumber(e) ? snprintf(buf + used, len - used, "%s0x%04x", used ? "," : "", (unsigned)e->valuedouble)
                                      : snprintf(buf + used, len - used, "%s%s", used ? "," : "", cJSON_IsString(e) ? e->valuestring : "?");
            if (w < 0 || (size_t)w >= len - used)
                break;
            used += (size_t)w;
        }
    } else if (cJSON_IsString(v)) {
        snprintf(buf, len, "%s", v->valuestring);
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    } else {
        snprintf(buf, len, "%g", v->valuedouble);
    }
}

static bool contains_number(const cJSON *arr, double v)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsNumber(e) && e->valuedouble == v)
            return true;
    return false;
}

static const cJSON *primary_of(const cJSON *side)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, rules_get(side, "facts.connections"))
        if (num(c, "id", 0) == num(side, "primary_connection", -1))
            return c;
    return NULL;
}

/* One row of the accepted suites' table. Too wide for the terminal (a
 * long suite name, the TLS 1.3 note beside "offered, chosen"): the name
 * above its columns, the note under the working column. */
static void print_accepted_row(FILE *out, const char *name, const char *bad, const char *good, const char *note)
{
    char row[256];
    snprintf(row, sizeof row, "  %-47s %-8s %s%s%s", name, bad, good, *note ? " " : "", note);
    if (strlen(row) > TEXT_WIDTH && strlen(name) > 47) {
        fprintf(out, "  %s\n", name);
        snprintf(row, sizeof row, "  %-47s %-8s %s%s%s", "", bad, good, *note ? " " : "", note);
    }
    if (strlen(row) <= TEXT_WIDTH) {
        fprintf(out, "%s\n", row);
        return;
    }
    fprintf(out, "  %-47s %-8s %s\n", strlen(name) > 47 ? "" : name, bad, good);
    fprintf(out, "%*s%s\n", 2 + 47 + 1 + 8 + 1, "", note);
}

/* When the profile says which suites the server accepts, the two endpoints
 * side by side on exactly those suites explain most handshake failures. */
static void print_accepted_suites(FILE *out, const cJSON *report)
{
    const cJSON *accepted = rules_get(report, "profile.accepted_suites");
    const cJSON *bad = primary_of(rules_get(report, "captures.bad"));
    const cJSON *good = primary_of(rules_get(report, "captures.good"));
    if (cJSON_GetArraySize(accepted) == 0 || !bad || !good || !rules_get(bad, "tls.client_hello"))
        return;
    fprintf(out, "\n%-49s %-8s %s\n", "Accepted by the server", "failing", "working");
    const cJSON *s;
    cJSON_ArrayForEach(s, accepted) {
        char name[96];
        report_suite_text((uint16_t)s->valuedouble, name, sizeof name);
        /* In the name's column: the other two keep the line in 80 columns. */
        if (tls_suite_is_tls13((uint16_t)s->valuedouble) && strlen(name) + 14 <= 47)
            strcat(name, " TLS 1.3 only");
        bool bad_offers = contains_number(rules_get(bad, "tls.client_hello.cipher_suites"), s->valuedouble);
        bool good_offers = contains_number(rules_get(good, "tls.client_hello.cipher_suites"), s->valuedouble);
        bool chosen = num(good, "tls.server_hello.cipher_suite", -1) == s->valuedouble;
        print_accepted_row(out, name, bad_offers ? "offered" : "-",
                           chosen ? "offered, chosen" : good_offers ? "offered" : "-", "");
    }
}

/* A paragraph written a word at a time, each word kept whole on a line
 * when it fits one (a code point with its name, "0xc030 TLS_..."). */
struct flow {
    FILE *out;
    int col, indent;
    bool line_empty;
};

static void flow_start(struct flow *f, FILE *out, const char *prefix, int indent)
{
    *f = (struct flow){ .out = out, .col = fprintf(out, "%s", prefix), .indent = indent, .line_empty = true };
}

static void flow_newline(struct flow *f)
{
    fputc('\n', f->out);
    f->col = fprintf(f->out, "%*s", f->indent, "");
    f->line_empty = true;
}

static void flow_word(struct flow *f, const char *word)
{
    int len = (int)strlen(word);
    if (!f->line_empty && f->col + 1 + len > TEXT_WIDTH)
        flow_newline(f);
    if (!f->line_empty)
        f->col += fprintf(f->out, " ");
    /* Longer than a whole line (a long name from the capture): cut. */
    while (f->col + len > TEXT_WIDTH && TEXT_WIDTH > f->col) {
        int room = TEXT_WIDTH - f->col;
        fprintf(f->out, "%.*s", room, word);
        word += room;
        len -= room;
        flow_newline(f);
    }
    f->col += fprintf(f->out, "%s", word);
    f->line_empty = false;
}

/* Each space-separated word of text, breakable between them. */
static void flow_words(struct flow *f, const char *text)
{
    char word[256];
    while (*text) {
        size_t n = strcspn(text, " ");
        if (n) {
            snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), text);
            flow_word(f, word);
        }
        text += n;
        text += strspn(text, " ");
    }
}

static void flow_end(struct flow *f)
{
    fputc('\n', f->out);
}

/* The registry that names a list fact's code points, for the facts whose
 * items are TLS code points. */
static const char *(*list_namer(const char *fact))(uint16_t)
{
    static const struct {
        const char *fact;
        const char *(*name)(uint16_t);
    } namers[] = {
        { "tls.client_hello.cipher_suites", tls_cipher_suite_name },
        { "tls.client_hello.versions", tls_version_name },
        { "tls.client_hello.groups", tls_group_name },
        { "tls.client_hello.signature_algorithms", tls_sigalg_name },
        { "tls.client_hello.extensions", tls_extension_name },
    };
    for (size_t i = 0; fact && i < sizeof namers / sizeof namers[0]; i++)
        if (!strcmp(fact, namers[i].fact))
            return namers[i].name;
    return NULL;
}

/* A code point as the hello lists are read (hex), then its name. */
static void list_item_text(const cJSON *v, const char *(*namer)(uint16_t), char *buf, size_t len)
{
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 0xFFFFFF) {
        /* An SSLv2 cipher spec is 3 bytes: no TLS name. */
        bool code_point = v->valuedouble <= 0xFFFF;
        const char *name = namer && code_point ? namer((uint16_t)v->valuedouble) : NULL;
        snprintf(buf, len, code_point ? "0x%04x%s%s" : "0x%06x%s%s", (unsigned)v->valuedouble, name ? " " : "",
                 name ? name : "");
    } else if (cJSON_IsString(v)) {
        snprintf(buf, len, "%s", v->valuestring);
    } else {
        snprintf(buf, len, "?");
    }
}

/* Enough to see what changed; the JSON report has every item. */
#define LIST_ITEMS_SHOWN 16

/* "removed A, B, C": one group of a list difference, items kept whole;
 * a ";" ends it when another group follows. */
static void flow_items(struct flow *f, const char *what, const cJSON *items, const char *(*namer)(uint16_t),
                       bool last)
{
    int n = cJSON_GetArraySize(items), shown = n < LIST_ITEMS_SHOWN ? n : LIST_ITEMS_SHOWN;
    if (n == 0)
        return;
    const char *end = last ? "" : ";";
    for (int i = 0; i < shown; i++) {
        char text[320], item[300];
        list_item_text(cJSON_GetArrayItem(items, i), namer, item, sizeof item);
        /* The group's word stays with its first item. */
        snprintf(text, sizeof text, "%s%s%s%s", i ? "" : what, i ? "" : " ", item, i < n - 1 ? "," : end);
        flow_word(f, text);
    }
    if (n > shown) {
        char more[64];
        snprintf(more, sizeof more, "and %d more%s", n - shown, end);
        flow_words(f, more);
    }
}

/* "3 items", "1 item", "(absent)". */
static void count_text(const cJSON *list, char *buf, size_t len)
{
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list))
        snprintf(buf, len, "(absent)");
    else
        snprintf(buf, len, "%d item%s", n, n == 1 ? "" : "s");
}

/* A list fact compared as a set: "label: 28 items -> 3 items; removed A,
 * B; added C", or that only the order (or the repeats) differ. */
static void print_list_difference(FILE *out, const cJSON *d)
{
    const cJSON *good = cJSON_GetObjectItem(d, "good"), *bad = cJSON_GetObjectItem(d, "bad");
    const cJSON *added = cJSON_GetObjectItem(d, "added"), *removed = cJSON_GetObjectItem(d, "removed");
    int n_good = cJSON_GetArraySize(good), n_bad = cJSON_GetArraySize(bad);
    bool same_set = cJSON_GetArraySize(added) == 0 && cJSON_GetArraySize(removed) == 0;
    char head[256], good_count[32], bad_count[32];
    if (same_set && n_good == n_bad) {
        snprintf(head, sizeof head, "%s: same %d item%s, order differs", str(d, "label"), n_good,
                 n_good == 1 ? "" : "s");
    } else if (same_set && cJSON_IsArray(good) && cJSON_IsArray(bad)) {
        snprintf(head, sizeof head, "%s: same items, %d -> %d entries (repeats differ)", str(d, "label"),
                 n_good, n_bad);
    } else {
        count_text(good, good_count, sizeof good_count);
        count_text(bad, bad_count, sizeof bad_count);
        snprintf(head, sizeof head, "%s: %s -> %s%s", str(d, "label"), good_count, bad_count,
                 same_set ? "" : ";");
    }
    struct flow f;
    flow_start(&f, out, "  ", 6);
    flow_words(&f, head);
    const char *(*namer)(uint16_t) = list_namer(str(d, "fact"));
    flow_items(&f, "removed", removed, namer, cJSON_GetArraySize(added) == 0);
    flow_items(&f, "added", added, namer, true);
    flow_end(&f);
}

static void print_differences(FILE *out, const cJSON *diffs)
{
    if (cJSON_GetArraySize(diffs) == 0)
        return;
    fprintf(out, "\nOther differences (working -> failing)\n");
    const cJSON *d;
    cJSON_ArrayForEach(d, diffs) {
        if (cJSON_GetObjectItem(d, "added")) {
            print_list_difference(out, d);
            continue;
        }
        char good[96], bad[96], line[320];
        value_text(cJSON_GetObjectItem(d, "good"), good, sizeof good);
        value_text(cJSON_GetObjectItem(d, "bad"), bad, sizeof bad);
        snprintf(line, sizeof line, "  %-28s %s -> %s", str(d, "label"), good, bad);
        if (strlen(line) <= TEXT_WIDTH) {
            fprintf(out, "%s\n", line);
            continue;
        }
        /* Too long for one line: the two values under the label. */
        fprintf(out, "  %s\n", str(d, "label"));
        wrap(out, "    working  ", 13, good);
        wrap(out, "    failing  ", 13, bad);
    }
}

/* Who must act, in the words of a ticket: the first acts first. */
static void print_who_acts(FILE *out, const cJSON *who)
{
    char line[300] = "";
    const cJSON *a;
    cJSON_ArrayForEach(a, who) {
        const char *text = cJSON_GetStringValue(a);
        if (report_actor_words(text))
            text = report_actor_words(text);
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s%s", used ? (a->next ? ", " : ", or ") : "",
                 text ? text : "?");
    }
    if (*line)
        wrap(out, "Who     ", 8, line);
}

static void print_verdict(FILE *out, const cJSON *diag, const cJSON *facts)
{
    const char *cause = str(diag, "cause");
    const char *outcome = str(diag, "outcome") ? str(diag, "outcome") : "failed";
    bool ok = !strcmp(outcome, "success");
    const char *label = ok ? "OK" : !strcmp(outcome, "intermittent") ? "INTERMITTENT"
                                  : !strcmp(outcome, "inconclusive") ? "INCONCLUSIVE" : "FAILED";
    char first[256];
    snprintf(first, sizeof first, "%-7s %s: %s", label, cause, str(diag, "title"));
    if (str(diag, "connector_code"))
        snprintf(first + strlen(first), sizeof first - strlen(first), " [connector %s]", str(diag, "connector_code"));
    wrap(out, "", 8, first);
    if (str(diag, "message"))
        wrap(out, "        ", 8, str(diag, "message"));
    if (str(diag, "outcome_reason") && !(str(diag, "message") && strstr(str(diag, "message"), str(diag, "outcome_reason")))) {
        char line[400];
        snprintf(line, sizeof line, "Inconclusive: %s.", str(diag, "outcome_reason"));
        wrap(out, "        ", 8, line);
    }
    if (str(diag, "attempts_summary"))
        wrap(out, "        ", 8, str(diag, "attempts_summary"));
    int repeats = (int)num(diag, "matched_connections", 0);
    double selected = num(facts, "selected_connections", 0), kept = num(facts, "kept_connections", 0);
    if (repeats > 1) {
        char line[160];
        if (kept < selected)
            snprintf(line, sizeof line, "The same on %d of the %.0f connections kept (the first and latest of "
                                        "%.0f); the first is shown.", repeats, kept, selected);
        else
            snprintf(line, sizeof line, "The same on %d connections; the first is shown.", repeats);
        wrap(out, "        ", 8, line);
    }
    const cJSON *ev = cJSON_GetObjectItem(diag, "evidence");
    if (cJSON_GetArraySize(ev) > 0) {
        char line[512] = "";
        const cJSON *e;
        cJSON_ArrayForEach(e, ev) {
            size_t used = strlen(line);
            snprintf(line + used, sizeof line - used, "%s%s #%.0f", used ? ", " : "", str(e, "what"),
                     num(e, "frame", 0));
        }
        char prefix[] = "        Evidence: ";
        wrap(out, prefix, 18, line);
        /* When the first evidence happened, and how to see all of it. */
        const char *first_time = str(cJSON_GetArrayItem(ev, 0), "time");
        if (first_time) {
            char when[80];
            snprintf(when, sizeof when, "at %s", first_time);
            wrap(out, "                  ", 18, when);
        }
    }
    if (str(diag, "wireshark_filter"))
        wrap(out, "        Wireshark: ", 19, str(diag, "wireshark_filter"));
    if (!ok)
        print_who_acts(out, cJSON_GetObjectItem(diag, "who_acts"));
    if (str(diag, "remedy") && !ok)
        wrap(out, "Fix     ", 8, str(diag, "remedy"));
}

static void print_other_findings(FILE *out, const cJSON *side, const cJSON *diag)
{
    const cJSON *f;
    bool header = false;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(side, "findings")) {
        /* The diagnosis's cause in other words, or the catch-all, adds nothing. */
        const char *cause = str(f, "cause");
        if (!cause || (str(diag, "cause") && !strcmp(cause, str(diag, "cause"))) ||
            !strcmp(cause, "tls_failure_other") || !strcmp(cause, "success"))
            continue;
        if (!header) {
            fprintf(out, "\nOther findings\n");
            header = true;
        }
        char line[256];
        snprintf(line, sizeof line, "[%s] %s: %s", str(f, "severity"), str(f, "cause"), str(f, "title"));
        wrap(out, "  ", 4, line);
    }
}

/* Joins a string array into "a, b, c" (at most max items, then "..."). */
static void join_strings(const cJSON *arr, char *buf, size_t len, int max)
{
    size_t used = 0;
    int n = 0;
    buf[0] = '\0';
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        if (!cJSON_IsString(v) || used >= len)
            continue;
        if (n == max) {
            snprintf(buf + used, len - used, ", ...");
            break;
        }
        int w = snprintf(buf + used, len - used, "%s%s", n ? ", " : "", v->valuestring);
        used += w > 0 ? (size_t)w : 0;
        n++;
    }
}

/* "FILE:1", "FILE:4" as "FILE line 1, 4": key log lines grouped by source. */
static void join_lines(const cJSON *arr, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    const char *prev = NULL;
    size_t prev_len = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        if (!cJSON_IsString(v) || used >= len)
            continue;
        const char *colon = strrchr(v->valuestring, ':');
        size_t src_len = colon ? (size_t)(colon - v->valuestring) : strlen(v->valuestring);
        const char *num_text = colon ? colon + 1 : "";
        int w;
        if (prev && src_len == prev_len && !strncmp(prev, v->valuestring, src_len))
            w = snprintf(buf + used, len - used, ", %s", num_text);
        else
            w = snprintf(buf + used, len - used, "%s%.*s line %s", prev ? "; " : "", (int)src_len,
                         v->valuestring, num_text);
        used += w > 0 ? (size_t)w : 0;
        prev = v->valuestring;
        prev_len = src_len;
    }
}

/* What was read from encrypted records of a connection, for its line. */
static void decrypted_items(const cJSON *tls, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    static const char *const certs[] = { "certificate", "client_certificate" };
    for (int i = 0; i < 2; i++) {
        const cJSON *c = cJSON_GetObjectItem(tls, certs[i]);
        if (c && cJSON_IsTrue(cJSON_GetObjectItem(c, "decrypted")) && used < len) {
            const cJSON *leaf = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "chain"), 0);
            int w = snprintf(buf + used, len - used, "%s%s #%.0f%s%s%s%s", used ? "; " : "",
                             i ? "client Certificate" : "Certificate", num(c, "frame", 0),
                             leaf ? " (subject " : "", leaf ? str(leaf, "subject") : "",
                             leaf ? ", issuer " : "", leaf ? str(leaf, "issuer") : "");
            used += w > 0 ? (size_t)w : 0;
            if (leaf && used < len)
                used += (size_t)snprintf(buf + used, len - used, ")");
        }
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(tls, "alerts")) {
        if (!cJSON_IsTrue(cJSON_GetObjectItem(a, "decrypted")) || used >= len)
            continue;
        int w = cJSON_IsTrue(cJSON_GetObjectItem(a, "encrypted"))
              ? snprintf(buf + used, len - used, "%salert #%.0f from the %s", used ? "; " : "",
                         num(a, "frame", 0), str(a, "sender"))
              : snprintf(buf + used, len - used, "%salert #%.0f %s %s from the %s", used ? "; " : "",
                         num(a, "frame", 0), str(a, "level_name"), str(a, "description_name"), str(a, "sender"));
        used += w > 0 ? (size_t)w : 0;
    }
}

#define DECRYPTION_CONNS_LISTED 8

/* With a key log: its sources and use, then each connection's decryption. */
static void print_decryption(FILE *out, const cJSON *side)
{
    const cJSON *facts = cJSON_GetObjectItem(side, "facts");
    const cJSON *kl = cJSON_GetObjectItem(facts, "keylog");
    if (!kl)
        return;
    char sources[512], line[4096], unused[512];
    join_strings(cJSON_GetObjectItem(kl, "sources"), sources, sizeof sources, 4);
    join_strings(cJSON_GetObjectItem(kl, "unused_lines"), unused, sizeof unused, 4);
    snprintf(line, sizeof line, "%.0f lines read from %s: %.0f secrets, %.0f used, %.0f unused%s%s%s",
             num(kl, "lines_read", 0), sources, num(kl, "entries", 0), num(kl, "entries_used", 0),
             num(kl, "entries_unused", 0), unused[0] ? " (" : "", unused, unused[0] ? ")" : "");
    fprintf(out, "\n");
    wrap(out, "Key log   ", 10, line);
    if (num(kl, "malformed_lines", 0) > 0) {
        snprintf(line, sizeof line, "%.0f malformed lines skipped, the first at %s", num(kl, "malformed_lines", 0),
                 str(kl, "first_malformed_line") ? str(kl, "first_malformed_line") : "?");
        wrap(out, "          ", 10, line);
    }
    const char *status = str(kl, "status");
    if (status && strcmp(status, "ok")) {
        snprintf(line, sizeof line, "limit: %s", status);
        wrap(out, "          ", 10, line);
    }
    int listed = 0, more = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(facts, "connections")) {
        const cJSON *tls = cJSON_GetObjectItem(c, "tls");
        const cJSON *dec = cJSON_GetObjectItem(tls, "decryption");
        if (!dec)
            continue;
        if (listed == DECRYPTION_CONNS_LISTED) {
            more++;
            continue;
        }
        listed++;
        char lines[512], items[1024];
        join_lines(cJSON_GetObjectItem(dec, "key_log_lines"), lines, sizeof lines);
        decrypted_items(tls, items, sizeof items);
        const char *st = str(dec, "status") ? str(dec, "status") : "?";
        if (!strcmp(st, "decrypted"))
            snprintf(line, sizeof line, "%s -> %s: decrypted with %s%s%s%s", str(c, "client"), str(c, "server"),
                     lines, items[0] ? ". Read from encrypted records: " : "", items,
                     cJSON_GetObjectItem(dec, "secrets_missing") ? ". The rest stays encrypted: the key log lacks "
                                                                   "its later secrets" : "");
        else
            snprintf(line, sizeof line, "%s -> %s: not decrypted: %s", str(c, "client"), str(c, "server"),
                     str(dec, "reason") ? str(dec, "reason") : st);
        wrap(out, "  ", 4, line);
    }
    if (more) {
        snprintf(line, sizeof line, "(%d more connection%s in the report's JSON)", more, more == 1 ? "" : "s");
        wrap(out, "  ", 4, line);
    }
}

/* The attempts to reach the targets, one line each, when there were more
 * than one: time (UTC), path, family, outcome, cause, key frames. */
static void print_attempts(FILE *out, const cJSON *diag)
{
    const cJSON *rows = cJSON_GetObjectItem(diag, "attempts");
    if (cJSON_GetArraySize(rows) < 2)
        return;
    fprintf(out, "\nAttempts (UTC)\n");
    const cJSON *r;
    cJSON_ArrayForEach(r, rows) {
        const char *time = str(r, "time") ? str(r, "time") : "-";
        const char *clock = strchr(time, 'T') ? strchr(time, 'T') + 1 : time;
        const char *what = str(r, "cause") ? str(r, "cause") : str(r, "failed_stage") ? str(r, "failed_stage") : "";
        char frames[160] = "";
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "key_frames")) {
            size_t used = strlen(frames);
            snprintf(frames + used, sizeof frames - used, "%s#%.0f", used ? " " : "", num(e, "frame", 0));
        }
        char line[512];
        snprintf(line, sizeof line, "%-12.12s  #%-3.0f %-6s IPv%.0f %-8s %s%s%s", clock, num(r, "connection", 0),
                 str(r, "path") ? str(r, "path") : "", num(r, "ip_version", 4), str(r, "outcome"), what,
                 *frames ? " " : "", frames);
        wrap(out, "  ", 46, line);
    }
}

/* Failures on other servers when the targets are not in the capture. */
static void print_also_seen(FILE *out, const cJSON *diag)
{
    const cJSON *also = cJSON_GetObjectItem(diag, "also_seen");
    if (cJSON_GetArraySize(also) == 0)
        return;
    fprintf(out, "\nAlso seen (other servers, not the verdict)\n");
    const cJSON *a;
    cJSON_ArrayForEach(a, also) {
        char line[400];
        snprintf(line, sizeof line, "connection %.0f: %s: %s", num(a, "connection", 0), str(a, "cause"),
                 str(a, "title"));
        wrap(out, "  ", 4, line);
    }
}

bool report_write_text(FILE *out, const cJSON *report)
{
    const cJSON *diag = cJSON_GetObjectItem(report, "diagnosis");
    const cJSON *captures = cJSON_GetObjectItem(report, "captures");
    bool diff = !strcmp(str(report, "mode") ? str(report, "mode") : "", "diff");
    const cJSON *bad = cJSON_GetObjectItem(captures, diff ? "bad" : "capture");
    print_verdict(out, diag, cJSON_GetObjectItem(bad, "facts"));
    /* Before anything is read as an explanation: the inputs may not be
     * what --good and --bad say they are. */
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(report, "warnings"))
        wrap(out, "Warning ", 8, str(w, "message") ? str(w, "message") : "");
    print_attempts(out, diag);
    print_also_seen(out, diag);
    fprintf(out, "\n");
    print_side(out, diff ? "Failing endpoint" : "Endpoint", bad, diag);
    print_decryption(out, bad);
    if (diff) {
        fprintf(out, "\n");
        print_side(out, "Working endpoint", cJSON_GetObjectItem(captures, "good"), NULL);
        print_decryption(out, cJSON_GetObjectItem(captures, "good"));
        print_accepted_suites(out, report);
        print_differences(out, cJSON_GetObjectItem(report, "differences"));
    }
    print_other_findings(out, bad, diag);
    const cJSON *in;
    fprintf(out, "\n");
    cJSON_ArrayForEach(in, cJSON_GetObjectItem(report, "inputs")) {
        /* A long path gets a line of its own rather than a split figure. */
        char name[PATH_MAX + 32], counts[64];
        snprintf(name, sizeof name, "%s: %s", str(in, "role"), str(in, "file"));
        snprintf(counts, sizeof counts, "%.0f bytes, %.0f frames", num(in, "size", 0), num(in, "frames", 0));
        if (strlen(name) + 2 + strlen(counts) <= TEXT_WIDTH)
            fprintf(out, "%s, %s\n", name, counts);
        else
            fprintf(out, "%s\n  %s\n", name, counts);
        print_losses(out, cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(captures, str(in, "role")),
                                                                  "facts"), "reading_losses"));
    }
    return true;
}
