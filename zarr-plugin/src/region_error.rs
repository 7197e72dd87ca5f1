//! The errors of the region reads and writes. Each says where (the chunk, the region, the
//! caller's buffer); the source, when there is one, says what (zarrs's error, and behind it the
//! codec's typed error: see [`crate::find_source`]).

use std::ops::Range;

use zarrs::array::{ArrayError, ArraySubset};

/// A region read that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegionReadError {
    /// A chunk of the region failed to fetch or decode.
    #[error(transparent)]
    Chunk(#[from] RegionChunkError),
    /// zarrs failed to read the region, and no chunk of it fails on its own.
    #[error("region {region:?}")]
    Region {
        /// The region, per axis.
        region: Vec<Range<u64>>,
        /// zarrs's error for the region.
        #[source]
        source: Box<ArrayError>,
    },
    /// The region or the caller's buffer does not fit the array.
    #[error(transparent)]
    Buffer(#[from] RegionBufferError),
}

/// A region write that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegionWriteError {
    /// A chunk of the region failed to encode or store.
    #[error(transparent)]
    Chunk(#[from] RegionChunkError),
    /// The region or the caller's data does not fit the array.
    #[error(transparent)]
    Buffer(#[from] RegionBufferError),
}

/// The chunk of a region read or write that failed: its text names the chunk, its source is
/// zarrs's error for it.
#[derive(Debug, thiserror::Error)]
#[error("chunk {chunk_indices:?} (key {chunk_key})")]
pub struct RegionChunkError {
    /// Store key of the chunk (`frames/1.2`, `c/1/2`).
    pub chunk_key: String,
    /// Grid indices of the chunk.
    pub chunk_indices: Vec<u64>,
    /// zarrs's error for it (boxed: zarrs's error is large).
    #[source]
    pub source: Box<ArrayError>,
}

impl RegionChunkError {
    /// The failure `source` of the chunk at `indices` of `array`.
    pub(crate) fn new<TStorage: ?Sized>(
        array: &zarrs::array::Array<TStorage>,
        indices: &[u64],
        source: ArrayError,
    ) -> Self {
        Self {
            chunk_key: array.chunk_key(indices).as_str().to_string(),
            chunk_indices: indices.to_vec(),
            source: Box::new(source),
        }
    }
}

/// A region, or the caller's buffer for it, that does not fit the array: found before any
/// chunk is read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionBufferError {
    /// The caller's buffer is not the region's size.
    #[error(
        "the caller's buffer holds {buffer_bytes} bytes, region {region:?} of {data_type} \
         needs {needed_bytes}"
    )]
    Length {
        /// Bytes in the caller's buffer.
        buffer_bytes: usize,
        /// The region's element count times the data type's size.
        needed_bytes: u128,
        /// The region, per axis.
        region: Vec<Range<u64>>,
        /// The array's data type.
        data_type: String,
    },
    /// The caller's element type is not the size of the array's data type.
    #[error(
        "the caller's elements are {element_bytes} bytes, data type {data_type} has \
         {data_type_bytes}-byte elements"
    )]
    ElementSize {
        /// Size of the caller's element type.
        element_bytes: usize,
        /// The array's data type.
        data_type: String,
        /// Its element size.
        data_type_bytes: usize,
    },
    /// The array's data type has no fixed element size.
    #[error("data type {data_type} has no fixed element size")]
    VariableSize {
        /// The array's data type.
        data_type: String,
    },
    /// The region has another dimensionality than the array, or (writing) reaches outside it.
    #[error("region {region:?} does not fit array shape {array_shape:?}")]
    OutsideArray {
        /// The region, per axis.
        region: Vec<Range<u64>>,
        /// The array's shape.
        array_shape: Vec<u64>,
    },
    /// The region is too large to hold in memory.
    #[error("region {region:?} of {elements} elements does not fit in memory")]
    TooLarge {
        /// The region, per axis.
        region: Vec<Range<u64>>,
        /// Its element count.
        elements: u64,
    },
}

impl RegionReadError {
    /// The failing chunk (its key, indices and zarrs's error), if one was found.
    #[must_use]
    pub fn chunk(&self) -> Option<&RegionChunkError> {
        match self {
            Self::Chunk(chunk) => Some(chunk),
            _ => None,
        }
    }
}

impl RegionWriteError {
    /// The failing chunk (its key, indices and zarrs's error), if one was found.
    #[must_use]
    pub fn chunk(&self) -> Option<&RegionChunkError> {
        match self {
            Self::Chunk(chunk) => Some(chunk),
            Self::Buffer(_) => None,
        }
    }
}

/// The region's ranges, for messages.
pub(crate) fn ranges(subset: &ArraySubset) -> Vec<Range<u64>> {
    subset.to_ranges()
}

/// The checks every region read and write makes before touching a chunk: the data type's
/// element size, the region's dimensionality (and, for writes, bounds) and the buffer's
/// length. Returns the element size.
///
/// # Errors
/// [`RegionBufferError`] for the first check that fails.
pub(crate) fn check_region<TStorage: ?Sized>(
    array: &zarrs::array::Array<TStorage>,
    subset: &ArraySubset,
    buffer_bytes: usize,
    in_bounds: bool,
) -> Result<usize, RegionBufferError> {
    let data_type = || data_type_name(array.data_type());
    let elem = array
        .data_type()
        .fixed_size()
        .ok_or_else(|| RegionBufferError::VariableSize {
            data_type: data_type(),
        })?;
    if subset.dimensionality() != array.dimensionality()
        || (in_bounds && !subset.inbounds_shape(array.shape()))
    {
        return Err(RegionBufferError::OutsideArray {
            region: ranges(subset),
            array_shape: array.shape().to_vec(),
        });
    }
    let needed = u128::from(subset.num_elements()) * elem as u128;
    if needed != buffer_bytes as u128 {
        return Err(RegionBufferError::Length {
            buffer_bytes,
            needed_bytes: needed,
            region: ranges(subset),
            data_type: data_type(),
        });
    }
    Ok(elem)
}

/// Checks that `T` can stand for the array's elements: its size is the data type's, or, with
/// `bytes_too`, 1 (a byte buffer, taken as the region's raw bytes).
///
/// # Errors
/// [`RegionBufferError::ElementSize`] otherwise.
pub(crate) fn check_element<T, TStorage: ?Sized>(
    array: &zarrs::array::Array<TStorage>,
    bytes_too: bool,
) -> Result<(), RegionBufferError> {
    let size = size_of::<T>();
    match array.data_type().fixed_size() {
        Some(elem) if size == elem || (bytes_too && size == 1) => Ok(()),
        Some(elem) => Err(RegionBufferError::ElementSize {
            element_bytes: size,
            data_type: data_type_name(array.data_type()),
            data_type_bytes: elem,
        }),
        None => Err(RegionBufferError::VariableSize {
            data_type: data_type_name(array.data_type()),
        }),
    }
}

/// The data type's Zarr V3 name (`uint16`), as zarrs's own messages name it.
fn data_type_name(data_type: &zarrs::array::DataType) -> String {
    data_type
        .name(zarrs::plugin::ZarrVersion::V3)
        .map_or_else(|| data_type.to_string(), std::borrow::Cow::into_owned)
}
