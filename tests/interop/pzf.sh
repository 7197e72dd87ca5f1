#!/usr/bin/env bash
# Live PZF cross-check against PYME's PZFFormat (python-microscopy 26.9.3, pymecompress 0.3.6).
#
#   tests/interop/pzf.sh                     # random seed, printed
#   PZF_INTEROP_SEED=123 tests/interop/pzf.sh
#
# Environment:
#   PYME_VENV         venv with numpy<2, six, pytest, pymecompress 0.3.6 (default
#                     $REPO/target/pyme-venv; made by fixtures/pzf/pyme_env.sh unless it works)
#   PZF_INTEROP_SEED  case seed (default: random, printed)
#   PZF_INTEROP_CASES number of random frames (default 300)
#   PZF_INTEROP_BIN   a prebuilt pzf_interop_driver example (default: cargo build --example
#                     pzf_interop_driver)
# The python-microscopy sdist is cached in target/pyme-sdist; PZFFormat.py and test_pzf.py are
# extracted to a temporary directory for the run and deleted after it (GPL, never committed).
# Exit status: non-zero on any mismatch. Closing line: "pzf_interop: N passed, M failed".
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
start=$(date +%s)
# set before sourcing, so that a failure inside pyme_env.sh leaves no extracted files
PYME_SRC=
trap '[ -z "$PYME_SRC" ] || rm -rf "$PYME_SRC"' EXIT
source "$REPO/fixtures/pzf/pyme_env.sh"

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
if [ -n "${PZF_INTEROP_BIN:-}" ]; then
  BIN="$PZF_INTEROP_BIN"
else
  (cd "$REPO" && cargo build --quiet -p pymecompress-codecs --example pzf_interop_driver)
  BIN="$TARGET_DIR/debug/examples/pzf_interop_driver"
fi

set +e
PYTHONPATH="$PYME_SRC" "$PYME_VENV/bin/python" "$HERE/pzf_interop.py" --bin "$BIN" \
  --pyme-tests "$PYME_SRC/tests/PYME/IO/test_pzf.py"
rc=$?
set -e
echo "pzf_interop: wall time $(( $(date +%s) - start )) s" >&2
exit "$rc"
