//! A per-thread scratch buffer for decoding a chunk before copying it into a strided output.
//!
//! zarrs hands `decode_into` a view it only lets us copy into (`copy_from_slice`), so a chunk is
//! decoded to a buffer first. Reusing one buffer per thread saves the allocation and, more, the
//! first touch of fresh pages; the buffer stays in the cache between the decode and the copy.

use std::cell::RefCell;

/// Buffers up to this size are kept for the thread's next chunk; larger ones are freed after
/// use, so no thread holds more than this between calls.
pub(crate) const KEEP_MAX_BYTES: usize = 4 << 20;

/// Chunks of at least this many elements are decoded on the threads of the current rayon pool
/// by the core (the core's own threshold, `PARALLEL_MIN_SYMBOLS`).
pub(crate) const PARALLEL_MIN_ELEMENTS: u64 = 1 << 20;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with a zeroed-or-reused buffer of exactly `len` bytes (contents unspecified).
pub(crate) fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if len > KEEP_MAX_BYTES {
        return f(&mut vec![0u8; len]);
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < len {
                buf.resize(len, 0);
            }
            f(&mut buf[..len])
        }
        // Re-entered on this thread (a nested decode while waiting in rayon): use a fresh one.
        Err(_) => f(&mut vec![0u8; len]),
    })
}

/// The concurrency to report for a chunk of `elements` elements: the current pool's threads
/// for big chunks, which the core decodes and encodes in slices, else one.
pub(crate) fn recommended_concurrency(
    elements: u64,
) -> zarrs::array::codec::api::RecommendedConcurrency {
    use zarrs::array::codec::api::RecommendedConcurrency;
    if elements >= PARALLEL_MIN_ELEMENTS {
        RecommendedConcurrency::new(1..=rayon::current_num_threads())
    } else {
        RecommendedConcurrency::new_maximum(1)
    }
}
