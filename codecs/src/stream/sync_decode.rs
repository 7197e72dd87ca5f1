//! One stream decoded on every thread of the current rayon pool, by self-synchronisation
//! (Klein & Wiseman 2003; Weißenberger & Schmidt, ICPP 2018).
//!
//! The code bits are cut into slices at arbitrary bit positions. A decoder started inside a
//! code decodes garbage for a while, but Huffman decoders tend to fall into step with the true
//! code boundaries within a few codes; from the first boundary both share, they decode alike.
//!
//! 0. Each start of a middle slice records the boundaries a decoder started there finds over
//!    a bounded window. A probe decodes from a few bits before the start and checks that it
//!    meets one of them within the window; starts whose probe fails are dropped (their slice
//!    joins the one before), so data that does not synchronise costs a few windows and then
//!    decodes serially.
//! 1. Slice 0 starts on a true boundary at output index 0: it decodes straight into the output.
//!    At the same time every middle slice counts its codes speculatively, from its start to
//!    the first boundary at or past the next slice's start, with the serial decoder's table.
//!    The last slice is not counted: nothing after it needs its count.
//! 2. A serial walk follows the true boundaries: from slice `k-1`'s end (true, by induction),
//!    it decodes code by code until it lands on one of slice `k`'s recorded boundaries; slice
//!    `k`'s count past that point is then exact, and so is its end. A walk that leaves the
//!    window without meeting one gives up: the rest of the stream is decoded serially.
//! 3. Each slice, now with a true starting bit and output index, decodes into its own part of
//!    the output (`split_at_mut`) in parallel, with the serial decoder's loop; the last slice
//!    decodes whatever remains, and reports a truncated stream exactly as the serial decoder.
//!
//! Work: everything decoded once, plus counting the middle slices. On P threads, slice 0 gets
//! c / (P + c) of the bits (c: counting's cost relative to decoding) and P equal slices share
//! the rest, so that both phases keep every thread busy.
//!
//! Slice starts are placed on the tree's end modulo the greatest common divisor of the code
//! lengths: every true boundary lies there, so codes of one length (incompressible bytes) are
//! in step at once. The output and the errors are the serial decoder's for any slice count.

mod scan;
mod window;

use rayon::prelude::*;

use crate::bits::BitReader;
use crate::multi_table::MultiTable;
use crate::tree::{ChildRef, DecodeTree, LEAF_BASE};
use crate::Error;
use scan::{decode_until, Scan};
use window::{Meet, Window};

/// Outputs at least this long decode in slices on the current rayon pool, if it has several
/// threads (the encoder's threshold).
pub(crate) const PARALLEL_MIN_SYMBOLS: usize = crate::encoder::PARALLEL_MIN_SYMBOLS;

/// Most slices a stream is cut into; larger requests are clamped.
const MAX_SLICES: usize = 256;

/// Decoders started this many bit positions before a slice start probe it.
const PROBES: u64 = 3;

/// Bounds of the synchronisation window, in bits: about 1024 average codes, within these.
const MIN_WINDOW: u64 = 2048;
const MAX_WINDOW: u64 = 1 << 16;

/// Counting a slice's codes costs about this fraction of decoding them: slice 0, which
/// decodes while the middle slices count, gets a share that makes both finish together.
const COUNT_COST: (u64, u64) = (3, 4);

/// Automatic slices shorter than this many bits are not worth a thread.
const MIN_AUTO_SLICE_BITS: u64 = 1 << 16;

/// How [`decode_mapped_into_sliced_with`] cuts a stream. For tests: the output is the same
/// whatever the options.
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

/// How a stream is cut into slices.
pub(crate) struct Plan {
    slices: usize,
    /// Share of the code bits slice 0 gets, as a fraction; the others share the rest equally.
    /// `None`: all slices equal.
    first_share: Option<(u64, u64)>,
    align: bool,
    probe: bool,
    min_slice_bits: u64,
}

impl Plan {
    /// The plan for `n` outputs coded in about `code_bits` bits on the current rayon pool,
    /// `None` to decode serially: when the output is short, when the pool has one thread, and
    /// when the caller runs outside any rayon pool. (Entering the global pool from outside
    /// goes through rayon's injector queue, which now and then allocates a block on the
    /// entering thread: the resource-bound tests count allocations per thread and want the
    /// same count for every decode.)
    pub(crate) fn auto(n: usize, code_bits: u64) -> Option<Self> {
        if n < PARALLEL_MIN_SYMBOLS
            || code_bits < 2 * MIN_AUTO_SLICE_BITS
            || rayon::current_thread_index().is_none()
        {
            return None;
        }
        let threads = rayon::current_num_threads();
        if threads < 2 {
            return None;
        }
        // Slice 0 decodes on one thread while P - 1 threads count one slice each; then the P
        // threads decode those and the last slice, which nobody counts. With slice 0's share
        // a = c / (P + c) and the rest cut into P equal slices, both phases are balanced.
        let p = threads.min(64) as u64;
        let (c, d) = COUNT_COST;
        Some(Self {
            slices: 1 + p as usize,
            first_share: Some((c, p * d + c)),
            align: true,
            probe: true,
            min_slice_bits: MIN_AUTO_SLICE_BITS,
        })
    }

    fn forced(options: SliceOptions) -> Self {
        Self {
            slices: options.slices.clamp(1, MAX_SLICES),
            first_share: None,
            align: options.align,
            probe: options.probe,
            min_slice_bits: 1,
        }
    }
}

/// Like [`super::decode_mapped_into`], cutting the stream into `slices` slices of equal length
/// decoded on the current rayon pool. For tests: the automatic path picks its own slices.
///
/// # Errors
/// As [`super::decode`].
#[doc(hidden)]
pub fn decode_mapped_into_sliced<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
    slices: usize,
) -> Result<(), Error> {
    decode_mapped_into_sliced_with(stream, out, values, SliceOptions::new(slices))
}

/// [`decode_mapped_into_sliced`] with every option.
///
/// # Errors
/// As [`super::decode`].
#[doc(hidden)]
pub fn decode_mapped_into_sliced_with<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
    options: SliceOptions,
) -> Result<(), Error> {
    if out.is_empty() {
        return Ok(());
    }
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len())?;
    if let Some(symbol) = tree.lone_symbol() {
        out.fill(values[usize::from(symbol)]);
        return Ok(());
    }
    decode(
        stream,
        &tree,
        r.consumed_bits(),
        values,
        out,
        &Plan::forced(options),
    )
}

/// A part of the output whose first code starts at a known true bit.
struct Task {
    start: u64,
    len: usize,
}

/// Decodes `out.len()` (> 0) symbols of the codes that start at bit `tree_end`, after a tree
/// whose root is internal, in slices as `plan` says.
pub(crate) fn decode<T: Copy + Send + Sync>(
    stream: &[u8],
    tree: &DecodeTree,
    tree_end: u64,
    values: &[T; 256],
    out: &mut [T],
    plan: &Plan,
) -> Result<(), Error> {
    decode_with_stats(stream, tree, tree_end, values, out, plan).map(|_| ())
}

/// How a sliced decode went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stats {
    /// Slices after the probes (1: serial).
    slices: usize,
    /// Counted slices the true decoding synchronised with (at most `slices - 2`: neither the
    /// first slice nor the last one needs to).
    synced: usize,
    /// The walk lost step and the rest was decoded serially.
    serial_tail: bool,
}

fn decode_with_stats<T: Copy + Send + Sync>(
    stream: &[u8],
    tree: &DecodeTree,
    tree_end: u64,
    values: &[T; 256],
    out: &mut [T],
    plan: &Plan,
) -> Result<Stats, Error> {
    let n = out.len();
    let stream_end = stream.len() as u64 * 8;
    let code_bits = stream_end.saturating_sub(tree_end);
    let table = MultiTable::new(tree, values, n, code_bits);
    let truncated = |decoded| Error::StreamTruncated {
        decoded,
        expected: n,
        stream_bytes: stream.len(),
    };
    let (max_len, gcd) = code_shape(tree);
    // The n codes end by here: bits past it (a hostile stream's) are not worth slicing.
    let needed_end = tree_end
        .saturating_add((n as u64).saturating_mul(max_len))
        .min(stream_end);
    let align = if plan.align { gcd } else { 1 };
    let starts = slice_starts(tree_end, needed_end, plan, align);

    // Phase 0: the window and probe of each start but the first and the last: the last slice
    // starts where the walk leaves the one before it, and is never counted.
    let width = window_width(code_bits, n);
    let lead = (width / 4).next_multiple_of(align);
    let counted = starts
        .get(1..starts.len().saturating_sub(1))
        .unwrap_or_default();
    let windows: Vec<Window> = counted
        .par_iter()
        .map(|&start| {
            let w = Window::record(&table, tree, stream, start, width);
            let in_step = |j: u64| {
                let from = start.saturating_sub(lead + j * align).max(tree_end);
                w.find_sync(&table, tree, stream, from) != Meet::Lost
            };
            (!plan.probe || (0..PROBES).all(in_step)).then_some(w)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    let Some(&last_start) = starts.last().filter(|_| !windows.is_empty()) else {
        let mut r = BitReader::at_bit(stream, tree_end);
        table.decode(&mut r, tree, values, out).map_err(truncated)?;
        return Ok(Stats {
            slices: 1,
            ..Stats::default()
        });
    };
    let mut stats = Stats {
        slices: windows.len() + 2,
        ..Stats::default()
    };
    // Where each counted slice ends: the next one's start.
    let limits: Vec<u64> = windows[1..]
        .iter()
        .map(|w| w.start)
        .chain(std::iter::once(last_start))
        .collect();

    // Phase 1: slice 0 decodes in place while the counted slices count.
    let (first, specs): (Scan, Vec<Scan>) = rayon::join(
        || {
            let mut r = BitReader::at_bit(stream, tree_end);
            decode_until(&table, tree, values, &mut r, out, windows[0].start)
        },
        || {
            windows
                .par_iter()
                .zip(&limits)
                .map(|(w, &limit)| w.scan_to(&table, tree, stream, limit))
                .collect()
        },
    );

    // Phase 2: follow the true boundaries from slice to slice.
    let (mut pos, mut decoded, mut eof) = (first.end, first.symbols, first.eof);
    let mut tasks: Vec<Task> = Vec::with_capacity(windows.len());
    for ((w, spec), &next) in windows.iter().zip(&specs).zip(&limits) {
        if eof || decoded >= n {
            break;
        }
        // `pos` is the first true boundary at or past this slice's start. Past the next
        // slice's start too, this slice holds no code start.
        if pos >= next {
            continue;
        }
        let (start, len) = match w.find_sync(&table, tree, stream, pos) {
            Meet::At {
                at,
                true_symbols,
                spec_symbols,
            } if at <= spec.end => {
                let task = (pos, true_symbols + (spec.symbols - spec_symbols));
                (pos, eof) = (spec.end, spec.eof);
                stats.synced += 1;
                task
            }
            Meet::Eof { true_symbols } => {
                eof = true;
                (pos, true_symbols)
            }
            Meet::At { .. } | Meet::Lost => {
                stats.serial_tail = true;
                break;
            }
        };
        let len = len.min(n - decoded);
        if len > 0 {
            tasks.push(Task { start, len });
        }
        decoded += len;
    }
    // The last slice, or the rest after a lost walk: from the true boundary `pos` to the
    // end, as the serial decoder does.
    // On a truncated stream the slices before the end still decode: the serial decoder leaves
    // every symbol before the error written, and so does this one.
    let rest_from = (decoded < n && !eof).then_some(pos);
    let truncated_at = (decoded < n && eof).then_some(decoded);

    // Phase 3: every slice decodes into its part of the output.
    let (_, mut rest) = out.split_at_mut(first.symbols);
    let mut jobs: Vec<(u64, usize, &mut [T])> = Vec::with_capacity(tasks.len() + 1);
    let mut index = first.symbols;
    for task in &tasks {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(task.len);
        jobs.push((task.start, index, part));
        index += task.len;
        rest = tail;
    }
    if let Some(start) = rest_from {
        jobs.push((start, index, rest));
    }
    // Every job runs (no short-circuit on the error, which only the last one can return), so
    // that a truncated stream leaves all its symbols written, as the serial decoder does.
    jobs.into_par_iter()
        .map(|(start, index, part)| {
            let mut r = BitReader::at_bit(stream, start);
            table
                .decode(&mut r, tree, values, part)
                .map_err(|done| truncated(index + done))
        })
        .reduce(|| Ok(()), Result::and)?;
    match truncated_at {
        Some(decoded) => Err(truncated(decoded)),
        None => Ok(stats),
    }
}

/// The longest code length and the greatest common divisor of all code lengths of a tree
/// whose root is internal.
fn code_shape(tree: &DecodeTree) -> (u64, u64) {
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

/// Slice starts in `[first, end)`: `first`, then the plan's cuts moved down to `first` modulo
/// `align`; empty slices are dropped.
fn slice_starts(first: u64, end: u64, plan: &Plan, align: u64) -> Vec<u64> {
    let span = end.saturating_sub(first);
    let slices = (plan.slices as u64)
        .min(span / plan.min_slice_bits.max(1))
        .max(1);
    let at = |num: u64, den: u64| (u128::from(span) * u128::from(num) / u128::from(den)) as u64;
    let mut starts = vec![first];
    for k in 1..slices {
        let offset = match plan.first_share {
            Some((num, den)) if slices > 1 => {
                let head = at(num, den);
                head + (u128::from(span - head) * u128::from(k - 1) / u128::from(slices - 1)) as u64
            }
            _ => at(k, slices),
        };
        let start = first + offset - offset % align;
        if start > starts[starts.len() - 1] && start < end {
            starts.push(start);
        }
    }
    starts
}

/// Window width: about 1024 average codes, a multiple of 64 bits.
fn window_width(code_bits: u64, n: usize) -> u64 {
    let per_1024 = code_bits.saturating_mul(1024) / (n as u64).max(1);
    per_1024.clamp(MIN_WINDOW, MAX_WINDOW).next_multiple_of(64)
}

#[cfg(test)]
mod tests;
