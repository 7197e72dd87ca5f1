//! The fast encoder: histograms per slice of the input, one code tree, then every slice coded
//! with a branch-free writer into an output sized exactly from the histogram. Slices code on
//! separate rayon threads when there are several; a slice's first bit follows from the prefix
//! sum of the code lengths before it, so the output is the same for any slice count.

use rayon::prelude::*;

use crate::bits::{SliceBitWriter, SLICE_PUT_BITS};
use crate::tree::{EncoderTree, MAX_LEAVES};

/// Inputs at least this long code in slices on the current rayon pool, if it has several
/// threads: below it the threads would spend longer starting than coding.
pub(crate) const PARALLEL_MIN_SYMBOLS: usize = 1 << 20;

/// Symbol counts, one table per slice of the input.
pub(crate) type Histogram = [u64; MAX_LEAVES];

/// How many slices to cut `n` symbols into on the current rayon pool.
pub(crate) fn auto_slices(n: usize) -> usize {
    if n >= PARALLEL_MIN_SYMBOLS {
        rayon::current_num_threads().max(1)
    } else {
        1
    }
}

/// Most slices an input is cut into: each costs a 2 KiB histogram, and more slices than
/// threads gain nothing; output is the same for any count, so larger requests are clamped.
pub(crate) const MAX_SLICES: usize = 256;

/// The length of each of `slices` (clamped to 1..=[`MAX_SLICES`]) slices of `n` items (the last
/// one shorter), at least 1.
pub(crate) fn slice_len(n: usize, slices: usize) -> usize {
    n.div_ceil(slices.clamp(1, MAX_SLICES)).max(1)
}

/// Appends the stream of `symbols` to `out`, given `histograms[j]` of each slice
/// `symbols.chunks(slice_len)[j]`. The caller has checked the input size.
pub(crate) fn encode_counted(
    symbols: &[u8],
    slice_len: usize,
    histograms: &[Histogram],
    out: &mut Vec<u8>,
) {
    let mut counts = [0u64; MAX_LEAVES];
    for h in histograms {
        for (c, &x) in counts.iter_mut().zip(h) {
            *c += x;
        }
    }
    let Some(tree) = EncoderTree::build(&counts) else {
        return;
    };
    let book = tree.code_book();
    let coding = Coding::new(&counts, &book.codes, &book.lens);
    let slice_bits: Vec<u64> = histograms
        .iter()
        .map(|h| {
            h.iter()
                .zip(&book.lens)
                .map(|(&c, &l)| c * u64::from(l))
                .sum()
        })
        .collect();
    let tree_bits = tree.serialized_bits();
    let total_bits = tree_bits + slice_bits.iter().sum::<u64>();
    let start = out.len();
    let total_bytes = total_bits.div_ceil(8) as usize;
    let tree_bytes = tree_bits.div_ceil(8) as usize;
    // Room for slice 0 to code in place, and for the other slices' bytes appended after it.
    out.reserve_exact(total_bytes + 8);
    out.resize(start + tree_bytes + 8, 0);
    let mut w = SliceBitWriter::new(&mut out[start..], 0);
    tree.write_with(|code, len| {
        w.put(code, len);
        w.flush();
    });
    w.finish();
    out.truncate(start + tree_bytes);

    let mut starts = Vec::with_capacity(slice_bits.len());
    let mut first_bit = tree_bits;
    for &bits in &slice_bits {
        starts.push(first_bit);
        first_bit += bits;
    }
    let mut slices = symbols.chunks(slice_len);
    let first_slice = slices.next().unwrap_or_default();
    // Slice 0 continues in `out` after the tree, on this thread.
    let code_first = |head: &mut Vec<u8>| {
        let at = start + (tree_bits / 8) as usize;
        let end = start + (tree_bits + slice_bits[0]).div_ceil(8) as usize;
        head.resize(end + 8, 0);
        let mut w = SliceBitWriter::resume(&mut head[at..], (tree_bits % 8) as u32);
        code_symbols(&mut w, first_slice, &coding);
        w.finish();
        head.truncate(end);
    };
    if histograms.len() == 1 {
        code_first(out);
    } else {
        // The others each code into their own buffer, aligned to their first bit's position
        // in its byte, and are appended: that first byte is shared with the slice before.
        let rest: Vec<&[u8]> = slices.collect();
        let ((), parts) = rayon::join(
            || code_first(out),
            || -> Vec<Vec<u8>> {
                rest.par_iter()
                    .zip(starts[1..].par_iter().zip(slice_bits[1..].par_iter()))
                    .map(|(slice, (&first, &bits))| {
                        let lead = (first % 8) as u32;
                        let bytes = (u64::from(lead) + bits).div_ceil(8) as usize;
                        let mut part = vec![0u8; bytes + 8];
                        let mut w = SliceBitWriter::new(&mut part, lead);
                        code_symbols(&mut w, slice, &coding);
                        w.finish();
                        part.truncate(bytes);
                        part
                    })
                    .collect()
            },
        );
        for (part, &first) in parts.iter().zip(&starts[1..]) {
            let at = start + (first / 8) as usize;
            match out.get_mut(at) {
                Some(shared) => {
                    *shared |= part[0];
                    out.extend_from_slice(&part[1..]);
                }
                None => out.extend_from_slice(part),
            }
        }
    }
    debug_assert_eq!(out.len(), start + total_bytes);
}

/// How a slice's symbols are coded: codes go out `K` at a time between flushes, where `K`
/// codes of up to `SLICE_PUT_BITS / K` bits fit; a group holding a longer code takes a flush
/// per code. `K` is the largest that sends at most one group in a hundred that way. Inputs
/// with at least 8 symbols per possible pair of the symbols present code two symbols per table
/// load: below that, building the pair table costs more than it saves.
pub(crate) struct Coding {
    /// `code << 8 | len` per symbol, `LONG` set for codes longer than `K` allow.
    single: [u64; MAX_LEAVES],
    k_single: usize,
    /// Per symbol pair `a` then `b`, at `b << 8 | a`: both codes joined, `LONG` set past the
    /// pair cap. The second symbol picks the row: in little-endian 16-bit data that is the
    /// high byte, mostly one value, so the pairs in use share a few pages.
    pairs: Option<(Box<[u64; 1 << 16]>, usize)>,
}

impl Coding {
    pub(crate) fn new(
        counts: &[u64; MAX_LEAVES],
        codes: &[u64; MAX_LEAVES],
        lens: &[u8; MAX_LEAVES],
    ) -> Self {
        let total: u64 = counts.iter().sum();
        // Symbols counted by code length.
        let mut by_len = [0u64; 64];
        for (&c, &l) in counts.iter().zip(lens) {
            by_len[usize::from(l)] += c;
        }
        let k_single = (1..=8u32)
            .rev()
            .find(|&k| {
                let long: u64 = by_len[(SLICE_PUT_BITS / k) as usize + 1..].iter().sum();
                long * u64::from(k) * 100 <= total
            })
            .unwrap_or(1) as usize;
        let single = flag_long(codes, lens, SLICE_PUT_BITS / k_single as u32);
        let present: Vec<u8> = (0..=255u8)
            .filter(|&s| counts[usize::from(s)] > 0)
            .collect();
        let pairs = (total >= 8 * (present.len() * present.len()) as u64)
            .then(|| {
                // Chance that two independent symbols' codes together pass `cap` bits.
                let long_pair = |cap: u32| -> f64 {
                    let mut p = 0.0;
                    for (l1, &c1) in by_len.iter().enumerate() {
                        for (l2, &c2) in by_len.iter().enumerate() {
                            if (l1 + l2) as u32 > cap {
                                p += (c1 as f64) * (c2 as f64);
                            }
                        }
                    }
                    p / (total as f64 * total as f64)
                };
                let k = (1..=4u32)
                    .rev()
                    .find(|&k| long_pair(SLICE_PUT_BITS / k) * f64::from(k) <= 0.01)?;
                let cap = SLICE_PUT_BITS / k;
                let mut table: Box<[u64; 1 << 16]> = vec![0u64; 1 << 16]
                    .into_boxed_slice()
                    .try_into()
                    .unwrap_or_else(|_| unreachable!("the vector has 2^16 entries"));
                for &a in &present {
                    for &b in &present {
                        let (la, lb) = (
                            u32::from(lens[usize::from(a)]),
                            u32::from(lens[usize::from(b)]),
                        );
                        let entry = &mut table[usize::from(a) | (usize::from(b) << 8)];
                        *entry = if la + lb > cap {
                            LONG
                        } else {
                            let code = (codes[usize::from(a)] << lb) | codes[usize::from(b)];
                            (code << 8) | u64::from(la + lb)
                        };
                    }
                }
                Some((table, k as usize))
            })
            .flatten();
        Self {
            single,
            k_single,
            pairs,
        }
    }
}

/// `code << 8 | len` of every symbol, with `LONG` set on codes longer than `cap` bits.
fn flag_long(codes: &[u64; MAX_LEAVES], lens: &[u8; MAX_LEAVES], cap: u32) -> [u64; MAX_LEAVES] {
    std::array::from_fn(|s| {
        let p = (codes[s] << 8) | u64::from(lens[s]);
        if u32::from(lens[s]) > cap {
            p | LONG
        } else {
            p
        }
    })
}

/// Codes `symbols` as `coding` says.
fn code_symbols(writer: &mut SliceBitWriter<'_>, symbols: &[u8], coding: &Coding) {
    let single = &coding.single;
    if let Some((pairs, k)) = &coding.pairs {
        match k {
            1 => code_pairs::<1>(writer, symbols, pairs, single),
            2 => code_pairs::<2>(writer, symbols, pairs, single),
            3 => code_pairs::<3>(writer, symbols, pairs, single),
            _ => code_pairs::<4>(writer, symbols, pairs, single),
        }
        return;
    }
    match coding.k_single {
        1 => code_batched::<1>(writer, symbols, single),
        2 => code_batched::<2>(writer, symbols, single),
        3 => code_batched::<3>(writer, symbols, single),
        4 => code_batched::<4>(writer, symbols, single),
        5 => code_batched::<5>(writer, symbols, single),
        6 => code_batched::<6>(writer, symbols, single),
        7 => code_batched::<7>(writer, symbols, single),
        _ => code_batched::<8>(writer, symbols, single),
    }
}

/// Puts `K` pairs of codes, then flushes; a group with a long pair goes code by code.
#[inline(always)]
fn code_pairs<const K: usize>(
    w: &mut SliceBitWriter<'_>,
    symbols: &[u8],
    pairs: &[u64; 1 << 16],
    single: &[u64; MAX_LEAVES],
) {
    let mut groups = symbols.chunks_exact(2 * K);
    for group in &mut groups {
        let codes: [u64; K] = std::array::from_fn(|j| {
            pairs[usize::from(group[2 * j]) | (usize::from(group[2 * j + 1]) << 8)]
        });
        if codes.iter().fold(0, |a, &p| a | p) & LONG == 0 {
            for &p in &codes {
                put_packed(w, p);
            }
            w.flush();
        } else {
            for &s in group {
                put_packed(w, single[usize::from(s)]);
                w.flush();
            }
        }
    }
    for &s in groups.remainder() {
        put_packed(w, single[usize::from(s)]);
        w.flush();
    }
}

/// In a packed code (`code << 8 | len`), marks a code too long to share a flush with `K - 1`
/// others. Lengths stay below 64, so bit 7 of the length byte is free.
const LONG: u64 = 0x80;

#[inline(always)]
fn put_packed(w: &mut SliceBitWriter<'_>, p: u64) {
    w.put(p >> 8, (p & 0x7f) as u32);
}

/// Puts `K` codes, then flushes, unless one of them is long (flagged for this `K`).
#[inline(always)]
fn code_batched<const K: usize>(w: &mut SliceBitWriter<'_>, symbols: &[u8], flagged: &[u64; 256]) {
    let mut groups = symbols.chunks_exact(K);
    for group in &mut groups {
        let codes: [u64; K] = std::array::from_fn(|j| flagged[usize::from(group[j])]);
        if codes.iter().fold(0, |a, &p| a | p) & LONG == 0 {
            for &p in &codes {
                put_packed(w, p);
            }
            w.flush();
        } else {
            for &p in &codes {
                put_packed(w, p);
                w.flush();
            }
        }
    }
    for &s in groups.remainder() {
        put_packed(w, flagged[usize::from(s)]);
        w.flush();
    }
}

/// Histograms of each `slice_len` slice of `input`, computed in parallel when there are
/// several.
pub(crate) fn slice_histograms(input: &[u8], slice_len: usize) -> Vec<Histogram> {
    if input.len() <= slice_len {
        return vec![crate::tree::histogram(input)];
    }
    input
        .par_chunks(slice_len)
        .map(crate::tree::histogram)
        .collect()
}
