/* Streaming pcapng reader for the files libpcap refuses; see pcapng_reader.h.
 *
 * Every field comes out of the block buffer through a struct cursor, so a
 * length in the file can never make us read outside the block. Anything the
 * format does not allow ends the file as a damaged tail with the offset of the
 * block at fault: an analyst can then look at the file with a hex editor. */
#include "pcapng_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "cursor.h"

#define BLOCK_SECTION_HEADER     0x0A0D0D0Au
#define BLOCK_INTERFACE          0x00000001u
#define BLOCK_PACKET_OBSOLETE    0x00000002u
#define BLOCK_SIMPLE_PACKET      0x00000003u
#define BLOCK_ENHANCED_PACKET    0x00000006u
#define BLOCK_DECRYPTION_SECRETS 0x0000000Au

#define BYTE_ORDER_MAGIC         0x1A2B3C4Du
#define BLOCK_HEADER_LEN         8u   /* type + total length */
#define BLOCK_TRAILER_LEN        4u   /* total length again */
#define MIN_BLOCK_LEN            (BLOCK_HEADER_LEN + BLOCK_TRAILER_LEN)
#define MIN_SECTION_HEADER_LEN   28u

#define OPT_END_OF_OPTIONS       0
#define OPT_IF_TSRESOL           9
#define OPT_IF_TSOFFSET          14

#define NS_PER_SECOND            1000000000u
#define DEFAULT_TSRESOL_EXPONENT 6    /* microseconds when if_tsresol is absent */
#define MAX_DECIMAL_EXPONENT     19   /* 10^19 is the last power of ten in 64 bits */
#define MAX_BINARY_EXPONENT      63

struct interface_info {
    int linktype;              /* already mapped to the DLT_ value libpcap would give */
    uint32_t snaplen;          /* 0: no limit */
    bool resolution_is_binary; /* units per second are 2^exponent, else 10^exponent */
    uint8_t resolution_exponent;
    int64_t offset_seconds;    /* if_tsoffset */
};

struct pcapng_reader {
    FILE *file;
    uint64_t file_size;        /* 0 when the size is unknown (not a regular file) */
    uint64_t block_offset;     /* where the block in the buffer starts */
    uint64_t next_offset;      /* where the next block starts */
    bool big_endian;           /* byte order of the current section */
    bool awaiting_first_section;  /* the file must open with a section header */
    bool finished;

    uint8_t *block;
    size_t block_capacity;
    uint32_t block_type;
    uint32_t block_len;

    struct interface_info *interfaces;
    size_t interface_count;
    size_t interface_capacity;
    uint32_t smallest_snaplen;     /* of every interface read, 0: none declares a limit */

    pcapng_secrets_fn on_secrets;   /* NULL: secrets blocks are skipped */
    void *secrets_ctx;
    bool secrets_only;              /* blocks other than SHB, IDB, DSB seeked over */
    bool block_skipped;             /* the current block was seeked over, not read */
    bool packets_seen;              /* a packet block came before the current block */
};

/* Blocks a secrets-only walk reads through rather than seeks over. */
#define SECRETS_WALK_SEEK_OVER 16384u

enum block_read {
    BLOCK_READ,
    BLOCK_CLEAN_EOF,
    BLOCK_DAMAGED,
};

/* ---- byte order of the current section, on top of the cursor ---- */

static uint16_t read_u16(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_be16(c) : cursor_le16(c);
}

static uint32_t read_u32(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_be32(c) : cursor_le32(c);
}

static uint64_t read_u64(struct cursor *c, bool big_endian)
{
    uint32_t first = read_u32(c, big_endian);
    uint32_t second = read_u32(c, big_endian);
    return big_endian ? (uint64_t)first << 32 | second : (uint64_t)second << 32 | first;
}

/* ---- messages ---- */

__attribute__((format(printf, 4, 5)))
static void block_error(const struct pcapng_reader *r, char *err, size_t errlen,
                        const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "block at offset %" PRIu64 ": %s", r->block_offset, reason);
}

/* ---- reading one block into the buffer ---- */

static bool ensure_block_capacity(struct pcapng_reader *r, size_t needed)
{
    if (needed <= r->block_capacity)
        return true;
    if (needed > PCAPNG_MAX_BLOCK)
        return false;
    size_t capacity = r->block_capacity ? r->block_capacity : 4096;
    while (capacity < needed)
        capacity *= 2;
    if (capacity > PCAPNG_MAX_BLOCK)
        capacity = PCAPNG_MAX_BLOCK;
    uint8_t *grown = realloc(r->block, capacity);
    if (!grown)
        return false;
    r->block = grown;
    r->block_capacity = capacity;
    return true;
}

/* Reads exactly n bytes into the buffer at pos; returns how many arrived. */
static size_t read_into_block(struct pcapng_reader *r, size_t pos, size_t n)
{
    return fread(r->block + pos, 1, n, r->file);
}

/* A section header is the one block whose length we cannot interpret before
 * reading its byte-order magic, so it sets the byte order here. */
static enum block_read read_byte_order_magic(struct pcapng_reader *r, char *err, size_t errlen)
{
    size_t got = read_into_block(r, BLOCK_HEADER_LEN, 4);
    if (got < 4) {
        block_error(r, err, errlen, "section header cut off by end of file");
        return BLOCK_DAMAGED;
    }
    struct cursor magic_be = cursor_make(r->block + BLOCK_HEADER_LEN, 4);
    struct cursor magic_le = magic_be;
    uint32_t as_big_endian = cursor_be32(&magic_be);
    if (as_big_endian == BYTE_ORDER_MAGIC) {
        r->big_endian = true;
    } else if (cursor_le32(&magic_le) == BYTE_ORDER_MAGIC) {
        r->big_endian = false;
    } else {
        block_error(r, err, errlen, "section header with bad byte-order magic 0x%08" PRIx32,
                    as_big_endian);
        return BLOCK_DAMAGED;
    }
    return BLOCK_READ;
}

static bool block_length_acceptable(const struct pcapng_reader *r, uint32_t total_len,
                                    char *err, size_t errlen)
{
    uint32_t minimum = r->block_type == BLOCK_SECTION_HEADER ? MIN_SECTION_HEADER_LEN
                                                              : MIN_BLOCK_LEN;
    if (total_len < minimum) {
        block_error(r, err, errlen, "total length %" PRIu32 " below the minimum of %" PRIu32,
                    total_len, minimum);
        return false;
    }
    if (total_len % 4 != 0) {
        block_error(r, err, errlen, "total length %" PRIu32 " is not a multiple of 4", total_len);
        return false;
    }
    if (r->file_size && r->block_offset + total_len > r->file_size) {
        block_error(r, err, errlen,
                    "total length %" PRIu32 " past end of file (%" PRIu64 " bytes left)",
                    total_len, r->file_size - r->block_offset);
        return false;
    }
    if (total_len > PCAPNG_MAX_BLOCK) {
        block_error(r, err, errlen, "total length %" PRIu32 " over the %u-byte limit",
                    total_len, PCAPNG_MAX_BLOCK);
        return false;
    }
    return true;
}

static enum block_read read_block(struct pcapng_reader *r, char *err, size_t errlen)
{
    r->block_offset = r->next_offset;
    if (!ensure_block_capacity(r, MIN_SECTION_HEADER_LEN)) {
        block_error(r, err, errlen, "out of memory");
        return BLOCK_DAMAGED;
    }
    size_t got = read_into_block(r, 0, BLOCK_HEADER_LEN);
    if (got == 0 && !ferror(r->file))
        return BLOCK_CLEAN_EOF;
    if (got < BLOCK_HEADER_LEN) {
        if (ferror(r->file))
            block_error(r, err, errlen, "read error: %s", strerror(errno));
        else
            block_error(r, err, errlen, "only %zu of %u block header bytes before end of file",
                        got, BLOCK_HEADER_LEN);
        return BLOCK_DAMAGED;
    }

    struct cursor header = cursor_make(r->block, BLOCK_HEADER_LEN);
    r->block_type = read_u32(&header, r->big_endian);
    if (r->awaiting_first_section && r->block_type != BLOCK_SECTION_HEADER) {
        /* No byte order yet: show the bytes as they are in the file. */
        struct cursor first_bytes = cursor_make(r->block, 4);
        snprintf(err, errlen, "not a pcapng file (first bytes 0x%08" PRIx32 ")",
                 cursor_be32(&first_bytes));
        return BLOCK_DAMAGED;
    }
    size_t already_read = BLOCK_HEADER_LEN;
    if (r->block_type == BLOCK_SECTION_HEADER) {
        if (read_byte_order_magic(r, err, errlen) != BLOCK_READ)
            return BLOCK_DAMAGED;
        already_read += 4;
    }
    uint32_t total_len = read_u32(&header, r->big_endian);
    if (!block_length_acceptable(r, total_len, err, errlen))
        return BLOCK_DAMAGED;
    r->block_skipped = r->secrets_only && r->block_type != BLOCK_SECTION_HEADER &&
                       r->block_type != BLOCK_INTERFACE && r->block_type != BLOCK_DECRYPTION_SECRETS;
    if (r->block_skipped) {
        /* Only its length was needed. A short block is stepped over in
         * the stream's buffer (a seek per small packet costs a system call
         * each, more than reading through); a long one by a seek. */
        uint32_t left = total_len - (uint32_t)already_read;
        if (left > SECRETS_WALK_SEEK_OVER) {
            if (fseeko(r->file, (off_t)left, SEEK_CUR) != 0) {
                block_error(r, err, errlen, "cannot seek: %s", strerror(errno));
                return BLOCK_DAMAGED;
            }
        } else {
            uint8_t scratch[SECRETS_WALK_SEEK_OVER];
            if (fread(scratch, 1, left, r->file) != left) {
                block_error(r, err, errlen, "total length %" PRIu32 " past end of file", total_len);
                return BLOCK_DAMAGED;
            }
        }
        r->block_len = total_len;
        r->next_offset += total_len;
        return BLOCK_READ;
    }
    if (!ensure_block_capacity(r, total_len)) {
        block_error(r, err, errlen, "out of memory for %" PRIu32 " bytes", total_len);
        return BLOCK_DAMAGED;
    }
    if (read_into_block(r, already_read, total_len - already_read) < total_len - already_read) {
        block_error(r, err, errlen, "total length %" PRIu32 " past end of file", total_len);
        return BLOCK_DAMAGED;
    }

    struct cursor trailer = cursor_make(r->block + total_len - BLOCK_TRAILER_LEN,
                                        BLOCK_TRAILER_LEN);
    uint32_t trailing_len = read_u32(&trailer, r->big_endian);
    if (trailing_len != total_len) {
        block_error(r, err, errlen,
                    "trailing length %" PRIu32 " differs from leading length %" PRIu32,
                    trailing_len, total_len);
        return BLOCK_DAMAGED;
    }
    r->block_len = total_len;
    r->next_offset += total_len;
    return BLOCK_READ;
}

/* The block's contents between the leading length and the trailing one. */
static struct cursor block_body(const struct pcapng_reader *r)
{
    return cursor_make(r->block + BLOCK_HEADER_LEN, r->block_len - MIN_BLOCK_LEN);
}

/* ---- options ---- */

struct option {
    uint16_t code;
    struct cursor value;
};

/* Steps to the next option. False at the end of the list, or when the list is
 * malformed, which leaves *options not ok. */
static bool next_option(struct cursor *options, bool big_endian, struct option *opt)
{
    if (!cursor_ok(options) || cursor_at_end(options))
        return false;
    opt->code = read_u16(options, big_endian);
    uint16_t value_len = read_u16(options, big_endian);
    if (opt->code == OPT_END_OF_OPTIONS)
        return false;
    opt->value = cursor_sub(options, value_len);
    cursor_skip(options, (4u - value_len % 4u) % 4u);
    return cursor_ok(options);
}

static bool options_well_formed(const struct pcapng_reader *r, struct cursor options,
                                char *err, size_t errlen)
{
    struct option opt;
    while (next_option(&options, r->big_endian, &opt))
        ;
    if (!cursor_ok(&options)) {
        block_error(r, err, errlen, "an option runs past the end of the block");
        return false;
    }
    return true;
}

/* ---- section and interface blocks ---- */

static bool process_section_header(struct pcapng_reader *r, char *err, size_t errlen)
{
    struct cursor body = block_body(r);
    cursor_skip(&body, 4);                    /* byte-order magic, already used */
    uint16_t major = read_u16(&body, r->big_endian);
    uint16_t minor = read_u16(&body, r->big_endian);
    cursor_skip(&body, 8);                    /* section length, often -1 */
    if (major != 1) {
        block_error(r, err, errlen, "pcapng version %u.%u not supported", major, minor);
        return false;
    }
    /* Interface ids are numbered per section. */
    r->interface_count = 0;
    return options_well_formed(r, body, err, errlen);
}

/* libpcap hands out DLT_ values; these are the few LINKTYPE_ values that
 * differ, so both readers give the rest of the program the same numbers. */
static int linktype_to_dlt(uint16_t linktype)
{
    switch (linktype) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    case 106: return DLT_ATM_CLIP;
    default:  return linktype;
    }
}

static bool apply_interface_option(const struct pcapng_reader *r, const struct option *opt,
                                   struct interface_info *ifc, char *err, size_t errlen)
{
    struct cursor value = opt->value;
    if (opt->code == OPT_IF_TSRESOL) {
        uint8_t resolution = cursor_u8(&value);
        ifc->resolution_is_binary = resolution & 0x80;
        ifc->resolution_exponent = resolution & 0x7f;
        unsigned limit = ifc->resolution_is_binary ? MAX_BINARY_EXPONENT : MAX_DECIMAL_EXPONENT;
        if (!cursor_ok(&value) || ifc->resolution_exponent > limit) {
            block_error(r, err, errlen, "if_tsresol 0x%02x not supported", resolution);
            return false;
        }
    } else if (opt->code == OPT_IF_TSOFFSET) {
        uint64_t offset = read_u64(&value, r->big_endian);
        if (!cursor_ok(&value)) {
            block_error(r, err, errlen, "if_tsoffset shorter than 8 bytes");
            return false;
        }
        /* Two's complement reinterpretation without implementation-defined casts. */
        ifc->offset_seconds = offset <= INT64_MAX ? (int64_t)offset
                                                   : -(int64_t)(~offset) - 1;
    }
    return true;
}

static struct interface_info *add_interface(struct pcapng_reader *r, char *err, size_t errlen)
{
    if (r->interface_count >= PCAPNG_MAX_INTERFACES) {
        block_error(r, err, errlen, "more than %d interfaces in one section",
                    PCAPNG_MAX_INTERFACES);
        return NULL;
    }
    if (r->interface_count == r->interface_capacity) {
        size_t capacity = r->interface_capacity ? r->interface_capacity * 2 : 8;
        struct interface_info *grown = realloc(r->interfaces, capacity * sizeof *grown);
        if (!grown) {
            block_error(r, err, errlen, "out of memory for interfaces");
            return NULL;
        }
        r->interfaces = grown;
        r->interface_capacity = capacity;
    }
    return &r->interfaces[r->interface_count];
}

static bool process_interface(struct pcapng_reader *r, char *err, size_t errlen)
{
    struct cursor body = block_body(r);
    struct interface_info ifc = {
        .resolution_exponent = DEFAULT_TSRESOL_EXPONENT,
    };
    ifc.linktype = linktype_to_dlt(read_u16(&body, r->big_endian));
    cursor_skip(&body, 2);                    /* reserved */
    ifc.snaplen = read_u32(&body, r->big_endian);
    if (!cursor_ok(&body)) {
        block_error(r, err, errlen, "interface description shorter than 8 bytes");
        return false;
    }
    struct option opt;
    while (next_option(&body, r->big_endian, &opt)) {
        if (!apply_interface_option(r, &opt, &ifc, err, errlen))
            return false;
    }
    if (!cursor_ok(&body)) {
        block_error(r, err, errlen, "an option runs past the end of the block");
        return false;
    }
    struct interface_info *slot = add_interface(r, err, errlen);
    if (!slot)
        return false;
    *slot = ifc;
    r->interface_count++;
    if (ifc.snaplen && (!r->smallest_snaplen || ifc.snaplen < r->smallest_snaplen))
        r->smallest_snaplen = ifc.snaplen;
    return true;
}

/* ---- packet blocks ---- */

static int64_t add_saturating(int64_t a, int64_t b)
{
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

static uint64_t power_of_ten(unsigned exponent)
{
    uint64_t value = 1;
    while (exponent--)
        value *= 10;
    return value;
}

/* Splits a timestamp in interface units into whole seconds and nanoseconds. */
static void split_timestamp(const struct interface_info *ifc, uint64_t units,
                            uint64_t *seconds, uint64_t *fraction_ns)
{
    unsigned exponent = ifc->resolution_exponent;
    if (ifc->resolution_is_binary) {
        *seconds = units >> exponent;
        uint64_t fraction = units & ((UINT64_C(1) << exponent) - 1);
        /* Dropping the bits below 2^-30 s loses under a nanosecond and keeps
         * fraction * 10^9 inside 64 bits. */
        if (exponent > 30) {
            fraction >>= exponent - 30;
            exponent = 30;
        }
        *fraction_ns = (fraction * NS_PER_SECOND) >> exponent;
        return;
    }
    uint64_t per_second = power_of_ten(exponent);
    *seconds = units / per_second;
    uint64_t fraction = units % per_second;
    *fraction_ns = per_second >= NS_PER_SECOND ? fraction / (per_second / NS_PER_SECOND)
                                               : fraction * (NS_PER_SECOND / per_second);
}

static int64_t timestamp_to_ns(const struct interface_info *ifc, uint64_t units)
{
    uint64_t seconds, fraction_ns;
    split_timestamp(ifc, units, &seconds, &fraction_ns);
    int64_t whole = seconds > INT64_MAX ? INT64_MAX : (int64_t)seconds;
    whole = add_saturating(whole, ifc->offset_seconds);
    int64_t ns;
    if (__builtin_mul_overflow(whole, (int64_t)NS_PER_SECOND, &ns))
        return whole > 0 ? INT64_MAX : INT64_MIN;
    return add_saturating(ns, (int64_t)fraction_ns);
}

static const struct interface_info *packet_interface(const struct pcapng_reader *r,
                                                     uint32_t interface_id,
                                                     char *err, size_t errlen)
{
    if (interface_id >= r->interface_count) {
        block_error(r, err, errlen,
                    "packet on interface %" PRIu32 " but the section defines %zu interfaces",
                    interface_id, r->interface_count);
        return NULL;
    }
    return &r->interfaces[interface_id];
}

/* The part shared by enhanced and obsolete packet blocks: everything after
 * the interface id (and, for the obsolete block, the drop count). */
static bool finish_timestamped_packet(const struct pcapng_reader *r, struct cursor *body,
                                      uint32_t interface_id, struct capture_packet *pkt,
                                      char *err, size_t errlen)
{
    uint32_t ts_high = read_u32(body, r->big_endian);
    uint32_t ts_low = read_u32(body, r->big_endian);
    uint32_t caplen = read_u32(body, r->big_endian);
    uint32_t origlen = read_u32(body, r->big_endian);
    if (!cursor_ok(body)) {
        block_error(r, err, errlen, "packet block shorter than its fixed fields");
        return false;
    }
    const struct interface_info *ifc = packet_interface(r, interface_id, err, errlen);
    if (!ifc)
        return false;
    if (caplen > cursor_remaining(body)) {
        block_error(r, err, errlen,
                    "captured length %" PRIu32 " does not fit in the block (%zu bytes left)",
                    caplen, cursor_remaining(body));
        return false;
    }
    pkt->data = cursor_bytes(body, caplen);
    pkt->caplen = caplen;
    pkt->wirelen = origlen;
    pkt->linktype = ifc->linktype;
    pkt->ts_ns = timestamp_to_ns(ifc, (uint64_t)ts_high << 32 | ts_low);
    cursor_skip(body, (4u - caplen % 4u) % 4u);
    if (!cursor_ok(body)) {
        block_error(r, err, errlen, "packet data padding runs past the end of the block");
        return false;
    }
    return options_well_formed(r, *body, err, errlen);
}

static bool process_enhanced_packet(const struct pcapng_reader *r, struct capture_packet *pkt,
                                    char *err, size_t errlen)
{
    struct cursor body = block_body(r);
    uint32_t interface_id = read_u32(&body, r->big_endian);
    return finish_timestamped_packet(r, &body, interface_id, pkt, err, errlen);
}

static bool process_obsolete_packet(const struct pcapng_reader *r, struct capture_packet *pkt,
                                    char *err, size_t errlen)
{
    struct cursor body = block_body(r);
    uint16_t interface_id = read_u16(&body, r->big_endian);
    cursor_skip(&body, 2);                    /* drops count */
    return finish_timestamped_packet(r, &body, interface_id, pkt, err, errlen);
}

/* A simple packet block belongs to interface 0 and carries no timestamp; its
 * captured length is implied by the original length, the snapshot length and
 * the (padded) body. */
static bool process_simple_packet(const struct pcapng_reader *r, struct capture_packet *pkt,
                                  char *err, size_t errlen)
{
    struct cursor body = block_body(r);
    uint32_t origlen = read_u32(&body, r->big_endian);
    if (!cursor_ok(&body)) {
        block_error(r, err, errlen, "simple packet block without a length");
        return false;
    }
    const struct interface_info *ifc = packet_interface(r, 0, err, errlen);
    if (!ifc)
        return false;
    size_t caplen = cursor_remaining(&body);
    if (origlen < caplen)
        caplen = origlen;
    if (ifc->snaplen && ifc->snaplen < caplen)
        caplen = ifc->snaplen;
    pkt->data = cursor_bytes(&body, caplen);
    pkt->caplen = (uint32_t)caplen;
    pkt->wirelen = origlen;
    pkt->linktype = ifc->linktype;
    pkt->ts_ns = 0;
    return true;
}

/* ---- decryption secrets blocks ---- */

/* Secrets type, secrets length, the secrets, padding, options. */
static void process_secrets(const struct pcapng_reader *r)
{
    struct cursor body = block_body(r);
    struct pcapng_secrets secrets = { .block_offset = r->block_offset,
                                      .after_packets = r->packets_seen };
    secrets.secrets_type = read_u32(&body, r->big_endian);
    secrets.claimed_len = read_u32(&body, r->big_endian);
    secrets.data = cursor_bytes(&body, secrets.claimed_len);
    if (secrets.data)
        secrets.len = secrets.claimed_len;
    else
        secrets.malformed = true;
    r->on_secrets(r->secrets_ctx, &secrets);
}

void pcapng_reader_on_secrets(struct pcapng_reader *r, pcapng_secrets_fn fn, void *ctx)
{
    r->on_secrets = fn;
    r->secrets_ctx = ctx;
}

void pcapng_reader_secrets_only(struct pcapng_reader *r)
{
    r->secrets_only = true;
}

/* ---- public interface ---- */

static bool is_packet_block(uint32_t type)
{
    return type == BLOCK_ENHANCED_PACKET || type == BLOCK_SIMPLE_PACKET
           || type == BLOCK_PACKET_OBSOLETE;
}

/* A regular file's size; a stream over memory (fmemopen(), no descriptor)
 * has one too, found by seeking to its end. 0 for anything else. */
static uint64_t stream_size(FILE *f)
{
    int fd = fileno(f);
    if (fd < 0) {
        long here = ftell(f);
        if (here < 0 || fseek(f, 0, SEEK_END) != 0)
            return 0;
        long end = ftell(f);
        if (fseek(f, here, SEEK_SET) != 0 || end < 0)
            return 0;
        return (uint64_t)end;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return (uint64_t)st.st_size;
}

struct pcapng_reader *pcapng_reader_open(FILE *f, char *err, size_t errlen)
{
    return pcapng_reader_open_sized(f, stream_size(f), err, errlen);
}

struct pcapng_reader *pcapng_reader_open_sized(FILE *f, uint64_t size, char *err, size_t errlen)
{
    struct pcapng_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        fclose(f);
        return NULL;
    }
    r->file = f;
    r->file_size = size;
    if (r->file_size)
        r->next_offset = (uint64_t)ftell(f);

    r->awaiting_first_section = true;
    enum block_read first = read_block(r, err, errlen);
    r->awaiting_first_section = false;
    if (first == BLOCK_CLEAN_EOF)
        snprintf(err, errlen, "empty file");
    if (first != BLOCK_READ || !process_section_header(r, err, errlen)) {
        pcapng_reader_close(r);
        return NULL;
    }
    return r;
}

/* Handles one block. True when it produced a packet or was consumed quietly;
 * *is_packet tells which. False when the block is damaged. */
static bool process_block(struct pcapng_reader *r, struct capture_packet *pkt,
                          bool *is_packet, char *err, size_t errlen)
{
    *is_packet = false;
    if (r->block_skipped)
        return true;
    switch (r->block_type) {
    case BLOCK_SECTION_HEADER:
        return process_section_header(r, err, errlen);
    case BLOCK_INTERFACE:
        return process_interface(r, err, errlen);
    case BLOCK_ENHANCED_PACKET:
        *is_packet = true;
        return process_enhanced_packet(r, pkt, err, errlen);
    case BLOCK_SIMPLE_PACKET:
        *is_packet = true;
        return process_simple_packet(r, pkt, err, errlen);
    case BLOCK_PACKET_OBSOLETE:
        *is_packet = true;
        return process_obsolete_packet(r, pkt, err, errlen);
    case BLOCK_DECRYPTION_SECRETS:
        if (r->on_secrets)
            process_secrets(r);
        return true;
    default:
        /* Name resolution, statistics, secrets, custom blocks: not ours. */
        return true;
    }
}

enum capture_result pcapng_reader_next(struct pcapng_reader *r, struct capture_packet *pkt,
                                       char *err, size_t errlen)
{
    while (!r->finished) {
        enum block_read status = read_block(r, err, errlen);
        if (status == BLOCK_CLEAN_EOF) {
            r->finished = true;
            return CAPTURE_EOF;
        }
        bool is_packet = false;
        /* Here, not in process_block(): a secrets-only walk steps over
         * packet blocks without processing them. */
        if (status == BLOCK_READ && is_packet_block(r->block_type))
            r->packets_seen = true;
        if (status == BLOCK_DAMAGED || !process_block(r, pkt, &is_packet, err, errlen)) {
            r->finished = true;
            return CAPTURE_DAMAGED_TAIL;
        }
        if (is_packet)
            return CAPTURE_PACKET;
    }
    return CAPTURE_EOF;
}

uint32_t pcapng_reader_snaplen(const struct pcapng_reader *r)
{
    return r->smallest_snaplen;
}

void pcapng_reader_close(struct pcapng_reader *r)
{
    if (!r)
        return;
    if (r->file)
        fclose(r->file);
    free(r->block);
    free(r->interfaces);
    free(r);
}
