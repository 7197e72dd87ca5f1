#!/usr/bin/env bash
# The `s3_read` row (issue 21): export of a quant16 store from an S3 server (moto, started
# here on loopback) against the export of the same store from local disk. Run by hand on a
# quiet machine; there is no target: the ratio measures moto (a Python server) as much as us.
#
#   benches/s3_read.sh [FRAMES [SIZE]]     (default 200 frames of 512x512 uint16)
#
# Builds the release binary, makes a demo series' quant16 store (one chunk per frame),
# uploads it with `convert` into s3://bench/q16.zarr, then times 3 exports of each and prints
#   s3_read  local S.SSS s  s3 S.SSS s  ratio R.RRx  (FRAMES frames SIZExSIZE, N MB stored)
# (best of 3 each). Needs the moto venv (tests/interop/s3.sh makes it: target/moto-venv).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
FRAMES="${1:-200}"
SIZE="${2:-512}"
VENV="${S3_MOTO_VENV:-$REPO/target/moto-venv}"
if ! "$VENV/bin/python" -c 'import moto.server, boto3' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'moto[server]>=5,<6'
fi
(cd "$REPO" && cargo build -q --release --bin pymecompress)
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/pymecompress"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/s3-bench.XXXXXX")"
MOTO_PID=""
trap '[ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
  sleep 0.1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
"$VENV/bin/python" -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL', region_name='us-east-1').create_bucket(Bucket='bench')"

"$BIN" demo --frames "$FRAMES" --size "$SIZE" --out "$WORK/demo" --seed 1 >/dev/null
SRC="$(find "$WORK/demo" -maxdepth 1 -name '*.zarr' | sort | head -1)"
"$BIN" convert "$SRC" "$WORK/q16.zarr" --codec quant16 --chunks "1,$SIZE,$SIZE" >/dev/null
"$BIN" convert "$WORK/q16.zarr" s3://bench/q16.zarr >/dev/null
STORED_MB="$(du -sm "$WORK/q16.zarr" | cut -f1)"

best() { # best wall time of 3 runs of "$@", in seconds
  python3 - "$@" <<'PY'
import subprocess, sys, time
times = []
for _ in range(3):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(f"{min(times):.3f}")
PY
}
LOCAL="$(best "$BIN" export "$WORK/q16.zarr" "$WORK/local.npy" --force)"
S3="$(best "$BIN" export s3://bench/q16.zarr "$WORK/s3.npy" --force)"
cmp "$WORK/local.npy" "$WORK/s3.npy"
RATIO="$(python3 -c "print(f'{$S3 / $LOCAL:.2f}')")"
echo "s3_read  local $LOCAL s  s3 $S3 s  ratio ${RATIO}x  ($FRAMES frames ${SIZE}x$SIZE, $STORED_MB MB stored; load $(cut -d' ' -f1-3 /proc/loadavg))"
