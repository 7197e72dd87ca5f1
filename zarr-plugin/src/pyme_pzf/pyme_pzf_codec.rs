use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::Arc;

use pymecompress_codecs::pzf::{self, DimOrder, PzfData, PzfHeader, PzfSlice};
use pymecompress_codecs::MAX_OVERHEAD_BYTES;
use zarrs::array::codec::api::{
    ArrayBytes, ArrayBytesRaw, ArrayCodecTraits, ArrayToBytesCodecTraits, BytesRepresentation,
    CodecError, CodecOptions, RecommendedConcurrency,
};
use zarrs::array::{ChunkShapeTraits, DataType, FillValue};
use zarrs::metadata::v2::MetadataV2;

use super::chunk_error::PymePzfChunkError;
use super::layout::{check_frame, data_format, frame_shape};
use super::PymePzfCodecConfiguration;
use crate::codec_common::fixed_bytes;
use crate::error::codec_error;

/// The `pyme-pzf` codec: an array-to-bytes codec whose chunks are whole PZF frames
/// (`uint8`, `uint16` or `float32` arrays).
///
/// Decoding reads any frame `PZFFormat.loads` reads that fits the chunk (see the module
/// docs); encoding writes a Version 3 frame as the configuration says. Stateless apart from
/// its configuration, `Send + Sync`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PymePzfCodec {
    configuration: PymePzfCodecConfiguration,
}

impl PymePzfCodec {
    /// The codec with the default configuration (`{}`: lossless Huffman).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The codec with a (validated) configuration, which it writes back unchanged.
    #[must_use]
    pub fn new_with_configuration(configuration: PymePzfCodecConfiguration) -> Self {
        Self { configuration }
    }

    /// The configuration.
    #[must_use]
    pub fn configuration(&self) -> &PymePzfCodecConfiguration {
        &self.configuration
    }

    /// The Zarr V2 `compressor` entry for this codec: `{"id": "pyme-pzf"}` plus any
    /// configuration field given (what PYME's `save_zarr_metadata` writes, for the default).
    #[must_use]
    pub fn compressor_v2(&self) -> MetadataV2 {
        let mut entry = match serde_json::to_value(&self.configuration) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        entry.insert("id".into(), crate::PYME_PZF_ID_V2.into());
        serde_json::from_value(entry.into()).expect("an id and fields are valid V2 codec metadata")
    }

    fn check_encodable(&self, data_type: &DataType) -> Result<(), CodecError> {
        let format = data_format(data_type)?;
        if self.configuration.is_quantized() && format != pzf::DataFormat::U16 {
            return Err(codec_error::<Self>(PymePzfChunkError::QuantizedDataType {
                data_type: data_type.to_string(),
            }));
        }
        Ok(())
    }
}

crate::codec_common::codec_traits!(PymePzfCodec, |codec| codec.configuration.clone().into());

impl ArrayCodecTraits for PymePzfCodec {
    fn recommended_concurrency(
        &self,
        _shape: &[NonZeroU64],
        data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        data_format(data_type)?;
        // One frame is one stream; parallelism comes from running chunks at once.
        Ok(RecommendedConcurrency::new_maximum(1))
    }
}

impl ArrayToBytesCodecTraits for PymePzfCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToBytesCodecTraits> {
        self as Arc<dyn ArrayToBytesCodecTraits>
    }

    fn encoded_representation(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
    ) -> Result<BytesRepresentation, CodecError> {
        self.check_encodable(data_type)?;
        frame_shape(shape)?;
        let itemsize = data_format(data_type)?.itemsize() as u64;
        // Header, then at most one symbol byte per pixel byte plus the code tree.
        Ok(BytesRepresentation::BoundedSize(
            pzf::HEADER_LEN_V3 as u64 + shape.num_elements_u64() * itemsize + MAX_OVERHEAD_BYTES,
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
        self.check_encodable(data_type)?;
        let frame = frame_shape(shape)?;
        let format = data_format(data_type)?;
        let bytes = fixed_bytes(bytes, shape.num_elements_usize() * format.itemsize())?;
        // zarr array bytes are in this machine's byte order; PZF's are little-endian.
        let pixels = NativePixels::from_bytes(format, &bytes);
        // The DimOrder byte `dumps` records for a C-contiguous array of this shape.
        let order = DimOrder::as_dumps_records(frame, DimOrder::C);
        let encoded = pzf::encode(
            pixels.as_slice(),
            frame,
            order,
            self.configuration.write_options(),
        )
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
        // The header alone is checked against the chunk before any pixel is decoded.
        let header = PzfHeader::parse(&bytes).map_err(codec_error::<Self>)?;
        check_frame(&header, shape, data_type)?;
        let frame = pzf::decode(&bytes).map_err(codec_error::<Self>)?;
        Ok(ArrayBytes::from(native_bytes(frame.data)))
    }
}

/// Chunk pixels converted from native-endian bytes.
enum NativePixels {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl NativePixels {
    fn from_bytes(format: pzf::DataFormat, bytes: &[u8]) -> Self {
        match format {
            pzf::DataFormat::U8 => Self::U8(bytes.to_vec()),
            pzf::DataFormat::U16 => Self::U16(
                bytes
                    .chunks_exact(2)
                    .map(|b| u16::from_ne_bytes([b[0], b[1]]))
                    .collect(),
            ),
            pzf::DataFormat::F32 => Self::F32(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
            ),
        }
    }

    fn as_slice(&self) -> PzfSlice<'_> {
        match self {
            Self::U8(v) => PzfSlice::U8(v),
            Self::U16(v) => PzfSlice::U16(v),
            Self::F32(v) => PzfSlice::F32(v),
        }
    }
}

/// The frame's pixels, in their stored order, as native-endian bytes.
fn native_bytes(data: PzfData) -> Vec<u8> {
    match data {
        PzfData::U8(v) => v,
        PzfData::U16(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        PzfData::F32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
    }
}
