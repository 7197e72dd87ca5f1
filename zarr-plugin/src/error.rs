//! Turning our errors into zarrs errors that name the codec and keep the typed error.
//!
//! zarrs 0.23's `CodecError` has no variant for a boxed error of a plugin's own; its one
//! variant that holds an error value is `IOError(Arc<std::io::Error>)`, and an `io::Error`
//! can hold any error. `io::Error` hides the error it holds from `source()` (it returns that
//! error's own source), so the error put there is a wrapper whose text names the codec
//! (where) and whose source is the typed error (what): walking `source()` from any zarrs
//! error then reaches [`pymecompress_codecs::Error`] or [`pymecompress_codecs::pzf::PzfError`]
//! (see [`find_source`]).

use std::error::Error as StdError;
use std::io;
use std::sync::Arc;

use zarrs::array::codec::api::CodecError;
use zarrs::array::DataType;
use zarrs::plugin::{ExtensionNameStatic, ZarrVersion};

/// What a codec of ours hands zarrs: prints the codec's name only; the source says what failed.
#[derive(Debug, thiserror::Error)]
#[error("{codec}")]
struct CodecFailure {
    codec: String,
    #[source]
    source: Box<dyn StdError + Send + Sync + 'static>,
}

/// `err` as a zarrs error of the codec `C`: its text is the codec's V3 name, its `source()`
/// is `err` (the core's [`pymecompress_codecs::Error`], the PZF reader's `PzfError`, or an
/// error of this crate).
pub(crate) fn codec_error<C: ExtensionNameStatic>(
    err: impl StdError + Send + Sync + 'static,
) -> CodecError {
    let failure = CodecFailure {
        codec: codec_name::<C>(),
        source: Box::new(err),
    };
    CodecError::IOError(Arc::new(io::Error::new(
        io::ErrorKind::InvalidData,
        failure,
    )))
}

/// The error for a data type the codec cannot handle; its message names both.
pub(crate) fn unsupported_data_type<C: ExtensionNameStatic>(data_type: &DataType) -> CodecError {
    CodecError::UnsupportedDataType(data_type.clone(), codec_name::<C>())
}

fn codec_name<C: ExtensionNameStatic>() -> String {
    (C::DEFAULT_NAME_FN)(ZarrVersion::V3).map_or_else(String::new, std::borrow::Cow::into_owned)
}

/// The first error of type `E` in `err`'s chain (`err` itself, then each `source()`): the
/// typed error behind any error this crate returns or hands zarrs.
///
/// ```
/// use pymecompress_codecs::Error as CoreError;
/// # use std::sync::Arc;
/// # use zarrs::array::{data_type, ArrayBuilder};
/// # use zarrs::storage::{store::MemoryStore, StoreKey, WritableStorageTraits};
/// # use zarrs_pymecompress::HuffmanQuant16Codec;
/// # let store = Arc::new(MemoryStore::new());
/// # let array = ArrayBuilder::new(vec![8], vec![8], data_type::uint16(), 0u16)
/// #     .array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()))
/// #     .build(store.clone(), "/a")?;
/// # store.set(&StoreKey::new("a/c/0")?, vec![1u8, 2].into())?;
/// // A chunk of 2 bytes, shorter than the 4-byte trailer.
/// let err = array.retrieve_chunk::<Vec<u16>>(&[0]).unwrap_err();
/// assert_eq!(
///     zarrs_pymecompress::find_source::<CoreError>(&err),
///     Some(&CoreError::ChunkTooShort { len: 2 })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn find_source<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}
