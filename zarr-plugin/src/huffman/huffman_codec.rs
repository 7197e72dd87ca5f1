use std::borrow::Cow;
use std::sync::Arc;

use pymecompress_codecs::{huffman, split_trailer, TRAILER_BYTES};
use zarrs::array::codec::api::{
    ArrayBytesRaw, BytesRepresentation, BytesToBytesCodecTraits, CodecError, CodecMetadataOptions,
    CodecOptions, CodecTraits, PartialDecoderCapability, PartialEncoderCapability,
    RecommendedConcurrency,
};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::Configuration;
use zarrs::plugin::ZarrVersion;

use crate::error::codec_error;

/// The `pymecompress-huffman` codec: a bytes-to-bytes codec with an empty configuration.
///
/// Stateless, `Send + Sync`, cheap to share: zarrs runs it on many chunks at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HuffmanCodec;

impl HuffmanCodec {
    /// Creates the codec.
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    /// The Zarr V2 `compressor` entry for this codec: `{"id": "pymecompress-huffman"}`.
    #[must_use]
    pub fn compressor_v2(&self) -> MetadataV2 {
        serde_json::from_value(serde_json::json!({ "id": crate::HUFFMAN_ID_V2 }))
            .expect("an id alone is valid V2 codec metadata")
    }
}

/// Largest number of bytes the coded stream can add to `decoded_len` input bytes, plus the
/// trailer.
///
/// A Huffman code never costs more than the 8-bit fixed code it replaces, so the codes take at
/// most `decoded_len` bytes; the tree takes at most 256 nine-bit leaves and 255 one-bit internal
/// nodes (320 bytes).
pub const MAX_OVERHEAD_BYTES: u64 = 320 + TRAILER_BYTES as u64;

/// Encodes a chunk's bytes into a `pymecompress-huffman` chunk.
///
/// # Errors
/// - [`pymecompress_codecs::Error::InputTooLarge`] if the chunk has more than `u32::MAX` bytes.
pub fn encode_chunk(decoded: &[u8]) -> Result<Vec<u8>, pymecompress_codecs::Error> {
    huffman::compress(decoded)
}

/// Decodes a `pymecompress-huffman` chunk to `decoded_len` bytes.
///
/// The item size is not known to a bytes-to-bytes codec, so it is read off the trailer: the
/// trailer is either `decoded_len` (our writer, and the reference's for 1-byte types) or
/// `decoded_len / itemsize` for an item size of 2, 4 or 8 (the reference's writer for wider
/// types). Every byte is coded in the stream either way.
///
/// # Errors
/// - [`pymecompress_codecs::Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`pymecompress_codecs::Error::TrailerMismatch`] if the trailer is neither count.
/// - [`pymecompress_codecs::Error::TreeTruncated`], [`pymecompress_codecs::Error::TreeTooLarge`],
///   [`pymecompress_codecs::Error::StreamTruncated`] for a damaged stream.
pub fn decode_chunk(
    encoded: &[u8],
    decoded_len: usize,
) -> Result<Vec<u8>, pymecompress_codecs::Error> {
    let itemsize = split_trailer(encoded)
        .ok()
        .and_then(|(_, trailer)| {
            [2usize, 4, 8]
                .into_iter()
                .find(|&k| (trailer as usize).checked_mul(k) == Some(decoded_len))
        })
        .unwrap_or(1);
    huffman::decompress(encoded, decoded_len, itemsize)
}

/// Decodes a chunk whose decoded size zarrs does not know (a codec before this one in the
/// chain has a variable size). The trailer is then taken as a byte count, and trusted only up
/// to `max_len` and to one byte per bit of the stream, which a valid stream never exceeds.
///
/// # Errors
/// As [`decode_chunk`]; [`pymecompress_codecs::Error::TrailerMismatch`] also when the trailer
/// exceeds either limit.
pub fn decode_chunk_unsized(
    encoded: &[u8],
    max_len: Option<usize>,
) -> Result<Vec<u8>, pymecompress_codecs::Error> {
    let (stream, trailer) = split_trailer(encoded)?;
    let stream_bits = stream.len().saturating_mul(8);
    let limit = max_len.map_or(stream_bits, |max| max.min(stream_bits));
    let claimed = trailer as usize;
    if claimed > limit {
        return Err(pymecompress_codecs::Error::TrailerMismatch {
            trailer,
            expected_bytes: limit,
            itemsize: 1,
        });
    }
    huffman::decompress(encoded, claimed, 1)
}

impl CodecTraits for HuffmanCodec {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn configuration(
        &self,
        _version: ZarrVersion,
        _options: &CodecMetadataOptions,
    ) -> Option<Configuration> {
        Some(Configuration::default())
    }

    fn partial_decoder_capability(&self) -> PartialDecoderCapability {
        PartialDecoderCapability {
            partial_read: false,
            partial_decode: false,
        }
    }

    fn partial_encoder_capability(&self) -> PartialEncoderCapability {
        PartialEncoderCapability {
            partial_encode: false,
        }
    }
}

impl BytesToBytesCodecTraits for HuffmanCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn BytesToBytesCodecTraits> {
        self as Arc<dyn BytesToBytesCodecTraits>
    }

    fn recommended_concurrency(
        &self,
        _decoded_representation: &BytesRepresentation,
    ) -> Result<RecommendedConcurrency, CodecError> {
        // One stream is decoded bit after bit; parallelism comes from running chunks at once.
        Ok(RecommendedConcurrency::new_maximum(1))
    }

    fn encoded_representation(
        &self,
        decoded_representation: &BytesRepresentation,
    ) -> BytesRepresentation {
        decoded_representation
            .size()
            .map_or(BytesRepresentation::UnboundedSize, |size| {
                BytesRepresentation::BoundedSize(size + MAX_OVERHEAD_BYTES)
            })
    }

    fn encode<'a>(
        &self,
        decoded_value: ArrayBytesRaw<'a>,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let encoded = encode_chunk(&decoded_value).map_err(codec_error::<Self>)?;
        Ok(Cow::Owned(encoded))
    }

    fn decode<'a>(
        &self,
        encoded_value: ArrayBytesRaw<'a>,
        decoded_representation: &BytesRepresentation,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let decoded = match *decoded_representation {
            BytesRepresentation::FixedSize(len) => decode_chunk(&encoded_value, usize_from(len)?),
            BytesRepresentation::BoundedSize(max) => {
                decode_chunk_unsized(&encoded_value, Some(usize_from(max)?))
            }
            BytesRepresentation::UnboundedSize => decode_chunk_unsized(&encoded_value, None),
        };
        Ok(Cow::Owned(decoded.map_err(codec_error::<Self>)?))
    }
}

fn usize_from(len: u64) -> Result<usize, CodecError> {
    usize::try_from(len).map_err(|_| {
        CodecError::Other(format!(
            "{}: decoded chunk of {len} bytes does not fit in memory",
            crate::HUFFMAN_NAME_V3
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pymecompress_codecs::{stream, Error};

    /// A chunk as the reference frames it: every byte coded, the trailer counting elements.
    fn reference_chunk(bytes: &[u8], itemsize: usize) -> Vec<u8> {
        let mut chunk = stream::encode(bytes).unwrap();
        chunk.extend_from_slice(&((bytes.len() / itemsize) as u32).to_le_bytes());
        chunk
    }

    #[test]
    fn both_trailer_conventions_decode() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        for itemsize in [1, 2, 4, 8] {
            let chunk = reference_chunk(&bytes, itemsize);
            assert_eq!(
                decode_chunk(&chunk, bytes.len()).unwrap(),
                bytes,
                "{itemsize}"
            );
        }
        let ours = encode_chunk(&bytes).unwrap();
        assert_eq!(decode_chunk(&ours, bytes.len()).unwrap(), bytes);
    }

    #[test]
    fn a_trailer_that_fits_no_item_size_is_refused() {
        let bytes = vec![3u8; 96];
        let chunk = reference_chunk(&bytes, 3);
        assert!(matches!(
            decode_chunk(&chunk, 96),
            Err(Error::TrailerMismatch { trailer: 32, .. })
        ));
        assert!(matches!(
            decode_chunk(&[1, 2], 96),
            Err(Error::ChunkTooShort { len: 2 })
        ));
    }

    #[test]
    fn unsized_decoding_trusts_the_trailer_only_within_bounds() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 5) as u8).collect();
        let chunk = encode_chunk(&bytes).unwrap();
        assert_eq!(decode_chunk_unsized(&chunk, None).unwrap(), bytes);
        assert_eq!(decode_chunk_unsized(&chunk, Some(1000)).unwrap(), bytes);
        assert!(decode_chunk_unsized(&chunk, Some(999)).is_err());
        // A lone-leaf tree claiming four billion symbols: refused before any allocation.
        let mut hostile = stream::encode(&[9u8; 8]).unwrap();
        hostile.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode_chunk_unsized(&hostile, None),
            Err(Error::TrailerMismatch {
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
            let chunk = encode_chunk(&bytes).unwrap();
            assert!(chunk.len() as u64 <= bytes.len() as u64 + MAX_OVERHEAD_BYTES);
        }
    }
}
