//! Why a chunk and a PZF frame do not go together, as a typed error: the source behind the
//! zarrs error the `pyme-pzf` codec returns, next to the reader's own `PzfError`.

use pymecompress_codecs::pzf::{DataFormat, DimOrder};

/// A chunk the `pyme-pzf` codec cannot code as a PZF frame, or a stored frame that does not fit
/// its chunk. Reached from zarrs's error with [`crate::find_source`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PymePzfChunkError {
    /// The chunk has more than three dimensions longer than 1; a PZF frame holds three.
    #[error(
        "chunk shape {chunk_shape:?} has more than 3 dimensions longer than 1; a PZF frame holds 3"
    )]
    TooManyDimensions {
        /// The chunk's shape.
        chunk_shape: Vec<u64>,
    },
    /// A chunk dimension too long for the header's 32-bit Width/Height/Depth.
    #[error("chunk dimension {dimension} does not fit PZF's 32-bit Width/Height/Depth")]
    DimensionTooLarge {
        /// The dimension.
        dimension: u64,
    },
    /// Sqrt quantization configured for an array that is not `uint16`.
    #[error("sqrt quantization codes uint16 arrays only, the array's data type is {data_type}")]
    QuantizedDataType {
        /// The array's data type.
        data_type: String,
    },
    /// The frame's DataFormat is not the array's data type.
    #[error("PZF frame holds {} pixels, the array's data type is {}", format_name(*.frame), format_name(*.array))]
    DataFormat {
        /// The frame's DataFormat.
        frame: DataFormat,
        /// The array's data type as a DataFormat.
        array: DataFormat,
    },
    /// The frame's dimensions longer than 1 (in stored order) are not the chunk's.
    #[error(
        "PZF frame of shape {frame_shape:?} (DimOrder {dim_order:?}) does not fit chunk shape \
         {chunk_shape:?}: their dimensions longer than 1 differ"
    )]
    FrameShape {
        /// The frame's (Width, Height, Depth).
        frame_shape: [usize; 3],
        /// The frame's DimOrder.
        dim_order: DimOrder,
        /// The chunk's shape.
        chunk_shape: Vec<u64>,
    },
}

pub(crate) fn format_name(format: DataFormat) -> &'static str {
    match format {
        DataFormat::U8 => "uint8",
        DataFormat::U16 => "uint16",
        DataFormat::F32 => "float32",
    }
}
