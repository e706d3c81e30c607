/* A connection through an HTTP proxy (CONNECT requests and responses) and a
 * plain HTTP exchange (an OCSP or CRL fetch): their facts as JSON as they
 * come, the server name they give, and the status the verdict reads. */
#include "facts_internal.h"
#include "json_build.h"
#include "json_text.h"

#include <stdio.h>
#include <string.h>

/* The host part of "host:port" or "[v6]:port", or of an absolute URI's
 * authority ("http://host:port/path"), into out. */
void host_of(const char *text, char *out, size_t outlen)
{
    const char *start = strstr(text, "://");
    start = start ? start + 3 : text;
    size_t len = strcspn(start, "/?#");
    if (len && start[0] == '[') {
        const char *close = memchr(start, ']', len);
        len = close ? (size_t)(close - start - 1) : len - 1;
        start++;
    } else {
        const char *colon = memchr(start, ':', len);
        if (colon)
            len = (size_t)(colon - start);
    }
    snprintf(out, outlen, "%.*s", (int)len, start);
}

void on_connect_request(struct conn_track *t, const struct event *ev)
{
    const struct http_request *r = ev->u.connect_request;
    if (!t->proxy)
        t->proxy = cJSON_CreateObject();
    cJSON *attempts = cJSON_GetObjectItem(t->proxy, "attempts");
    if (attempts) {
        cJSON_SetNumberValue(attempts, attempts->valuedouble + 1);
    } else {
        json_add_u64(t->proxy, "attempts", 1);
    }
    char target[256];
    text_from_wire(target, sizeof target, r->target.data, r->target.len);
    cJSON_DeleteItemFromObject(t->proxy, "target");
    json_add_string(t->proxy, "target", target);
    cJSON_DeleteItemFromObject(t->proxy, "request_frame");
    json_add_u64(t->proxy, "request_frame", ev->frame);
    cJSON_DeleteItemFromObject(t->proxy, "request_time_ms");
    json_add_conn_time(t->proxy, "request_time_ms", ev->ts_ns, ev->conn->first_ts);
    cJSON_DeleteItemFromObject(t->proxy, "authorization_sent");
    json_add_bool(t->proxy, "authorization_sent", r->has_proxy_authorization);
    host_of(target, t->names->connect_host, sizeof t->names->connect_host);
}

static void add_wire_text(cJSON *o, const char *key, struct wire_bytes b)
{
    if (!b.data || !b.len)
        return;
    char text[256];
    text_from_wire(text, sizeof text, b.data, b.len);
    json_add_string(o, key, text);
}

void on_connect_response(struct conn_track *t, const struct event *ev)
{
    const struct http_response *r = ev->u.connect_response;
    if (!t->proxy)
        t->proxy = cJSON_CreateObject();
    static const char *const replaced[] = { "status", "reason", "response_frame", "response_time_ms",
                                            "auth_schemes", "via", "error", "server" };
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0]; i++)
        cJSON_DeleteItemFromObject(t->proxy, replaced[i]);
    json_add_u64(t->proxy, "status", r->status);
    t->connect_answer = (struct http_answer){ .seen = true, .status = r->status, .frame = ev->frame };
    add_wire_text(t->proxy, "reason", r->reason);
    json_add_u64(t->proxy, "response_frame", ev->frame);
    json_add_conn_time(t->proxy, "response_time_ms", ev->ts_ns, ev->conn->first_ts);
    cJSON *schemes = json_add_array(t->proxy, "auth_schemes");
    for (int i = 0; i < r->auth_scheme_count; i++) {
        char text[64];
        text_from_wire(text, sizeof text, r->auth_schemes[i].data, r->auth_schemes[i].len);
        cJSON_AddItemToArray(schemes, cJSON_CreateString(text));
    }
    add_wire_text(t->proxy, "via", r->via);
    add_wire_text(t->proxy, "error", r->proxy_error);
    add_wire_text(t->proxy, "server", r->server);
    /* Every answer is kept in order: a 407 before a 200 tells the story. */
    cJSON *history = cJSON_GetObjectItem(t->proxy, "responses");
    if (!history)
        history = json_add_array(t->proxy, "responses");
    if (cJSON_GetArraySize(history) < 8) {
        cJSON *h = cJSON_CreateObject();
        json_add_u64(h, "frame", ev->frame);
        json_add_conn_time(h, "time_ms", ev->ts_ns, ev->conn->first_ts);
        json_add_u64(h, "status", r->status);
        cJSON_AddItemToArray(history, h);
    }
}

void on_http_request(struct conn_track *t, const struct event *ev)
{
    const struct http_request *r = ev->u.connect_request;
    cJSON_Delete(t->http);
    t->http = cJSON_CreateObject();
    t->http_answer = (struct http_answer){ 0 };
    json_add_u64(t->http, "request_frame", ev->frame);
    add_wire_text(t->http, "method", r->method);
    add_wire_text(t->http, "target", r->target);
    add_wire_text(t->http, "host", r->host);
    /* A request to a proxy names the server in its absolute URI; a request
     * to the server itself in its Host header. */
    const char *named = cJSON_GetStringValue(cJSON_GetObjectItem(t->http, "host"));
    const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(t->http, "target"));
    if (target && strstr(target, "://"))
        named = target;
    if (named)
        host_of(named, t->names->http_host, sizeof t->names->http_host);
}

void on_http_response(struct conn_track *t, const struct event *ev)
{
    const struct http_response *r = ev->u.connect_response;
    if (!t->http)
        t->http = cJSON_CreateObject();
    json_add_u64(t->http, "response_frame", ev->frame);
    json_add_u64(t->http, "status", r->status);
    /* A second response adds its members again; readers of the JSON see the first. */
    if (!t->http_answer.seen)
        t->http_answer = (struct http_answer){ .seen = true, .status = r->status, .frame = ev->frame };
    add_wire_text(t->http, "reason", r->reason);
    add_wire_text(t->http, "via", r->via);
    add_wire_text(t->http, "error", r->proxy_error);
}
