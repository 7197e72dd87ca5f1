//! Reading a PZF frame's pixels straight into a caller's buffer, as the little-endian bytes of
//! its values in the frame's DimOrder: what a reader of many frames writes to a file or chunk,
//! with no typed array in between (decoding into `Vec<u16>` and converting it took a copy and
//! two fresh allocations per frame).

use super::decode::symbols_mapped_into;
use super::header::{Compression, PzfHeader, Quantization};
use super::{dequant, PzfError};
use crate::stream::IDENTITY;

/// Decodes the frame in `bytes` into `out`: its values as little-endian bytes in the element
/// order of its DimOrder, exactly the bytes of [`super::decode`]'s values. Returns the header.
///
/// # Errors
/// - [`PzfError::OutputSizeMismatch`] if `out` is not exactly the frame's size in bytes
///   (Width × Height × Depth × item size), checked before anything is decoded.
/// - Everything [`super::decode`] returns, for the same input.
pub fn decode_into(bytes: &[u8], out: &mut [u8]) -> Result<PzfHeader, PzfError> {
    let header = PzfHeader::parse(bytes)?;
    // `pixel_count` checks that the size in bytes fits too.
    let expected = header.pixel_count()? * header.data_format.itemsize();
    if out.len() != expected {
        return Err(PzfError::OutputSizeMismatch {
            expected,
            found: out.len(),
        });
    }
    let payload = &bytes[header.data_offset as usize..];
    let is_chunked = header.compression == Compression::HuffmanChunked;
    if header.quantization == Quantization::Sqrt {
        // The header check admits sqrt quantization only with a Huffman payload of uint16.
        let table = dequant::dequant_table(header.quant_offset, header.quant_scale);
        let le = table.map(u16::to_le_bytes);
        // uint16: two bytes a pixel, so nothing is left over.
        let (pixels, _) = out.as_chunks_mut::<2>();
        symbols_mapped_into(payload, is_chunked, pixels, &le)?;
    } else if header.compression == Compression::Raw {
        if payload.len() != expected {
            return Err(PzfError::PayloadSizeMismatch {
                expected,
                found: payload.len(),
            });
        }
        out.copy_from_slice(payload);
    } else {
        // PYME codes the array's own (little-endian) bytes: the symbols are the output.
        symbols_mapped_into(payload, is_chunked, out, &IDENTITY)?;
    }
    Ok(header)
}
