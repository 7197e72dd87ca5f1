//! The pymecompress codecs as [`zarrs`] 0.23 codecs: read and write, bit for bit, the zarr
//! stores python-microscopy's `pymecompress` writes.
//!
//! | codec | kind | Zarr V2 `id` | Zarr V3 `name` | configuration |
//! |---|---|---|---|---|
//! | [`HuffmanCodec`] | bytes to bytes | `pymecompress-huffman` | `numcodecs.pymecompress-huffman` | `{}` |
//! | [`HuffmanQuant16Codec`] | array to bytes, `uint16` only | `pymecompress-quant16` | `numcodecs.pymecompress-quant16` | `{"offset": number, "scale": number}` |
//! | [`PymePzfCodec`] | array to bytes, `uint8`/`uint16`/`float32` | `pyme-pzf` | `numcodecs.pyme-pzf` | optional `compression`, `quantization`, `offset`, `scale` |
//!
//! # Registration
//! The three codecs register themselves with zarrs's plugin registry, so linking this crate is all
//! a program needs to open pymecompress stores with plain [`zarrs::array::Array::open`]:
//! ```
//! use zarrs_pymecompress as _;
//! ```
//! The registration is an [`inventory`] static in this crate, and the linker keeps it only if
//! the crate is linked at all. rustc links a dependency only when the code names it: a crate
//! listed in `Cargo.toml` but never named is left out, and then the codecs are unknown
//! (`Array::open` fails with "codec pymecompress-huffman is not supported"; the test target
//! `tests/registration.rs` fails exactly so without its `use` line). The remedy is the `use`
//! line above, or naming any item of the crate. See the [`inventory`] documentation for the
//! platforms its registration supports.
//!
//! # Errors keep their types
//! zarrs 0.23 has no error variant for a plugin's own error, so our codecs hand zarrs a
//! `CodecError::IOError` whose text is the codec's name and whose `source()` is the typed
//! error: [`pymecompress_codecs::Error`], [`pymecompress_codecs::pzf::PzfError`] or
//! [`PymePzfChunkError`]. Walk `source()` from any error zarrs or this crate returns (or call
//! [`find_source`]) to match on it; print the whole chain to see it. The region reads and
//! writes name the chunk (`chunk [0, 30] (key image/0.30)`) and keep zarrs's error as source.
//!
//! # Crate features
//! - `filesystem` (default): [`AtomicFilesystemStore`] and `PymeTileStore::open_dir`, through
//!   zarrs's `filesystem` feature.
//! - `tile-store` (default): [`PymeTileStore`].
//!
//! Nothing else of zarrs is turned on: no zarrs codec (blosc, zstd, ...) is built because of
//! this crate. Turn on what your program uses in its own `zarrs` dependency.
//!
//! # Atomic chunk writes
//! [`AtomicFilesystemStore`] wraps zarrs's filesystem store so that every chunk and metadata
//! write goes to a temporary file that is flushed and renamed over the key: a process reading
//! the store while another writes it sees each chunk old, new or missing, never torn.
//!
//! # Data types
//! `pymecompress-quant16` codes `uint16` values only. zarrs 0.23 builds a codec from its
//! metadata alone, without the array's data type, and does not check the codec chain when it
//! opens or builds an array, so with plain `Array::open` a `float32` array with this codec opens
//! and the first chunk read or write fails. [`check_array`] makes the check at open or create
//! time; [`open_array`] opens and checks. Both fail with a message that names the data type
//! and the codec: "Unsupported data type float32 for codec numcodecs.pymecompress-quant16".
//!
//! # Converting V2 metadata to V3
//! zarrs's [`zarrs::convert::array_metadata_v2_to_v3`] puts a `bytes` codec in front of any V2
//! compressor it does not know to be array-to-bytes, which for quant16 gives a chain that does
//! not open; [`array_metadata_v2_to_v3`] is the same conversion with that fixed.
//!
//! # Reading what the reference writes
//! - Huffman over multi-byte data types: the reference writes the element count as the trailer
//!   and then cannot read its own stores; we read them (zarrs tells us the chunk's byte size).
//! - quant16: the reference codes twice as many symbols as there are values (the second half
//!   from memory past the buffer); we decode the first N, which is the data.
//! - quant16 with `scale != 1`: the reference's decoder computes `q*q/scale + offset` instead of
//!   `(q*scale)^2 + offset`. The stored symbols are right; we decode them with the correct
//!   formula, so our values differ from what zarr-python + pymecompress returns for those
//!   stores (theirs are wrong). See `docs/compatibility.md`.
//!
//! # Example
//! Write and read back a `uint16` array with [`HuffmanQuant16Codec`] (Zarr V3, in memory):
//! ```
//! use std::sync::Arc;
//! use pymecompress_codecs::QuantParams;
//! use zarrs::array::{data_type, ArrayBuilder, ArraySubset};
//! use zarrs::storage::store::MemoryStore;
//! use zarrs_pymecompress::HuffmanQuant16Codec;
//!
//! let store = Arc::new(MemoryStore::new());
//! let codec = HuffmanQuant16Codec::new(QuantParams::new(100.0, 1.0)?);
//! let array = ArrayBuilder::new(vec![64, 64], vec![32, 32], data_type::uint16(), 0u16)
//!     .array_to_bytes_codec(Arc::new(codec))
//!     .build(store.clone(), "/frames")?;
//! zarrs_pymecompress::check_array(&array)?;
//! array.store_metadata()?;
//!
//! let frame: Vec<u16> = (0..64 * 64).map(|i| 100 + (i % 50) as u16).collect();
//! array.store_array_subset(&ArraySubset::new_with_shape(vec![64, 64]), frame.clone())?;
//!
//! let back: Vec<u16> = array.retrieve_array_subset(&ArraySubset::new_with_shape(vec![64, 64]))?;
//! // Values 100..=101 come back exactly; larger ones within the quantizer's bound.
//! let params = QuantParams::new(100.0, 1.0)?;
//! for (&x, &y) in frame.iter().zip(&back) {
//!     assert!(f64::from(x.abs_diff(y)) <= params.max_error(x));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "filesystem")]
mod atomic_store;
mod check;
mod codec_common;
mod convert;
mod error;
mod fast_read;
mod fast_write;
mod huffman;
mod huffman_quant16;
mod locate;
mod metadata;
mod pyme_pzf;
mod region_error;
mod scratch;
#[cfg(feature = "tile-store")]
mod tile_store;

#[cfg(feature = "filesystem")]
pub use atomic_store::{AtomicFilesystemStore, TEMP_PREFIX as ATOMIC_TEMP_PREFIX};
pub use check::{check_array, open_array, OpenError};
pub use convert::array_metadata_v2_to_v3;
pub use error::find_source;
#[doc(hidden)]
pub use fast_read::read_region_elements_into;
pub use fast_read::{read_region, read_region_bytes_into, read_region_into, RegionBuffer};
#[doc(hidden)]
pub use fast_write::write_region_from;
pub use fast_write::{write_region, write_region_bytes};
pub use huffman::{HuffmanCodec, HUFFMAN_ID_V2, HUFFMAN_NAME_V3};
pub use huffman_quant16::{
    HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration, HUFFMAN_QUANT16_ID_V2,
    HUFFMAN_QUANT16_NAME_V3,
};
pub use locate::{first_failing_chunk, retrieve_array_subset_naming_chunk};
pub use metadata::store_array_metadata;
pub use pyme_pzf::{
    PymePzfChunkError, PymePzfCodec, PymePzfCodecConfiguration, PymePzfCompression,
    PymePzfConfigurationError, PymePzfQuantization, PYME_PZF_ID_V2, PYME_PZF_NAME_V3,
};
pub use pymecompress_codecs;
pub use region_error::{RegionBufferError, RegionChunkError, RegionReadError, RegionWriteError};
/// The JSON number type the quant16 configuration keeps its numbers in
/// ([`HuffmanQuant16CodecConfiguration::from_numbers`]), re-exported so that callers need not
/// depend on `serde_json` themselves.
pub use serde_json::Number;
#[cfg(feature = "tile-store")]
pub use tile_store::{PymeTileSpec, PymeTileStore, TileStoreError, PYME_DEFAULT_KEY_SCHEMA};
