//! The one error type of the codec core.

/// Everything that can go wrong while encoding, decoding or configuring a pymecompress codec.
///
/// Every variant carries the numbers that explain it, so that a message naming a chunk can be
/// built on top of it without re-deriving anything.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A framed chunk is shorter than its 4-byte trailer.
    #[error("chunk is {len} bytes long, shorter than the 4-byte trailer")]
    ChunkTooShort {
        /// Length of the chunk in bytes.
        len: usize,
    },

    /// The chunk's trailer does not describe the decoded size the caller expects.
    #[error(
        "chunk trailer says {trailer} but the decoded chunk is {expected_bytes} bytes \
         ({itemsize}-byte items): neither a byte count nor an element count"
    )]
    TrailerMismatch {
        /// The trailer's value.
        trailer: u32,
        /// Decoded size in bytes the caller expects.
        expected_bytes: usize,
        /// Item size in bytes of the decoded data.
        itemsize: usize,
    },

    /// The caller's output buffer does not have the size the chunk decodes to.
    #[error("output buffer holds {found} elements, the chunk decodes to {expected}")]
    OutputSizeMismatch {
        /// Elements the chunk decodes to.
        expected: usize,
        /// Elements the buffer holds.
        found: usize,
    },

    /// The bit stream ended before the requested number of symbols was decoded.
    #[error("stream of {stream_bytes} bytes ends after {decoded} of {expected} symbols")]
    StreamTruncated {
        /// Symbols decoded before the stream ran out.
        decoded: usize,
        /// Symbols requested.
        expected: usize,
        /// Length of the stream in bytes.
        stream_bytes: usize,
    },

    /// The stream is empty (or the tree never ends) although symbols were requested.
    #[error("code tree is not complete after all {bits} bits of the stream")]
    TreeTruncated {
        /// Bits in the stream.
        bits: usize,
    },

    /// The code tree has more leaves or nodes than a tree over byte symbols can have.
    #[error(
        "code tree has {leaves} leaves and {internal} internal nodes so far; \
         a tree over bytes has at most 256 leaves and 511 nodes"
    )]
    TreeTooLarge {
        /// Leaves read so far.
        leaves: usize,
        /// Internal nodes read so far.
        internal: usize,
    },

    /// The input is longer than the 32-bit trailer (or the stream's code lengths) can describe.
    #[error("input of {len} elements exceeds the codec's limit of {max}")]
    InputTooLarge {
        /// Length of the input in elements.
        len: usize,
        /// The largest supported length.
        max: usize,
    },

    /// The item size passed for a Huffman chunk is not 1, 2, 4 or 8.
    #[error("item size {itemsize} is not 1, 2, 4 or 8 bytes")]
    UnsupportedItemSize {
        /// The item size in bytes.
        itemsize: usize,
    },

    /// A quantization parameter is out of range.
    #[error("invalid quant16 configuration: {field} = {value} ({reason})")]
    InvalidConfig {
        /// Name of the parameter (`offset` or `scale`).
        field: &'static str,
        /// The value given.
        value: f64,
        /// What a valid value looks like.
        reason: &'static str,
    },
}
