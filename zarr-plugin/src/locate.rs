//! Naming the chunk behind a failed read: zarrs reports what a codec found wrong, but a codec
//! never learns which chunk it was given.

use zarrs::array::{Array, ArrayBytes, ArrayError, ArraySubset, FromArrayBytes};
use zarrs::storage::ReadableStorageTraits;

/// A region read that failed, with the chunk to blame when one could be found.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", match chunk_key { Some(key) => format!("chunk {key}"), None => "region".to_string() })]
pub struct RegionReadError {
    /// Store key of the first chunk of the region that fails to decode on its own
    /// (`frames/1.2`, `c/1/2`), or `None` if only the region read failed.
    pub chunk_key: Option<String>,
    /// Grid indices of that chunk.
    pub chunk_indices: Option<Vec<u64>>,
    /// The chunk's own error if a chunk was found, else the region read's (boxed: zarrs's
    /// error is large).
    #[source]
    pub source: Box<ArrayError>,
}

/// Decodes the chunks of `subset` one by one; returns the indices and error of the first that
/// fails (missing chunks are fill value, not failures).
pub fn first_failing_chunk<TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
) -> Option<(Vec<u64>, ArrayError)>
where
    TStorage: ?Sized + ReadableStorageTraits + 'static,
{
    let chunks = array.chunks_in_array_subset(subset).ok()??;
    chunks.indices().into_iter().find_map(|indices| {
        array
            .retrieve_chunk_if_exists::<ArrayBytes<'static>>(&indices)
            .err()
            .map(|err| (indices.to_vec(), err))
    })
}

/// [`Array::retrieve_array_subset`], with failures naming the chunk that caused them.
///
/// # Errors
/// [`RegionReadError`] holding the key and error of the first chunk of `subset` that fails to
/// decode, or the region read's own error if no single chunk fails.
pub fn retrieve_array_subset_naming_chunk<T, TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
) -> Result<T, RegionReadError>
where
    T: FromArrayBytes,
    TStorage: ?Sized + ReadableStorageTraits + 'static,
{
    array.retrieve_array_subset(subset).map_err(|region_error| {
        match first_failing_chunk(array, subset) {
            Some((indices, source)) => RegionReadError {
                chunk_key: Some(array.chunk_key(&indices).as_str().to_string()),
                chunk_indices: Some(indices),
                source: Box::new(source),
            },
            None => RegionReadError {
                chunk_key: None,
                chunk_indices: None,
                source: Box::new(region_error),
            },
        }
    })
}
