#!/usr/bin/env bash
# run.sh — the whole benchmark (`make bench`), as root on a Debian machine:
# installs the packages it needs, builds build/tlsdiag and the floor, makes
# the capture once (bench/make-capture.sh -> bench/data/, reused afterwards),
# warms the page cache, waits for a quiet machine, times everything
# (bench/bench.py) and writes bench/RESULTS.md.
#
# Environment:
#   BENCH_REPS=5          timed runs of floor and tlsdiag per file
#   BENCH_PEER_REPS=3     timed runs of ssldump, ndpiReader, tshark per file
#   BENCH_MAX_LOAD=0.5    wait (up to BENCH_LOAD_WAIT s) for the 1-min load to drop below this
#   BENCH_LOAD_WAIT=300
#   BENCH_ONLY_TLSDIAG=1  skip the peers (quick runs while working)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DATA=$ROOT/bench/data

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and builds the capture in network namespaces"

# ---- packages ------------------------------------------------------------
# shellcheck source=../samples/lab.sh
source "$ROOT/samples/lab.sh"   # lab_install_missing (the capture lab's own come with it)
lab_install_missing "tshark:tshark" "ssldump:ssldump" "ndpiReader:libndpi-bin" "/usr/bin/time:time" \
  "squid:squid" "nginx:nginx-light" "dnsmasq:dnsmasq-base" "curl:curl" "ethtool:ethtool" "ip:iproute2" \
  "editcap:wireshark-common" "openssl:openssl" "ps:procps" "python3:python3" "gcc:gcc" "make:make" \
  "pcap-config:libpcap-dev"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

# ---- programs ------------------------------------------------------------
make --no-print-directory deps
make --no-print-directory -j"$(nproc)" build/tlsdiag
mkdir -p build/bench
# Time a snapshot of build/tlsdiag: other work in the tree may rebuild it
# mid-run. From build/bench/ it finds the rule packs at ../../rules/packs as usual.
cp build/tlsdiag build/bench/tlsdiag
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -o build/bench/floor bench/floor.c -lpcap

# ---- data (made once, then reused) ----------------------------------------
if [ ! -s "$DATA/bench-1g.pcap" ] || [ ! -s "$DATA/bench-1g.pcapng" ] || [ ! -s "$DATA/bench-100m.pcap" ]; then
  log "no cached capture in bench/data: making it (a few minutes)"
  bench/make-capture.sh "$DATA"
else
  log "reusing the capture in bench/data (delete it to make a new one)"
fi
mkdir -p "$DATA/jobs"
for i in 1 2 3 4; do ln -f "$DATA/bench-100m.pcap" "$DATA/jobs/slice-$i.pcap"; done

# ---- page cache, quiet machine --------------------------------------------
cat "$DATA"/bench-1g.pcap "$DATA"/bench-1g.pcapng "$DATA"/bench-100m.pcap >/dev/null
max_load=${BENCH_MAX_LOAD:-0.5}
wait_s=${BENCH_LOAD_WAIT:-300}
for ((t = 0; t < wait_s; t += 10)); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }' && break
  [ $t -eq 0 ] && log "load $load: waiting up to ${wait_s}s for it to drop below $max_load"
  sleep 10
done
log "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

args=(--reps "${BENCH_REPS:-5}" --peer-reps "${BENCH_PEER_REPS:-3}")
[ "${BENCH_ONLY_TLSDIAG:-0}" = 1 ] && args+=(--only-tlsdiag --out "$ROOT/bench/RESULTS-quick.md")
python3 bench/bench.py --tlsdiag "$ROOT/build/bench/tlsdiag" "${args[@]}"
