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

impl Scan {
    /// This scan, as seen from `symbols` codes earlier: it continued a count of them.
    pub(super) fn after(self, symbols: usize) -> Self {
        Self {
            symbols: symbols + self.symbols,
            ..self
        }
    }
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

/// Where decoded codes go: nowhere when only counting ([`Count`]), or into an output slice
/// ([`Write`]). One scanning loop serves both, monomorphised for each.
pub(super) trait Sink<T> {
    /// Most codes the sink takes.
    fn room(&self) -> usize;
    /// The table entry's `LANES` values, at output index `i` (its count of them is valid).
    fn lanes(&mut self, i: usize, values: &[T; LANES]);
    /// One code's symbol, at output index `i`.
    fn one(&mut self, i: usize, symbol: u8);
}

/// Counts codes without writing them.
pub(super) struct Count;

impl<T> Sink<T> for Count {
    #[inline(always)]
    fn room(&self) -> usize {
        usize::MAX
    }
    #[inline(always)]
    fn lanes(&mut self, _: usize, _: &[T; LANES]) {}
    #[inline(always)]
    fn one(&mut self, _: usize, _: u8) {}
}

/// Writes codes into `out`, each symbol mapped through `map`.
pub(super) struct Write<'a, T> {
    pub(super) out: &'a mut [T],
    pub(super) map: &'a [T; 256],
}

impl<T: Copy> Sink<T> for Write<'_, T> {
    #[inline(always)]
    fn room(&self) -> usize {
        self.out.len()
    }
    #[inline(always)]
    fn lanes(&mut self, i: usize, values: &[T; LANES]) {
        self.out[i..i + LANES].copy_from_slice(values);
    }
    #[inline(always)]
    fn one(&mut self, i: usize, symbol: u8) {
        self.out[i] = self.map[usize::from(symbol)];
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
    scan_until(table, tree, r, &mut Count, limit)
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
    scan_until(table, tree, r, &mut Write { out, map }, limit)
}

/// Codes from `r`'s position into `sink` until it is full or a code boundary at or past
/// `limit` is reached (or the stream's last whole code).
#[inline(always)]
fn scan_until<T: Copy>(
    table: &MultiTable<T>,
    tree: &DecodeTree,
    r: &mut BitReader<'_>,
    sink: &mut impl Sink<T>,
    limit: u64,
) -> Scan {
    let n = sink.room();
    let bits = table.bits;
    let mut i = 0;
    // The serial decoder's fast loop (`MultiTable::decode`), kept `FAST_SPAN` bits short of
    // `limit`.
    'fast: while n - i >= 4 * LANES && r.can_refill_fast() && r.consumed_bits() + FAST_SPAN <= limit
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
                sink.one(i, symbol);
                i += 1;
                continue 'fast;
            }
            sink.lanes(i, &table.values[index]);
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
        sink.one(i, symbol);
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
                        let first = rest.after(na + x);
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
    [ra.after(na), rb.after(nb)]
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
    rest.after(symbols)
}
