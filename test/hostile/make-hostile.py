#!/usr/bin/env python3
"""Hostile captures for tlsdiag's limits, written byte by byte (python3
standard library only, deterministic: the same bytes on every run).

usage: make-hostile.py OUTDIR [--flows N]
    writes OUTDIR/NAME.pcap / NAME.pcapng for every case in CASES, and
    OUTDIR/cases.json describing what each one must provoke (read by run.py).
    --flows: SYN-only flows in many-flows.pcap (default 1000000).

small_cases() gives scaled-down versions of the same captures (a few KB
each) for the fuzzers' seed corpora (fuzz/make_seeds.py)."""
import json
import os
import struct
import sys

SNAPLEN = 262144
LINKTYPE_ETHERNET = 1
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
CLIENT, SERVER = bytes([192, 0, 2, 10]), bytes([203, 0, 113, 10])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000010")
SERVER6 = bytes.fromhex("20010db8000000000000000000000443")
BASE_TS = 1_795_000_000


# ---- file formats ----

def pcap_header(snaplen=SNAPLEN, linktype=LINKTYPE_ETHERNET):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(frame, ts_us, snaplen=SNAPLEN):
    cut = frame[:snaplen]
    return struct.pack("<IIII", BASE_TS + ts_us // 1_000_000, ts_us % 1_000_000, len(cut), len(frame)) + cut


def pcap(frames, snaplen=SNAPLEN):
    return pcap_header(snaplen) + b"".join(pcap_record(f, i * 1000, snaplen) for i, f in enumerate(frames))


def pcapng_block(block_type, body, claimed_total=None):
    body += bytes(-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", block_type, total if claimed_total is None else claimed_total) + body + struct.pack("<I", total)


def pcapng_shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype=LINKTYPE_ETHERNET, snaplen=0):
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(frame, ts_us, interface=0, claimed_total=None):
    body = struct.pack("<IIIII", interface, ts_us >> 32, ts_us & 0xFFFFFFFF, len(frame), len(frame)) + frame
    return pcapng_block(6, body, claimed_total)


# ---- packets ----

def ethernet(payload, ethertype=0x0800, vlans=0):
    tags = b"".join(struct.pack(">HH", 0x8100, i & 0x0FFF) for i in range(vlans))
    return bytes.fromhex("020000000002020000000001") + tags + struct.pack(">H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=0, frag_offset=0, more=False):
    flags = (0x2000 if more else 0) | (frag_offset // 8)
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, proto, 0, src, dst) + payload


def ipv6(src, dst, next_header, payload):
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), next_header, 64, src, dst) + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                       65535, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    return ethernet(ipv4(src, dst, 6, tcp(sport, dport, seq, ack, flags, payload)))


# ---- TLS ----

def vec(width, data):
    return len(data).to_bytes(width, "big") + data


def record(content_type, body):
    return struct.pack(">BHH", content_type, 0x0303, len(body)) + body


def records(content_type, body):
    """A body over as many records as it needs."""
    return b"".join(record(content_type, body[i:i + 16384]) for i in range(0, max(len(body), 1), 16384))


def handshake(msg_type, body, claimed=None):
    return bytes([msg_type]) + (len(body) if claimed is None else claimed).to_bytes(3, "big") + body


def extension(ext_type, data):
    return struct.pack(">H", ext_type) + vec(2, data)


def client_hello(sni, extra_extensions=b""):
    exts = extension(0, vec(2, b"\x00" + vec(2, sni.encode()))) + extension(10, vec(2, b"\x00\x1d")) + extra_extensions
    body = (b"\x03\x03" + bytes(range(32)) + vec(1, b"") + vec(2, b"\xc0\x2f\xc0\x30\x13\x01") +
            vec(1, b"\x00") + vec(2, exts))
    return handshake(1, body)


def server_hello():
    return handshake(2, b"\x03\x03" + bytes(32) + vec(1, b"") + b"\xc0\x2f\x00" + vec(2, b""))


class Conversation:
    """One TCP connection: frames with consistent sequence numbers."""

    def __init__(self, cport=50000, sport=443, c_isn=1000, s_isn=5000, src=CLIENT, dst=SERVER):
        self.cport, self.sport, self.src, self.dst = cport, sport, src, dst
        self.seq = [c_isn, s_isn]
        self.frames = []

    def handshake(self):
        c, s = self.seq
        self.frames += [self.frame(0, c, 0, TCP_SYN), self.frame(1, s, c + 1, TCP_SYN | TCP_ACK),
                        self.frame(0, c + 1, s + 1, TCP_ACK)]
        self.seq = [c + 1, s + 1]
        return self

    def frame(self, side, seq, ack, flags, payload=b""):
        if side == 0:
            return tcp_frame(self.src, self.dst, self.cport, self.sport, seq, ack, flags, payload)
        return tcp_frame(self.dst, self.src, self.sport, self.cport, seq, ack, flags, payload)

    def send(self, side, data, segment=1400):
        for i in range(0, len(data), segment):
            piece = data[i:i + segment]
            self.frames.append(self.frame(side, self.seq[side], self.seq[1 - side], TCP_ACK | TCP_PSH, piece))
            self.seq[side] += len(piece)
        return self

    def close(self):
        self.frames.append(self.frame(0, self.seq[0], self.seq[1], TCP_FIN | TCP_ACK))
        self.frames.append(self.frame(1, self.seq[1], self.seq[0] + 1, TCP_FIN | TCP_ACK))
        return self


def tls_conversation(sni, server_data, cport=50000, **kw):
    conv = Conversation(cport=cport, **kw).handshake()
    conv.send(0, record(22, client_hello(sni)))
    conv.send(1, server_data)
    return conv.close()


# ---- the cases ----

def many_flows(flows):
    """SYN-only flows, each from its own address: the connection table fills
    and the least recently active flows are evicted."""
    template = bytearray(pcap_record(tcp_frame(CLIENT, SERVER, 40000, 443, 0, 0, TCP_SYN), 0))
    out = bytearray(pcap_header())
    ip_src = 16 + 14 + 12
    for i in range(flows):
        ts_us = i
        struct.pack_into("<II", template, 0, BASE_TS + ts_us // 1_000_000, ts_us % 1_000_000)
        struct.pack_into(">BBBB", template, ip_src, 10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF)
        struct.pack_into(">HI", template, 16 + 14 + 20, 1024 + (i >> 24), i)
        out += template
    return bytes(out)


def ooo_flood(segments):
    """A handshake whose sequence numbers wrap inside the Client Hello, then
    tiny client segments out of order in blocks larger than the out-of-order
    cap, with retransmissions that carry different bytes."""
    # The first data byte is ISN + 1: 2^32 - 40 puts the wrap 40 bytes into
    # the 90-byte Client Hello and 20 bytes into the Server Hello.
    conv = Conversation(c_isn=0xFFFFFFFF - 40, s_isn=0xFFFFFFFF - 20).handshake()
    conv.send(0, record(22, client_hello("ooo-flood.example")), segment=30)
    conv.send(1, record(22, server_hello()) + record(20, b"\x01") + record(22, bytes(40)))
    conv.send(0, record(20, b"\x01") + record(22, bytes(40)))
    piece, block = 2, 3000
    stream = records(23, bytes((i * 7) & 0xFF for i in range(segments * piece)))
    base = conv.seq[0]
    order = []
    for n, start in enumerate(range(0, segments, block)):
        indices = list(range(start, min(start + block, segments)))
        # Backwards, each segment lands at the head of the held list; forwards
        # behind a hole, each one walks the whole list (the costly case).
        order += reversed(indices) if n % 2 == 0 else indices[1:] + indices[:1]
    for n, i in enumerate(order):
        data = stream[i * piece:(i + 1) * piece]
        conv.frames.append(conv.frame(0, base + i * piece, conv.seq[1], TCP_ACK, data))
        if n % 10 == 0:   # the same bytes again, but different, overlapping the next one
            conv.frames.append(conv.frame(0, base + i * piece + 1, conv.seq[1], TCP_ACK, b"\xEE" * (piece + 1)))
    conv.seq[0] = base + len(stream)
    return pcap(conv.close().frames)


# A handshake message of 64 KB or more that starts a record is taken for
# encrypted data (as tshark does), so these messages follow the Server Hello
# inside the same records, as servers that coalesce their flight send them.

def handshake_claims_16mb():
    """A Certificate message whose length field says 16 MB, followed by 200 KB
    of records; then the server's alert must still be read."""
    flight = server_hello() + handshake(11, bytes(200_000), claimed=0xFFFFFF)[:200_004]
    conv = tls_conversation("claims-16mb.example", records(22, flight) + record(21, b"\x02\x28"))
    return pcap(conv.frames)


def big_certificate(size):
    """A Certificate message of `size` bytes: over the default handshake cap
    (256 KB) at 300 KB, parsed once --max-handshake is raised."""
    certs = vec(3, vec(3, bytes(size - 10)))
    flight = server_hello() + handshake(11, certs)
    conv = tls_conversation("big-certificate.example", records(22, flight) + record(21, b"\x02\x2a"))
    return pcap(conv.frames)


def many_extensions(count):
    exts = b"".join(extension(0x4000 + i, b"") for i in range(count))
    hello = client_hello("many-extensions.example", exts)
    conv = Conversation().handshake()
    conv.send(0, records(22, hello))
    conv.send(1, record(22, server_hello()))
    return pcap(conv.close().frames)


def open_hellos(conns, suites):
    """conns connections open at once, each with a Client Hello offering
    suites cipher suites (about 2 bytes each), none ever closed: the facts
    of open connections are capped (--max-open-tls), and so is what nDPI
    works on at once."""
    frames = []
    for i in range(conns):
        src = bytes([192, 0, 2, 10 + i // 50000])
        conv = Conversation(cport=10000 + i % 50000, src=src).handshake()
        cs = b"".join(struct.pack(">H", 0x0100 + k % 60000) for k in range(suites))
        exts = extension(0, vec(2, b"\x00" + vec(2, b"open-hellos.example")))
        body = (b"\x03\x03" + bytes(range(32)) + vec(1, b"") + vec(2, cs) + vec(1, b"\x00") + vec(2, exts))
        conv.send(0, records(22, handshake(1, body)))
        frames += conv.frames
    return pcap(frames)


def zero_length_records(count):
    conv = Conversation().handshake()
    conv.send(0, record(22, b"") * count + record(23, b"") + record(22, client_hello("zero-length.example")))
    conv.send(1, record(22, server_hello()))
    return pcap(conv.close().frames)


def oversized_record():
    """A record longer than 2^14+2048 in one connection; a second connection
    in the same capture must be read as usual."""
    bad = Conversation(cport=50001).handshake()
    bad.send(0, record(22, client_hello("oversized-record.example")))
    bad.send(1, struct.pack(">BHH", 23, 0x0303, 0x4801) + bytes(0x4801))
    good = tls_conversation("after-oversized.example", record(22, server_hello()), cport=50002)
    return pcap(bad.close().frames + good.frames)


def vlan_stack(tags):
    hello = tcp(50000, 443, 1, 1, TCP_ACK | TCP_PSH, record(22, client_hello("vlan.example")))
    stacked = ethernet(ipv4(CLIENT, SERVER, 6, hello), vlans=tags)
    good = tls_conversation("after-vlan.example", record(22, server_hello()), cport=50003)
    return pcap([stacked] + good.frames)


def ipv6_extension_chain(headers):
    hello = tcp(50000, 443, 1, 1, TCP_ACK | TCP_PSH, record(22, client_hello("ipv6-ext.example")))
    payload, next_header = hello, 6
    for _ in range(headers):   # destination options, 8 bytes each
        payload = bytes([next_header, 0]) + bytes([1, 4, 0, 0, 0, 0]) + payload
        next_header = 60
    chained = ethernet(ipv6(CLIENT6, SERVER6, next_header, payload), ethertype=0x86DD)
    good = tls_conversation("after-ipv6.example", record(22, server_hello()), cport=50004)
    return pcap([chained] + good.frames)


def ip_fragments(incomplete):
    """Overlapping fragments with different bytes, a fragment past 64 KB, and
    datagrams that never complete (more than the table holds)."""
    hello = tcp(50000, 443, 1, 1, TCP_ACK | TCP_PSH, record(22, client_hello("fragments.example")))
    frames = []
    for ident in range(incomplete):
        frames.append(ethernet(ipv4(CLIENT, SERVER, 6, hello[:64], ident=ident, more=True)))
    frames.append(ethernet(ipv4(CLIENT, SERVER, 6, hello[:64], ident=0xFFFF, more=True)))
    frames.append(ethernet(ipv4(CLIENT, SERVER, 6, b"\xAA" * 64, ident=0xFFFF, frag_offset=32, more=True)))
    frames.append(ethernet(ipv4(CLIENT, SERVER, 6, hello[64:], ident=0xFFFF, frag_offset=64)))
    frames.append(ethernet(ipv4(CLIENT, SERVER, 6, bytes(64), ident=0xFFFE, frag_offset=65528, more=True)))
    good = tls_conversation("after-fragments.example", record(22, server_hello()), cport=50005)
    return pcap(frames + good.frames)


def snaplen_64():
    conv = tls_conversation("snaplen.example", record(22, server_hello()) + records(22, handshake(11, bytes(5000))))
    return pcap(conv.frames, snaplen=64)


def pcapng_block_past_end():
    conv = tls_conversation("pcapng-tail.example", record(22, server_hello()))
    blocks = pcapng_shb() + pcapng_idb()
    blocks += b"".join(pcapng_epb(f, i) for i, f in enumerate(conv.frames[:4]))
    return blocks + pcapng_epb(conv.frames[4], 99, claimed_total=0x7FFFFFF0)[:200]


def pcapng_many_interfaces(interfaces):
    conv = tls_conversation("interfaces.example", record(22, server_hello()))
    out = pcapng_shb() + b"".join(pcapng_idb(1 if i % 2 == 0 else 113) for i in range(interfaces))
    out += b"".join(pcapng_epb(f, i, interface=(2 * i) % interfaces) for i, f in enumerate(conv.frames))
    return out + pcapng_epb(conv.frames[0], 100, interface=0xFFFFFFF0)


def pcap_caplen_4gb():
    conv = tls_conversation("caplen.example", record(22, server_hello()))
    good = b"".join(pcap_record(f, i) for i, f in enumerate(conv.frames))
    return pcap_header() + good + struct.pack("<IIII", BASE_TS, 0, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(64)


def connect_header_flood(size):
    """A CONNECT request head that never ends, over the header cap."""
    conv = Conversation(sport=3128).handshake()
    conv.send(0, b"CONNECT flood.example:443 HTTP/1.1\r\n" + b"X-Flood: " + b"a" * size)
    return pcap(conv.close().frames)


def dns_flood(count):
    """DNS responses with pointer loops, 40 answers each, and a name cut in
    the middle, interleaved with one good lookup."""
    q = b"\x05flood\x07example\x00" + struct.pack(">HH", 1, 1)
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([203, 0, 113, 10])
    many = struct.pack(">HHHHHH", 1, 0x8180, 1, 40, 0, 0) + q + answer * 40
    loop = struct.pack(">HHHHHH", 2, 0x8180, 1, 1, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", 1, 1)
    frames = []
    for i in range(count):
        payload = (many, loop, many[:30])[i % 3]
        frames.append(ethernet(ipv4(SERVER, CLIENT, 17, udp(53, 33000 + i % 1000, payload))))
    return pcap(frames)


# name -> (builder at full scale, builder at seed scale, what run.py checks)
CASES = {
    "many-flows": (lambda o: many_flows(o.flows), lambda: many_flows(60),
                   {"stats": {"connections_evicted": ">0"}, "note": "SYN-only flows over --max-conns",
                    "analyze_text": "ended early at --max-conns"}),
    "ooo-flood": (lambda o: ooo_flood(100_000), lambda: ooo_flood(300),
                  {"stats": {"connections_hitting_limits": ">0"}, "events_sni": ["ooo-flood.example"],
                   "analyze": "reassembly_limit_frame", "analyze_text": "Limit hit"}),
    "handshake-claims-16mb": (lambda o: handshake_claims_16mb(), None,
                              {"analyze": "\"kind\": \"limit\"", "events_sni": ["claims-16mb.example"],
                               "events_alert": 40}),
    "certificate-300k": (lambda o: big_certificate(300_000), None,
                         {"analyze": "\"kind\": \"limit\"", "events_type_absent": "certificate",
                          "analyze_text": "Limit hit",
                          "raised": {"option": ["--max-handshake", "400000"], "events_type": "certificate"}}),
    "open-hellos": (lambda o: (open_hellos(3000, 8000) if o.flows >= 1_000_000 else open_hellos(2500, 3000)), lambda: open_hellos(5, 300),
                    {"analyze_facts": {"reading_losses.connections_without_facts": ">0",
                                       "reading_losses.flows_not_classified": ">0"},
                     "analyze_text": "without facts",
                     "raised_analyze": {"option": ["--max-open-tls", "4000"],
                                        "facts": {"reading_losses.connections_without_facts": 0}},
                     "note": "hellos of 8,000 suites (ASan: 3,000) on more connections than --max-open-tls"}),
    "many-extensions": (lambda o: many_extensions(10_000), lambda: many_extensions(300),
                        {"events_sni": ["many-extensions.example"]}),
    "zero-length-records": (lambda o: zero_length_records(10_000), lambda: zero_length_records(50),
                            {"events_sni": ["zero-length.example"]}),
    "oversized-record": (lambda o: oversized_record(), None,
                         {"analyze": "\"kind\": \"malformed\"", "events_sni": ["oversized-record.example", "after-oversized.example"]}),
    "vlan-50": (lambda o: vlan_stack(50), lambda: vlan_stack(50),
                {"stats": {"invalid_headers": ">0"}, "events_sni": ["after-vlan.example"],
                 "analyze_text": "bad or cut headers"}),
    "ipv6-ext-100": (lambda o: ipv6_extension_chain(100), lambda: ipv6_extension_chain(100),
                     {"stats": {"invalid_headers": ">0"}, "events_sni": ["after-ipv6.example"]}),
    "ip-fragments": (lambda o: ip_fragments(5000), lambda: ip_fragments(70),
                     {"stats": {"ip_datagrams_incomplete": ">0"}, "events_sni": ["after-fragments.example"],
                      "analyze_text": "IP datagrams left incomplete"}),
    "snaplen-64": (lambda o: snaplen_64(), lambda: snaplen_64(),
                   {"stats": {"frames_cut": ">0", "snaplen": 64, "connections_cut": ">0"}}),
    "pcapng-block-past-end": (lambda o: pcapng_block_past_end(), lambda: pcapng_block_past_end(),
                              {"stderr": "warning", "stats": {"damaged_tail": True}}),
    "pcapng-many-interfaces": (lambda o: pcapng_many_interfaces(5000), lambda: pcapng_many_interfaces(20),
                               {"stderr": "interface"}),
    "pcap-caplen-4gb": (lambda o: pcap_caplen_4gb(), lambda: pcap_caplen_4gb(),
                        {"stderr": "warning", "stats": {"damaged_tail": True}, "events_sni": ["caplen.example"]}),
    "connect-header-flood": (lambda o: connect_header_flood(200_000), lambda: connect_header_flood(3000), {}),
    "dns-flood": (lambda o: dns_flood(30_000), lambda: dns_flood(12), {"stats": {"dns_messages": ">0"}}),
}


def extension_of(data):
    return ".pcapng" if data[:4] == b"\x0a\x0d\x0d\x0a" else ".pcap"


def small_cases():
    return [(name + extension_of(data), data)
            for name, (_, small, _) in CASES.items() if small for data in [small()]]


class Options:
    flows = 1_000_000


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out_dir, opts = args[0], Options()
    if "--flows" in args:
        opts.flows = int(args[args.index("--flows") + 1])
    os.makedirs(out_dir, exist_ok=True)
    described = {}
    for name, (build, _, expect) in CASES.items():
        data = build(opts)
        path = os.path.join(out_dir, name + extension_of(data))
        with open(path, "wb") as f:
            f.write(data)
        described[name] = dict(expect, file=os.path.basename(path), bytes=len(data))
    described["many-flows"]["flows"] = opts.flows
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(described, f, indent=1)


if __name__ == "__main__":
    main()
