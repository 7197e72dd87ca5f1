//! The one error type of the codec core.

/// Everything that can go wrong while encoding, decoding or configuring a pymecompress codec.
///
/// Every variant carries the numbers that explain it, so that a message naming a chunk can be
/// built on top of it without re-deriving anything. Messages say what the numbers mean for the
/// user: a chunk whose counts disagree is damaged or belongs to another array.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A framed chunk is shorter than its 4-byte trailer.
    #[error("damaged or truncated chunk: {len} bytes long, shorter than its 4-byte trailer")]
    ChunkTooShort {
        /// Length of the chunk in bytes.
        len: usize,
    },

    /// A Huffman chunk's trailer is neither the decoded byte count nor an element count.
    #[error(
        "chunk trailer says {trailer}, but the chunk should decode to {decoded_bytes} bytes, \
         and {trailer} is neither that byte count nor its count of 2-, 4- or 8-byte elements: \
         the chunk is damaged or truncated, or belongs to an array of another shape or data type"
    )]
    TrailerMismatch {
        /// The trailer's value.
        trailer: u32,
        /// Decoded size in bytes the caller expects.
        decoded_bytes: usize,
    },

    /// A chunk's trailer claims more symbols than its stream can hold (at least one bit each),
    /// or, for a chunk of unknown decoded size, more than the caller's maximum.
    #[error(
        "damaged or truncated chunk: its trailer claims {trailer} symbols, \
         more than the {limit} it can hold"
    )]
    TrailerTooLarge {
        /// The trailer's value.
        trailer: u32,
        /// The most symbols the chunk can decode to: eight per byte of stream, or the caller's
        /// maximum.
        limit: usize,
    },

    /// A quant16 chunk's trailer is not the number of values the caller expects.
    #[error(
        "chunk trailer says {trailer} values, but {expected} were expected: the chunk is \
         damaged or truncated, or belongs to an array of another shape"
    )]
    ValueCountMismatch {
        /// The trailer's value.
        trailer: u32,
        /// Values the caller expects.
        expected: usize,
    },

    /// `uint16` data given as bytes has an odd length.
    #[error("uint16 data must be whole 2-byte values, but {len} bytes were given")]
    OddByteLength {
        /// Length of the data in bytes.
        len: usize,
    },

    /// The bit stream ended before the requested number of symbols was decoded.
    #[error(
        "damaged or truncated chunk: its stream of {stream_bytes} bytes ends after \
         {decoded} of {expected} symbols"
    )]
    StreamTruncated {
        /// Symbols decoded before the stream ran out.
        decoded: usize,
        /// Symbols requested.
        expected: usize,
        /// Length of the stream in bytes.
        stream_bytes: usize,
    },

    /// A stream whose symbol count is known does not end where its last code ends. Both
    /// writers end a stream in the byte that holds the last code's last bit and zero the bits
    /// after it, so a longer stream, or one with a set bit there, is damaged.
    #[error(
        "damaged chunk: its codes end at bit {end_bit}, so its stream should be {} bytes long \
         with zero bits after that one, but the stream of {stream_bytes} bytes is not",
        end_bit.div_ceil(8)
    )]
    StreamEndMismatch {
        /// The bit (counted from the stream's first, most significant bit) after the last
        /// code.
        end_bit: u64,
        /// Length of the stream in bytes.
        stream_bytes: usize,
    },

    /// More symbols were asked of a stream than it can hold: every writer spends at least
    /// 9 bits on the tree and 1 bit per symbol ([`crate::stream::max_symbols`]).
    #[error(
        "damaged or truncated data: a Huffman stream of {stream_bytes} bytes holds at most \
         {max_symbols} symbols, {requested} were asked for"
    )]
    TooManySymbols {
        /// Symbols asked for.
        requested: usize,
        /// Length of the stream in bytes.
        stream_bytes: usize,
        /// The most it can hold.
        max_symbols: u64,
    },

    /// The stream is empty (or the tree never ends) although symbols were requested.
    #[error("damaged or truncated chunk: its code tree is not complete after all {bits} bits")]
    TreeTruncated {
        /// Bits in the stream.
        bits: usize,
    },

    /// The code tree has more leaves or nodes than a tree over byte symbols can have.
    #[error(
        "damaged chunk: its code tree has {leaves} leaves and {internal} internal nodes so \
         far; a tree over bytes has at most 256 leaves and 511 nodes"
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
