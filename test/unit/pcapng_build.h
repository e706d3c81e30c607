/* pcapng files built block by block for the unit tests, in either byte
 * order (big_endian, set before a block is written): a section header, an
 * Ethernet interface, enhanced packet blocks of 20 marker bytes, and
 * Decryption Secrets Blocks, with a lying secrets length on demand. One
 * file per test binary, in `file`. */
#ifndef TEST_PCAPNG_BUILD_H
#define TEST_PCAPNG_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bytebuf.h"

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define R2 "0202020202020202020202020202020202020202020202020202020202020202"
#define S32 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define S48 S32 "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define KEYLOG_A "# from editcap\nCLIENT_RANDOM " R1 " " S48 "\n"
#define KEYLOG_B "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\r\n" \
                 "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32
#define WIREGUARD_SECRETS 0x57474b4cu   /* "WGKL" */

/* ---- pcapng builder, either byte order ---- */

static struct bytebuf file;
static bool big_endian;

static inline void put16(uint16_t v)
{
    if (big_endian) {
        bb_be16(&file, v);
    } else {
        bb_u8(&file, (uint8_t)v);
        bb_u8(&file, (uint8_t)(v >> 8));
    }
}

static inline void put32(uint32_t v)
{
    if (big_endian)
        bb_be32(&file, v);
    else
        bb_le32(&file, v);
}

static inline void patch32(size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        file.data[at + (size_t)i] = (uint8_t)(big_endian ? v >> (24 - 8 * i) : v >> (8 * i));
}

static inline size_t block_start(uint32_t type)
{
    size_t start = file.len;
    put32(type);
    put32(0);
    return start;
}

static inline void block_end(size_t start)
{
    while (file.len % 4)
        bb_u8(&file, 0);
    uint32_t total = (uint32_t)(file.len - start + 4);
    put32(total);
    patch32(start + 4, total);
}

static inline void shb(void)
{
    size_t start = block_start(0x0A0D0D0Au);
    put32(0x1A2B3C4Du);
    put16(1);
    put16(0);
    put32(0xFFFFFFFFu);
    put32(0xFFFFFFFFu);
    block_end(start);
}

static inline void idb_of(uint16_t linktype)
{
    size_t start = block_start(1);
    put16(linktype);
    put16(0);
    put32(65535);
    block_end(start);
}

static inline void idb(void) { idb_of(1); }   /* Ethernet */

static inline void epb(uint8_t marker)
{
    size_t start = block_start(6);
    put32(0);             /* interface */
    put32(0);
    put32(1000);
    put32(20);
    put32(20);
    bb_fill(&file, marker, 20);
    block_end(start);
}

/* A Decryption Secrets Block; claimed_len = UINT32_MAX means "the real one". */
static inline void dsb_claiming(uint32_t type, const char *secrets, uint32_t claimed_len)
{
    size_t start = block_start(0x0000000Au);
    put32(type);
    size_t len = strlen(secrets);
    put32(claimed_len == UINT32_MAX ? (uint32_t)len : claimed_len);
    bb_bytes(&file, secrets, len);
    block_end(start);
}

static inline void dsb(uint32_t type, const char *secrets) { dsb_claiming(type, secrets, UINT32_MAX); }

static inline void begin(bool big)
{
    memset(&file, 0, sizeof file);
    big_endian = big;
    shb();
    idb();
}

#endif
