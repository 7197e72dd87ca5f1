//! Writing an array's metadata the way every reader takes it: the one place the CLI and the
//! `pymecompress-pyme` crate (OME images, from the CLI and from Python) store an output
//! array's metadata.
//!
//! Two departures from zarrs's own `store_metadata`: no `_zarrs` attribute (zarrs's
//! advertisement, which would make two writers of the same array differ), and on Zarr v3 every
//! codec entry written as an object. zarrs writes a codec without configuration (`crc32c`) as
//! its bare name, which the v3 spec allows but zarr-python 3 refuses (`Expected dict, got
//! str`), and so does the sharding codec for its inner chains.

use std::io;
use std::sync::Arc;

use serde_json::Value;
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataOptions};
use zarrs::storage::{StorageError, WritableStorageTraits};

/// Writes `array`'s metadata without zarrs's `_zarrs` attribute, every v3 codec as an object.
///
/// # Errors
/// The store refuses the write, or (never for metadata zarrs built) the document does not
/// serialize.
pub fn store_array_metadata<T>(array: &Array<T>) -> Result<(), StorageError>
where
    T: ?Sized + WritableStorageTraits + 'static,
{
    let options = ArrayMetadataOptions::default().with_include_zarrs_metadata(false);
    match array.metadata_opt(&options) {
        ArrayMetadata::V2(_) => array.store_metadata_opt(&options),
        ArrayMetadata::V3(metadata) => {
            let json = |e: serde_json::Error| StorageError::IOError(Arc::new(io::Error::other(e)));
            let mut document = serde_json::to_value(&metadata).map_err(json)?;
            codecs_as_objects(&mut document);
            let bytes = serde_json::to_vec_pretty(&document).map_err(json)?;
            array
                .storage()
                .set(&zarrs::node::meta_key_v3(array.path()), bytes.into())
        }
    }
}

/// Rewrites every codec given by its bare name (`"crc32c"`) as `{"name": "crc32c"}`, in the
/// array's chain and in the chains nested in codec configurations (`codecs`, `index_codecs` of
/// `sharding_indexed`).
fn codecs_as_objects(document: &mut Value) {
    fn chain(codecs: &mut Value) {
        let Value::Array(codecs) = codecs else {
            return;
        };
        for codec in codecs {
            if let Value::String(name) = codec {
                *codec = serde_json::json!({ "name": name });
            }
            if let Some(Value::Object(configuration)) = codec.get_mut("configuration") {
                for key in ["codecs", "index_codecs"] {
                    if let Some(inner) = configuration.get_mut(key) {
                        chain(inner);
                    }
                }
            }
        }
    }
    if let Some(codecs) = document.get_mut("codecs") {
        chain(codecs);
    }
}
