//! Writing a whole array, or a region of it, fast: every chunk gathered from the caller's
//! buffer, encoded and stored in parallel.
//!
//! [`Array::store_array_subset`] splits the input into chunk buffers before it encodes them;
//! [`write_region_from`] gathers each chunk's rows from the caller's slice on the thread that
//! then encodes and stores it ([`Array::store_chunk`] for chunks wholly inside the region,
//! [`Array::store_chunk_subset`], zarrs's read-modify-write, for the others), chunks in
//! parallel on the current rayon pool. Chunks that hold only the fill value are handled as
//! zarrs handles them (by default not stored).

use rayon::prelude::*;
use zarrs::array::codec::api::{CodecError, InvalidBytesLengthError};
use zarrs::array::{Array, ArrayBytes, ArrayError, ArraySubset};
use zarrs::storage::ReadableWritableStorageTraits;

/// A region write that failed, with the chunk to blame when there is one.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", match chunk_key { Some(key) => format!("chunk {key}"), None => "region".to_string() })]
pub struct RegionWriteError {
    /// Store key of a chunk that failed to encode or store, or `None` if the region itself
    /// was refused.
    pub chunk_key: Option<String>,
    /// Grid indices of that chunk.
    pub chunk_indices: Option<Vec<u64>>,
    /// zarrs's error (boxed: it is large).
    #[source]
    pub source: Box<ArrayError>,
}

fn region_error(e: impl Into<ArrayError>) -> RegionWriteError {
    RegionWriteError {
        chunk_key: None,
        chunk_indices: None,
        source: Box::new(e.into()),
    }
}

/// Stores `data` (the region's elements in C order, this machine's byte order: what
/// [`crate::read_region_into`] reads) as `subset` of `array`, chunks encoded in parallel.
/// Memory besides `data`: one chunk's bytes per chunk in flight.
///
/// # Errors
/// [`RegionWriteError`]: with the chunk's key when a chunk fails to encode or store (if several
/// fail, one of them); without, when `subset` does not fit the array, `data` has the wrong
/// length, or the data type has no fixed size.
pub fn write_region_from<TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    data: &[u8],
) -> Result<(), RegionWriteError>
where
    TStorage: ?Sized + ReadableWritableStorageTraits + 'static,
{
    let elem = array.data_type().fixed_size().ok_or_else(|| {
        region_error(CodecError::Other(format!(
            "data type {} has no fixed size",
            array.data_type()
        )))
    })?;
    if subset.dimensionality() != array.dimensionality()
        || subset.dimensionality() == 0
        || !subset.inbounds_shape(array.shape())
    {
        return Err(region_error(ArrayError::InvalidArraySubset(
            subset.clone(),
            array.shape().to_vec(),
        )));
    }
    let expected = usize::try_from(subset.num_elements())
        .ok()
        .and_then(|n| n.checked_mul(elem));
    if expected != Some(data.len()) {
        return Err(region_error(CodecError::from(
            InvalidBytesLengthError::new(data.len(), expected.unwrap_or(usize::MAX)),
        )));
    }
    if data.is_empty() {
        return Ok(());
    }
    let Some(grid) = array.chunks_in_array_subset(subset).map_err(region_error)? else {
        return Err(region_error(ArrayError::InvalidArraySubset(
            subset.clone(),
            array.shape().to_vec(),
        )));
    };
    let chunks: Vec<Vec<u64>> = grid.indices().into_iter().map(|i| i.to_vec()).collect();
    chunks.par_iter().try_for_each(|indices| {
        write_chunk(array, subset, indices, data, elem).map_err(|e| RegionWriteError {
            chunk_key: Some(array.chunk_key(indices).as_str().to_string()),
            chunk_indices: Some(indices.clone()),
            source: Box::new(e),
        })
    })
}

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
