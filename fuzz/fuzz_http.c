/* The HTTP/1.x CONNECT grammar (dissect/http.c). Byte 0 picks the parser:
 * 0 request, 1 response, 2 response to a CONNECT; the rest is the message.
 * Besides memory safety it checks what the stream layer relies on: a
 * message reported complete fits in the buffer, and every view points into
 * it. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(struct wire_bytes v, const uint8_t *buf, size_t len)
{
    if (v.len == 0)
        return;
    if (!v.data || v.data < buf || v.len > len || v.data - buf > (ptrdiff_t)(len - v.len))
        abort();
    fuzz_touch(v.data, v.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 3;
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    http_looks_like_connect(buf, len);
    if (which == 0) {
        struct http_request req;
        if (http_parse_request(buf, len, &req) == PARSE_OK) {
            if (req.message_len > len)
                abort();
            check_view(req.method, buf, len);
            check_view(req.target, buf, len);
            check_view(req.host, buf, len);
            check_view(req.user_agent, buf, len);
            check_view(req.proxy_authorization_scheme, buf, len);
        }
        return 0;
    }
    struct http_response resp;
    enum parse_status st = which == 1 ? http_parse_response(buf, len, &resp)
                                      : http_parse_connect_response(buf, len, &resp);
    if (st == PARSE_OK) {
        if (resp.message_len > len || resp.auth_scheme_count > HTTP_MAX_AUTH_SCHEMES)
            abort();
        check_view(resp.reason, buf, len);
        check_view(resp.via, buf, len);
        check_view(resp.proxy_error, buf, len);
        check_view(resp.server, buf, len);
        for (int i = 0; i < resp.auth_scheme_count; i++)
            check_view(resp.auth_schemes[i], buf, len);
    }
    return 0;
}
