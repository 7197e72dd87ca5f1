//! [`SourceError`]: why a source could not be opened, read or written. A variant's message
//! says where (the source, the frame); its `source()` says what.

use std::path::PathBuf;

use pymecompress_codecs::pzf::PzfError;

use crate::gaps::Incomplete;
use crate::series::SeriesError;

/// Why a PYME source could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A cluster series could not be opened or read.
    #[error("series {}", dir.display())]
    Series {
        /// The series' first directory, as given.
        dir: PathBuf,
        /// The series reader's error (names the file or frame).
        #[source]
        source: SeriesError,
    },
    /// A file could not be read.
    #[error("file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A `.pzf` file (or a frame's stored bytes) that is not valid PZF.
    #[error("file {}", path.display())]
    Pzf {
        /// The file.
        path: PathBuf,
        /// The PZF reader's error.
        #[source]
        source: PzfError,
    },
    /// A PYME HDF5 file (`.h5`) whose object cannot be read as PYME writes it.
    #[error("file {}, {object}", path.display())]
    H5 {
        /// The file.
        path: PathBuf,
        /// The object: `/PZFImageIndex`, `/PZFImageData row 3 (frame 7)`, `/MetaData/Camera
        /// attribute ADOffset`, ...
        object: String,
        /// What is wrong with it.
        #[source]
        source: crate::h5::H5Error,
    },
    /// A file or listing of a PYME data server that could not be fetched over HTTP, or is not
    /// what the server should send; the message names the URL (server and file).
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    /// A frame's stored payload that cannot be moved into a chunk as it is: its header now
    /// disagrees with the layout the source was opened with, or it does not decode.
    #[error("{source_name}, frame {frame}: stored payload {what}")]
    Payload {
        /// The source.
        source_name: String,
        /// The frame.
        frame: u64,
        /// What is wrong, e.g. `decodes with an error`.
        what: String,
        /// The decoder's error, when it is one.
        #[source]
        cause: Option<pymecompress_codecs::Error>,
    },
    /// A frame decoded to another size than the caller's buffer.
    #[error(
        "{source_name}, frame {frame}: the frame is {frame_bytes} bytes, the buffer \
         {buffer_bytes}"
    )]
    FrameSize {
        /// The source.
        source_name: String,
        /// The frame.
        frame: u64,
        /// The decoded frame's size.
        frame_bytes: usize,
        /// The caller's buffer.
        buffer_bytes: usize,
    },
    /// A source refused by the gap policy ([`crate::gaps::check`]).
    #[error("{} {source_name}: incomplete: {lack}; {}", lack.kind.word(), lack.advice())]
    Incomplete {
        /// The source.
        source_name: String,
        /// What it lacks.
        lack: Incomplete,
    },
    /// A frame selection outside the source.
    #[error("{source_name}: {what}")]
    Selection {
        /// The source.
        source_name: String,
        /// What is wrong with it.
        what: String,
    },
    /// Writing into the zarr array failed.
    #[error("{place}")]
    Zarr {
        /// The array, chunk or frames being written.
        place: String,
        /// zarrs's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
