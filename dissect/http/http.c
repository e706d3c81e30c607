/* HTTP/1.x CONNECT requests and their responses (RFC 9110, RFC 9112).
 *
 * Each line of the header block is checked by a small grammar that reads a
 * cursor over the line alone. The same grammar also judges a line whose end
 * has not arrived yet: running out of bytes there only means "wait", but a
 * byte the grammar cannot accept means the stream is not HTTP. That is what
 * lets a TLS record or other binary data be refused at its first bytes
 * instead of being waited on forever as an unfinished line.
 */
#include "http.h"

#include <string.h>

/* Characters a token may hold (RFC 9110 §5.6.2): method, field name, scheme. */
static bool is_tchar(uint8_t b)
{
    if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
        return true;
    return b != 0 && strchr("!#$%&'*+-.^_`|~", b) != NULL;
}

static bool is_digit(uint8_t b) { return b >= '0' && b <= '9'; }
static bool is_ows(uint8_t b) { return b == ' ' || b == '\t'; }

/* Field values and reason phrases: visible ASCII, obs-text, SP and HTAB.
 * Any other control byte is refused; binary data is full of them. */
static bool is_text_char(uint8_t b) { return b == '\t' || (b >= 0x20 && b != 0x7f); }

/* A request-target has no whitespace at all: it is delimited by SP. */
static bool is_target_char(uint8_t b) { return b > 0x20 && b != 0x7f; }

static uint8_t ascii_lower(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b - 'A' + 'a') : b;
}

static struct wire_bytes bytes_view(const uint8_t *data, size_t len)
{
    struct wire_bytes v = { data, len };
    return v;
}

static struct wire_bytes trim_ows(struct wire_bytes v)
{
    while (v.len > 0 && is_ows(v.data[0])) {
        v.data++;
        v.len--;
    }
    while (v.len > 0 && is_ows(v.data[v.len - 1]))
        v.len--;
    return v;
}

/* Compares bytes at v.data + at with a lower-case literal, ignoring case. */
static bool matches_ci_at(struct wire_bytes v, size_t at, const char *lower_literal)
{
    size_t n = strlen(lower_literal);
    if (at > v.len || v.len - at < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (ascii_lower(v.data[at + i]) != (uint8_t)lower_literal[i])
            return false;
    }
    return true;
}

static bool equals_ci(struct wire_bytes v, const char *lower_literal)
{
    return v.len == strlen(lower_literal) && matches_ci_at(v, 0, lower_literal);
}

/* X-Squid-Error and the X-<product>-Error headers other proxies copy it as. */
static bool is_proxy_error_name(struct wire_bytes name)
{
    static const char prefix[] = "x-", suffix[] = "-error";
    size_t fixed = strlen(prefix) + strlen(suffix);
    return name.len > fixed && matches_ci_at(name, 0, prefix)
        && matches_ci_at(name, name.len - strlen(suffix), suffix);
}

/* ---- small readers over a cursor ---------------------------------------- */

/* Takes the (possibly empty) run of bytes accepted by `accept`. */
static struct wire_bytes take_while(struct cursor *c, bool (*accept)(uint8_t))
{
    size_t avail = cursor_remaining(c);
    const uint8_t *start = cursor_here(c);
    size_t n = 0;
    while (n < avail && accept(start[n]))
        n++;
    cursor_skip(c, n);
    return bytes_view(start, n);
}

/* Takes a run of at least one accepted byte. An empty run is TRUNCATED when
 * the bytes ran out and INVALID when the next byte is not acceptable. */
static struct wire_bytes take_run(struct cursor *c, bool (*accept)(uint8_t))
{
    bool had_bytes = cursor_remaining(c) > 0;
    struct wire_bytes run = take_while(c, accept);
    if (run.len == 0)
        cursor_fail(c, had_bytes ? PARSE_INVALID : PARSE_TRUNCATED);
    return run;
}

static void expect_byte(struct cursor *c, uint8_t want)
{
    uint8_t got = cursor_u8(c);
    if (cursor_ok(c) && got != want)
        cursor_fail(c, PARSE_INVALID);
}

static void expect_literal(struct cursor *c, const char *literal)
{
    for (size_t i = 0; literal[i] != '\0' && cursor_ok(c); i++)
        expect_byte(c, (uint8_t)literal[i]);
}

static void expect_end(struct cursor *c)
{
    if (cursor_ok(c) && !cursor_at_end(c))
        cursor_fail(c, PARSE_INVALID);
}

/* ---- lines ---------------------------------------------------------------- */

/* Reads the next line of the header block into *text, without its line end
 * (LF, or CRLF). When the line end has not arrived, *text holds the bytes so
 * far (a trailing CR dropped, it may be half a CRLF), nothing is consumed and
 * the result is TRUNCATED. INVALID past HTTP_MAX_LINE or HTTP_MAX_HEADER_BLOCK;
 * the header block starts at the start of the cursor's data. */
static enum parse_status read_head_line(struct cursor *c, struct wire_bytes *text)
{
    size_t avail = cursor_remaining(c);
    const uint8_t *start = cursor_here(c);
    size_t window = avail < HTTP_MAX_LINE + 2 ? avail : HTTP_MAX_LINE + 2;
    const uint8_t *lf = window > 0 ? memchr(start, '\n', window) : NULL;
    size_t span = lf ? (size_t)(lf - start) + 1 : avail;
    size_t text_len = lf ? span - 1 : span;

    if (text_len > 0 && start[text_len - 1] == '\r')
        text_len--;
    *text = bytes_view(start, text_len);
    if (text_len > HTTP_MAX_LINE || (!lf && window == HTTP_MAX_LINE + 2))
        return PARSE_INVALID;
    if (c->pos + span > HTTP_MAX_HEADER_BLOCK)
        return PARSE_INVALID;
    if (!lf)
        return PARSE_TRUNCATED;
    cursor_skip(c, span);
    return PARSE_OK;
}

/* Combines how far a line arrived with what its grammar made of the bytes:
 * a complete line must satisfy the grammar; an incomplete one only must not
 * contradict it yet. */
static enum parse_status settle_line(enum parse_status line, enum parse_status grammar)
{
    if (line == PARSE_INVALID || grammar == PARSE_INVALID)
        return PARSE_INVALID;
    if (line == PARSE_TRUNCATED)
        return PARSE_TRUNCATED;
    return grammar == PARSE_OK ? PARSE_OK : PARSE_INVALID;
}

/* "HTTP/1." DIGIT; returns the minor version. */
static uint8_t read_version(struct cursor *c)
{
    expect_literal(c, "HTTP/1.");
    uint8_t minor = cursor_u8(c);
    if (cursor_ok(c) && !is_digit(minor))
        cursor_fail(c, PARSE_INVALID);
    return (uint8_t)(minor - '0');
}

/* request-line = method SP request-target SP HTTP-version */
static enum parse_status parse_request_line(struct wire_bytes line, struct http_request *out)
{
    struct cursor c = cursor_make(line.data, line.len);
    out->method = take_run(&c, is_tchar);
    expect_byte(&c, ' ');
    out->target = take_run(&c, is_target_char);
    expect_byte(&c, ' ');
    out->version_minor = read_version(&c);
    expect_end(&c);
    return c.status;
}

/* 3DIGIT within the range RFC 9110 §15 gives meaning to. */
static uint16_t read_status_code(struct cursor *c)
{
    uint16_t code = 0;
    for (int i = 0; i < 3 && cursor_ok(c); i++) {
        uint8_t b = cursor_u8(c);
        if (cursor_ok(c) && !is_digit(b))
            cursor_fail(c, PARSE_INVALID);
        code = (uint16_t)(code * 10 + (b - '0'));
    }
    if (cursor_ok(c) && (code < 100 || code > 599))
        cursor_fail(c, PARSE_INVALID);
    return code;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ]. The SP
 * before an empty reason is also accepted when missing: some proxies drop it,
 * and the status code is what the diagnosis needs. */
static enum parse_status parse_status_line(struct wire_bytes line, struct http_response *out)
{
    struct cursor c = cursor_make(line.data, line.len);
    out->version_minor = read_version(&c);
    expect_byte(&c, ' ');
    out->status = read_status_code(&c);
    if (cursor_ok(&c) && !cursor_at_end(&c)) {
        expect_byte(&c, ' ');
        out->reason = trim_ows(take_while(&c, is_text_char));
        expect_end(&c);
    }
    return c.status;
}

/* field-line = field-name ":" OWS field-value OWS. No whitespace is allowed
 * before the colon (RFC 9112 §5.1): proxies disagree on what it means. */
static enum parse_status parse_field_line(struct wire_bytes line, struct wire_bytes *name,
                                          struct wire_bytes *value)
{
    struct cursor c = cursor_make(line.data, line.len);
    *name = take_run(&c, is_tchar);
    expect_byte(&c, ':');
    *value = trim_ows(take_while(&c, is_text_char));
    expect_end(&c);
    return c.status;
}

/* An obsolete line folding (RFC 9112 §5.2) continues the previous field. Its
 * text is dropped: none of the fields we keep is folded by real proxies. */
static enum parse_status check_folded_line(struct wire_bytes line)
{
    struct cursor c = cursor_make(line.data, line.len);
    take_while(&c, is_text_char);
    expect_end(&c);
    return c.status;
}

static bool is_folded_line(struct wire_bytes line)
{
    return line.len > 0 && is_ows(line.data[0]);
}

/* ---- fields --------------------------------------------------------------- */

struct body_framing {
    bool has_content_length;
    uint64_t content_length;
    bool has_transfer_encoding;
};

static enum parse_status parse_content_length(struct wire_bytes value, uint64_t *out)
{
    uint64_t n = 0;
    if (value.len == 0)
        return PARSE_INVALID;
    for (size_t i = 0; i < value.len; i++) {
        if (!is_digit(value.data[i]))
            return PARSE_INVALID;
        unsigned digit = value.data[i] - '0';
        if (n > (UINT64_MAX - digit) / 10)
            return PARSE_INVALID;
        n = n * 10 + digit;
    }
    *out = n;
    return PARSE_OK;
}

/* Takes note of the fields that decide where the message ends. Differing
 * Content-Length values leave the framing ambiguous (RFC 9110 §8.6). */
static enum parse_status note_framing(struct body_framing *framing, struct wire_bytes name,
                                      struct wire_bytes value)
{
    if (equals_ci(name, "transfer-encoding")) {
        framing->has_transfer_encoding = true;
        return PARSE_OK;
    }
    if (!equals_ci(name, "content-length"))
        return PARSE_OK;
    uint64_t length;
    if (parse_content_length(value, &length) != PARSE_OK)
        return PARSE_INVALID;
    if (framing->has_content_length && framing->content_length != length)
        return PARSE_INVALID;
    framing->has_content_length = true;
    framing->content_length = length;
    return PARSE_OK;
}

static void keep_first(struct wire_bytes *slot, struct wire_bytes value)
{
    if (slot->data == NULL)
        *slot = value;
}

/* The auth-scheme at the start of a credentials or challenge value. */
static struct wire_bytes leading_token(struct wire_bytes value)
{
    struct cursor c = cursor_make(value.data, value.len);
    return take_while(&c, is_tchar);
}

/* Takes one element of a comma-separated list; commas inside a quoted-string
 * do not separate. */
static struct wire_bytes take_list_element(struct cursor *c)
{
    size_t avail = cursor_remaining(c);
    const uint8_t *start = cursor_here(c);
    bool quoted = false;
    size_t n = 0;
    for (; n < avail; n++) {
        uint8_t b = start[n];
        if (quoted && b == '\\' && n + 1 < avail)
            n++;
        else if (b == '"')
            quoted = !quoted;
        else if (b == ',' && !quoted)
            break;
    }
    cursor_skip(c, n < avail ? n + 1 : n);
    return trim_ows(bytes_view(start, n));
}

/* Challenges and their auth-params share one comma-separated list (RFC 9110
 * §11.6.1), as in `Digest realm="x", qop="auth", NTLM`. An element starts a
 * new challenge when its leading token is not followed by "=" (which would
 * make it an auth-param); a token68 is always preceded by its scheme. */
static struct wire_bytes challenge_scheme(struct wire_bytes element)
{
    struct cursor c = cursor_make(element.data, element.len);
    struct wire_bytes scheme = take_while(&c, is_tchar);
    take_while(&c, is_ows);
    bool param = cursor_remaining(&c) > 0 && *cursor_here(&c) == '=';
    bool separated = cursor_at_end(&c) || c.pos > scheme.len;
    if (param || !separated)
        scheme.len = 0;
    return scheme;
}

static void collect_auth_schemes(struct wire_bytes value, struct http_response *out)
{
    struct cursor c = cursor_make(value.data, value.len);
    while (!cursor_at_end(&c)) {
        struct wire_bytes scheme = challenge_scheme(take_list_element(&c));
        if (scheme.len > 0 && out->auth_scheme_count < HTTP_MAX_AUTH_SCHEMES)
            out->auth_schemes[out->auth_scheme_count++] = scheme;
    }
}

static void note_request_field(struct http_request *out, struct wire_bytes name,
                               struct wire_bytes value)
{
    if (equals_ci(name, "host")) {
        keep_first(&out->host, value);
    } else if (equals_ci(name, "user-agent")) {
        keep_first(&out->user_agent, value);
    } else if (equals_ci(name, "proxy-authorization") && !out->has_proxy_authorization) {
        out->has_proxy_authorization = true;
        out->proxy_authorization_scheme = leading_token(value);
    }
}

static void note_response_field(struct http_response *out, struct wire_bytes name,
                                struct wire_bytes value)
{
    if (equals_ci(name, "proxy-authenticate"))
        collect_auth_schemes(value, out);
    else if (equals_ci(name, "via"))
        keep_first(&out->via, value);
    else if (equals_ci(name, "server"))
        keep_first(&out->server, value);
    else if (is_proxy_error_name(name))
        keep_first(&out->proxy_error, value);
}

/* ---- messages ------------------------------------------------------------- */

/* Walks the field lines of a header block, after its start line. */
struct head_reader {
    struct cursor c;          /* over the whole message */
    unsigned line_count;
    struct body_framing framing;
};

struct head_field {
    struct wire_bytes name;
    struct wire_bytes value;
    bool end;                 /* the blank line that closes the block was read */
};

static enum parse_status read_start_line(struct head_reader *r,
                                         enum parse_status (*grammar)(struct wire_bytes, void *),
                                         void *out)
{
    struct wire_bytes line;
    enum parse_status line_status = read_head_line(&r->c, &line);
    if (line_status == PARSE_INVALID)
        return PARSE_INVALID;
    return settle_line(line_status, grammar(line, out));
}

/* Reads up to the next field line or the end of the block. */
static enum parse_status next_field(struct head_reader *r, struct head_field *field)
{
    for (;;) {
        struct wire_bytes line;
        enum parse_status line_status = read_head_line(&r->c, &line);
        field->end = line_status == PARSE_OK && line.len == 0;
        if (field->end || line_status == PARSE_INVALID)
            return line_status;

        bool folded = is_folded_line(line);
        if (folded && r->line_count == 0)
            return PARSE_INVALID; /* nothing to continue (RFC 9112 §2.2) */
        enum parse_status grammar = folded ? check_folded_line(line)
                                           : parse_field_line(line, &field->name, &field->value);
        enum parse_status status = settle_line(line_status, grammar);
        if (status == PARSE_OK && ++r->line_count > HTTP_MAX_HEADERS)
            return PARSE_INVALID;
        if (status != PARSE_OK)
            return status;
        if (!folded)
            return note_framing(&r->framing, field->name, field->value);
    }
}

static enum parse_status take_body(struct cursor *c, uint64_t length)
{
    if (length > cursor_remaining(c))
        return PARSE_TRUNCATED;
    cursor_skip(c, (size_t)length);
    return PARSE_OK;
}

static enum parse_status request_line_grammar(struct wire_bytes line, void *out)
{
    return parse_request_line(line, out);
}

static enum parse_status status_line_grammar(struct wire_bytes line, void *out)
{
    return parse_status_line(line, out);
}

bool http_looks_like_connect(const uint8_t *buf, size_t len)
{
    static const char prefix[] = "CONNECT ";
    size_t n = len < sizeof prefix - 1 ? len : sizeof prefix - 1;
    return len > 0 && memcmp(buf, prefix, n) == 0;
}

enum parse_status http_parse_request(const uint8_t *buf, size_t len, struct http_request *out)
{
    *out = (struct http_request){ 0 };
    if (len == 0)
        return PARSE_TRUNCATED;

    struct head_reader r = { .c = cursor_make(buf, len) };
    struct head_field field = { 0 };
    enum parse_status status = read_start_line(&r, request_line_grammar, out);
    while (status == PARSE_OK && (status = next_field(&r, &field)) == PARSE_OK && !field.end)
        note_request_field(out, field.name, field.value);
    if (status != PARSE_OK)
        return status;

    /* A request without either header has no body (RFC 9112 §6.3). */
    if (r.framing.has_transfer_encoding)
        out->body_unframed = true;
    else if (r.framing.has_content_length)
        status = take_body(&r.c, r.framing.content_length);
    if (status == PARSE_OK)
        out->message_len = r.c.pos;
    return status;
}

static bool response_may_have_body(uint16_t status, bool answers_connect)
{
    if (status < 200 || status == 204 || status == 304)
        return false;
    return !(answers_connect && status < 300);
}

static enum parse_status parse_response(const uint8_t *buf, size_t len,
                                        struct http_response *out, bool answers_connect,
                                        bool head_only)
{
    *out = (struct http_response){ 0 };
    if (len == 0)
        return PARSE_TRUNCATED;

    struct head_reader r = { .c = cursor_make(buf, len) };
    struct head_field field = { 0 };
    enum parse_status status = read_start_line(&r, status_line_grammar, out);
    while (status == PARSE_OK && (status = next_field(&r, &field)) == PARSE_OK && !field.end)
        note_response_field(out, field.name, field.value);
    if (status != PARSE_OK)
        return status;

    out->has_content_length = r.framing.has_content_length;
    out->content_length = r.framing.content_length;
    if (!head_only && response_may_have_body(out->status, answers_connect)) {
        /* Transfer-Encoding overrides Content-Length (RFC 9112 §6.3). */
        if (r.framing.has_transfer_encoding || !r.framing.has_content_length)
            out->body_unframed = true;
        else
            status = take_body(&r.c, r.framing.content_length);
    }
    if (status == PARSE_OK)
        out->message_len = r.c.pos;
    return status;
}

enum parse_status http_parse_response(const uint8_t *buf, size_t len, struct http_response *out)
{
    return parse_response(buf, len, out, false, false);
}

enum parse_status http_parse_response_head(const uint8_t *buf, size_t len, struct http_response *out)
{
    return parse_response(buf, len, out, false, true);
}

enum parse_status http_parse_connect_response(const uint8_t *buf, size_t len,
                                              struct http_response *out)
{
    return parse_response(buf, len, out, true, false);
}

bool http_looks_like_request(const uint8_t *buf, size_t len)
{
    /* The methods a client opens a plain HTTP exchange with; CONNECT has
     * its own path. Only the bytes present are compared. */
    static const char *const methods[] = { "GET ", "HEAD ", "POST ", "PUT ", "OPTIONS ", "DELETE " };
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        size_t n = strlen(methods[m]);
        if (len > 0 && memcmp(buf, methods[m], len < n ? len : n) == 0)
            return true;
    }
    return false;
}
