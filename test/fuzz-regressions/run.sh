#!/bin/sh
# Replays every committed fuzz finding (test/fuzz-regressions/TARGET/*) and
# every seed (fuzz/seeds/TARGET/*) through the target's entry point built
# without libFuzzer, in the build under test (plain or ASan+UBSan): a fixed
# bug must stay fixed, and the seeds must not crash either.
#
# usage: test/fuzz-regressions/run.sh REPLAY_BIN_DIR
set -eu
bin_dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for target in capture pcapng tls http dns reasm rules keylog dsb decrypt; do
    dirs=""
    for d in "$root/test/fuzz-regressions/$target" "$root/fuzz/seeds/$target"; do
        [ -d "$d" ] && dirs="$dirs $d"
    done
    [ -n "$dirs" ] || continue
    # A regression that hangs is a failure too: the fuzzers' -timeout is 10 s.
    # shellcheck disable=SC2086
    if ! out=$(timeout 600 "$bin_dir/fuzz_$target" $dirs 2>&1); then
        echo "$out" | tail -30
        echo "fuzz-regressions: fuzz_$target FAILED" >&2
        status=1
        continue
    fi
    echo "fuzz-regressions: $(echo "$out" | tail -1)"
done
exit $status
