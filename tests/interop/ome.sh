#!/usr/bin/env bash
# `convert --ome` output in the readers viewers use: zarr-python 2.18 with ome-zarr-py 0.10
# (NGFF 0.4) and zarr-python 3.1 with ome-zarr-py 0.18 (NGFF 0.4 and 0.5), each with our
# package (pymecompress_rs) installed, never imported: its entry points must register the
# pymecompress codecs, as they do for a viewer such as napari-ome-zarr. For each store, ome-zarr's Reader must
# find one multiscales image with the axes, scales and level shapes we wrote, and every level's
# pixels must equal PYME's `loads` of the frames transposed to (y, x) (lower levels: numpy's
# 2x2 mean, np.round half to even); zarr-python must read level 0 the same; in the zarr-python 3
# venv ome-zarr-models must validate the NGFF block and napari-ome-zarr's reader function give
# the same pixels, scales and axes (tests/interop/ome.py).
#
# Stores (PYME fixture series, fixtures/pyme_series/data): a Zarr v2 image re-encoded with zstd
# (C order); a Zarr v2 image whose Huffman payloads were moved (order F), as a 3-level pyramid;
# a Zarr v3 quant16 image with moved payloads (transpose codec) and 2 levels, and its Zarr v2
# twin (order F), and the same written by Python's to_ome_zarr; a series whose
# metadata says SizeZ 4 (a temporary copy with metadata.json edited), v2 and v3.
#
#   tests/interop/ome.sh
#
# Environment: PYTHON (default python3.11 or python3); OME_INTEROP_BIN a prebuilt pymecompress
# binary (default: cargo build --bin pymecompress); OME_INTEROP_WHEEL a prebuilt pymecompress_rs
# wheel for Python 3.11 (default: built by maturin). Venvs cached under target/ (py-venv-ome2,
# and py-venv-zarr3 shared with python/tests/run.sh; see fixtures/venvs.sh), the wheel built
# by maturin into target/ome-wheels (cargo's cache makes a rebuild of unchanged sources quick). Needs network the first time. Closing line:
# "ome_interop: N passed, M failed"; non-zero exit on any failure. napari-ome-zarr 0.10's
# reader runs in a third venv, target/py-venv-ome-napari (OME_NAPARI_VENV another, OME_NAPARI=0
# none), made here the first time (~750 MB with ome-zarr's own dependencies, no Qt binding).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
V2="$TARGET/py-venv-ome2"
V3="$TARGET/py-venv-zarr3"
PIP=(-q --disable-pip-version-check)
start=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ome-interop.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$REPO"

# fixtures/venvs.sh's `ome2` (ome-zarr 0.10, zarr 2.18, no reference) and `py-zarr3` (shared
# with python/tests/run.sh: zarr 3.1, ome-zarr 0.18); made here unless they already work,
# waiting for .ci/run's background preparation if that is making them.
# shellcheck source=../../fixtures/venvs.sh
source "$REPO/fixtures/venvs.sh"
venv_ensure ome2 "$V2"
venv_ensure py-zarr3 "$V3"

# napari-ome-zarr's reader, in a venv of its own (fixtures/venvs.sh's ome-napari: it needs
# zarr >= 3.1.5 and brings napari), so the shared venvs stay as they are. OME_NAPARI_VENV
# names another; OME_NAPARI=0 skips it.
VN="${OME_NAPARI_VENV:-$TARGET/py-venv-ome-napari}"
VENVS=("$V2" "$V3")
if [ "${OME_NAPARI:-1}" != 0 ]; then
  venv_ensure ome-napari "$VN"
  VENVS+=("$VN")
fi

# The wheel: given (OME_INTEROP_WHEEL, e.g. the one python/tests/run.sh just built into
# target/py-wheels), or built as python/tests/run.sh builds it (same target dir and cargo cache).
if [ -n "${OME_INTEROP_WHEEL:-}" ]; then
  WHEEL="$OME_INTEROP_WHEEL"
else
  rm -rf "$TARGET/ome-wheels"
  CARGO_TARGET_DIR="$TARGET" "$V2/bin/maturin" build --release -m python/Cargo.toml \
    --out "$TARGET/ome-wheels" -i "$V2/bin/python" 2>&1 | grep -E "^error|Built wheel" || true
  WHEEL="$(ls "$TARGET"/ome-wheels/pymecompress_rs-*.whl)"
fi
# OME_INTEROP_WHEEL_IN_ZARR3=1: python/tests/run.sh already installed this wheel into
# py-venv-zarr3, which another check may be using meanwhile (.ci/run runs dask_s3.sh at the
# same time): that venv is left as it is.
for v in "${VENVS[@]}"; do
  if [ "$v" = "$V3" ] && [ "${OME_INTEROP_WHEEL_IN_ZARR3:-0}" = 1 ]; then
    continue
  fi
  "$v/bin/pip" install "${PIP[@]}" --force-reinstall --no-deps "$WHEEL"
done

if [ -n "${OME_INTEROP_BIN:-}" ]; then
  BIN="$OME_INTEROP_BIN"
else
  cargo build --quiet --bin pymecompress
  BIN="$TARGET/debug/pymecompress"
fi

DATA="$REPO/fixtures/pyme_series/data"
COMPLETE=("$DATA/complete/server0/scan_000.pcs" --node "$DATA/complete/server1/scan_000.pcs")
QUANT="$DATA/quantized/server0/scan_002.pcs"
# A copy of the complete series whose metadata says 4 planes per time point, z fastest.
ZS="$WORK/zseries"
mkdir -p "$ZS/server0" "$ZS/server1"
cp -r "$DATA/complete/server0/scan_000.pcs" "$ZS/server0/"
cp -r "$DATA/complete/server1/scan_000.pcs" "$ZS/server1/"
"$V3/bin/python" - "$ZS"/server*/scan_000.pcs/metadata.json <<'EOF'
import json, sys
for path in sys.argv[1:]:
    m = json.load(open(path))
    m.update({"SizeZ": 4, "SizeT": -1, "DimOrder": "XYZTC", "voxelsize.z": 0.25,
              "Camera.CycleTime": 0.05})
    json.dump(m, open(path, "w"))
EOF
ZSERIES=("$ZS/server0/scan_000.pcs" --node "$ZS/server1/scan_000.pcs")

convert() {  # name, args...
  local name="$1"; shift
  "$BIN" convert "$@" "$WORK/$name" --ome >"$WORK/$name.log" 2>&1 || { cat "$WORK/$name.log" >&2; exit 1; }
}
convert v2_zstd.zarr "${COMPLETE[@]}" --codec zstd
convert v2_pyramid.zarr "${COMPLETE[@]}" --levels 3 --pixel-size 9 --frame-interval 0.02
convert v3_quant16.zarr "$QUANT" --zarr-format 3 --levels 2
convert v2_quant16.zarr "$QUANT"
convert v2_z.zarr "${ZSERIES[@]}"
convert v3_z.zarr "${ZSERIES[@]}" --zarr-format 3 --codec zstd
# The same image written in-process by Python's to_ome_zarr (the pyme crate's convert_to_dir).
"$V3/bin/python" - "$QUANT" "$WORK/py_v3_quant16.zarr" <<'PY'
import sys
from pymecompress_rs import ome
info = ome.to_ome_zarr(sys.argv[1], sys.argv[2], zarr_format=3, levels=2)
assert info["moved"] == 4, info
PY
# `export --level K` of each pyramid level, compared with what ome-zarr-py reads (ome.py).
for k in 0 1 2; do
  "$BIN" export "$WORK/v2_pyramid.zarr" "$WORK/v2_pyramid.zarr.level$k.npy" --level "$k" \
    >/dev/null 2>&1 || { echo "export --level $k failed" >&2; exit 1; }
done
grep -q "120 frames moved" "$WORK/v2_pyramid.zarr.log"
grep -q "4 frames moved" "$WORK/v3_quant16.zarr.log"
grep -q "4 frames moved" "$WORK/v2_quant16.zarr.log"

# name  zarr_format  expected.npy  axes  level-0 scale  levels
cat >"$WORK/cases.json" <<EOF
[
 ["v2_zstd.zarr", 2, "$DATA/complete/expected.npy", "tyx", [1.0, 0.1, 0.1], 1],
 ["v2_pyramid.zarr", 2, "$DATA/complete/expected.npy", "tyx", [0.02, 0.1, 0.1], 3],
 ["v3_quant16.zarr", 3, "$DATA/quantized/expected.npy", "tyx", [1.0, 0.1, 0.1], 2],
 ["py_v3_quant16.zarr", 3, "$DATA/quantized/expected.npy", "tyx", [1.0, 0.1, 0.1], 2],
 ["v2_quant16.zarr", 2, "$DATA/quantized/expected.npy", "tyx", [1.0, 0.1, 0.1], 1],
 ["v2_z.zarr", 2, "$DATA/complete/expected.npy", "tzyx", [0.05, 0.25, 0.1, 0.1], 1],
 ["v3_z.zarr", 3, "$DATA/complete/expected.npy", "tzyx", [0.05, 0.25, 0.1, 0.1], 1]
]
EOF
status=0
for v in "${VENVS[@]}"; do
  (cd "$WORK" && QT_QPA_PLATFORM=offscreen "$v/bin/python" -W ignore "$HERE/ome.py" "$WORK" \
    "$WORK/cases.json") || status=1
done
read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$WORK/counts" 2>/dev/null || echo "0 1")
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "ome_interop: wall time $((SECONDS - start)) s" >&2
echo "ome_interop: $passed passed, $failed failed"
exit $status
