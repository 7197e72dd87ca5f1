//! PYME's HDF5 image files (`.h5`) as a [`FrameSource`](crate::FrameSource), read in pure Rust
//! (`hdf5-reader`: no libhdf5). Two layouts, told apart by the dataset the file holds:
//! - the PZF aggregate (`H5File.put_file`): `/PZFImageData`, one whole PZF file per row in
//!   arrival order, and `/PZFImageIndex` (FrameNum, Position). Slot `i` is the row whose
//!   FrameNum is `i`; a frame number absent from the index is a missing frame (PYME's reader
//!   instead returns one slice per row, looked up by searchsorted: the frame after a gap
//!   twice, the last frame never);
//! - raw frames (`HDFBackend`, `H5Exporter`): `/ImageData`, an array (frames, X, Y).
//!
//! Both carry `/MetaData` (a group tree: entry `A.B.c` is attribute `c` of `/MetaData/A/B`) and
//! `/Events`. The layouts and the reader's choice are in docs/format.md, "HDF5".
//!
//! Hostile files: every count read from the file (rows, index entries, frame size, events) is
//! checked against the file's length before anything is allocated for it, the metadata walk
//! is bounded in depth and remembers the groups it has seen (a group linked into itself), and
//! every call into the HDF5 reader runs under `catch_unwind` ([`guard`]): a panic in that crate
//! becomes [`H5Error::Panicked`] naming the object, never an abort of the command.

mod image;
mod rows;
mod source;
mod tables;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hdf5_reader::{Hdf5File, OpenOptions};
use pymecompress_codecs::pzf::PzfError;
use serde_json::{Map, Value};

use crate::{Event, SourceError};

use image::ImageData;
use rows::PzfRows;

/// deflate (zlib) cannot expand data more than 1032:1: a dataset with filters never holds
/// more than this many times the file's bytes.
const MAX_EXPANSION: u64 = 1032;

/// The most missing frames a file may have: each is listed (`FrameSource::missing`), so a
/// frame number or count read from the file must not size that list. Beyond it a declared
/// count is ignored and frame numbers are refused.
const MAX_MISSING: u64 = 1 << 20;

/// Why part of an HDF5 file cannot be read as PYME writes it. [`SourceError::H5`] names the
/// file and the object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum H5Error {
    /// The HDF5 reader refused it (a truncated file, a damaged header, a bad chunk). Its error
    /// is boxed so that the reader's types stay out of this crate's API.
    #[error("not readable as HDF5")]
    Reader(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The HDF5 reader panicked on it (caught: the command goes on to report it).
    #[error("the HDF5 reader panicked: {0}")]
    Panicked(String),
    /// Readable HDF5, but not what PYME writes there (a count beyond the file, an index entry
    /// past the rows, a wrong type).
    #[error("{0}")]
    Invalid(String),
    /// A stored row that is not a valid PZF file.
    #[error("stored PZF file is not valid")]
    Pzf(#[source] PzfError),
    /// Valid, but a type PZF frames cannot hold (`float64` frames).
    #[error("{0}")]
    Unsupported(String),
}

/// Which of PYME's layouts a file has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum H5Layout {
    /// `/PZFImageData` + `/PZFImageIndex`: whole PZF files (`H5File.put_file`).
    PzfAggregate,
    /// `/ImageData` (frames, X, Y): raw pixels (`HDFBackend`, `H5Exporter`).
    ImageData,
}

enum Body {
    Rows(PzfRows),
    Image(ImageData),
}

/// An opened PYME `.h5` file: its index (or array shape), metadata and events are read on
/// opening; frames are read one at a time on demand.
pub struct H5File {
    path: PathBuf,
    name: String,
    file_len: u64,
    metadata: Map<String, Value>,
    events: Option<Vec<Event>>,
    body: Body,
}

impl std::fmt::Debug for H5File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "H5File({}, {:?})", self.name, self.layout_kind())
    }
}

impl H5File {
    /// Opens `path`.
    ///
    /// # Errors
    /// [`SourceError::Io`] if it cannot be opened; [`SourceError::H5`] naming the object that
    /// is not what PYME writes (see [`H5Error`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| SourceError::Io {
            path: path.clone(),
            source,
        };
        let file_len = std::fs::metadata(&path).map_err(io)?.len();
        let options = options(file_len);
        let file = guard(&path, "the file", || {
            Hdf5File::open_with_options(&path, options)
        })?;
        Self::from_hdf5(path, file_len, &file)
    }

    /// Reads a file held in memory; `path` names it in messages (tests, fuzzing).
    ///
    /// # Errors
    /// As [`Self::open`].
    pub fn from_bytes(path: impl AsRef<Path>, bytes: Vec<u8>) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let file_len = bytes.len() as u64;
        let bytes: Arc<[u8]> = bytes.into();
        let file = guard(&path, "the file", || {
            Hdf5File::from_shared_bytes_with_options(bytes, options(file_len))
        })?;
        Self::from_hdf5(path, file_len, &file)
    }

    fn from_hdf5(path: PathBuf, file_len: u64, file: &Hdf5File) -> Result<Self, SourceError> {
        let ctx = Ctx {
            path: &path,
            file_len,
        };
        let root = ctx.run("/", || file.root_group())?;
        let (_, datasets) = ctx.run("/", || root.member_names())?;
        let has = |name: &str| datasets.iter().any(|d| d == name);
        let body = if has("PZFImageData") {
            Body::Rows(PzfRows::open(&ctx, file, has("PZFImageIndex"))?)
        } else if has("ImageData") {
            Body::Image(ImageData::open(&ctx, file)?)
        } else {
            return Err(ctx.invalid(
                "/",
                "neither /PZFImageData nor /ImageData: not a PYME image file".into(),
            ));
        };
        let metadata = tables::metadata(&ctx, file)?;
        let events = if has("Events") {
            Some(tables::events(&ctx, file)?)
        } else {
            None
        };
        Ok(Self {
            name: path.display().to_string(),
            path,
            file_len,
            metadata,
            events,
            body,
        })
    }

    /// Which layout the file has.
    #[must_use]
    pub fn layout_kind(&self) -> H5Layout {
        match self.body {
            Body::Rows(_) => H5Layout::PzfAggregate,
            Body::Image(_) => H5Layout::ImageData,
        }
    }

    /// The file's path, as given.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            path: &self.path,
            file_len: self.file_len,
        }
    }
}

/// The reader's own limits, from the file's length: no object header or chunk larger than
/// the file could hold (deflated) is read.
fn options(file_len: u64) -> OpenOptions {
    let cap = |default: usize| {
        usize::try_from(file_len.saturating_mul(MAX_EXPANSION).max(4096))
            .unwrap_or(usize::MAX)
            .min(default)
    };
    OpenOptions::default()
        .with_max_object_header_bytes(cap(hdf5_reader::DEFAULT_MAX_OBJECT_HEADER_BYTES))
        .with_max_chunk_bytes(cap(hdf5_reader::DEFAULT_MAX_CHUNK_BYTES))
        // One chunk cache per open file, small: frames are read once each.
        .with_chunk_cache_bytes(8 << 20)
}

/// Runs a call into the HDF5 reader, turning its error, or a panic, into
/// [`SourceError::H5`] naming `object`.
fn guard<T>(
    path: &Path,
    object: &str,
    f: impl FnOnce() -> hdf5_reader::error::Result<T>,
) -> Result<T, SourceError> {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let error = match outcome {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(e)) => H5Error::Reader(Box::new(e)),
        Err(panic) => H5Error::Panicked(
            panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into()),
        ),
    };
    Err(SourceError::H5 {
        path: path.to_path_buf(),
        object: object.to_string(),
        source: error,
    })
}

/// The file being read, for errors and size checks.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    path: &'a Path,
    file_len: u64,
}

impl Ctx<'_> {
    fn run<T>(
        &self,
        object: &str,
        f: impl FnOnce() -> hdf5_reader::error::Result<T>,
    ) -> Result<T, SourceError> {
        guard(self.path, object, f)
    }

    fn error(&self, object: &str, source: H5Error) -> SourceError {
        SourceError::H5 {
            path: self.path.to_path_buf(),
            object: object.to_string(),
            source,
        }
    }

    fn invalid(&self, object: &str, what: String) -> SourceError {
        self.error(object, H5Error::Invalid(what))
    }

    /// Refuses `count` items of `item_bytes` each (as stored, before filters) when the file
    /// cannot hold them: more than its length, or with `filtered`, `MAX_EXPANSION` times it.
    fn check_fits(
        &self,
        object: &str,
        what: &str,
        count: u64,
        item_bytes: u64,
        filtered: bool,
    ) -> Result<u64, SourceError> {
        let limit = if filtered {
            self.file_len.saturating_mul(MAX_EXPANSION)
        } else {
            self.file_len
        };
        match count.checked_mul(item_bytes) {
            Some(total) if total <= limit => Ok(total),
            _ => Err(self.invalid(
                object,
                format!(
                    "claims {count} {what} of {item_bytes} bytes, more than a file of {} bytes \
                     can hold",
                    self.file_len
                ),
            )),
        }
    }
}
