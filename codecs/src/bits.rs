//! Bit-level I/O, most significant bit first, as the pymecompress stream is laid out.

/// Appends bits MSB-first to a byte vector through a 64-bit accumulator.
///
/// The low `nbits` bits of `acc` are pending output; bits above them are stale and are
/// shifted out when bytes are flushed.
pub(crate) struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

/// The longest code [`BitWriter::put`] accepts in one call.
pub(crate) const MAX_PUT_BITS: u32 = 56;

impl BitWriter {
    #[cfg(test)]
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self::with_vec(Vec::new(), bytes)
    }

    /// Appends to `out`, reserving room for `extra` more bytes.
    pub(crate) fn with_vec(mut out: Vec<u8>, extra: usize) -> Self {
        out.reserve_exact(extra);
        Self {
            out,
            acc: 0,
            nbits: 0,
        }
    }

    /// Appends the low `len` bits of `code` (`len` <= [`MAX_PUT_BITS`]).
    #[inline(always)]
    pub(crate) fn put(&mut self, code: u64, len: u32) {
        debug_assert!(len <= MAX_PUT_BITS && (len == 64 || code >> len == 0));
        if self.nbits + len > 64 {
            self.flush_whole_bytes();
        }
        self.acc = (self.acc << len) | code;
        self.nbits += len;
    }

    #[inline(always)]
    fn flush_whole_bytes(&mut self) {
        let whole = (self.nbits / 8) as usize;
        if whole > 0 {
            let aligned = self.acc << (64 - self.nbits);
            self.out.extend_from_slice(&aligned.to_be_bytes()[..whole]);
            self.nbits -= 8 * whole as u32;
        }
    }

    /// Writes what is pending, zero-padding the last byte.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.flush_whole_bytes();
        if self.nbits > 0 {
            self.out.push(((self.acc << (8 - self.nbits)) & 0xff) as u8);
        }
        self.out
    }
}

/// Writes bits MSB-first into a pre-sized byte slice without branching: every flush stores a
/// whole 8-byte word and advances by the whole bytes it completed. The slice needs 8 bytes of
/// slack past the last byte of output.
pub(crate) struct SliceBitWriter<'a> {
    out: &'a mut [u8],
    /// Next byte of `out` a flush writes to.
    pos: usize,
    /// The low `nbits` bits are pending, the oldest highest; bits above them are stale.
    acc: u64,
    /// Number of pending bits; at most 7 after a flush.
    nbits: u32,
}

/// Bits [`SliceBitWriter::put`] may add between flushes: a flush leaves at most 7 pending.
pub(crate) const SLICE_PUT_BITS: u32 = 57;

impl<'a> SliceBitWriter<'a> {
    /// Starts `lead_bits` (0..8) into `out[0]`, writing zeros there: the caller ORs that byte
    /// into the byte an earlier writer finished.
    pub(crate) fn new(out: &'a mut [u8], lead_bits: u32) -> Self {
        debug_assert!(lead_bits < 8);
        Self {
            out,
            pos: 0,
            acc: 0,
            nbits: lead_bits,
        }
    }

    /// Continues the bit stream whose last byte, `out[0]`, holds `lead_bits` (0..8) bits
    /// already: they are kept and rewritten by the first flush.
    pub(crate) fn resume(out: &'a mut [u8], lead_bits: u32) -> Self {
        debug_assert!(lead_bits < 8);
        let acc = if lead_bits == 0 {
            0
        } else {
            u64::from(out[0] >> (8 - lead_bits))
        };
        Self {
            out,
            pos: 0,
            acc,
            nbits: lead_bits,
        }
    }

    /// Appends the low `len` (1..=57) bits of `code`. At most [`SLICE_PUT_BITS`] bits may be
    /// put between two flushes.
    #[inline(always)]
    pub(crate) fn put(&mut self, code: u64, len: u32) {
        debug_assert!((1..=SLICE_PUT_BITS).contains(&len) && self.nbits + len <= 64);
        debug_assert!(code >> len == 0);
        self.acc = (self.acc << len) | code;
        self.nbits += len;
    }

    /// Stores the pending whole bytes.
    #[inline(always)]
    pub(crate) fn flush(&mut self) {
        // `nbits` runs from 0 (nothing pending: shift out everything) to 64 (7 bits left by
        // the last flush plus a 57-bit put: `acc` is already aligned). Stale bits above the
        // pending ones go out.
        let aligned = self.acc.checked_shl(64 - self.nbits).unwrap_or(0);
        self.out[self.pos..self.pos + 8].copy_from_slice(&aligned.to_be_bytes());
        self.pos += (self.nbits / 8) as usize;
        self.nbits &= 7;
    }

    /// Stores what is pending, the last byte zero-padded; returns the bytes written.
    pub(crate) fn finish(mut self) -> usize {
        self.flush();
        self.pos + usize::from(self.nbits > 0)
    }
}

/// Reads bits MSB-first from a byte slice, keeping at least 56 bits buffered when the input
/// allows it. Past the end of the input it supplies zero bits, and counts them, so callers can
/// decode without bounds checks in the loop and test [`BitReader::overrun`] afterwards.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte of `data` to load.
    pos: usize,
    /// Buffered bits, left-aligned: the next bit is bit 63.
    buf: u64,
    /// Number of valid bits in `buf` (zero bits supplied past the end included).
    nbits: u32,
    /// Zero bits supplied past the end of `data` and loaded into `buf`.
    phantom: u64,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            buf: 0,
            nbits: 0,
            phantom: 0,
        }
    }

    /// A reader whose next bit is bit `bit` of `data` (counted MSB-first from the start): the
    /// parallel decoder starts its slices at arbitrary bit positions this way. A position past
    /// the end reads zero bits and counts them as past the end, as [`Self::new`]'s reader does
    /// once it gets there.
    pub(crate) fn at_bit(data: &'a [u8], bit: u64) -> Self {
        let byte = usize::try_from(bit / 8).unwrap_or(usize::MAX);
        let pos = byte.min(data.len());
        let mut r = Self {
            data,
            pos,
            buf: 0,
            nbits: 0,
            phantom: (byte - pos) as u64 * 8,
        };
        r.refill();
        r.drop_bits((bit % 8) as u32);
        r
    }

    /// True while [`Self::refill`] loads a whole 8-byte word of real input.
    #[inline(always)]
    pub(crate) fn can_refill_fast(&self) -> bool {
        self.pos + 8 <= self.data.len()
    }

    /// Tops the buffer up to at least 56 (and at most 63) bits.
    #[inline(always)]
    pub(crate) fn refill(&mut self) {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let word = u64::from_be_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.buf |= word >> self.nbits;
            let bytes = (63 - self.nbits) / 8;
            self.pos += bytes as usize;
            self.nbits += bytes * 8;
        } else {
            self.refill_slow();
        }
    }

    #[cold]
    fn refill_slow(&mut self) {
        // Stops below 64 buffered bits so that the fast path's shift stays in range.
        while self.nbits < 56 {
            let byte = match self.data.get(self.pos) {
                Some(&b) => {
                    self.pos += 1;
                    b
                }
                None => {
                    self.phantom += 8;
                    0
                }
            };
            self.buf |= u64::from(byte) << (56 - self.nbits);
            self.nbits += 8;
        }
    }

    /// The next `n` bits (1..=56) without consuming them. Call [`Self::refill`] first.
    #[inline(always)]
    pub(crate) fn peek_bits(&self, n: u32) -> u64 {
        self.buf >> (64 - n)
    }

    /// Consumes `n` bits (at most the buffered count).
    #[inline(always)]
    pub(crate) fn drop_bits(&mut self, n: u32) {
        debug_assert!(n <= self.nbits);
        self.buf <<= n;
        self.nbits -= n;
    }

    /// Reads one bit, refilling as needed.
    #[inline(always)]
    pub(crate) fn read_bit(&mut self) -> u32 {
        if self.nbits == 0 {
            self.refill();
        }
        let bit = (self.buf >> 63) as u32;
        self.drop_bits(1);
        bit
    }

    /// Bits consumed so far, zero bits past the end included.
    pub(crate) fn consumed_bits(&self) -> u64 {
        self.pos as u64 * 8 + self.phantom - u64::from(self.nbits)
    }

    /// True once more bits were consumed than the input holds.
    pub(crate) fn overrun(&self) -> bool {
        self.consumed_bits() > self.data.len() as u64 * 8
    }

    /// Bits of real input not consumed yet.
    pub(crate) fn remaining_bits(&self) -> u64 {
        (self.data.len() as u64 * 8).saturating_sub(self.consumed_bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_writer_flushes_a_full_64_bit_accumulator() {
        // 7 bits left by a flush plus a 57-bit put: all 64 accumulator bits are pending.
        let (a, b) = (0b101_1011u64, (1u64 << 57) - 12345);
        let mut buf = [0u8; 24];
        let mut w = SliceBitWriter::new(&mut buf, 0);
        w.put(a, 7);
        w.flush();
        w.put(b, SLICE_PUT_BITS);
        w.flush();
        let len = w.finish();
        let mut reference = BitWriter::with_capacity(0);
        reference.put(a, 7);
        reference.put(b >> 1, 56);
        reference.put(b & 1, 1);
        assert_eq!(&buf[..len], &reference.finish()[..]);
    }

    #[test]
    fn writer_then_reader_round_trip_mixed_lengths() {
        let codes: Vec<(u64, u32)> = (0..500u64)
            .map(|i| {
                let len = (i * 7 % MAX_PUT_BITS as u64) as u32 + 1;
                (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - len), len)
            })
            .collect();
        let mut w = BitWriter::with_capacity(0);
        for &(c, l) in &codes {
            w.put(c, l);
        }
        let total: u64 = codes.iter().map(|&(_, l)| u64::from(l)).sum();
        let bytes = w.finish();
        assert_eq!(bytes.len() as u64, total.div_ceil(8));
        let mut r = BitReader::new(&bytes);
        for &(c, l) in &codes {
            r.refill();
            assert_eq!(r.peek_bits(l), c);
            r.drop_bits(l);
        }
        assert!(!r.overrun());
        assert_eq!(r.remaining_bits(), bytes.len() as u64 * 8 - total);
    }

    #[test]
    fn writer_is_msb_first_and_zero_padded() {
        let mut w = BitWriter::with_capacity(0);
        w.put(0b1, 1);
        w.put(0b0110, 4);
        assert_eq!(w.finish(), vec![0b1011_0000]);
    }

    #[test]
    fn reader_at_bit_reads_what_a_reader_from_the_start_reads_there() {
        let data: Vec<u8> = (0..40u32).map(|i| (i * 37 + 11) as u8).collect();
        for start in [0u64, 1, 7, 8, 9, 63, 64, 100, 313, 319, 320, 321, 400] {
            let mut a = BitReader::new(&data);
            for _ in 0..start {
                a.read_bit();
            }
            let mut b = BitReader::at_bit(&data, start);
            assert_eq!(b.consumed_bits(), start);
            assert_eq!(b.overrun(), a.overrun());
            for _ in 0..100 {
                assert_eq!(a.read_bit(), b.read_bit(), "from bit {start}");
                assert_eq!(a.consumed_bits(), b.consumed_bits());
                assert_eq!(a.overrun(), b.overrun());
            }
        }
    }

    #[test]
    fn reader_counts_bits_past_the_end() {
        let data = [0xffu8; 3];
        let mut r = BitReader::new(&data);
        for _ in 0..24 {
            assert_eq!(r.read_bit(), 1);
        }
        assert!(!r.overrun());
        assert_eq!(r.read_bit(), 0);
        assert!(r.overrun());
    }
}
