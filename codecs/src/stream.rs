//! The raw Huffman stream (`bcl.HuffmanCompress` / `bcl.HuffmanDecompress`): code tree, then
//! one code per symbol, MSB first, zero-padded to a whole byte. It does not record its symbol
//! count; decoders are told how many symbols to produce.

use crate::bits::{BitReader, BitWriter, MAX_PUT_BITS};
use crate::decode_table::DecodeTable;
use crate::tree::{histogram, ChildRef, DecodeTree, EncoderTree, LEAF_BASE};
use crate::Error;

/// Largest input [`encode`] accepts: the framing's trailer is 32 bits, and below this size
/// Huffman codes stay shorter than 46 bits (a deeper tree needs Fibonacci-sized counts).
pub const MAX_SYMBOLS: usize = u32::MAX as usize;

/// Encodes bytes into a stream byte-identical to the reference's `HuffmanCompress` wherever
/// the reference is correct; where its 32-bit packer would corrupt codes longer than ~25 bits,
/// this writes the valid stream the format defines.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than [`MAX_SYMBOLS`].
pub fn encode(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    encode_append(input, &mut out)?;
    Ok(out)
}

/// Like [`encode`], appending the stream to `out`.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than [`MAX_SYMBOLS`].
pub fn encode_append(input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    if input.len() > MAX_SYMBOLS {
        return Err(Error::InputTooLarge {
            len: input.len(),
            max: MAX_SYMBOLS,
        });
    }
    let counts = histogram(input);
    let Some(tree) = EncoderTree::build(&counts) else {
        return Ok(());
    };
    let book = tree.code_book();
    debug_assert!(book.lens.iter().all(|&l| u32::from(l) <= MAX_PUT_BITS));
    let code_bits: u64 = counts
        .iter()
        .zip(book.lens.iter())
        .map(|(&c, &l)| c * u64::from(l))
        .sum();
    let total_bits = tree.serialized_bits() + code_bits;
    let mut w = BitWriter::with_vec(std::mem::take(out), total_bits.div_ceil(8) as usize);
    tree.write(&mut w);
    for &b in input {
        let s = usize::from(b);
        w.put(book.codes[s], u32::from(book.lens[s]));
    }
    *out = w.finish();
    Ok(())
}

/// Decodes `n_symbols` bytes from a stream. Bits after the last symbol are ignored.
///
/// # Errors
/// - [`Error::TreeTruncated`] if the stream ends inside the code tree (an empty stream
///   included, when `n_symbols > 0`).
/// - [`Error::TreeTooLarge`] if the tree has more than 256 leaves or 255 internal nodes.
/// - [`Error::StreamTruncated`] if the stream ends before `n_symbols` codes.
pub fn decode(stream: &[u8], n_symbols: usize) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; n_symbols];
    decode_into(stream, &mut out)?;
    Ok(out)
}

/// Decodes exactly `out.len()` symbols into `out`.
///
/// # Errors
/// As [`decode`].
pub fn decode_into(stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    decode_mapped_into(stream, out, &IDENTITY)
}

const IDENTITY: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i as u8;
        i += 1;
    }
    t
};

/// Decodes `out.len()` symbols, writing `values[symbol]` for each: the dequantizing decoders
/// use this to produce their output type in the same pass.
///
/// # Errors
/// As [`decode`].
pub fn decode_mapped_into<T: Copy>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<(), Error> {
    if out.is_empty() {
        return Ok(());
    }
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len())?;
    if let Some(symbol) = tree.lone_symbol() {
        out.fill(values[usize::from(symbol)]);
        return Ok(());
    }
    let table = DecodeTable::new(&tree);
    let expected = out.len();
    let truncated = |decoded: usize| Error::StreamTruncated {
        decoded,
        expected,
        stream_bytes: stream.len(),
    };
    let mut i = 0;
    // While 8 bytes remain a refill buffers 56 real bits, more than a table code needs, so
    // only the long-code walk can run past the end.
    while i < expected && r.can_refill_fast() {
        r.refill();
        let symbol = match table.lookup(&r) {
            Ok((symbol, len)) => {
                r.drop_bits(len);
                symbol
            }
            Err(node) => {
                let symbol = walk_long_code(&mut r, &tree, node);
                if r.overrun() {
                    return Err(truncated(i));
                }
                symbol
            }
        };
        out[i] = values[usize::from(symbol)];
        i += 1;
    }
    while i < expected {
        r.refill();
        let symbol = match table.lookup(&r) {
            Ok((symbol, len)) => {
                r.drop_bits(len);
                symbol
            }
            Err(node) => walk_long_code(&mut r, &tree, node),
        };
        if r.overrun() {
            return Err(truncated(i));
        }
        out[i] = values[usize::from(symbol)];
        i += 1;
    }
    Ok(())
}

/// Finishes a code longer than the table's index, one bit at a time from internal `node`,
/// after the table's prefix bits were dropped.
#[cold]
fn walk_long_code(r: &mut BitReader<'_>, tree: &DecodeTree, node: ChildRef) -> u8 {
    r.drop_bits(crate::decode_table::TABLE_BITS);
    let mut at = node;
    loop {
        let bit = r.read_bit() as usize;
        at = tree.children[usize::from(at)][bit];
        if at >= LEAF_BASE {
            return (at - LEAF_BASE) as u8;
        }
    }
}

/// The obviously-correct decoder: one bit, one tree step at a time, every read checked. The
/// fast decoders are tested against it.
///
/// # Errors
/// As [`decode`].
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
