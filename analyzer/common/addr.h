/* Formatting of addresses and connection names for output. */
#ifndef TLSDIAG_ADDR_H
#define TLSDIAG_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include "tcp_reasm.h"

#define ADDR_TEXT_MAX 48          /* "[ipv6]" */
#define CONN_TEXT_MAX 112         /* "client:port>server:port" */

/* IPv4 dotted quad, IPv6 in RFC 5952 form; brackets around IPv6 when asked. */
void addr_format(uint8_t ip_version, const uint8_t *addr, bool bracket_v6, char *buf, size_t len);
/* "CLIENTIP:CPORT>SERVERIP:SPORT", roles settled by conn_client(). */
void conn_format(struct tcp_conn *c, char *buf, size_t len);

#endif
