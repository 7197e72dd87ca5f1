#!/usr/bin/env bash
# Live check against PYME's zarr_compat (python-microscopy 26.9.3) with zarr-python 2.18:
# our pyme-pzf writes -> PYME's codec reads; PYME's ImagePyramid -> our PymeTileStore reads.
# Ends with `pyme_zarr: N passed, M failed`. Needs network the first time (venv, sdist).
# PYME_ZARR_BIN: a prebuilt examples/pyme_zarr_interop_driver (default: cargo build --example
# pyme_zarr_interop_driver).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../fixtures/pyme_series/pyme_zarr_env.sh
source "$REPO/fixtures/pyme_series/pyme_zarr_env.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pyme-zarr.XXXXXX")"
trap 'rm -rf "$PYME_TREE" "$WORK"' EXIT
cd "$REPO"
if [ -n "${PYME_ZARR_BIN:-}" ]; then
  BIN="$PYME_ZARR_BIN"
else
  cargo build -q --example pyme_zarr_interop_driver
  BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/examples/pyme_zarr_interop_driver"
fi
"$BIN" write "$WORK/ours"
mkdir -p "$WORK/pyme"
HOME="$PYME_HOME" PYTHONPATH="$PYME_TREE" "$PYME_ZARR_VENV/bin/python" -W ignore \
  "$REPO/tests/interop/pyme_zarr.py" "$WORK/ours" "$WORK/pyme" "$BIN"
