//! The error type of [`super::Series`]: every variant names the file (or frame) and what was
//! expected and found.

use std::path::PathBuf;

use pymecompress_codecs::pzf::PzfError;

/// Why a series could not be opened, checked or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// A file or directory could not be read.
    #[error("{}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A series directory (the first or a `--node`) is not a directory.
    #[error("{}: not a directory (a series is a `<name>.pcs` directory)", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A `--node` directory that holds no part of the series.
    #[error(
        "--node {}: holds no frame%05d.pzf file and no metadata.json, final_metadata.json or \
         events.json (it holds {holds}); give the series' own directory on that server \
         (NAME.pcs), not the server's root",
        path.display()
    )]
    NotASeriesCopy {
        /// The directory given.
        path: PathBuf,
        /// What it holds, in words.
        holds: String,
    },
    /// A `.pzf` file whose name is not `frame%05d.pzf`, as PYME's spooler names frames.
    #[error("{}: a .pzf file not named frame%05d.pzf (e.g. frame00042.pzf)", path.display())]
    UnexpectedFrameFile {
        /// The file.
        path: PathBuf,
    },
    /// A frame file whose header cannot be read.
    #[error("{}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// The PZF reader's error.
        #[source]
        source: PzfError,
    },
    /// A frame's file name and its header's FrameNum disagree.
    #[error("{}: the file name says frame {name_number}, the header's FrameNum is {header_number}", path.display())]
    FrameNumberMismatch {
        /// The file.
        path: PathBuf,
        /// The number in the file name.
        name_number: u32,
        /// FrameNum in the header.
        header_number: u32,
    },
    /// The same frame number in two files with different bytes.
    #[error("frame {frame} is stored twice with different bytes: {} and {}", first.display(), second.display())]
    DuplicateFrame {
        /// The frame number.
        frame: u32,
        /// The copy found first (directories in the order given).
        first: PathBuf,
        /// The other copy.
        second: PathBuf,
    },
    /// No directory of the series holds `metadata.json`.
    #[error("no metadata.json in {}", list(dirs))]
    MissingMetadata {
        /// The directories searched.
        dirs: Vec<PathBuf>,
    },
    /// A JSON file that is not what PYME writes.
    #[error("{}: {reason}", path.display())]
    InvalidJson {
        /// The file.
        path: PathBuf,
        /// What was expected and what was found.
        reason: String,
    },
    /// Two servers hold different copies of the same series file.
    #[error("{} and {} differ", first.display(), second.display())]
    ConflictingCopies {
        /// One copy.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// A frame number the series does not hold.
    #[error("frame {frame} is not in the series")]
    NoSuchFrame {
        /// The frame number asked for.
        frame: u32,
    },
    /// A frame file whose pixels cannot be decoded.
    #[error("{}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// The PZF reader's error.
        #[source]
        source: PzfError,
    },
    /// A frame file replaced since the series was opened, now holding another frame.
    #[error("{}: indexed as frame {expected}, now holds FrameNum {found}", path.display())]
    FrameChanged {
        /// The file.
        path: PathBuf,
        /// The frame number indexed at open.
        expected: u32,
        /// FrameNum found now.
        found: u32,
    },
    /// A file of a series on a data server that could not be fetched over HTTP (see
    /// [`crate::http`]).
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    /// A frame whose data type, shape or quantization differs from the series' first frame.
    #[error(
        "{}: frame {frame} has {field} {found}, frame {first_frame} has {expected}",
        path.display()
    )]
    FramesDiffer {
        /// The first frame (by number) that differs.
        frame: u32,
        /// Its file.
        path: PathBuf,
        /// The frame everything is compared with (the lowest number).
        first_frame: u32,
        /// The field that differs: `data type`, `shape`, `quantization`, `DimOrder`.
        field: &'static str,
        /// The first frame's value.
        expected: String,
        /// This frame's value.
        found: String,
    },
}

fn list(dirs: &[PathBuf]) -> String {
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    names.join(", ")
}
