//! Decoding loops that stop at a bit position: the parallel decoder's slices end where a code
//! boundary reaches the next slice's first bit, not after a known number of symbols. They
//! reuse the serial decoder's multi-symbol table ([`MultiTable`]).

use crate::bits::BitReader;
use crate::multi_table::{MultiTable, LANES, SUBTREE};
use crate::tree::DecodeTree;

/// Where a scan stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Scan {
    /// Codes decoded (or counted) whole.
    pub(super) symbols: usize,
    /// The bit after the last of them: the first code boundary at or past the scan's limit,
    /// unless the scan stopped early (output full, or `eof`).
    pub(super) end: u64,
    /// The next code runs past the end of the stream: no code boundary after `end` exists.
    pub(super) eof: bool,
}

/// Bits four table lookups consume at most: the fast loops stay this far from their limit,
/// so that they never step over the first boundary at or past it.
const FAST_SPAN: u64 = 56;

/// Decodes one code, through the single-code table or, for a code longer than its index, the
/// tree. Past the end of the input it reads zeros: check [`BitReader::overrun`] afterwards.
#[inline(always)]
pub(super) fn step<T: Copy>(table: &MultiTable<T>, tree: &DecodeTree, r: &mut BitReader<'_>) -> u8 {
    r.refill();
    let index = r.peek_bits(table.bits) as usize;
    let e = table.first[index];
    if e & SUBTREE == 0 {
        r.drop_bits((e >> 8) & 0xff);
        e as u8
    } else {
        table.long_code(r, tree, index)
    }
}

/// Counts the codes from `r`'s position up to the first code boundary at or past `limit` (or
/// the last whole code of the stream).
pub(super) fn count_until<T: Copy>(
    table: &MultiTable<T>,
    tree: &DecodeTree,
    r: &mut BitReader<'_>,
    limit: u64,
) -> Scan {
    let bits = table.bits;
    let mut symbols = 0usize;
    'fast: while r.can_refill_fast() && r.consumed_bits() + FAST_SPAN <= limit {
        r.refill();
        for _ in 0..4 {
            let index = r.peek_bits(bits) as usize;
            let count = table.count[index];
            if count == 0 {
                let before = r.consumed_bits();
                table.long_code(r, tree, index);
                if r.overrun() {
                    return eof(symbols, before);
                }
                symbols += 1;
                continue 'fast;
            }
            symbols += usize::from(count);
            r.drop_bits(u32::from(table.shift[index]));
        }
    }
    loop {
        let at = r.consumed_bits();
        if at >= limit {
            return Scan {
                symbols,
                end: at,
                eof: false,
            };
        }
        step(table, tree, r);
        if r.overrun() {
            return eof(symbols, at);
        }
        symbols += 1;
    }
}

/// Decodes codes from `r`'s position into `out`, mapped through `map`, until `out` is full or a
/// code boundary at or past `limit` is reached (or the stream's last whole code).
pub(super) fn decode_until<T: Copy>(
    table: &MultiTable<T>,
    tree: &DecodeTree,
    map: &[T; 256],
    r: &mut BitReader<'_>,
    out: &mut [T],
    limit: u64,
) -> Scan {
    let n = out.len();
    let bits = table.bits;
    let mut i = 0;
    // The serial decoder's fast loop (`MultiTable::decode`), kept `FAST_SPAN` bits short of
    // `limit`.
    'fast: while i + 4 * LANES <= n && r.can_refill_fast() && r.consumed_bits() + FAST_SPAN <= limit
    {
        r.refill();
        for _ in 0..4 {
            let index = r.peek_bits(bits) as usize;
            let count = table.count[index];
            if count == 0 {
                let before = r.consumed_bits();
                let symbol = table.long_code(r, tree, index);
                if r.overrun() {
                    return eof(i, before);
                }
                out[i] = map[usize::from(symbol)];
                i += 1;
                continue 'fast;
            }
            out[i..i + LANES].copy_from_slice(&table.values[index]);
            i += usize::from(count);
            r.drop_bits(u32::from(table.shift[index]));
        }
    }
    loop {
        let at = r.consumed_bits();
        if i == n || at >= limit {
            return Scan {
                symbols: i,
                end: at,
                eof: false,
            };
        }
        let symbol = step(table, tree, r);
        if r.overrun() {
            return eof(i, at);
        }
        out[i] = map[usize::from(symbol)];
        i += 1;
    }
}

fn eof(symbols: usize, end: u64) -> Scan {
    Scan {
        symbols,
        end,
        eof: true,
    }
}
