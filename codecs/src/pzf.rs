//! PZF, python-microscopy's frame format (`PYME/IO/PZFFormat.py`): a 48- or 64-byte header,
//! then the pixels raw, as one Huffman stream, or as chunks of Huffman streams, optionally
//! square-root quantized.
//!
//! - [`decode`] reads what `PZFFormat.loads` reads (Versions 1 to 3) and returns a [`PzfFrame`]
//!   with the same shape, data type and values, or a [`PzfError`] where `loads` raises, where
//!   it returns garbage (a truncated Huffman payload) or where the header makes no sense.
//! - [`encode`] writes Version 3 frames byte-identical to `PZFFormat.dumps` for raw and
//!   Huffman frames; quantized frames use the exact quantizer.
//! - [`PzfHeader`] serializes under PYME's field names ([`HEADER_FIELD_NAMES`]).
//!
//! No allocation is sized by a header field beyond what the payload can supply: a raw payload
//! must be exactly the frame's size, and a Huffman stream of n bytes may claim at most
//! `8n - 9` symbols ([`crate::stream::max_symbols`]).
//!
//! Every difference from PYME is listed in `docs/format.md` (section PZF).
//!
//! ```
//! use pymecompress_codecs::pzf::{self, Compression, DimOrder, PzfData, PzfSlice, PzfWriteOptions};
//!
//! let pixels: Vec<u16> = (0..12).collect();
//! let options = PzfWriteOptions { compression: Compression::Huffman, ..Default::default() };
//! let file = pzf::encode(PzfSlice::U16(&pixels), [3, 4, 1], DimOrder::C, &options)?;
//! let frame = pzf::decode(&file)?;
//! assert_eq!(frame.shape(), [3, 4, 1]);
//! assert_eq!(frame.data, PzfData::U16(pixels));
//! # Ok::<(), pzf::PzfError>(())
//! ```

mod chunked;
mod decode;
mod decode_into;
mod dequant;
mod encode;
mod error;
mod header;

pub use decode::{decode, decode_symbols, PzfData, PzfFrame};
pub use decode_into::decode_into;
pub use dequant::{dequant_table, pyme_dequant_table};
pub use encode::{encode, encode_frame, PzfSlice, PzfWriteOptions};
pub use error::PzfError;
pub use header::{
    Compression, DataFormat, DimOrder, PzfHeader, Quantization, HEADER_FIELD_NAMES, HEADER_LEN_V2,
    HEADER_LEN_V3, WRITE_VERSION,
};
