//! A pure-Rust, byte-compatible implementation of the codecs of python-microscopy's
//! `pymecompress`: the Huffman stream (`bcl.HuffmanCompress`), the square-root quantizer
//! (`HuffmanCompressQuant`), and the numcodecs chunk framing of `pymecompress-huffman` and
//! `pymecompress-quant16`.
//!
//! - [`stream`]: the raw stream, encoded byte-identically to the reference.
//! - [`huffman`] and [`quant16`]: whole zarr chunks (stream + 4-byte trailer).
//! - [`QuantParams`], [`QuantTable`], [`DequantTable`]: the quantizer.
//! - [`HuffmanCodec`], [`Quant16Codec`]: codec values holding their tables.
//!
//! Decoding never trusts a length found in the data: the caller says how much the chunk
//! decodes to, and a chunk that disagrees is an [`Error`], not an allocation.
//!
//! ```
//! use pymecompress_codecs::{huffman, quant16, QuantParams};
//!
//! let bytes = b"photon photon photon";
//! let chunk = huffman::compress(bytes)?;
//! assert_eq!(huffman::decompress(&chunk, bytes.len(), 1)?, bytes);
//!
//! let params = QuantParams::new(100.0, 1.0)?;
//! let frame = [100u16, 104, 109, 200, 1050];
//! let chunk = quant16::compress(&frame, &params)?;
//! // 1050 is stored as round(sqrt(950)) = 31 and restored as 31² + 100.
//! assert_eq!(quant16::decompress(&chunk, frame.len(), &params)?, [100, 104, 109, 200, 1061]);
//! # Ok::<(), pymecompress_codecs::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bits;
mod codec;
mod encoder;
mod error;
mod framing;
pub mod huffman;
mod multi_table;
pub mod pzf;
mod quant;
pub mod quant16;
pub mod stream;
mod tree;

pub use codec::{HuffmanCodec, Quant16Codec};
pub use error::Error;
pub use framing::{split_trailer, TRAILER_BYTES};
pub use quant::{DequantTable, QuantParams, QuantTable};
