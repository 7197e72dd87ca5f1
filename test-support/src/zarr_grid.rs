//! The chunk grid of a zarrs array, for the benchmark drivers that decode chunk by chunk.

use zarrs::array::{Array, ArraySubset};

/// The indices of every chunk that `subset` of `array` touches, in the grid's C order.
///
/// # Errors
/// zarrs's error for a subset of another dimensionality; a message for a grid that cannot
/// say which chunks a subset touches.
pub fn chunk_indices<T: ?Sized>(
    array: &Array<T>,
    subset: &ArraySubset,
) -> Result<Vec<Vec<u64>>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(array
        .chunks_in_array_subset(subset)?
        .ok_or("the chunk grid cannot say which chunks the subset touches")?
        .indices()
        .into_iter()
        .map(|i| i.to_vec())
        .collect())
}
