use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::Arc;

use pymecompress_codecs::{Endian, Quant16Codec, QuantParams, MAX_OVERHEAD_BYTES};
use zarrs::array::codec::api::{
    ArrayBytes, ArrayBytesDecodeIntoTarget, ArrayBytesRaw, ArrayCodecTraits,
    ArrayToBytesCodecTraits, BytesRepresentation, CodecError, CodecOptions,
    ExpectedFixedLengthBytesError, InvalidNumberOfElementsError, RecommendedConcurrency,
};
use zarrs::array::data_type::UInt16DataType;
use zarrs::array::{ChunkShapeTraits, DataType, FillValue};
use zarrs::metadata::v2::MetadataV2;

use super::HuffmanQuant16CodecConfiguration;
use crate::codec_common::fixed_bytes;
use crate::error::{codec_error, unsupported_data_type};

/// The `pymecompress-quant16` codec: an array-to-bytes codec for `uint16` data.
///
/// Holds its quantization and dequantization tables (built once, shared through an `Arc`), so
/// it is `Send + Sync` and clones cheaply; chunks are coded without locks.
///
/// Inside a sharded Zarr V3 array it is the inner chunks' array-to-bytes codec:
/// ```
/// use std::sync::Arc;
/// use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
/// use zarrs::storage::store::MemoryStore;
/// use zarrs_pymecompress::pymecompress_codecs::QuantParams;
/// use zarrs_pymecompress::{HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration};
///
/// let store = Arc::new(MemoryStore::new());
/// let params = QuantParams::new(100.0, 1.0)?;
/// // Shards of 4 frames, each frame an inner chunk coded by quant16.
/// ArrayBuilder::new(vec![8, 64, 64], vec![4, 64, 64], data_type::uint16(), 0u16)
///     .array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::new(params)))
///     .subchunk_shape(vec![1, 64, 64])
///     .build(store.clone(), "/movie")?
///     .store_metadata()?;
///
/// let movie = Array::open(store, "/movie")?;
/// let frames: Vec<u16> = (0..8 * 64 * 64).map(|i| 100 + (i % 300) as u16).collect();
/// let all = ArraySubset::new_with_shape(vec![8, 64, 64]);
/// movie.store_array_subset(&all, frames.clone())?;
/// let back: Vec<u16> = movie.retrieve_array_subset(&all)?;
/// for (&x, &y) in frames.iter().zip(&back) {
///     assert!(f64::from(x.abs_diff(y)) <= params.max_error(x));
/// }
/// // The parameters, read back from the opened array's metadata.
/// let found = HuffmanQuant16CodecConfiguration::of_array(&movie).expect("quant16 inside");
/// assert_eq!(*found.params(), params);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct HuffmanQuant16Codec {
    configuration: HuffmanQuant16CodecConfiguration,
    codec: Quant16Codec,
}

impl Default for HuffmanQuant16Codec {
    /// Offset 0, scale 1.
    fn default() -> Self {
        Self::new_with_configuration(HuffmanQuant16CodecConfiguration::default())
    }
}

impl HuffmanQuant16Codec {
    /// Creates the codec and its tables.
    #[must_use]
    pub fn new(params: QuantParams) -> Self {
        Self::new_with_configuration(HuffmanQuant16CodecConfiguration::new(params))
    }

    /// Creates the codec from a (validated) configuration, which it writes back unchanged.
    #[must_use]
    pub fn new_with_configuration(configuration: HuffmanQuant16CodecConfiguration) -> Self {
        let codec = Quant16Codec::new(*configuration.params());
        Self {
            configuration,
            codec,
        }
    }

    /// The configuration.
    #[must_use]
    pub fn configuration(&self) -> &HuffmanQuant16CodecConfiguration {
        &self.configuration
    }

    /// The quantization parameters (offset and scale).
    #[must_use]
    pub fn params(&self) -> &QuantParams {
        self.configuration.params()
    }

    /// The Zarr V2 `compressor` entry for this codec, e.g.
    /// `{"id": "pymecompress-quant16", "offset": 100, "scale": 1}`.
    #[must_use]
    pub fn compressor_v2(&self) -> MetadataV2 {
        let mut entry = serde_json::Map::new();
        entry.insert("id".into(), crate::HUFFMAN_QUANT16_ID_V2.into());
        entry.insert(
            "offset".into(),
            self.configuration.offset_number().clone().into(),
        );
        entry.insert(
            "scale".into(),
            self.configuration.scale_number().clone().into(),
        );
        serde_json::from_value(entry.into()).expect("id and numbers are valid V2 codec metadata")
    }

    /// The core codec, for coding chunks without zarrs.
    #[must_use]
    pub fn core(&self) -> &Quant16Codec {
        &self.codec
    }
}

impl HuffmanQuant16Codec {
    fn check_data_type(data_type: &DataType) -> Result<(), CodecError> {
        if data_type.is::<UInt16DataType>() {
            Ok(())
        } else {
            Err(unsupported_data_type::<Self>(data_type))
        }
    }
}

crate::codec_common::codec_traits!(HuffmanQuant16Codec, |codec| codec
    .configuration
    .clone()
    .into());

impl ArrayCodecTraits for HuffmanQuant16Codec {
    fn recommended_concurrency(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Self::check_data_type(data_type)?;
        // Chunks of 1 Mi values and more are coded in slices on the current rayon pool (the
        // decoder by self-synchronisation); smaller ones on one thread each.
        Ok(crate::scratch::recommended_concurrency(
            shape.num_elements_u64(),
        ))
    }
}

impl ArrayToBytesCodecTraits for HuffmanQuant16Codec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToBytesCodecTraits> {
        self as Arc<dyn ArrayToBytesCodecTraits>
    }

    fn encoded_representation(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
    ) -> Result<BytesRepresentation, CodecError> {
        Self::check_data_type(data_type)?;
        // One symbol byte per value at most, as for the Huffman codec over bytes.
        Ok(BytesRepresentation::BoundedSize(
            shape.num_elements_u64() + MAX_OVERHEAD_BYTES,
        ))
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        Self::check_data_type(data_type)?;
        let bytes = fixed_bytes(bytes, shape.num_elements_usize() * 2)?;
        // zarr array bytes are in this machine's byte order.
        let encoded = self
            .codec
            .encode_bytes(&bytes, Endian::NATIVE)
            .map_err(codec_error::<Self>)?;
        Ok(Cow::Owned(encoded))
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytesRaw<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        Self::check_data_type(data_type)?;
        let mut decoded = vec![0u8; shape.num_elements_usize() * 2];
        self.codec
            .decode_into_bytes(&bytes, &mut decoded, Endian::NATIVE)
            .map_err(codec_error::<Self>)?;
        Ok(ArrayBytes::from(decoded))
    }

    /// Decodes into zarrs's output view. zarrs's view only takes whole copies
    /// (`copy_from_slice`), so the chunk is decoded into a per-thread buffer reused from chunk
    /// to chunk (no allocation, no first touch of fresh memory) and copied from there while it
    /// is still in the cache.
    fn decode_into(
        &self,
        bytes: ArrayBytesRaw<'_>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        output_target: ArrayBytesDecodeIntoTarget<'_>,
        _options: &CodecOptions,
    ) -> Result<(), CodecError> {
        Self::check_data_type(data_type)?;
        let ArrayBytesDecodeIntoTarget::Fixed(view) = output_target else {
            return Err(ExpectedFixedLengthBytesError.into());
        };
        let elements = shape.num_elements_u64();
        if view.num_elements() != elements {
            return Err(InvalidNumberOfElementsError::new(view.num_elements(), elements).into());
        }
        crate::scratch::with_scratch(shape.num_elements_usize() * 2, |decoded| {
            self.codec
                .decode_into_bytes(&bytes, decoded, Endian::NATIVE)
                .map_err(codec_error::<Self>)?;
            view.copy_from_slice(decoded).map_err(CodecError::from)
        })
    }
}
