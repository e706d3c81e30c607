/* Unit tests for dissect/dns.c: DNS messages and name compression. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dns.h"

/* ---- message builder -------------------------------------------------------- */

enum { CLASS_IN = 1, CLASS_CH = 3, HEADER_LEN = 12 };
enum {
    FLAGS_QUERY = 0x0100,           /* RD */
    FLAGS_RESPONSE = 0x8180,        /* QR RD RA, NOERROR */
    RCODE_SERVFAIL = 2,
    RCODE_NXDOMAIN = 3,
};

struct msg {
    uint8_t data[4096];
    size_t len;
};

static void put_u8(struct msg *m, uint8_t v)
{
    assert_true(m->len < sizeof m->data);
    m->data[m->len++] = v;
}

static void put_be16(struct msg *m, uint16_t v)
{
    put_u8(m, (uint8_t)(v >> 8));
    put_u8(m, (uint8_t)v);
}

static void put_be32(struct msg *m, uint32_t v)
{
    put_be16(m, (uint16_t)(v >> 16));
    put_be16(m, (uint16_t)v);
}

static void put_bytes(struct msg *m, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < n; i++)
        put_u8(m, p[i]);
}

static void put_label(struct msg *m, const void *bytes, size_t n)
{
    put_u8(m, (uint8_t)n);
    put_bytes(m, bytes, n);
}

static void put_filled_label(struct msg *m, uint8_t fill, size_t n)
{
    put_u8(m, (uint8_t)n);
    for (size_t i = 0; i < n; i++)
        put_u8(m, fill);
}

/* Labels of a dotted name, without the terminating root label. */
static void put_labels(struct msg *m, const char *dotted)
{
    while (*dotted != '\0') {
        size_t n = strcspn(dotted, ".");
        put_label(m, dotted, n);
        dotted += n;
        if (*dotted == '.')
            dotted++;
    }
}

static void put_name(struct msg *m, const char *dotted)
{
    put_labels(m, dotted);
    put_u8(m, 0);
}

static void put_pointer(struct msg *m, size_t offset)
{
    put_be16(m, (uint16_t)(0xC000 | offset));
}

static void put_header(struct msg *m, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
                       uint16_t ar)
{
    m->len = 0;
    put_be16(m, 0xbeef);
    put_be16(m, flags);
    put_be16(m, qd);
    put_be16(m, an);
    put_be16(m, ns);
    put_be16(m, ar);
}

static void put_question(struct msg *m, const char *dotted, uint16_t type)
{
    put_name(m, dotted);
    put_be16(m, type);
    put_be16(m, CLASS_IN);
}

/* Writes type, class, TTL and an rdlength to be filled by end_rdata; the
 * owner name goes before. Returns where the rdlength sits. */
static size_t begin_rdata(struct msg *m, uint16_t type, uint16_t rr_class, uint32_t ttl)
{
    put_be16(m, type);
    put_be16(m, rr_class);
    put_be32(m, ttl);
    size_t at = m->len;
    put_be16(m, 0);
    return at;
}

static void end_rdata(struct msg *m, size_t rdlength_at)
{
    size_t rdlength = m->len - rdlength_at - 2;
    m->data[rdlength_at] = (uint8_t)(rdlength >> 8);
    m->data[rdlength_at + 1] = (uint8_t)rdlength;
}

static void put_a_record_at(struct msg *m, size_t owner, uint32_t ttl, const uint8_t addr[4])
{
    put_pointer(m, owner);
    size_t at = begin_rdata(m, DNS_TYPE_A, CLASS_IN, ttl);
    put_bytes(m, addr, 4);
    end_rdata(m, at);
}

static enum parse_status parse(const struct msg *m, struct dns_message *out)
{
    return dns_parse_message(m->data, m->len, out);
}

/* dns_message is large; one static instance serves every test. */
static struct dns_message parsed;

/* ---- canned messages ---------------------------------------------------------- */

/* www.example.com -> cdn.example.net -> edge.example.net -> 93.184.216.34,
 * compressed the way servers do it. */
static void build_cname_chain(struct msg *m)
{
    static const uint8_t addr[4] = { 93, 184, 216, 34 };
    put_header(m, FLAGS_RESPONSE, 1, 3, 0, 0);
    put_question(m, "www.example.com", DNS_TYPE_A);

    put_pointer(m, HEADER_LEN);
    size_t at = begin_rdata(m, DNS_TYPE_CNAME, CLASS_IN, 300);
    size_t cdn = m->len;
    put_name(m, "cdn.example.net");
    end_rdata(m, at);

    put_pointer(m, cdn);
    at = begin_rdata(m, DNS_TYPE_CNAME, CLASS_IN, 60);
    size_t edge = m->len;
    put_labels(m, "edge");
    put_pointer(m, cdn + 4); /* "example.net" inside cdn.example.net */
    end_rdata(m, at);

    put_a_record_at(m, edge, 20, addr);
}

/* NXDOMAIN with the zone's SOA in authority and an EDNS OPT in additional. */
static void build_nxdomain(struct msg *m)
{
    put_header(m, FLAGS_RESPONSE | RCODE_NXDOMAIN, 1, 0, 1, 1);
    put_question(m, "nope.example.com", DNS_TYPE_A);
    size_t zone = HEADER_LEN + 5; /* after "\4nope" */

    put_pointer(m, zone);
    size_t at = begin_rdata(m, DNS_TYPE_SOA, CLASS_IN, 900);
    put_labels(m, "ns1");
    put_pointer(m, zone);
    put_labels(m, "hostmaster");
    put_pointer(m, zone);
    put_be32(m, 2024010101);
    put_be32(m, 7200);
    put_be32(m, 3600);
    put_be32(m, 1209600);
    put_be32(m, 300);
    end_rdata(m, at);

    put_u8(m, 0); /* OPT: root owner, class = UDP payload size */
    at = begin_rdata(m, 41, 1232, 0);
    end_rdata(m, at);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_a_query(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_question(&m, "WWW.Example.COM", DNS_TYPE_A);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.id, 0xbeef);
    assert_false(parsed.is_response);
    assert_int_equal(parsed.opcode, 0);
    assert_int_equal(parsed.rcode, 0);
    assert_int_equal(parsed.question_count, 1);
    assert_string_equal(parsed.qname, "www.example.com");
    assert_int_equal(parsed.qtype, DNS_TYPE_A);
    assert_int_equal(parsed.qclass, CLASS_IN);
    assert_int_equal(parsed.answer_count, 0);
    assert_int_equal(parsed.answers_kept, 0);
}

static void test_a_response_with_cname_chain(void **state)
{
    (void)state;
    struct msg m;
    build_cname_chain(&m);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_true(parsed.is_response);
    assert_int_equal(parsed.rcode, 0);
    assert_string_equal(parsed.qname, "www.example.com");
    assert_int_equal(parsed.answer_count, 3);
    assert_int_equal(parsed.answers_kept, 3);

    assert_string_equal(parsed.answers[0].name, "www.example.com");
    assert_int_equal(parsed.answers[0].type, DNS_TYPE_CNAME);
    assert_int_equal(parsed.answers[0].ttl, 300);
    assert_string_equal(parsed.answers[0].target, "cdn.example.net");

    assert_string_equal(parsed.answers[1].name, "cdn.example.net");
    assert_string_equal(parsed.answers[1].target, "edge.example.net");

    static const uint8_t addr[4] = { 93, 184, 216, 34 };
    assert_string_equal(parsed.answers[2].name, "edge.example.net");
    assert_int_equal(parsed.answers[2].type, DNS_TYPE_A);
    assert_int_equal(parsed.answers[2].rr_class, CLASS_IN);
    assert_int_equal(parsed.answers[2].ttl, 20);
    assert_memory_equal(parsed.answers[2].addr, addr, 4);
    assert_string_equal(parsed.answers[2].target, "");
}

static void test_aaaa_response(void **state)
{
    (void)state;
    static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "v6.example", DNS_TYPE_AAAA);
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_AAAA, CLASS_IN, 3600);
    put_bytes(&m, addr, sizeof addr);
    end_rdata(&m, at);

    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.qtype, DNS_TYPE_AAAA);
    assert_int_equal(parsed.answers_kept, 1);
    assert_string_equal(parsed.answers[0].name, "v6.example");
    assert_int_equal(parsed.answers[0].type, DNS_TYPE_AAAA);
    assert_memory_equal(parsed.answers[0].addr, addr, 16);
}

static void test_nxdomain_with_soa(void **state)
{
    (void)state;
    struct msg m;
    build_nxdomain(&m);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.rcode, RCODE_NXDOMAIN);
    assert_string_equal(dns_rcode_name(parsed.rcode), "NXDOMAIN");
    assert_string_equal(parsed.qname, "nope.example.com");
    assert_int_equal(parsed.answer_count, 0);
    assert_int_equal(parsed.answers_kept, 0);
}

static void test_servfail(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE | RCODE_SERVFAIL, 1, 0, 0, 0);
    put_question(&m, "broken.example", DNS_TYPE_HTTPS);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.rcode, RCODE_SERVFAIL);
    assert_string_equal(dns_rcode_name(parsed.rcode), "SERVFAIL");
    assert_int_equal(parsed.qtype, DNS_TYPE_HTTPS);
}

static void test_header_flags(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, 0x8000 | 5 << 11 | 0x0200 | 5, 0, 0, 0, 0);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_true(parsed.is_response);
    assert_int_equal(parsed.opcode, 5);
    assert_true(parsed.truncated_flag);
    assert_int_equal(parsed.rcode, 5);
    assert_string_equal(parsed.qname, "");
}

static void test_root_and_extra_questions(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_QUERY, 2, 0, 0, 0);
    put_question(&m, "", DNS_TYPE_NS);
    put_question(&m, "second.example", DNS_TYPE_A);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.question_count, 2);
    assert_string_equal(parsed.qname, "");
    assert_int_equal(parsed.qtype, DNS_TYPE_NS);
}

static void test_pointer_to_itself_invalid(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_pointer(&m, HEADER_LEN);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_pointer_loop_through_labels_invalid(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    /* owner "x" + pointer back to "x" itself: a loop that only ever points back */
    size_t owner = m.len;
    put_labels(&m, "x");
    put_pointer(&m, owner);
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be32(&m, 0x0a000001);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_two_pointers_in_a_loop_invalid(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 2, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    /* the rdata of an unknown type holds p1 -> p2 and p2 -> p1; the second
     * answer's owner points at p2 */
    put_u8(&m, 0);
    size_t at = begin_rdata(&m, 0xff00, CLASS_IN, 1);
    size_t p1 = m.len, p2 = p1 + 2;
    put_pointer(&m, p2);
    put_pointer(&m, p1);
    end_rdata(&m, at);
    put_pointer(&m, p2);
    at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be32(&m, 0x0a000001);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_forward_pointer_invalid(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_pointer(&m, HEADER_LEN + 6); /* to the answer's owner name below */
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    put_name(&m, "later.example");
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be32(&m, 0x0a000001);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_pointer_into_header_invalid(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_pointer(&m, 4);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

/* An answer owner reached through a chain of `links` pointers in an earlier
 * record's rdata, then one more to the root name of the question. */
static void build_pointer_chain(struct msg *m, unsigned links)
{
    put_header(m, FLAGS_RESPONSE, 1, 2, 0, 0);
    put_question(m, "", DNS_TYPE_A);
    put_u8(m, 0);
    size_t at = begin_rdata(m, 0xff00, CLASS_IN, 1);
    size_t chain = m->len;
    put_pointer(m, HEADER_LEN);
    for (unsigned i = 1; i < links; i++)
        put_pointer(m, chain + 2 * (i - 1));
    end_rdata(m, at);
    static const uint8_t addr[4] = { 10, 0, 0, 1 };
    put_a_record_at(m, chain + 2 * (links - 1), 1, addr);
}

static void test_pointer_jump_limit(void **state)
{
    (void)state;
    struct msg m;
    build_pointer_chain(&m, 127); /* 128 jumps in all */
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_string_equal(parsed.answers[1].name, "");
    build_pointer_chain(&m, 128);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_reserved_label_types_invalid(void **state)
{
    (void)state;
    static const uint8_t kinds[] = { 0x40, 0x41, 0x7f, 0x80, 0xbf };
    for (size_t i = 0; i < sizeof kinds; i++) {
        struct msg m;
        put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
        put_u8(&m, kinds[i]); /* a "label" longer than 63 is one of these */
        for (int j = 0; j < 0x80; j++)
            put_u8(&m, 'a');
        put_u8(&m, 0);
        put_be16(&m, DNS_TYPE_A);
        put_be16(&m, CLASS_IN);
        assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
    }
}

static void test_name_length_limit(void **state)
{
    (void)state;
    struct msg m;
    /* 3 * (1 + 63) + (1 + 62) + 1 = 256 bytes on the wire */
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_filled_label(&m, 'a', 63);
    put_filled_label(&m, 'b', 63);
    put_filled_label(&m, 'c', 63);
    put_filled_label(&m, 'd', 62);
    put_u8(&m, 0);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);

    /* one byte shorter: exactly 255 */
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_filled_label(&m, 'a', 63);
    put_filled_label(&m, 'b', 63);
    put_filled_label(&m, 'c', 63);
    put_filled_label(&m, 'd', 61);
    put_u8(&m, 0);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(strlen(parsed.qname), 63 * 3 + 61 + 3);
}

static void test_name_length_limit_across_pointer(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_filled_label(&m, 'a', 63);
    put_filled_label(&m, 'b', 63);
    put_filled_label(&m, 'c', 63);
    put_u8(&m, 0); /* 193 bytes */
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    put_filled_label(&m, 'x', 62); /* + 63 = 256 */
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be32(&m, 0x0a000001);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_escaped_labels(void **state)
{
    (void)state;
    static const uint8_t odd[] = { 0x00, ' ', 0x7f, 0xff, 'A' };
    struct msg m;
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_label(&m, "a.b", 3);
    put_label(&m, "x\\y", 3);
    put_label(&m, odd, sizeof odd);
    put_label(&m, "Com", 3);
    put_u8(&m, 0);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_string_equal(parsed.qname, "a\\.b.x\\\\y.\\000\\032\\127\\255a.com");
}

static void test_worst_case_escaping_fits(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_QUERY, 1, 0, 0, 0);
    put_filled_label(&m, 0xff, 63);
    put_filled_label(&m, 0xff, 63);
    put_filled_label(&m, 0xff, 63);
    put_filled_label(&m, 0xff, 61);
    put_u8(&m, 0);
    put_be16(&m, DNS_TYPE_A);
    put_be16(&m, CLASS_IN);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(strlen(parsed.qname), DNS_NAME_MAX - 1);
    assert_memory_equal(parsed.qname, "\\255\\255", 8);
}

static void test_more_answers_than_kept(void **state)
{
    (void)state;
    enum { ANSWERS = DNS_MAX_ANSWERS + 4 };
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, ANSWERS, 0, 0);
    put_question(&m, "many.example", DNS_TYPE_A);
    for (int i = 0; i < ANSWERS; i++) {
        const uint8_t addr[4] = { 10, 0, 0, (uint8_t)(i + 1) };
        put_a_record_at(&m, HEADER_LEN, 60, addr);
    }
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.answer_count, ANSWERS);
    assert_int_equal(parsed.answers_kept, DNS_MAX_ANSWERS);
    assert_int_equal(parsed.answers[DNS_MAX_ANSWERS - 1].addr[3], DNS_MAX_ANSWERS);
    assert_string_equal(parsed.answers[DNS_MAX_ANSWERS - 1].name, "many.example");
}

static void test_answers_beyond_kept_still_checked(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, DNS_MAX_ANSWERS + 1, 0, 0);
    put_question(&m, "many.example", DNS_TYPE_A);
    static const uint8_t addr[4] = { 10, 0, 0, 1 };
    for (int i = 0; i < DNS_MAX_ANSWERS; i++)
        put_a_record_at(&m, HEADER_LEN, 60, addr);
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be16(&m, 0); /* an A record of 2 bytes */
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_rdlength_past_end_truncated(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_TXT);
    put_pointer(&m, HEADER_LEN);
    begin_rdata(&m, DNS_TYPE_TXT, CLASS_IN, 1);
    m.data[m.len - 1] = 200;
    put_label(&m, "short", 5);
    assert_int_equal(parse(&m, &parsed), PARSE_TRUNCATED);
}

static void test_rdata_contradicting_rdlength_invalid(void **state)
{
    (void)state;
    struct msg m;
    /* an A record of 5 bytes */
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_IN, 1);
    put_be32(&m, 0x0a000001);
    put_u8(&m, 0);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);

    /* a CNAME whose name runs past its rdlength */
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    put_pointer(&m, HEADER_LEN);
    at = begin_rdata(&m, DNS_TYPE_CNAME, CLASS_IN, 1);
    put_name(&m, "target.example");
    end_rdata(&m, at);
    m.data[at + 1] -= 3;
    put_be32(&m, 0); /* keep bytes after it so only rdlength is at fault */
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);

    /* a CNAME with a byte after its name */
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    put_pointer(&m, HEADER_LEN);
    at = begin_rdata(&m, DNS_TYPE_CNAME, CLASS_IN, 1);
    put_name(&m, "target.example");
    put_u8(&m, 0);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_INVALID);
}

static void test_a_record_outside_class_in_not_read(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 1, 0, 0);
    put_question(&m, "a.example", DNS_TYPE_A);
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_A, CLASS_CH, 1);
    put_name(&m, "chaos");
    put_be16(&m, 0x1234);
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_int_equal(parsed.answers[0].rr_class, CLASS_CH);
}

static void test_ptr_and_ns_targets(void **state)
{
    (void)state;
    struct msg m;
    put_header(&m, FLAGS_RESPONSE, 1, 2, 0, 0);
    put_question(&m, "34.216.184.93.in-addr.arpa", DNS_TYPE_PTR);
    put_pointer(&m, HEADER_LEN);
    size_t at = begin_rdata(&m, DNS_TYPE_PTR, CLASS_IN, 1);
    put_name(&m, "Host.Example.ORG");
    end_rdata(&m, at);
    put_pointer(&m, HEADER_LEN);
    at = begin_rdata(&m, DNS_TYPE_NS, CLASS_IN, 1);
    put_labels(&m, "ns");
    put_pointer(&m, HEADER_LEN + 3 + 4 + 4 + 3); /* "in-addr.arpa" */
    end_rdata(&m, at);
    assert_int_equal(parse(&m, &parsed), PARSE_OK);
    assert_string_equal(parsed.answers[0].target, "host.example.org");
    assert_string_equal(parsed.answers[1].target, "ns.in-addr.arpa");
}

static void assert_every_prefix_truncated(const struct msg *m)
{
    for (size_t cut = 0; cut < m->len; cut++) {
        enum parse_status status = dns_parse_message(m->data, cut, &parsed);
        if (status != PARSE_TRUNCATED)
            fail_msg("prefix of %zu bytes: status %d", cut, status);
    }
    assert_int_equal(parse(m, &parsed), PARSE_OK);
}

static void test_cname_chain_every_prefix_truncated(void **state)
{
    (void)state;
    struct msg m;
    build_cname_chain(&m);
    assert_every_prefix_truncated(&m);
}

static void test_nxdomain_every_prefix_truncated(void **state)
{
    (void)state;
    struct msg m;
    build_nxdomain(&m);
    assert_every_prefix_truncated(&m);
}

/* Every single-byte change of a valid message, at every length: whatever the
 * result, the parse must stay inside the buffer (ASan watches) and end. */
static void test_mutations_never_crash(void **state)
{
    (void)state;
    static const uint8_t values[] = { 0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xc1, 0xff };
    struct msg m;
    build_cname_chain(&m);
    for (size_t pos = 0; pos < m.len; pos++) {
        uint8_t saved = m.data[pos];
        for (size_t v = 0; v < sizeof values; v++) {
            m.data[pos] = values[v];
            for (size_t cut = 0; cut <= m.len; cut += 7)
                (void)dns_parse_message(m.data, cut, &parsed);
            (void)parse(&m, &parsed);
            assert_true(parsed.answers_kept <= DNS_MAX_ANSWERS);
        }
        m.data[pos] = saved;
    }
}

static void test_short_inputs_truncated(void **state)
{
    (void)state;
    static const uint8_t header[HEADER_LEN] = { 0 };
    assert_int_equal(dns_parse_message(header, 0, &parsed), PARSE_TRUNCATED);
    assert_int_equal(dns_parse_message(header, HEADER_LEN - 1, &parsed), PARSE_TRUNCATED);
    assert_int_equal(dns_parse_message(header, HEADER_LEN, &parsed), PARSE_OK);
}

static void test_rcode_and_type_names(void **state)
{
    (void)state;
    assert_string_equal(dns_rcode_name(0), "NOERROR");
    assert_string_equal(dns_rcode_name(1), "FORMERR");
    assert_string_equal(dns_rcode_name(2), "SERVFAIL");
    assert_string_equal(dns_rcode_name(3), "NXDOMAIN");
    assert_string_equal(dns_rcode_name(4), "NOTIMP");
    assert_string_equal(dns_rcode_name(5), "REFUSED");
    assert_string_equal(dns_rcode_name(12), "?");
    assert_string_equal(dns_rcode_name(23), "BADCOOKIE");
    assert_string_equal(dns_rcode_name(255), "?");

    assert_string_equal(dns_type_name(DNS_TYPE_A), "A");
    assert_string_equal(dns_type_name(DNS_TYPE_AAAA), "AAAA");
    assert_string_equal(dns_type_name(DNS_TYPE_CNAME), "CNAME");
    assert_string_equal(dns_type_name(DNS_TYPE_HTTPS), "HTTPS");
    assert_string_equal(dns_type_name(DNS_TYPE_SOA), "SOA");
    assert_string_equal(dns_type_name(0), "?");
    assert_string_equal(dns_type_name(65535), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_query),
        cmocka_unit_test(test_a_response_with_cname_chain),
        cmocka_unit_test(test_aaaa_response),
        cmocka_unit_test(test_nxdomain_with_soa),
        cmocka_unit_test(test_servfail),
        cmocka_unit_test(test_header_flags),
        cmocka_unit_test(test_root_and_extra_questions),
        cmocka_unit_test(test_pointer_to_itself_invalid),
        cmocka_unit_test(test_pointer_loop_through_labels_invalid),
        cmocka_unit_test(test_two_pointers_in_a_loop_invalid),
        cmocka_unit_test(test_forward_pointer_invalid),
        cmocka_unit_test(test_pointer_into_header_invalid),
        cmocka_unit_test(test_pointer_jump_limit),
        cmocka_unit_test(test_reserved_label_types_invalid),
        cmocka_unit_test(test_name_length_limit),
        cmocka_unit_test(test_name_length_limit_across_pointer),
        cmocka_unit_test(test_escaped_labels),
        cmocka_unit_test(test_worst_case_escaping_fits),
        cmocka_unit_test(test_more_answers_than_kept),
        cmocka_unit_test(test_answers_beyond_kept_still_checked),
        cmocka_unit_test(test_rdlength_past_end_truncated),
        cmocka_unit_test(test_rdata_contradicting_rdlength_invalid),
        cmocka_unit_test(test_a_record_outside_class_in_not_read),
        cmocka_unit_test(test_ptr_and_ns_targets),
        cmocka_unit_test(test_cname_chain_every_prefix_truncated),
        cmocka_unit_test(test_nxdomain_every_prefix_truncated),
        cmocka_unit_test(test_mutations_never_crash),
        cmocka_unit_test(test_short_inputs_truncated),
        cmocka_unit_test(test_rcode_and_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
