//! The `pymecompress-huffman` chunk: a Huffman stream over the chunk's bytes, then a 4-byte
//! little-endian trailer.
//!
//! We write the byte count as the trailer, so that the reference decodes what we write for
//! every data type. The reference writes the *element* count, which for multi-byte types makes
//! its own decoder stop early; we read both, since the caller knows the decoded size (see
//! `framing.rs` for the rule), or, when it does not, since the right size is the one whose
//! codes fill the stream exactly ([`decode_unsized`]).
//!
//! Every decoder here but [`decode_by_trailer`] knows the chunk's whole symbol count, so it
//! checks that the stream ends where its last code ends, zero-padded, as both writers end it
//! ([`Error::StreamEndMismatch`]).

use crate::framing::{self, huffman_sizes_unsized, huffman_stream, push_trailer, stream_unsized};
use crate::stream::{End, IDENTITY};
use crate::{stream, Error};

/// Encodes bytes into a chunk: stream, then the byte count as a little-endian `u32`.
///
/// Inputs of 1 MiB and more are coded in slices on the current rayon pool; the bytes are the
/// same whatever the thread count.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than `u32::MAX` bytes.
pub fn encode(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    stream::encode_append(input, &mut out)?;
    push_trailer(&mut out, input.len())?;
    Ok(out)
}

/// Frames a bare Huffman stream that codes `decoded_len` bytes (a PZF payload, say) as a
/// `pymecompress-huffman` chunk: the stream, then the byte count as trailer. The stream is
/// not decoded here: callers that move untrusted payloads decode the chunk once to prove it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `decoded_len` does not fit the 32-bit trailer.
pub fn frame_stream(stream: &[u8], decoded_len: usize) -> Result<Vec<u8>, Error> {
    framing::frame_stream(stream, decoded_len)
}

/// Decodes a chunk that holds `decoded_len` bytes. The trailer is checked before anything is
/// allocated.
///
/// # Errors
/// As [`decode_into`].
pub fn decode(chunk: &[u8], decoded_len: usize) -> Result<Vec<u8>, Error> {
    let stream = huffman_stream(chunk, decoded_len)?;
    stream::check_symbols(stream.len(), decoded_len)?;
    let mut out = vec![0u8; decoded_len];
    decode_exact(stream, &mut out)?;
    Ok(out)
}

/// Decodes a chunk into `out`, whose length is the decoded size in bytes.
///
/// The trailer must be `out.len()` (what we, and the reference for 1-byte types, write) or
/// the element count `out.len() / k` for `k` of 2, 4 or 8 (what the reference writes for
/// wider types). Either way the stream codes every byte, and ends with the last one.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerMismatch`] if the trailer is neither count, [`Error::TrailerTooLarge`]
///   if it is more than the stream can hold.
/// - [`Error::TooManySymbols`] if the stream cannot hold `out.len()` bytes.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
/// - [`Error::StreamEndMismatch`] if the stream goes on after the last code, or a bit after
///   it is set.
pub fn decode_into(chunk: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let stream = huffman_stream(chunk, out.len())?;
    stream::check_symbols(stream.len(), out.len())?;
    decode_exact(stream, out)
}

/// The stream's symbols, all of them.
fn decode_exact(stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    stream::decode_mapped_with(stream, out, &IDENTITY, End::Exact)
}

/// Decodes a chunk whose decoded size the caller does not know, only a maximum (zarr passes
/// none to a bytes-to-bytes codec, or a bound when a codec before this one has a variable
/// size), whoever wrote it: the trailer may count bytes (ours, and the reference's 1-byte
/// types) or 2-, 4- or 8-byte elements (the reference's wider types).
///
/// Both writers end the stream in the byte of the last code's last bit, so the right size is
/// the one whose codes fill the stream exactly, zero-padded: the byte count is tried first,
/// then the element counts, nearest first by how far the byte count's codes reach into the
/// stream. A size is trusted only up to `max_len` and to eight symbols per byte of stream
/// ([`stream::max_symbols`]), so no allocation is sized by an unchecked number.
///
/// In a stream of a few bytes more than one size can fill it (a lone-leaf tree's 1-bit codes
/// fit seven to a byte): the byte count wins, as it comes first.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerTooLarge`] if the trailer exceeds either limit.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
/// - [`Error::StreamEndMismatch`] (for the byte count) if no size fills the stream exactly.
pub fn decode_unsized(chunk: &[u8], max_len: usize) -> Result<Vec<u8>, Error> {
    let unsized_chunk = huffman_sizes_unsized(chunk, max_len)?;
    let (stream, first) = (unsized_chunk.stream, unsized_chunk.bytes);
    let mut out = vec![0u8; first];
    let (mismatch, reached) = match decode_exact(stream, &mut out) {
        Ok(()) => return Ok(out),
        Err(e @ Error::StreamEndMismatch { end_bit, .. }) => (e, end_bit),
        // A damaged tree, or a stream too short even for the byte count: no larger size fits.
        Err(e) => return Err(e),
    };
    // k times the byte count takes about k times the bits it reached.
    let stream_bits = stream.len() as u64 * 8;
    let mut wider = unsized_chunk.elements;
    wider.sort_by_key(|&n| {
        let k = (n / first.max(1)) as u64;
        k.saturating_mul(reached).abs_diff(stream_bits)
    });
    for n in wider {
        let mut out = vec![0u8; n];
        if decode_exact(stream, &mut out).is_ok() {
            return Ok(out);
        }
    }
    Err(mismatch)
}

/// Decodes as many bytes as the chunk's trailer says, ignoring the stream after them: what
/// the reference's `huffman_decompress_buffer(chunk, None)` returns, a prefix for its own
/// chunks of 2-, 4- or 8-byte types (whose trailer counts elements). The trailer is trusted
/// only up to `max_len` and to what the stream can hold ([`stream::max_symbols`]).
///
/// Prefer [`decode_unsized`], which finds the whole chunk, unless the reference's result is
/// what is wanted.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerTooLarge`] if the trailer exceeds either limit.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
pub fn decode_by_trailer(chunk: &[u8], max_len: usize) -> Result<Vec<u8>, Error> {
    let (stream, n) = stream_unsized(chunk, max_len)?;
    stream::decode(stream, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_OVERHEAD_BYTES, TRAILER_BYTES};

    /// A chunk as the reference frames it: every byte coded, the trailer counting elements.
    fn reference_chunk(bytes: &[u8], itemsize: usize) -> Vec<u8> {
        let mut chunk = stream::encode(bytes).unwrap();
        chunk.extend_from_slice(&((bytes.len() / itemsize) as u32).to_le_bytes());
        chunk
    }

    #[test]
    fn both_trailer_conventions_decode_without_an_item_size() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        for itemsize in [1, 2, 4, 8] {
            let chunk = reference_chunk(&bytes, itemsize);
            assert_eq!(decode(&chunk, bytes.len()).unwrap(), bytes, "{itemsize}");
        }
        let ours = encode(&bytes).unwrap();
        assert_eq!(decode(&ours, bytes.len()).unwrap(), bytes);
    }

    #[test]
    fn a_trailer_that_fits_no_item_size_is_refused() {
        let bytes = vec![3u8; 96];
        let chunk = reference_chunk(&bytes, 3);
        assert!(matches!(
            decode(&chunk, 96),
            Err(Error::TrailerMismatch { trailer: 32, .. })
        ));
        assert!(matches!(
            decode(&[1, 2], 96),
            Err(Error::ChunkTooShort { len: 2 })
        ));
    }

    #[test]
    fn unsized_decoding_trusts_the_trailer_only_within_bounds() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 5) as u8).collect();
        let chunk = encode(&bytes).unwrap();
        assert_eq!(decode_unsized(&chunk, usize::MAX).unwrap(), bytes);
        assert_eq!(decode_unsized(&chunk, 1000).unwrap(), bytes);
        assert!(decode_unsized(&chunk, 999).is_err());
        // A lone-leaf tree claiming four billion symbols: refused before any allocation.
        let mut hostile = stream::encode(&[9u8; 8]).unwrap();
        hostile.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode_unsized(&hostile, usize::MAX),
            Err(Error::TrailerTooLarge {
                trailer: u32::MAX,
                ..
            })
        ));
    }

    #[test]
    fn unsized_decoding_recognises_element_count_trailers() {
        let bytes: Vec<u8> = (0..6000u32).map(|i| (i * 31 % 97) as u8).collect();
        // A constant chunk: a lone-leaf tree, one bit per symbol.
        let constant = vec![7u8; 4000];
        for input in [&bytes, &constant] {
            for k in [1, 2, 4, 8] {
                let chunk = reference_chunk(input, k);
                assert_eq!(&decode_unsized(&chunk, usize::MAX).unwrap(), input, "{k}");
                // The prefix the reference's own decoder returns.
                assert_eq!(
                    decode_by_trailer(&chunk, usize::MAX).unwrap(),
                    input[..input.len() / k]
                );
            }
        }
        // Past the caller's maximum, the element count is no candidate.
        let chunk = reference_chunk(&bytes, 2);
        assert!(matches!(
            decode_unsized(&chunk, 5999),
            Err(Error::StreamEndMismatch { .. })
        ));
    }

    #[test]
    fn a_stream_that_goes_on_after_its_codes_is_refused() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 7) as u8).collect();
        let chunk = encode(&bytes).unwrap();
        let stream_len = chunk.len() - TRAILER_BYTES;
        // A byte appended to the stream, and the last byte's lowest (padding or code) bit.
        let mut longer = chunk[..stream_len].to_vec();
        longer.push(0);
        let longer = frame_stream(&longer, bytes.len()).unwrap();
        let mut flipped = chunk.clone();
        flipped[stream_len - 1] ^= 1;
        for damaged in [&longer, &flipped] {
            let e = decode(damaged, bytes.len()).unwrap_err();
            assert!(matches!(e, Error::StreamEndMismatch { .. }), "{e:?}");
            assert!(decode_unsized(damaged, usize::MAX).is_err());
        }
        // A prefix (no element count: 1000 is not 2, 4 or 8 times 300) is not the whole
        // chunk, but the reference's decoder returns it.
        let prefix = frame_stream(&chunk[..stream_len], 300).unwrap();
        assert!(decode_unsized(&prefix, usize::MAX).is_err());
        assert_eq!(
            decode_by_trailer(&prefix, usize::MAX).unwrap(),
            bytes[..300]
        );
    }

    #[test]
    fn a_lone_leaf_stream_must_hold_its_zero_bits_exactly() {
        // 9 bits of tree and 20 zero bits: 4 bytes.
        let chunk = encode(&[5u8; 20]).unwrap();
        assert_eq!(chunk.len(), 4 + TRAILER_BYTES);
        assert_eq!(decode(&chunk, 20).unwrap(), [5u8; 20]);
        let mut set = chunk.clone();
        set[2] |= 0x10;
        assert!(matches!(
            decode(&set, 20),
            Err(Error::StreamEndMismatch {
                end_bit: 29,
                stream_bytes: 4
            })
        ));
    }

    #[test]
    fn a_size_the_stream_cannot_hold_is_refused_before_allocating() {
        // A lone-leaf stream of 3 bytes whose trailer agrees with a caller asking for 4 GiB.
        let mut chunk = stream::encode(&[9u8; 8]).unwrap();
        chunk.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode(&chunk, u32::MAX as usize),
            Err(Error::TooManySymbols {
                stream_bytes: 3,
                max_symbols: 15,
                ..
            })
        ));
    }

    #[test]
    fn encoded_size_stays_within_the_bound() {
        for bytes in [
            (0..=255u8).cycle().take(10_000).collect::<Vec<u8>>(),
            vec![0u8; 1],
            (0..=255u8).collect(),
        ] {
            let chunk = encode(&bytes).unwrap();
            assert!(chunk.len() as u64 <= bytes.len() as u64 + MAX_OVERHEAD_BYTES);
        }
    }
}
