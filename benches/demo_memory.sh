#!/usr/bin/env bash
# Peak resident memory of `pymecompress demo --frames 400 --size 1024` (issue 14: below 300 MB,
# whatever --frames). The demo makes, writes and checks the movie a few frames at a time, so its
# memory should not grow with --frames; this measures it with GNU time.
#
# Usage: benches/demo_memory.sh            (FRAMES, SIZE, LIMIT_MB override the defaults;
#                                           SKIP_BUILD=1 uses the release binary already built)
# Needs /usr/bin/time (Debian/Ubuntu: apt-get install time) and ~1.5 GB free in the temp dir.
set -euo pipefail
# Checks GNU time, goes to the repository root, builds the release binary ($bin).
# shellcheck source=peak_rss.sh
source "$(dirname "$0")/peak_rss.sh"
frames=${FRAMES:-400}
size=${SIZE:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peak_rss demo "$bin" demo --frames "$frames" --size "$size" --out "$work/demo"
grep -E "quant16 \(offset|zstd level|pixels exact" "$work/demo.out" || true
limit_mb=${LIMIT_MB:-300}
echo "demo --frames $frames --size $size: peak RSS $peak_mb MB (limit $limit_mb MB), wall $wall"
if [ "$peak_mb" -ge "$limit_mb" ]; then
    echo "FAIL: peak RSS above $limit_mb MB" >&2
    exit 1
fi
