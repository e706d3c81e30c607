#!/usr/bin/env python3
"""The HTML report (--html FILE, --format html) as a browser shows it.

- The motivating diff (good-direct against bad-cipher-direct) rendered by
  headless Chromium: the DOM has the verdict (tls_no_shared_cipher), the
  outcome, the working and the failing ladder, a "Client Hello" arrow in
  each, a frame number and a time on every arrow, and the first divergence
  marked; --format html on stdout is the same page as --html FILE.
- A hostile capture made here (python3 and the openssl command): an SNI, a
  certificate subject and SAN, a CONNECT target, an HTTP reason and Via
  header and a DNS name full of markup and script. In the page, and in the
  DOM Chromium builds from it: no <script>, no <img>, no element with an
  on* attribute, the Content-Security-Policy meta that forbids scripts,
  and the hostile strings visible as text.
- Screenshots of three samples (window 1200x1600) kept in
  BUILD/html-report/ beside TLSDIAG, as the test's artefacts.

Chromium is a test-only package that `make deps` installs. Without it the
browser checks fail, unless no Debian package "chromium" can be installed
on this machine at all: then they are skipped, saying so (never in CI).

usage: test/e2e/html_report.py TLSDIAG SAMPLES_DIR"""
import html.parser
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# What the hostile capture carries, each where a capture can put it.
SNI = "<script>alert(1)</script><img src=x onerror=alert(2)>.example"
CERT_CN = "x\"><script>alert(3)</script><b onmouseover=alert(4)>"
CERT_SAN = "<svg onload=alert(5)>.example"
CONNECT_TARGET = "<iframe/src=javascript:alert(6)>:443"   # a request line holds no space
HTTP_REASON = "<script>alert(7)</script>"
HTTP_VIA = "1.1 '><img src=y onerror=alert(8)>"
SCREENSHOTS = [
    ("diff-bad-cipher-direct", ["diff", "--good", "good-direct.pcapng", "--bad", "bad-cipher-direct.pcapng"]),
    ("intermittent-reset-then-retry", ["analyze", "intermittent-reset-then-retry.pcapng"]),
    ("bad-cipher-proxy", ["analyze", "bad-cipher-proxy.pcapng"]),
]


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []
        self.content = []   # text and child elements, in document order

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all_text(self):
        return "".join(part if isinstance(part, str) else part.all_text() for part in self.content)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Tree(html.parser.HTMLParser):
    """The elements of a page and the text inside each (a DOM, enough for
    these checks); entities are turned back into the characters they stand
    for, so hostile text is compared as a person sees it."""
    VOID = {"meta", "link", "br", "hr", "img", "input", "source", "area", "base", "col", "embed", "wbr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.cur = self.root
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.content.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.content.append(node)

    def handle_endtag(self, tag):
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.content.append(data)

    def find(self, pred):
        return [n for n in self.root.walk() if pred(n)]

    def with_class(self, cls):
        return self.find(lambda n: cls in n.classes())


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}")
        return ok


def run(tlsdiag, args, **kw):
    return subprocess.run([tlsdiag] + args, capture_output=True, text=True, **kw)


# ---- Chromium ----

def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_installable():
    """Whether Debian offers a chromium package here (apt's lists)."""
    try:
        r = subprocess.run(["apt-cache", "policy", "chromium"], capture_output=True, text=True)
    except OSError:   # no apt: not a Debian machine
        return False
    for line in r.stdout.splitlines():
        if line.strip().startswith("Candidate:"):
            return line.split(":", 1)[1].strip() not in ("", "(none)")
    return False


def chromium(browser, profile, args, url):
    """Headless Chromium on a file:// URL; its stdout (the DOM for --dump-dom)."""
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + profile] + args + [url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr[-500:]}")
    return r.stdout


# ---- the hostile capture ----

def load_builders():
    spec = importlib.util.spec_from_file_location("make_hostile",
                                                  os.path.join(TOP, "test", "hostile", "make-hostile.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hostile_certificate(work):
    """A self-signed certificate (DER) whose subject CN and SAN are markup."""
    conf = os.path.join(work, "cert.cnf")
    with open(conf, "w") as f:
        f.write("[req]\nprompt = no\ndistinguished_name = dn\nx509_extensions = ext\n"
                # The config reads \" as a quote, a bare one as the start of a quoted value.
                f"[dn]\nCN = {CERT_CN.replace(chr(34), chr(92) + chr(34))}\nO = tlsdiag test\n"
                f"[ext]\nsubjectAltName = DNS:{CERT_SAN}\n")
    key, der = os.path.join(work, "cert.key"), os.path.join(work, "cert.der")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "30", "-config", conf, "-keyout", key, "-outform", "DER", "-out", der],
                   check=True, capture_output=True)
    with open(der, "rb") as f:
        return f.read()


def dns_frames(m, name, answer):
    """A query for name and its answer (one A record)."""
    labels = b"".join(bytes([len(p)]) + p for p in name.encode().split(b".")) + b"\x00"
    question = labels + struct.pack(">HH", 1, 1)
    query = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + question
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + answer
    response = struct.pack(">HHHHHH", 0x4242, 0x8180, 1, 1, 0, 0) + question + rr
    resolver = bytes([192, 0, 2, 53])
    return [m.ethernet(m.ipv4(m.CLIENT, resolver, 17, m.udp(40000, 53, query))),
            m.ethernet(m.ipv4(resolver, m.CLIENT, 17, m.udp(53, 40000, response)))]


def hostile_capture(work):
    m = load_builders()
    der = hostile_certificate(work)
    frames = dns_frames(m, SNI, m.SERVER)
    # Direct: the hostile SNI, the hostile certificate, the client refuses it.
    conv = m.Conversation(cport=50001).handshake()
    conv.send(0, m.record(22, m.client_hello(SNI)))
    flight = m.server_hello() + m.handshake(11, m.vec(3, m.vec(3, der))) + m.handshake(14, b"")
    conv.send(1, m.records(22, flight))
    conv.send(0, m.record(21, b"\x02\x2a"))
    frames += conv.close().frames
    # Through a proxy: a hostile CONNECT target, reason phrase and Via.
    proxy = m.Conversation(cport=50002, sport=3128).handshake()
    proxy.send(0, f"CONNECT {CONNECT_TARGET} HTTP/1.1\r\nHost: {CONNECT_TARGET}\r\n\r\n".encode())
    proxy.send(1, f"HTTP/1.1 403 {HTTP_REASON}\r\nVia: {HTTP_VIA}\r\nContent-Length: 0\r\n\r\n".encode())
    frames += proxy.close().frames
    path = os.path.join(work, "hostile-markup.pcap")
    with open(path, "wb") as f:
        f.write(m.pcap(frames))
    return path


# ---- the checks ----

def page_is_inert(c, tree, where):
    """Nothing in the page can run: no script, no image, no handler, no
    frame, no link out; and the policy that forbids them all is there."""
    c.check(not tree.find(lambda n: n.tag in ("script", "img", "iframe", "object", "embed", "link", "base")),
            f"{where}: a script, image, frame, link or base element")
    handlers = tree.find(lambda n: any(a.lower().startswith("on") for a in n.attrs))
    c.check(not handlers, f"{where}: an element with an on* attribute: "
                          + ", ".join(f"<{n.tag} {list(n.attrs)}>" for n in handlers[:3]))
    urls = tree.find(lambda n: any((v or "").strip().lower().startswith(("javascript:", "http:", "https:"))
                                   for k, v in n.attrs.items() if k in ("href", "src", "xlink:href", "action")))
    c.check(not urls, f"{where}: an element that points somewhere")
    metas = tree.find(lambda n: n.tag == "meta" and (n.attrs.get("http-equiv") or "").lower()
                      == "content-security-policy")
    c.check(len(metas) == 1 and metas[0].attrs.get("content") == CSP,
            f"{where}: the Content-Security-Policy meta is missing or not {CSP!r}")


def check_raw_page(c, text, where):
    lower = text.lower()
    for bad in ("<script", "<img", "<iframe", "<svg onload", "<b onmouseover"):
        c.check(bad not in lower, f"{where}: the page's source holds {bad!r}")
    c.check(lower.startswith("<!doctype html>") and lower.rstrip().endswith("</html>"),
            f"{where}: not one complete HTML document")


def check_diff_dom(c, tree, where):
    verdict = tree.with_class("verdict")
    c.check(verdict and "tls_no_shared_cipher" in verdict[0].all_text(), f"{where}: no verdict tls_no_shared_cipher")
    outcome = tree.with_class("outcome")
    c.check(outcome and "FAILED" in outcome[0].all_text() and "failed" in verdict[0].all_text(),
            f"{where}: the outcome (failed) is not shown")
    c.check(bool(tree.with_class("who-acts")) and bool(tree.with_class("remedy")),
            f"{where}: who acts or the remedy is missing")
    for cls in ("ladder-working", "ladder-failing"):
        ladders = tree.with_class(cls)
        if not c.check(len(ladders) == 1, f"{where}: {len(ladders)} elements of class {cls}, want 1"):
            continue
        steps = [n for n in ladders[0].walk() if "step" in n.classes()]
        labels = [" ".join(t.all_text() for t in s.children if t.tag == "text" and "label" in t.classes())
                  for s in steps]
        c.check(any("Client Hello" in label for label in labels), f"{where}: no Client Hello arrow in {cls}")
        c.check(len(steps) >= 6, f"{where}: {len(steps)} arrows in {cls}")
        for label in labels:
            c.check(label.lstrip().startswith("#") and label.rstrip().endswith(" ms"),
                    f"{where}: {cls} arrow {label!r} lacks its frame number or time")
        c.check(any(n.tag == "rect" and "divergence" in n.classes() for n in ladders[0].walk()),
                f"{where}: the first divergence is not marked in {cls}")
    note = tree.with_class("divergence-note")
    c.check(note and "Server Hello" in note[0].all_text() and "Alert" in note[0].all_text(),
            f"{where}: the divergence note does not name Server Hello against Alert")
    order = [n for n in tree.root.walk() if {"verdict", "action", "ladders", "attempts", "differences",
                                             "facts", "inputs"} & set(n.classes()) and n.tag in
             ("header", "section")]
    names = [next(k for k in ("verdict", "action", "ladders", "attempts", "differences", "facts", "inputs")
                  if k in n.classes()) for n in order]
    c.check(names == ["verdict", "action", "ladders", "attempts", "differences", "facts", "inputs"],
            f"{where}: sections in the order {names}")
    inputs = tree.with_class("inputs")
    digests = [td for td in inputs[0].walk() if td.tag == "td" and re.fullmatch(r"[0-9a-f]{64}", td.all_text())] \
        if inputs else []
    c.check(len(digests) == 2,
            f"{where}: the inputs' SHA-256 digests are not shown")


def check_hostile_dom(c, tree, where):
    text = tree.root.all_text()
    for what, value in (("SNI", SNI), ("certificate CN", CERT_CN), ("certificate SAN", CERT_SAN),
                        ("CONNECT target", CONNECT_TARGET), ("HTTP reason", HTTP_REASON), ("Via", HTTP_VIA)):
        c.check(value in text, f"{where}: the {what} {value!r} is not shown as text")
    captions = " ".join(n.all_text() for n in tree.find(lambda n: n.tag == "figcaption"))
    c.check(SNI in captions, f"{where}: the SNI is not in a ladder's caption")
    hellos = [n for n in tree.with_class("step") if "Client Hello" in n.all_text()]
    c.check(hellos and SNI in hellos[0].all_text(), f"{where}: the Client Hello arrow does not carry the SNI")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    artefacts = os.path.join(os.path.dirname(tlsdiag), "html-report")
    os.makedirs(artefacts, exist_ok=True)
    c = Checks()
    browser = find_chromium()
    skip_browser = None
    if not browser:
        if os.environ.get("CI") or chromium_installable():
            print("FAIL chromium is not installed: `make deps` installs it (Debian package chromium)")
            c.failed += 1
        else:
            skip_browser = "no Debian package 'chromium' can be installed on this machine"
        browser = None
    with tempfile.TemporaryDirectory(prefix="tlsdiag-html-") as work:
        profile = os.path.join(work, "chromium-profile")
        # The motivating diff: --html FILE beside the text on stdout.
        diff_html = os.path.join(work, "diff.html")
        args = ["diff", "--good", os.path.join(samples, "good-direct.pcapng"),
                "--bad", os.path.join(samples, "bad-cipher-direct.pcapng")]
        r = run(tlsdiag, args + ["--html", diff_html])
        c.check(r.returncode == 1 and r.stdout.startswith("FAILED tls_no_shared_cipher"),
                f"diff --html: exit {r.returncode}, stdout not the text report: {r.stdout[:80]!r}")
        with open(diff_html) as f:
            page = f.read()
        check_raw_page(c, page, "diff.html")
        page_is_inert(c, Tree(page), "diff.html")
        check_diff_dom(c, Tree(page), "diff.html (source)")
        same = run(tlsdiag, args + ["--format", "html"])
        c.check(same.stdout == page, "diff --format html differs from the --html FILE page")

        # The hostile capture, as HTML.
        capture = hostile_capture(work)
        hostile_html = os.path.join(work, "hostile.html")
        r = run(tlsdiag, ["analyze", "--host", "*", "--html", hostile_html, capture])
        c.check(r.returncode in (0, 1, 3) and os.path.exists(hostile_html),
                f"analyze the hostile capture: exit {r.returncode}: {r.stderr[-300:]}")
        with open(hostile_html) as f:
            hostile = f.read()
        check_raw_page(c, hostile, "hostile.html")
        page_is_inert(c, Tree(hostile), "hostile.html")
        check_hostile_dom(c, Tree(hostile), "hostile.html (source)")
        shutil.copy(hostile_html, os.path.join(artefacts, "hostile.html"))

        if browser:
            dom = chromium(browser, profile, ["--dump-dom"], "file://" + diff_html)
            tree = Tree(dom)
            page_is_inert(c, tree, "diff.html in Chromium")
            check_diff_dom(c, tree, "diff.html in Chromium")
            dom = chromium(browser, profile, ["--dump-dom"], "file://" + hostile_html)
            tree = Tree(dom)
            page_is_inert(c, tree, "hostile.html in Chromium")
            check_hostile_dom(c, tree, "hostile.html in Chromium")
            for name, cmd in SCREENSHOTS:
                page_path = os.path.join(artefacts, name + ".html")
                cmd = [a if a.startswith("-") or a in ("diff", "analyze") else os.path.join(samples, a) for a in cmd]
                run(tlsdiag, cmd + ["--html", page_path])
                png = os.path.join(artefacts, name + ".png")
                if os.path.exists(png):
                    os.remove(png)
                chromium(browser, profile, ["--screenshot=" + png, "--window-size=1200,1600",
                                            "--hide-scrollbars"], "file://" + page_path)
                with open(png, "rb") as f:
                    head = f.read(8)
                c.check(head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 10_000,
                        f"no screenshot of {name} in {png}")
    if skip_browser:
        print(f"html_report: SKIPPED the Chromium checks: {skip_browser}")
    print(f"html_report: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
