"""Timing shared by the reference sides of benches/compare (reference_timings.py,
reference_pzf_timings.py); the Rust drivers use pymecompress_test_support::timing::best_of."""
import time


def best_of(runs, f):
    """Calls f once to warm up, then RUNS times; returns the shortest time in seconds and the
    last result (the best time is the least disturbed by other work)."""
    last = f()
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        last = f()
        best = min(best, time.perf_counter() - t)
    return best, last
