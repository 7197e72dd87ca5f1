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

/// [`count_until`] on two readers at once, for two slices: the table lookups of one do not
/// wait on the other's, so a core runs both chains side by side, and counting two slices
/// takes less than twice as long as counting one.
pub(super) fn count_until_2<T: Copy>(
    table: &MultiTable<T>,
    tree: &DecodeTree,
    (a, limit_a): (&mut BitReader<'_>, u64),
    (b, limit_b): (&mut BitReader<'_>, u64),
) -> [Scan; 2] {
    let bits = table.bits;
    let (mut na, mut nb) = (0usize, 0usize);
    // One lookup on `r`: codes counted, or `None` if a long code ran past the end.
    let lookup = |r: &mut BitReader<'_>, index: usize| -> Option<usize> {
        let count = table.count[index];
        if count == 0 {
            table.long_code(r, tree, index);
            return (!r.overrun()).then_some(1);
        }
        r.drop_bits(u32::from(table.shift[index]));
        Some(usize::from(count))
    };
    'fast: while a.can_refill_fast()
        && b.can_refill_fast()
        && a.consumed_bits() + FAST_SPAN <= limit_a
        && b.consumed_bits() + FAST_SPAN <= limit_b
    {
        a.refill();
        b.refill();
        for _ in 0..4 {
            let ia = a.peek_bits(bits) as usize;
            let ib = b.peek_bits(bits) as usize;
            let (ca, cb) = (table.count[ia], table.count[ib]);
            if ca == 0 || cb == 0 {
                // A long code: one lookup each, checked, then the loop's tests again.
                let (before_a, before_b) = (a.consumed_bits(), b.consumed_bits());
                match (lookup(a, ia), lookup(b, ib)) {
                    (Some(x), Some(y)) => (na, nb) = (na + x, nb + y),
                    (None, y) => {
                        nb += y.unwrap_or(0);
                        let rest = finish(table, tree, b, limit_b, nb, y.is_none(), before_b);
                        return [eof(na, before_a), rest];
                    }
                    (Some(x), None) => {
                        let rest = count_until(table, tree, a, limit_a);
                        let first = Scan {
                            symbols: na + x + rest.symbols,
                            ..rest
                        };
                        return [first, eof(nb, before_b)];
                    }
                }
                continue 'fast;
            }
            na += usize::from(ca);
            nb += usize::from(cb);
            a.drop_bits(u32::from(table.shift[ia]));
            b.drop_bits(u32::from(table.shift[ib]));
        }
    }
    let ra = count_until(table, tree, a, limit_a);
    let rb = count_until(table, tree, b, limit_b);
    [
        Scan {
            symbols: na + ra.symbols,
            ..ra
        },
        Scan {
            symbols: nb + rb.symbols,
            ..rb
        },
    ]
}

/// The rest of a paired count: `symbols` counted so far, or the end if the reader already ran
/// out (`done`, before the code that started at `before`).
fn finish<T: Copy>(
    table: &MultiTable<T>,
    tree: &DecodeTree,
    r: &mut BitReader<'_>,
    limit: u64,
    symbols: usize,
    done: bool,
    before: u64,
) -> Scan {
    if done {
        return eof(symbols, before);
    }
    let rest = count_until(table, tree, r, limit);
    Scan {
        symbols: symbols + rest.symbols,
        ..rest
    }
}
