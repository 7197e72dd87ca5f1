#!/usr/bin/env bash
# Peak resident memory of `export` and `convert` on a big store (issue 12: at most 256 MiB on a
# store of >= 4 GiB decoded). Makes a quant16 movie with `pymecompress demo` (FRAMES frames of
# SIZE x SIZE uint16, one chunk per frame; the defaults give 512 x 2048 x 2048 x 2 bytes =
# 4 GiB), then measures with GNU time:
#   - export of the whole array to .npy (the fast read path, one slab of chunks at a time);
#   - convert to pymecompress-huffman (every chunk decoded and encoded again).
#
# Usage: benches/big_store.sh     (FRAMES, SIZE, LIMIT_MB, WORK override the defaults;
#                                  SKIP_BUILD=1 uses the release binary already built)
# Needs /usr/bin/time (apt-get install time) and about 4 GiB (.npy) + 0.5 GiB (quant16) + 0.5 GiB
# (zstd copy the demo also writes) + ~2 GiB (Huffman) free under WORK (default: a temp dir).
set -euo pipefail
# Checks GNU time, goes to the repository root, builds the release binary ($bin).
# shellcheck source=peak_rss.sh
source "$(dirname "$0")/peak_rss.sh"
frames=${FRAMES:-512}
size=${SIZE:-2048}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

"$bin" demo --frames "$frames" --size "$size" --out "$work/demo" --force >"$work/demo.log"
store="$work/demo/movie-quant16.zarr"
rm -rf "$work/demo/movie-zstd.zarr"
echo "store: $store ($(du -sh "$store" | cut -f1) on disk, $((frames * size * size * 2 / 1048576)) MiB decoded)"

limit_mb=${LIMIT_MB:-256}
status=0
measure() {
    local name=$1
    peak_rss "$@"
    echo "$name: peak RSS $peak_mb MiB (limit $limit_mb MiB), wall $wall"
    if [ "$peak_mb" -gt "$limit_mb" ]; then
        echo "FAIL: $name peak RSS above $limit_mb MiB" >&2
        status=1
    fi
}
measure export "$bin" export "$store" "$work/movie.npy"
rm -f "$work/movie.npy"
measure convert "$bin" convert "$store" "$work/movie-huffman.zarr" --codec huffman
exit $status
