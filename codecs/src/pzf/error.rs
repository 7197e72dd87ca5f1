//! The error type of the PZF reader and writer.

use super::header::DataFormat;

/// Everything that can go wrong while reading or writing a PZF frame.
///
/// Each variant carries the numbers that explain it (what was expected and what was found), so
/// that a caller can name the file and the field without parsing the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PzfError {
    /// The input ends before the header does (48 bytes for Versions 1 and 2, 64 for Version 3;
    /// 3 bytes are needed to see the version at all).
    #[error("PZF header needs {needed} bytes, the input has {len}")]
    HeaderTruncated {
        /// Bytes the header needs.
        needed: usize,
        /// Bytes in the input.
        len: usize,
    },

    /// The first two bytes are not `BD`.
    #[error("not a PZF file: magic is \"{}\", expected \"BD\"", found.escape_ascii())]
    BadMagic {
        /// The first two bytes.
        found: [u8; 2],
    },

    /// The Version byte is not 1, 2 or 3.
    #[error("PZF version {found} is not one of 1, 2, 3")]
    UnknownVersion {
        /// The Version byte.
        found: u8,
    },

    /// The DataFormat byte is not 0 (u8), 1 (u16) or 2 (f32).
    #[error("PZF DataFormat {found} is not one of 0 (uint8), 1 (uint16), 2 (float32)")]
    UnknownDataFormat {
        /// The DataFormat byte.
        found: u8,
    },

    /// The DataCompression byte is not 0 (raw), 1 (Huffman) or 2 (chunked Huffman).
    #[error("PZF DataCompression {found} is not one of 0 (raw), 1 (Huffman), 2 (chunked Huffman)")]
    UnknownCompression {
        /// The DataCompression byte.
        found: u8,
    },

    /// The DataQuantization byte is not 0 (none) or 1 (square root).
    #[error("PZF DataQuantization {found} is not one of 0 (none), 1 (sqrt)")]
    UnknownQuantization {
        /// The DataQuantization byte.
        found: u8,
    },

    /// The DimOrder byte (Version 2 and later) is not one `loads` accepts.
    #[error("PZF DimOrder byte {found:#04x} is not one of C, c, A, a, F, f")]
    UnknownDimOrder {
        /// The DimOrder byte.
        found: u8,
    },

    /// Square-root quantization with an offset that is not finite or a scale that is not a
    /// finite number above zero.
    #[error("PZF quantization parameters make no sense: QuantOffset {offset}, QuantScale {scale}")]
    InvalidQuantParams {
        /// QuantOffset.
        offset: f32,
        /// QuantScale.
        scale: f32,
    },

    /// Square-root quantization of data that is not uint16.
    #[error("PZF sqrt quantization applies to uint16 data only, the frame is {format:?}")]
    QuantizedFormat {
        /// The frame's data format.
        format: DataFormat,
    },

    /// Square-root quantization declared for a raw (uncompressed) payload.
    #[error("PZF sqrt quantization needs a Huffman payload, the frame is raw")]
    QuantizedRaw,

    /// A Version 3 DataOffset that points into the 64-byte header.
    #[error("PZF DataOffset {offset} points inside the {header_len}-byte header")]
    DataOffsetInsideHeader {
        /// DataOffset.
        offset: u32,
        /// Length of the header.
        header_len: usize,
    },

    /// A Version 3 DataOffset past the end of the input.
    #[error("PZF DataOffset {offset} is past the end of the {len}-byte input")]
    DataOffsetPastEnd {
        /// DataOffset.
        offset: u32,
        /// Bytes in the input.
        len: usize,
    },

    /// Width × Height × Depth × item size does not fit in memory addresses.
    #[error("PZF frame of {width} x {height} x {depth} pixels is too large to address")]
    ShapeOverflow {
        /// Width.
        width: u64,
        /// Height.
        height: u64,
        /// Depth.
        depth: u64,
    },

    /// A raw payload whose length is not exactly the frame's size in bytes.
    #[error("raw PZF payload is {found} bytes, the frame needs exactly {expected}")]
    PayloadSizeMismatch {
        /// Bytes the header's shape and data format need.
        expected: usize,
        /// Bytes in the payload.
        found: usize,
    },

    /// A buffer given to [`super::decode_into`] that is not exactly the frame's size in bytes.
    #[error("the output buffer is {found} bytes, the frame is {expected}")]
    OutputSizeMismatch {
        /// Bytes the header's shape and data format need.
        expected: usize,
        /// Bytes in the buffer.
        found: usize,
    },

    /// A Huffman payload (or one chunk of a chunked payload) too short to hold the symbols
    /// the header claims: every writer spends at least 9 bits on the code tree and 1 bit per
    /// symbol.
    #[error(
        "Huffman payload of {payload_bytes} bytes holds at most {max_symbols} symbols, \
         the header claims {symbols}"
    )]
    PayloadTooShort {
        /// Symbols the header (or chunk table) claims.
        symbols: u64,
        /// Bytes in the stream.
        payload_bytes: usize,
        /// Most symbols a stream of that length can code.
        max_symbols: u64,
    },

    /// The Huffman stream itself is damaged: the source, a [`crate::Error`], says how.
    #[error("Huffman payload")]
    Stream(#[from] crate::Error),

    /// Symbols were asked of a frame that is not quantized.
    #[error("PZF frame is not quantized: it stores pixels, not quantizer symbols")]
    NotQuantized,

    /// A chunked payload ends inside its chunk count or a chunk's 8-byte length pair.
    #[error("chunked PZF payload ends inside the table entry of chunk {chunk} ({len} bytes)")]
    ChunkTableTruncated {
        /// Index of the chunk whose lengths are cut off (0 for the count itself).
        chunk: usize,
        /// Bytes in the payload.
        len: usize,
    },

    /// A chunked payload whose chunk count is zero (`loads` cannot stack zero chunks).
    #[error("chunked PZF payload holds no chunks")]
    NoChunks,

    /// A chunk whose compressed bytes run past the end of the payload.
    #[error("chunk {chunk} claims {compressed_len} compressed bytes, {available} remain")]
    ChunkTruncated {
        /// Chunk index.
        chunk: usize,
        /// Compressed length the chunk table gives.
        compressed_len: u32,
        /// Bytes left in the payload.
        available: usize,
    },

    /// The chunks' raw lengths do not add up to the frame's size.
    #[error("chunks decode to {found} bytes in total, the frame needs {expected}")]
    ChunkSizeMismatch {
        /// Bytes (symbols, when quantized) the frame needs.
        expected: u64,
        /// Sum of the chunks' raw lengths.
        found: u64,
    },

    /// Data given to the writer whose length disagrees with the shape.
    #[error("frame of shape {shape:?} needs {expected} values, {found} given")]
    DataLengthMismatch {
        /// The shape given.
        shape: [usize; 3],
        /// Width × Height × Depth.
        expected: usize,
        /// Values given.
        found: usize,
    },

    /// A dimension given to the writer that does not fit the header's 32-bit field.
    #[error("dimension {value} does not fit PZF's 32-bit Width/Height/Depth fields")]
    DimensionTooLarge {
        /// The dimension.
        value: usize,
    },

    /// A chunk count of zero given to the writer of chunked payloads.
    #[error("a chunked PZF payload needs at least one chunk")]
    ZeroChunks,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_magic_is_shown_as_text_with_unprintable_bytes_escaped() {
        let err = PzfError::BadMagic { found: *b"XY" };
        assert_eq!(
            err.to_string(),
            r#"not a PZF file: magic is "XY", expected "BD""#
        );
        let err = PzfError::BadMagic {
            found: [0x00, 0xff],
        };
        assert_eq!(
            err.to_string(),
            r#"not a PZF file: magic is "\x00\xff", expected "BD""#
        );
    }

    #[test]
    fn a_stream_error_is_the_source_and_is_not_printed_twice() {
        let core = crate::Error::ChunkTooShort { len: 2 };
        let err = PzfError::Stream(core.clone());
        let source = std::error::Error::source(&err).expect("the stream error is the source");
        assert_eq!(source.to_string(), core.to_string());
        assert!(!err.to_string().contains(&core.to_string()), "{err}");
    }
}
