#!/usr/bin/env bash
# The Python package's checks, called by .ci/run:   bash python/tests/run.sh
#
# 1. builds the wheel once (maturin build --release, into target/py-wheels),
# 2. makes (once, cached under target/) two venvs and installs the wheel in both:
#      target/py-venv-zarr2  zarr-python 2.18, numcodecs<0.16, numpy<2, and the real
#                            pymecompress 0.3.6 (the reference, built --no-build-isolation)
#      target/py-venv-zarr3  zarr-python 3.1, numcodecs 0.16, dask[distributed]
#      (both with fsspec, for the pyme:// filesystem)
# 3. builds the Rust CLI (cargo build --release) for the Zarr v3 round trips,
# 4. runs pytest on python/tests in each venv, then PYME's own tests/PYME/IO/test_pzf.py
#    (python-microscopy 26.9.3 sdist, fetched by fixtures/pzf/pyme_env.sh) unmodified
#    against pymecompress_rs in a pytest run of its own.
# Exit status non-zero if any step or test fails. Timings are printed per step.
#
# Environment: PYTHON (interpreter for the venvs, default python3.11 or python3);
# PYMECOMPRESS_CLI (a pymecompress binary to use instead of building target/release/pymecompress,
# e.g. the target/debug one `cargo test --workspace` already built).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
V2="$TARGET/py-venv-zarr2"
V3="$TARGET/py-venv-zarr3"
PIP_FLAGS=(-q --disable-pip-version-check)
t0=$SECONDS
step() { printf '\n--- python: %s (%ss elapsed)\n' "$1" "$((SECONDS - t0))"; }

step "venv zarr-python 2.18 + reference pymecompress 0.3.6"
if ! "$V2/bin/python" -c "import zarr, numcodecs, pymecompress.bcl, pytest, six, maturin; assert zarr.__version__.startswith('2.18')" >/dev/null 2>&1; then
  rm -rf "$V2"
  "$PY" -m venv "$V2"
  "$V2/bin/pip" install "${PIP_FLAGS[@]}" "numpy<2" cython setuptools wheel six pytest "maturin>=1.9,<2"
  # the reference's setup.py imports numpy: build isolation off
  "$V2/bin/pip" install "${PIP_FLAGS[@]}" --no-build-isolation pymecompress==0.3.6
  "$V2/bin/pip" install "${PIP_FLAGS[@]}" "zarr>=2.18,<3" "numcodecs<0.16" "numpy<2"
fi

step "venv zarr-python 3.1 + dask.distributed"
if ! "$V3/bin/python" -c "import zarr, numcodecs, dask.distributed, pytest; assert zarr.__version__.startswith('3.1')" >/dev/null 2>&1; then
  rm -rf "$V3"
  "$PY" -m venv "$V3"
  "$V3/bin/pip" install "${PIP_FLAGS[@]}" "zarr>=3.1.3,<3.2" "numcodecs>=0.16,<0.17" "dask[array,distributed]" pytest
fi

# fsspec: the pyme:// filesystem's tests (test_pyme_fs.py); venvs made before it was needed
# get it here
for v in "$V2" "$V3"; do
  "$v/bin/python" -c "import fsspec" >/dev/null 2>&1 || "$v/bin/pip" install "${PIP_FLAGS[@]}" fsspec
done

step "maturin build --release (wheel into $TARGET/py-wheels)"
rm -rf "$TARGET/py-wheels"
CARGO_TARGET_DIR="$TARGET" "$V2/bin/maturin" build --release -m python/Cargo.toml \
  --out "$TARGET/py-wheels" -i "$V2/bin/python" 2>&1 | grep -E "Built wheel|error|warning" || true
WHEEL="$(ls "$TARGET"/py-wheels/pymecompress_rs-*.whl)"
echo "wheel: $(basename "$WHEEL") ($(stat -c %s "$WHEEL") bytes)"
for v in "$V2" "$V3"; do
  "$v/bin/pip" install "${PIP_FLAGS[@]}" --force-reinstall --no-deps "$WHEEL"
done

if [ -n "${PYMECOMPRESS_CLI:-}" ]; then
  step "the pymecompress CLI: $PYMECOMPRESS_CLI (given)"
else
  step "cargo build --release (the pymecompress CLI)"
  cargo build --release --quiet -p pymecompress
  export PYMECOMPRESS_CLI="$TARGET/release/pymecompress"
fi

status=0
run_pytest() {  # name, venv, required features, pytest args...
  local name="$1" venv="$2" require="$3"; shift 3
  step "pytest: $name"
  local start=$SECONDS
  # run from a neutral directory so that `import pymecompress_rs` is the installed wheel
  if ! (cd "$TARGET" && PYMECOMPRESS_RS_REQUIRE="$require" timeout 900 \
        "$venv/bin/python" -m pytest -p no:cacheprovider -ra "$@"); then
    status=1
  fi
  echo "pytest $name: $((SECONDS - start)) s"
}
run_pytest "zarr-python 2.18 + reference" "$V2" "reference,zarr2" "$REPO/python/tests"
run_pytest "zarr-python 3.1 + CLI + dask" "$V3" "zarr3,cli,dask" "$REPO/python/tests"

step "PYME's test_pzf.py against pymecompress_rs"
# pyme_env.sh fetches the sdist once (cached in target/pyme-sdist) and extracts
# PZFFormat.py and test_pzf.py to a fresh temporary directory; the zarr 2 venv has what it
# checks for (numpy, six, pytest, pymecompress.bcl), so it makes no venv of its own.
PYME_VENV="$V2" source fixtures/pzf/pyme_env.sh
PEER="$(mktemp -d "${TMPDIR:-/tmp}/pyme-peer.XXXXXX")"
cp "$HERE/pyme_peer/conftest.py" "$PYME_SRC/tests/PYME/IO/test_pzf.py" "$PEER/"
rm -rf "$PYME_SRC"
run_pytest "PYME tests/PYME/IO/test_pzf.py (unmodified)" "$V2" "" "$PEER"
rm -rf "$PEER"

step "done (status $status)"
exit $status
