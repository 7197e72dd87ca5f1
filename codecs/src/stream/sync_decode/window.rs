//! A slice's speculative start: the code boundaries a decoder finds when it starts at an
//! arbitrary bit, recorded over a bounded window, and the search for the point where the true
//! decoding (coming from the slice before) lands on one of them.

use super::scan::{count_until, count_until_2, step, Scan};
use crate::bits::BitReader;
use crate::multi_table::MultiTable;
use crate::tree::DecodeTree;

/// The code boundaries of a decoder started at `start`, not knowing where codes begin.
pub(super) struct Window {
    /// The bit the speculative decoder started at.
    pub(super) start: u64,
    /// Bit `i` set: a code begins at `start + i`, for `i < width`.
    bits: Vec<u64>,
    width: u64,
    /// The first boundary at or past `start + width`, or, if `eof`, the last one before the
    /// stream ends: the recorded boundaries are the set bits and `stop`.
    pub(super) stop: u64,
    /// Codes from `start` to `stop`.
    pub(super) stop_symbols: usize,
    /// The stream ends (within a code) after `stop`.
    pub(super) eof: bool,
}

/// Where the true decoding met a window's boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Meet {
    /// At bit `at`, a boundary of both: from there the speculative decoding is the true one.
    /// `true_symbols` codes lie between the true decoder's start and `at`; `spec_symbols`
    /// between the window's start and `at`.
    At {
        at: u64,
        true_symbols: usize,
        spec_symbols: usize,
    },
    /// The stream ended first, after `true_symbols` whole codes.
    Eof { true_symbols: usize },
    /// The true decoding went past the recorded boundaries without meeting one.
    Lost,
}

impl Meet {
    /// The bit where the true decoding stopped: the meeting point, or `None` if it ran out of
    /// the stream or the window.
    pub(super) fn end(self) -> Option<u64> {
        match self {
            Self::At { at, .. } => Some(at),
            Self::Eof { .. } | Self::Lost => None,
        }
    }
}

impl Window {
    /// Decodes code by code from `start` until the first boundary at or past `start + width`
    /// (a multiple of 64), recording every boundary.
    pub(super) fn record<T: Copy>(
        table: &MultiTable<T>,
        tree: &DecodeTree,
        stream: &[u8],
        start: u64,
        width: u64,
    ) -> Self {
        debug_assert!(width.is_multiple_of(64) && width > 0);
        let mut bits = vec![0u64; (width / 64) as usize];
        let mut r = BitReader::at_bit(stream, start);
        let mut symbols = 0usize;
        let (stop, eof) = loop {
            let at = r.consumed_bits();
            let offset = at - start;
            if offset >= width {
                break (at, false);
            }
            bits[(offset / 64) as usize] |= 1 << (offset % 64);
            step(table, tree, &mut r);
            if r.overrun() {
                break (at, true);
            }
            symbols += 1;
        };
        Self {
            start,
            bits,
            width,
            stop,
            stop_symbols: symbols,
            eof,
        }
    }

    fn is_boundary(&self, at: u64) -> bool {
        if at == self.stop {
            return true;
        }
        let Some(offset) = at.checked_sub(self.start) else {
            return false;
        };
        offset < self.width && self.bits[(offset / 64) as usize] >> (offset % 64) & 1 == 1
    }

    /// Codes between `start` and the boundary `at` (at most `stop`).
    fn rank(&self, at: u64) -> usize {
        let offset = at - self.start;
        if at >= self.stop || offset >= self.width {
            return self.stop_symbols;
        }
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        let whole: u32 = self.bits[..word].iter().map(|w| w.count_ones()).sum();
        let part = (self.bits[word] & ((1u64 << bit) - 1)).count_ones();
        (whole + part) as usize
    }

    /// The first boundary at or past `at` (`start <= at <= stop`).
    fn next_boundary(&self, at: u64) -> u64 {
        let offset = at - self.start;
        if offset >= self.width {
            return self.stop;
        }
        let mut word = (offset / 64) as usize;
        let mut bits = self.bits[word] & (!0u64 << (offset % 64));
        loop {
            if bits != 0 {
                return self.start + word as u64 * 64 + u64::from(bits.trailing_zeros());
            }
            word += 1;
            match self.bits.get(word) {
                Some(&b) => bits = b,
                None => return self.stop,
            }
        }
    }

    /// Decodes code by code from the true boundary `from` until a boundary is also one of
    /// the window's. Bounded: it gives up past `stop`.
    pub(super) fn find_sync<T: Copy>(
        &self,
        table: &MultiTable<T>,
        tree: &DecodeTree,
        stream: &[u8],
        from: u64,
    ) -> Meet {
        let mut r = BitReader::at_bit(stream, from);
        let mut true_symbols = 0usize;
        loop {
            let at = r.consumed_bits();
            if at > self.stop {
                return Meet::Lost;
            }
            if self.is_boundary(at) {
                return Meet::At {
                    at,
                    true_symbols,
                    spec_symbols: self.rank(at),
                };
            }
            step(table, tree, &mut r);
            if r.overrun() {
                return Meet::Eof { true_symbols };
            }
            true_symbols += 1;
        }
    }

    /// The speculative decoding of the slice `[start, limit)`: codes from `start` to the first
    /// boundary at or past `limit`, counted from the window and then, past it, by the table.
    pub(super) fn scan_to<T: Copy>(
        &self,
        table: &MultiTable<T>,
        tree: &DecodeTree,
        stream: &[u8],
        limit: u64,
    ) -> Scan {
        match self.head_in(stream, limit) {
            Ok(scan) => scan,
            Err((mut r, symbols)) => {
                let rest = count_until(table, tree, &mut r, limit);
                rest.after(symbols)
            }
        }
    }

    /// [`Self::scan_to`] of two windows, counted side by side ([`count_until_2`]).
    pub(super) fn scan_pair<T: Copy>(
        table: &MultiTable<T>,
        tree: &DecodeTree,
        stream: &[u8],
        (x, limit_x): (&Self, u64),
        (y, limit_y): (&Self, u64),
    ) -> [Scan; 2] {
        match (x.head_in(stream, limit_x), y.head_in(stream, limit_y)) {
            (Err((mut rx, nx)), Err((mut ry, ny))) => {
                let [sx, sy] = count_until_2(table, tree, (&mut rx, limit_x), (&mut ry, limit_y));
                [sx.after(nx), sy.after(ny)]
            }
            _ => [
                x.scan_to(table, tree, stream, limit_x),
                y.scan_to(table, tree, stream, limit_y),
            ],
        }
    }

    /// The scan to `limit` if the window holds it, else a reader at `stop` and the codes
    /// before it, to count on from.
    fn head_in<'a>(&self, stream: &'a [u8], limit: u64) -> Result<Scan, (BitReader<'a>, usize)> {
        if limit <= self.stop {
            let end = self.next_boundary(limit.max(self.start));
            return Ok(Scan {
                symbols: self.rank(end),
                end,
                eof: self.eof && end == self.stop,
            });
        }
        if self.eof {
            return Ok(Scan {
                symbols: self.stop_symbols,
                end: self.stop,
                eof: true,
            });
        }
        Err((BitReader::at_bit(stream, self.stop), self.stop_symbols))
    }
}
