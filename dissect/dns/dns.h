/* DNS message grammar (RFC 1035), for tying server names to addresses and
 * seeing failed lookups. A pure function over one message: a UDP payload, or
 * the bytes after the 2-byte length prefix on TCP. */
#ifndef TLSDIAG_DNS_H
#define TLSDIAG_DNS_H

#include "cursor.h"
#include "wire.h"

/* Presentation form with the NUL. A name is at most 255 bytes on the wire,
 * but escaping (\DDD) can make up to four characters of one byte: the worst
 * is four labels holding 250 bytes, 4 * 250 + 3 dots + NUL = 1004. */
#define DNS_NAME_MAX 1004
#define DNS_MAX_ANSWERS 16    /* answers kept; the rest are counted */

enum dns_rr_type {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33,
    DNS_TYPE_HTTPS = 65,
};

struct dns_answer {
    char name[DNS_NAME_MAX];
    uint16_t type;
    uint16_t rr_class;
    uint32_t ttl;
    uint8_t addr[16];           /* A: 4 bytes, AAAA: 16 bytes */
    char target[DNS_NAME_MAX];  /* CNAME / PTR / NS target */
};

struct dns_message {
    uint16_t id;
    bool is_response;
    uint8_t opcode;
    uint8_t rcode;              /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED ... */
    bool truncated_flag;        /* TC bit */
    uint16_t question_count;
    uint16_t answer_count;      /* as announced in the header */
    char qname[DNS_NAME_MAX];   /* first question, lower-cased, no trailing dot */
    uint16_t qtype;
    uint16_t qclass;
    bool question_read;         /* the header and the first question were read whole */
    struct dns_answer answers[DNS_MAX_ANSWERS];
    uint8_t answers_kept;
};

/* Parses one message. Compression pointers are followed with a loop bound;
 * PARSE_INVALID for pointer loops, bad label types or names over 255 bytes.
 *
 * Every name (question, owners, targets) is in presentation form, lower-cased
 * (DNS names compare case-insensitively, and resolvers echo 0x20-randomised
 * case), without the trailing dot, "" for the root. A '.' or '\' inside a
 * label is written "\." / "\\", any byte outside '!'..'~' as \DDD.
 *
 * Records in the authority and additional sections are walked (so a message
 * cut short is never PARSE_OK) but not kept; answer rdata of type A/AAAA (class
 * IN), CNAME, PTR and NS is checked against its rdlength. Bytes after the
 * last announced record are ignored. Out is filled only as far as parsing got
 * when the result is not PARSE_OK: question_read says whether the header and
 * the first question are whole, answers_kept counts the answers read whole
 * (a message cut short by a snapshot length still names what it answers). */
enum parse_status dns_parse_message(const uint8_t *buf, size_t len, struct dns_message *out);

/* Name of an rcode ("NXDOMAIN") or of an RR type ("AAAA"); "?" when unknown. */
const char *dns_rcode_name(uint8_t rcode);
const char *dns_type_name(uint16_t type);

#endif
