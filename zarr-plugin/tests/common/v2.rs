//! Creating Zarr V2 arrays with zarrs (its `ArrayBuilder` builds V3 only).
#![allow(dead_code)]

use std::sync::Arc;

use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::ReadableWritableStorageTraits;

/// A C-order Zarr V2 array with `compressor` and no filters; its `.zarray` is written.
#[allow(clippy::too_many_arguments)]
pub fn create<T: ?Sized + ReadableWritableStorageTraits + 'static>(
    storage: Arc<T>,
    path: &str,
    shape: &[u64],
    chunks: &[u64],
    dtype: &str,
    fill_value: i64,
    compressor: MetadataV2,
    separator: ChunkKeySeparator,
) -> Array<T> {
    let metadata = ArrayMetadataV2::new(
        shape.to_vec(),
        chunks
            .iter()
            .map(|&c| std::num::NonZeroU64::new(c).unwrap())
            .collect(),
        dtype.into(),
        serde_json::Number::from(fill_value).into(),
        Some(compressor),
        None,
    )
    .with_dimension_separator(separator);
    let array = Array::new_with_metadata(storage, path, ArrayMetadata::V2(metadata)).unwrap();
    array.store_metadata().unwrap();
    array
}
