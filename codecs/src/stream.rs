//! The raw Huffman stream (`bcl.HuffmanCompress` / `bcl.HuffmanDecompress`): code tree, then
//! one code per symbol, MSB first, zero-padded to a whole byte. It does not record its symbol
//! count; decoders are told how many symbols to produce.

use crate::bits::BitReader;
use crate::multi_table::MultiTable;
use crate::tree::DecodeTree;
use crate::{encoder, Error};

pub(crate) mod sync_decode;

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
/// Inputs of 1 MiB and more are coded in slices on the threads of the current rayon pool; the
/// bytes are the same whatever the thread count.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than [`MAX_SYMBOLS`].
pub(crate) fn encode_append(input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    encode_sliced(input, out, encoder::auto_slices(input.len()))
}

/// Codes `slices` slices of the input on the current rayon pool's threads: each slice's first
/// bit is the tree's size plus the code lengths of the slices before it, from per-slice
/// histograms. The output is byte-identical for any slice count (1 codes on the calling
/// thread; counts above 256 are clamped to 256).
pub(crate) fn encode_sliced(input: &[u8], out: &mut Vec<u8>, slices: usize) -> Result<(), Error> {
    check_input_len(input.len())?;
    let slice_len = encoder::slice_len(input.len(), slices);
    let histograms = encoder::slice_histograms(input, slice_len);
    encoder::encode_counted(input, slice_len, &histograms, out);
    Ok(())
}

pub(crate) fn check_input_len(len: usize) -> Result<(), Error> {
    if len > MAX_SYMBOLS {
        return Err(Error::InputTooLarge {
            len,
            max: MAX_SYMBOLS,
        });
    }
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

/// Reads the code tree of a stream that is to decode into `out`, or, where no code needs
/// reading (no output, or a lone-leaf tree whose symbol costs no bits), fills `out` and gives
/// `None`.
pub(crate) fn open_tree<'a, T: Copy>(
    stream: &'a [u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<Option<(BitReader<'a>, DecodeTree)>, Error> {
    if out.is_empty() {
        return Ok(None);
    }
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len())?;
    if let Some(symbol) = tree.lone_symbol() {
        out.fill(values[usize::from(symbol)]);
        return Ok(None);
    }
    Ok(Some((r, tree)))
}

/// Every symbol as itself: the table of the decoders that produce symbols.
pub(crate) const IDENTITY: [u8; 256] = {
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
/// Outputs of 1 MiB symbols and more are decoded in slices on the threads of rayon's current
/// pool, by self-synchronisation, if it has several: the caller's pool (inside
/// `ThreadPool::install`, or a parallel iterator, as zarrs calls codecs), or outside any pool
/// the global one. The result is the same either way.
///
/// # Errors
/// As [`decode`].
pub(crate) fn decode_mapped_into<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<(), Error> {
    let Some((mut r, tree)) = open_tree(stream, out, values)? else {
        return Ok(());
    };
    if let Some(plan) = sync_decode::Plan::auto(out.len(), r.remaining_bits()) {
        return sync_decode::decode(stream, &tree, r.consumed_bits(), values, out, &plan)
            .map(|_| ());
    }
    let table = MultiTable::new(&tree, values, out.len(), r.remaining_bits());
    let expected = out.len();
    table
        .decode(&mut r, &tree, values, out)
        .map_err(|decoded| Error::StreamTruncated {
            decoded,
            expected,
            stream_bytes: stream.len(),
        })
}
