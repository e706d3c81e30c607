/* floor — the cost any libpcap-based analyzer cannot avoid.
 *
 *   floor [-b] CAPTURE
 *
 * A bare libpcap loop: pcap_next_ex, Ethernet (802.1Q) / IPv4 / IPv6 / TCP /
 * UDP header parse, and a 5-tuple hash into an open-addressing flow table
 * (packets and bytes per flow). Prints packets, bytes and flows. No
 * reassembly, no payload, no output per packet: the benchmark's yardstick.
 *
 * libpcap opens the file itself (pcap_open_offline: stdio's default 4 KiB
 * buffer). With -b it reads through the 1 MiB stdio buffer tlsdiag uses
 * (analyzer/input/capture.c), for the floor of that reading method.
 *
 * Build (bench/run.sh does): cc -std=c11 -D_GNU_SOURCE -O2 -o floor floor.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flow_key {                 /* 40 bytes, hashed and compared as 5 words */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t proto;
    uint8_t pad[3];
};

struct flow {
    struct flow_key key;
    uint64_t packets, bytes;
    uint8_t used;
};

_Static_assert(sizeof(struct flow_key) == 40, "key is 5 words");

static struct flow *table;
static size_t table_mask, flows;

static uint64_t hash_key(const struct flow_key *k)
{
    /* Word-wise multiply-xorshift over the key. */
    uint64_t w[5], h = 0x9E3779B97F4A7C15ull;
    memcpy(w, k, sizeof w);
    for (int i = 0; i < 5; i++) {
        h = (h ^ w[i]) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return h;
}

static struct flow *lookup(const struct flow_key *k);

static void grow(void)
{
    struct flow *old = table;
    size_t old_size = table_mask + 1;
    table_mask = old_size * 2 - 1;
    table = calloc(table_mask + 1, sizeof *table);
    if (!table) {
        perror("calloc");
        exit(1);
    }
    flows = 0;
    for (size_t i = 0; i < old_size; i++) {
        if (old[i].used) {
            struct flow *f = lookup(&old[i].key);
            f->packets = old[i].packets;
            f->bytes = old[i].bytes;
        }
    }
    free(old);
}

static struct flow *lookup(const struct flow_key *k)
{
    if ((flows + 1) * 2 > table_mask + 1)
        grow();
    size_t i = (size_t)hash_key(k) & table_mask;
    for (;;) {
        struct flow *f = &table[i];
        if (!f->used) {
            f->key = *k;
            f->used = 1;
            flows++;
            return f;
        }
        if (memcmp(&f->key, k, sizeof *k) == 0)
            return f;
        i = (i + 1) & table_mask;
    }
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

int main(int argc, char **argv)
{
    bool big_buffer = argc == 3 && strcmp(argv[1], "-b") == 0;
    if (argc != 2 && !big_buffer) {
        fprintf(stderr, "usage: floor [-b] CAPTURE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p;
    char *iobuf = NULL;
    if (big_buffer) {
        FILE *f = fopen(path, "rb");
        if (!f) {
            perror(path);
            return 2;
        }
        /* 64 bytes past the page boundary, as in analyzer/input/capture.c */
        iobuf = malloc((1u << 20) + 64);
        if (iobuf)
            setvbuf(f, iobuf + 64, _IOFBF, 1u << 20);
        p = pcap_fopen_offline(f, errbuf);
        if (!p)
            fclose(f);
    } else {
        p = pcap_open_offline(path, errbuf);
    }
    if (!p) {
        fprintf(stderr, "floor: %s\n", errbuf);
        free(iobuf);
        return 2;
    }
    int link = pcap_datalink(p);
    table_mask = (1u << 16) - 1;
    table = calloc(table_mask + 1, sizeof *table);
    uint64_t packets = 0, bytes = 0, ip_packets = 0;
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        packets++;
        bytes += h->len;
        const uint8_t *q = d;
        uint32_t len = h->caplen;
        uint16_t type;
        if (link == DLT_EN10MB) {
            if (len < 14)
                continue;
            type = be16(q + 12);
            q += 14;
            len -= 14;
            while ((type == 0x8100 || type == 0x88A8) && len >= 4) {
                type = be16(q + 2);
                q += 4;
                len -= 4;
            }
        } else if (link == DLT_RAW) {
            type = len && (q[0] >> 4) == 6 ? 0x86DD : 0x0800;
        } else {
            continue;
        }
        struct flow_key k;
        memset(&k, 0, sizeof k);
        const uint8_t *l4;
        uint32_t l4len;
        if (type == 0x0800 && len >= 20) {
            uint32_t ihl = (uint32_t)(q[0] & 0x0F) * 4;
            if (ihl < 20 || ihl > len)
                continue;
            k.proto = q[9];
            memcpy(k.src, q + 12, 4);
            memcpy(k.dst, q + 16, 4);
            l4 = q + ihl;
            l4len = len - ihl;
        } else if (type == 0x86DD && len >= 40) {
            k.proto = q[6];
            memcpy(k.src, q + 8, 16);
            memcpy(k.dst, q + 24, 16);
            l4 = q + 40;
            l4len = len - 40;
        } else {
            continue;
        }
        if ((k.proto == 6 && l4len >= 20) || (k.proto == 17 && l4len >= 8)) {
            k.sport = be16(l4);
            k.dport = be16(l4 + 2);
        }
        /* One entry per connection: order the two ends. */
        if (memcmp(k.src, k.dst, 16) > 0 || (memcmp(k.src, k.dst, 16) == 0 && k.sport > k.dport)) {
            uint8_t t[16];
            memcpy(t, k.src, 16);
            memcpy(k.src, k.dst, 16);
            memcpy(k.dst, t, 16);
            uint16_t tp = k.sport;
            k.sport = k.dport;
            k.dport = tp;
        }
        struct flow *f = lookup(&k);
        f->packets++;
        f->bytes += h->len;
        ip_packets++;
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "floor: %s\n", pcap_geterr(p));
    printf("packets %llu bytes %llu ip_packets %llu flows %zu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)ip_packets, flows);
    pcap_close(p);
    free(iobuf);
    free(table);
    return 0;
}
