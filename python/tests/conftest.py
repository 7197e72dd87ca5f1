"""Shared fixtures of the pymecompress_rs test suite.

Run by python/tests/run.sh in two venvs: zarr-python 2.18 (with the real pymecompress 0.3.6,
the reference) and zarr-python 3.1. Tests that need the reference, zarr 2, zarr 3, dask or
the Rust CLI skip where it is missing; run.sh checks that each venv ran the ones it must.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def _installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


HAVE_REFERENCE = _installed("pymecompress")
HAVE_ZARR = _installed("zarr")
ZARR_MAJOR = 0
if HAVE_ZARR:
    from importlib.metadata import version

    ZARR_MAJOR = int(version("zarr").split(".")[0])

requires_reference = pytest.mark.skipif(not HAVE_REFERENCE, reason="needs the reference pymecompress")
requires_zarr = pytest.mark.skipif(not HAVE_ZARR, reason="needs zarr")
requires_zarr2 = pytest.mark.skipif(ZARR_MAJOR != 2, reason="needs zarr-python 2")
requires_zarr3 = pytest.mark.skipif(ZARR_MAJOR < 3, reason="needs zarr-python 3")


def load_manifest():
    return json.loads((FIXTURES / "manifest.json").read_text())


@pytest.fixture(scope="session")
def manifest():
    return load_manifest()


def fixture_path(rel):
    return FIXTURES / rel


def read_u16(rel):
    return np.fromfile(FIXTURES / rel, dtype="<u2")


def read_u8(rel):
    return np.fromfile(FIXTURES / rel, dtype="u1")


def run_python(code, *args, timeout=120):
    """Run ``code`` in a fresh interpreter of this venv (no module imported by the tests):
    returns stdout; fails the test on a non-zero exit."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    assert proc.returncode == 0, f"subprocess failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


CLI = Path(os.environ.get("PYMECOMPRESS_CLI", REPO / "target" / "release" / "pymecompress"))
HAVE_CLI = CLI.is_file() and os.access(CLI, os.X_OK)
HAVE_DASK = _installed("dask") and _installed("distributed")
requires_cli = pytest.mark.skipif(not HAVE_CLI, reason=f"needs the pymecompress CLI at {CLI}")
requires_dask = pytest.mark.skipif(not HAVE_DASK, reason="needs dask.distributed")

# run.sh names what each venv must have (PYMECOMPRESS_RS_REQUIRE=reference,zarr2,...), so that
# a missing piece fails the run instead of silently skipping its tests.
_AVAILABLE = {
    "reference": HAVE_REFERENCE, "zarr2": ZARR_MAJOR == 2, "zarr3": ZARR_MAJOR >= 3,
    "cli": HAVE_CLI, "dask": HAVE_DASK,
}


def pytest_configure(config):
    required = [r for r in os.environ.get("PYMECOMPRESS_RS_REQUIRE", "").split(",") if r]
    missing = [r for r in required if not _AVAILABLE.get(r, False)]
    if missing:
        raise pytest.UsageError(f"required but missing in this venv: {', '.join(missing)}")


# PYME's own test_pzf.py runs from pyme_peer/ in a pytest run of its own (run.sh): its
# conftest replaces modules in sys.modules, which must not leak into this suite.
collect_ignore = ["pyme_peer"]
