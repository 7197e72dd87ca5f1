//! The PZF header: parsing Versions 1, 2 and 3, writing Version 3.
//!
//! Layout (little-endian, packed): `ID` "BD" (0..2), `Version` u8 (2), `DataFormat` u8 (3),
//! `DataCompression` u8 (4), `DataQuantization` u8 (5), `DimOrder` char (6), reserved (7),
//! `SequenceID` i64 (8), `FrameNum` u32 (16), `Width` u32 (20), `Height` u32 (24), `Depth` u32
//! (28), `FrameTimestamp` u64 (32), `QuantOffset` f32 (40), `QuantScale` f32 (44); Version 3
//! adds `DataOffset` u32 (48) and 12 reserved bytes, 64 in all. Versions 1 and 2 end at 48 and
//! their payload starts there.

use super::PzfError;
use serde::{Deserialize, Serialize};

/// Length of a Version 1 or 2 header, where their payload starts.
pub const HEADER_LEN_V2: usize = 48;
/// Length of a Version 3 header, and the DataOffset the writer records.
pub const HEADER_LEN_V3: usize = 64;
/// The Version the writer records.
pub const WRITE_VERSION: u8 = 3;
const MAGIC: [u8; 2] = *b"BD";

/// PYME's names of the header fields, in header order: the keys of the dict `loads` returns
/// (less `ID` and the reserved bytes) and the names [`PzfHeader`] serializes under. Versions 1
/// and 2 have no `DataOffset` in the file; [`PzfHeader`] gives 48 for it.
pub const HEADER_FIELD_NAMES: [&str; 14] = [
    "Version",
    "DataFormat",
    "DataCompression",
    "DataQuantization",
    "DimOrder",
    "SequenceID",
    "FrameNum",
    "Width",
    "Height",
    "Depth",
    "FrameTimestamp",
    "QuantOffset",
    "QuantScale",
    "DataOffset",
];

/// Pixel type of a frame (`DataFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum DataFormat {
    /// 0: `uint8`.
    U8,
    /// 1: `uint16`.
    U16,
    /// 2: `float32`.
    F32,
}

impl DataFormat {
    /// Bytes per pixel.
    pub fn itemsize(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::F32 => 4,
        }
    }

    /// The data type's name in numpy and Zarr v3 (`uint8`, `uint16`, `float32`): the one
    /// place this vocabulary is spelled.
    pub fn name(self) -> &'static str {
        match self {
            Self::U8 => "uint8",
            Self::U16 => "uint16",
            Self::F32 => "float32",
        }
    }

    /// The little-endian numpy type string (`|u1`, `<u2`, `<f4`), as `.npy` headers and Zarr
    /// v2's `dtype` write it. PZF pixels are little-endian.
    pub fn numpy_descr(self) -> &'static str {
        match self {
            Self::U8 => "|u1",
            Self::U16 => "<u2",
            Self::F32 => "<f4",
        }
    }
}

impl From<DataFormat> for u8 {
    fn from(f: DataFormat) -> u8 {
        match f {
            DataFormat::U8 => 0,
            DataFormat::U16 => 1,
            DataFormat::F32 => 2,
        }
    }
}

impl TryFrom<u8> for DataFormat {
    type Error = PzfError;
    fn try_from(v: u8) -> Result<Self, PzfError> {
        match v {
            0 => Ok(Self::U8),
            1 => Ok(Self::U16),
            2 => Ok(Self::F32),
            found => Err(PzfError::UnknownDataFormat { found }),
        }
    }
}

/// How the payload is stored (`DataCompression`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Compression {
    /// 0: the pixel bytes as they are.
    Raw,
    /// 1: one Huffman stream over the pixel bytes (or quantized symbols).
    Huffman,
    /// 2: a u16 chunk count, then per chunk a u32 compressed length, a u32 raw length and a
    /// Huffman stream.
    HuffmanChunked,
}

impl From<Compression> for u8 {
    fn from(c: Compression) -> u8 {
        match c {
            Compression::Raw => 0,
            Compression::Huffman => 1,
            Compression::HuffmanChunked => 2,
        }
    }
}

impl TryFrom<u8> for Compression {
    type Error = PzfError;
    fn try_from(v: u8) -> Result<Self, PzfError> {
        match v {
            0 => Ok(Self::Raw),
            1 => Ok(Self::Huffman),
            2 => Ok(Self::HuffmanChunked),
            found => Err(PzfError::UnknownCompression { found }),
        }
    }
}

/// Whether the pixels were square-root quantized before coding (`DataQuantization`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Quantization {
    /// 0: lossless.
    None,
    /// 1: `round(sqrt(x - QuantOffset) / QuantScale)`, one byte per pixel.
    Sqrt,
}

impl From<Quantization> for u8 {
    fn from(q: Quantization) -> u8 {
        match q {
            Quantization::None => 0,
            Quantization::Sqrt => 1,
        }
    }
}

impl TryFrom<u8> for Quantization {
    type Error = PzfError;
    fn try_from(v: u8) -> Result<Self, PzfError> {
        match v {
            0 => Ok(Self::None),
            1 => Ok(Self::Sqrt),
            found => Err(PzfError::UnknownQuantization { found }),
        }
    }
}

/// Element order of the payload (`DimOrder`), for the shape (Width, Height, Depth).
///
/// C: pixel (x, y, z) is element `(x * Height + y) * Depth + z`. F: element
/// `x + Width * (y + Height * z)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DimOrder {
    /// Row-major: the last index varies fastest.
    C,
    /// Column-major: the first index varies fastest.
    F,
}

impl DimOrder {
    /// The DimOrder `PZFFormat.dumps` records for an array of `shape` held in `memory` order:
    /// F whenever numpy calls the array F-contiguous, which includes every array with at most
    /// one dimension longer than 1 (1x1, 1xN, Nx1) and every empty array. For those the C and
    /// F element orders are the same sequence, so only the header byte depends on it.
    pub fn as_dumps_records(shape: [usize; 3], memory: DimOrder) -> DimOrder {
        let long_dims = shape.iter().filter(|&&n| n > 1).count();
        if memory == DimOrder::F || long_dims <= 1 || shape.contains(&0) {
            DimOrder::F
        } else {
            DimOrder::C
        }
    }

    /// The header byte.
    pub fn byte(self) -> u8 {
        match self {
            Self::C => b'C',
            Self::F => b'F',
        }
    }

    /// Reads a header byte the way numpy's `reshape(order=...)` does in `loads`: `C`/`c`, and
    /// `A`/`a` (C for the flat array `loads` reshapes) are C; `F`/`f` is F.
    ///
    /// # Errors
    /// - [`PzfError::UnknownDimOrder`] for any other byte (numpy raises for those).
    pub fn from_byte(found: u8) -> Result<Self, PzfError> {
        match found {
            b'C' | b'c' | b'A' | b'a' => Ok(Self::C),
            b'F' | b'f' => Ok(Self::F),
            _ => Err(PzfError::UnknownDimOrder { found }),
        }
    }
}

/// A parsed and checked PZF header.
///
/// Serialized (serde) under PYME's field names ([`HEADER_FIELD_NAMES`]); the
/// enums as the numbers PYME stores and DimOrder as `"C"`/`"F"`. `ID` and the reserved bytes
/// are not fields: the magic is checked on parsing and the reserved bytes are written as zeros.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PzfHeader {
    /// `Version`: 1, 2 or 3.
    #[serde(rename = "Version")]
    pub version: u8,
    /// `DataFormat`.
    #[serde(rename = "DataFormat")]
    pub data_format: DataFormat,
    /// `DataCompression`.
    #[serde(rename = "DataCompression")]
    pub compression: Compression,
    /// `DataQuantization`.
    #[serde(rename = "DataQuantization")]
    pub quantization: Quantization,
    /// `DimOrder`; always C for Version 1, which `loads` reads as C whatever the byte holds.
    #[serde(rename = "DimOrder")]
    pub dim_order: DimOrder,
    /// `SequenceID`.
    #[serde(rename = "SequenceID")]
    pub sequence_id: i64,
    /// `FrameNum`.
    #[serde(rename = "FrameNum")]
    pub frame_num: u32,
    /// `Width`: the first (with DimOrder C, the slowest-varying) axis of [`Self::shape`].
    #[serde(rename = "Width")]
    pub width: u32,
    /// `Height`: the second axis of [`Self::shape`].
    #[serde(rename = "Height")]
    pub height: u32,
    /// `Depth`: the third (with DimOrder C, the fastest-varying) axis of [`Self::shape`]; 1
    /// for a 2-D frame.
    #[serde(rename = "Depth")]
    pub depth: u32,
    /// `FrameTimestamp`.
    #[serde(rename = "FrameTimestamp")]
    pub frame_timestamp: u64,
    /// `QuantOffset` (0 in frames `dumps` writes unquantized).
    #[serde(rename = "QuantOffset")]
    pub quant_offset: f32,
    /// `QuantScale` (0 in frames `dumps` writes unquantized).
    #[serde(rename = "QuantScale")]
    pub quant_scale: f32,
    /// Where the payload starts: `DataOffset` for Version 3, 48 for Versions 1 and 2.
    #[serde(rename = "DataOffset")]
    pub data_offset: u32,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl PzfHeader {
    /// Parses and checks the header at the start of a PZF file.
    ///
    /// Besides the field values, this checks what makes the header usable: sqrt quantization
    /// only on uint16 Huffman payloads with a finite offset and a finite scale above 0, and a
    /// DataOffset between the end of the header and the end of `bytes`.
    ///
    /// # Errors
    /// - [`PzfError::HeaderTruncated`] if `bytes` is shorter than the header.
    /// - [`PzfError::BadMagic`], [`PzfError::UnknownVersion`], [`PzfError::UnknownDataFormat`],
    ///   [`PzfError::UnknownCompression`], [`PzfError::UnknownQuantization`],
    ///   [`PzfError::UnknownDimOrder`] for field values outside the format.
    /// - [`PzfError::QuantizedFormat`], [`PzfError::QuantizedRaw`],
    ///   [`PzfError::InvalidQuantParams`] for quantization that makes no sense.
    /// - [`PzfError::DataOffsetInsideHeader`], [`PzfError::DataOffsetPastEnd`].
    pub fn parse(bytes: &[u8]) -> Result<Self, PzfError> {
        let Some(&version) = bytes.get(2) else {
            return Err(PzfError::HeaderTruncated {
                needed: HEADER_LEN_V2,
                len: bytes.len(),
            });
        };
        // `loads` picks the layout by Version >= 3 before it looks at anything else.
        let header_len = if version >= 3 {
            HEADER_LEN_V3
        } else {
            HEADER_LEN_V2
        };
        let Some(b) = bytes.get(..header_len) else {
            return Err(PzfError::HeaderTruncated {
                needed: header_len,
                len: bytes.len(),
            });
        };
        if b[..2] != MAGIC {
            return Err(PzfError::BadMagic {
                found: [b[0], b[1]],
            });
        }
        if !(1..=3).contains(&version) {
            return Err(PzfError::UnknownVersion { found: version });
        }
        let data_format = DataFormat::try_from(b[3])?;
        let compression = Compression::try_from(b[4])?;
        let quantization = Quantization::try_from(b[5])?;
        let dim_order = if version >= 2 {
            DimOrder::from_byte(b[6])?
        } else {
            DimOrder::C
        };
        let header = Self {
            version,
            data_format,
            compression,
            quantization,
            dim_order,
            sequence_id: u64_at(b, 8) as i64,
            frame_num: u32_at(b, 16),
            width: u32_at(b, 20),
            height: u32_at(b, 24),
            depth: u32_at(b, 28),
            frame_timestamp: u64_at(b, 32),
            quant_offset: f32::from_bits(u32_at(b, 40)),
            quant_scale: f32::from_bits(u32_at(b, 44)),
            data_offset: if version >= 3 {
                u32_at(b, 48)
            } else {
                HEADER_LEN_V2 as u32
            },
        };
        header.check_quantization()?;
        header.check_data_offset(bytes.len())?;
        Ok(header)
    }

    fn check_quantization(&self) -> Result<(), PzfError> {
        if self.quantization == Quantization::None {
            // `dumps` leaves the parameters at 0 when it does not quantize: not checked.
            return Ok(());
        }
        if self.data_format != DataFormat::U16 {
            return Err(PzfError::QuantizedFormat {
                format: self.data_format,
            });
        }
        if self.compression == Compression::Raw {
            return Err(PzfError::QuantizedRaw);
        }
        self.quant_params().map(|_| ())
    }

    /// The quantizer's parameters as the core's [`crate::QuantParams`] (f32 values widened
    /// exactly).
    ///
    /// # Errors
    /// - [`PzfError::InvalidQuantParams`] if the offset is not finite or the scale is not a
    ///   finite number above 0.
    pub fn quant_params(&self) -> Result<crate::QuantParams, PzfError> {
        crate::QuantParams::new(f64::from(self.quant_offset), f64::from(self.quant_scale)).map_err(
            |_| PzfError::InvalidQuantParams {
                offset: self.quant_offset,
                scale: self.quant_scale,
            },
        )
    }

    fn check_data_offset(&self, len: usize) -> Result<(), PzfError> {
        let offset = self.data_offset;
        let header_len = self.header_len();
        if (offset as usize) < header_len {
            return Err(PzfError::DataOffsetInsideHeader { offset, header_len });
        }
        if offset as usize > len {
            return Err(PzfError::DataOffsetPastEnd { offset, len });
        }
        Ok(())
    }

    /// Length of this header's layout: 48 for Versions 1 and 2, 64 for Version 3.
    pub fn header_len(&self) -> usize {
        if self.version >= 3 {
            HEADER_LEN_V3
        } else {
            HEADER_LEN_V2
        }
    }

    /// `[Width, Height, Depth]`, the numpy shape `loads` returns, in that axis order.
    ///
    /// Width comes first: with DimOrder C it is the *slowest* axis (numpy's `shape[0]`, the
    /// row index of a C-order array), not the fastest as "width" suggests; a frame PYME writes
    /// from an (x, y) camera image has Width = x. Index the result as `[width, height, depth]`
    /// (never `[rows, columns, ...]` of an image read elsewhere), or a frame gets transposed.
    pub fn shape(&self) -> [usize; 3] {
        [self.width, self.height, self.depth].map(|n| n as usize)
    }

    /// Width × Height × Depth, if it fits in `usize` with `itemsize` bytes per pixel.
    ///
    /// # Errors
    /// - [`PzfError::ShapeOverflow`] if the frame's byte size overflows `usize`.
    pub fn pixel_count(&self) -> Result<usize, PzfError> {
        let [w, h, d] = [self.width, self.height, self.depth].map(u64::from);
        w.checked_mul(h)
            .and_then(|n| n.checked_mul(d))
            .filter(|n| n.checked_mul(self.data_format.itemsize() as u64).is_some())
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| n.checked_mul(self.data_format.itemsize()).is_some())
            .ok_or(PzfError::ShapeOverflow {
                width: w,
                height: h,
                depth: d,
            })
    }

    /// The 64-byte Version 3 header as `dumps` writes it, with this header's fields except
    /// `Version` (3) and `DataOffset` (64): the writer pads nothing. Reserved bytes are zero.
    pub fn to_v3_bytes(&self) -> [u8; HEADER_LEN_V3] {
        let mut b = [0u8; HEADER_LEN_V3];
        b[..2].copy_from_slice(&MAGIC);
        b[2] = WRITE_VERSION;
        b[3] = self.data_format.into();
        b[4] = self.compression.into();
        b[5] = self.quantization.into();
        b[6] = self.dim_order.byte();
        b[8..16].copy_from_slice(&self.sequence_id.to_le_bytes());
        b[16..20].copy_from_slice(&self.frame_num.to_le_bytes());
        b[20..24].copy_from_slice(&self.width.to_le_bytes());
        b[24..28].copy_from_slice(&self.height.to_le_bytes());
        b[28..32].copy_from_slice(&self.depth.to_le_bytes());
        b[32..40].copy_from_slice(&self.frame_timestamp.to_le_bytes());
        b[40..44].copy_from_slice(&self.quant_offset.to_le_bytes());
        b[44..48].copy_from_slice(&self.quant_scale.to_le_bytes());
        b[48..52].copy_from_slice(&(HEADER_LEN_V3 as u32).to_le_bytes());
        b
    }
}
