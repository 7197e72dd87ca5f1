#!/usr/bin/env bash
# Live check of a PYME series read over HTTP: two of PYME's own data servers
# (python-microscopy 26.9.3, `python -m PYME.cluster.HTTPDataServer -a local`) on free
# loopback ports over temporary roots get the fixture series (fixtures/pyme_series/data/
# complete, its server0/server1 split) by HTTP PUT as PYME's spooler sends it; then our CLI's
# `info --json`, `export` (against expected.npy), `convert --codec huffman` and `verify` run on
# `http://127.0.0.1:P0/scan_000.pcs --node http://127.0.0.1:P1/scan_000.pcs`. A live series:
# `convert --follow` started against two fresh servers before the acquisition, the fixture then
# PUT frame by frame (metadata.json first, events.json last); the store must hold chunks before
# events.json, end with exit 0, and export as expected.npy. Faults: a data
# server killed mid-read, and a fake server (non-JSON listing, short bodies, a 404 for a listed
# frame, a listing that never comes, an absurd Content-Length, a frame file holding another
# frame or a frame of another shape: found when that frame is read, since opening fetches only
# the lowest-numbered frame's file) each end in exit 1 naming the server and file, in bounded
# time, leaving no output (tests/interop/http_series.py).
#
#   tests/interop/http_series.sh
#
# Environment:
#   PYME_H5_VENV     venv with PYME's server dependencies (numpy<2, tables, ujson, six, pyyaml,
#                    jinja2, requests, zeroconf, pymecompress 0.3.6); default
#                    $REPO/target/pyme-h5-venv, made by fixtures/pyme_h5/pyme_h5_env.sh
#   HTTP_SERIES_BIN  a prebuilt pymecompress binary (default: cargo build --bin pymecompress)
# Loopback only. Everything the servers write (LOGS, the registry PYME keeps in its temporary
# directory, ~/.PYME) stays in a temporary directory, deleted with the servers on exit.
# Closing line: "http_series: N passed, M failed"; non-zero exit on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYME_TREE=
WORK="$(mktemp -d "${TMPDIR:-/tmp}/http-series.XXXXXX")"
PY_PID=
cleanup() {
  # The driver kills every server it starts itself; this is the backstop for a driver that
  # was itself killed (its servers stay in its process group).
  if [ -n "$PY_PID" ]; then kill -- -"$PY_PID" 2>/dev/null || true; fi
  [ -z "$PYME_TREE" ] || rm -rf "$PYME_TREE"
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=../../fixtures/pyme_h5/pyme_h5_env.sh
source "$REPO/fixtures/pyme_h5/pyme_h5_env.sh"

BIN="${HTTP_SERIES_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/debug/pymecompress}"
[ -n "${HTTP_SERIES_BIN:-}" ] || (cd "$REPO" && cargo build --quiet --bin pymecompress)

mkdir -p "$WORK/tmp"
# setsid: the driver leads a process group holding every server it starts, for the trap.
# `timeout` bounds the whole run (its own checks are each bounded far below this).
set +e
HOME="$PYME_HOME" TMPDIR="$WORK/tmp" PYTHONPATH="$PYME_TREE" \
  setsid timeout -k 10 600 "$PYME_H5_VENV/bin/python" -W ignore "$HERE/http_series.py" \
  "$REPO" "$BIN" "$WORK" &
PY_PID=$!
wait "$PY_PID"
status=$?
set -e
PY_PID=
exit "$status"
