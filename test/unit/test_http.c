/* Unit tests for dissect/http.c: CONNECT requests and proxy responses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

/* ---- helpers ---------------------------------------------------------------- */

static const uint8_t *bytes_of(const char *s)
{
    const void *p = s;
    return p;
}

static void assert_view(struct wire_bytes v, const char *expected)
{
    assert_int_equal(v.len, strlen(expected));
    if (v.len > 0)
        assert_memory_equal(v.data, expected, v.len);
}

static enum parse_status parse_request_text(const char *text, struct http_request *out)
{
    return http_parse_request(bytes_of(text), strlen(text), out);
}

static enum parse_status parse_response_text(const char *text, struct http_response *out)
{
    return http_parse_response(bytes_of(text), strlen(text), out);
}

static enum parse_status parse_connect_response_text(const char *text, struct http_response *out)
{
    return http_parse_connect_response(bytes_of(text), strlen(text), out);
}

/* Large messages are assembled here; static because they exceed a test's
 * comfortable stack use. */
struct text_builder {
    char data[100000];
    size_t len;
};

static struct text_builder big;

static void builder_reset(struct text_builder *b)
{
    b->len = 0;
    b->data[0] = '\0';
}

static void builder_add(struct text_builder *b, const char *s)
{
    size_t n = strlen(s);
    assert_true(b->len + n < sizeof b->data);
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

static void builder_repeat(struct text_builder *b, char ch, size_t n)
{
    assert_true(b->len + n < sizeof b->data);
    memset(b->data + b->len, ch, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static const char connect_request[] =
    "CONNECT example.com:443 HTTP/1.1\r\n"
    "Host: example.com:443\r\n"
    "User-Agent: curl/8.5.0\r\n"
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
    "Proxy-Connection: Keep-Alive\r\n"
    "\r\n";

/* A TLS 1.2 record header and the start of a ClientHello. */
static const uint8_t tls_client_hello[] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x1a, 0x2b,
    0x0d, 0x0a, 0x0d, 0x0a, /* CRLF CRLF inside random bytes must not help */
};

/* ---- http_looks_like_connect ------------------------------------------------ */

static void test_looks_like_connect_full_and_partial(void **state)
{
    (void)state;
    assert_true(http_looks_like_connect(bytes_of(connect_request), strlen(connect_request)));
    assert_true(http_looks_like_connect(bytes_of("CONNECT "), 8));
    assert_true(http_looks_like_connect(bytes_of("CONN"), 4));
    assert_true(http_looks_like_connect(bytes_of("C"), 1));
}

static void test_looks_like_connect_rejects_others(void **state)
{
    (void)state;
    assert_false(http_looks_like_connect(bytes_of("connect x HTTP/1.1"), 18));
    assert_false(http_looks_like_connect(bytes_of("GET / HTTP/1.1"), 14));
    assert_false(http_looks_like_connect(bytes_of("CONNECTX"), 8));
    assert_false(http_looks_like_connect(bytes_of("CONNECT"), 0));
    assert_false(http_looks_like_connect(tls_client_hello, sizeof tls_client_hello));
}

/* ---- requests ----------------------------------------------------------------- */

static void test_request_connect_complete(void **state)
{
    (void)state;
    struct http_request req;
    assert_int_equal(parse_request_text(connect_request, &req), PARSE_OK);
    assert_view(req.method, "CONNECT");
    assert_view(req.target, "example.com:443");
    assert_int_equal(req.version_minor, 1);
    assert_view(req.host, "example.com:443");
    assert_view(req.user_agent, "curl/8.5.0");
    assert_true(req.has_proxy_authorization);
    assert_view(req.proxy_authorization_scheme, "Basic");
    assert_false(req.body_unframed);
    assert_int_equal(req.message_len, strlen(connect_request));
}

static void test_request_without_credentials(void **state)
{
    (void)state;
    struct http_request req;
    const char *text = "CONNECT 10.0.0.1:8443 HTTP/1.0\r\n\r\n";
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_view(req.target, "10.0.0.1:8443");
    assert_int_equal(req.version_minor, 0);
    assert_false(req.has_proxy_authorization);
    assert_null(req.host.data);
    assert_int_equal(req.message_len, strlen(text));
}

static void test_request_ntlm_scheme_only_first_token(void **state)
{
    (void)state;
    struct http_request req;
    const char *text = "CONNECT h:443 HTTP/1.1\r\n"
                       "Proxy-Authorization:NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==\r\n"
                       "\r\n";
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_true(req.has_proxy_authorization);
    assert_view(req.proxy_authorization_scheme, "NTLM");
}

static void test_request_followed_by_tunnel_bytes(void **state)
{
    (void)state;
    uint8_t buf[sizeof connect_request - 1 + sizeof tls_client_hello];
    memcpy(buf, connect_request, sizeof connect_request - 1);
    memcpy(buf + sizeof connect_request - 1, tls_client_hello, sizeof tls_client_hello);
    struct http_request req;
    assert_int_equal(http_parse_request(buf, sizeof buf, &req), PARSE_OK);
    assert_int_equal(req.message_len, sizeof connect_request - 1);
}

static void test_request_every_prefix_truncated(void **state)
{
    (void)state;
    size_t len = strlen(connect_request);
    struct http_request req;
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(http_parse_request(bytes_of(connect_request), cut, &req), PARSE_TRUNCATED);
    assert_int_equal(http_parse_request(bytes_of(connect_request), len, &req), PARSE_OK);
}

static void test_request_content_length_body(void **state)
{
    (void)state;
    const char *text = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_int_equal(req.message_len, strlen(text));
    assert_int_equal(http_parse_request(bytes_of(text), strlen(text) - 1, &req), PARSE_TRUNCATED);
}

static void test_request_transfer_encoding_unframed(void **state)
{
    (void)state;
    const char *text = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_true(req.body_unframed);
    assert_int_equal(req.message_len, strlen(text));
}

static void test_request_bare_lf(void **state)
{
    (void)state;
    const char *text = "CONNECT example.com:443 HTTP/1.1\nHost: example.com:443\n"
                       "Proxy-Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag\n\n";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_view(req.target, "example.com:443");
    assert_view(req.host, "example.com:443");
    assert_view(req.proxy_authorization_scheme, "Negotiate");
    assert_int_equal(req.message_len, strlen(text));
}

static void test_request_mixed_line_ends(void **state)
{
    (void)state;
    const char *text = "CONNECT a:1 HTTP/1.1\r\nHost: a:1\n\r\n";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_view(req.host, "a:1");
    assert_int_equal(req.message_len, strlen(text));
}

static void test_request_values_trimmed(void **state)
{
    (void)state;
    const char *text = "CONNECT a:1 HTTP/1.1\r\nhOsT: \t a:1 \t\r\nUSER-AGENT:x y \r\n\r\n";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_view(req.host, "a:1");
    assert_view(req.user_agent, "x y");
}

static void test_request_binary_garbage_invalid(void **state)
{
    (void)state;
    static const uint8_t garbage[] = { 0x00, 0xff, 0x13, 0x37, '\r', '\n', '\r', '\n' };
    struct http_request req;
    assert_int_equal(http_parse_request(garbage, sizeof garbage, &req), PARSE_INVALID);
    /* refused at the first byte, not waited on */
    assert_int_equal(http_parse_request(garbage, 1, &req), PARSE_INVALID);
}

static void test_request_tls_record_invalid(void **state)
{
    (void)state;
    struct http_request req;
    assert_int_equal(http_parse_request(tls_client_hello, sizeof tls_client_hello, &req),
                     PARSE_INVALID);
    assert_int_equal(http_parse_request(tls_client_hello, 1, &req), PARSE_INVALID);
}

static void test_request_bad_request_lines_invalid(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "CON\"NECT a:1 HTTP/1.1\r\n\r\n",   /* method not a token */
        " CONNECT a:1 HTTP/1.1\r\n\r\n",    /* empty method */
        "CONNECT  a:1 HTTP/1.1\r\n\r\n",    /* empty target */
        "CONNECT HTTP/1.1\r\n\r\n",         /* no target */
        "CONNECT a:1 HTTP/2.0\r\n\r\n",
        "CONNECT a:1 HTTP/1.x\r\n\r\n",
        "CONNECT a:1 http/1.1\r\n\r\n",
        "CONNECT a:1 HTTP/1.1 \r\n\r\n",
        "CONNECT a:1\r\n\r\n",
        "\r\n\r\n",
        "CONNECT a:1 HTTP/1.1\r\r\n\r\n",  /* bare CR */
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    };
    struct http_request req;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (parse_request_text(lines[i], &req) != PARSE_INVALID)
            fail_msg("accepted: %s", lines[i]);
    }
}

static void test_request_partial_bad_line_invalid_early(void **state)
{
    (void)state;
    struct http_request req;
    /* the line end has not arrived, but the version already cannot match */
    assert_int_equal(parse_request_text("CONNECT a:1 HTTP/2", &req), PARSE_INVALID);
    assert_int_equal(parse_request_text("CONNECT a:1 HTTP/1", &req), PARSE_TRUNCATED);
    assert_int_equal(parse_request_text("CONNECT a:1 HTTP/1.1\r\nHo st", &req), PARSE_INVALID);
}

static void test_request_bad_header_lines_invalid(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "CONNECT a:1 HTTP/1.1\r\nHost : a\r\n\r\n",   /* space before colon */
        "CONNECT a:1 HTTP/1.1\r\nHost a\r\n\r\n",     /* no colon */
        "CONNECT a:1 HTTP/1.1\r\n: a\r\n\r\n",        /* empty name */
        "CONNECT a:1 HTTP/1.1\r\nHost: a\x01\r\n\r\n", /* control byte in value */
        "CONNECT a:1 HTTP/1.1\r\n folded\r\n\r\n",    /* fold with nothing to continue */
    };
    struct http_request req;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (parse_request_text(texts[i], &req) != PARSE_INVALID)
            fail_msg("accepted: %s", texts[i]);
    }
}

static void test_request_obs_fold_ignored(void **state)
{
    (void)state;
    const char *text = "CONNECT a:1 HTTP/1.1\r\nUser-Agent: one\r\n two\r\nHost: a:1\r\n\r\n";
    struct http_request req;
    assert_int_equal(parse_request_text(text, &req), PARSE_OK);
    assert_view(req.user_agent, "one");
    assert_view(req.host, "a:1");
}

static void test_request_line_over_limit_invalid(void **state)
{
    (void)state;
    struct http_request req;
    builder_reset(&big);
    builder_add(&big, "CONNECT ");
    builder_repeat(&big, 'a', HTTP_MAX_LINE);
    builder_add(&big, " HTTP/1.1\r\n\r\n");
    assert_int_equal(parse_request_text(big.data, &req), PARSE_INVALID);

    /* refused before its line end arrives, too */
    builder_reset(&big);
    builder_add(&big, "CONNECT ");
    builder_repeat(&big, 'a', HTTP_MAX_LINE + 10);
    assert_int_equal(parse_request_text(big.data, &req), PARSE_INVALID);
}

static void test_request_header_line_at_and_over_limit(void **state)
{
    (void)state;
    struct http_request req;
    size_t prefix = strlen("User-Agent: ");
    builder_reset(&big);
    builder_add(&big, "CONNECT a:1 HTTP/1.1\r\nUser-Agent: ");
    builder_repeat(&big, 'u', HTTP_MAX_LINE - prefix);
    builder_add(&big, "\r\n\r\n");
    assert_int_equal(parse_request_text(big.data, &req), PARSE_OK);
    assert_int_equal(req.user_agent.len, HTTP_MAX_LINE - prefix);

    builder_reset(&big);
    builder_add(&big, "CONNECT a:1 HTTP/1.1\r\nUser-Agent: ");
    builder_repeat(&big, 'u', HTTP_MAX_LINE - prefix + 1);
    builder_add(&big, "\r\n\r\n");
    assert_int_equal(parse_request_text(big.data, &req), PARSE_INVALID);
}

static void test_request_header_block_over_limit_invalid(void **state)
{
    (void)state;
    struct http_request req;
    builder_reset(&big);
    builder_add(&big, "CONNECT a:1 HTTP/1.1\r\n");
    for (int i = 0; i < 10; i++) {
        builder_add(&big, "X-Filler: ");
        builder_repeat(&big, 'f', 7000);
        builder_add(&big, "\r\n");
    }
    builder_add(&big, "\r\n");
    assert_true(big.len > HTTP_MAX_HEADER_BLOCK);
    assert_int_equal(parse_request_text(big.data, &req), PARSE_INVALID);
    /* also while the block is still arriving */
    assert_int_equal(http_parse_request(bytes_of(big.data), HTTP_MAX_HEADER_BLOCK + 100, &req),
                     PARSE_INVALID);
}

static void test_request_header_count_limit(void **state)
{
    (void)state;
    struct http_request req;
    builder_reset(&big);
    builder_add(&big, "CONNECT a:1 HTTP/1.1\r\n");
    for (int i = 0; i < HTTP_MAX_HEADERS; i++)
        builder_add(&big, "X-A: b\r\n");
    size_t head_without_end = big.len;
    builder_add(&big, "\r\n");
    assert_int_equal(parse_request_text(big.data, &req), PARSE_OK);

    big.len = head_without_end;
    big.data[big.len] = '\0';
    builder_add(&big, "X-A: b\r\n\r\n");
    assert_int_equal(parse_request_text(big.data, &req), PARSE_INVALID);
}

static void test_request_empty_truncated(void **state)
{
    (void)state;
    struct http_request req;
    assert_int_equal(http_parse_request(bytes_of(""), 0, &req), PARSE_TRUNCATED);
}

/* ---- responses ----------------------------------------------------------------- */

static void test_response_200_connection_established(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 200 Connection established\r\n\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.version_minor, 1);
    assert_view(resp.reason, "Connection established");
    assert_int_equal(resp.auth_scheme_count, 0);
    assert_false(resp.body_unframed);
    assert_int_equal(resp.message_len, strlen(text));
}

static void test_response_200_http10_with_proxy_agent(void **state)
{
    (void)state;
    const char *text = "HTTP/1.0 200 Connection established\r\n"
                       "Proxy-agent: Netscape-Proxy/1.1\r\n\r\n";
    uint8_t buf[128];
    size_t head = strlen(text);
    memcpy(buf, text, head);
    memcpy(buf + head, tls_client_hello, sizeof tls_client_hello);
    struct http_response resp;
    assert_int_equal(http_parse_connect_response(buf, head + sizeof tls_client_hello, &resp),
                     PARSE_OK);
    assert_int_equal(resp.version_minor, 0);
    assert_int_equal(resp.message_len, head);
}

static void test_response_407_auth_schemes(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                       "Proxy-Authenticate: Negotiate\r\n"
                       "Proxy-Authenticate: Basic realm=\"Squid proxy, Internet Access\", NTLM\r\n"
                       "Content-Length: 0\r\n"
                       "\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.status, 407);
    assert_int_equal(resp.auth_scheme_count, 3);
    assert_view(resp.auth_schemes[0], "Negotiate");
    assert_view(resp.auth_schemes[1], "Basic");
    assert_view(resp.auth_schemes[2], "NTLM");
    assert_true(resp.has_content_length);
    assert_int_equal(resp.message_len, strlen(text));
}

static void test_response_407_params_are_not_schemes(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                       "proxy-authenticate: Digest realm=\"a\\\", Fake b\", nonce = \"n\", "
                       "qop=\"auth,auth-int\",  , Kerberos, NTLM TlRMTVNTUAACAAAA==\r\n"
                       "Content-Length: 0\r\n\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.auth_scheme_count, 3);
    assert_view(resp.auth_schemes[0], "Digest");
    assert_view(resp.auth_schemes[1], "Kerberos");
    assert_view(resp.auth_schemes[2], "NTLM");
}

static void test_response_auth_schemes_capped(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 x\r\n"
                       "Proxy-Authenticate: A, B, C, D, E\r\n"
                       "Proxy-Authenticate: F, G, H, I, J\r\n"
                       "Content-Length: 0\r\n\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.auth_scheme_count, HTTP_MAX_AUTH_SCHEMES);
    assert_view(resp.auth_schemes[HTTP_MAX_AUTH_SCHEMES - 1], "H");
}

static void test_response_403_squid(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 403 Forbidden\r\n"
                       "Server: squid/5.7\r\n"
                       "Mime-Version: 1.0\r\n"
                       "Content-Type: text/html;charset=utf-8\r\n"
                       "Content-Length: 12\r\n"
                       "X-Squid-Error: ERR_ACCESS_DENIED 0\r\n"
                       "Via: 1.1 proxy.corp (squid/5.7)\r\n"
                       "Connection: keep-alive\r\n"
                       "\r\n"
                       "<html></html>"; /* 13 bytes: one beyond the body */
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.status, 403);
    assert_view(resp.reason, "Forbidden");
    assert_view(resp.server, "squid/5.7");
    assert_view(resp.proxy_error, "ERR_ACCESS_DENIED 0");
    assert_view(resp.via, "1.1 proxy.corp (squid/5.7)");
    assert_true(resp.has_content_length);
    assert_int_equal(resp.content_length, 12);
    assert_int_equal(resp.message_len, strlen(text) - 1);
}

static void test_response_503_squid(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 503 Service Unavailable\r\n"
                       "X-Squid-Error: ERR_CONNECT_FAIL 111\r\n"
                       "Via: 1.1 gw1 (squid/4.13), 1.1 gw2 (squid/4.13)\r\n"
                       "Via: 1.0 later\r\n"
                       "X-Squid-Error: ERR_SECOND 1\r\n"
                       "Content-Length: 4\r\n"
                       "\r\n"
                       "oops";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.status, 503);
    assert_view(resp.proxy_error, "ERR_CONNECT_FAIL 111");
    assert_view(resp.via, "1.1 gw1 (squid/4.13), 1.1 gw2 (squid/4.13)");
    assert_int_equal(resp.message_len, strlen(text));
}

static void test_response_other_proxy_error_headers(void **state)
{
    (void)state;
    struct http_response resp;
    const char *text = "HTTP/1.1 502 Bad Gateway\r\nX-Error: no\r\nx-bluecoat-error: "
                       "dns_unresolved_hostname\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_view(resp.proxy_error, "dns_unresolved_hostname");

    /* X-<something>-Error needs the something */
    text = "HTTP/1.1 502 Bad Gateway\r\nX--Error: a\r\nX-Error: b\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_null(resp.proxy_error.data);
}

static void test_response_content_length_body(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                       "Proxy-Authenticate: Basic realm=\"p\"\r\n"
                       "Content-Length: 10\r\n\r\n"
                       "0123456789";
    struct http_response resp;
    assert_int_equal(parse_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.message_len, strlen(text));
    assert_int_equal(http_parse_response(bytes_of(text), strlen(text) - 1, &resp),
                     PARSE_TRUNCATED);
}

static void test_response_every_prefix_truncated(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                       "Proxy-Authenticate: NTLM\r\n"
                       "Content-Length: 3\r\n\r\n"
                       "abc";
    size_t len = strlen(text);
    struct http_response resp;
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(http_parse_connect_response(bytes_of(text), cut, &resp), PARSE_TRUNCATED);
    assert_int_equal(http_parse_connect_response(bytes_of(text), len, &resp), PARSE_OK);
}

static void test_connect_2xx_ignores_content_length(void **state)
{
    (void)state;
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(head, &resp), PARSE_OK);
    assert_true(resp.has_content_length);
    assert_int_equal(resp.content_length, 100);
    assert_false(resp.body_unframed);
    assert_int_equal(resp.message_len, strlen(head));
    /* the same bytes as an ordinary response wait for the body */
    assert_int_equal(parse_response_text(head, &resp), PARSE_TRUNCATED);
}

static void test_response_without_body_statuses(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
    };
    struct http_response resp;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_int_equal(parse_response_text(texts[i], &resp), PARSE_OK);
        assert_int_equal(resp.message_len, strlen(texts[i]));
        assert_false(resp.body_unframed);
    }
}

static void test_response_unframed_body(void **state)
{
    (void)state;
    struct http_response resp;
    const char *text = "HTTP/1.1 407 x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_true(resp.body_unframed);
    assert_int_equal(resp.message_len, strlen(text));

    text = "HTTP/1.0 403 Forbidden\r\nConnection: close\r\n\r\n<html>";
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_true(resp.body_unframed);
    assert_int_equal(resp.message_len, strlen(text) - strlen("<html>"));
}

static void test_response_content_length_values(void **state)
{
    (void)state;
    struct http_response resp;
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: "
                                         "18446744073709551616\r\n\r\n", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: "
                                         "99999999999999999999999\r\n\r\n", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: "
                                         "18446744073709551615\r\n\r\n", &resp),
                     PARSE_TRUNCATED);
    assert_int_equal(resp.content_length, UINT64_MAX);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: -1\r\n\r\n", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: 1 2\r\n\r\n", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length:\r\n\r\n", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: 1\r\n"
                                         "Content-Length: 2\r\n\r\nab", &resp),
                     PARSE_INVALID);
    assert_int_equal(parse_response_text("HTTP/1.1 403 x\r\nContent-Length: 2\r\n"
                                         "content-length: 2\r\n\r\nab", &resp),
                     PARSE_OK);
}

static void test_response_names_case_insensitive_values_trimmed(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Auth\r\nPROXY-AUTHENTICATE:   basic realm=x  \r\n"
                       "vIa:\t1.1 p \t\r\nSERVER: s\r\nx-SQUID-error:  E 1 \r\nContent-Length: 0\r\n\r\n";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_int_equal(resp.auth_scheme_count, 1);
    assert_view(resp.auth_schemes[0], "basic");
    assert_view(resp.via, "1.1 p");
    assert_view(resp.server, "s");
    assert_view(resp.proxy_error, "E 1");
}

static void test_response_status_line_forms(void **state)
{
    (void)state;
    struct http_response resp;
    assert_int_equal(parse_connect_response_text("HTTP/1.1 200\r\n\r\n", &resp), PARSE_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.reason.len, 0);
    assert_int_equal(parse_connect_response_text("HTTP/1.1 200 \r\n\r\n", &resp), PARSE_OK);

    static const char *const bad[] = {
        "HTTP/1.1 600 Nope\r\n\r\n", "HTTP/1.1 099 Nope\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\x7f\r\n\r\n", "ICY 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_connect_response_text(bad[i], &resp) != PARSE_INVALID)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_response_bare_lf(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 407 Proxy Authentication Required\n"
                       "Proxy-Authenticate: Basic realm=\"x\"\nContent-Length: 2\n\nab";
    struct http_response resp;
    assert_int_equal(parse_connect_response_text(text, &resp), PARSE_OK);
    assert_view(resp.reason, "Proxy Authentication Required");
    assert_int_equal(resp.auth_scheme_count, 1);
    assert_int_equal(resp.message_len, strlen(text));
}

static void test_response_tls_and_garbage_invalid(void **state)
{
    (void)state;
    static const uint8_t tls_alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
    static const uint8_t garbage[] = { 'H', 'T', 'T', 'P', 0x00, '\n', '\n' };
    struct http_response resp;
    assert_int_equal(http_parse_connect_response(tls_client_hello, sizeof tls_client_hello, &resp),
                     PARSE_INVALID);
    assert_int_equal(http_parse_connect_response(tls_alert, sizeof tls_alert, &resp),
                     PARSE_INVALID);
    assert_int_equal(http_parse_connect_response(tls_alert, 1, &resp), PARSE_INVALID);
    assert_int_equal(http_parse_connect_response(garbage, sizeof garbage, &resp), PARSE_INVALID);
    assert_int_equal(http_parse_connect_response(garbage, 4, &resp), PARSE_TRUNCATED);
    assert_int_equal(http_parse_connect_response(bytes_of(""), 0, &resp), PARSE_TRUNCATED);
}

static void test_response_header_over_limit_invalid(void **state)
{
    (void)state;
    struct http_response resp;
    builder_reset(&big);
    builder_add(&big, "HTTP/1.1 403 Forbidden\r\nVia: ");
    builder_repeat(&big, 'v', HTTP_MAX_LINE);
    builder_add(&big, "\r\n\r\n");
    assert_int_equal(parse_connect_response_text(big.data, &resp), PARSE_INVALID);
}

static void test_response_head_only_ignores_body(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nabc";
    struct http_response r;
    assert_int_equal(http_parse_response(bytes_of(text), strlen(text), &r), PARSE_TRUNCATED);
    assert_int_equal(http_parse_response_head(bytes_of(text), strlen(text), &r), PARSE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.message_len, strlen(text) - 3);
    assert_int_equal(http_parse_response_head(bytes_of(text), 20, &r), PARSE_TRUNCATED);
}

static void test_looks_like_request(void **state)
{
    (void)state;
    assert_true(http_looks_like_request(bytes_of("GET / HTTP/1.1"), 14));
    assert_true(http_looks_like_request(bytes_of("PO"), 2));
    assert_true(http_looks_like_request(bytes_of("HEAD /"), 6));
    assert_false(http_looks_like_request(bytes_of("CONNECT a:443"), 13));
    assert_false(http_looks_like_request(bytes_of("GETX"), 4));
    assert_false(http_looks_like_request(bytes_of("\x16\x03\x01"), 3));
    assert_false(http_looks_like_request(bytes_of(""), 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_looks_like_connect_full_and_partial),
        cmocka_unit_test(test_looks_like_connect_rejects_others),
        cmocka_unit_test(test_request_connect_complete),
        cmocka_unit_test(test_request_without_credentials),
        cmocka_unit_test(test_request_ntlm_scheme_only_first_token),
        cmocka_unit_test(test_request_followed_by_tunnel_bytes),
        cmocka_unit_test(test_request_every_prefix_truncated),
        cmocka_unit_test(test_request_content_length_body),
        cmocka_unit_test(test_request_transfer_encoding_unframed),
        cmocka_unit_test(test_request_bare_lf),
        cmocka_unit_test(test_request_mixed_line_ends),
        cmocka_unit_test(test_request_values_trimmed),
        cmocka_unit_test(test_request_binary_garbage_invalid),
        cmocka_unit_test(test_request_tls_record_invalid),
        cmocka_unit_test(test_request_bad_request_lines_invalid),
        cmocka_unit_test(test_request_partial_bad_line_invalid_early),
        cmocka_unit_test(test_request_bad_header_lines_invalid),
        cmocka_unit_test(test_request_obs_fold_ignored),
        cmocka_unit_test(test_request_line_over_limit_invalid),
        cmocka_unit_test(test_request_header_line_at_and_over_limit),
        cmocka_unit_test(test_request_header_block_over_limit_invalid),
        cmocka_unit_test(test_request_header_count_limit),
        cmocka_unit_test(test_request_empty_truncated),
        cmocka_unit_test(test_response_200_connection_established),
        cmocka_unit_test(test_response_200_http10_with_proxy_agent),
        cmocka_unit_test(test_response_407_auth_schemes),
        cmocka_unit_test(test_response_407_params_are_not_schemes),
        cmocka_unit_test(test_response_auth_schemes_capped),
        cmocka_unit_test(test_response_403_squid),
        cmocka_unit_test(test_response_503_squid),
        cmocka_unit_test(test_response_other_proxy_error_headers),
        cmocka_unit_test(test_response_content_length_body),
        cmocka_unit_test(test_response_every_prefix_truncated),
        cmocka_unit_test(test_connect_2xx_ignores_content_length),
        cmocka_unit_test(test_response_without_body_statuses),
        cmocka_unit_test(test_response_unframed_body),
        cmocka_unit_test(test_response_content_length_values),
        cmocka_unit_test(test_response_names_case_insensitive_values_trimmed),
        cmocka_unit_test(test_response_status_line_forms),
        cmocka_unit_test(test_response_bare_lf),
        cmocka_unit_test(test_response_tls_and_garbage_invalid),
        cmocka_unit_test(test_response_header_over_limit_invalid),
        cmocka_unit_test(test_response_head_only_ignores_body),
        cmocka_unit_test(test_looks_like_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
