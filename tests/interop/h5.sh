#!/usr/bin/env bash
# Live cross-check of our .h5 reading against PYME's own code (python-microscopy 26.9.3):
# fresh files are written by PYME's writers (fixtures/pyme_h5/generate.py: H5File.put_file,
# HDFBackend, H5Exporter), then our CLI's `info --json`, `export` and `convert` on each are
# compared with what PYME's HDFDataSource reads from the same file (tests/interop/h5.py).
#
#   tests/interop/h5.sh
#
# Environment:
#   PYME_H5_VENV  venv with PYME's HDF5 dependencies (default $REPO/target/pyme-h5-venv; made
#                 by fixtures/pyme_h5/pyme_h5_env.sh unless it works)
#   H5_INTEROP_BIN  a prebuilt pymecompress binary (default: cargo build --bin pymecompress)
# Needs network the first time (venv, sdist); the GPL sources are extracted to a temporary
# directory and deleted after the run. Closing line: "h5_interop: N passed, M failed";
# non-zero exit on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
start=$(date +%s)
PYME_TREE=
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pyme-h5.XXXXXX")"
trap '[ -z "$PYME_TREE" ] || rm -rf "$PYME_TREE"; rm -rf "$WORK"' EXIT
# shellcheck source=../../fixtures/pyme_h5/pyme_h5_env.sh
source "$REPO/fixtures/pyme_h5/pyme_h5_env.sh"

if [ -n "${H5_INTEROP_BIN:-}" ]; then
  BIN="$H5_INTEROP_BIN"
else
  (cd "$REPO" && cargo build --quiet --bin pymecompress)
  BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/pymecompress"
fi

run_pyme() {
  HOME="$PYME_HOME" PYTHONPATH="$PYME_TREE" "$PYME_H5_VENV/bin/python" -W ignore "$@"
}
# Fresh files from PYME's writers (not the committed fixtures): what PYME writes today.
if ! run_pyme "$REPO/fixtures/pyme_h5/generate.py" "$WORK/data" >"$WORK/generate.log" 2>&1; then
  cat "$WORK/generate.log" >&2
  echo "h5_interop: PYME's writers failed (above); 0 passed, 1 failed"
  exit 1
fi
set +e
run_pyme "$HERE/h5.py" "$WORK/data" "$BIN" "$WORK/out"
rc=$?
set -e
echo "h5_interop: wall time $(( $(date +%s) - start )) s" >&2
exit "$rc"
