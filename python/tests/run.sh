#!/usr/bin/env bash
# The Python package's checks, called by .ci/run:   bash python/tests/run.sh
#
# 1. builds the wheel once (maturin build --profile $PY_WHEEL_PROFILE, into target/py-wheels),
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
# PY_WHEEL_PROFILE (cargo profile of the wheel: release by default; .ci/run gives dev, which
# reuses most of what `cargo test --workspace` compiled: 113 s against 235 s for release,
# alone on 2 cores, and pytest ran in 26 s on it, with overflow checks and debug assertions);
# PYMECOMPRESS_CLI (a pymecompress binary to use instead of building target/release/pymecompress,
# e.g. the target/debug one `cargo test --workspace` already built).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
V2="$TARGET/py-venv-zarr2"
V3="$TARGET/py-venv-zarr3"
PIP_FLAGS=(-q --disable-pip-version-check)
t0=$SECONDS
step() { printf '\n--- python: %s (%ss elapsed)\n' "$1" "$((SECONDS - t0))"; }

# fixtures/venvs.sh's `py-zarr2` and `py-zarr3` (made here unless they already work, waiting
# for .ci/run's background preparation if that is making them)
# shellcheck source=../../fixtures/venvs.sh
source fixtures/venvs.sh
step "venv zarr-python 2.18 + reference pymecompress 0.3.6"
venv_ensure py-zarr2 "$V2"
step "venv zarr-python 3.1 + dask.distributed (+ ome-zarr, for tests/interop/ome.sh)"
venv_ensure py-zarr3 "$V3"

# fsspec: the pyme:// filesystem's tests (test_pyme_fs.py); venvs made before it was needed
# get it here
for v in "$V2" "$V3"; do
  "$v/bin/python" -c "import fsspec" >/dev/null 2>&1 || "$v/bin/pip" install "${PIP_FLAGS[@]}" fsspec
done

PY_WHEEL_PROFILE="${PY_WHEEL_PROFILE:-release}"
step "maturin build --profile $PY_WHEEL_PROFILE (wheel into $TARGET/py-wheels)"
rm -rf "$TARGET/py-wheels"
CARGO_TARGET_DIR="$TARGET" "$V2/bin/maturin" build --profile "$PY_WHEEL_PROFILE" -m python/Cargo.toml \
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
run_pytest() {  # name, venv, required features, pytest args...; returns pytest's status
  local name="$1" venv="$2" require="$3"; shift 3
  step "pytest: $name"
  local start=$SECONDS st=0
  # run from a neutral directory so that `import pymecompress_rs` is the installed wheel
  (cd "$TARGET" && PYMECOMPRESS_RS_REQUIRE="$require" timeout 900 \
    "$venv/bin/python" -m pytest -p no:cacheprovider -ra "$@") || st=$?
  echo "pytest $name: $((SECONDS - start)) s"
  return "$st"
}
# The two venvs' runs at once, each mostly one process on one core (38 s and 48 s one after
# the other in CI); every test writes under its own tmp_path. Their outputs are printed whole,
# one after the other.
PYTEST_LOGS="$(mktemp -d "${TMPDIR:-/tmp}/pytest-logs.XXXXXX")"
run_pytest "zarr-python 2.18 + reference" "$V2" "reference,zarr2" "$REPO/python/tests" \
  >"$PYTEST_LOGS/zarr2" 2>&1 &
PID_ZARR2=$!
run_pytest "zarr-python 3.1 + CLI + dask" "$V3" "zarr3,cli,dask" "$REPO/python/tests" \
  >"$PYTEST_LOGS/zarr3" 2>&1 &
PID_ZARR3=$!
wait "$PID_ZARR2" || status=1
cat "$PYTEST_LOGS/zarr2"
wait "$PID_ZARR3" || status=1
cat "$PYTEST_LOGS/zarr3"
rm -rf "$PYTEST_LOGS"

step "PYME's test_pzf.py against pymecompress_rs"
# pyme_sdist fetches the sdist once (cached in target/pyme-sdist); only test_pzf.py is
# extracted, to a fresh temporary directory; the zarr 2 venv has what it needs (numpy, six,
# pytest, pymecompress.bcl).
# shellcheck source=../../fixtures/pyme_venv.sh
source fixtures/pyme_venv.sh
pyme_sdist "$REPO"
PEER="$(mktemp -d "${TMPDIR:-/tmp}/pyme-peer.XXXXXX")"
tar -xzf "$REPO/target/pyme-sdist/$PYME_SDIST_NAME" -C "$PEER" --strip-components=4 \
  --wildcards '*/tests/PYME/IO/test_pzf.py'
cp "$HERE/pyme_peer/conftest.py" "$PEER/"
run_pytest "PYME tests/PYME/IO/test_pzf.py (unmodified)" "$V2" "" "$PEER" || status=1
rm -rf "$PEER"

step "done (status $status)"
exit $status
