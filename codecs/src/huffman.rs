//! The `pymecompress-huffman` chunk: a Huffman stream over the chunk's bytes, then a 4-byte
//! little-endian trailer.
//!
//! We write the byte count as the trailer, so that the reference decodes what we write for
//! every data type. The reference writes the *element* count, which for multi-byte types makes
//! its own decoder stop early; we read both, since the caller knows the decoded size (see
//! `framing.rs` for the rule).

use crate::framing::{self, huffman_stream, huffman_stream_unsized, push_trailer};
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
    let mut out = vec![0u8; decoded_len];
    stream::decode_into(stream, &mut out)?;
    Ok(out)
}

/// Decodes a chunk into `out`, whose length is the decoded size in bytes.
///
/// The trailer must be `out.len()` (what we, and the reference for 1-byte types, write) or
/// the element count `out.len() / k` for `k` of 2, 4 or 8 (what the reference writes for
/// wider types).
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerMismatch`] if the trailer is neither count.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
pub fn decode_into(chunk: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let stream = huffman_stream(chunk, out.len())?;
    stream::decode_into(stream, out)
}

/// Decodes a chunk whose decoded size the caller does not know, only a maximum (in zarr, when
/// a codec before this one in the chain has a variable size). The trailer is taken as a byte
/// count and trusted only up to `max_len` and to eight bytes per byte of stream, which a valid
/// stream never exceeds, so no allocation is sized by an unchecked number.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerTooLarge`] if the trailer exceeds either limit.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
pub fn decode_unsized(chunk: &[u8], max_len: usize) -> Result<Vec<u8>, Error> {
    let (stream, decoded_len) = huffman_stream_unsized(chunk, max_len)?;
    stream::decode(stream, decoded_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_OVERHEAD_BYTES;

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
