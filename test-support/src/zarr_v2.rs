//! Zarr V2 arrays built with zarrs, whose `ArrayBuilder` builds V3 only.

use std::num::NonZeroU64;
use std::sync::Arc;

use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::ReadableWritableStorageTraits;

/// A C-order Zarr V2 array at `path` with `compressor` and no filters; its `.zarray` is
/// written.
///
/// # Panics
/// If zarrs refuses the metadata or cannot store it (a test helper).
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
            .map(|&c| NonZeroU64::new(c).expect("chunk sizes are positive"))
            .collect(),
        dtype.into(),
        serde_json::Number::from(fill_value).into(),
        Some(compressor),
        None,
    )
    .with_dimension_separator(separator);
    let array = Array::new_with_metadata(storage, path, ArrayMetadata::V2(metadata))
        .expect("valid V2 metadata");
    array.store_metadata().expect("metadata stored");
    array
}

/// The bytes stored in the chunk files of the array directory `dir` (metadata excluded).
///
/// # Panics
/// If the directory cannot be listed.
pub fn stored_chunk_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry"))
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .map(|entry| entry.metadata().expect("chunk metadata").len())
        .sum()
}
