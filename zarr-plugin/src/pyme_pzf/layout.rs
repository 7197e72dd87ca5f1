//! How a zarr chunk and a PZF frame correspond: data type to DataFormat, chunk shape to PZF
//! (Width, Height, Depth), and the check that a stored frame fits the chunk it is read into.
//!
//! What PYME does (measured with `PYME/IO/zarr_compat.py` of python-microscopy 26.9.3 and
//! zarr-python 2.18.7): its codec returns the array `PZFFormat.loads` gives, shape
//! (Width, Height, Depth), and zarr-python then either flattens it in memory order and
//! reshapes it to the chunk shape (a partial chunk read), or assigns it to the chunk's
//! destination with numpy broadcasting (a whole chunk read into contiguous memory). PYME's own
//! tiles are (T, T, 1) frames in `[1, T, T]` chunks: the first path reads them, the second
//! fails ("could not broadcast input array from shape (8,8,1) into shape (1,8,8)"), so a
//! single-tile pyramid level does not read with `level[:]`.
//!
//! We follow the first path (chunk values in C order = the frame's pixels in its stored
//! order), but only for a frame that really has the chunk's shape, where zarr-python accepts
//! any frame of the right element count: see [`check_frame`].

use std::num::NonZeroU64;

use pymecompress_codecs::pzf::{DataFormat, DimOrder, PzfHeader};
use zarrs::array::codec::api::CodecError;
use zarrs::array::data_type::{Float32DataType, UInt16DataType, UInt8DataType};
use zarrs::array::DataType;

use super::chunk_error::PymePzfChunkError;
use crate::error::{codec_error, unsupported_data_type};
use crate::PymePzfCodec;

/// The PZF DataFormat for a zarr data type: uint8, uint16, float32.
///
/// # Errors
/// [`CodecError::UnsupportedDataType`] naming the data type and the codec for any other.
pub(crate) fn data_format(data_type: &DataType) -> Result<DataFormat, CodecError> {
    if data_type.is::<UInt8DataType>() {
        Ok(DataFormat::U8)
    } else if data_type.is::<UInt16DataType>() {
        Ok(DataFormat::U16)
    } else if data_type.is::<Float32DataType>() {
        Ok(DataFormat::F32)
    } else {
        Err(unsupported_data_type::<PymePzfCodec>(data_type))
    }
}

/// The (Width, Height, Depth) our writer gives the frame of a chunk: the chunk shape with
/// leading 1s added up to three dimensions (`[T, T]` gives (1, T, T)), or leading 1s removed
/// down to three (`[1, 1, T, T]` gives (1, T, T)), then other 1s if needed (`[2, 1, 3, 4]`
/// gives (2, 3, 4)): none of these change the element order.
///
/// Leading rather than trailing 1s: PYME's writer makes (T, T, 1) tiles for `[1, T, T]`
/// chunks, which zarr-python's whole-chunk path cannot broadcast into the chunk; numpy
/// broadcasts a frame with extra leading 1s, so PYME reads our frames by either path.
///
/// # Errors
/// [`PymePzfChunkError::TooManyDimensions`] for a chunk with more than three dimensions longer
/// than 1 (PZF holds three), [`PymePzfChunkError::DimensionTooLarge`] for a dimension too large
/// for the header's 32-bit fields (as the source of a [`CodecError`]).
pub(crate) fn frame_shape(chunk_shape: &[NonZeroU64]) -> Result<[usize; 3], CodecError> {
    let mut dims: Vec<u64> = chunk_shape.iter().map(|d| d.get()).collect();
    while dims.len() > 3 && dims[0] == 1 {
        dims.remove(0);
    }
    if dims.len() > 3 {
        // Unit dimensions inside the shape do not change the element order either.
        dims.retain(|&d| d != 1);
    }
    if dims.len() > 3 {
        return Err(codec_error::<PymePzfCodec>(
            PymePzfChunkError::TooManyDimensions {
                chunk_shape: shape_vec(chunk_shape),
            },
        ));
    }
    let mut shape = [1usize; 3];
    let first = 3 - dims.len();
    for (slot, dim) in shape[first..].iter_mut().zip(&dims) {
        *slot = u32::try_from(*dim).map(|d| d as usize).map_err(|_| {
            codec_error::<PymePzfCodec>(PymePzfChunkError::DimensionTooLarge { dimension: *dim })
        })?;
    }
    Ok(shape)
}

/// Checks a stored frame's header against the chunk it is read into, before any pixel is
/// decoded.
///
/// - The DataFormat must be the array's data type (zarr-python fails on any other, with a
///   numpy `view` or `reshape` error).
/// - The frame's dimensions longer than 1, in the order its pixels are stored (reversed for
///   DimOrder F, whose first index varies fastest), must be the chunk's dimensions longer
///   than 1. So (T, T, 1) and (1, T, T) frames fit `[1, T, T]` chunks, and a (W, H, 1)
///   F-order frame fits `[1, H, W]`. zarr-python accepts any frame with the chunk's element
///   count (a (4, 16, 1) frame in an `[1, 8, 8]` chunk), which scrambles the tile; we refuse
///   it.
///
/// # Errors
/// [`PymePzfChunkError::DataFormat`] or [`PymePzfChunkError::FrameShape`] (as the source of a
/// [`CodecError`]): what the chunk expects and what the frame holds.
pub(crate) fn check_frame(
    header: &PzfHeader,
    chunk_shape: &[NonZeroU64],
    data_type: &DataType,
) -> Result<(), CodecError> {
    let expected = data_format(data_type)?;
    if header.data_format != expected {
        return Err(codec_error::<PymePzfCodec>(PymePzfChunkError::DataFormat {
            frame: header.data_format,
            array: expected,
        }));
    }
    let mut stored: Vec<u64> = header
        .shape()
        .iter()
        .map(|&d| d as u64)
        .filter(|&d| d != 1)
        .collect();
    if header.dim_order == DimOrder::F {
        stored.reverse();
    }
    let chunk: Vec<u64> = chunk_shape
        .iter()
        .map(|d| d.get())
        .filter(|&d| d != 1)
        .collect();
    if stored != chunk {
        return Err(codec_error::<PymePzfCodec>(PymePzfChunkError::FrameShape {
            frame_shape: header.shape(),
            dim_order: header.dim_order,
            chunk_shape: shape_vec(chunk_shape),
        }));
    }
    Ok(())
}

fn shape_vec(shape: &[NonZeroU64]) -> Vec<u64> {
    shape.iter().map(|d| d.get()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(dims: &[u64]) -> Vec<NonZeroU64> {
        dims.iter().map(|&d| NonZeroU64::new(d).unwrap()).collect()
    }

    #[test]
    fn frame_shapes_pad_and_trim_leading_ones() {
        assert_eq!(frame_shape(&shape(&[1, 8, 8])).unwrap(), [1, 8, 8]);
        assert_eq!(frame_shape(&shape(&[8, 9])).unwrap(), [1, 8, 9]);
        assert_eq!(frame_shape(&shape(&[7])).unwrap(), [1, 1, 7]);
        assert_eq!(frame_shape(&shape(&[1, 1, 2, 3, 4])).unwrap(), [2, 3, 4]);
        assert_eq!(frame_shape(&shape(&[2, 1, 3, 4])).unwrap(), [2, 3, 4]);
        let err = frame_shape(&shape(&[2, 5, 3, 4])).unwrap_err();
        assert_eq!(
            crate::find_source::<PymePzfChunkError>(&err),
            Some(&PymePzfChunkError::TooManyDimensions {
                chunk_shape: vec![2, 5, 3, 4]
            })
        );
        let err = frame_shape(&shape(&[1 << 33])).unwrap_err();
        assert_eq!(
            crate::find_source::<PymePzfChunkError>(&err),
            Some(&PymePzfChunkError::DimensionTooLarge { dimension: 1 << 33 })
        );
    }
}
