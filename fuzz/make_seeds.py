#!/usr/bin/env python3
"""Regenerates fuzz/seeds/: what the captures carry (through make_seeds, which
reads them with tlsdiag's own pipeline), the small captures themselves, and
hand-built edge cases in each target's input format. Duplicates are dropped
and every kind is kept under a size budget, so the committed seeds stay well
under 5 MB.

usage: fuzz/make_seeds.py MAKE_SEEDS_BINARY CORPUS_DIR"""
import glob
import hashlib
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
# Per target: (largest file kept, most files kept).
BUDGET = {
    "capture": (65536, 90), "pcapng": (65536, 40), "tls": (32768, 80), "reasm": (49152, 60),
    "http": (4097, 40), "dns": (4096, 120), "rules": (65536, 20),
    "keylog": (65536, 30), "dsb": (65536, 40), "decrypt": (20000, 80),
}


# ---- TLS byte builders ----

def record(content_type, body, version=0x0303):
    return struct.pack(">BHH", content_type, version, len(body)) + body


def handshake(msg_type, body, claimed_len=None):
    n = len(body) if claimed_len is None else claimed_len
    return struct.pack(">B", msg_type) + n.to_bytes(3, "big") + body


def vec(width, data):
    return len(data).to_bytes(width, "big") + data


def extension(ext_type, data):
    return struct.pack(">H", ext_type) + vec(2, data)


def client_hello(extensions=b"", suites=(0xC02F, 0xC030, 0x1301), sni=b"example.com"):
    exts = extensions
    if sni is not None:
        exts = extension(0, vec(2, b"\x00" + vec(2, sni))) + exts
    body = (b"\x03\x03" + bytes(32) + vec(1, bytes(32)) +
            vec(2, b"".join(struct.pack(">H", s) for s in suites)) + vec(1, b"\x00") + vec(2, exts))
    return handshake(1, body)


def server_hello(suite=0xC02F, extensions=b""):
    body = b"\x03\x03" + bytes(32) + vec(1, b"") + struct.pack(">HB", suite, 0) + vec(2, extensions)
    return handshake(2, body)


def tls_stream(commands, setup=0):
    """fuzz_tls input: commands are (sender, bytes, segment_start) or
    ('gap', sender, missing)."""
    out = bytearray([setup])
    for c in commands:
        if c[0] == "gap":
            out += bytes([2 | c[1]]) + struct.pack(">H", c[2] - 1)
            continue
        sender, data, start = c
        while True:
            n = min(len(data), 65535)
            out += bytes([31 << 3 | (4 if start else 0) | sender]) + struct.pack(">H", n) + data[:n]
            data, start = data[n:], False
            if not data:
                break
    return bytes(out)


def chunked(sender, data, size):
    return [(sender, data[i:i + size], i == 0) for i in range(0, len(data), size)]


def tls_edge_cases():
    ch = record(22, client_hello())
    sh = record(22, server_hello())
    many_ext = client_hello(b"".join(extension(0x1000 + i, b"") for i in range(10000)), sni=None)
    cases = {
        "hello-pair": [(0, ch, True), (1, sh, True)],
        "hello-1-byte-chunks": chunked(0, ch, 1),
        "zero-length-records": [(0, record(22, b"") * 50 + record(21, b"") + record(23, b"") + ch, True)],
        "record-over-max": [(0, struct.pack(">BHH", 23, 0x0303, 0x4801) + bytes(64), True), (0, ch, True)],
        "handshake-claims-16mb": [(1, record(22, handshake(11, bytes(2000), 0xFFFFFF)), True),
                                  (1, record(22, bytes(4000)), True), (1, record(21, b"\x02\x28"), True)],
        "handshake-across-records": [(0, b"".join(record(22, client_hello()[i:i + 7])
                                                  for i in range(0, len(client_hello()), 7)), True)],
        "ten-thousand-extensions": [(0, b"".join(record(22, many_ext[i:i + 16384])
                                                 for i in range(0, len(many_ext), 16384)), True)],
        "sslv2-client-hello": [(0, bytes([0x80, 0x2E, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10])
                                + bytes.fromhex("0700c0050080030080010080060040040080020080") + bytes(16), True)],
        "ccs-then-encrypted": [(0, ch, True), (1, sh + record(20, b"\x01") + record(22, bytes(40)), True),
                               (0, record(20, b"\x01") + record(22, bytes(40)) + record(23, bytes(100)), True)],
        "tls13-server": [(0, ch, True), (1, record(22, server_hello(0x1301, extension(43, b"\x03\x04")))
                                         + record(23, bytes(300)), True)],
        "gap-mid-record": [(1, sh[:20], True), ("gap", 1, 30), (1, record(21, b"\x02\x28"), True)],
        "alert-fatal": [(0, ch, True), (1, record(21, b"\x02\x28"), True)],
        "encrypted-alert": [(1, record(21, bytes(26)), True)],
        "hello-retry": [(0, ch, True), (1, record(22, handshake(2, b"\x03\x03" + bytes.fromhex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c") + vec(1, b"") +
            b"\x13\x01\x00" + vec(2, extension(43, b"\x03\x04") + extension(51, b"\x00\x1d")))), True)],
        "certificate": [(1, record(22, handshake(11, vec(3, vec(3, bytes(100))))), True)],
    }
    out = {name: tls_stream(cmds) for name, cmds in cases.items()}
    out["small-cap-certificate"] = tls_stream(cases["certificate"], setup=1)
    out["facts-hello-pair"] = tls_stream(cases["hello-pair"], setup=4)
    return out


def http_edge_cases():
    req = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nUser-Agent: curl/8\r\n\r\n"
    cases = {
        "req-basic": b"\x00" + req,
        "req-auth": b"\x00CONNECT h:443 HTTP/1.1\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
        "req-bare-lf": b"\x00CONNECT h:443 HTTP/1.0\nHost: h\n\n",
        "req-obs-fold": b"\x00CONNECT h:443 HTTP/1.1\r\nHost: h\r\n  continued\r\nX: y\r\n\r\n",
        "req-chunked": b"\x00CONNECT h:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "req-long-line": b"\x00CONNECT h:443 HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n",
        "req-content-length": b"\x00CONNECT h:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "resp-200": b"\x02HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03",
        "resp-407": b"\x02HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n"
                    b"Proxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate, Digest realm=y\r\n"
                    b"Content-Length: 3\r\n\r\nabc",
        "resp-100-then-200": b"\x02HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
        "resp-503-squid": b"\x02HTTP/1.1 503 Service Unavailable\r\nServer: squid\r\nX-Squid-Error: ERR_CONNECT_FAIL 111\r\n"
                          b"Via: 1.1 proxy (squid)\r\nContent-Length: 0\r\n\r\n",
        "resp-204": b"\x01HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
        "resp-huge-length": b"\x01HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "resp-te-and-cl": b"\x01HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
        "resp-http10": b"\x02HTTP/1.0 200 OK\n\n",
    }
    return cases


# ---- DNS ----

def dns_name(name):
    return b"".join(vec(1, label.encode()) for label in name.split(".") if label) + b"\x00"


def dns_header(ident, flags, qd, an, ns=0, ar=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def dns_edge_cases():
    q = dns_name("tetra-defs.amp.cisco.com") + struct.pack(">HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([203, 0, 113, 10])
    cname = b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 6) + b"\x01x\xc0\x0c"
    return {
        "query": dns_header(1, 0x0100, 1, 0) + q,
        "answer-a": dns_header(1, 0x8180, 1, 1) + q + a,
        "nxdomain": dns_header(1, 0x8183, 1, 0) + q,
        "cname-then-a": dns_header(1, 0x8180, 1, 2) + q + cname + a,
        "twenty-answers": dns_header(1, 0x8180, 1, 20) + q + a * 20,
        "pointer-loop": dns_header(1, 0x8180, 1, 1) + q + b"\xc0\x1e\xc0\x1c" + struct.pack(">HHIH", 1, 1, 1, 4) + bytes(4),
        "self-pointer": dns_header(1, 0x0100, 1, 0) + b"\xc0\x0c" + struct.pack(">HH", 1, 1),
        "escaped-labels": dns_header(1, 0x0100, 1, 0) + b"\x05a.b\\c\x03\x00\xff\x20\x00" + struct.pack(">HH", 28, 1),
        "max-name": dns_header(1, 0x0100, 1, 0) + (b"\x3f" + bytes([0x7f]) * 63) * 3 + b"\x3d" + b"a" * 61 + b"\x00" + struct.pack(">HH", 1, 1),
        "aaaa-bad-rdlength": dns_header(1, 0x8180, 1, 1) + q + b"\xc0\x0c" + struct.pack(">HHIH", 28, 1, 60, 5) + bytes(5),
        "truncated-header": b"\x00\x01\x81",
        "authority-additional": dns_header(1, 0x8180, 1, 0, 1, 1) + q + b"\x00" + struct.pack(">HHIH", 6, 1, 60, 2) + b"\x00\x00" + b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0),
    }


# ---- reassembler ----

def reasm_input(segments, limit_bits=0x3F, isn=(0, 0), stream_bits=0):
    """segments: (flags, direction, seq, payload[, cut, conn, seconds])."""
    out = bytearray([limit_bits]) + struct.pack(">II", *isn) + bytes([stream_bits])
    for seg in segments:
        flags, direction, seq, payload = seg[:4]
        cut = seg[4] if len(seg) > 4 else 0
        conn = seg[5] if len(seg) > 5 else 0
        seconds = seg[6] if len(seg) > 6 else 0
        out += bytes([flags | (0x20 if direction else 0) | 0x40 | (0x80 if cut else 0), conn | seconds << 3])
        out += struct.pack(">I", seq & 0xFFFFFFFF)
        out += bytes([len(payload)]) if len(payload) < 255 else b"\xff" + struct.pack(">H", len(payload))
        if cut:
            out += bytes([cut])
        out += payload
    return bytes(out)


def reasm_edge_cases():
    SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08
    ch = record(22, client_hello())
    sh = record(22, server_hello())
    c_isn, s_isn = 0xFFFFFF80, 0x7FFFFFF0
    base = [(SYN, 0, c_isn, b""), (SYN | ACK, 1, s_isn, b""), (ACK, 0, c_isn + 1, b"")]
    pieces = [ch[i:i + 40] for i in range(0, len(ch), 40)]
    reversed_segments = [(ACK | PSH, 0, c_isn + 1 + 40 * i, p) for i, p in reversed(list(enumerate(pieces)))]
    conflicting = [(ACK | PSH, 0, c_isn + 1 + 10, b"X" * 20), (ACK | PSH, 0, c_isn + 1 + 10, b"Y" * 30),
                   (ACK | PSH, 0, c_isn + 1, ch)]
    return {
        "wrap-handshake": reasm_input(base + [(ACK | PSH, 0, c_isn + 1, ch), (ACK | PSH, 1, s_isn + 1, sh),
                                              (FIN | ACK, 0, c_isn + 1 + len(ch), b""),
                                              (FIN | ACK, 1, s_isn + 1 + len(sh), b"")]),
        "reverse-order": reasm_input(base + reversed_segments),
        "reverse-order-small-caps": reasm_input(base + reversed_segments, limit_bits=0x40 | (2 << 2)),
        "conflicting-retransmissions": reasm_input(base + conflicting),
        "cut-segments": reasm_input(base + [(ACK | PSH, 0, c_isn + 1, ch[:30], 60), (ACK | PSH, 0, c_isn + 91, ch[90:])]),
        "rst-and-port-reuse": reasm_input(base + [(RST, 1, s_isn + 1, b""), (SYN, 0, 12345, b""),
                                                  (SYN | ACK, 1, 999, b""), (ACK | PSH, 0, 12346, ch)]),
        "idle-timeout": reasm_input(base + [(ACK | PSH, 0, c_isn + 1, ch[:50], 0, 0, 31),
                                            (ACK | PSH, 0, c_isn + 51, ch[50:], 0, 0, 31)], limit_bits=0xBF),
        "many-conns-evicted": reasm_input([(SYN, 0, 100 * i, b"", 0, i) for i in range(8)] +
                                          [(ACK | PSH, 0, 100 * i + 1, ch, 0, i) for i in range(8)], limit_bits=0x3C),
        "connect-tunnel": reasm_input([(ACK | PSH, 0, 1, b"CONNECT h:443 HTTP/1.1\r\n\r\n", 0, 4),
                                       (ACK | PSH, 1, 1, b"HTTP/1.1 200 OK\r\n\r\n", 0, 4),
                                       (ACK | PSH, 0, 28, ch, 0, 4), (ACK | PSH, 1, 20, sh, 0, 4)], stream_bits=2),
        "dns-over-tcp": reasm_input([(ACK | PSH, 0, 1, vec(2, dns_edge_cases()["query"]), 0, 6),
                                     (ACK | PSH, 1, 1, vec(2, dns_edge_cases()["answer-a"]), 0, 6)]),
        "syn-with-data": reasm_input([(SYN, 0, 5000, ch)]),
    }


# ---- rules ----

def rules_edge_cases():
    return {
        "minimal": b'{"pack":"x","version":"1","rules":[]}',
        "one-rule": (b'{"pack":"x","version":"1","profile":{"hosts":["a.example"],"accepted_suites":[49200]},'
                     b'"causes":[{"id":"tls_failure_other","title":"t","meaning":"m","who_acts":["server"]}],'
                     b'"rules":[{"id":"r","cause":"tls_failure_other","severity":"warning","rank":1,'
                     b'"scope":"connection","title":"t","when":[{"op":"exists","fact":"$conn.tls"}],'
                     b'"let":{"m":{"op":"difference","a":"$profile.accepted_suites",'
                     b'"b":"$conn.tls.client_hello.cipher_suites"}},'
                     b'"message":"{let.m|suites} #{conn.tls.client_hello.frame}","remedy":"r",'
                     b'"evidence":[{"what":"CH","frame":"$conn.tls.client_hello.frame"}]}]}'),
    }


# ---- key logs, Decryption Secrets Blocks, record decryption ----

def keylog_line(label, random, secret):
    return f"{label} {random.hex()} {secret.hex()}".encode()


RANDOM_A, RANDOM_B = bytes(range(32)), bytes(range(32, 64))
SECRET_32, SECRET_48 = bytes(range(0xa0, 0xc0)), bytes(range(0xa0, 0xd0))


def keylog_texts():
    """Key log texts: what OpenSSL, NSS and hand edits write."""
    tls13 = [keylog_line(label, RANDOM_A, SECRET_32) for label in (
        "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "EXPORTER_SECRET",
        "SERVER_TRAFFIC_SECRET_0", "CLIENT_TRAFFIC_SECRET_0")]
    tls12 = [keylog_line("CLIENT_RANDOM", bytes([i]) * 32, SECRET_48) for i in range(3)]
    sha384 = [keylog_line(label, RANDOM_B, SECRET_48) for label in (
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET")]
    malformed = [b"CLIENT_RANDOM " + RANDOM_A.hex().encode(),
                 keylog_line("CLIENT_RANDOM", RANDOM_A, SECRET_32),
                 keylog_line("CLIENT_RANDOM", RANDOM_A[:31], SECRET_48),
                 keylog_line("CLIENT_TRAFFIC_SECRET_0", RANDOM_A, SECRET_48 + SECRET_32[:16]),
                 keylog_line("CLIENT_RANDOM", RANDOM_A, SECRET_48) + b" extra",
                 b"CLIENT_RANDOM zz" + RANDOM_A.hex().encode()[2:] + b" " + SECRET_48.hex().encode(),
                 b"client_random " + RANDOM_A.hex().encode() + b" " + SECRET_48.hex().encode(),
                 b"RSA 0102030405060708 " + SECRET_48.hex().encode(), b"garbage", b"\x00\x00"]
    return {
        "openssl-tls13": b"\n".join(tls13) + b"\n",
        "nss-tls12": b"# SSL/TLS secrets log file, generated by NSS\n" + b"\n".join(tls12) + b"\n",
        "crlf-tabs": b"\r\n".join(line.replace(b" ", b"\t") for line in tls13 + tls12) + b"\r\n",
        "sha384-no-final-newline": b"\n".join(sha384),
        "duplicates": b"\n".join(tls12 * 3) + b"\n",
        "malformed-mix": b"\n".join(malformed + tls12) + b"\n\n\r\n  # comment\n",
    }


def keylog_edge_cases():
    texts = keylog_texts()
    cases = {name: b"\x00" + text for name, text in texts.items()}
    cases["two-feeds"] = b"\x01" + texts["openssl-tls13"] + texts["nss-tls12"]
    cases["four-feeds"] = b"\x03" + texts["crlf-tabs"] + texts["malformed-mix"]
    return cases


def pcapng_block(big_endian, block_type, body):
    e = ">" if big_endian else "<"
    body += bytes(-len(body) % 4)
    total = len(body) + 12
    return struct.pack(e + "II", block_type, total) + body + struct.pack(e + "I", total)


def pcapng_start(big_endian):
    e = ">" if big_endian else "<"
    return (pcapng_block(big_endian, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)) +
            pcapng_block(big_endian, 1, struct.pack(e + "HHI", 1, 0, 65535)))


def pcapng_epb(big_endian, data):
    e = ">" if big_endian else "<"
    return pcapng_block(big_endian, 6, struct.pack(e + "IIIII", 0, 0, 0, len(data), len(data)) + data)


def pcapng_dsb(big_endian, text, secrets_type=0x544C534B, claimed=None):
    e = ">" if big_endian else "<"
    n = len(text) if claimed is None else claimed
    return pcapng_block(big_endian, 0x0A, struct.pack(e + "II", secrets_type, n) + text)


def dsb_edge_cases():
    texts = keylog_texts()
    packet = bytes(12) + b"\x08\x00" + bytes(40)
    cases = {}
    for be, order in ((False, "le"), (True, "be")):
        cases["keylog-then-packets-" + order] = (
            pcapng_start(be) + pcapng_dsb(be, texts["openssl-tls13"]) + pcapng_epb(be, packet) +
            pcapng_dsb(be, texts["nss-tls12"]) + pcapng_epb(be, packet))
    cases["other-types"] = (pcapng_start(False) + pcapng_dsb(False, b"wireguard", 0x57474B4C) +
                            pcapng_dsb(False, b"zigbee", 0x5A4E574B) + pcapng_dsb(False, texts["crlf-tabs"]))
    cases["second-section"] = (pcapng_start(False) + pcapng_dsb(False, texts["nss-tls12"]) +
                               pcapng_start(True) + pcapng_epb(True, packet) +
                               pcapng_dsb(True, texts["sha384-no-final-newline"]))
    cases["secrets-length-past-block"] = (pcapng_start(False) +
                                          pcapng_dsb(False, texts["nss-tls12"], claimed=0xFFFFFFF0) +
                                          pcapng_dsb(False, b"", claimed=1) + pcapng_dsb(False, b"") +
                                          pcapng_block(False, 0x0A, b"") + pcapng_dsb(False, texts["malformed-mix"]))
    cases["block-past-end"] = (pcapng_start(True) + pcapng_dsb(True, texts["openssl-tls13"]) +
                               struct.pack(">III", 0x0A, 0x03FFFFF0, 0x544C534B) + texts["nss-tls12"])
    cases["cut-inside-block"] = (pcapng_start(False) + pcapng_dsb(False, texts["openssl-tls13"]))[:-9]
    cases["magic-only"] = b"\x0a\x0d\x0d\x0a"
    return cases


# The suites tls_decrypt.c decrypts, in number order: fuzz_decrypt's byte 0
# picks one by its position here (modulo the count).
DECRYPT_SUITES = sorted([0x1301, 0x1302, 0x1303, 0x1304, 0x1305,
                         0x009C, 0x009D, 0x009E, 0x009F, 0xC02B, 0xC02C, 0xC02F, 0xC030,
                         0xCCA8, 0xCCA9, 0xCCAA] + list(range(0xC09C, 0xC0A4)) + list(range(0xC0AC, 0xC0B0)))


def rfc8448_records():
    """The RFC 8448 records test/unit/rfc8448.h carries, as bytes."""
    path = os.path.join(ROOT, "test", "unit", "rfc8448.h")
    records, name, text = {}, None, []
    with open(path) as f:
        for line in f:
            if line.startswith("#define "):
                if name:
                    records[name] = bytes.fromhex("".join(text).replace(" ", ""))
                parts = line.split(None, 2)
                name, text = parts[1], []
                line = parts[2] if len(parts) > 2 else ""
            if name:
                text += [chunk for chunk in line.split('"')[1::2]]
    if name:
        records[name] = bytes.fromhex("".join(text).replace(" ", ""))
    return records


def decrypt_edge_cases():
    rfc = rfc8448_records()
    tls13_aes128 = DECRYPT_SUITES.index(0x1301)

    def raw(index, seq, records):
        return bytes([index, 0]) + struct.pack(">Q", seq) + b"".join(records)

    def sealed(index, seq, chunks):
        out = bytearray([index, 1]) + struct.pack(">Q", seq)
        for content_type, padding, data, bit in chunks:
            out += bytes([content_type, padding]) + struct.pack(">H", len(data)) + data + struct.pack(">H", bit)
        return bytes(out)

    flight = rfc["RFC_SERVER_FLIGHT_RECORD"]
    cases = {
        "rfc8448-server-flight": raw(tls13_aes128, 0, [flight]),
        "rfc8448-flight-wrong-seq": raw(tls13_aes128, 1, [flight]),
        "rfc8448-flight-twice": raw(tls13_aes128, 0, [flight, flight]),
        "rfc8448-other-records": raw(tls13_aes128, 0, [rfc["RFC_CLIENT_FINISHED_RECORD"],
                                                       rfc["RFC_CLIENT_APPDATA_RECORD"]]),
        "short-and-empty-records": raw(tls13_aes128, 0, [b"\x17\x03\x03\x00\x00", b"\x17\x03\x03\x00\x10" + bytes(16),
                                                         b"\x16\x03\x03\x00\x20" + bytes(32), b"\x17\x03"]),
        "length-over-max": raw(tls13_aes128, 0, [b"\x17\x03\x03\x48\x01" + bytes(64)]),
        "seq-max": raw(tls13_aes128, 0xFFFFFFFFFFFFFFFF, [flight]),
    }
    for index, suite in enumerate(DECRYPT_SUITES):
        cases["sealed-%04x" % suite] = sealed(index, index * 1000, [
            (23, 0, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 7),
            (22, 40, b"\x14\x00\x00\x0c" + bytes(range(12)), 200),
            (21, 0, b"\x01\x00", 30)])
        cases["raw-empty-%04x" % suite] = raw(index, 0, [b"\x17\x03\x03\x00\x18" + bytes(24)])
    cases["sealed-empty-and-long"] = sealed(0, 0xFFFFFFFFFFFFFFFE, [(23, 0, b"", 0), (23, 255, bytes(5000), 4000)])
    return cases


# ---- writing ----

def short_hash(data):
    return hashlib.sha1(data).hexdigest()[:12]


def write_kind(kind, named_files):
    """named_files: (name, bytes); keeps the budget, drops duplicates."""
    max_size, max_count = BUDGET[kind]
    target = os.path.join(SEEDS, kind)
    os.makedirs(target, exist_ok=True)
    # min-* files are a campaign's minimised corpus (fuzzrun.py keep): kept.
    for old in os.listdir(target):
        if not old.startswith("min-"):
            os.remove(os.path.join(target, old))
    seen = set()
    kept = 0
    # Hand-built cases first (they are few and chosen), then the smallest.
    for name, data in named_files:
        digest = hashlib.sha1(data).digest()
        if digest in seen or kept >= max_count:
            continue
        seen.add(digest)
        with open(os.path.join(target, name), "wb") as f:
            f.write(data[:max_size])
        kept += 1
    return kept


def read_dir(path, prefix):
    files = []
    for p in sorted(glob.glob(os.path.join(path, "*"))):
        with open(p, "rb") as f:
            files.append((prefix + os.path.basename(p), f.read()))
    files.sort(key=lambda nf: len(nf[1]))
    return files


def hostile_captures():
    """Small versions of the hostile captures (test/hostile/make-hostile.py)."""
    path = os.path.join(ROOT, "test", "hostile", "make-hostile.py")
    if not os.path.exists(path):
        return []
    spec = importlib.util.spec_from_file_location("make_hostile", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [("hostile-" + name, data) for name, data in module.small_cases()]


def main():
    tool, corpus = sys.argv[1], sys.argv[2]
    captures = sorted(glob.glob(os.path.join(corpus, "*.pcap*")) +
                      glob.glob(os.path.join(ROOT, "samples", "*.pcapng")) +
                      glob.glob(os.path.join(ROOT, "test", "data", "*.pcap*")))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool, tmp] + captures, check=True)
        extracted = {kind: read_dir(os.path.join(tmp, kind), "cap-") for kind in ("tls", "reasm", "http", "dns")}

    capture_files = []
    for p in captures:
        with open(p, "rb") as f:
            capture_files.append(("cap-" + os.path.basename(p), f.read()))
    capture_files.sort(key=lambda nf: len(nf[1]))
    small = [(n, d) for n, d in capture_files if len(d) <= BUDGET["capture"][0]]
    hostile = hostile_captures()
    counts = {
        "capture": write_kind("capture", hostile + small),
        "pcapng": write_kind("pcapng", [(n, d) for n, d in hostile + small if d[:4] == b"\x0a\x0d\x0d\x0a"]),
        "tls": write_kind("tls", [("edge-" + n, d) for n, d in tls_edge_cases().items()] + extracted["tls"]),
        "reasm": write_kind("reasm", [("edge-" + n, d) for n, d in reasm_edge_cases().items()] + extracted["reasm"]),
        "http": write_kind("http", [("edge-" + n, d) for n, d in http_edge_cases().items()] + extracted["http"]),
        "dns": write_kind("dns", [("edge-" + n, d) for n, d in dns_edge_cases().items()] + extracted["dns"]),
        "rules": write_kind("rules", [("edge-" + n, d) for n, d in rules_edge_cases().items()] +
                            [("pack-" + os.path.basename(p), open(p, "rb").read())
                             for p in sorted(glob.glob(os.path.join(ROOT, "rules", "packs", "*.json")))]),
        "keylog": write_kind("keylog", [("edge-" + n, d) for n, d in keylog_edge_cases().items()]),
        "dsb": write_kind("dsb", [("edge-" + n, d) for n, d in dsb_edge_cases().items()] +
                          [(n, d) for n, d in hostile + small if d[:4] == b"\x0a\x0d\x0d\x0a"]),
        "decrypt": write_kind("decrypt", [("edge-" + n, d) for n, d in decrypt_edge_cases().items()]),
    }
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(SEEDS) for f in fs)
    for kind, n in counts.items():
        print(f"fuzz/seeds/{kind}: {n} files")
    print(f"fuzz/seeds: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
