//! The `pymecompress-quant16` chunk: `uint16` values square-root quantized to one byte each,
//! Huffman coded, then a 4-byte little-endian trailer holding the value count.
//!
//! The reference quantizes twice as many values as the chunk holds (reading past its buffer)
//! and codes them all; the trailer still says N. We code exactly N symbols and, reading, stop
//! after N, so chunks from either writer decode the same.

use crate::framing::{push_trailer, split_trailer};
use crate::quant::{DequantTable, QuantParams, QuantTable};
use crate::{stream, Error};

/// Quantizes and encodes values into a chunk.
///
/// Builds the quantization table for `params`; to encode many chunks, build a
/// [`crate::Quant16Codec`] once instead.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn compress(values: &[u16], params: &QuantParams) -> Result<Vec<u8>, Error> {
    compress_with(values, &QuantTable::new(params))
}

/// [`compress`] with a prebuilt quantization table.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn compress_with(values: &[u16], table: &QuantTable) -> Result<Vec<u8>, Error> {
    let symbols = table.quantize_slice(values);
    let mut out = Vec::new();
    stream::encode_append(&symbols, &mut out)?;
    push_trailer(&mut out, values.len())?;
    Ok(out)
}

/// Decodes a chunk of `n_values` values.
///
/// # Errors
/// As [`decompress_into`].
pub fn decompress(chunk: &[u8], n_values: usize, params: &QuantParams) -> Result<Vec<u16>, Error> {
    let table = DequantTable::new(params);
    check_trailer(chunk, n_values)?;
    let mut out = vec![0u16; n_values];
    decompress_into_with(chunk, &mut out, &table)?;
    Ok(out)
}

/// Decodes a chunk into `out`, one value per element.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
/// - [`Error::TrailerMismatch`] if the trailer is not `out.len()`.
/// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
///   damaged stream, as [`stream::decode`].
pub fn decompress_into(chunk: &[u8], out: &mut [u16], params: &QuantParams) -> Result<(), Error> {
    decompress_into_with(chunk, out, &DequantTable::new(params))
}

/// [`decompress_into`] with a prebuilt dequantization table.
///
/// # Errors
/// As [`decompress_into`].
pub fn decompress_into_with(
    chunk: &[u8],
    out: &mut [u16],
    table: &DequantTable,
) -> Result<(), Error> {
    let stream = check_trailer(chunk, out.len())?;
    stream::decode_mapped_into(stream, out, table.values())
}

fn check_trailer(chunk: &[u8], n_values: usize) -> Result<&[u8], Error> {
    let (stream, trailer) = split_trailer(chunk)?;
    if trailer as usize == n_values {
        Ok(stream)
    } else {
        Err(Error::TrailerMismatch {
            trailer,
            expected_bytes: n_values.saturating_mul(2),
            itemsize: 2,
        })
    }
}
