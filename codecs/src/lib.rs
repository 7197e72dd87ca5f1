//! A pure-Rust, byte-compatible implementation of the codecs of python-microscopy's
//! `pymecompress`: the Huffman stream (`bcl.HuffmanCompress`), the square-root quantizer
//! (`HuffmanCompressQuant`), and the numcodecs chunk framing of `pymecompress-huffman` and
//! `pymecompress-quant16`.
//!
//! - [`stream`]: the raw stream, encoded byte-identically to the reference.
//! - [`huffman`] and [`quant16`]: whole zarr chunks (stream + 4-byte trailer). The framing
//!   rules (which trailer counts are accepted) live in one private module and are applied
//!   once per chunk; callers pass the chunk and its decoded size, never a trailer.
//! - [`QuantParams`] and [`Quant16Codec`]: the quantizer and a codec holding its tables.
//! - [`batch`]: many chunks at once on rayon's pool.
//!
//! Every operation is a verb pair, `encode` / `decode` (with `decode_into` writing into the
//! caller's buffer), at every level.
//!
//! Decoding never trusts a length found in the data: the caller says how much the chunk
//! decodes to, and a chunk that disagrees is an [`Error`], not an allocation.
//!
//! The module `testing` is hidden from these docs and is not public API: it holds the
//! straightforward oracle encoder and decoder the fast paths are tested against, and
//! functions that force a slice count. It is `pub` only because the integration tests, fuzz
//! targets and benchmarks are separate crates.
//!
//! ```
//! use pymecompress_codecs::{huffman, quant16, QuantParams};
//!
//! let bytes = b"photon photon photon";
//! let chunk = huffman::encode(bytes)?;
//! assert_eq!(huffman::decode(&chunk, bytes.len())?, bytes);
//!
//! let params = QuantParams::new(100.0, 1.0)?;
//! let frame = [100u16, 104, 109, 200, 1050];
//! let chunk = quant16::encode(&frame, &params)?;
//! // 1050 is stored as round(sqrt(950)) = 31 and restored as 31² + 100.
//! assert_eq!(quant16::decode(&chunk, frame.len(), &params)?, [100, 104, 109, 200, 1061]);
//! # Ok::<(), pymecompress_codecs::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
mod bits;
mod encoder;
mod endian;
mod error;
mod framing;
pub mod huffman;
mod multi_table;
pub mod pzf;
mod quant;
pub mod quant16;
pub mod stream;
#[doc(hidden)]
pub mod testing;
mod tree;

pub use endian::Endian;
pub use error::Error;
pub use framing::{MAX_OVERHEAD_BYTES, TRAILER_BYTES};
pub use quant::QuantParams;
pub use quant16::Quant16Codec;
