//! Small codec values for pipelines that hold a codec and feed it chunks.

use crate::quant::{DequantTable, QuantParams, QuantTable};
use crate::{huffman, quant16, Error};
use std::sync::Arc;

/// The `pymecompress-huffman` codec. Stateless; see [`crate::huffman`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HuffmanCodec;

impl HuffmanCodec {
    /// See [`huffman::compress`].
    ///
    /// # Errors
    /// As [`huffman::compress`].
    pub fn encode(&self, input: &[u8]) -> Result<Vec<u8>, Error> {
        huffman::compress(input)
    }

    /// See [`huffman::decompress`].
    ///
    /// # Errors
    /// As [`huffman::decompress_into`].
    pub fn decode(
        &self,
        chunk: &[u8],
        decoded_len: usize,
        itemsize: usize,
    ) -> Result<Vec<u8>, Error> {
        huffman::decompress(chunk, decoded_len, itemsize)
    }

    /// See [`huffman::decompress_into`].
    ///
    /// # Errors
    /// As [`huffman::decompress_into`].
    pub fn decode_into(&self, chunk: &[u8], out: &mut [u8], itemsize: usize) -> Result<(), Error> {
        huffman::decompress_into(chunk, out, itemsize)
    }
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

    /// See [`quant16::compress`].
    ///
    /// # Errors
    /// As [`quant16::compress`].
    pub fn encode(&self, values: &[u16]) -> Result<Vec<u8>, Error> {
        quant16::compress_with(values, &self.quant)
    }

    /// See [`quant16::decompress`].
    ///
    /// # Errors
    /// As [`quant16::decompress_into`].
    pub fn decode(&self, chunk: &[u8], n_values: usize) -> Result<Vec<u16>, Error> {
        // Check the trailer before allocating, so a bad chunk costs nothing.
        quant16::check_trailer(chunk, n_values)?;
        let mut out = vec![0u16; n_values];
        self.decode_into(chunk, &mut out)?;
        Ok(out)
    }

    /// Decodes a chunk of `n_values` values into their native-endian bytes (`2 * n_values`),
    /// the layout of zarr array bytes, without an intermediate `u16` buffer.
    ///
    /// # Errors
    /// As [`quant16::decompress_into`], and [`Error::InputTooLarge`] if `2 * n_values`
    /// overflows `usize`.
    pub fn decode_ne_bytes(&self, chunk: &[u8], n_values: usize) -> Result<Vec<u8>, Error> {
        quant16::check_trailer(chunk, n_values)?;
        let n_bytes = n_values.checked_mul(2).ok_or(Error::InputTooLarge {
            len: n_values,
            max: usize::MAX / 2,
        })?;
        let mut out = vec![0u8; n_bytes];
        let (pairs, _) = out.as_chunks_mut::<2>();
        quant16::decompress_into_ne_bytes_with(chunk, pairs, &self.dequant)?;
        Ok(out)
    }

    /// See [`quant16::decompress_into`].
    ///
    /// # Errors
    /// As [`quant16::decompress_into`].
    pub fn decode_into(&self, chunk: &[u8], out: &mut [u16]) -> Result<(), Error> {
        quant16::decompress_into_with(chunk, out, &self.dequant)
    }
}
