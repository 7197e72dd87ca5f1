#!/usr/bin/env bash
# Sourced by benches/big_store.sh and benches/demo_memory.sh: what their peak-memory
# measurements share. Sourcing it checks that GNU time is at /usr/bin/time (exit 2 if not),
# goes to the repository root and builds the release CLI (unless SKIP_BUILD is set), whose path
# it leaves in bin. Then
#
#   peak_rss NAME CMD...      runs CMD under GNU time, its stdout to $work/NAME.out, and sets
#                             peak_mb (peak resident MiB) and wall (elapsed, as time prints it)

if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin pymecompress
bin="${CARGO_TARGET_DIR:-target}/release/pymecompress"

peak_rss() {
    local name=$1
    shift
    /usr/bin/time -v "$@" >"$work/$name.out" 2>"$work/$name.time"
    local peak_kb
    peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    peak_mb=$((peak_kb / 1024))
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$name.time")
}
