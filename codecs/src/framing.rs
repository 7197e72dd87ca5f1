//! The 4-byte little-endian trailer both numcodecs codecs append to the stream.

use crate::Error;

/// Size of the trailer in bytes.
pub const TRAILER_BYTES: usize = 4;

/// Splits a framed chunk into its stream and the value of its trailer.
///
/// # Errors
/// - [`Error::ChunkTooShort`] if the chunk has no room for the trailer.
pub fn split_trailer(chunk: &[u8]) -> Result<(&[u8], u32), Error> {
    let Some(split) = chunk.len().checked_sub(TRAILER_BYTES) else {
        return Err(Error::ChunkTooShort { len: chunk.len() });
    };
    let (stream, trailer) = chunk.split_at(split);
    let trailer = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    Ok((stream, trailer))
}

/// Appends `count` as the trailer, refusing counts the 32-bit trailer cannot hold.
pub(crate) fn push_trailer(out: &mut Vec<u8>, count: usize) -> Result<(), Error> {
    let count = u32::try_from(count).map_err(|_| Error::InputTooLarge {
        len: count,
        max: u32::MAX as usize,
    })?;
    out.extend_from_slice(&count.to_le_bytes());
    Ok(())
}
