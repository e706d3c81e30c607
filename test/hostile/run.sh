#!/bin/sh
# Hostile-capture suite: generates the captures (make-hostile.py) into a
# temporary directory and runs TLSDIAG on each (run.py: exit status, the
# limit shown, peak RSS, time, sanitizer reports).
#
# usage: test/hostile/run.sh TLSDIAG
set -eu
[ $# -eq 1 ] || { echo "usage: $0 TLSDIAG" >&2; exit 2; }
exec python3 "$(dirname "$0")/run.py" "$1"
