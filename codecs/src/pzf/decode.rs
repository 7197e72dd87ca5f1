//! Reading a PZF frame: what `PZFFormat.loads` returns, or a [`PzfError`].

use super::header::{Compression, DataFormat, DimOrder, PzfHeader, Quantization};
use super::{chunked, dequant, PzfError, PzfSlice};
use crate::stream::{self, max_symbols, End, IDENTITY};

/// The pixels of a frame, in the element order of the frame's [`DimOrder`].
#[derive(Clone, Debug, PartialEq)]
pub enum PzfData {
    /// DataFormat 0.
    U8(Vec<u8>),
    /// DataFormat 1 (quantized frames too, dequantized).
    U16(Vec<u16>),
    /// DataFormat 2.
    F32(Vec<f32>),
}

impl PzfData {
    /// Number of pixels.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True for a frame without pixels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pixels, borrowed (e.g. to write them again).
    pub fn as_slice(&self) -> PzfSlice<'_> {
        match self {
            Self::U8(v) => PzfSlice::U8(v),
            Self::U16(v) => PzfSlice::U16(v),
            Self::F32(v) => PzfSlice::F32(v),
        }
    }
}

/// A decoded frame: its header and its pixels.
///
/// `data` holds Width × Height × Depth values in the header's DimOrder: for C, pixel
/// (x, y, z) is `data[(x * Height + y) * Depth + z]`; for F, `data[x + Width * (y + Height * z)]`.
/// That is the memory of the array `loads` returns (shape (Width, Height, Depth), C- or
/// F-contiguous as DimOrder says).
#[derive(Clone, Debug, PartialEq)]
pub struct PzfFrame {
    /// The parsed header.
    pub header: PzfHeader,
    /// The pixels.
    pub data: PzfData,
}

impl PzfFrame {
    /// (Width, Height, Depth).
    pub fn shape(&self) -> [usize; 3] {
        self.header.shape()
    }

    /// The element order of `data`.
    pub fn order(&self) -> DimOrder {
        self.header.dim_order
    }
}

/// Reads a PZF frame of any Version (1 to 3), data format, compression and quantization.
///
/// Quantized frames are dequantized as `loads` does (float32, truncated), except that values
/// outside `0..=65535` saturate instead of wrapping: see [`dequant::dequant_table`].
///
/// # Errors
/// - Everything [`PzfHeader::parse`] returns.
/// - [`PzfError::ShapeOverflow`] if the frame's size does not fit in `usize`.
/// - [`PzfError::PayloadSizeMismatch`] if a raw payload is not exactly the frame's size.
/// - [`PzfError::PayloadTooShort`] if a Huffman stream cannot hold the frame's symbols
///   ([`stream::max_symbols`]): checked before anything is allocated.
/// - [`PzfError::Stream`] if a Huffman stream is damaged, ends early, or goes on after the
///   frame's last code ([`crate::Error::StreamEndMismatch`]: PYME's writer ends it there, so
///   bytes after it are damage; PYME's `loads` ignores them).
/// - [`PzfError::ChunkTableTruncated`], [`PzfError::NoChunks`], [`PzfError::ChunkTruncated`],
///   [`PzfError::ChunkSizeMismatch`] for a damaged chunked payload.
pub fn decode(bytes: &[u8]) -> Result<PzfFrame, PzfError> {
    let header = PzfHeader::parse(bytes)?;
    let n = header.pixel_count()?;
    let payload = &bytes[header.data_offset as usize..];
    let is_chunked = header.compression == Compression::HuffmanChunked;
    let data = if header.quantization == Quantization::Sqrt {
        // The header check admits sqrt quantization only with a Huffman payload.
        let table = dequant::dequant_table(header.quant_offset, header.quant_scale);
        PzfData::U16(symbols_mapped(payload, is_chunked, n, &table)?)
    } else {
        let len = n * header.data_format.itemsize();
        let bytes = match header.compression {
            Compression::Raw => {
                if payload.len() != len {
                    return Err(PzfError::PayloadSizeMismatch {
                        expected: len,
                        found: payload.len(),
                    });
                }
                payload.to_vec()
            }
            _ => symbols_mapped(payload, is_chunked, len, &IDENTITY)?,
        };
        typed(header.data_format, bytes)
    };
    Ok(PzfFrame { header, data })
}

/// Reads the stored symbols of a quantized frame, without dequantizing: what the quantizer
/// wrote, one byte per pixel in DimOrder.
///
/// # Errors
/// As [`decode`]; and [`PzfError::NotQuantized`] for a frame that is not quantized.
pub fn decode_symbols(bytes: &[u8]) -> Result<(PzfHeader, Vec<u8>), PzfError> {
    let header = PzfHeader::parse(bytes)?;
    if header.quantization != Quantization::Sqrt {
        return Err(PzfError::NotQuantized);
    }
    let n = header.pixel_count()?;
    let payload = &bytes[header.data_offset as usize..];
    // The header check admits sqrt quantization only with a Huffman payload.
    let is_chunked = header.compression == Compression::HuffmanChunked;
    let symbols = symbols_mapped(payload, is_chunked, n, &IDENTITY)?;
    Ok((header, symbols))
}

/// Decodes `n` symbols of a Huffman payload (one stream, or a chunk table when `is_chunked`) as
/// `values[symbol]`, having checked that the payload can hold them before allocating.
fn symbols_mapped<T: Copy + Default + Send + Sync>(
    payload: &[u8],
    is_chunked: bool,
    n: usize,
    values: &[T; 256],
) -> Result<Vec<T>, PzfError> {
    if is_chunked {
        // The chunk table's sizes are checked against the payload before anything is allocated.
        chunked::split(payload, n)?;
    } else {
        check_holds(payload, n)?;
    }
    let mut out = vec![T::default(); n];
    symbols_mapped_into(payload, is_chunked, &mut out, values)?;
    Ok(out)
}

/// [`symbols_mapped`] into `out` (its length is the symbol count).
pub(super) fn symbols_mapped_into<T: Copy + Send + Sync>(
    payload: &[u8],
    is_chunked: bool,
    out: &mut [T],
    values: &[T; 256],
) -> Result<(), PzfError> {
    if is_chunked {
        let mut at = 0;
        for chunk in chunked::split(payload, out.len())? {
            let slot = &mut out[at..at + chunk.symbols];
            stream::decode_mapped_with(chunk.stream, slot, values, End::Exact)?;
            at += chunk.symbols;
        }
        return Ok(());
    }
    check_holds(payload, out.len())?;
    // The frame is all the payload holds: it ends with the last code, quantized or not.
    stream::decode_mapped_with(payload, out, values, End::Exact)?;
    Ok(())
}

/// A stream of `payload`'s length can code `n` symbols.
fn check_holds(payload: &[u8], n: usize) -> Result<(), PzfError> {
    let max = max_symbols(payload.len());
    if n > 0 && n as u64 > max {
        return Err(PzfError::PayloadTooShort {
            symbols: n as u64,
            payload_bytes: payload.len(),
            max_symbols: max,
        });
    }
    Ok(())
}

fn typed(format: DataFormat, bytes: Vec<u8>) -> PzfData {
    match format {
        DataFormat::U8 => PzfData::U8(bytes),
        DataFormat::U16 => PzfData::U16(
            bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect(),
        ),
        DataFormat::F32 => PzfData::F32(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ),
    }
}
