//! Checking an array's codec chain against its data type when it is opened or created.

use std::sync::Arc;

use zarrs::array::codec::api::{ArrayToBytesCodecTraits, CodecError};
use zarrs::array::{Array, ArrayCreateError};
use zarrs::storage::ReadableStorageTraits;

/// Checks that every codec of `array` accepts its data type, as zarrs 0.23 does not when it
/// opens or builds an array.
///
/// Asks the whole codec chain (sharding codecs included) for the encoded size of the first
/// chunk, which is where codecs refuse a data type.
///
/// # Errors
/// - [`CodecError::UnsupportedDataType`] naming the data type and the codec, e.g. a
///   `pymecompress-quant16` array that is not `uint16`.
/// - Any other [`CodecError`] a codec of the chain reports for the array's first chunk.
pub fn check_array<TStorage: ?Sized>(array: &Array<TStorage>) -> Result<(), CodecError> {
    let first_chunk = vec![0; array.dimensionality()];
    let shape = array
        .chunk_shape(&first_chunk)
        .map_err(|err| CodecError::Other(err.to_string()))?;
    array
        .codecs()
        .encoded_representation(&shape, array.data_type(), array.fill_value())?;
    Ok(())
}

/// [`Array::open`], then [`check_array`].
///
/// # Errors
/// - [`OpenError::Open`] for any error of [`Array::open`].
/// - [`OpenError::Codec`] as [`check_array`].
pub fn open_array<TStorage: ?Sized + ReadableStorageTraits + 'static>(
    storage: Arc<TStorage>,
    path: &str,
) -> Result<Array<TStorage>, OpenError> {
    let array = Array::open(storage, path)?;
    check_array(&array)?;
    Ok(array)
}

/// Why [`open_array`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// zarrs could not open the array.
    #[error(transparent)]
    Open(#[from] ArrayCreateError),
    /// A codec refuses the array's data type (or its first chunk).
    #[error(transparent)]
    Codec(#[from] CodecError),
}
