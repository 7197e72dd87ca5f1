#!/usr/bin/env bash
# Live interop cross-check of the Rust codecs against the real pymecompress 0.3.6.
#
#   tests/interop/run.sh            # random seed, printed
#   INTEROP_SEED=123 tests/interop/run.sh
#
# Environment:
#   INTEROP_VENV   venv with the reference (default: $REPO/target/pyme-venv, fixtures/venvs.sh's
#                  `pyme`); made here unless it already passes that venv's check
#   INTEROP_SEED   case seed (default: random, printed)
#   INTEROP_BIN    a prebuilt examples/interop_codecs_driver binary (default: cargo build --example
#                  interop_codecs_driver)
#   INTEROP_STORES_BIN  a prebuilt zarr-plugin examples/interop_stores_driver (default: cargo build
#                  -p zarrs-pymecompress --example interop_stores_driver)
#   INTEROP_STREAM_CASES / INTEROP_QUANT_CASES / INTEROP_CHUNK_CASES   case counts (240/60/40)
#   PYTHON         interpreter that makes the venv (default: python3)
# Then tests/interop/zarr_stores.py checks Zarr v2 stores both ways: written by zarrs +
# zarrs-pymecompress and read by zarr-python 2.18 + pymecompress, and the reverse.
# Exit status: non-zero on any mismatch. Closing lines: "interop: N passed, N failed" and
# "zarr_stores: N passed, N failed".
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${INTEROP_VENV:-$REPO/target/pyme-venv}"
start=$(date +%s)

# fixtures/venvs.sh's `pyme` venv: numpy<2, zarr 2.18, numcodecs 0.15 and the reference
# (shared with the PYME checks; made here unless it already works, waiting for .ci/run's
# background preparation if that is making it)
# shellcheck source=../../fixtures/venvs.sh
source "$REPO/fixtures/venvs.sh"
venv_ensure pyme "$VENV"

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
if [ -n "${INTEROP_BIN:-}" ]; then
  BIN="$INTEROP_BIN"
else
  (cd "$REPO" && cargo build --quiet --example interop_codecs_driver)
  BIN="$TARGET_DIR/debug/examples/interop_codecs_driver"
fi
if [ -n "${INTEROP_STORES_BIN:-}" ]; then
  STORES_BIN="$INTEROP_STORES_BIN"
else
  (cd "$REPO" && cargo build --quiet -p zarrs-pymecompress --example interop_stores_driver)
  STORES_BIN="$TARGET_DIR/debug/examples/interop_stores_driver"
fi

set +e
"$VENV/bin/python" "$HERE/interop.py" --bin "$BIN"
rc=$?
"$VENV/bin/python" "$HERE/zarr_stores.py" --example-bin "$STORES_BIN"
rc_stores=$?
set -e
echo "interop: wall time $(( $(date +%s) - start )) s" >&2
[ "$rc" -eq 0 ] && [ "$rc_stores" -eq 0 ]
