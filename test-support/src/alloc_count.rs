//! Counting what code allocates, measured rather than argued: a global allocator that keeps
//! thread-local counters (so parallel tests do not mix) while a [`measure`] call runs.
//! A test binary installs it with
//! `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Allocation counts of one thread while a measurement is running on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// Bytes allocated minus bytes freed since the measurement began.
    pub live: i64,
    /// Highest `live` reached.
    pub peak: i64,
    /// Bytes requested in total (growth of a reallocation counts as its new size).
    pub total: u64,
    /// Number of allocation and reallocation calls.
    pub calls: u64,
}

thread_local! {
    // `const` initialisation with a `Copy` payload: touching it never allocates, so the
    // allocator can use it without recursing. Thread-local so parallel tests don't mix.
    static USAGE: Cell<Option<Usage>> = const { Cell::new(None) };
}

fn record(grow: usize, shrink: usize, is_call: bool) {
    let _ = USAGE.try_with(|cell| {
        if let Some(mut u) = cell.get() {
            u.live += grow as i64 - shrink as i64;
            u.peak = u.peak.max(u.live);
            u.total += grow as u64;
            u.calls += u64::from(is_call);
            cell.set(Some(u));
        }
    });
}

/// A global allocator that counts, on each thread, what a [`measure`] call allocates there.
/// Install it in a test binary as its `#[global_allocator]`.
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// bookkeeping around it neither allocates nor touches the memory.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), 0, true);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), 0, true);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record(0, layout.size(), false);
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size, layout.size(), true);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f`, returning its result and what this thread allocated meanwhile. The result is
/// returned, not dropped, so its own allocation is part of the peak.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    USAGE.with(|c| c.set(Some(Usage::default())));
    let out = f();
    let usage = USAGE.with(|c| c.take()).expect("measurement was running");
    (out, usage)
}
