#!/usr/bin/env bash
# Zarr stores in an S3-compatible object store and over plain HTTP, against real servers
# started here: moto's S3 server (`moto[server]` 5.x from PyPI, in a venv cached under target/)
# and `python -m http.server`. Checks, each printed as `ok`/`FAIL`:
#  - convert a PYME series, a .pzf and a local store into s3://BUCKET/KEY (Zarr v2 and v3,
#    quant16 and huffman), and a store from s3:// to s3://; export each and compare the .npy
#    with the export of the same convert to a local directory, byte for byte;
#  - info and verify on a store in s3 (complete);
#  - a convert into s3 killed mid-write: verify says NOT complete (exit 1), a new convert is
#    refused, `--resume` finishes it keeping the chunks already there, and the result equals
#    the local convert; an existing store is refused without --force;
#  - export and info of a store served read-only by `python -m http.server`;
#  - a missing bucket and an endpoint that is down end with exit 1 and the URL, within a bound;
#  - optional: zarr-python + s3fs open a v2 quant16 store we wrote (if target/py-venv-zarr3,
#    made by fixtures/venvs.sh with s3fs, has our package from python/tests/run.sh).
# Ends with `s3_interop: N passed, M failed`; non-zero exit on any failure. moto and the HTTP
# server are always stopped (trap). Needs network the first time (the venv).
#
#   S3_MOTO_VENV  a venv with moto's server (default: target/py-venv-zarr3, fixtures/venvs.sh's
#                 py-zarr3, which holds moto[server] 5 and s3fs)
#   S3_BIN        a prebuilt pymecompress binary (default: cargo build --bin pymecompress)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${S3_MOTO_VENV:-${CARGO_TARGET_DIR:-$REPO/target}/py-venv-zarr3}"
if ! "$VENV/bin/python" -c 'import moto.server, boto3' 2>/dev/null; then
  # shellcheck source=../../fixtures/venvs.sh
  source "$REPO/fixtures/venvs.sh"
  venv_ensure py-zarr3 "$VENV"
fi
if [ -z "${S3_BIN:-}" ]; then
  (cd "$REPO" && cargo build -q --bin pymecompress)
  S3_BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/pymecompress"
fi
BIN="$S3_BIN"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/s3-interop.XXXXXX")"
MOTO_PID=""
HTTP_PID=""
cleanup() {
  for pid in $MOTO_PID $HTTP_PID; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

PORT="$(free_port)"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
wait_port "$PORT"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
BUCKET=pmc
"$VENV/bin/python" - <<PY
import boto3
boto3.client("s3", endpoint_url="$AWS_ENDPOINT_URL", region_name="us-east-1").create_bucket(Bucket="$BUCKET")
PY
objects() { # keys under s3://$BUCKET/$1
  "$VENV/bin/python" - "$1" <<'PY'
import os, sys, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
pages = s3.get_paginator("list_objects_v2").paginate(Bucket="pmc", Prefix=sys.argv[1] + "/")
for page in pages:
    for o in page.get("Contents", []):
        print(o["Key"])
PY
}

passed=0
failed=0
check() { # NAME CMD...: runs CMD, counts it
  local name="$1"; shift
  if "$@" >"$WORK/last.out" 2>&1; then
    passed=$((passed + 1)); echo "ok    $name"
  else
    failed=$((failed + 1)); echo "FAIL  $name"; sed 's/^/      /' "$WORK/last.out" | tail -20
  fi
}
# same_export NAME SRC_ARGS...: convert SRC to s3 and to a local dir with the same flags,
# export both, compare the .npy files.
same_export() {
  local name="$1" src="$2"; shift 2
  "$BIN" convert "$src" "s3://$BUCKET/$name.zarr" "$@" &&
    "$BIN" convert "$src" "$WORK/$name.zarr" "$@" &&
    "$BIN" export "s3://$BUCKET/$name.zarr" "$WORK/$name.s3.npy" &&
    "$BIN" export "$WORK/$name.zarr" "$WORK/$name.local.npy" &&
    cmp "$WORK/$name.s3.npy" "$WORK/$name.local.npy"
}
# fails_naming TEXT CMD...: exit status 1 and TEXT in stderr, within 120 s.
fails_naming() {
  local text="$1" rc=0; shift
  timeout 120 "$@" 2>"$WORK/err" || rc=$?
  cat "$WORK/err"
  [ "$rc" -eq 1 ] && grep -qF -- "$text" "$WORK/err"
}

SERIES="$REPO/fixtures/pyme_series/data/complete"
PZF="$REPO/fixtures/pzf/v1_u16_quant.pzf"
STORE="$REPO/fixtures/stores/zarr2/q16_o0_s2_stack.zarr"
for fmt in 2 3; do
  for codec in quant16 huffman; do
    # The series is not quantized: quant16 needs its parameters.
    params=()
    [ "$codec" = quant16 ] && params=(--offset 0 --scale 1)
    check "series -> s3 v$fmt $codec, export equals local" same_export "series_v${fmt}_$codec" \
      "$SERIES/server0/scan_000.pcs" --node "$SERIES/server1/scan_000.pcs" \
      --zarr-format "$fmt" --codec "$codec" "${params[@]}"
  done
done
check ".pzf -> s3 v3 huffman, export equals local" same_export pzf_v3 "$PZF" --zarr-format 3 --codec huffman
check "store -> s3 v3 quant16, export equals local" same_export store_v3 "$STORE" --zarr-format 3 --codec quant16
check "s3 store -> s3 v2 huffman, export equals local" same_export s3_to_s3 \
  "s3://$BUCKET/series_v3_quant16.zarr" --zarr-format 2 --codec huffman
check "info on s3" "$BIN" info "s3://$BUCKET/series_v3_quant16.zarr"
check "verify on s3 says complete" bash -c \
  "'$BIN' verify 's3://$BUCKET/series_v2_huffman.zarr' | grep -q 'complete (every recorded chunk present)'"
check "no manifest left in a finished s3 store" bash -c \
  "! ( $(declare -f objects); VENV='$VENV' objects series_v2_huffman.zarr | grep -q pymecompress-write )"
check "an existing s3 store is refused without --force" fails_naming "--force" \
  "$BIN" convert "$STORE" "s3://$BUCKET/store_v3.zarr" --codec huffman
check "--force replaces an s3 store" "$BIN" convert "$STORE" "s3://$BUCKET/store_v3.zarr" --codec huffman --force

# A convert killed mid-write, then --resume.
"$BIN" demo --frames 300 --size 256 --out "$WORK/demo" --seed 3 >/dev/null
BIG="$(find "$WORK/demo" -maxdepth 1 -name '*.zarr' | sort | head -1)"
KILL_ARGS=(--zarr-format 3 --codec quant16 --chunks 1,256,256)
"$BIN" convert "$BIG" "$WORK/big.zarr" "${KILL_ARGS[@]}" >/dev/null
"$BIN" convert "$BIG" "s3://$BUCKET/big.zarr" "${KILL_ARGS[@]}" >/dev/null 2>&1 &
CONVERT_PID=$!
for _ in $(seq 600); do
  n="$(objects big.zarr | grep -c '/c/' || true)"
  [ "$n" -ge 20 ] && break
  kill -0 "$CONVERT_PID" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$CONVERT_PID" 2>/dev/null || true
wait "$CONVERT_PID" 2>/dev/null || true
echo "      killed the convert with $(objects big.zarr | grep -c '/c/' || true) chunks in s3"
check "verify of a killed s3 convert says NOT complete" fails_naming "NOT complete" \
  "$BIN" verify "s3://$BUCKET/big.zarr"
check "a new convert onto the leftover is refused, naming --resume" fails_naming "--resume" \
  "$BIN" convert "$BIG" "s3://$BUCKET/big.zarr" "${KILL_ARGS[@]}"
check "--resume with other arguments is refused" bash -c \
  "'$BIN' convert '$BIG' 's3://$BUCKET/big.zarr' --zarr-format 3 --codec huffman --chunks 1,256,256 --resume; [ \$? -eq 2 ]"
check "--resume finishes it, keeping written chunks" bash -c \
  "'$BIN' convert '$BIG' 's3://$BUCKET/big.zarr' ${KILL_ARGS[*]} --resume 2>&1 | tee /dev/stderr | grep -q 'chunks kept'"
check "the resumed store verifies complete" "$BIN" verify "s3://$BUCKET/big.zarr"
check "the resumed store exports as the local convert" bash -c \
  "'$BIN' export 's3://$BUCKET/big.zarr' '$WORK/big.s3.npy' && '$BIN' export '$WORK/big.zarr' '$WORK/big.local.npy' && cmp '$WORK/big.s3.npy' '$WORK/big.local.npy'"

# Read-only http:// stores (python's http.server: no listing, no Range).
HTTP_PORT="$(free_port)"
(cd "$WORK" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP_PORT" >"$WORK/http.log" 2>&1) &
HTTP_PID=$!
wait_port "$HTTP_PORT"
ARRAY="$("$BIN" info --json "$WORK/series_v3_quant16.zarr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["arrays"][0]["path"])')"
check "export from http:// equals local" bash -c \
  "'$BIN' export 'http://127.0.0.1:$HTTP_PORT/series_v3_quant16.zarr$ARRAY' '$WORK/http.npy' && cmp '$WORK/http.npy' '$WORK/series_v3_quant16.local.npy'"
check "info on an http:// array" "$BIN" info "http://127.0.0.1:$HTTP_PORT/series_v2_huffman.zarr$ARRAY"
check "an http:// URL without zarr metadata is not taken for a store" fails_naming \
  "127.0.0.1:$HTTP_PORT" "$BIN" info "http://127.0.0.1:$HTTP_PORT/nothing.zarr"

# Faults.
check "a missing bucket: exit 1 naming the URL" fails_naming "s3://no-such-bucket/x.zarr" \
  "$BIN" export "s3://no-such-bucket/x.zarr" "$WORK/x.npy"
check "a missing bucket as output: exit 1 naming the URL" fails_naming "s3://no-such-bucket/y.zarr" \
  "$BIN" convert "$STORE" "s3://no-such-bucket/y.zarr" --codec huffman
DOWN="$(free_port)"
check "an endpoint that is down: exit 1 naming the URL" fails_naming "s3://$BUCKET/store_v3.zarr" \
  env AWS_ENDPOINT_URL="http://127.0.0.1:$DOWN" "$BIN" info "s3://$BUCKET/store_v3.zarr"
check "a missing key: exit 1 naming it" fails_naming "no such store" \
  "$BIN" info "s3://$BUCKET/nothing.zarr"

# Optional: zarr-python + s3fs read a store we wrote.
PYV="$REPO/target/py-venv-zarr3"
if [ -x "$PYV/bin/python" ] && "$PYV/bin/python" -c 'import zarr, s3fs, pymecompress_rs' 2>/dev/null; then
  # Optional and not counted (it needs our wheel, which another CI lane installs into this venv).
  if "$PYV/bin/python" - >"$WORK/zarr.out" 2>&1 <<PY
import numpy as np, zarr, pymecompress_rs  # noqa: F401 (registers the codecs)
node = zarr.open("s3://$BUCKET/series_v3_quant16.zarr", mode="r",
                  storage_options={"endpoint_url": "$AWS_ENDPOINT_URL", "key": "testing", "secret": "testing"})
# a series converts to an array at the store's root; a group holds it under its path
a = (node if isinstance(node, zarr.Array) else node["${ARRAY#/}"])[...]
b = np.load("$WORK/series_v3_quant16.local.npy")
assert a.shape == b.shape and (a == b).all(), (a.shape, b.shape)
PY
  then echo "ok    (optional) zarr-python + s3fs read our v3 quant16 store"
  else echo "FAIL  (optional, not counted) zarr-python + s3fs:"; tail -3 "$WORK/zarr.out" | sed 's/^/      /'
  fi
else
  echo "skip  zarr-python + s3fs (no $PYV with zarr and pymecompress_rs; python/tests/run.sh makes it)"
fi

echo "s3_interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
