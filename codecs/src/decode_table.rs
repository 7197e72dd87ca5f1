//! The lookup table that decodes most codes with one indexed load.

use crate::bits::BitReader;
use crate::tree::{ChildRef, DecodeTree, LEAF_BASE};

/// Bits of lookahead the table is indexed by. Codes up to this length decode in one step;
/// longer ones continue from the internal node the table points at.
pub(crate) const TABLE_BITS: u32 = 11;

/// Marks an entry that points at an internal node instead of holding a symbol.
const SUBTREE: u32 = 1 << 31;

/// `entries[next TABLE_BITS bits]` is `len << 8 | symbol` for a code of `len <= TABLE_BITS`
/// bits, or `SUBTREE | node` where the code continues below internal `node`.
pub(crate) struct DecodeTable {
    entries: [u32; 1 << TABLE_BITS],
}

impl DecodeTable {
    /// Builds the table of a tree whose root is internal.
    pub(crate) fn new(tree: &DecodeTree) -> Self {
        let mut entries = [0u32; 1 << TABLE_BITS];
        let mut stack: Vec<(ChildRef, u32, usize)> = vec![(tree.root, 0, 0)];
        while let Some((node, depth, prefix)) = stack.pop() {
            if node >= LEAF_BASE {
                let free_bits = TABLE_BITS - depth;
                let start = prefix << free_bits;
                entries[start..start + (1 << free_bits)]
                    .fill((depth << 8) | u32::from(node - LEAF_BASE));
            } else if depth == TABLE_BITS {
                entries[prefix] = SUBTREE | u32::from(node);
            } else {
                let [zero, one] = tree.children[usize::from(node)];
                stack.push((zero, depth + 1, prefix << 1));
                stack.push((one, depth + 1, (prefix << 1) | 1));
            }
        }
        Self { entries }
    }

    /// `Ok((symbol, code length))`, or `Err(node)` for a code longer than [`TABLE_BITS`].
    /// Needs [`TABLE_BITS`] buffered bits.
    #[inline(always)]
    pub(crate) fn lookup(&self, r: &BitReader<'_>) -> Result<(u8, u32), ChildRef> {
        let e = self.entries[r.peek_bits(TABLE_BITS) as usize];
        if e & SUBTREE == 0 {
            Ok((e as u8, e >> 8))
        } else {
            Err(e as ChildRef)
        }
    }
}
