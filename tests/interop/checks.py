"""The pass/fail bookkeeping the interop scripts share: each check runs, prints ok or FAIL
with its traceback, and the script ends with one `LABEL: N passed, M failed` line."""
import sys
import traceback

_results = []


def check(name, fn):
    """Runs fn(); a raised exception fails the check named `name`."""
    try:
        fn()
        _results.append(True)
        print('ok   ', name)
    except Exception:
        _results.append(False)
        print('FAIL ', name)
        traceback.print_exc()


def finish(label):
    """Prints the closing count line and exits 1 if any check failed (or none ran)."""
    passed = sum(_results)
    failed = len(_results) - passed
    print('%s: %d passed, %d failed' % (label, passed, failed))
    sys.exit(1 if failed or not _results else 0)
