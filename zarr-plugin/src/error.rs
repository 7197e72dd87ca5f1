//! Turning core errors into zarrs errors that name the codec.

use zarrs::array::codec::api::CodecError;
use zarrs::array::DataType;
use zarrs::plugin::{ExtensionNameStatic, ZarrVersion};

/// Wraps a core error so that the message says which codec failed.
pub(crate) fn codec_error<C: ExtensionNameStatic>(err: pymecompress_codecs::Error) -> CodecError {
    CodecError::Other(format!("{}: {err}", codec_name::<C>()))
}

/// An error of this crate's own (not the core's), prefixed with the codec's name.
pub(crate) fn codec_message<C: ExtensionNameStatic>(message: impl std::fmt::Display) -> CodecError {
    CodecError::Other(format!("{}: {message}", codec_name::<C>()))
}

/// The error for a data type the codec cannot handle; its message names both.
pub(crate) fn unsupported_data_type<C: ExtensionNameStatic>(data_type: &DataType) -> CodecError {
    CodecError::UnsupportedDataType(data_type.clone(), codec_name::<C>())
}

fn codec_name<C: ExtensionNameStatic>() -> String {
    (C::DEFAULT_NAME_FN)(ZarrVersion::V3).map_or_else(String::new, std::borrow::Cow::into_owned)
}
