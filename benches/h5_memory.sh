#!/usr/bin/env bash
# Peak resident memory of `export` (and `verify`) of big PYME .h5 files (issue 20: at most
# 256 MiB on a file of >= 4 GiB). Run by hand, not in CI. PYME's own writers make two files
# (fixtures/pyme_h5/pyme_h5_env.sh's venv, python-microscopy 26.9.3 from the sdist):
#   - a raw spool: acquisition_backends.HDFBackend, uint16 /ImageData at zlib level LEVEL
#     (default 0: no filters, PyTables' own chunk shape);
#   - a PZF aggregate: H5File.put_file of one Huffman PZFFormat.dumps file per frame;
# each FRAMES frames of SIZE x SIZE uint16 Poisson(100) (defaults 8192 x 512 x 512 x 2 bytes =
# 4 GiB decoded), then measures with GNU time the release CLI's `export FILE OUT.npy` and
# `verify FILE` of each, and checks the .npy's size.
#
# Usage: benches/h5_memory.sh     (FRAMES, SIZE, LEVEL, LIMIT_MB, WORK override the defaults;
#                                  SKIP_BUILD=1 uses the release binary already built)
# Needs /usr/bin/time and about 4 GiB (spool) + ~3 GiB (aggregate) + 4 GiB (.npy, one at a
# time) free under WORK (default: a temp dir under target/, deleted on exit). A WORK given is
# kept, with the two .h5 files, and a rerun with the same WORK measures them again without
# writing them (delete it when done).
set -euo pipefail
# Checks GNU time, goes to the repository root, builds the release binary ($bin).
# shellcheck source=peak_rss.sh
source "$(dirname "$0")/peak_rss.sh"
frames=${FRAMES:-8192}
size=${SIZE:-512}
level=${LEVEL:-0}
limit_mb=${LIMIT_MB:-256}
mkdir -p target
PYME_TREE=
if [ -n "${WORK:-}" ]; then
    work=$WORK
    trap '[ -z "$PYME_TREE" ] || rm -rf "$PYME_TREE"; rm -f "$work/out.npy"' EXIT
else
    work=$(mktemp -d "$PWD/target/h5-memory.XXXXXX")
    trap '[ -z "$PYME_TREE" ] || rm -rf "$PYME_TREE"; rm -rf "$work"' EXIT
fi
mkdir -p "$work"
# shellcheck source=../fixtures/pyme_h5/pyme_h5_env.sh
source fixtures/pyme_h5/pyme_h5_env.sh
df -h "$work" | tail -1 | awk '{print "free under WORK: " $4}'

written="$work/written-$frames-$size-$level"
[ -e "$written" ] || HOME="$PYME_HOME" PYTHONPATH="$PYME_TREE" "$PYME_H5_VENV/bin/python" -W ignore - \
  "$work" "$frames" "$size" "$level" <<'PY'
import json, logging, os, sys, time
logging.disable(logging.CRITICAL)
import numpy as np
from PYME.IO import PZFFormat, acquisition_backends, h5File
import warnings
warnings.simplefilter("ignore")  # PYME resets -W's filters; h5rFile warns once per row

work, n, side, level = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for name in ("spool.h5", "aggregate.h5"):  # a run cut short: H5File would append to it
    if os.path.exists(os.path.join(work, name)):
        os.remove(os.path.join(work, name))
rng = np.random.default_rng(12345)
# 16 distinct frames, cycled: the writers' time is in the I/O, not in making noise.
pool = [rng.poisson(100, (side, side)).astype("<u2") for _ in range(16)]
t = time.time()
b = acquisition_backends.HDFBackend(os.path.join(work, "spool.h5"), dim_order="XYCZT",
                                    shape=[-1, -1, n, 1, 1], complevel=level, dtype="uint16")
b.initialise()
for i in range(n):
    b.store_frame(i, pool[i % 16])
b.finalise()
print("spool.h5 written by HDFBackend in %.0f s" % (time.time() - t), file=sys.stderr)
t = time.time()
f = h5File.openH5(os.path.join(work, "aggregate.h5"), "a")
with f:
    f.put_file("metadata.json", json.dumps({"SizeC": 1, "SizeZ": 1, "SizeT": n}).encode())
    for i in range(n):
        f.put_file("frame%05d.pzf" % i, PZFFormat.dumps(
            pool[i % 16], sequenceID=0, frameNum=i, compression=PZFFormat.DATA_COMP_HUFFCODE))
        if i % 256 == 255:  # put_file only queues: keep the queue (memory) short
            while sum(len(q) for q in f.appendQueues.values()) > 64:
                time.sleep(0.05)
    f.put_file("events.json", b"[]")
# put_file only queues rows; closing at once drops those still queued.
while sum(len(q) for q in f.appendQueues.values()):
    time.sleep(0.1)
time.sleep(1)
f.wait_close()
print("aggregate.h5 written by H5File.put_file in %.0f s" % (time.time() - t), file=sys.stderr)
PY
touch "$written"

status=0
decoded=$((frames * size * size * 2))
measure() {
    local name=$1
    peak_rss "$@"
    echo "$name: peak RSS $peak_mb MiB (limit $limit_mb MiB), wall $wall"
    if [ "$peak_mb" -gt "$limit_mb" ]; then
        echo "FAIL: $name peak RSS above $limit_mb MiB" >&2
        status=1
    fi
}
for file in spool aggregate; do
    path="$work/$file.h5"
    echo "$file.h5: $(du -h "$path" | cut -f1) on disk, $((decoded / 1048576)) MiB decoded"
    measure "export $file.h5" "$bin" export "$path" "$work/out.npy"
    npy_bytes=$(stat -c %s "$work/out.npy")
    if [ "$npy_bytes" -le "$decoded" ]; then
        echo "FAIL: $file: out.npy has $npy_bytes bytes, not $decoded + its header" >&2
        status=1
    fi
    rm -f "$work/out.npy"
    measure "verify $file.h5" "$bin" verify "$path"
done
exit $status
