#!/usr/bin/env python3
"""Golden captures for the rules no lab sample reaches, written packet by
packet as the endpoint would have captured them (python3 standard library
and the `openssl` command).

usage: make-golden.py [OUTDIR]    (default: golden/ beside this script)

Each capture is one failure as real peers put it on the wire: an OpenSSL 3
client (curl) on 192.0.2.10 behind a router, its resolver 203.0.113.53, and
a server, middlebox or wrong service at a documentation address. Ethernet,
IPv4 and TCP carry real checksums, sequence and acknowledgement numbers,
IP IDs, TTLs as many hops away as the story says, and TCP timestamps;
TLS records and messages are as the stacks named in golden/README.md send
them. Certificates come from a small PKI made with `openssl ca` at run time
(dates fixed, keys new each run), and the ServerKeyExchange is signed with
the leaf's key, so a second run writes other keys and signatures and the
same diagnosis. Other random bytes (hello randoms, session ids, key shares,
encrypted records) are derived from the capture's name: stable across runs.

The captures (golden/README.md tells each one's story):
  cert-not-yet-valid-chain.pcap   generic.cert_not_yet_valid.chain
  middlebox-alert-ttl.pcap        generic.middlebox_alert_ttl
  server-not-tls-amqp.pcap        generic.server_not_tls
  server-version-chosen-tls10.pcap generic.server_version_too_old.chosen
  dns-notimp.pcap                 generic.dns_resolution_failure.other
"""
import hashlib
import importlib.util
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))


def load_builders():
    """The byte builders of test/hostile/make-hostile.py (vectors,
    handshake messages, extensions, the pcap file format)."""
    spec = importlib.util.spec_from_file_location("make_hostile",
                                                  os.path.join(TOP, "test", "hostile", "make-hostile.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hb = load_builders()
vec, handshake, extension = hb.vec, hb.handshake, hb.extension

# When the captures were "taken": the hostile captures' base time,
# 2026-11-18T11:06:40Z. The certificates' dates are set against it.
CAPTURE_START = hb.BASE_TS


def pseudo(label, n):
    """n bytes a peer would have drawn at random: derived from label, so a
    run writes the same ones."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


def ip4(text):
    return bytes(int(x) for x in text.split("."))


# ---- the hosts ----

ENDPOINT = ip4("192.0.2.10")
RESOLVER = ip4("203.0.113.53")
ENDPOINT_MAC = bytes.fromhex("02000000000a")
ROUTER_MAC = bytes.fromhex("020000000001")   # every remote packet comes through it


# ---- Ethernet, IPv4, TCP, UDP ----

def internet_checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet(from_endpoint, payload):
    dst, src = (ROUTER_MAC, ENDPOINT_MAC) if from_endpoint else (ENDPOINT_MAC, ROUTER_MAC)
    return dst + src + struct.pack(">H", 0x0800) + payload


def ipv4(src, dst, proto, payload, ttl, ident, df=True):
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000 if df else 0,
                         ttl, proto, 0, src, dst)
    return header[:10] + struct.pack(">H", internet_checksum(header)) + header[12:] + payload


def transport_checksum(src, dst, proto, segment):
    return internet_checksum(struct.pack(">4s4sBBH", src, dst, 0, proto, len(segment)) + segment)


def udp(src, dst, sport, dport, payload):
    segment = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    csum = transport_checksum(src, dst, 17, segment) or 0xFFFF
    return segment[:6] + struct.pack(">H", csum) + segment[8:]


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(src, dst, sport, dport, seq, ack, flags, window, options, payload):
    options += bytes(-len(options) % 4)
    segment = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          (20 + len(options)) // 4 << 4, flags, window, 0, 0) + options + payload
    csum = transport_checksum(src, dst, 6, segment)
    return segment[:16] + struct.pack(">H", csum) + segment[18:]


class Capture:
    """Frames with their times (seconds after CAPTURE_START), in order."""

    def __init__(self):
        self.frames = []

    def add(self, t, frame):
        assert not self.frames or t >= self.frames[-1][0], "frames out of time order"
        self.frames.append((t, frame))

    def pcap(self):
        return hb.pcap_header(snaplen=262144) + b"".join(
            hb.pcap_record(frame, round(t * 1e6)) for t, frame in self.frames)


class Host:
    """A remote peer as the endpoint sees it: its address, the TTL its
    packets arrive with (initial TTL less the hops) and its IP ID counter."""

    def __init__(self, addr, ttl, ip_id):
        self.addr, self.ttl, self.ip_id = ip4(addr), ttl, ip_id

    def next_id(self):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return self.ip_id


class Tcp:
    """One connection from the endpoint, seen on the endpoint. Side 0 is the
    endpoint, side 1 the server. Sequence numbers, acknowledgements and TCP
    timestamps (1 kHz clocks, as Linux) follow the bytes sent."""

    MSS = 1460

    def __init__(self, cap, server, cport, sport, label, timestamps=(True, True), windows=(64240, 65160)):
        self.cap, self.server, self.cport, self.sport = cap, server, cport, sport
        isn = pseudo(label + "/isn", 8)
        self.nxt = [int.from_bytes(isn[:4], "big"), int.from_bytes(isn[4:], "big")]
        self.rcv = [0, 0]           # what each side has received: its ack
        self.client_id = int.from_bytes(pseudo(label + "/ipid", 2), "big")
        self.ts_base = [int.from_bytes(pseudo(label + f"/ts{i}", 4), "big") >> 1 for i in (0, 1)]
        self.ts_seen = [0, 0]
        self.ts_offered = timestamps
        self.ts = False
        self.windows = list(windows)

    def _options(self, side, t, syn):
        tsval = (self.ts_base[side] + int(t * 1000)) & 0xFFFFFFFF
        ts = struct.pack(">BBII", 8, 10, tsval, self.ts_seen[side])
        if syn:
            opts = struct.pack(">BBH", 2, 4, self.MSS)
            if self.ts_offered[side]:
                return opts + b"\x04\x02" + ts + b"\x01" + b"\x03\x03\x07"
            return opts + b"\x01\x03\x03\x08\x01\x01\x04\x02"    # Windows: MSS, WS 8, SACK permitted
        return b"\x01\x01" + ts if self.ts else b""

    def segment(self, t, side, flags, payload=b"", ttl=None, ident=None, df=True):
        """One segment, next in its side's sequence; a middlebox speaking in
        the server's name gives its own ttl, ident and df."""
        seq, ack = self.nxt[side], self.rcv[side]
        opts = self._options(side, t, flags & SYN)
        if side == 0:
            self.client_id = (self.client_id + 1) & 0xFFFF
            src, dst, sport, dport, ttl_, ident_ = ENDPOINT, self.server.addr, self.cport, self.sport, 64, self.client_id
        else:
            src, dst, sport, dport = self.server.addr, ENDPOINT, self.sport, self.cport
            ttl_ = self.server.ttl if ttl is None else ttl
            ident_ = self.server.next_id() if ident is None else ident
        window = self.windows[side]
        seg = tcp(src, dst, sport, dport, seq, ack if flags & ACK else 0, flags, window, opts, payload)
        self.cap.add(t, ethernet(side == 0, ipv4(src, dst, 6, seg, ttl_, ident_, df)))
        if self.ts:
            self.ts_seen[1 - side] = (self.ts_base[side] + int(t * 1000)) & 0xFFFFFFFF
        end = seq + len(payload) + (1 if flags & (SYN | FIN) else 0)
        self.nxt[side] = self.rcv[1 - side] = end
        return end

    def connect(self, t, rtt):
        self.segment(t, 0, SYN)
        self.ts_seen[1] = (self.ts_base[0] + int(t * 1000)) & 0xFFFFFFFF
        self.segment(t + rtt, 1, SYN | ACK)
        self.ts = self.ts_offered[0] and self.ts_offered[1]
        self.ts_seen[0] = (self.ts_base[1] + int((t + rtt) * 1000)) & 0xFFFFFFFF
        # After the handshake, windows are scaled (Linux: by 128; Windows: 256).
        self.windows = [502, 509 if self.ts_offered[1] else 513]
        self.segment(t + rtt + 0.00005, 0, ACK)
        return t + rtt + 0.00005

    def send(self, t, side, data, gap=0.00002):
        """data in MSS-sized segments (less the timestamp option), the last
        one pushed; returns the time of the last."""
        size = self.MSS - (12 if self.ts else 0)
        pieces = [data[i:i + size] for i in range(0, len(data), size)]
        for n, piece in enumerate(pieces):
            self.segment(t + n * gap, side, ACK | (PSH if n == len(pieces) - 1 else 0), piece)
        return t + (len(pieces) - 1) * gap


# ---- DNS ----

def dns_name(name):
    return b"".join(bytes([len(p)]) + p for p in name.encode().split(b".")) + b"\x00"


A, AAAA, SOA = 1, 28, 6


def dns_query(qid, name, qtype):
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack(">HH", qtype, 1)


def dns_response(qid, name, qtype, rcode=0, answers=(), authority=(), recursion=True):
    """answers and authority: (owner, type, ttl, rdata); owner None is the
    name asked, else the number of its leading labels to leave out (its
    zone), both as a pointer into the question (RFC 1035 4.1.4)."""
    flags = 0x8100 | (0x0080 if recursion else 0) | rcode
    body = dns_name(name) + struct.pack(">HH", qtype, 1)
    for owner, rtype, ttl, rdata in list(answers) + list(authority):
        offset = 12 + sum(len(label) + 1 for label in name.split(".")[:owner or 0])
        body += struct.pack(">HHHIH", 0xC000 | offset, rtype, 1, ttl, len(rdata)) + rdata
    return struct.pack(">HHHHHH", qid, flags, 1, len(answers), len(authority), 0) + body


def soa_rdata(zone):
    return (dns_name("ns1." + zone) + dns_name("hostmaster." + zone) +
            struct.pack(">IIIII", 2026110301, 7200, 3600, 1209600, 300))


def resolve(cap, t, name, addr, label, rtt=0.0009):
    """glibc's getaddrinfo as curl calls it: A and AAAA from one socket; an
    A record and no AAAA (NOERROR, the zone's SOA). Returns the time after."""
    resolver = Host("203.0.113.53", 63, int.from_bytes(pseudo(label + "/dnsid", 2), "big"))
    port = 32768 + int.from_bytes(pseudo(label + "/dnsport", 2), "big") % 28000
    ids = pseudo(label + "/qid", 4)
    qa, qaaaa = int.from_bytes(ids[:2], "big"), int.from_bytes(ids[2:], "big")
    client_id = int.from_bytes(pseudo(label + "/dnsipid", 2), "big")
    for n, (qid, qtype) in enumerate(((qa, A), (qaaaa, AAAA))):
        cap.add(t + n * 0.00004, ethernet(True, ipv4(ENDPOINT, RESOLVER, 17,
                                                     udp(ENDPOINT, RESOLVER, port, 53, dns_query(qid, name, qtype)),
                                                     64, client_id + n, df=False)))
    zone = name.split(".", 1)[1]
    answers = [(qa, A, [(None, A, 300, ip4(addr))], []), (qaaaa, AAAA, [], [(1, SOA, 300, soa_rdata(zone))])]
    for n, (qid, qtype, an, ns) in enumerate(answers):
        cap.add(t + rtt + n * 0.0001, ethernet(False, ipv4(RESOLVER, ENDPOINT, 17,
                                                           udp(RESOLVER, ENDPOINT, 53, port,
                                                               dns_response(qid, name, qtype, 0, an, ns)),
                                                           resolver.ttl, resolver.next_id(), df=False)))
    return t + rtt + 0.0003


# ---- TLS ----

HANDSHAKE, ALERT, CCS = 22, 21, 20
TLS10, TLS12, TLS13 = 0x0301, 0x0303, 0x0304


def record(content_type, version, body):
    return struct.pack(">BHH", content_type, version, len(body)) + body


def u16s(values):
    return b"".join(struct.pack(">H", v) for v in values)


# OpenSSL 3.0's defaults as curl uses them (Debian 12), TLS 1.2 and 1.3.
OPENSSL_SUITES = [0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F,
                  0x009E, 0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067, 0xC00A, 0xC014, 0x0039, 0xC009,
                  0xC013, 0x0033, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF]
OPENSSL_GROUPS = [0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104]
OPENSSL_SIGALGS = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080A, 0x080B, 0x0804, 0x0805, 0x0806,
                   0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602]


def openssl_client_hello(sni, label):
    """curl's Client Hello with OpenSSL 3.0: TLS 1.3 and 1.2 in
    supported_versions, an x25519 key share, a 32-byte legacy session id
    (middlebox compatibility), and padding to 512 bytes (RFC 7685, the
    workaround OpenSSL applies to hellos of 256 to 511 bytes). Returns
    (message, client_random)."""
    random = pseudo(label + "/client_random", 32)
    exts = [
        extension(0, vec(2, b"\x00" + vec(2, sni.encode()))),
        extension(11, vec(1, b"\x00\x01\x02")),
        extension(10, vec(2, u16s(OPENSSL_GROUPS))),
        extension(16, vec(2, vec(1, b"h2") + vec(1, b"http/1.1"))),
        extension(22, b""),
        extension(23, b""),
        extension(49, b""),
        extension(13, vec(2, u16s(OPENSSL_SIGALGS))),
        extension(43, vec(1, u16s([TLS13, TLS12]))),
        extension(45, vec(1, b"\x01")),
        extension(51, vec(2, struct.pack(">H", 0x001D) + vec(2, pseudo(label + "/client_x25519", 32)))),
    ]

    def body(extra):
        return (struct.pack(">H", TLS12) + random + vec(1, pseudo(label + "/client_session_id", 32)) +
                vec(2, u16s(OPENSSL_SUITES)) + vec(1, b"\x00") + vec(2, b"".join(exts) + extra))

    length = 4 + len(body(b""))
    if 0xFF < length < 0x200:
        pad = 0x200 - length - 4
        return handshake(1, body(extension(21, bytes(max(pad, 0))))), random
    return handshake(1, body(b"")), random


def server_hello(version, suite, extensions, label, session_id=32):
    random = pseudo(label + "/server_random", 32)
    body = (struct.pack(">H", version) + random + vec(1, pseudo(label + "/server_session_id", session_id)) +
            struct.pack(">HB", suite, 0) + (vec(2, b"".join(extensions)) if extensions else b""))
    return handshake(2, body), random


def certificate_message(ders):
    return handshake(11, vec(3, b"".join(vec(3, d) for d in ders)))


def alert(version, description, level=2):
    return record(ALERT, version, bytes([level, description]))


# ---- the PKI (openssl ca: dates of our choosing) ----

CA_CONF = """\
[ca]
default_ca = golden
[golden]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
countryName = optional
organizationName = optional
commonName = supplied
[root_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ca_ext]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$ENV::GOLDEN_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


class Pki:
    """A root, an issuing CA and leaves, RSA 2048, in a scratch folder."""

    def __init__(self, work):
        self.work = work
        os.mkdir(os.path.join(work, "issued"))
        open(os.path.join(work, "index.txt"), "w").close()
        with open(os.path.join(work, "serial"), "w") as f:
            f.write("1000\n")
        self.conf = os.path.join(work, "ca.cnf")
        with open(self.conf, "w") as f:
            f.write(CA_CONF.format(dir=work))
        self.env = dict(os.environ, GOLDEN_SAN="unused.example")

    def path(self, name):
        return os.path.join(self.work, name)

    def run(self, *args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, env=self.env)

    def key(self, name):
        if not os.path.exists(self.path(name + ".key")):
            self.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.path(name + ".key"))
        return self.path(name + ".key")

    def issue(self, name, key, subject, ext, start, end, issuer=None, san=None):
        """A certificate for key's request, valid from start to end
        ('2026-12-01'), signed by issuer (a name issued before) or by
        itself. Returns its DER."""
        csr = self.path(name + ".csr")
        self.run("req", "-new", "-key", self.key(key), "-subj", subject, "-out", csr)
        if san:
            self.env["GOLDEN_SAN"] = san
        sign = ["-selfsign", "-keyfile", self.key(key)] if issuer is None else \
               ["-cert", self.path(issuer + ".pem"), "-keyfile", self.key(issuer)]
        self.run("ca", "-batch", "-notext", "-config", self.conf, "-extensions", ext, *sign,
                 "-startdate", start.replace("-", "") + "000000Z", "-enddate", end.replace("-", "") + "000000Z",
                 "-in", csr, "-out", self.path(name + ".pem"))
        self.run("x509", "-in", self.path(name + ".pem"), "-outform", "DER", "-out", self.path(name + ".der"))
        return self.der(name)

    def der(self, name):
        with open(self.path(name + ".der"), "rb") as f:
            return f.read()

    def sign_pss_sha256(self, key, data):
        """RSASSA-PSS with SHA-256 and a 32-byte salt: rsa_pss_rsae_sha256,
        what an OpenSSL server signs its ServerKeyExchange with."""
        path = self.path("tbs.bin")
        with open(path, "wb") as f:
            f.write(data)
        out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key(key), "-sigopt",
                              "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", path],
                             check=True, capture_output=True).stdout
        return out


def make_pki(work):
    pki = Pki(work)
    o = "/C=US/O=tlsdiag golden"
    pki.issue("root", "root", f"{o}/CN=tlsdiag Golden Root CA", "root_ext", "2024-01-01", "2036-01-01")
    pki.issue("issuing", "issuing", f"{o}/CN=tlsdiag Golden Issuing CA 1", "ca_ext", "2025-06-01", "2030-06-01",
              issuer="root")
    # The same CA (name and key) issued again, valid from 2026-12-01: after
    # the captures (2026-11-18), before which a verifier refuses it.
    pki.issue("issuing-reissued", "issuing", f"{o}/CN=tlsdiag Golden Issuing CA 1", "ca_ext", "2026-12-01",
              "2031-12-01", issuer="root")
    return pki


def leaf(pki, host):
    return pki.issue(host, host, f"/C=US/O=tlsdiag golden/CN={host}", "leaf_ext", "2026-09-01", "2027-09-01",
                     issuer="issuing", san=host)


def ecdhe_server_key_exchange(pki, key, client_random, server_random, label):
    """x25519 parameters signed rsa_pss_rsae_sha256 (RFC 8422 5.4)."""
    params = b"\x03" + struct.pack(">H", 0x001D) + vec(1, pseudo(label + "/server_x25519", 32))
    signature = pki.sign_pss_sha256(key, client_random + server_random + params)
    return handshake(12, params + struct.pack(">H", 0x0804) + vec(2, signature))


def tls12_server_flight(pki, host, chain, client_random, label):
    """nginx on OpenSSL, TLS 1.2 only: Server Hello (ECDHE-RSA-AES256-GCM-
    SHA384; renegotiation_info, server_name, ec_point_formats, ALPN
    http/1.1, extended_master_secret), Certificate, ServerKeyExchange,
    ServerHelloDone, a record each."""
    exts = [extension(0xFF01, b"\x00"), extension(0, b""), extension(11, vec(1, b"\x00\x01\x02")),
            extension(16, vec(2, vec(1, b"http/1.1"))), extension(23, b"")]
    hello, server_random = server_hello(TLS12, 0xC030, exts, label)
    return b"".join(record(HANDSHAKE, TLS12, m) for m in (
        hello, certificate_message(chain),
        ecdhe_server_key_exchange(pki, host, client_random, server_random, label), handshake(14, b"")))


# ---- the captures ----

def cert_not_yet_valid_chain(pki):
    """The leaf is valid; the issuing CA sent with it is its re-issued
    certificate, valid only from 2026-12-01. OpenSSL's verifier says
    X509_V_ERR_CERT_NOT_YET_VALID at depth 1; curl's OpenSSL sends
    bad_certificate (42) and closes with the rest of the flight unread (RST)."""
    label, host = "cert-not-yet-valid-chain", "portal.example.com"
    cap = Capture()
    server = Host("203.0.113.20", 55, 0x3a10)
    t = resolve(cap, 0.0, host, "203.0.113.20", label)
    conn = Tcp(cap, server, 43718, 443, label)
    t = conn.connect(t + 0.0004, 0.0182)
    hello, client_random = openssl_client_hello(host, label)
    conn.send(t + 0.0021, 0, record(HANDSHAKE, TLS10, hello))
    chain = [leaf(pki, host), pki.der("issuing-reissued")]
    t = conn.send(t + 0.0021 + 0.0184, 1, tls12_server_flight(pki, host, chain, client_random, label))
    conn.segment(t + 0.00003, 0, ACK)
    conn.send(t + 0.0017, 0, alert(TLS12, 42))
    conn.segment(t + 0.0018, 0, RST | ACK)
    return cap


def middlebox_alert_ttl(pki):
    """A full TLS 1.2 handshake with a server 11 hops away (TTL 53); the
    firewall one hop away (TTL 63), whose URL filter's verdict on the SNI
    comes back while the handshake runs, drops the server's
    ChangeCipherSpec and Finished and sends the endpoint a fatal
    handshake_failure alert and a RST in the server's name."""
    label, host = "middlebox-alert-ttl", "files.example.org"
    cap = Capture()
    server = Host("198.51.100.40", 53, 0x8d22)
    t = resolve(cap, 0.0, host, "198.51.100.40", label)
    conn = Tcp(cap, server, 51034, 443, label)
    t = conn.connect(t + 0.0003, 0.0241)
    hello, client_random = openssl_client_hello(host, label)
    conn.send(t + 0.0019, 0, record(HANDSHAKE, TLS10, hello))
    chain = [leaf(pki, host), pki.der("issuing")]
    t = conn.send(t + 0.0019 + 0.0243, 1, tls12_server_flight(pki, host, chain, client_random, label))
    conn.segment(t + 0.00003, 0, ACK)
    # The endpoint accepts the certificate: ClientKeyExchange,
    # ChangeCipherSpec, Finished (AES-256-GCM: explicit nonce 0, 16 bytes
    # encrypted, 16 of tag), one segment.
    cke = handshake(16, vec(1, pseudo(label + "/client_x25519_cke", 32)))
    finished = bytes(8) + pseudo(label + "/client_finished", 32)
    t = conn.send(t + 0.0026, 0, record(HANDSHAKE, TLS12, cke) + record(CCS, TLS12, b"\x01") +
                  record(HANDSHAKE, TLS12, finished))
    # The firewall, in the server's name: its own TTL, IP ID 0, no DF.
    conn.segment(t + 0.0012, 1, PSH | ACK, alert(TLS12, 40), ttl=63, ident=0, df=False)
    conn.segment(t + 0.0012 + 0.00001, 1, RST | ACK, ttl=63, ident=0, df=False)
    return cap


def server_not_tls_amqp(pki):
    """Port 443 of the server is a RabbitMQ listener (a port mapping gone
    wrong). It reads the Client Hello's first 8 bytes as an AMQP protocol
    header, answers with the header it speaks (AMQP 0-9-1) as the AMQP spec
    says, and closes. OpenSSL reads 'AMQP\\x00' as a record header: 'wrong
    version number', no alert; curl closes with 3 bytes unread (RST)."""
    label, host = "server-not-tls-amqp", "api.example.com"
    cap = Capture()
    server = Host("203.0.113.50", 61, 0x51c0)
    t = resolve(cap, 0.0, host, "203.0.113.50", label)
    conn = Tcp(cap, server, 38250, 443, label)
    t = conn.connect(t + 0.0004, 0.0063)
    hello, _ = openssl_client_hello(host, label)
    t = conn.send(t + 0.0020, 0, record(HANDSHAKE, TLS10, hello))
    t = conn.send(t + 0.0065, 1, b"AMQP\x00\x00\x09\x01")
    conn.segment(t + 0.00008, 1, FIN | ACK)
    conn.segment(t + 0.00012, 0, ACK)
    conn.segment(t + 0.00031, 0, RST | ACK)
    return cap


def server_version_chosen_tls10(pki):
    """An old server (Windows Server 2008, TLS 1.0 only; TTL 128, 14 hops)
    reads the Client Hello's legacy_version and chooses TLS 1.0 with
    TLS_RSA_WITH_AES_128_CBC_SHA; its Server Hello, Certificate and
    ServerHelloDone come in one record. The endpoint accepts TLS 1.2 at the
    lowest (supported_versions: 1.3, 1.2): OpenSSL sends protocol_version
    (70) and curl closes with the rest of the flight unread (RST)."""
    label, host = "server-version-chosen-tls10", "legacy.example.net"
    cap = Capture()
    server = Host("203.0.113.30", 114, 0x0b42)
    t = resolve(cap, 0.0, host, "203.0.113.30", label)
    conn = Tcp(cap, server, 47102, 443, label, timestamps=(True, False), windows=(64240, 8192))
    t = conn.connect(t + 0.0004, 0.0297)
    hello, _ = openssl_client_hello(host, label)
    conn.send(t + 0.0022, 0, record(HANDSHAKE, TLS10, hello))
    sh, _ = server_hello(TLS10, 0x002F, [extension(0xFF01, b"\x00")], label)
    chain = [leaf(pki, host), pki.der("issuing")]
    flight = record(HANDSHAKE, TLS10, sh + certificate_message(chain) + handshake(14, b""))
    t = conn.send(t + 0.0022 + 0.0301, 1, flight)
    conn.segment(t + 0.00003, 0, ACK)
    conn.send(t + 0.0004, 0, alert(TLS12, 70))
    conn.segment(t + 0.0005, 0, RST | ACK)
    return cap


def dns_notimp(pki):
    """The endpoint's DNS server answers every query NOTIMP (rcode 4: a DNS
    proxy that forwards nothing). glibc asks for A and AAAA, gets NOTIMP
    for both, tries again (attempts:2), and curl gives up: 'Could not
    resolve host'. The name is the TETRA profile's: check it with every
    pack."""
    label, host = "dns-notimp", "tetra-defs.amp.cisco.com"
    cap = Capture()
    resolver = Host("203.0.113.53", 63, 0x2f00)
    client_id = int.from_bytes(pseudo(label + "/ipid", 2), "big")
    t = 0.0
    for attempt in range(2):
        port = 32768 + int.from_bytes(pseudo(f"{label}/port{attempt}", 2), "big") % 28000
        ids = pseudo(f"{label}/qid{attempt}", 4)
        queries = [(int.from_bytes(ids[:2], "big"), A), (int.from_bytes(ids[2:], "big"), AAAA)]
        for n, (qid, qtype) in enumerate(queries):
            client_id += 1
            cap.add(t + n * 0.00004, ethernet(True, ipv4(ENDPOINT, RESOLVER, 17,
                                                         udp(ENDPOINT, RESOLVER, port, 53,
                                                             dns_query(qid, host, qtype)), 64, client_id, df=False)))
        for n, (qid, qtype) in enumerate(queries):
            answer = dns_response(qid, host, qtype, rcode=4, recursion=False)
            cap.add(t + 0.0007 + n * 0.00005, ethernet(False, ipv4(RESOLVER, ENDPOINT, 17,
                                                                   udp(RESOLVER, ENDPOINT, 53, port, answer),
                                                                   resolver.ttl, resolver.next_id(), df=False)))
        t += 0.0011
    return cap


CAPTURES = [
    ("cert-not-yet-valid-chain.pcap", cert_not_yet_valid_chain),
    ("middlebox-alert-ttl.pcap", middlebox_alert_ttl),
    ("server-not-tls-amqp.pcap", server_not_tls_amqp),
    ("server-version-chosen-tls10.pcap", server_version_chosen_tls10),
    ("dns-notimp.pcap", dns_notimp),
]


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        sys.exit(__doc__)
    out = sys.argv[1] if len(sys.argv) == 2 else os.path.join(HERE, "golden")
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        pki = make_pki(work)
        for name, make in CAPTURES:
            data = make(pki).pcap()
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
