#!/usr/bin/env bash
# Issue 21 item 5, end to end: `da.to_zarr(pyme.open(url, nodes=[url2]).to_dask(), "s3://...")`
# on a 2-worker dask.distributed LocalCluster (worker processes), reading a series from two of
# PYME's own data servers (python-microscopy 26.9.3, `python -m PYME.cluster.HTTPDataServer -a
# local` on loopback over temporary roots, fed the fixture series fixtures/pyme_series/data/
# complete by HTTP PUT as PYME's spooler sends it) and writing a Zarr v3 quant16 store into a
# bucket of a local moto S3 server (`moto_server -H 127.0.0.1 -p PORT`) through zarr 3.1 +
# s3fs. Then it reads the store back and checks it against pymecompress 0.3.6's own quant16 of
# the frames PYME reads, that each worker read frames and that both servers served them
# (python/tests/dask_s3.py says exactly what is checked).
#
#   bash python/tests/dask_s3.sh
#
# Venvs, made once and cached under target/:
#   PYME_H5_VENV           PYME's server dependencies and pymecompress 0.3.6
#                          (fixtures/pyme_h5/pyme_h5_env.sh)
#   target/py-venv-zarr3   fixtures/venvs.sh's py-zarr3 (zarr 3.1, numcodecs 0.16,
#                          dask[distributed]), plus s3fs, moto[server] and maturin, added here
# The wheel is built here (maturin build --release, into target/py-wheels-dask-s3) and
# installed in target/py-venv-zarr3; DASK_S3_NO_BUILD=1 uses the pymecompress_rs installed
# there instead. Loopback only; every server is killed on exit (the driver's process group).
# Closing line: "dask_s3: PASS (N checks)" or "dask_s3: FAIL (...)"; non-zero exit on failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
V3="$TARGET/py-venv-zarr3"
PIP_FLAGS=(-q --disable-pip-version-check)
PYME_TREE=
PY_PID=
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dask-s3.XXXXXX")"
cleanup() {
  # The driver kills every server it starts; this is the backstop for a driver that was
  # itself killed (servers and dask workers stay in its process group).
  if [ -n "$PY_PID" ]; then kill -- -"$PY_PID" 2>/dev/null || true; fi
  [ -z "$PYME_TREE" ] || rm -rf "$PYME_TREE"
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "dask_s3: FAIL ($1)"; exit 1; }

# shellcheck source=../../fixtures/pyme_h5/pyme_h5_env.sh
source "$REPO/fixtures/pyme_h5/pyme_h5_env.sh" || fail "PYME's venv"

# shellcheck source=../../fixtures/venvs.sh
source "$REPO/fixtures/venvs.sh"
venv_ensure py-zarr3 "$V3" || fail "venv $V3"
# what py-zarr3 does not hold: the S3 client, the S3 server, and maturin to build the wheel
if ! "$V3/bin/python" -c "import s3fs, moto.server, maturin" >/dev/null 2>&1; then
  "$V3/bin/pip" install "${PIP_FLAGS[@]}" s3fs "moto[server]" "maturin>=1.9,<2" \
    || fail "pip install s3fs moto[server] maturin into $V3"
fi

if [ "${DASK_S3_NO_BUILD:-0}" != 1 ]; then
  rm -rf "$TARGET/py-wheels-dask-s3"
  CARGO_TARGET_DIR="$TARGET" "$V3/bin/maturin" build --release -m python/Cargo.toml \
    --out "$TARGET/py-wheels-dask-s3" -i "$V3/bin/python" 2>&1 | grep -E "Built wheel|error" || true
  WHEEL="$(ls "$TARGET"/py-wheels-dask-s3/pymecompress_rs-*.whl 2>/dev/null)" || fail "maturin build"
  "$V3/bin/pip" install "${PIP_FLAGS[@]}" --force-reinstall --no-deps "$WHEEL" || fail "pip install $WHEEL"
fi

# setsid: the driver leads a process group holding every server and worker it starts, for the
# trap. `timeout` bounds the whole run (about 30 s when the venvs and wheel are cached).
set +e
PYME_TREE="$PYME_TREE" PYME_HOME="$PYME_HOME" \
  setsid timeout -k 10 600 "$V3/bin/python" -W ignore "$HERE/dask_s3.py" \
  "$REPO" "$WORK" "$PYME_H5_VENV/bin/python" &
PY_PID=$!
wait "$PY_PID"
status=$?
set -e
PY_PID=
[ "$status" = 0 ] || [ "$status" = 1 ] || echo "dask_s3: FAIL (driver exit $status)"
exit "$status"
