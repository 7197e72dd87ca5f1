//! The numcodecs chunk framing: a stream followed by a 4-byte little-endian trailer holding a
//! count. This file is the one place that reads or writes a trailer and decides what its count
//! may be; the codecs above it only ever see the stream.

use crate::stream::max_symbols;
use crate::Error;

/// Size of the trailer in bytes.
pub const TRAILER_BYTES: usize = 4;

/// Largest number of bytes a chunk can be longer than its decoded input (one byte per value
/// for quant16).
///
/// A Huffman code never costs more than the 8-bit fixed code it replaces, so the codes take at
/// most one byte per symbol; the tree takes at most 256 nine-bit leaves and 255 one-bit internal
/// nodes (320 bytes); then the trailer.
pub const MAX_OVERHEAD_BYTES: u64 = 320 + TRAILER_BYTES as u64;

/// Item sizes whose element count the reference writes as the trailer of a Huffman chunk.
const ELEMENT_SIZES: [usize; 3] = [2, 4, 8];

/// The most symbols a stream can hold ([`max_symbols`]), as the `limit` of
/// [`Error::TrailerTooLarge`].
fn stream_limit(stream: &[u8]) -> usize {
    usize::try_from(max_symbols(stream.len())).unwrap_or(usize::MAX)
}

/// A trailer that disagrees with the caller: a count the stream cannot hold means the chunk
/// is damaged; any other count, that the caller has the wrong size or the chunk belongs
/// elsewhere.
fn disagreeing(trailer: u32, stream: &[u8], mismatch: Error) -> Error {
    let limit = stream_limit(stream);
    if trailer as usize > limit {
        Error::TrailerTooLarge { trailer, limit }
    } else {
        mismatch
    }
}

/// Frames a bare stream as a chunk: the stream, then `count` as the trailer. The one place a
/// trailer is written; [`crate::huffman::frame_stream`] and [`crate::quant16::frame_stream`]
/// say which count each codec records.
pub(crate) fn frame_stream(stream: &[u8], count: usize) -> Result<Vec<u8>, Error> {
    let mut chunk = Vec::with_capacity(stream.len() + TRAILER_BYTES);
    chunk.extend_from_slice(stream);
    push_trailer(&mut chunk, count)?;
    Ok(chunk)
}

/// Splits a framed chunk into its stream and the value of its trailer.
fn split_trailer(chunk: &[u8]) -> Result<(&[u8], u32), Error> {
    let Some(split) = chunk.len().checked_sub(TRAILER_BYTES) else {
        return Err(Error::ChunkTooShort { len: chunk.len() });
    };
    let (stream, trailer) = chunk.split_at(split);
    let trailer = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    Ok((stream, trailer))
}

/// Appends `count` as the trailer, refusing counts the 32-bit trailer cannot hold.
pub(crate) fn push_trailer(out: &mut Vec<u8>, count: usize) -> Result<(), Error> {
    let count = u32::try_from(count).map_err(|_| Error::InputTooLarge {
        len: count,
        max: u32::MAX as usize,
    })?;
    out.extend_from_slice(&count.to_le_bytes());
    Ok(())
}

/// The stream of a `pymecompress-huffman` chunk that decodes to `decoded_len` bytes.
///
/// The trailer is either `decoded_len` (our writer, and the reference's for 1-byte types) or
/// the element count `decoded_len / k` for an item size `k` of 2, 4 or 8 (the reference's
/// writer for wider types). Every byte is coded in the stream either way, so the item size
/// itself is never needed.
pub(crate) fn huffman_stream(chunk: &[u8], decoded_len: usize) -> Result<&[u8], Error> {
    let (stream, trailer) = split_trailer(chunk)?;
    let count = trailer as usize;
    let fits = count == decoded_len
        || ELEMENT_SIZES
            .iter()
            .any(|&k| count.checked_mul(k) == Some(decoded_len));
    if fits {
        Ok(stream)
    } else {
        Err(disagreeing(
            trailer,
            stream,
            Error::TrailerMismatch {
                trailer,
                decoded_bytes: decoded_len,
            },
        ))
    }
}

/// The stream and the count its trailer says, for a chunk whose decoded size the caller does
/// not know. The count is trusted only up to `max` and to what the stream can hold
/// ([`max_symbols`]).
pub(crate) fn stream_unsized(chunk: &[u8], max: usize) -> Result<(&[u8], usize), Error> {
    let (stream, trailer) = split_trailer(chunk)?;
    let limit = max.min(stream_limit(stream));
    let claimed = trailer as usize;
    if claimed > limit {
        return Err(Error::TrailerTooLarge { trailer, limit });
    }
    Ok((stream, claimed))
}

/// The stream of a `pymecompress-huffman` chunk whose decoded size the caller does not know,
/// and the sizes it may decode to, most likely first: the trailer as a byte count (our
/// writer's, and the reference's for 1-byte types), then as a count of 2-, 4- and 8-byte
/// elements (the reference's for wider types), each within `max_len` and what the stream can
/// hold. Which one is right only decoding tells: the one whose codes fill the stream exactly
/// (`huffman::decode_unsized`).
pub(crate) fn huffman_sizes_unsized(
    chunk: &[u8],
    max_len: usize,
) -> Result<UnsizedHuffman<'_>, Error> {
    let (stream, bytes) = stream_unsized(chunk, max_len)?;
    let limit = max_len.min(stream_limit(stream));
    let elements = ELEMENT_SIZES
        .iter()
        .filter_map(|&k| bytes.checked_mul(k))
        .filter(|&n| n <= limit && n != bytes)
        .collect();
    Ok(UnsizedHuffman {
        stream,
        bytes,
        elements,
    })
}

/// What [`huffman_sizes_unsized`] finds in a chunk.
pub(crate) struct UnsizedHuffman<'a> {
    pub(crate) stream: &'a [u8],
    /// The trailer as a byte count.
    pub(crate) bytes: usize,
    /// The trailer times 2, 4 and 8, those within the limits.
    pub(crate) elements: Vec<usize>,
}

/// The stream of a `pymecompress-quant16` chunk of `n_values` values: the trailer is the value
/// count (the reference codes twice as many symbols, but writes N too).
pub(crate) fn quant16_stream(chunk: &[u8], n_values: usize) -> Result<&[u8], Error> {
    let (stream, trailer) = split_trailer(chunk)?;
    if trailer as usize == n_values {
        Ok(stream)
    } else {
        Err(disagreeing(
            trailer,
            stream,
            Error::ValueCountMismatch {
                trailer,
                expected: n_values,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of a 16-byte stream (which holds at most 119 symbols) and `trailer`.
    fn chunk(trailer: u32) -> Vec<u8> {
        let mut c = vec![0xAB; 16];
        c.extend_from_slice(&trailer.to_le_bytes());
        c
    }

    #[test]
    fn huffman_accepts_byte_and_element_counts_only() {
        for trailer in [96, 48, 24, 12] {
            assert_eq!(huffman_stream(&chunk(trailer), 96), Ok(&[0xAB; 16][..]));
        }
        assert_eq!(
            huffman_stream(&chunk(32), 96),
            Err(Error::TrailerMismatch {
                trailer: 32,
                decoded_bytes: 96
            })
        );
        assert_eq!(
            huffman_stream(&chunk(120), 96),
            Err(Error::TrailerTooLarge {
                trailer: 120,
                limit: 119
            })
        );
        assert_eq!(
            huffman_stream(&[1, 2], 96),
            Err(Error::ChunkTooShort { len: 2 })
        );
    }

    #[test]
    fn unsized_trusts_the_trailer_within_both_limits() {
        assert_eq!(stream_unsized(&chunk(24), 100), Ok((&[0xAB; 16][..], 24)));
        assert_eq!(
            stream_unsized(&chunk(101), 100),
            Err(Error::TrailerTooLarge {
                trailer: 101,
                limit: 100
            })
        );
        assert_eq!(
            stream_unsized(&chunk(120), usize::MAX),
            Err(Error::TrailerTooLarge {
                trailer: 120,
                limit: 119
            })
        );
    }

    #[test]
    fn unsized_huffman_sizes_are_the_byte_count_then_element_counts_that_fit() {
        let sizes = |trailer, max| {
            huffman_sizes_unsized(&chunk(trailer), max).map(|u| (u.bytes, u.elements))
        };
        assert_eq!(sizes(12, usize::MAX), Ok((12, vec![24, 48, 96])));
        assert_eq!(sizes(12, 50), Ok((12, vec![24, 48])));
        assert_eq!(sizes(30, usize::MAX), Ok((30, vec![60])));
        assert_eq!(sizes(0, usize::MAX), Ok((0, vec![])));
        assert!(matches!(
            sizes(120, usize::MAX),
            Err(Error::TrailerTooLarge { limit: 119, .. })
        ));
    }

    #[test]
    fn quant16_wants_the_value_count() {
        assert!(quant16_stream(&chunk(7), 7).is_ok());
        assert_eq!(
            quant16_stream(&chunk(7), 14),
            Err(Error::ValueCountMismatch {
                trailer: 7,
                expected: 14
            })
        );
        assert_eq!(
            quant16_stream(&chunk(u32::MAX), 14),
            Err(Error::TrailerTooLarge {
                trailer: u32::MAX,
                limit: 119
            })
        );
    }
}
