//! Coding many chunks at once on rayon's thread pool, for pipelines that handle chunks
//! themselves (zarrs already runs chunks in parallel when it reads or writes an array).
//!
//! Every function returns the outputs in input order, or the error of the failing chunk with
//! the lowest index (whichever thread saw a failure first), with that index.
//!
//! ```
//! use pymecompress_codecs::{batch, QuantParams, Quant16Codec};
//!
//! // Perfect squares survive quantization at offset 0, scale 1 unchanged.
//! let frames: Vec<Vec<u16>> = (0..8).map(|k| vec![(10 + k) * (10 + k); 1024]).collect();
//! let codec = Quant16Codec::new(QuantParams::default());
//! let chunks = batch::quant16_encode_chunks(&codec, &frames)?;
//! let back = batch::quant16_decode_chunks(&codec, &chunks, 1024)?;
//! assert_eq!(back, frames);
//! # Ok::<(), pymecompress_codecs::batch::BatchError>(())
//! ```

use crate::{huffman, Error, Quant16Codec};
use rayon::prelude::*;

/// A chunk of a batch failed. Its message says which chunk; its source says what failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("chunk {index}")]
pub struct BatchError {
    /// Position of the chunk in the input slice.
    pub index: usize,
    /// What went wrong with it.
    #[source]
    pub source: Error,
}

fn run<I: Sync, O: Send>(
    inputs: &[I],
    f: impl Fn(&I) -> Result<O, Error> + Sync,
) -> Result<Vec<O>, BatchError> {
    // Every chunk is coded (a failure does not stop the others), so that the error returned
    // is the lowest index's whatever the threads' timing; rayon's `collect` into a `Result`
    // keeps whichever error came first in time.
    let results: Vec<Result<O, Error>> = inputs.par_iter().map(&f).collect();
    let mut outputs = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        outputs.push(result.map_err(|source| BatchError { index, source })?);
    }
    Ok(outputs)
}

/// Encodes byte chunks as `pymecompress-huffman` chunks, in parallel.
///
/// # Errors
/// - [`BatchError`] with [`Error::InputTooLarge`] for a chunk of more than
///   `u32::MAX` bytes.
pub fn huffman_encode_chunks<B: AsRef<[u8]> + Sync>(
    chunks: &[B],
) -> Result<Vec<Vec<u8>>, BatchError> {
    run(chunks, |chunk| huffman::encode(chunk.as_ref()))
}

/// Decodes `pymecompress-huffman` chunks that each hold `decoded_len` bytes (zarr chunks of
/// one array all have the same size), in parallel.
///
/// # Errors
/// - [`BatchError`] with any error of [`huffman::decode_into`].
pub fn huffman_decode_chunks<B: AsRef<[u8]> + Sync>(
    chunks: &[B],
    decoded_len: usize,
) -> Result<Vec<Vec<u8>>, BatchError> {
    run(chunks, |chunk| huffman::decode(chunk.as_ref(), decoded_len))
}

/// Quantizes and encodes `uint16` chunks as `pymecompress-quant16` chunks, in parallel. The
/// codec's tables are shared by all threads.
///
/// # Errors
/// - [`BatchError`] with [`Error::InputTooLarge`] for a chunk of more than
///   `u32::MAX` values.
pub fn quant16_encode_chunks<V: AsRef<[u16]> + Sync>(
    codec: &Quant16Codec,
    chunks: &[V],
) -> Result<Vec<Vec<u8>>, BatchError> {
    run(chunks, |chunk| codec.encode(chunk.as_ref()))
}

/// Decodes `pymecompress-quant16` chunks of `n_values` values each, in parallel.
///
/// # Errors
/// - [`BatchError`] with any error of [`Quant16Codec::decode`].
pub fn quant16_decode_chunks<B: AsRef<[u8]> + Sync>(
    codec: &Quant16Codec,
    chunks: &[B],
    n_values: usize,
) -> Result<Vec<Vec<u16>>, BatchError> {
    run(chunks, |chunk| codec.decode(chunk.as_ref(), n_values))
}
