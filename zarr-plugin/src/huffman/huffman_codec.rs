use std::borrow::Cow;
use std::sync::Arc;

use pymecompress_codecs::{huffman, MAX_OVERHEAD_BYTES};
use zarrs::array::codec::api::{
    ArrayBytesRaw, BytesRepresentation, BytesToBytesCodecTraits, CodecError, CodecOptions,
    RecommendedConcurrency,
};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::Configuration;

use crate::error::codec_error;

/// The `pymecompress-huffman` codec: a bytes-to-bytes codec with an empty configuration.
///
/// Stateless, `Send + Sync`, cheap to share: zarrs runs it on many chunks at once. In a zarrs
/// codec chain it goes among the bytes-to-bytes codecs, after the array-to-bytes one (`bytes`
/// by default), here with a checksum after it:
/// ```
/// use std::sync::Arc;
/// use zarrs::array::codec::Crc32cCodec;
/// use zarrs::array::{data_type, ArrayBuilder, ArraySubset};
/// use zarrs::storage::store::MemoryStore;
/// use zarrs_pymecompress::HuffmanCodec;
///
/// let array = ArrayBuilder::new(vec![100, 100], vec![50, 50], data_type::float32(), 0.0f32)
///     .bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new()), Arc::new(Crc32cCodec::new())])
///     .build(Arc::new(MemoryStore::new()), "/a")?;
/// let values: Vec<f32> = (0..100 * 100).map(|i| (i % 13) as f32).collect();
/// let all = ArraySubset::new_with_shape(vec![100, 100]);
/// array.store_array_subset(&all, values.clone())?;
/// assert_eq!(array.retrieve_array_subset::<Vec<f32>>(&all)?, values); // lossless
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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

crate::codec_common::codec_traits!(HuffmanCodec, |_codec| Configuration::default());

impl BytesToBytesCodecTraits for HuffmanCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn BytesToBytesCodecTraits> {
        self as Arc<dyn BytesToBytesCodecTraits>
    }

    fn recommended_concurrency(
        &self,
        decoded_representation: &BytesRepresentation,
    ) -> Result<RecommendedConcurrency, CodecError> {
        // Chunks of 1 MiB and more are coded in slices on the current rayon pool (the decoder
        // by self-synchronisation); smaller ones on one thread each.
        Ok(crate::scratch::recommended_concurrency(
            decoded_representation.size().unwrap_or(0),
        ))
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
        let encoded = huffman::encode(&decoded_value).map_err(codec_error::<Self>)?;
        Ok(Cow::Owned(encoded))
    }

    fn decode<'a>(
        &self,
        encoded_value: ArrayBytesRaw<'a>,
        decoded_representation: &BytesRepresentation,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        // A codec before this one with a variable size leaves only a bound, or none.
        let decoded = match *decoded_representation {
            BytesRepresentation::FixedSize(len) => {
                huffman::decode(&encoded_value, usize_from(len)?)
            }
            BytesRepresentation::BoundedSize(max) => {
                huffman::decode_unsized(&encoded_value, usize_from(max)?)
            }
            BytesRepresentation::UnboundedSize => {
                huffman::decode_unsized(&encoded_value, usize::MAX)
            }
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
