#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The pure-Rust core: streams, chunk framing and the quantizer (crate `pymecompress-codecs`).
pub use pymecompress_codecs as codecs;
/// The zarrs codecs (crate `zarrs-pymecompress`). Linking it registers them with zarrs.
pub use zarrs_pymecompress as zarr;

pub use pymecompress_codecs::{huffman, quant16, stream, Error, QuantParams};

pub mod npy;
pub mod synth;
