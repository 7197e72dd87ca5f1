//! Reading a whole array, or a region of it, fast: every chunk decoded in parallel straight
//! into its place in the caller's buffer.
//!
//! [`Array::retrieve_array_subset`] does serial work around the codec calls (it allocates and
//! fills the output, builds a view per chunk, decodes each chunk into a buffer of its own and
//! copies that), which caps it well below what the codecs do chunk by chunk. The functions here
//! use zarrs's public API only and do that work in parallel:
//!
//! 1. the region's output buffer is split, front to back, into slabs (one per cell along axis
//!    0, whose rows lie together); on the current rayon pool each slab is cut into its chunks'
//!    rows, on the thread that reads it;
//! 2. on the pool, each chunk's encoded bytes are fetched
//!    ([`Array::retrieve_encoded_chunk`], storage transformers included) and decoded:
//!    - `pymecompress-quant16` (alone in the chain) and `pymecompress-huffman` (after a
//!      native-endian `bytes` codec, numeric data types) are decoded by the core straight into
//!      the output when the chunk lies whole in the region and its rows are contiguous there
//!      (a frame of a stack chunked frame by frame, a region one chunk wide); otherwise into a
//!      per-thread buffer reused from chunk to chunk and copied row by row while in the cache;
//!    - any other codec chain (zstd, sharding, array-to-array codecs, ...) goes through zarrs's
//!      own [`Array::retrieve_chunk_subset_opt`] for that chunk, then the rows are copied, so the
//!      result is always zarrs's;
//!    - a missing chunk is the fill value.
//!
//! A chunk of 1 Mi elements or more decoded by the core also uses the pool's threads inside
//! the chunk (self-synchronising decode). Call inside [`rayon::ThreadPool::install`] to choose
//! the threads; otherwise rayon's global pool is used.
//!
//! The result is byte for byte that of [`Array::retrieve_array_subset`] (tested against it on
//! V2 and V3 stores, sharded ones, edge and missing chunks, regions not on chunk boundaries).
//! A region that reaches outside the array is read through zarrs whole.

mod buffer;
mod layout;

use bytemuck::Pod;
use rayon::prelude::*;
use zarrs::array::codec::api::{CodecError, CodecOptions, InvalidBytesLengthError};
use zarrs::array::codec::BytesCodec;
use zarrs::array::data_type::{
    Float32DataType, Float64DataType, Int16DataType, Int32DataType, Int64DataType, Int8DataType,
    UInt16DataType, UInt32DataType, UInt64DataType, UInt8DataType,
};
use zarrs::array::{Array, ArrayBytes, ArrayError, ArraySubset, DataType};
use zarrs::plugin::ZarrVersion;
use zarrs::storage::ReadableStorageTraits;

pub use self::buffer::RegionBuffer;
use self::layout::{AxisCells, Share};
use crate::error::codec_error;
use crate::region_error::{check_element, check_region, RegionBufferError, RegionChunkError};
use crate::{HuffmanCodec, HuffmanQuant16Codec, RegionReadError};
use pymecompress_codecs::{huffman, Endian};

/// Reads `subset` of `array` into `out`, the caller's bytes: the region's elements in C order,
/// in this machine's byte order (the layout of [`Array::retrieve_array_subset`]'s bytes),
/// decoding the chunks in parallel on the current rayon pool. `out.len()` must be the region's
/// element count times the data type's size. Memory besides `out`: one chunk's buffer per
/// thread for chunks not decoded in place, and 16 bytes per row piece of the region (a row of
/// the region within one chunk).
///
/// # Errors
/// - [`RegionReadError::Chunk`] with the chunk's key and indices when a chunk fails to fetch
///   or decode (if several fail, one of them); the codec's typed error is in its source chain
///   ([`crate::find_source`]).
/// - [`RegionReadError::Buffer`] when the region has another dimensionality than the array,
///   `out` is not the region's size, or the data type has no fixed size.
/// - [`RegionReadError::Region`] when zarrs fails to read a region that reaches outside the
///   array (read through zarrs whole) and no chunk of it fails alone.
pub fn read_region_bytes_into<TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    out: &mut [u8],
) -> Result<(), RegionReadError>
where
    TStorage: ?Sized + ReadableStorageTraits + 'static,
{
    let elem = check_region(array, subset, out.len(), false)?;
    if out.is_empty() {
        return Ok(());
    }
    let Some((chunks, cells)) = plan(array, subset) else {
        // Out of bounds or an irregular grid: zarrs reads it, we copy.
        let bytes =
            crate::retrieve_array_subset_naming_chunk::<ArrayBytes<'static>, _>(array, subset)?;
        let bytes = bytes
            .into_fixed()
            .map_err(|e| region_error(subset, CodecError::from(e)))?;
        if bytes.len() != out.len() {
            return Err(region_error(
                subset,
                CodecError::from(InvalidBytesLengthError::new(bytes.len(), out.len())),
            ));
        }
        out.copy_from_slice(&bytes);
        return Ok(());
    };
    let kind = Kind::of(array);
    let untiled = || {
        region_error(
            subset,
            CodecError::Other("the chunk grid does not tile the region".to_string()),
        )
    };
    let slabs = layout::slabs(out, subset.shape(), &cells, elem).ok_or_else(untiled)?;
    // Each slab (one cell along axis 0) is cut into its chunks' shares on the thread that
    // reads it, so the cutting runs in parallel too.
    let per_slab = chunks.len() / slabs.len().max(1);
    if per_slab == 0 || per_slab * slabs.len() != chunks.len() {
        return Err(untiled());
    }
    slabs
        .into_par_iter()
        .zip(chunks.par_chunks(per_slab))
        .try_for_each(|(slab, slab_chunks)| {
            let shares = layout::cut(slab.out, &slab.shape, &slab.cells, elem);
            slab_chunks
                .par_iter()
                .zip(shares)
                .try_for_each(|(indices, share)| {
                    read_chunk(array, &kind, subset, indices, share, elem)
                        .map_err(|e| RegionChunkError::new(array, indices, e).into())
                })
        })
}

/// [`read_region_bytes_into`] into the caller's elements. `T`'s size must be the data type's;
/// a `T` of one byte (`u8`) takes the region's bytes whatever the data type, as
/// [`read_region_bytes_into`].
///
/// # Errors
/// As [`read_region_bytes_into`]; also [`RegionBufferError::ElementSize`] if `T`'s size is
/// neither the data type's nor 1.
pub fn read_region_into<T, TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
    out: &mut [T],
) -> Result<(), RegionReadError>
where
    T: Pod,
    TStorage: ?Sized + ReadableStorageTraits + 'static,
{
    check_element::<T, _>(array, true)?;
    read_region_bytes_into(array, subset, bytemuck::cast_slice_mut(out))
}

#[doc(hidden)]
pub use read_region_into as read_region_elements_into;

/// [`read_region_into`] into fresh memory: the fastest way to read a whole array or region. A
/// result of 2 MiB or more is in memory mapped for it alone and advised to use huge pages
/// ([`RegionBuffer`]), whose first touch (by the threads that decode into it) costs far less
/// than that of ordinary pages; a smaller one, or one where the system refuses either step, is
/// a plain vector. To fill a buffer of your own, call [`read_region_into`].
///
/// ```
/// use std::sync::Arc;
/// use zarrs::array::{data_type, ArrayBuilder, ArraySubset};
/// use zarrs::storage::store::MemoryStore;
/// use zarrs_pymecompress::{read_region, read_region_into, write_region, HuffmanCodec};
///
/// let array = ArrayBuilder::new(vec![64, 64], vec![16, 16], data_type::int32(), 0i32)
///     .bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())])
///     .build(Arc::new(MemoryStore::new()), "/a")?;
/// let values: Vec<i32> = (0..64 * 64).collect();
/// let whole = ArraySubset::new_with_shape(vec![64, 64]);
/// write_region(&array, &whole, &values)?;
///
/// // A region across chunk boundaries, into fresh memory...
/// let region = ArraySubset::new_with_ranges(&[10..20, 30..50]);
/// let got = read_region::<i32, _>(&array, &region)?;
/// assert_eq!(got[0], 10 * 64 + 30);
/// // ...or into a buffer of the caller's, reused from read to read.
/// let mut mine = vec![0i32; 10 * 20];
/// read_region_into(&array, &region, &mut mine)?;
/// assert_eq!(&got[..], &mine[..]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`read_region_into`] (here `T`'s size must be the data type's, bytes included); also
/// [`RegionBufferError::TooLarge`] for a region whose bytes do not fit in memory.
pub fn read_region<T, TStorage>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
) -> Result<RegionBuffer<T>, RegionReadError>
where
    T: Pod,
    TStorage: ?Sized + ReadableStorageTraits + 'static,
{
    check_element::<T, _>(array, false)?;
    let n = usize::try_from(subset.num_elements())
        .ok()
        .filter(|&n| {
            n.checked_mul(size_of::<T>())
                .is_some_and(|bytes| isize::try_from(bytes).is_ok())
        })
        .ok_or_else(|| RegionBufferError::TooLarge {
            region: subset.to_ranges(),
            elements: subset.num_elements(),
        })?;
    let mut out = RegionBuffer::<T>::zeroed(n);
    read_region_into(array, subset, &mut out)?;
    Ok(out)
}

fn region_error(subset: &ArraySubset, e: impl Into<ArrayError>) -> RegionReadError {
    RegionReadError::Region {
        region: subset.to_ranges(),
        source: Box::new(e.into()),
    }
}

/// How the chunks of this array are decoded.
enum Kind {
    Quant16(HuffmanQuant16Codec),
    Huffman,
    Zarrs,
}

impl Kind {
    fn of<TStorage: ?Sized>(array: &Array<TStorage>) -> Self {
        let chain = array.codecs();
        if !chain.array_to_array_codecs().is_empty() {
            return Self::Zarrs;
        }
        let a2b = chain.array_to_bytes_codec().as_any();
        match chain.bytes_to_bytes_codecs() {
            [] => match a2b.downcast_ref::<HuffmanQuant16Codec>() {
                Some(q) if array.data_type().is::<UInt16DataType>() => Self::Quant16(q.clone()),
                _ => Self::Zarrs,
            },
            [b2b]
                if b2b.as_any().is::<HuffmanCodec>()
                    && plain_numeric(array.data_type())
                    && a2b.downcast_ref::<BytesCodec>().is_some_and(|bytes| {
                        native_endian(bytes, array.data_type().fixed_size() == Some(1))
                    }) =>
            {
                Self::Huffman
            }
            _ => Self::Zarrs,
        }
    }
}

impl Kind {
    /// Decodes one whole chunk with the core into `out` (the chunk's bytes).
    fn decode(&self, chunk: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
        match self {
            Self::Quant16(codec) => codec
                .core()
                .decode_into_bytes(chunk, out, Endian::NATIVE)
                .map_err(codec_error::<HuffmanQuant16Codec>),
            Self::Huffman => huffman::decode_into(chunk, out).map_err(codec_error::<HuffmanCodec>),
            Self::Zarrs => Err(CodecError::Other(
                "no core decoder for this codec chain".to_string(),
            )),
        }
    }
}

/// Types whose `bytes` codec passes the bytes through (in native order).
fn plain_numeric(data_type: &DataType) -> bool {
    data_type.is::<UInt8DataType>()
        || data_type.is::<UInt16DataType>()
        || data_type.is::<UInt32DataType>()
        || data_type.is::<UInt64DataType>()
        || data_type.is::<Int8DataType>()
        || data_type.is::<Int16DataType>()
        || data_type.is::<Int32DataType>()
        || data_type.is::<Int64DataType>()
        || data_type.is::<Float32DataType>()
        || data_type.is::<Float64DataType>()
}

fn native_endian(codec: &BytesCodec, one_byte: bool) -> bool {
    use zarrs::array::codec::api::CodecMetadataOptions;
    use zarrs::array::codec::api::CodecTraits;
    let native = if cfg!(target_endian = "little") {
        "little"
    } else {
        "big"
    };
    let config = codec.configuration(ZarrVersion::V3, &CodecMetadataOptions::default());
    match config.as_ref().and_then(|c| c.get("endian")) {
        Some(endian) => endian.as_str() == Some(native) || one_byte,
        None => one_byte,
    }
}

/// The chunks of the region (C order) and, per axis, the region-relative cells they cover;
/// `None` if the region is not inside the array or the grid is not a product of axis cells.
fn plan<TStorage: ?Sized + ReadableStorageTraits + 'static>(
    array: &Array<TStorage>,
    subset: &ArraySubset,
) -> Option<(Vec<Vec<u64>>, AxisCells)> {
    let n_dims = subset.dimensionality();
    if n_dims == 0 || !subset.inbounds_shape(array.shape()) {
        return None;
    }
    let grid = array.chunks_in_array_subset(subset).ok()??;
    let start = subset.start();
    let chunk_box = |indices: &[u64]| -> Option<Vec<(u64, u64)>> {
        let overlap = array.chunk_subset(indices).ok()?.overlap(subset).ok()?;
        Some(
            (0..n_dims)
                .map(|d| {
                    let a = overlap.start()[d] - start[d];
                    (a, a + overlap.shape()[d])
                })
                .collect(),
        )
    };
    // Cells per axis from the chunks along that axis through the grid box's first corner.
    let mut cells: AxisCells = Vec::with_capacity(n_dims);
    for d in 0..n_dims {
        let mut axis = Vec::new();
        let mut at = 0;
        for g in grid.start()[d]..grid.start()[d] + grid.shape()[d] {
            let mut indices = grid.start().to_vec();
            indices[d] = g;
            let (a, b) = chunk_box(&indices)?[d];
            if a != at || b <= a {
                return None;
            }
            axis.push((a, b));
            at = b;
        }
        if at != subset.shape()[d] {
            return None;
        }
        cells.push(axis);
    }
    // Every chunk must be the product of its axes' cells.
    let chunks: Vec<Vec<u64>> = grid.indices().into_iter().map(|i| i.to_vec()).collect();
    for indices in &chunks {
        let boxed = chunk_box(indices)?;
        for d in 0..n_dims {
            let cell = usize::try_from(indices[d] - grid.start()[d]).ok()?;
            if cells[d].get(cell) != Some(&boxed[d]) {
                return None;
            }
        }
    }
    Some((chunks, cells))
}

/// Decodes one chunk into its share of the output.
fn read_chunk<TStorage: ?Sized + ReadableStorageTraits + 'static>(
    array: &Array<TStorage>,
    kind: &Kind,
    subset: &ArraySubset,
    indices: &[u64],
    mut share: Share<'_>,
    elem: usize,
) -> Result<(), ArrayError> {
    let chunk = array.chunk_subset(indices)?;
    let overlap = chunk.overlap(subset)?.relative_to(chunk.start())?;
    let mismatch = || {
        ArrayError::from(CodecError::Other(
            "decoded chunk does not match its place in the region".to_string(),
        ))
    };
    let chunk_bytes = usize::try_from(chunk.num_elements())
        .ok()
        .and_then(|n| n.checked_mul(elem))
        .ok_or_else(mismatch)?;
    if let Kind::Zarrs = kind {
        let bytes = array
            .retrieve_chunk_subset_opt::<ArrayBytes<'static>>(
                indices,
                &overlap,
                &CodecOptions::default(),
            )?
            .into_fixed()
            .map_err(CodecError::from)?;
        let mut writer = layout::RunWriter::new(&mut share.runs);
        return if writer.write(&bytes) && writer.done() {
            Ok(())
        } else {
            Err(mismatch())
        };
    }
    let Some(encoded) = array.retrieve_encoded_chunk(indices)? else {
        layout::fill(&mut share.runs, array.fill_value().as_ne_bytes());
        return Ok(());
    };
    let whole = overlap.shape() == chunk.shape();
    if let [run] = share.runs.as_mut_slice() {
        if whole && run.len() == chunk_bytes {
            return Ok(kind.decode(&encoded, run)?);
        }
    }
    crate::scratch::with_scratch(chunk_bytes, |decoded| {
        kind.decode(&encoded, decoded)?;
        if layout::copy_overlap(decoded, chunk.shape(), &overlap, elem, &mut share.runs) {
            Ok(())
        } else {
            Err(mismatch())
        }
    })
}
