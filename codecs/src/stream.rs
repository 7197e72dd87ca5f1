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

/// Most symbols a stream of `stream_bytes` bytes can hold, whichever writer made it: the code
/// tree takes at least 9 bits (a lone leaf) and every symbol at least 1 bit (the writers spend
/// a 0 bit per symbol even under a lone leaf, although a reader needs none). An empty stream
/// holds none.
///
/// The one allocation bound of every decoder: a count found in the data (a trailer, a PZF
/// header) or given by a caller sizes an output only up to this, so the output is at most 8
/// times the stream.
pub fn max_symbols(stream_bytes: usize) -> u64 {
    (stream_bytes as u64)
        .saturating_mul(8)
        .saturating_sub(TREE_MIN_BITS)
}

/// Bits of the smallest code tree, a lone leaf.
const TREE_MIN_BITS: u64 = 9;

/// [`max_symbols`] as a check: `n` symbols asked of a stream of `stream_bytes` bytes, before
/// an output of `n` is allocated. The chunk decoders make it themselves; [`decode`] does not,
/// as it decodes whatever it is asked for a lone-leaf tree, whose symbols take no bits to
/// read (as the reference's decoder does).
///
/// # Errors
/// [`Error::TooManySymbols`] if they cannot all be there.
pub fn check_symbols(stream_bytes: usize, n: usize) -> Result<(), Error> {
    let max = max_symbols(stream_bytes);
    if n > 0 && n as u64 > max {
        return Err(Error::TooManySymbols {
            requested: n,
            stream_bytes,
            max_symbols: max,
        });
    }
    Ok(())
}

/// Whether a decoder checks where the stream ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// Bits after the last symbol are ignored: the caller may ask for a prefix (the raw
    /// stream functions, as `bcl.HuffmanDecompress`), or the writer may have coded more
    /// symbols than are asked for (the reference's quant16 chunks code 2N symbols for N).
    Free,
    /// The symbols asked for are all the stream holds: it must end in the byte of the last
    /// code's last bit, with zero bits after it, as both writers end it. Catches damage that
    /// leaves the codes decodable (a flipped bit in the padding, a byte appended).
    Exact,
}

/// Decodes `n_symbols` bytes from a stream. Bits after the last symbol are ignored. A caller
/// whose `n_symbols` comes from untrusted data bounds it first with [`check_symbols`].
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

/// Decodes exactly `out.len()` symbols into `out`. Bits after the last symbol are ignored.
///
/// # Errors
/// As [`decode`].
pub fn decode_into(stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    decode_mapped_into(stream, out, &IDENTITY)
}

/// What reading the tree left to do.
pub(crate) enum Opened<'a> {
    /// Nothing: no output, or a lone-leaf tree whose symbol costs a reader no bits (`out` is
    /// filled). `end` is where the writer's codes end: it spends a 0 bit per symbol.
    Done { end: u64, tree_end: u64 },
    /// The codes, from the reader's position, under a tree whose root is internal.
    Codes(BitReader<'a>, DecodeTree),
}

/// Reads the code tree of a stream that is to decode into `out`, or, where no code needs
/// reading, fills `out` and says where the codes end.
pub(crate) fn open_tree<'a, T: Copy>(
    stream: &'a [u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<Opened<'a>, Error> {
    if out.is_empty() {
        return Ok(Opened::Done {
            end: 0,
            tree_end: 0,
        });
    }
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len())?;
    if let Some(symbol) = tree.lone_symbol() {
        out.fill(values[usize::from(symbol)]);
        let tree_end = r.consumed_bits();
        let end = tree_end.saturating_add(out.len() as u64);
        return Ok(Opened::Done { end, tree_end });
    }
    Ok(Opened::Codes(r, tree))
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

/// Decodes `out.len()` symbols, writing `values[symbol]` for each, ignoring bits after the
/// last one: [`decode_mapped_with`] with [`End::Free`].
///
/// # Errors
/// As [`decode_into`].
pub(crate) fn decode_mapped_into<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
) -> Result<(), Error> {
    decode_mapped_with(stream, out, values, End::Free)
}

/// Decodes `out.len()` symbols, writing `values[symbol]` for each: the dequantizing decoders
/// use this to produce their output type in the same pass. With [`End::Exact`] the stream
/// must end where the last code ends (see [`End`]).
///
/// Outputs of 1 MiB symbols and more are decoded in slices on the threads of rayon's current
/// pool, by self-synchronisation, if it has several: the caller's pool (inside
/// `ThreadPool::install`, or a parallel iterator, as zarrs calls codecs), or outside any pool
/// the global one. The result is the same either way.
///
/// # Errors
/// As [`decode_into`]; with [`End::Exact`] also [`Error::StreamEndMismatch`].
pub(crate) fn decode_mapped_with<T: Copy + Send + Sync>(
    stream: &[u8],
    out: &mut [T],
    values: &[T; 256],
    end: End,
) -> Result<(), Error> {
    let (code_end, zeros_from) = match open_tree(stream, out, values)? {
        // A lone leaf's codes are the writer's 0 bits: they must be zero too.
        Opened::Done { end, tree_end } => (end, tree_end),
        Opened::Codes(mut r, tree) => {
            let code_end =
                if let Some(plan) = sync_decode::Plan::auto(out.len(), r.remaining_bits()) {
                    sync_decode::decode(stream, &tree, r.consumed_bits(), values, out, &plan)?.end
                } else {
                    let table = MultiTable::new(&tree, values, out.len(), r.remaining_bits());
                    let expected = out.len();
                    table
                        .decode(&mut r, &tree, values, out)
                        .map_err(|decoded| Error::StreamTruncated {
                            decoded,
                            expected,
                            stream_bytes: stream.len(),
                        })?;
                    r.consumed_bits()
                };
            (code_end, code_end)
        }
    };
    match end {
        End::Free => Ok(()),
        End::Exact => check_end(stream, code_end, zeros_from),
    }
}

/// Checks that `stream` ends in the byte of bit `code_end - 1` (is empty when `code_end` is
/// 0) and that its bits from `zeros_from` on are zero. Costs one look at the last byte, or,
/// under a lone-leaf tree, one pass over the writer's zero bits.
///
/// The reference's quant16 chunks cannot pass this (they code 2N symbols for N): their
/// decoders use [`End::Free`].
fn check_end(stream: &[u8], code_end: u64, zeros_from: u64) -> Result<(), Error> {
    let mismatch = Error::StreamEndMismatch {
        end_bit: code_end,
        stream_bytes: stream.len(),
    };
    if code_end.div_ceil(8) != stream.len() as u64 {
        return Err(mismatch);
    }
    // Here `zeros_from <= code_end <= 8 * stream.len()`, so the index fits.
    let first = (zeros_from / 8) as usize;
    let Some((&head, rest)) = stream.get(first..).and_then(<[u8]>::split_first) else {
        return Ok(());
    };
    let head_mask = 0xffu8 >> (zeros_from % 8);
    if head & head_mask != 0 || rest.iter().any(|&b| b != 0) {
        return Err(mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_what_the_densest_stream_holds() {
        assert_eq!(
            [0, 1, 2, 3, 100].map(max_symbols),
            [0, 0, 7, 15, 791],
            "8n - 9, none in an empty or 1-byte stream"
        );
        // The densest streams are lone-leaf ones: a 9-bit tree and a 0 bit per symbol. The
        // writer fills n bytes with exactly max_symbols(n) symbols, and one more takes a byte.
        for n in 2..40usize {
            let k = max_symbols(n) as usize;
            assert_eq!(encode(&vec![7u8; k]).unwrap().len(), n);
            assert_eq!(encode(&vec![7u8; k + 1]).unwrap().len(), n + 1);
            assert!(check_symbols(n, k).is_ok());
            assert_eq!(
                check_symbols(n, k + 1),
                Err(Error::TooManySymbols {
                    requested: k + 1,
                    stream_bytes: n,
                    max_symbols: k as u64
                })
            );
        }
        assert!(check_symbols(0, 0).is_ok());
    }

    #[test]
    fn the_exact_end_wants_the_writers_length_and_zero_padding() {
        let input: Vec<u8> = (0..300u32).map(|i| (i * i % 11) as u8).collect();
        let s = encode(&input).unwrap();
        let mut out = vec![0u8; input.len()];
        decode_mapped_with(&s, &mut out, &IDENTITY, End::Exact).unwrap();
        assert_eq!(out, input);
        // Fewer symbols than the stream holds: fine when the end is free, refused when exact.
        let mut prefix = vec![0u8; 200];
        decode_mapped_with(&s, &mut prefix, &IDENTITY, End::Free).unwrap();
        assert!(matches!(
            decode_mapped_with(&s, &mut prefix, &IDENTITY, End::Exact),
            Err(Error::StreamEndMismatch { .. })
        ));
        // No symbols: only the empty stream is exact.
        decode_mapped_with(&[], &mut [0u8; 0], &IDENTITY, End::Exact).unwrap();
        assert_eq!(
            decode_mapped_with(&s, &mut [0u8; 0], &IDENTITY, End::Exact),
            Err(Error::StreamEndMismatch {
                end_bit: 0,
                stream_bytes: s.len()
            })
        );
    }
}
