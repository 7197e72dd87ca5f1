//! The `pyme-pzf` array-to-bytes codec: each chunk is one whole PZF frame, as in the tile
//! pyramids python-microscopy exposes to zarr-python through `PYME/IO/zarr_compat.py`.
//!
//! ### Codec `name` (Zarr V3)
//! - `numcodecs.pyme-pzf`
//!
//! ### Codec `id` (Zarr V2)
//! - `pyme-pzf`: the array's `compressor`, taking the place of the implicit `bytes` codec
//!   as `pymecompress-quant16` does.
//!
//! ### Codec `configuration` - [`PymePzfCodecConfiguration`]
//! ```rust
//! # let json = r#"
//! {
//!     "compression": "huffman",
//!     "quantization": "sqrt",
//!     "offset": 100,
//!     "scale": 1
//! }
//! # "#;
//! # use zarrs_pymecompress::PymePzfCodecConfiguration;
//! # let configuration: PymePzfCodecConfiguration = serde_json::from_str(json).unwrap();
//! ```
//! Every field is optional and steers only our writer; `{}` (what PYME writes) is lossless
//! Huffman. PYME's codec is read-only and ignores any field: each frame's header says how it
//! was coded, so PYME reads every frame we write.
//!
//! ### Data types
//! `uint8`, `uint16`, `float32` (PZF DataFormat 0, 1, 2); sqrt quantization `uint16` only.
//!
//! ### Chunk and frame shapes
//! Decoding reads every Version, compression and quantization `PZFFormat.loads` reads,
//! refusing a frame whose DataFormat is not the array's data type or whose shape does not fit
//! the chunk; the chunk's values in C order are the frame's pixels in stored order. Encoding
//! writes a `[1, T, T]` chunk as a (1, T, T) frame (PYME's tiles are (T, T, 1), which PYME's
//! own whole-chunk reads cannot broadcast). See `layout.rs` for what was measured.

mod chunk_error;
mod layout;
mod pyme_pzf_codec;
mod pyme_pzf_configuration;

use std::sync::Arc;

pub use chunk_error::PymePzfChunkError;
pub use pyme_pzf_codec::PymePzfCodec;
pub use pyme_pzf_configuration::{
    PymePzfCodecConfiguration, PymePzfCompression, PymePzfConfigurationError, PymePzfQuantization,
};
use zarrs::array::codec::api::{Codec, CodecPluginV2, CodecPluginV3, CodecTraitsV2, CodecTraitsV3};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::v3::MetadataV3;
use zarrs::plugin::PluginCreateError;

/// The Zarr V2 `id` of the codec, as PYME's `zarr_compat` registers it with numcodecs.
pub const PYME_PZF_ID_V2: &str = "pyme-pzf";
/// The Zarr V3 `name` of the codec, numcodecs' V2 id behind the `numcodecs.` prefix.
pub const PYME_PZF_NAME_V3: &str = "numcodecs.pyme-pzf";

zarrs::plugin::impl_extension_aliases!(PymePzfCodec, v3: "numcodecs.pyme-pzf", v2: "pyme-pzf");

inventory::submit! {
    CodecPluginV3::new::<PymePzfCodec>()
}

inventory::submit! {
    CodecPluginV2::new::<PymePzfCodec>()
}

impl CodecTraitsV3 for PymePzfCodec {
    fn create(metadata: &MetadataV3) -> Result<Codec, PluginCreateError> {
        let configuration: PymePzfCodecConfiguration = metadata.to_typed_configuration()?;
        let codec = PymePzfCodec::new_with_configuration(configuration);
        Ok(Codec::ArrayToBytes(Arc::new(codec)))
    }
}

impl CodecTraitsV2 for PymePzfCodec {
    fn create(metadata: &MetadataV2) -> Result<Codec, PluginCreateError> {
        let configuration: PymePzfCodecConfiguration = metadata.to_typed_configuration()?;
        let codec = PymePzfCodec::new_with_configuration(configuration);
        Ok(Codec::ArrayToBytes(Arc::new(codec)))
    }
}
