//! The `pymecompress-huffman` bytes-to-bytes codec.
//!
//! Huffman codes the chunk's bytes (every byte of every element, whatever the data type) and
//! appends a 4-byte little-endian trailer.
//!
//! ### Codec `name` (Zarr V3)
//! - `numcodecs.pymecompress-huffman`
//!
//! ### Codec `id` (Zarr V2)
//! - `pymecompress-huffman`
//!
//! ### Codec `configuration`
//! Empty: `{}`.
//!
//! ### Trailer
//! We write the chunk's byte count. The reference writes the element count, so that for
//! multi-byte data types its own decoder stops early and zarr-python cannot read the store back;
//! we read both, because zarrs tells a bytes-to-bytes codec how many bytes the chunk decodes to.

mod huffman_codec;

use std::sync::Arc;

pub use huffman_codec::HuffmanCodec;
use zarrs::array::codec::api::{Codec, CodecPluginV2, CodecPluginV3, CodecTraitsV2, CodecTraitsV3};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::v3::MetadataV3;
use zarrs::metadata::EmptyConfiguration;
use zarrs::plugin::PluginCreateError;

/// The Zarr V2 `id` of the codec, as numcodecs registers it.
pub const HUFFMAN_ID_V2: &str = "pymecompress-huffman";
/// The Zarr V3 `name` of the codec, numcodecs' V2 id behind the `numcodecs.` prefix.
pub const HUFFMAN_NAME_V3: &str = "numcodecs.pymecompress-huffman";

zarrs::plugin::impl_extension_aliases!(HuffmanCodec, v3: "numcodecs.pymecompress-huffman", v2: "pymecompress-huffman");

inventory::submit! {
    CodecPluginV3::new::<HuffmanCodec>()
}

inventory::submit! {
    CodecPluginV2::new::<HuffmanCodec>()
}

impl CodecTraitsV3 for HuffmanCodec {
    fn create(metadata: &MetadataV3) -> Result<Codec, PluginCreateError> {
        let _: EmptyConfiguration = metadata.to_typed_configuration()?;
        Ok(Codec::BytesToBytes(Arc::new(HuffmanCodec::new())))
    }
}

impl CodecTraitsV2 for HuffmanCodec {
    fn create(metadata: &MetadataV2) -> Result<Codec, PluginCreateError> {
        let _: EmptyConfiguration = metadata.to_typed_configuration()?;
        Ok(Codec::BytesToBytes(Arc::new(HuffmanCodec::new())))
    }
}
