//! The `pymecompress-quant16` array-to-bytes codec, for `uint16` arrays.
//!
//! Each value is quantized to `round(sqrt(x - offset) / scale)` (one byte, saturating at 255),
//! the symbols are Huffman coded, and a 4-byte little-endian trailer holds the value count.
//! Decoding restores `(q * scale)^2 + offset`, truncated to `uint16`.
//!
//! ### Codec `name` (Zarr V3)
//! - `numcodecs.pymecompress-quant16`
//!
//! ### Codec `id` (Zarr V2)
//! - `pymecompress-quant16`. In Zarr V2 it is the array's `compressor`, yet it works on values,
//!   not bytes: zarrs 0.23 lets a V2 compressor that creates an array-to-bytes codec take the
//!   place of the implicit `bytes` codec, which is what happens here.
//!
//! ### Codec `configuration` - [`HuffmanQuant16CodecConfiguration`]
//! ```rust
//! # let json = r#"
//! {
//!     "offset": 100,
//!     "scale": 1
//! }
//! # "#;
//! # use zarrs_pymecompress::HuffmanQuant16CodecConfiguration;
//! # let configuration: HuffmanQuant16CodecConfiguration = serde_json::from_str(json).unwrap();
//! # assert_eq!(serde_json::to_string(&configuration).unwrap(), r#"{"offset":100,"scale":1}"#);
//! ```
//! Both fields are optional (defaults 0 and 1, as in the reference); any other field is refused.
//!
//! ### Data types
//! `uint16` only. Any other data type is refused with
//! [`CodecError::UnsupportedDataType`](zarrs::array::codec::api::CodecError::UnsupportedDataType),
//! whose message names the data type and the codec.

mod huffman_quant16_codec;
mod huffman_quant16_configuration;

use std::sync::Arc;

pub use huffman_quant16_codec::HuffmanQuant16Codec;
pub use huffman_quant16_configuration::HuffmanQuant16CodecConfiguration;
use zarrs::array::codec::api::{Codec, CodecPluginV2, CodecPluginV3, CodecTraitsV2, CodecTraitsV3};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::v3::MetadataV3;
use zarrs::plugin::PluginCreateError;

/// The Zarr V2 `id` of the codec, as numcodecs registers it.
pub const HUFFMAN_QUANT16_ID_V2: &str = "pymecompress-quant16";
/// The Zarr V3 `name` of the codec, numcodecs' V2 id behind the `numcodecs.` prefix.
pub const HUFFMAN_QUANT16_NAME_V3: &str = "numcodecs.pymecompress-quant16";

zarrs::plugin::impl_extension_aliases!(HuffmanQuant16Codec, v3: "numcodecs.pymecompress-quant16", v2: "pymecompress-quant16");

inventory::submit! {
    CodecPluginV3::new::<HuffmanQuant16Codec>()
}

inventory::submit! {
    CodecPluginV2::new::<HuffmanQuant16Codec>()
}

impl CodecTraitsV3 for HuffmanQuant16Codec {
    fn create(metadata: &MetadataV3) -> Result<Codec, PluginCreateError> {
        let configuration: HuffmanQuant16CodecConfiguration = metadata.to_typed_configuration()?;
        let codec = HuffmanQuant16Codec::new_with_configuration(configuration);
        Ok(Codec::ArrayToBytes(Arc::new(codec)))
    }
}

impl CodecTraitsV2 for HuffmanQuant16Codec {
    fn create(metadata: &MetadataV2) -> Result<Codec, PluginCreateError> {
        let configuration: HuffmanQuant16CodecConfiguration = metadata.to_typed_configuration()?;
        let codec = HuffmanQuant16Codec::new_with_configuration(configuration);
        Ok(Codec::ArrayToBytes(Arc::new(codec)))
    }
}
