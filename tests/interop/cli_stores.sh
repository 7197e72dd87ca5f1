#!/usr/bin/env bash
# Live check of what the `pymecompress` CLI reads and writes against other readers:
#  1. every Zarr v3 layout `convert` writes without a codec of ours (zstd, blosc, none,
#     sharded, --checksum, sharded with --checksum) is opened by plain zarr-python 3.1.6, with
#     our Python package NOT installed, and its values compared with the source's; its
#     zarr.json is compared with what zarr-python writes for the same array. (quant16 and
#     Huffman v3 stores need our package: python/tests covers them.)
#  2. tile pyramids written by PYME's own ImagePyramid (python-microscopy 26.9.3): `info` finds
#     every tile, `export` of every level equals PYME's reader (zarr 2 + `pyme://`), `verify`
#     passes, and a `convert` of the pyramid exports the same levels.
# Ends with `cli_stores_zarr3: N passed, M failed` and `cli_stores_pyme: N passed, M failed`.
# Needs network the first time (venvs, sdist); the venvs are cached under target/.
#
#   CLI_STORES_VENV  the plain zarr-python 3 venv (default: $REPO/target/zarr3-plain-venv)
#   CLI_STORES_BIN   a prebuilt pymecompress binary (default: cargo build --bin pymecompress)
#   PYTHON           interpreter that makes it (default: python3.11 or python3)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${CLI_STORES_VENV:-$REPO/target/zarr3-plain-venv}"
# shellcheck source=../../fixtures/venvs.sh
source "$REPO/fixtures/venvs.sh"
venv_ensure zarr3-plain "$VENV"
cd "$REPO"
if [ -n "${CLI_STORES_BIN:-}" ]; then
  BIN="$CLI_STORES_BIN"
else
  cargo build -q --bin pymecompress
  BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/pymecompress"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cli-stores.XXXXXX")"
PYME_TREE=""
trap 'rm -rf "$WORK" ${PYME_TREE:+"$PYME_TREE"}' EXIT

set +e
"$VENV/bin/python" -W ignore "$HERE/cli_stores_zarr3.py" "$BIN" "$REPO/fixtures/stores/zarr2" "$WORK/zarr3"
rc_zarr3=$?
set -e

# shellcheck source=../../fixtures/pyme_series/pyme_zarr_env.sh
source "$REPO/fixtures/pyme_series/pyme_zarr_env.sh"
set +e
HOME="$PYME_HOME" PYTHONPATH="$PYME_TREE" "$PYME_ZARR_VENV/bin/python" -W ignore \
  "$HERE/cli_stores_pyme.py" "$BIN" "$WORK/pyme"
rc_pyme=$?
set -e
[ "$rc_zarr3" -eq 0 ] && [ "$rc_pyme" -eq 0 ]
