#!/usr/bin/env python3
"""labtools.py — small misbehaving network programs for samples/make-samples-2.sh.

Each one runs inside a namespace of the lab, serves a bounded number of
connections (--max-conn) and exits after --timeout seconds at the latest
(SIGALRM), whatever happens.  Standard library only.

  silent             accept, read the Client Hello, never answer (a stalled server)
  close-after-hello  accept, read the Client Hello, close with a FIN and no alert
  banner             accept, send a line (e.g. an SSH banner), read, close
  tunnel-close-proxy an HTTP proxy: answer 200 to CONNECT, read the Client Hello,
                     then close the tunnel (FIN, or RST with --rst) without a reply;
                     with --upstream it first relays the Client Hello to the server
  forge-alert        a transparent relay (behind an iptables REDIRECT): reads the
                     Client Hello and answers with a forged fatal TLS alert
  dns-rcode          a DNS server that answers every query with one error rcode
                     (SERVFAIL by default): the broken upstream behind dnsmasq
  inject-rst         an on-path injector: sniffs an interface (AF_PACKET) for a
                     Client Hello naming --sni and sends the client a forged RST
                     (raw IPv4 socket, its own TTL) while the real traffic passes
"""
import argparse
import os
import random
import signal
import socket
import struct
import sys
import time


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def listener(addr):
    host, port = addr.rsplit(":", 1)
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(8)
    log("listening on", addr)
    return s


def read_record(c, limit=5.0):
    """Read one whole TLS record (5-byte header + body); return it (maybe short)."""
    c.settimeout(limit)
    buf = b""
    try:
        while len(buf) < 5:
            d = c.recv(5 - len(buf))
            if not d:
                return buf
            buf += d
        need = 5 + struct.unpack("!H", buf[3:5])[0]
        while len(buf) < need:
            d = c.recv(need - len(buf))
            if not d:
                break
            buf += d
    except socket.timeout:
        pass
    return buf


def client_hello_suites(rec):
    """Cipher suites offered in a Client Hello record (list of ints), or []."""
    try:
        if rec[0] != 0x16 or rec[5] != 1:
            return []
        p = 9 + 2 + 32  # record hdr 5, hs hdr 4, version 2, random 32
        p += 1 + rec[p]  # session id
        n = struct.unpack("!H", rec[p:p + 2])[0]
        return [struct.unpack("!H", rec[p + 2 + i:p + 4 + i])[0] for i in range(0, n, 2)]
    except (IndexError, struct.error):
        return []


def rst_close(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def drain_until_closed(c, seconds):
    c.settimeout(seconds)
    try:
        while c.recv(4096):
            pass
    except (socket.timeout, ConnectionError):
        pass


def cmd_silent(a):
    s = listener(a.listen)
    for _ in range(a.max_conn):
        c, peer = s.accept()
        rec = read_record(c)
        log("from", peer, "read", len(rec), "bytes; not answering")
        drain_until_closed(c, a.hold)   # until the client gives up (or --hold)
        c.close()


def cmd_close_after_hello(a):
    s = listener(a.listen)
    for _ in range(a.max_conn):
        c, peer = s.accept()
        rec = read_record(c)
        log("from", peer, "read", len(rec), "bytes; closing (FIN)")
        time.sleep(a.delay)
        c.shutdown(socket.SHUT_WR)       # FIN, no alert
        drain_until_closed(c, 5)          # read what is left, so close() sends no RST
        c.close()


def cmd_banner(a):
    s = listener(a.listen)
    line = a.line.encode().decode("unicode_escape").encode("latin-1")
    for _ in range(a.max_conn):
        c, peer = s.accept()
        c.sendall(line)
        c.settimeout(5)
        try:
            d = c.recv(4096)
        except socket.timeout:
            d = b""
        log("from", peer, "sent banner, read", len(d), "bytes")
        if a.reply:
            try:
                c.sendall(a.reply.encode().decode("unicode_escape").encode("latin-1"))
            except OSError:
                pass
        drain_until_closed(c, 5)
        c.close()


def read_http_head(c, limit=5.0):
    c.settimeout(limit)
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < 8192:
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf


def cmd_tunnel_close_proxy(a):
    s = listener(a.listen)
    for _ in range(a.max_conn):
        c, peer = s.accept()
        head = read_http_head(c)
        first = head.split(b"\r\n", 1)[0].decode("latin-1")
        log("from", peer, repr(first))
        if not first.startswith("CONNECT "):
            c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            c.close()
            continue
        up = None
        if a.upstream:
            target = first.split()[1]
            host, port = target.rsplit(":", 1)
            up = socket.create_connection((host, int(port)), timeout=5)
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        rec = read_record(c)
        log("read", len(rec), "bytes of TLS from the client")
        if up is not None:
            up.sendall(rec)
            log("relayed them to", up.getpeername())
        time.sleep(a.delay)
        if a.rst:
            log("resetting the tunnel")
            rst_close(c)
        else:
            log("closing the tunnel (FIN)")
            c.shutdown(socket.SHUT_WR)
            drain_until_closed(c, 5)
            c.close()
        if up is not None:
            up.close()


def cmd_forge_alert(a):
    s = listener(a.listen)
    for _ in range(a.max_conn):
        c, peer = s.accept()
        rec = read_record(c)
        suites = client_hello_suites(rec)
        log("from", peer, "Client Hello", len(rec), "bytes, suites",
            " ".join("0x%04x" % x for x in suites))
        # fatal (2) alert with the given description, TLS 1.2 record version
        c.sendall(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, a.alert]))
        log("sent forged fatal alert", a.alert)
        c.shutdown(socket.SHUT_WR)
        drain_until_closed(c, 5)
        c.close()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def cmd_inject_rst(a):
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sniff.bind((a.iface, 0))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sni = a.sni.encode()
    client = socket.inet_aton(a.client)
    log("sniffing", a.iface, "for a Client Hello from", a.client, "naming", a.sni)
    done = 0
    while done < a.max_conn:
        f = sniff.recv(65535)
        if len(f) < 14 + 20 or f[12:14] != b"\x08\x00":
            continue
        ip = f[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6 or ip[12:16] != client:
            continue
        tcp = ip[ihl:]
        sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
        doff = (tcp[12] >> 4) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        payload = ip[ihl + doff:total]
        if dport != a.port or len(payload) < 6 or payload[0] != 0x16 or payload[5] != 1 or sni not in payload:
            continue
        src, dst = ip[16:20], ip[12:16]   # forged: from the server, to the client
        th = struct.pack("!HHIIBBHHH", dport, sport, ack, seq + len(payload), 5 << 4,
                         0x14, 0, 0, 0)   # RST|ACK, window 0
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(th))
        th = th[:16] + struct.pack("!H", csum(pseudo + th)) + th[18:]
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th), random.randint(1, 0xFFFF), 0,
                          a.ttl, 6, 0, src, dst)
        iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
        raw.sendto(iph + th, (socket.inet_ntoa(dst), 0))
        log("Client Hello %s:%d -> %d (seq %d, %d bytes): sent forged RST, TTL %d"
            % (a.client, sport, dport, seq, len(payload), a.ttl))
        done += 1


def cmd_dns_rcode(a):
    host, port = a.listen.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    log("answering DNS on", a.listen, "with rcode", a.rcode)
    for _ in range(a.max_conn):
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        p = 12
        while p < len(q) and q[p]:   # the question's name, then type and class
            p += 1 + q[p]
        question = q[12:p + 5] if qd == 1 else b""
        rflags = 0x8000 | (flags & 0x7900) | 0x0080 | (a.rcode & 0xF)  # QR, opcode+RD, RA, rcode
        s.sendto(struct.pack("!HHHHHH", qid, rflags, 1 if question else 0, 0, 0, 0) + question, peer)
        log("query from", peer, "answered with rcode", a.rcode)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=60, help="exit after this many seconds at the latest")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def sp(name, **kw):
        p = sub.add_parser(name, **kw)
        p.add_argument("--max-conn", type=int, default=1)
        return p

    p = sp("silent"); p.add_argument("--listen", required=True); p.add_argument("--hold", type=float, default=30)
    p = sp("close-after-hello"); p.add_argument("--listen", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    p = sp("banner"); p.add_argument("--listen", required=True); p.add_argument("--line", required=True)
    p.add_argument("--reply", default="")
    p = sp("tunnel-close-proxy"); p.add_argument("--listen", required=True)
    p.add_argument("--upstream", action="store_true"); p.add_argument("--rst", action="store_true")
    p.add_argument("--delay", type=float, default=0.0)
    p = sp("forge-alert"); p.add_argument("--listen", required=True); p.add_argument("--alert", type=int, default=40)
    p = sp("dns-rcode"); p.add_argument("--listen", required=True); p.add_argument("--rcode", type=int, default=2)
    p = sp("inject-rst"); p.add_argument("--iface", required=True); p.add_argument("--client", required=True)
    p.add_argument("--sni", required=True); p.add_argument("--port", type=int, default=443)
    p.add_argument("--ttl", type=int, default=64)
    a = ap.parse_args()

    signal.signal(signal.SIGALRM, lambda *_: (log("time limit reached"), os._exit(0)))
    signal.alarm(int(a.timeout))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    {"silent": cmd_silent, "close-after-hello": cmd_close_after_hello, "banner": cmd_banner,
     "tunnel-close-proxy": cmd_tunnel_close_proxy, "forge-alert": cmd_forge_alert,
     "inject-rst": cmd_inject_rst, "dns-rcode": cmd_dns_rcode}[a.cmd](a)
    log("done")


if __name__ == "__main__":
    sys.exit(main())
