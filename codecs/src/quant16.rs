//! The `pymecompress-quant16` chunk: `uint16` values square-root quantized to one byte each,
//! Huffman coded, then a 4-byte little-endian trailer holding the value count.
//!
//! The reference quantizes twice as many values as the chunk holds (reading past its buffer)
//! and codes them all; the trailer still says N. We code exactly N symbols and, reading, stop
//! after N, so chunks from either writer decode the same.

use crate::framing::{push_trailer, split_trailer};
use crate::quant::{DequantTable, QuantParams, QuantTable};
use crate::{encoder, stream, Error};
use rayon::prelude::*;

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
    compress_sliced(values, table, encoder::auto_slices(values.len()))
}

/// [`compress_with`], quantizing and coding `slices` slices of the values on the current rayon
/// pool's threads. The chunk is byte-identical to [`compress_with`]'s for any slice count.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn compress_parallel(
    values: &[u16],
    table: &QuantTable,
    slices: usize,
) -> Result<Vec<u8>, Error> {
    compress_sliced(values, table, slices)
}

fn compress_sliced(values: &[u16], table: &QuantTable, slices: usize) -> Result<Vec<u8>, Error> {
    stream::check_input_len(values.len())?;
    let slice_len = encoder::slice_len(values.len(), slices);
    let mut symbols = vec![0u8; values.len()];
    let histograms: Vec<encoder::Histogram> = if values.len() <= slice_len {
        vec![table.quantize_counted(values, &mut symbols)]
    } else {
        values
            .par_chunks(slice_len)
            .zip(symbols.par_chunks_mut(slice_len))
            .map(|(v, s)| table.quantize_counted(v, s))
            .collect()
    };
    let mut out = Vec::new();
    encoder::encode_counted(&symbols, slice_len, &histograms, &mut out);
    push_trailer(&mut out, values.len())?;
    Ok(out)
}

/// The straightforward quantizing encoder, quantizing then coding with
/// [`stream::encode_simple`]. The fast encoder is tested against it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
pub fn compress_simple(values: &[u16], params: &QuantParams) -> Result<Vec<u8>, Error> {
    let symbols: Vec<u8> = values.iter().map(|&v| params.quantize(v)).collect();
    let mut out = stream::encode_simple(&symbols)?;
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

/// [`decompress_into_with`] writing each value as native-endian bytes: the layout of zarr
/// array bytes, with no alignment requirement on the buffer.
///
/// # Errors
/// As [`decompress_into`].
pub fn decompress_into_ne_bytes_with(
    chunk: &[u8],
    out: &mut [[u8; 2]],
    table: &DequantTable,
) -> Result<(), Error> {
    let stream = check_trailer(chunk, out.len())?;
    stream::decode_mapped_into(stream, out, table.ne_bytes())
}

/// Validates the trailer against the expected value count; returns the stream.
pub(crate) fn check_trailer(chunk: &[u8], n_values: usize) -> Result<&[u8], Error> {
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
