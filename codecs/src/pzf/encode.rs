//! Writing a Version 3 PZF frame, byte-identical to `PZFFormat.dumps` for raw and Huffman
//! frames.

use super::header::{Compression, DataFormat, DimOrder, PzfHeader, Quantization, WRITE_VERSION};
use super::{chunked, PzfError, PzfFrame, HEADER_LEN_V3};

/// Pixels to write, in the element order given alongside them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PzfSlice<'a> {
    /// uint8 pixels.
    U8(&'a [u8]),
    /// uint16 pixels.
    U16(&'a [u16]),
    /// float32 pixels.
    F32(&'a [f32]),
}

impl PzfSlice<'_> {
    /// Number of pixels.
    pub fn len(&self) -> usize {
        match self {
            Self::U8(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::F32(v) => v.len(),
        }
    }

    /// True when there are no pixels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The DataFormat of these pixels.
    pub fn format(&self) -> DataFormat {
        match self {
            Self::U8(_) => DataFormat::U8,
            Self::U16(_) => DataFormat::U16,
            Self::F32(_) => DataFormat::F32,
        }
    }

    fn le_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Self::U8(v) => std::borrow::Cow::Borrowed(v),
            Self::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
}

/// The header fields and coding choices of a frame to write; the arguments of `dumps`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PzfWriteOptions {
    /// `SequenceID` (`dumps`'s `sequenceID`).
    pub sequence_id: i64,
    /// `FrameNum` (`frameNum`).
    pub frame_num: u32,
    /// `FrameTimestamp` (`frameTimestamp`; `dumps` truncates a float to this integer).
    pub frame_timestamp: u64,
    /// `DataCompression` (`compression`).
    pub compression: Compression,
    /// `DataQuantization` (`quantization`): uint16 data and a Huffman payload only.
    pub quantization: Quantization,
    /// `QuantOffset` (`quantizationOffset`); recorded only when quantizing, as `dumps` does.
    pub quant_offset: f32,
    /// `QuantScale` (`quantizationScale`); recorded only when quantizing.
    pub quant_scale: f32,
    /// Chunks of a [`Compression::HuffmanChunked`] payload (PYME's writer means 2).
    pub chunks: u16,
}

impl Default for PzfWriteOptions {
    /// `dumps`'s defaults: everything 0, raw, unquantized, offset 0 and scale 1; 2 chunks.
    fn default() -> Self {
        Self {
            sequence_id: 0,
            frame_num: 0,
            frame_timestamp: 0,
            compression: Compression::Raw,
            quantization: Quantization::None,
            quant_offset: 0.0,
            quant_scale: 1.0,
            chunks: 2,
        }
    }
}

impl PzfWriteOptions {
    /// The options that write `header`'s fields again (2 chunks for a chunked frame: the
    /// header does not record the count).
    pub fn from_header(header: &PzfHeader) -> Self {
        Self {
            sequence_id: header.sequence_id,
            frame_num: header.frame_num,
            frame_timestamp: header.frame_timestamp,
            compression: header.compression,
            quantization: header.quantization,
            quant_offset: header.quant_offset,
            quant_scale: header.quant_scale,
            chunks: 2,
        }
    }
}

/// Writes a Version 3 frame of `shape` (Width, Height, Depth) whose pixels `data` holds in
/// `order` (see [`super::PzfFrame`] for the index formulas).
///
/// For raw and lossless Huffman frames the bytes equal `dumps`'s when `order` is the DimOrder
/// `dumps` records for the array ([`DimOrder::as_dumps_records`]). Quantized frames code the
/// exact quantizer's symbols (saturating at 255), where the reference's may differ by its
/// approximate square root and its wrapping tail.
///
/// # Errors
/// - [`PzfError::DataLengthMismatch`] if `data` does not hold Width × Height × Depth values.
/// - [`PzfError::DimensionTooLarge`] if a dimension does not fit in 32 bits.
/// - [`PzfError::QuantizedFormat`] / [`PzfError::QuantizedRaw`] for quantization of non-uint16
///   data or into a raw payload (`dumps` raises for the first and writes an unreadable frame
///   for the second); [`PzfError::InvalidQuantParams`] for a non-finite offset or a scale that
///   is not a finite number above 0.
/// - [`PzfError::ZeroChunks`] for a chunked payload of 0 chunks.
/// - [`PzfError::Stream`] if the payload is too long for a Huffman stream (4 GiB).
pub fn encode(
    data: PzfSlice<'_>,
    shape: [usize; 3],
    order: DimOrder,
    options: &PzfWriteOptions,
) -> Result<Vec<u8>, PzfError> {
    let header = write_header(data, shape, order, options)?;
    let mut out = Vec::with_capacity(HEADER_LEN_V3 + data.len() * data.format().itemsize());
    out.extend_from_slice(&header.to_v3_bytes());
    let symbols: std::borrow::Cow<'_, [u8]> = match (header.quantization, data) {
        (Quantization::Sqrt, PzfSlice::U16(values)) => {
            let table = crate::quant::QuantTable::new(&header.quant_params()?);
            values.iter().map(|&x| table.quantize(x)).collect()
        }
        _ => data.le_bytes(),
    };
    match header.compression {
        Compression::Raw => out.extend_from_slice(&symbols),
        Compression::Huffman => out.extend_from_slice(&crate::stream::encode(&symbols)?),
        Compression::HuffmanChunked => chunked::write(&symbols, options.chunks, &mut out)?,
    }
    Ok(out)
}

/// Writes a decoded frame again from its header's fields and pixels (as Version 3).
///
/// # Errors
/// As [`encode`].
pub fn encode_frame(frame: &PzfFrame) -> Result<Vec<u8>, PzfError> {
    encode(
        frame.data.as_slice(),
        frame.shape(),
        frame.order(),
        &PzfWriteOptions::from_header(&frame.header),
    )
}

fn write_header(
    data: PzfSlice<'_>,
    shape: [usize; 3],
    order: DimOrder,
    options: &PzfWriteOptions,
) -> Result<PzfHeader, PzfError> {
    let [width, height, depth] =
        shape.map(|value| u32::try_from(value).map_err(|_| PzfError::DimensionTooLarge { value }));
    let expected = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if expected != Some(data.len()) {
        return Err(PzfError::DataLengthMismatch {
            shape,
            expected: expected.unwrap_or(usize::MAX),
            found: data.len(),
        });
    }
    let quantized = options.quantization == Quantization::Sqrt;
    let header = PzfHeader {
        version: WRITE_VERSION,
        data_format: data.format(),
        compression: options.compression,
        quantization: options.quantization,
        dim_order: order,
        sequence_id: options.sequence_id,
        frame_num: options.frame_num,
        width: width?,
        height: height?,
        depth: depth?,
        frame_timestamp: options.frame_timestamp,
        quant_offset: if quantized { options.quant_offset } else { 0.0 },
        quant_scale: if quantized { options.quant_scale } else { 0.0 },
        data_offset: HEADER_LEN_V3 as u32,
    };
    if quantized {
        if header.data_format != DataFormat::U16 {
            return Err(PzfError::QuantizedFormat {
                format: header.data_format,
            });
        }
        if header.compression == Compression::Raw {
            return Err(PzfError::QuantizedRaw);
        }
        header.quant_params()?;
    }
    Ok(header)
}
