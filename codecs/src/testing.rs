//! Oracles and slice-count controls for tests, benchmarks and fuzzing: not public API.
//!
//! The straightforward encoder and decoder here are what the fast paths are tested against,
//! and the `*_parallel` functions force a slice count that the public functions choose from
//! the thread pool. They are public only so that integration tests, the fuzz targets and the
//! benchmarks (separate crates) can reach them; they are hidden from the documentation and
//! may change in any release.

use crate::bits::{BitReader, BitWriter, MAX_PUT_BITS};
use crate::quant16::Quant16Codec;
use crate::stream::check_input_len;
use crate::tree::{histogram, ChildRef, DecodeTree, EncoderTree, LEAF_BASE};
use crate::{framing, stream, Error, QuantParams};

pub use crate::stream::sync_decode::{
    decode_mapped_into_sliced, decode_mapped_into_sliced_with, SliceOptions,
};

/// The straightforward encoder: one histogram, one writer, one code at a time. The fast
/// encoder is tested against it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than [`stream::MAX_SYMBOLS`].
pub fn encode_simple(input: &[u8]) -> Result<Vec<u8>, Error> {
    check_input_len(input.len())?;
    let counts = histogram(input);
    let Some(tree) = EncoderTree::build(&counts) else {
        return Ok(Vec::new());
    };
    let book = tree.code_book();
    debug_assert!(book.lens.iter().all(|&l| u32::from(l) <= MAX_PUT_BITS));
    let mut w = BitWriter::with_vec(Vec::new(), 0);
    tree.write(&mut w);
    for &b in input {
        let s = usize::from(b);
        w.put(book.codes[s], u32::from(book.lens[s]));
    }
    Ok(w.finish())
}

/// The obviously-correct decoder: one bit, one tree step at a time, every read checked. The
/// fast decoders are tested against it.
///
/// # Errors
/// As [`stream::decode`].
pub fn decode_simple(stream: &[u8], n_symbols: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    if n_symbols == 0 {
        return Ok(out);
    }
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len())?;
    if let Some(symbol) = tree.lone_symbol() {
        out.resize(n_symbols, symbol);
        return Ok(out);
    }
    out.reserve_exact(n_symbols);
    let mut bits_left = r.remaining_bits();
    while out.len() < n_symbols {
        let mut at: ChildRef = tree.root;
        while at < LEAF_BASE {
            if bits_left == 0 {
                return Err(Error::StreamTruncated {
                    decoded: out.len(),
                    expected: n_symbols,
                    stream_bytes: stream.len(),
                });
            }
            bits_left -= 1;
            at = tree.children[usize::from(at)][r.read_bit() as usize];
        }
        out.push((at - LEAF_BASE) as u8);
    }
    Ok(out)
}

/// The straightforward quantizing encoder: [`QuantParams::quantize`] on each value, then
/// [`encode_simple`], then the trailer. The fast encoder is tested against it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn quant16_encode_simple(values: &[u16], params: &QuantParams) -> Result<Vec<u8>, Error> {
    let symbols: Vec<u8> = values.iter().map(|&v| params.quantize(v)).collect();
    let mut out = encode_simple(&symbols)?;
    framing::push_trailer(&mut out, values.len())?;
    Ok(out)
}

/// [`stream::encode`] cut into `slices` slices (clamped to 1..=256) coded on the current rayon
/// pool. The output is the same for any slice count.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than [`stream::MAX_SYMBOLS`].
pub fn encode_parallel(input: &[u8], slices: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    stream::encode_sliced(input, &mut out, slices)?;
    Ok(out)
}

/// [`Quant16Codec::encode`] cut into `slices` slices. The chunk is the same for any slice
/// count.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn quant16_encode_parallel(
    codec: &Quant16Codec,
    values: &[u16],
    slices: usize,
) -> Result<Vec<u8>, Error> {
    let mut out = codec.encode_stream_sliced(values, |v| v, slices)?;
    framing::push_trailer(&mut out, values.len())?;
    Ok(out)
}

/// The fast decoder writing `values[symbol]` for each symbol, as quant16 uses it.
///
/// # Errors
/// As [`stream::decode`].
pub fn decode_mapped_into<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<(), Error> {
    stream::decode_mapped_into(stream, out, values)
}

/// A Huffman chunk (stream and trailer) of `n` symbols that never self-synchronises, and its
/// decoded bytes: the worst case of the sliced decoder, which must fall back to serial.
///
/// The tree gives every byte but two an 8-bit code equal to the byte, and the code `1111111`
/// (7 bits) to byte `0xfe`, so the code lengths' greatest common divisor is 1 and slice starts
/// cannot be aligned. The symbols are pseudo-random (seeded by `seed`) in `0..=0x7e`: each code
/// starts with a 0 and none holds seven ones, so no 7 bits of the stream read `1111111`, and a
/// decoder started off the byte grid reads 8-bit codes forever, never getting onto it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `n` does not fit the trailer's `u32`.
pub fn never_synchronising_chunk(n: usize, seed: u64) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let mut state = seed | 1;
    let symbols: Vec<u8> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8 % 0x7f
        })
        .collect();
    let mut w = BitWriter::with_vec(Vec::with_capacity(n + 300), 0);
    // Preorder, bit 0 before bit 1: the node at `prefix` (`depth` bits) and all below it.
    fn node(w: &mut BitWriter, prefix: u8, depth: u32) {
        if depth == 8 {
            w.put(0x100 | u64::from(prefix), 9);
        } else if depth == 7 && prefix == 0x7f {
            w.put(0x1fe, 9);
        } else {
            w.put(0, 1);
            node(w, prefix << 1, depth + 1);
            node(w, prefix << 1 | 1, depth + 1);
        }
    }
    node(&mut w, 0, 0);
    for &s in &symbols {
        w.put(u64::from(s), 8);
    }
    let mut chunk = w.finish();
    framing::push_trailer(&mut chunk, n)?;
    Ok((symbols, chunk))
}
