#!/usr/bin/env bash
# make install into a staging root (DESTDIR) with PREFIX=/usr, then the
# installed binary, run from another folder with no TLSDIAG_RULES, finds
# its rule packs beside its bin/ and diagnoses a sample as the build does;
# --help says where the packs are; make uninstall removes it all.
set -u
samples=$(cd "${1:?usage: install.sh SAMPLES_DIR}" && pwd)
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
fail=0
make --no-print-directory install DESTDIR="$root" PREFIX=/usr >/dev/null || { echo "FAIL make install"; exit 1; }
bin=$root/usr/bin/tlsdiag
for f in "$bin" "$root/usr/share/tlsdiag/rules/generic.json" "$root/usr/share/tlsdiag/rules/tetra.json" \
         "$root/usr/share/man/man1/tlsdiag.1"; do
    [ -f "$f" ] || { echo "FAIL not installed: ${f#$root}"; fail=1; }
done
out=$(cd / && env -u TLSDIAG_RULES "$bin" analyze --format json "$samples/bad-cipher-direct.pcapng" 2>&1)
case "$out" in
    *'"cause":	"tls_no_shared_cipher"'*) ;;
    *) echo "FAIL installed binary: ${out:0:300}"; fail=1 ;;
esac
help=$(cd / && env -u TLSDIAG_RULES "$bin" analyze --help)
case "$help" in
    *"default packs now: $root/usr/share/tlsdiag/rules"*) ;;
    *) echo "FAIL --help does not say where the packs are"; fail=1 ;;
esac
make --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr >/dev/null
left=$(find "$root" -type f | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL uninstall left $left files"; fail=1; }
[ "$fail" -eq 0 ] && echo "install: make install DESTDIR=... PREFIX=/usr, packs found from another folder, uninstall: passed"
exit "$fail"
