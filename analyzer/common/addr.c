#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>

void addr_format(uint8_t ip_version, const uint8_t *addr, bool bracket_v6, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    if (ip_version == 4) {
        inet_ntop(AF_INET, addr, text, sizeof text);
        snprintf(buf, len, "%s", text);
        return;
    }
    /* glibc's inet_ntop already writes RFC 5952 form (lower case, longest
     * zero run compressed, a single zero field left alone). */
    inet_ntop(AF_INET6, addr, text, sizeof text);
    snprintf(buf, len, bracket_v6 ? "[%s]" : "%s", text);
}

void conn_format(struct tcp_conn *c, char *buf, size_t len)
{
    int client = conn_client(c);
    const struct endpoint *cl = &c->ep[client], *sv = &c->ep[1 - client];
    char a[ADDR_TEXT_MAX], b[ADDR_TEXT_MAX];
    addr_format(c->ip_version, cl->addr, true, a, sizeof a);
    addr_format(c->ip_version, sv->addr, true, b, sizeof b);
    snprintf(buf, len, "%s:%u>%s:%u", a, cl->port, b, sv->port);
}
