/* HTTP/1.x grammar for proxy tunnels: a CONNECT request and its response.
 *
 * Pure functions over a buffer that holds the start of a message. They do
 * not buffer; the stream layer collects bytes and calls again with more.
 * PARSE_TRUNCATED means "the header block (or the announced body) is not
 * complete yet"; PARSE_INVALID means "this is not an HTTP/1.x message".
 */
#ifndef TLSDIAG_HTTP_H
#define TLSDIAG_HTTP_H

#include "cursor.h"
#include "wire.h"

#define HTTP_MAX_AUTH_SCHEMES 8  /* schemes kept; later ones are dropped */

/* Beyond these a message is taken for something other than HTTP (PARSE_INVALID):
 * no proxy or client we diagnose comes near them, and they bound the work
 * spent on a stream that only looks like HTTP. */
#define HTTP_MAX_LINE 8192           /* bytes in one line, without its line end */
#define HTTP_MAX_HEADER_BLOCK 65536  /* start line through the blank line */
#define HTTP_MAX_HEADERS 100         /* field lines (obs-fold lines count too) */

struct http_request {
    struct wire_bytes method;     /* e.g. "CONNECT" */
    struct wire_bytes target;     /* request-target as sent, "host:port" */
    uint8_t version_minor;        /* HTTP/1.<minor> */
    struct wire_bytes host;       /* Host header value, if any */
    struct wire_bytes user_agent;
    bool has_proxy_authorization;
    struct wire_bytes proxy_authorization_scheme; /* "Basic", "NTLM", ... */
    bool body_unframed;           /* Transfer-Encoding: a body follows whose end
                                     message_len does not include */
    size_t message_len;           /* header block + body, in bytes */
};

struct http_response {
    uint16_t status;
    struct wire_bytes reason;
    uint8_t version_minor;
    struct wire_bytes auth_schemes[HTTP_MAX_AUTH_SCHEMES]; /* Proxy-Authenticate */
    uint8_t auth_scheme_count;
    struct wire_bytes via;
    struct wire_bytes proxy_error;  /* X-Squid-Error or a similar proxy error header */
    struct wire_bytes server;
    bool has_content_length;
    uint64_t content_length;        /* as announced, even where no body may follow */
    bool body_unframed;             /* a body may follow whose end is not given by
                                       Content-Length (Transfer-Encoding, or
                                       neither header: it runs to connection
                                       close); message_len does not include it */
    size_t message_len;             /* header block + body, in bytes */
};

/* Field values are views into buf, trimmed of surrounding SP/HTAB; a header
 * that appears more than once keeps its first value (Proxy-Authenticate
 * collects from every one). Out is filled only as far as parsing got when
 * the result is not PARSE_OK. Line ends may be CRLF or a bare LF. */

/* True when buf starts like an HTTP/1.x request line with the CONNECT method
 * (only the bytes present are checked, so a partial prefix also matches). */
bool http_looks_like_connect(const uint8_t *buf, size_t len); /* false for len 0 */

/* Parses a request. On PARSE_OK, out->message_len bytes make up the message. */
enum parse_status http_parse_request(const uint8_t *buf, size_t len, struct http_request *out);

/* Parses a response. A body is counted only when Content-Length announces it
 * (a CONNECT response never has a chunked body we need), and never for 1xx,
 * 204 and 304 (RFC 9112 §6.3). Transfer-Encoding overrides Content-Length. */
enum parse_status http_parse_response(const uint8_t *buf, size_t len, struct http_response *out);

/* The same for the response to a CONNECT request: a 2xx has no body whatever
 * its headers say, because the tunnel starts right after the header block
 * (RFC 9110 §9.3.6). Use this one on the proxy side of a tunnel. */
enum parse_status http_parse_connect_response(const uint8_t *buf, size_t len,
                                              struct http_response *out);

/* The status line and header fields only: PARSE_OK as soon as the header
 * block is complete, message_len covering it alone. For following a plain
 * HTTP exchange (an OCSP or CRL fetch) without collecting its body. */
enum parse_status http_parse_response_head(const uint8_t *buf, size_t len, struct http_response *out);

/* True when buf starts like a request line of a plain HTTP method (GET,
 * HEAD, POST, PUT, OPTIONS, DELETE); a partial prefix also matches. */
bool http_looks_like_request(const uint8_t *buf, size_t len);

#endif
