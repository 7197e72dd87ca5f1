//! Timing for the benchmark drivers (`examples/bench_codecs_driver.rs`,
//! `codecs/examples/bench_pzf_driver.rs`).

use std::time::Instant;

/// Runs `f` once to warm up, then `runs` times, and returns the shortest of those times in
/// seconds with the last result (the best time is the least disturbed by other work). Each
/// run's result is dropped before the next run starts its clock: freeing a result (for a large
/// one, unmapping its memory) is not part of the operation timed.
pub fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = f();
    for _ in 0..runs {
        drop(last);
        let t = Instant::now();
        last = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, last)
}
