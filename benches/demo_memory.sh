#!/usr/bin/env bash
# Peak resident memory of `pymecompress demo --frames 400 --size 1024` (issue 14: below 300 MB,
# whatever --frames). The demo makes, writes and checks the movie a few frames at a time, so its
# memory should not grow with --frames; this measures it with GNU time.
#
# Usage: benches/demo_memory.sh            (FRAMES, SIZE, LIMIT_MB override the defaults)
# Needs /usr/bin/time (Debian/Ubuntu: apt-get install time) and ~1.5 GB free in the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
frames=${FRAMES:-400}
size=${SIZE:-1024}
limit_mb=${LIMIT_MB:-300}
cargo build --release --bin pymecompress
bin="${CARGO_TARGET_DIR:-target}/release/pymecompress"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/time -v "$bin" demo --frames "$frames" --size "$size" --out "$work/demo" \
    >"$work/stdout" 2>"$work/time"
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
grep -E "quant16 \(offset|zstd level|pixels exact" "$work/stdout" || true
echo "demo --frames $frames --size $size: peak RSS $((peak_kb / 1024)) MB (limit $limit_mb MB), wall $wall"
if [ $((peak_kb / 1024)) -ge "$limit_mb" ]; then
    echo "FAIL: peak RSS above $limit_mb MB" >&2
    exit 1
fi
