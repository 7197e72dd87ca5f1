//! Counting what code allocates, measured rather than argued: a global allocator that keeps
//! thread-local counters (so parallel tests do not mix) while a [`measure`] call runs, and
//! counters shared by the threads of one [`CountedPool`], for code that runs on a rayon pool.
//! A test binary installs it with
//! `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

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
    // The counters of the pool this thread works for, if it is a `CountedPool`'s.
    static POOL: Cell<Option<&'static Shared>> = const { Cell::new(None) };
}

/// A [`Usage`] kept in atomics by the threads of one pool.
#[derive(Default)]
struct Shared {
    on: AtomicBool,
    live: AtomicI64,
    peak: AtomicI64,
    total: AtomicU64,
    calls: AtomicU64,
}

impl Shared {
    fn record(&self, grow: usize, shrink: usize, is_call: bool) {
        if !self.on.load(Ordering::Relaxed) {
            return;
        }
        let delta = grow as i64 - shrink as i64;
        let live = self.live.fetch_add(delta, Ordering::Relaxed) + delta;
        self.peak.fetch_max(live, Ordering::Relaxed);
        self.total.fetch_add(grow as u64, Ordering::Relaxed);
        self.calls.fetch_add(u64::from(is_call), Ordering::Relaxed);
    }

    fn start(&self) {
        for counter in [&self.live, &self.peak] {
            counter.store(0, Ordering::Relaxed);
        }
        for counter in [&self.total, &self.calls] {
            counter.store(0, Ordering::Relaxed);
        }
        self.on.store(true, Ordering::SeqCst);
    }

    fn stop(&self) -> Usage {
        self.on.store(false, Ordering::SeqCst);
        Usage {
            live: self.live.load(Ordering::Relaxed),
            peak: self.peak.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
            calls: self.calls.load(Ordering::Relaxed),
        }
    }
}

fn record(grow: usize, shrink: usize, is_call: bool) {
    if let Ok(Some(pool)) = POOL.try_with(Cell::get) {
        pool.record(grow, shrink, is_call);
    }
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

/// A rayon pool whose threads count what they allocate while [`CountedPool::measure`] runs,
/// all into one [`Usage`]: the parallel decoders work on every thread of the pool, where a
/// thread-local [`measure`] would see only one. Code run inside it sees a pool of `threads`,
/// whatever the machine; the thread that calls `measure` only waits (rayon's injector queue
/// allocates there now and then, which is not the code's doing), and is not counted.
pub struct CountedPool {
    pool: rayon::ThreadPool,
    usage: &'static Shared,
    /// One measurement at a time: tests running in parallel would mix their counts.
    turn: Mutex<()>,
}

impl CountedPool {
    /// A pool of `threads` counting threads.
    ///
    /// # Panics
    /// If rayon cannot start the threads (a test helper: failing loudly is the point).
    pub fn new(threads: usize) -> Self {
        // Leaked: the pool's threads may outlive any borrow, and a test makes a handful.
        let usage: &'static Shared = Box::leak(Box::default());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(move |_| POOL.with(|c| c.set(Some(usage))))
            .build()
            .expect("a counting pool");
        Self {
            pool,
            usage,
            turn: Mutex::new(()),
        }
    }

    /// Runs `f` on the pool (`install`), returning its result and what the pool's threads
    /// allocated meanwhile, all together; `peak` is the most they held at once. The result is
    /// returned, not dropped, so its own allocation is part of the peak.
    ///
    /// # Panics
    /// If `f` panics.
    pub fn measure<T: Send>(&self, f: impl FnOnce() -> T + Send) -> (T, Usage) {
        let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        self.usage.start();
        let out = self.pool.install(f);
        (out, self.usage.stop())
    }
}
