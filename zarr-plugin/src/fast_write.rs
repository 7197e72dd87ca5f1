//! Writing a whole array, or a region of it, fast: every chunk gathered from the caller's
//! buffer, encoded and stored in parallel.
//!
//! [`Array::store_array_subset`] splits the input into chunk buffers before it encodes them;
//! [`write_region`] gathers each chunk's rows from the caller's slice on the thread that
//! then encodes and stores it ([`Array::store_chunk`] for chunks wholly inside the region,
//! [`Array::store_chunk_subset`], zarrs's read-modify-write, for the others), chunks in
//! parallel on the current rayon pool. Chunks that hold only the fill value are handled as
//! zarrs handles them (by default not stored).

use bytemuck::Pod;
use rayon::prelude::*;
use zarrs::array::codec::api::CodecError;
use zarrs::array::{Array, ArrayBytes, ArrayError, ArraySubset};
use zarrs::storage::ReadableWritableStorageTraits;

use crate::region_error::{check_element, check_region, RegionBufferError, RegionChunkError};
use crate::RegionWriteError;

/// Stores `data`, the caller's bytes (the region's elements in C order, this machine's byte
/// order: what [`crate::read_region_bytes_into`] reads), as `subset` of `array`, chunks encoded
/// in parallel. Memory besides `data`: one chunk's bytes per chunk in flight.
///
/// # Errors
/// - [`RegionWriteError::Chunk`] with the chunk's key when a chunk fails to encode or store
///   (if several fail, one of them); the codec's typed error is in its source chain
///   ([`crate::find_source`]).
/// - [`RegionWriteError::Buffer`] when `subset` does not fit the array, `data` is not the
///   region's size, or the data type has no fixed size.
pub fn write_region_bytes<TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    data: &[u8],
) -> Result<(), RegionWriteError>
where
    TStorage: ?Sized + ReadableWritableStorageTraits + 'static,
{
    let elem = check_region(array, subset, data.len(), true)?;
    if data.is_empty() {
        return Ok(());
    }
    let outside = || RegionBufferError::OutsideArray {
        region: subset.to_ranges(),
        array_shape: array.shape().to_vec(),
    };
    let grid = array
        .chunks_in_array_subset(subset)
        .ok()
        .flatten()
        .ok_or_else(outside)?;
    let chunks: Vec<Vec<u64>> = grid.indices().into_iter().map(|i| i.to_vec()).collect();
    chunks.par_iter().try_for_each(|indices| {
        write_chunk(array, subset, indices, data, elem)
            .map_err(|e| RegionChunkError::new(array, indices, e).into())
    })
}

/// [`write_region_bytes`] from the caller's elements. `T`'s size must be the data type's; a
/// `T` of one byte (`u8`) gives the region's bytes whatever the data type, as
/// [`write_region_bytes`].
///
/// # Errors
/// As [`write_region_bytes`]; also [`RegionBufferError::ElementSize`] if `T`'s size is
/// neither the data type's nor 1.
pub fn write_region<T, TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    data: &[T],
) -> Result<(), RegionWriteError>
where
    T: Pod,
    TStorage: ?Sized + ReadableWritableStorageTraits + 'static,
{
    check_element::<T, _>(array, true)?;
    write_region_bytes(array, subset, bytemuck::cast_slice(data))
}

#[doc(hidden)]
pub use write_region_bytes as write_region_from;

fn write_chunk<TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    indices: &[u64],
    data: &[u8],
    elem: usize,
) -> Result<(), ArrayError>
where
    TStorage: ?Sized + ReadableWritableStorageTraits + 'static,
{
    let chunk = array.chunk_subset(indices)?;
    let overlap = chunk.overlap(subset)?;
    let bytes = gather(data, subset, &overlap, elem).ok_or_else(|| {
        ArrayError::from(CodecError::Other(
            "chunk does not fit in the region's data".to_string(),
        ))
    })?;
    if overlap == chunk {
        array.store_chunk(indices, ArrayBytes::new_flen(bytes))
    } else {
        array.store_chunk_subset(
            indices,
            &overlap.relative_to(chunk.start())?,
            ArrayBytes::new_flen(bytes),
        )
    }
}

/// The elements of `part` (array coordinates, inside `region`) out of the region's C-order
/// bytes `data`, in C order.
fn gather(data: &[u8], region: &ArraySubset, part: &ArraySubset, elem: usize) -> Option<Vec<u8>> {
    let n_dims = region.dimensionality();
    let last = n_dims - 1;
    let shape = part.shape();
    let len = usize::try_from(part.num_elements())
        .ok()?
        .checked_mul(elem)?;
    let mut out = Vec::with_capacity(len);
    if len == 0 {
        return Some(out);
    }
    let mut strides = vec![1u64; n_dims];
    for d in (0..last).rev() {
        strides[d] = strides[d + 1] * region.shape()[d + 1];
    }
    let row = usize::try_from(shape[last]).ok()?.checked_mul(elem)?;
    let mut idx = vec![0u64; last];
    loop {
        let element: u64 = (0..n_dims)
            .map(|d| {
                (part.start()[d] - region.start()[d] + idx.get(d).copied().unwrap_or(0))
                    * strides[d]
            })
            .sum();
        let from = usize::try_from(element).ok()?.checked_mul(elem)?;
        out.extend_from_slice(data.get(from..from.checked_add(row)?)?);
        let mut d = last;
        loop {
            if d == 0 {
                return Some(out);
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}
