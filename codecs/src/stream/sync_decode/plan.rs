//! Where a stream is cut: how many slices, their shares of the code bits, the window width.

use crate::tree::{ChildRef, DecodeTree, LEAF_BASE};

/// Outputs at least this long decode in slices on the current rayon pool, if it has several
/// threads (the encoder's threshold).
pub(crate) const PARALLEL_MIN_SYMBOLS: usize = crate::encoder::PARALLEL_MIN_SYMBOLS;

/// Most slices a stream is cut into; larger requests are clamped.
const MAX_SLICES: usize = 256;

/// Bounds of the synchronisation window, in bits: about 1024 average codes, within these.
const MIN_WINDOW: u64 = 2048;
const MAX_WINDOW: u64 = 1 << 16;

/// Counting two slices side by side costs about this fraction of decoding them (per bit):
/// slice 0, which decodes while the middle slices count, gets the share that makes both
/// finish together. Measured by `measure_pair_count_cost` (`tests.rs`) on an idle machine:
/// 0.40 to 0.42 on one thread, Poisson-like bytes and quantized symbols; with the other
/// thread decoding slice 0 beside it, the count ran at about 0.5 (a profile of one
/// 4096x4096 quant16 chunk on 2 threads). Of 3/8, 2/5 and 7/16, timed against each other on
/// one chunk of each codec on 2 threads, 7/16 was fastest (docs/performance.md).
pub(super) const PAIR_COUNT_COST: (u64, u64) = (7, 16);

/// Automatic slices shorter than this many bits are not worth a thread.
const MIN_AUTO_SLICE_BITS: u64 = 1 << 16;

/// How [`super::decode_mapped_into_sliced_with`] cuts a stream. For tests: the output is the
/// same whatever the options.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceOptions {
    /// Slices of equal length (clamped to 1..=256); 1 decodes serially on the calling thread.
    pub slices: usize,
    /// Place slice starts on the tree's end modulo the gcd of the code lengths.
    pub align: bool,
    /// Drop slice starts whose probe does not synchronise.
    pub probe: bool,
}

impl SliceOptions {
    /// `slices` slices, aligned and probed, as the automatic path does.
    pub fn new(slices: usize) -> Self {
        Self {
            slices,
            align: true,
            probe: true,
        }
    }
}

impl From<usize> for SliceOptions {
    fn from(slices: usize) -> Self {
        Self::new(slices)
    }
}

/// How a stream is cut into slices.
pub(crate) struct Plan {
    pub(super) slices: usize,
    /// Weights of the first slice, of each middle one and of the last one in the share of
    /// the code bits.
    pub(super) weights: (u64, u64, u64),
    pub(super) align: bool,
    pub(super) probe: bool,
    pub(super) min_slice_bits: u64,
    /// Decode the slices in this many runs of neighbours (the pool's threads), rather than
    /// one job per slice.
    pub(super) runs: Option<usize>,
}

impl Plan {
    /// The plan for `n` outputs coded in about `code_bits` bits on the current rayon pool
    /// (for a caller outside any pool, the global one), `None` to decode serially: when the
    /// output is short or the pool has one thread.
    pub(crate) fn auto(n: usize, code_bits: u64) -> Option<Self> {
        if n < PARALLEL_MIN_SYMBOLS || code_bits < 2 * MIN_AUTO_SLICE_BITS {
            return None;
        }
        let threads = rayon::current_num_threads();
        if threads < 2 {
            return None;
        }
        // Slice 0 decodes on one thread while each of the P - 1 others counts a pair of
        // middle slices; then the P threads decode: one run per pair, and the last slice,
        // which nobody counts. A pair and the last slice are each b of the bits, slice 0 is
        // c2 * b (c2: PAIR_COUNT_COST): both phases keep every thread busy.
        let p = threads.min(32);
        let (c, d) = PAIR_COUNT_COST;
        Some(Self {
            slices: 2 * p,
            weights: (2 * c, d, 2 * d),
            align: true,
            probe: true,
            min_slice_bits: MIN_AUTO_SLICE_BITS,
            runs: Some(p),
        })
    }

    pub(super) fn forced(options: SliceOptions) -> Self {
        Self {
            slices: options.slices.clamp(1, MAX_SLICES),
            weights: (1, 1, 1),
            align: options.align,
            probe: options.probe,
            min_slice_bits: 1,
            runs: None,
        }
    }

    /// Slice starts in `[first, end)`: `first`, then the cuts the weights give, moved down to
    /// `first` modulo `align`; empty slices are dropped.
    pub(super) fn starts(&self, first: u64, end: u64, align: u64) -> Vec<u64> {
        let span = end.saturating_sub(first);
        let slices = (self.slices as u64)
            .min(span / self.min_slice_bits.max(1))
            .max(1);
        let mut starts = vec![first];
        if slices == 1 {
            return starts;
        }
        let (head, middle, last) = self.weights;
        let total = u128::from(head + middle * (slices - 2) + last);
        for k in 1..slices {
            let weight = u128::from(head + middle * (k - 1));
            let offset = (u128::from(span) * weight / total) as u64;
            let start = first + offset - offset % align;
            if start > starts[starts.len() - 1] && start < end {
                starts.push(start);
            }
        }
        starts
    }
}

/// The longest code length and the greatest common divisor of all code lengths of a tree
/// whose root is internal.
pub(super) fn code_shape(tree: &DecodeTree) -> (u64, u64) {
    let (mut longest, mut gcd) = (0u64, 0u64);
    let mut stack: Vec<(ChildRef, u64)> = vec![(tree.root, 0)];
    while let Some((node, depth)) = stack.pop() {
        if node >= LEAF_BASE {
            longest = longest.max(depth);
            let (mut a, mut b) = (gcd, depth);
            while b != 0 {
                (a, b) = (b, a % b);
            }
            gcd = a;
        } else {
            for child in tree.children[usize::from(node)] {
                stack.push((child, depth + 1));
            }
        }
    }
    (longest, gcd.max(1))
}

/// Window width: about 1024 average codes, a multiple of 64 bits.
pub(super) fn window_width(code_bits: u64, n: usize) -> u64 {
    let per_1024 = code_bits.saturating_mul(1024) / (n as u64).max(1);
    per_1024.clamp(MIN_WINDOW, MAX_WINDOW).next_multiple_of(64)
}
