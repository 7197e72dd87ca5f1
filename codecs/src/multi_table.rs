//! The multi-symbol decoder: one table load decodes every code that fits whole in the next
//! 9 to 14 bits of the stream, writing the output values (dequantized or not) directly.
//!
//! Each entry's values sit in their own array, off the critical path: the loop only waits on
//! the small `shift` array (in L1) before it can look up the next entry.

use crate::bits::BitReader;
use crate::tree::{ChildRef, DecodeTree, LEAF_BASE};

/// Symbols one entry can hold. Stores always write all of them; `count` says how many count.
pub(crate) const LANES: usize = 8;

/// Widest table index, for large outputs of long codes: a 14-bit entry holds about three
/// raw-byte codes of a photon-counting frame. Four lookups must fit one refill's 56 bits.
const MAX_TABLE_BITS: u32 = 14;
/// Narrowest table index, for short outputs.
const MIN_TABLE_BITS: u32 = 9;
const _: () = assert!(4 * MAX_TABLE_BITS <= 56, "four lookups must fit one refill");

/// `first[index]` for a code longer than the table's index: continue the walk below this
/// internal node.
pub(crate) const SUBTREE: u32 = 1 << 31;

/// Its fields are read by the parallel decoder's scanning loops (`stream::sync_decode`).
pub(crate) struct MultiTable<T> {
    pub(crate) bits: u32,
    /// Per index: bits the entry's codes take, read first so the next lookup can start.
    pub(crate) shift: Vec<u8>,
    /// Per index: the number of codes, 0 when the first code is longer than `bits`.
    pub(crate) count: Vec<u8>,
    /// Per index: the values of the `count` codes, padded with copies of `map[0]`.
    pub(crate) values: Vec<[T; LANES]>,
    /// Per index: `len << 8 | symbol` of the first code, or `SUBTREE | node`.
    pub(crate) first: Vec<u32>,
}

impl<T: Copy> MultiTable<T> {
    /// Builds the table of a tree whose root is internal, sized for `n_symbols` outputs coded
    /// in about `code_bits` bits.
    pub(crate) fn new(tree: &DecodeTree, map: &[T; 256], n_symbols: usize, code_bits: u64) -> Self {
        // An entry fills all its lanes once it spans LANES average codes; wider tables only
        // cost cache and build time (quantized frames average 1.5 bits, raw ones 3.7).
        let span = code_bits.saturating_mul(LANES as u64) / (n_symbols.max(1) as u64);
        let useful = u32::try_from(span).unwrap_or(u32::MAX).saturating_add(1);
        // Small outputs get small tables: building and first touching 2^bits entries costs
        // more than it saves beyond about n/64 entries (measured on 256x256 chunks).
        let affordable = usize::BITS - (n_symbols / 128).max(1).leading_zeros();
        let bits = useful
            .max(12)
            .min(affordable)
            .clamp(MIN_TABLE_BITS, MAX_TABLE_BITS);
        let first = first_code_table(tree, bits);
        let (shift, count, values) = build_entries(tree, map, bits);
        Self {
            bits,
            shift,
            count,
            values,
            first,
        }
    }

    /// Decodes `out.len()` symbols from `r` (positioned after the tree), mapping each through
    /// `map`. Returns the number decoded before the input ran out, as `Err`.
    pub(crate) fn decode(
        &self,
        r: &mut BitReader<'_>,
        tree: &DecodeTree,
        map: &[T; 256],
        out: &mut [T],
    ) -> Result<(), usize> {
        let n = out.len();
        let bits = self.bits;
        let mut i = 0;
        // Four lookups of at most 12 bits stay within the 56 bits one refill guarantees, and
        // every one of them writes at most LANES values.
        'fast: while i + 4 * LANES <= n && r.can_refill_fast() {
            r.refill();
            for _ in 0..4 {
                let index = r.peek_bits(bits) as usize;
                let count = self.count[index];
                if count == 0 {
                    let symbol = self.long_code(r, tree, index);
                    if r.overrun() {
                        return Err(i);
                    }
                    out[i] = map[usize::from(symbol)];
                    i += 1;
                    continue 'fast;
                }
                out[i..i + LANES].copy_from_slice(&self.values[index]);
                i += usize::from(count);
                r.drop_bits(u32::from(self.shift[index]));
            }
        }
        while i < n {
            r.refill();
            let index = r.peek_bits(bits) as usize;
            let e = self.first[index];
            let symbol = if e & SUBTREE == 0 {
                r.drop_bits((e >> 8) & 0xff);
                e as u8
            } else {
                self.long_code(r, tree, index)
            };
            if r.overrun() {
                return Err(i);
            }
            out[i] = map[usize::from(symbol)];
            i += 1;
        }
        Ok(())
    }

    /// Decodes one symbol at `index`: the table's first code there, or a longer one finished
    /// bit by bit below the table's subtree node.
    #[cold]
    #[inline(never)]
    pub(crate) fn long_code(&self, r: &mut BitReader<'_>, tree: &DecodeTree, index: usize) -> u8 {
        let e = self.first[index];
        if e & SUBTREE == 0 {
            r.drop_bits((e >> 8) & 0xff);
            return e as u8;
        }
        r.drop_bits(self.bits);
        let mut at = (e & 0xffff) as ChildRef;
        loop {
            let bit = r.read_bit() as usize;
            at = tree.children[usize::from(at)][bit];
            if at >= LEAF_BASE {
                return (at - LEAF_BASE) as u8;
            }
        }
    }
}

/// The entries (`shift`, `count`, `values`) of a `bits`-bit table, built level by level: the
/// level-`k` table decodes what `k` known bits hold, and its entries under a code `c` of
/// length `l` are `c`'s symbol followed by the level-`(k - l)` entries. Each entry is one
/// copy of its lanes, so building costs about two table sizes of copies.
#[allow(clippy::type_complexity)]
fn build_entries<T: Copy>(
    tree: &DecodeTree,
    map: &[T; 256],
    bits: u32,
) -> (Vec<u8>, Vec<u8>, Vec<[T; LANES]>) {
    let codes = short_codes(tree, bits);
    let size = 1usize << bits;
    // Levels 0..bits live at 2^k..2^(k+1); level 0 (no known bits) is the empty entry at 1.
    // Two buffers of 2^bits rather than one of twice that keep both under the allocator's
    // mmap threshold for the table sizes small chunks use, so they come back without faults.
    let mut lower = vec![[map[0]; LANES]; size];
    let mut lower_count = vec![0u8; size];
    // Bits used by the first 1, 2, ... codes of an entry, one byte per lane.
    let mut lower_ends = vec![0u64; size];
    let mut values = vec![[map[0]; LANES]; size];
    let mut count = vec![0u8; size];
    let mut shift = vec![0u8; size];
    let prepend = |head: T, rest: &[T; LANES], dst: &mut [T; LANES]| {
        dst[0] = head;
        dst[1..].copy_from_slice(&rest[..LANES - 1]);
    };
    for k in 1..=bits {
        let base = 1usize << k;
        for &(symbol, code, len) in codes.iter().filter(|c| c.2 <= k) {
            let rest_bits = k - len;
            let rest = 1usize << rest_bits;
            let start = (code as usize) << rest_bits;
            let head = map[usize::from(symbol)];
            let spread = u64::from(len) * 0x0101_0101_0101_0101;
            if k < bits {
                let (done, todo) = lower.split_at_mut(base);
                for j in 0..rest {
                    let (src, dst) = (rest + j, base + start + j);
                    prepend(head, &done[src], &mut todo[dst - base]);
                    lower_count[dst] = (lower_count[src] + 1).min(LANES as u8);
                    lower_ends[dst] = (lower_ends[src] << 8) + spread;
                }
            } else {
                for j in 0..rest {
                    let (src, dst) = (rest + j, start + j);
                    prepend(head, &lower[src], &mut values[dst]);
                    let c = (lower_count[src] + 1).min(LANES as u8);
                    let ends = (lower_ends[src] << 8) + spread;
                    count[dst] = c;
                    shift[dst] = (ends >> (8 * (u32::from(c) - 1))) as u8;
                }
            }
        }
    }
    (shift, count, values)
}

/// `(symbol, code, length)` of every code of at most `bits` bits.
fn short_codes(tree: &DecodeTree, bits: u32) -> Vec<(u8, u32, u32)> {
    let mut codes = Vec::with_capacity(256);
    let mut stack: Vec<(ChildRef, u32, u32)> = Vec::with_capacity(64);
    stack.push((tree.root, 0, 0));
    while let Some((node, depth, code)) = stack.pop() {
        if node >= LEAF_BASE {
            codes.push(((node - LEAF_BASE) as u8, code, depth));
        } else if depth < bits {
            let [zero, one] = tree.children[usize::from(node)];
            stack.push((zero, depth + 1, code << 1));
            stack.push((one, depth + 1, (code << 1) | 1));
        }
    }
    codes
}

/// The single-code table: `len << 8 | symbol` for a code of at most `bits` bits, or
/// `SUBTREE | node` for a longer code that continues below internal `node`.
fn first_code_table(tree: &DecodeTree, bits: u32) -> Vec<u32> {
    let mut entries = vec![0u32; 1 << bits];
    let mut stack: Vec<(ChildRef, u32, usize)> = Vec::with_capacity(64);
    stack.push((tree.root, 0, 0));
    while let Some((node, depth, prefix)) = stack.pop() {
        if node >= LEAF_BASE {
            let free_bits = bits - depth;
            let start = prefix << free_bits;
            entries[start..start + (1 << free_bits)]
                .fill((depth << 8) | u32::from(node - LEAF_BASE));
        } else if depth == bits {
            entries[prefix] = SUBTREE | u32::from(node);
        } else {
            let [zero, one] = tree.children[usize::from(node)];
            stack.push((zero, depth + 1, prefix << 1));
            stack.push((one, depth + 1, (prefix << 1) | 1));
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::BitWriter;
    use crate::tree::EncoderTree;

    /// The table entries decoded greedily, code after code from the single-code table: the
    /// obvious construction the level-by-level build must match.
    fn greedy_entries(tree: &DecodeTree, bits: u32) -> (Vec<u8>, Vec<u8>, Vec<[u8; LANES]>) {
        let first = first_code_table(tree, bits);
        let size = 1usize << bits;
        let (mut shift, mut count, mut values) =
            (vec![0u8; size], vec![0u8; size], vec![[0u8; LANES]; size]);
        for index in 0..size {
            let (mut used, mut n) = (0u32, 0usize);
            while n < LANES {
                let e = first[(index << used) & (size - 1)];
                let len = (e >> 8) & 0xff;
                if e & SUBTREE != 0 || used + len > bits {
                    break;
                }
                values[index][n] = e as u8;
                n += 1;
                used += len;
            }
            shift[index] = used as u8;
            count[index] = n as u8;
        }
        (shift, count, values)
    }

    fn tree_for(counts: &[u64; 256]) -> DecodeTree {
        let tree = EncoderTree::build(counts).unwrap();
        let mut w = BitWriter::with_vec(Vec::new(), 0);
        tree.write(&mut w);
        let bytes = w.finish();
        DecodeTree::read(&mut BitReader::new(&bytes), bytes.len()).unwrap()
    }

    #[test]
    fn level_build_matches_greedy_decoding() {
        let identity: [u8; 256] = std::array::from_fn(|s| s as u8);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut histograms = Vec::new();
        // Fibonacci counts: codes of every length up to 24 bits.
        let mut fib = [0u64; 256];
        let (mut a, mut b) = (1u64, 1u64);
        for c in fib.iter_mut().take(25) {
            *c = a;
            (a, b) = (b, a + b);
        }
        histograms.push(fib);
        for symbols in [2usize, 3, 5, 40, 256] {
            let mut h = [0u64; 256];
            for c in h.iter_mut().take(symbols) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *c = 1 + (seed % 1000) * (seed % 7);
            }
            histograms.push(h);
        }
        for h in &histograms {
            let tree = tree_for(h);
            for bits in MIN_TABLE_BITS..=MAX_TABLE_BITS {
                let built = build_entries(&tree, &identity, bits);
                let greedy = greedy_entries(&tree, bits);
                assert_eq!(built.0, greedy.0, "shift, {bits} bits");
                assert_eq!(built.1, greedy.1, "count, {bits} bits");
                for (i, (x, y)) in built.2.iter().zip(&greedy.2).enumerate() {
                    let n = usize::from(built.1[i]);
                    assert_eq!(x[..n], y[..n], "values at {i}, {bits} bits");
                }
            }
        }
    }
}
