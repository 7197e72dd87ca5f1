//! The `pymecompress-quant16` chunk: `uint16` values square-root quantized to one byte each,
//! Huffman coded, then a 4-byte little-endian trailer holding the value count.
//!
//! The reference quantizes twice as many values as the chunk holds (reading past its buffer)
//! and codes them all; the trailer still says N. We code exactly N symbols and, reading, stop
//! after N, so chunks from either writer decode the same.
//!
//! [`Quant16Codec`] holds the tables of one configuration and carries the logic; the free
//! functions are conveniences that build one for a single call.
//!
//! Unlike the Huffman decoders, these never check that the stream ends with the N-th code
//! (`stream::End::Free`): the reference's chunks go on with N more codes.

use std::sync::Arc;

use rayon::prelude::*;

use crate::framing::{self, push_trailer, quant16_stream, stream_unsized};
use crate::quant::{DequantTable, QuantParams, QuantTable};
use crate::{encoder, stream, Error};

pub use crate::endian::Endian;

/// Quantizes and encodes values into a chunk, building the tables for `params`; to code many
/// chunks, build a [`Quant16Codec`] once instead.
///
/// # Errors
/// As [`Quant16Codec::encode`].
pub fn encode(values: &[u16], params: &QuantParams) -> Result<Vec<u8>, Error> {
    Quant16Codec::new(*params).encode(values)
}

/// Frames a bare stream of `n_values` quantized symbols (a quantized PZF payload, say) as a
/// `pymecompress-quant16` chunk: the stream, then the value count as trailer. The stream is
/// not decoded here: callers that move untrusted payloads decode the chunk once to prove it.
///
/// # Errors
/// - [`Error::InputTooLarge`] if `n_values` does not fit the 32-bit trailer.
pub fn frame_stream(stream: &[u8], n_values: usize) -> Result<Vec<u8>, Error> {
    framing::frame_stream(stream, n_values)
}

/// Decodes a chunk of `n_values` values.
///
/// # Errors
/// As [`Quant16Codec::decode_into`].
pub fn decode(chunk: &[u8], n_values: usize, params: &QuantParams) -> Result<Vec<u16>, Error> {
    decode_with(chunk, n_values, &DequantTable::new(params))
}

/// Decodes a chunk into `out`, one value per element.
///
/// # Errors
/// As [`Quant16Codec::decode_into`].
pub fn decode_into(chunk: &[u8], out: &mut [u16], params: &QuantParams) -> Result<(), Error> {
    decode_into_with(chunk, out, &DequantTable::new(params))
}

/// Decodes a chunk of as many values as its trailer says, when the caller does not know the
/// count, only a maximum; building the tables for `params` (see
/// [`Quant16Codec::decode_unsized`]).
///
/// # Errors
/// As [`Quant16Codec::decode_unsized`].
pub fn decode_unsized(
    chunk: &[u8],
    max_values: usize,
    params: &QuantParams,
) -> Result<Vec<u16>, Error> {
    Quant16Codec::new(*params).decode_unsized(chunk, max_values)
}

/// The trailer is checked before anything is allocated, so a bad chunk costs nothing.
fn decode_with(chunk: &[u8], n_values: usize, table: &DequantTable) -> Result<Vec<u16>, Error> {
    let stream = quant16_stream(chunk, n_values)?;
    stream::check_symbols(stream.len(), n_values)?;
    let mut out = vec![0u16; n_values];
    stream::decode_mapped_into(stream, &mut out, table.values())?;
    Ok(out)
}

fn decode_into_with(chunk: &[u8], out: &mut [u16], table: &DequantTable) -> Result<(), Error> {
    let stream = quant16_stream(chunk, out.len())?;
    stream::check_symbols(stream.len(), out.len())?;
    stream::decode_mapped_into(stream, out, table.values())
}

/// The `pymecompress-quant16` codec for one configuration, holding its quantization and
/// dequantization tables so they are built once, not per chunk. Cheap to clone and share
/// across threads.
#[derive(Clone, Debug)]
pub struct Quant16Codec {
    params: QuantParams,
    quant: Arc<QuantTable>,
    dequant: Arc<DequantTable>,
}

impl Quant16Codec {
    /// Builds the codec and its tables.
    pub fn new(params: QuantParams) -> Self {
        Self {
            params,
            quant: Arc::new(QuantTable::new(&params)),
            dequant: Arc::new(DequantTable::new(&params)),
        }
    }

    /// The configuration.
    pub fn params(&self) -> &QuantParams {
        &self.params
    }

    /// Quantizes and encodes values into a chunk. Chunks of 1 Mi values and more are coded in
    /// slices on the current rayon pool; the bytes are the same whatever the thread count.
    ///
    /// # Errors
    /// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
    pub fn encode(&self, values: &[u16]) -> Result<Vec<u8>, Error> {
        let mut out =
            self.encode_stream_sliced(values, |v| v, encoder::auto_slices(values.len()))?;
        push_trailer(&mut out, values.len())?;
        Ok(out)
    }

    /// [`Quant16Codec::encode`] for values given as bytes in `order`, at any alignment (zarr
    /// and numpy buffers need not be 2-byte aligned). The values are read in place: nothing is
    /// copied.
    ///
    /// # Errors
    /// - [`Error::OddByteLength`] if `bytes` has an odd length.
    /// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
    pub fn encode_bytes(&self, bytes: &[u8], order: Endian) -> Result<Vec<u8>, Error> {
        let mut out = self.encode_stream_bytes(bytes, order)?;
        push_trailer(&mut out, bytes.len() / 2)?;
        Ok(out)
    }

    /// [`Quant16Codec::encode_stream`] for values given as bytes in `order`, at any
    /// alignment, read in place.
    ///
    /// # Errors
    /// - [`Error::OddByteLength`] if `bytes` has an odd length.
    /// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
    pub fn encode_stream_bytes(&self, bytes: &[u8], order: Endian) -> Result<Vec<u8>, Error> {
        let pairs = as_pairs(bytes)?;
        self.encode_stream_sliced(
            pairs,
            move |pair| order.read(pair),
            encoder::auto_slices(pairs.len()),
        )
    }

    /// The Huffman stream of the quantized values, without the trailer: the payload of a
    /// quantized PZF frame and of `bcl.HuffmanCompressQuant`.
    ///
    /// # Errors
    /// - [`Error::InputTooLarge`] if there are more than `u32::MAX` values.
    pub fn encode_stream(&self, values: &[u16]) -> Result<Vec<u8>, Error> {
        self.encode_stream_sliced(values, |v| v, encoder::auto_slices(values.len()))
    }

    /// Quantizes `slices` slices of the values on the current rayon pool's threads and codes
    /// them; the stream is the same for any slice count.
    pub(crate) fn encode_stream_sliced<V: Copy + Sync>(
        &self,
        values: &[V],
        to_u16: impl Fn(V) -> u16 + Copy + Sync,
        slices: usize,
    ) -> Result<Vec<u8>, Error> {
        stream::check_input_len(values.len())?;
        let slice_len = encoder::slice_len(values.len(), slices);
        let mut symbols = vec![0u8; values.len()];
        let histograms: Vec<encoder::Histogram> = if values.len() <= slice_len {
            vec![self.quant.quantize_counted(values, to_u16, &mut symbols)]
        } else {
            values
                .par_chunks(slice_len)
                .zip(symbols.par_chunks_mut(slice_len))
                .map(|(v, s)| self.quant.quantize_counted(v, to_u16, s))
                .collect()
        };
        let mut out = Vec::new();
        encoder::encode_counted(&symbols, slice_len, &histograms, &mut out);
        Ok(out)
    }

    /// Decodes a chunk of `n_values` values. The trailer is checked before anything is
    /// allocated, so a bad chunk costs nothing.
    ///
    /// # Errors
    /// As [`Quant16Codec::decode_into`].
    pub fn decode(&self, chunk: &[u8], n_values: usize) -> Result<Vec<u16>, Error> {
        decode_with(chunk, n_values, &self.dequant)
    }

    /// Decodes a chunk of as many values as its trailer says (zarr gives a bytes-to-bytes
    /// codec no size; numcodecs' `decode(buf)` has none). The trailer is trusted only up to
    /// `max_values` and to what the stream can hold ([`stream::max_symbols`]), so no
    /// allocation is sized by an unchecked number.
    ///
    /// # Errors
    /// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
    /// - [`Error::TrailerTooLarge`] if the trailer exceeds either limit.
    /// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
    ///   damaged stream, as [`stream::decode`].
    pub fn decode_unsized(&self, chunk: &[u8], max_values: usize) -> Result<Vec<u16>, Error> {
        let (stream, n_values) = stream_unsized(chunk, max_values)?;
        let mut out = vec![0u16; n_values];
        stream::decode_mapped_into(stream, &mut out, self.dequant.values())?;
        Ok(out)
    }

    /// Decodes a chunk into `out`, one value per element.
    ///
    /// # Errors
    /// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
    /// - [`Error::ValueCountMismatch`] if the trailer is not `out.len()`.
    /// - [`Error::TooManySymbols`] if the stream cannot hold `out.len()` values.
    /// - [`Error::TreeTruncated`], [`Error::TreeTooLarge`], [`Error::StreamTruncated`] for a
    ///   damaged stream, as [`stream::decode`].
    pub fn decode_into(&self, chunk: &[u8], out: &mut [u16]) -> Result<(), Error> {
        decode_into_with(chunk, out, &self.dequant)
    }

    /// Decodes a chunk into `out` as the bytes of its values in `order`: the layout of zarr
    /// array bytes and numpy buffers, at any alignment, with no intermediate buffer.
    ///
    /// # Errors
    /// - [`Error::OddByteLength`] if `out` has an odd length.
    /// - Otherwise as [`Quant16Codec::decode_into`], with `out.len() / 2` values expected.
    pub fn decode_into_bytes(
        &self,
        chunk: &[u8],
        out: &mut [u8],
        order: Endian,
    ) -> Result<(), Error> {
        if !out.len().is_multiple_of(2) {
            return Err(Error::OddByteLength { len: out.len() });
        }
        let (pairs, _) = out.as_chunks_mut::<2>();
        let stream = quant16_stream(chunk, pairs.len())?;
        stream::check_symbols(stream.len(), pairs.len())?;
        stream::decode_mapped_into(stream, pairs, self.dequant.bytes(order))
    }
}

fn as_pairs(bytes: &[u8]) -> Result<&[[u8; 2]], Error> {
    let (pairs, rest) = bytes.as_chunks::<2>();
    if rest.is_empty() {
        Ok(pairs)
    } else {
        Err(Error::OddByteLength { len: bytes.len() })
    }
}
