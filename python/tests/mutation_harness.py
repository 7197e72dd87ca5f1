"""The harness of the mutation and abuse tests (test_mutations.py, test_abuse.py; issue 13).

A test module registers groups of cases (generators of (name, callable)); each group runs in
a fresh interpreter (``run_group``), so that a crash fails the test naming the case it died
in instead of killing pytest. A case passes when its checks hold: every call either raises
an ``Exception`` (of the documented type where there is one) or returns the right answer. A
Rust panic (pyo3's PanicException), a SystemError or any other BaseException fails it.
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[1] / "fixtures"
SEED = 1313
CALLS = [0]


def registry():
    """A dict of groups and the decorator that fills it."""
    groups = {}

    def group(fn):
        groups[fn.__name__] = fn
        return fn

    return groups, group

# --- outcome of one call ----------------------------------------------------------------


def call(fn, *args, **kwargs):
    """("ok", value) or ("err", exception); a panic, a SystemError or an exception that is not
    an ``Exception`` fails the case at once."""
    CALLS[0] += 1
    try:
        return "ok", fn(*args, **kwargs)
    except BaseException as e:  # noqa: B036 - a PanicException is a BaseException
        if type(e).__name__ == "PanicException" or isinstance(e, SystemError) or not isinstance(
                e, Exception):
            raise AssertionError(f"{type(e).__name__}: {e}") from None
        return "err", e


def raises(types, fn, *args, **kwargs):
    kind, value = call(fn, *args, **kwargs)
    assert kind == "err", f"returned {value!r}, expected {types}"
    assert isinstance(value, types), f"raised {type(value).__name__}: {value}, expected {types}"
    return value


def returns(fn, *args, **kwargs):
    kind, value = call(fn, *args, **kwargs)
    assert kind == "ok", f"raised {type(value).__name__}: {value}"
    return value


def same(a, b, what=""):
    """Equal dtype, shape and bytes (NaNs of a damaged float frame compare equal to themselves)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape and (
        np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()), (
        f"{what}: got {a.dtype}{a.shape}, expected {b.dtype}{b.shape}")


def readonly(a):
    a.flags.writeable = False
    return a


# --- running a group ----------------------------------------------------------------------


def child(module, name):
    """Runs one group here: names each case on stderr before it runs (the last one named is
    the one a crash happened in), then prints a JSON summary."""
    import faulthandler

    faulthandler.enable()
    groups = importlib.import_module(module).GROUPS
    failures, cases = [], 0
    for case, fn in groups[name]():
        sys.stderr.write(f"case: {case}\n")
        sys.stderr.flush()
        cases += 1
        try:
            fn()
        except AssertionError as e:
            failures.append(f"{case}: {e}")
        except BaseException as e:  # noqa: B036 - a case must not escape, whatever it raises
            failures.append(f"{case}: escaped {type(e).__name__}: {e}")
    print(json.dumps({"cases": cases, "calls": CALLS[0], "failures": failures}))


def run_group(module, name, min_cases):
    """Runs a group of ``module`` in a fresh interpreter of this venv; fails the calling test
    on a crash (naming the case), a failed case, or fewer than ``min_cases`` cases (a
    generator that stopped early would pass silently)."""
    import pytest

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import mutation_harness as h; "
            f"h.child({module!r}, {name!r})")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env)
    if proc.returncode != 0:
        cases = [line for line in proc.stderr.splitlines() if line.startswith("case: ")]
        last = cases[-1][6:] if cases else "(before the first case)"
        tail = "\n".join(proc.stderr.splitlines()[-15:])
        pytest.fail(f"the interpreter died (status {proc.returncode}) in case {last!r}:\n{tail}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{module}.{name}: {summary['cases']} cases, {summary['calls']} calls")
    assert not summary["failures"], (
        f"{len(summary['failures'])} of {summary['cases']} cases failed:\n"
        + "\n".join(summary["failures"][:40]))
    assert summary["cases"] >= min_cases, (summary["cases"], min_cases)
