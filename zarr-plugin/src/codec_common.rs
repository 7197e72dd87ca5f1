//! What the three zarrs codecs share beyond the shapes of zarrs's traits: their `CodecTraits`
//! (none codes part of a chunk) and the length check of the array bytes they encode.

use zarrs::array::codec::api::{ArrayBytes, ArrayBytesRaw, CodecError, InvalidBytesLengthError};

/// Implements zarrs's `CodecTraits` for one of our codecs, given the expression of its
/// configuration (`|codec| ...`, `codec` being `&Self`).
///
/// None of them reads or writes part of a chunk: a Huffman stream decodes only from its start
/// and a PZF frame is one stream or a few, so zarrs is told to hand over whole chunks.
macro_rules! codec_traits {
    ($codec:ty, |$this:ident| $configuration:expr) => {
        impl zarrs::array::codec::api::CodecTraits for $codec {
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }

            fn configuration(
                &self,
                _version: zarrs::plugin::ZarrVersion,
                _options: &zarrs::array::codec::api::CodecMetadataOptions,
            ) -> Option<zarrs::metadata::Configuration> {
                let $this = self;
                Some($configuration)
            }

            fn partial_decoder_capability(
                &self,
            ) -> zarrs::array::codec::api::PartialDecoderCapability {
                zarrs::array::codec::api::PartialDecoderCapability {
                    partial_read: false,
                    partial_decode: false,
                }
            }

            fn partial_encoder_capability(
                &self,
            ) -> zarrs::array::codec::api::PartialEncoderCapability {
                zarrs::array::codec::api::PartialEncoderCapability {
                    partial_encode: false,
                }
            }
        }
    };
}
pub(crate) use codec_traits;

/// The bytes of a chunk of fixed-size elements handed to `encode`, checked to be
/// `expected_len` long.
///
/// # Errors
/// zarrs's errors for variable-length bytes and for bytes of another length.
pub(crate) fn fixed_bytes(
    bytes: ArrayBytes<'_>,
    expected_len: usize,
) -> Result<ArrayBytesRaw<'_>, CodecError> {
    let bytes = bytes.into_fixed()?;
    if bytes.len() != expected_len {
        return Err(InvalidBytesLengthError::new(bytes.len(), expected_len).into());
    }
    Ok(bytes)
}
