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
//!    the first boundary at or past the next slice's start, with the serial decoder's table,
//!    two slices side by side per thread. The last slice is not counted: nothing after it
//!    needs its count.
//! 2. A serial walk follows the true boundaries: from slice `k-1`'s end (true, by induction),
//!    it decodes code by code until it lands on one of slice `k`'s recorded boundaries; slice
//!    `k`'s count past that point is then exact, and so is its end. A walk that leaves the
//!    window without meeting one gives up: the rest of the stream is decoded serially.
//! 3. Each slice, now with a true starting bit and output index, decodes into its own part of
//!    the output (`split_at_mut`) in parallel, with the serial decoder's loop; the last slice
//!    decodes whatever remains, and reports a truncated stream exactly as the serial decoder.
//!
//! Work: everything decoded once, plus counting the middle slices. On P threads the middle
//! slices form P - 1 pairs, each as long as the last slice, and slice 0 is as long as decoding
//! takes while a pair is counted ([`Plan::auto`]); neighbouring slices then decode as P runs,
//! so both phases keep every thread busy.
//!
//! Slice starts are placed on the tree's end modulo the greatest common divisor of the code
//! lengths: every true boundary lies there, so codes of one length (incompressible bytes) are
//! in step at once. The output and the errors are the serial decoder's for any slice count.

mod plan;
mod scan;
mod window;

use rayon::prelude::*;

use crate::bits::BitReader;
use crate::multi_table::MultiTable;
use crate::tree::DecodeTree;
use crate::Error;
pub(crate) use plan::Plan;
#[doc(hidden)]
pub use plan::SliceOptions;
use plan::{code_shape, window_width};
use scan::{decode_until, Scan};
use window::{Meet, Window};

/// Probing decoders per slice start, started a quarter window before it, a few bits apart.
const PROBES: u64 = 3;

/// Like [`super::decode_mapped_into`], cutting the stream as `options` says (a slice count
/// alone: that many slices of equal length, aligned and probed), decoded on the current rayon
/// pool. For tests: the automatic path picks its own slices.
///
/// # Errors
/// As [`super::decode`].
#[doc(hidden)]
pub fn decode_mapped_into_sliced_with<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
    options: impl Into<SliceOptions>,
) -> Result<(), Error> {
    let crate::stream::Opened::Codes(r, tree) = crate::stream::open_tree(stream, out, values)?
    else {
        return Ok(());
    };
    decode(
        stream,
        &tree,
        r.consumed_bits(),
        values,
        out,
        &Plan::forced(options.into()),
    )
    .map(|_| ())
}

/// The same, named for a call with a slice count: `(stream, out, values, 4)`.
#[doc(hidden)]
pub use decode_mapped_into_sliced_with as decode_mapped_into_sliced;

/// A part of the output whose first code starts at a known true bit.
struct Task {
    start: u64,
    len: usize,
}

/// How a sliced decode went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Slices after the probes (1: serial).
    slices: usize,
    /// Counted slices the true decoding synchronised with (at most `slices - 2`: neither the
    /// first slice nor the last one needs to).
    synced: usize,
    /// The walk lost step and the rest was decoded serially.
    serial_tail: bool,
    /// Where the work went, in code bits: a deterministic account of the overhead.
    work: Work,
    /// The bit after the last code: where a stream that holds exactly these symbols ends
    /// (the caller checks it when the count is exact, as after the serial decoder).
    pub(crate) end: u64,
}

/// The bits each phase decoded or counted. With a cost per bit for decoding (1) and for
/// counting a pair (`PAIR_COUNT_COST`), the tests turn this into the time on P threads,
/// independent of the machine's load: the overhead the plan itself causes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Work {
    /// Phase 0, all starts together: the windows recorded and the probes' decoding.
    windows: u64,
    /// Phase 1: slice 0, decoded in place.
    first: u64,
    /// Phase 1: the counted slices, all together (bits decoded twice).
    counted: u64,
    /// Phase 1: the most any one pair (one thread) counted.
    pair_max: u64,
    /// Phase 2: the serial walk from each slice's end into the next one's window.
    walk: u64,
    /// Phase 3: the longest run of slices one job decoded.
    run_max: u64,
}

/// Decodes `out.len()` (> 0) symbols of the codes that start at bit `tree_end`, after a tree
/// whose root is internal, in slices as `plan` says; returns how it went (for the tests'
/// account of the work).
pub(crate) fn decode<T: Copy + Send + Sync>(
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
    let starts = plan.starts(tree_end, needed_end, align);

    // Phase 0: the window and probe of each start but the first and the last: the last slice
    // starts where the walk leaves the one before it, and is never counted.
    let width = window_width(code_bits, n);
    let lead = (width / 4).next_multiple_of(align);
    let counted = starts
        .get(1..starts.len().saturating_sub(1))
        .unwrap_or_default();
    let probed: Vec<(Option<Window>, u64)> = counted
        .par_iter()
        .map(|&start| {
            let w = Window::record(&table, tree, stream, start, width);
            let mut bits = w.stop - w.start;
            let mut in_step = |j: u64| {
                let from = start.saturating_sub(lead + j * align).max(tree_end);
                let meet = w.find_sync(&table, tree, stream, from);
                bits += meet.end().unwrap_or(w.stop).saturating_sub(from);
                meet != Meet::Lost
            };
            (
                (!plan.probe || (0..PROBES).all(&mut in_step)).then_some(w),
                bits,
            )
        })
        .collect();
    let window_bits = probed.iter().map(|(_, bits)| bits).sum();
    let windows: Vec<Window> = probed.into_iter().filter_map(|(w, _)| w).collect();
    let Some(&last_start) = starts.last().filter(|_| !windows.is_empty()) else {
        let mut r = BitReader::at_bit(stream, tree_end);
        table.decode(&mut r, tree, values, out).map_err(truncated)?;
        return Ok(Stats {
            slices: 1,
            end: r.consumed_bits(),
            work: Work {
                windows: window_bits,
                run_max: r.consumed_bits() - tree_end,
                ..Work::default()
            },
            ..Stats::default()
        });
    };
    let mut stats = Stats {
        slices: windows.len() + 2,
        work: Work {
            windows: window_bits,
            ..Work::default()
        },
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
            // In pairs, counted side by side.
            windows
                .par_chunks(2)
                .zip(limits.par_chunks(2))
                .flat_map_iter(|(w, limit)| match (w, limit) {
                    ([x, y], &[lx, ly]) => {
                        Window::scan_pair(&table, tree, stream, (x, lx), (y, ly)).to_vec()
                    }
                    _ => vec![w[0].scan_to(&table, tree, stream, limit[0])],
                })
                .collect()
        },
    );

    stats.work.first = first.end - tree_end;
    let counted_bits = |(w, spec): (&Window, &Scan)| spec.end.saturating_sub(w.start);
    stats.work.counted = windows.iter().zip(&specs).map(counted_bits).sum();
    stats.work.pair_max = (windows.chunks(2).zip(specs.chunks(2)))
        .map(|(w, spec)| w.iter().zip(spec).map(counted_bits).sum())
        .max()
        .unwrap_or(0);

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
        let meet = w.find_sync(&table, tree, stream, pos);
        stats.work.walk += meet.end().unwrap_or(w.stop).saturating_sub(pos);
        let (start, len) = match meet {
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

    // Phase 3: every slice decodes into its part of the output. Neighbouring slices follow
    // each other in the stream as in the output: the automatic plan decodes them in one run
    // per thread.
    if let Some(start) = rest_from {
        tasks.push(Task {
            start,
            len: n - decoded,
        });
    }
    let (_, mut rest) = out.split_at_mut(first.symbols);
    let mut jobs: Vec<(u64, usize, &mut [T])> = Vec::with_capacity(tasks.len());
    let mut index = first.symbols;
    for task in merge_runs(tasks, plan.runs) {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(task.len);
        jobs.push((task.start, index, part));
        index += task.len;
        rest = tail;
    }
    // Every job runs (no short-circuit on the error, which only the last one can return), so
    // that a truncated stream leaves all its symbols written, as the serial decoder does.
    // The jobs follow each other in the stream, so the furthest end is the last code's; with
    // no job, slice 0 decoded every symbol and ends there.
    let (result, run_max, end) = jobs
        .into_par_iter()
        .map(|(start, index, part)| {
            let mut r = BitReader::at_bit(stream, start);
            let result = table.decode(&mut r, tree, values, part);
            let end = r.consumed_bits();
            let bits = end.saturating_sub(start);
            (result.map_err(|done| truncated(index + done)), bits, end)
        })
        .reduce(
            || (Ok(()), 0, first.end),
            |(a, x, e), (b, y, f)| (Result::and(a, b), x.max(y), e.max(f)),
        );
    result?;
    stats.work.run_max = run_max;
    stats.end = end;
    match truncated_at {
        Some(decoded) => Err(truncated(decoded)),
        None => Ok(stats),
    }
}

/// Neighbouring tasks joined into about `runs` runs of equal length (`None`: as they are):
/// each task goes to the run its middle falls in. (Filling runs up to a quota instead would,
/// when the tasks before the last one fall a few symbols short of it, put the last task in the
/// same run, and everything would then decode on one thread.)
fn merge_runs(tasks: Vec<Task>, runs: Option<usize>) -> Vec<Task> {
    let Some(runs) = runs else {
        return tasks;
    };
    let total: u128 = tasks.iter().map(|t| t.len as u128).sum();
    let mut merged: Vec<(u128, Task)> = Vec::with_capacity(runs);
    let mut before = 0u128;
    for task in tasks {
        let middle = before + task.len as u128 / 2;
        before += task.len as u128;
        let run = middle * runs.max(1) as u128 / total.max(1);
        match merged.last_mut() {
            Some((r, last)) if *r == run => last.len += task.len,
            _ => merged.push((run, task)),
        }
    }
    merged.into_iter().map(|(_, task)| task).collect()
}

#[cfg(test)]
mod tests;
