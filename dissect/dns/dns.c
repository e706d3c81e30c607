/* DNS messages (RFC 1035 §4), with name compression (§4.1.4). See dns.h.
 *
 * Names are the dangerous part: a compression pointer can point anywhere in
 * the message, including at itself. Each pointer must land strictly before
 * the place where the part of the name it continues began, so the positions
 * read only ever move back and every walk ends; the jump count is bounded as
 * well so a long chain of pointers costs little.
 */
#include "dns.h"

#include <stddef.h>
#include <string.h>

enum {
    DNS_HEADER_LEN = 12,
    DNS_MAX_WIRE_NAME = 255,     /* RFC 1035 §2.3.4, length bytes included */
    DNS_MAX_POINTER_JUMPS = 128,
    DNS_CLASS_IN = 1,
    DNS_LABEL_KIND_MASK = 0xC0,
    DNS_LABEL_POINTER = 0xC0,
    DNS_LABEL_NORMAL = 0x00,     /* 0x40 (extended, RFC 6891 retired it) and
                                    0x80 are not in use: refused */
};

/* The whole message, which compression pointers index from its first byte. */
struct dns_source {
    const uint8_t *data;
    size_t len;
};

/* A name's presentation form being written; buf NULL when it is only skipped. */
struct name_text {
    char *buf;
    size_t len;
};

static bool text_put(struct name_text *text, char ch)
{
    if (text->buf == NULL)
        return true;
    if (text->len + 1 >= DNS_NAME_MAX)
        return false;
    text->buf[text->len++] = ch;
    return true;
}

/* Writes one label byte so that the text reads back unambiguously: the dot
 * would otherwise look like a label boundary, and control bytes would reach a
 * terminal. Letters are lower-cased, as DNS compares them without case. */
static bool text_put_label_byte(struct name_text *text, uint8_t b)
{
    if (b >= 'A' && b <= 'Z')
        return text_put(text, (char)(b - 'A' + 'a'));
    if (b == '.' || b == '\\')
        return text_put(text, '\\') && text_put(text, (char)b);
    if (b > ' ' && b < 0x7f)
        return text_put(text, (char)b);
    return text_put(text, '\\') && text_put(text, (char)('0' + b / 100))
        && text_put(text, (char)('0' + b / 10 % 10)) && text_put(text, (char)('0' + b % 10));
}

static bool text_put_label(struct name_text *text, const uint8_t *label, size_t len)
{
    if (text->len > 0 && !text_put(text, '.'))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!text_put_label_byte(text, label[i]))
            return false;
    }
    return true;
}

/* State of one walk along a possibly compressed name. */
struct name_walk {
    const struct dns_source *msg;
    struct cursor *in_place;  /* where the name sits; moves past its own bytes */
    struct cursor jumped;     /* reads after the first pointer */
    struct cursor *reader;    /* in_place until a pointer is followed */
    size_t segment_start;     /* offset where the part being read began */
    unsigned jumps;
    size_t wire_len;          /* bytes of the name once decompressed */
    struct name_text text;
};

static void follow_pointer(struct name_walk *w, uint8_t first_byte)
{
    uint8_t second_byte = cursor_u8(w->reader);
    if (!cursor_ok(w->reader))
        return;
    size_t target = (size_t)(first_byte & 0x3F) << 8 | second_byte; /* 14-bit offset */
    if (target >= w->segment_start || target < DNS_HEADER_LEN
        || ++w->jumps > DNS_MAX_POINTER_JUMPS) {
        cursor_fail(w->in_place, PARSE_INVALID);
        return;
    }
    w->segment_start = target;
    w->jumped = cursor_make(w->msg->data, w->msg->len);
    cursor_skip(&w->jumped, target);
    w->reader = &w->jumped;
}

static void take_label(struct name_walk *w, uint8_t len)
{
    w->wire_len += 1u + len;
    if (w->wire_len > DNS_MAX_WIRE_NAME) {
        cursor_fail(w->in_place, PARSE_INVALID);
        return;
    }
    const uint8_t *label = cursor_bytes(w->reader, len);
    if (label && !text_put_label(&w->text, label, len))
        cursor_fail(w->in_place, PARSE_INVALID);
}

/* Reads the name at the cursor into out (DNS_NAME_MAX bytes, or NULL to skip
 * it). The cursor moves past the name's bytes in place, up to and including
 * its first pointer; failures are recorded on it. */
static void read_name(struct cursor *c, const struct dns_source *msg, char *out)
{
    struct name_walk w = {
        .msg = msg,
        .in_place = c,
        .reader = c,
        .segment_start = (size_t)(cursor_here(c) - msg->data),
        .wire_len = 1, /* the root label's zero byte */
        .text = { out, 0 },
    };
    while (cursor_ok(c) && cursor_ok(w.reader)) {
        uint8_t len_byte = cursor_u8(w.reader);
        if (!cursor_ok(w.reader) || len_byte == 0)
            break;
        switch (len_byte & DNS_LABEL_KIND_MASK) {
        case DNS_LABEL_POINTER:
            follow_pointer(&w, len_byte);
            break;
        case DNS_LABEL_NORMAL:
            take_label(&w, len_byte);
            break;
        default:
            cursor_fail(c, PARSE_INVALID);
            break;
        }
    }
    if (!cursor_ok(w.reader))
        cursor_fail(c, w.reader->status);
    if (out)
        out[w.text.len] = '\0';
}

static void read_address(struct cursor *rdata, size_t len, struct dns_answer *answer)
{
    if (cursor_remaining(rdata) != len) {
        cursor_fail(rdata, PARSE_INVALID);
        return;
    }
    const uint8_t *addr = cursor_bytes(rdata, len);
    if (answer && addr)
        memcpy(answer->addr, addr, len);
}

/* Checks (and keeps, when answer is not NULL) the rdata types that tie names
 * to addresses; others are left to be skipped by their rdlength. */
static void read_answer_rdata(struct cursor *rdata, const struct dns_source *msg,
                              uint16_t type, uint16_t rr_class, struct dns_answer *answer)
{
    switch (type) {
    case DNS_TYPE_A:
        if (rr_class == DNS_CLASS_IN)
            read_address(rdata, 4, answer);
        break;
    case DNS_TYPE_AAAA:
        if (rr_class == DNS_CLASS_IN)
            read_address(rdata, 16, answer);
        break;
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_NS:
        read_name(rdata, msg, answer ? answer->target : NULL);
        if (cursor_ok(rdata) && !cursor_at_end(rdata))
            cursor_fail(rdata, PARSE_INVALID);
        break;
    default:
        break;
    }
}

/* Reads one resource record. In the answer section (in_answers) its rdata is
 * checked and, when answer is not NULL, the record is kept there. */
static void read_record(struct cursor *c, const struct dns_source *msg, bool in_answers,
                        struct dns_answer *answer)
{
    char *name_out = answer ? answer->name : NULL;
    read_name(c, msg, name_out);
    uint16_t type = cursor_be16(c);
    uint16_t rr_class = cursor_be16(c);
    uint32_t ttl = cursor_be32(c);
    struct cursor rdata = cursor_vec16(c);
    if (!cursor_ok(c) || !in_answers)
        return;
    if (answer) {
        answer->type = type;
        answer->rr_class = rr_class;
        answer->ttl = ttl;
    }
    read_answer_rdata(&rdata, msg, type, rr_class, answer);
    /* The rdata is all present, so running out inside it contradicts rdlength. */
    if (!cursor_ok(&rdata))
        cursor_fail(c, PARSE_INVALID);
}

static void read_question(struct cursor *c, const struct dns_source *msg,
                          struct dns_message *keep)
{
    read_name(c, msg, keep ? keep->qname : NULL);
    uint16_t qtype = cursor_be16(c);
    uint16_t qclass = cursor_be16(c);
    if (keep) {
        keep->qtype = qtype;
        keep->qclass = qclass;
    }
}

/* Reads the header; returns the number of authority and additional records. */
static uint32_t read_header(struct cursor *c, struct dns_message *out)
{
    out->id = cursor_be16(c);
    uint16_t flags = cursor_be16(c);
    out->question_count = cursor_be16(c);
    out->answer_count = cursor_be16(c);
    uint32_t other_records = cursor_be16(c);
    other_records += cursor_be16(c);

    out->is_response = flags >> 15 & 1;
    out->opcode = flags >> 11 & 0xF;
    out->truncated_flag = flags >> 9 & 1;
    out->rcode = flags & 0xF;
    return other_records;
}

enum parse_status dns_parse_message(const uint8_t *buf, size_t len, struct dns_message *out)
{
    /* Everything but the answers, which are cleared one by one as they are
     * read: the struct is 33 KB and most messages hold one or two. */
    memset(out, 0, offsetof(struct dns_message, answers));
    out->answers_kept = 0;
    if (len == 0)
        return PARSE_TRUNCATED;

    struct dns_source msg = { buf, len };
    struct cursor c = cursor_make(buf, len);
    uint32_t other_records = read_header(&c, out);

    for (uint32_t i = 0; i < out->question_count && cursor_ok(&c); i++) {
        read_question(&c, &msg, i == 0 ? out : NULL);
        if (i == 0)
            out->question_read = cursor_ok(&c);
    }
    for (uint32_t i = 0; i < out->answer_count && cursor_ok(&c); i++) {
        bool keep = i < DNS_MAX_ANSWERS;
        if (keep)
            out->answers[i] = (struct dns_answer){ .type = 0 };
        read_record(&c, &msg, true, keep ? &out->answers[i] : NULL);
        if (keep && cursor_ok(&c))
            out->answers_kept++;
    }
    /* Walked only so that a message cut short is not taken as complete. */
    for (uint32_t i = 0; i < other_records && cursor_ok(&c); i++)
        read_record(&c, &msg, false, NULL);
    return c.status;
}

const char *dns_rcode_name(uint8_t rcode)
{
    /* RFC 1035, RFC 2136, RFC 6891, RFC 2845, RFC 2930, RFC 7873, RFC 8490 */
    static const char *const names[] = {
        [0] = "NOERROR",  [1] = "FORMERR",  [2] = "SERVFAIL",  [3] = "NXDOMAIN",
        [4] = "NOTIMP",   [5] = "REFUSED",  [6] = "YXDOMAIN",  [7] = "YXRRSET",
        [8] = "NXRRSET",  [9] = "NOTAUTH",  [10] = "NOTZONE",  [11] = "DSOTYPENI",
        [16] = "BADVERS", [17] = "BADKEY",  [18] = "BADTIME",  [19] = "BADMODE",
        [20] = "BADNAME", [21] = "BADALG",  [22] = "BADTRUNC", [23] = "BADCOOKIE",
    };
    if (rcode >= sizeof names / sizeof names[0] || names[rcode] == NULL)
        return "?";
    return names[rcode];
}

const char *dns_type_name(uint16_t type)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        { DNS_TYPE_A, "A" },         { DNS_TYPE_NS, "NS" },       { DNS_TYPE_CNAME, "CNAME" },
        { DNS_TYPE_SOA, "SOA" },     { DNS_TYPE_PTR, "PTR" },     { 13, "HINFO" },
        { DNS_TYPE_MX, "MX" },       { DNS_TYPE_TXT, "TXT" },     { DNS_TYPE_AAAA, "AAAA" },
        { DNS_TYPE_SRV, "SRV" },     { 35, "NAPTR" },             { 39, "DNAME" },
        { 41, "OPT" },               { 43, "DS" },                { 46, "RRSIG" },
        { 47, "NSEC" },              { 48, "DNSKEY" },            { 50, "NSEC3" },
        { 64, "SVCB" },              { DNS_TYPE_HTTPS, "HTTPS" }, { 255, "ANY" },
        { 257, "CAA" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].type == type)
            return names[i].name;
    }
    return "?";
}
