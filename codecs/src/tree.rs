//! The code tree: built from a histogram exactly as the reference builds it, written and read
//! in the stream's pre-order form.

use crate::bits::{BitReader, BitWriter};
use crate::Error;

/// Most leaves a tree over byte symbols can have.
pub(crate) const MAX_LEAVES: usize = 256;
/// Most internal nodes a full tree with [`MAX_LEAVES`] leaves has.
pub(crate) const MAX_INTERNAL: usize = MAX_LEAVES - 1;

/// Counts of each byte value. Eight interleaved tables keep runs of equal bytes (the zero high
/// bytes of 16-bit data, for one) from serialising on one counter's store-to-load latency.
pub(crate) fn histogram(input: &[u8]) -> [u64; 256] {
    let mut tables = [[0u32; 256]; 8];
    let mut groups = input.chunks_exact(8);
    for g in &mut groups {
        for (t, &b) in tables.iter_mut().zip(g) {
            t[usize::from(b)] += 1;
        }
    }
    for &b in groups.remainder() {
        tables[0][usize::from(b)] += 1;
    }
    sum_tables(&tables)
}

/// Adds up interleaved count tables. Each holds a `u32` per symbol: callers count at most
/// `u32::MAX` symbols in all.
pub(crate) fn sum_tables<const N: usize>(tables: &[[u32; 256]; N]) -> [u64; 256] {
    let mut counts = [0u64; 256];
    for t in tables {
        for (c, &x) in counts.iter_mut().zip(t) {
            *c += u64::from(x);
        }
    }
    counts
}

/// A node of the tree being built: a leaf (byte symbol) or the join of two earlier nodes.
#[derive(Clone, Copy)]
enum BuildNode {
    Leaf(u8),
    Join(u16, u16),
}

/// The tree the encoder builds from a histogram, and the codes that follow from it.
pub(crate) struct EncoderTree {
    nodes: Vec<BuildNode>,
}

/// Per-symbol codes: `codes[s]` holds the low `lens[s]` bits; `lens[s] == 0` for absent symbols.
pub(crate) struct CodeBook {
    pub(crate) codes: [u64; 256],
    pub(crate) lens: [u8; 256],
}

impl EncoderTree {
    /// Builds the tree with the reference's tie-breaking: leaves in increasing byte order, then
    /// repeatedly join the two lightest free nodes, where a scan from index 0 lets a later node
    /// of equal count displace an earlier one. Returns `None` when every count is zero.
    pub(crate) fn build(counts: &[u64; 256]) -> Option<Self> {
        let mut nodes = Vec::with_capacity(2 * MAX_LEAVES - 1);
        let mut weight = Vec::with_capacity(2 * MAX_LEAVES - 1);
        for (symbol, &count) in (0..=255u8).zip(counts) {
            if count > 0 {
                nodes.push(BuildNode::Leaf(symbol));
                weight.push(count);
            }
        }
        if nodes.is_empty() {
            return None;
        }
        let mut free = vec![true; nodes.len()];
        let mut free_count = nodes.len();
        while free_count > 1 {
            let mut first: Option<usize> = None;
            let mut second: Option<usize> = None;
            for i in (0..nodes.len()).filter(|&i| free[i]) {
                if first.is_none_or(|f| weight[i] <= weight[f]) {
                    second = first;
                    first = Some(i);
                } else if second.is_none_or(|s| weight[i] <= weight[s]) {
                    second = Some(i);
                }
            }
            let (Some(a), Some(b)) = (first, second) else {
                unreachable!("two free nodes exist while free_count > 1")
            };
            free[a] = false;
            free[b] = false;
            // Node indices stay below 511, so they fit u16.
            nodes.push(BuildNode::Join(a as u16, b as u16));
            weight.push(weight[a] + weight[b]);
            free.push(true);
            free_count -= 1;
        }
        Some(Self { nodes })
    }

    fn root(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Pre-order walk: `visit(node, depth, code)` for every node, first child before second.
    fn walk(&self, mut visit: impl FnMut(BuildNode, u32, u64)) {
        let mut stack = vec![(self.root(), 0u32, 0u64)];
        while let Some((i, depth, code)) = stack.pop() {
            let node = self.nodes[i];
            visit(node, depth, code);
            if let BuildNode::Join(a, b) = node {
                stack.push((usize::from(b), depth + 1, (code << 1) | 1));
                stack.push((usize::from(a), depth + 1, code << 1));
            }
        }
    }

    /// The codes; a lone leaf gets the one-bit code 0, as the reference writes it.
    pub(crate) fn code_book(&self) -> CodeBook {
        let mut book = CodeBook {
            codes: [0; 256],
            lens: [0; 256],
        };
        self.walk(|node, depth, code| {
            if let BuildNode::Leaf(s) = node {
                // Depth is bounded by the Fibonacci growth of counts; callers limit input
                // size so that it stays within `bits::MAX_PUT_BITS`.
                book.codes[usize::from(s)] = code;
                book.lens[usize::from(s)] = depth.max(1) as u8;
            }
        });
        book
    }

    /// Number of bits [`Self::write`] emits.
    pub(crate) fn serialized_bits(&self) -> u64 {
        let leaves = self.nodes.len().div_ceil(2) as u64;
        let internal = leaves - 1;
        leaves * 9 + internal
    }

    /// Writes the tree in pre-order: 0 then both children for a join, 1 and the symbol for a leaf.
    pub(crate) fn write(&self, w: &mut BitWriter) {
        self.write_with(|code, len| w.put(code, len));
    }

    /// [`Self::write`] through any bit sink: `put(code, len)` with `len` <= 9.
    pub(crate) fn write_with(&self, mut put: impl FnMut(u64, u32)) {
        self.walk(|node, _, _| match node {
            BuildNode::Leaf(s) => put(0x100 | u64::from(s), 9),
            BuildNode::Join(..) => put(0, 1),
        });
    }
}

/// A child reference in a [`DecodeTree`]: below 256 an internal node's index, from 256 on a
/// leaf holding symbol `value - 256`.
pub(crate) type ChildRef = u16;
pub(crate) const LEAF_BASE: ChildRef = 256;

/// A tree read from a stream, validated to be a full tree of at most 256 leaves.
pub(crate) struct DecodeTree {
    /// Children (bit 0, bit 1) of each internal node; node 0 is the root when it is internal.
    pub(crate) children: Vec<[ChildRef; 2]>,
    /// The root: `LEAF_BASE + symbol` for a lone-leaf tree, else 0.
    pub(crate) root: ChildRef,
}

impl DecodeTree {
    /// Reads a tree from the start of the stream, refusing trees that cannot describe byte
    /// codes or that run past the end of the stream.
    pub(crate) fn read(r: &mut BitReader<'_>, stream_bytes: usize) -> Result<Self, Error> {
        let truncated = || Error::TreeTruncated {
            bits: stream_bytes * 8,
        };
        let read_leaf = |r: &mut BitReader<'_>| -> Result<ChildRef, Error> {
            r.refill();
            let symbol = r.peek_bits(8) as u16;
            r.drop_bits(8);
            if r.overrun() {
                return Err(truncated());
            }
            Ok(LEAF_BASE + symbol)
        };

        let is_leaf = r.read_bit() == 1;
        if r.overrun() {
            return Err(truncated());
        }
        if is_leaf {
            let root = read_leaf(r)?;
            return Ok(Self {
                children: Vec::new(),
                root,
            });
        }
        let mut children: Vec<[ChildRef; 2]> = Vec::with_capacity(MAX_INTERNAL);
        children.push([0, 0]);
        let mut leaves = 0usize;
        // (internal node, next child side to read)
        let mut stack: Vec<(usize, usize)> = Vec::with_capacity(MAX_INTERNAL);
        stack.push((0, 0));
        while let Some(top) = stack.last_mut() {
            let (node, side) = *top;
            if side == 2 {
                stack.pop();
                continue;
            }
            top.1 += 1;
            let bit = r.read_bit();
            if r.overrun() {
                return Err(truncated());
            }
            if bit == 1 {
                leaves += 1;
                if leaves > MAX_LEAVES {
                    return Err(Error::TreeTooLarge {
                        leaves,
                        internal: children.len(),
                    });
                }
                children[node][side] = read_leaf(r)?;
            } else {
                if children.len() == MAX_INTERNAL {
                    return Err(Error::TreeTooLarge {
                        leaves,
                        internal: children.len() + 1,
                    });
                }
                children[node][side] = children.len() as ChildRef;
                stack.push((children.len(), 0));
                children.push([0, 0]);
            }
        }
        Ok(Self { children, root: 0 })
    }

    /// The symbol of a lone-leaf tree, which codes every symbol in zero bits.
    pub(crate) fn lone_symbol(&self) -> Option<u8> {
        (self.root >= LEAF_BASE).then(|| (self.root - LEAF_BASE) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_for(input: &[u8]) -> CodeBook {
        EncoderTree::build(&histogram(input)).unwrap().code_book()
    }

    #[test]
    fn histogram_counts_every_byte() {
        let input: Vec<u8> = (0..1003u32).map(|i| (i * 31 % 7) as u8).collect();
        let h = histogram(&input);
        for (s, &count) in h.iter().enumerate() {
            let expected = input.iter().filter(|&&b| usize::from(b) == s).count() as u64;
            assert_eq!(count, expected);
        }
        assert_eq!(h.iter().sum::<u64>(), 1003);
    }

    #[test]
    fn equal_counts_pair_later_nodes_first() {
        // Worked by hand from the rule in reference.md: with four equal counts the `<=` scan
        // leaves the last lightest node as `first`, so 3 and 2 join (node 4), then 1 and 0
        // (node 5), then 5 and 4 form the root.
        let book = book_for(&[0, 1, 2, 3]);
        assert_eq!(&book.lens[..4], &[2, 2, 2, 2]);
        assert_eq!(&book.codes[..4], &[0b01, 0b00, 0b11, 0b10]);
    }

    #[test]
    fn lone_symbol_gets_one_bit_code() {
        let book = book_for(&[9, 9, 9]);
        assert_eq!((book.codes[9], book.lens[9]), (0, 1));
        assert_eq!(book.lens.iter().filter(|&&l| l > 0).count(), 1);
    }

    #[test]
    fn codes_form_a_prefix_code_satisfying_kraft() {
        let input: Vec<u8> = (0..5000u32).map(|i| ((i * i) % 251) as u8).collect();
        let book = book_for(&input);
        let kraft: f64 = book
            .lens
            .iter()
            .filter(|&&l| l > 0)
            .map(|&l| 0.5f64.powi(i32::from(l)))
            .sum();
        assert!((kraft - 1.0).abs() < 1e-12, "kraft sum {kraft}");
    }
}
