//! The `pymecompress-huffman` chunk: a Huffman stream over the chunk's bytes, then a 4-byte
//! little-endian trailer.
//!
//! We write the byte count as the trailer, so that the reference decodes what we write for
//! every data type. The reference writes the *element* count, which for multi-byte types makes
//! its own decoder stop early; we read both, since the caller knows the decoded size.

use crate::framing::{push_trailer, split_trailer};
use crate::{stream, Error};

/// Encodes bytes into a chunk: stream, then the byte count as a little-endian `u32`.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `input` is longer than `u32::MAX` bytes.
pub fn compress(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    stream::encode_append(input, &mut out)?;
    push_trailer(&mut out, input.len())?;
    Ok(out)
}

/// Decodes a chunk that holds `decoded_len` bytes of `itemsize`-byte elements.
///
/// # Errors
/// As [`decompress_into`].
pub fn decompress(chunk: &[u8], decoded_len: usize, itemsize: usize) -> Result<Vec<u8>, Error> {
    check_trailer(chunk, decoded_len, itemsize)?;
    let mut out = vec![0u8; decoded_len];
    decompress_into(chunk, &mut out, itemsize)?;
    Ok(out)
}

/// Decodes a chunk into `out`, whose length is the decoded size in bytes.
///
/// The trailer must equal `out.len()` (what we and the reference write for 1-byte types), or
/// `out.len() / itemsize` (what the reference writes for wider types).
///
/// # Errors
/// - [`Error::UnsupportedItemSize`] if `itemsize` is not 1, 2, 4 or 8.
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerMismatch`] if the trailer is neither count.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
pub fn decompress_into(chunk: &[u8], out: &mut [u8], itemsize: usize) -> Result<(), Error> {
    let stream = check_trailer(chunk, out.len(), itemsize)?;
    stream::decode_into(stream, out)
}

/// Validates the trailer against the expected size; returns the stream.
fn check_trailer(chunk: &[u8], decoded_len: usize, itemsize: usize) -> Result<&[u8], Error> {
    if !matches!(itemsize, 1 | 2 | 4 | 8) {
        return Err(Error::UnsupportedItemSize { itemsize });
    }
    let (stream, trailer) = split_trailer(chunk)?;
    let counts_bytes = trailer as usize == decoded_len;
    let counts_elements = (trailer as usize).checked_mul(itemsize) == Some(decoded_len);
    if counts_bytes || counts_elements {
        Ok(stream)
    } else {
        Err(Error::TrailerMismatch {
            trailer,
            expected_bytes: decoded_len,
            itemsize,
        })
    }
}
