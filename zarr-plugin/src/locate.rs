//! Naming the chunk behind a failed read: zarrs reports what a codec found wrong, but a codec
//! never learns which chunk it was given.

use zarrs::array::{Array, ArrayBytes, ArrayError, ArraySubset, FromArrayBytes};
use zarrs::storage::ReadableStorageTraits;

use crate::region_error::{ranges, RegionChunkError};
use crate::RegionReadError;

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
/// [`RegionReadError::Chunk`] holding the key and error of the first chunk of `subset` that
/// fails to decode, or [`RegionReadError::Region`] with the region read's own error if no
/// single chunk fails.
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
            Some((indices, source)) => RegionChunkError::new(array, &indices, source).into(),
            None => RegionReadError::Region {
                region: ranges(subset),
                source: Box::new(region_error),
            },
        }
    })
}
