//! PYME cluster series: the `<name>.pcs/` directories python-microscopy's acquisition
//! spooler leaves on its data servers.
//!
//! A series is one directory plus its copies on other servers (`nodes`), each holding part of
//! the frames (`frame%05d.pzf`, one PZF frame each; HTTPSpooler_v2 puts frame i on server
//! `int(i/50) % n_servers`) and, on whichever server they were sent to, `metadata.json`, then
//! `final_metadata.json` and `events.json` at the end. `events.json` is written last: PYME
//! takes its presence to mean the series is finished.
//!
//! The same series read from its data servers over HTTP ([`crate::http`]) is a `Series` too,
//! its places ([`Series::dirs`]) the URLs of its directories.
//!
//! [`Series::open`] indexes every frame by the number its file name gives, reading each file's
//! header (64 bytes) to check its FrameNum against the name; frames are decoded one at a time
//! on demand ([`Series::read_frame`]), so memory stays bounded by one frame whatever the
//! series' length. Over HTTP only the lowest-numbered frame's header is fetched on opening
//! (every other frame file crosses the network once, when read), so a frame's FrameNum and
//! layout are checked when the frame is read: [`Series::read_frame`] and the
//! [`crate::FrameSource`] reads fail on the first frame that is not what its name and the
//! series' first frame say.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use pymecompress_pyme::series::Series;
//!
//! let series = Series::open("server0/scan_000.pcs", &[PathBuf::from("server1/scan_000.pcs")])?;
//! println!("{} frames, complete: {}", series.frame_count(), series.is_complete());
//! for n in series.missing() {
//!     println!("frame {n} is missing");
//! }
//! let layout = series.check_uniform()?;
//! let first = series.read_frame(0)?;
//! # Ok::<(), pymecompress_pyme::series::SeriesError>(())
//! ```

mod error;
pub(crate) mod index;
mod live;
pub(crate) mod metadata;
#[doc(hidden)]
pub mod parse;
mod source;
mod uniform;

#[cfg(feature = "http")]
pub(crate) use source::source_error;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pymecompress_codecs::pzf::{self, PzfFrame, PzfHeader};
use serde_json::{Map, Value};

use crate::layout::FrameLayout;

pub use error::SeriesError;
pub use index::FrameEntry;
pub(crate) use live::Listing;
pub use live::Refresh;
pub use metadata::{Dimensions, Event};

/// An opened series: its directories, its frame index and its JSON files.
#[derive(Clone, Debug)]
pub struct Series {
    /// The first directory as given, for messages.
    label: String,
    dirs: Vec<PathBuf>,
    frames: BTreeMap<u32, FrameEntry>,
    metadata: Map<String, Value>,
    final_metadata: Option<Map<String, Value>>,
    events: Option<Vec<Event>>,
    dimensions: Dimensions,
    /// Where frame files are read from: disk, or the data servers (`crate::http`).
    files: Arc<dyn FrameFiles>,
    /// What following a live series remembers between listings (`live.rs`).
    live: live::LiveState,
}

/// How a series' frame files are read once indexed: from disk, or over HTTP from the data
/// servers; everything else about a series is the same code for both.
pub(crate) trait FrameFiles: std::fmt::Debug + Send + Sync {
    /// The whole file `entry` indexed.
    ///
    /// # Errors
    /// Why it cannot be read, naming the file.
    fn read(&self, entry: &FrameEntry) -> Result<Vec<u8>, SeriesError>;

    /// How many files are best read at once from `places` places (`FrameSource::concurrent_reads`).
    fn concurrent_reads(&self, places: usize) -> usize {
        let _ = places;
        1
    }

    /// How long a listing may lag behind the files written: a file written less than this
    /// before a listing may be missing from it.
    fn listing_lag(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// Following a live series: every frame file the places `dirs` now hold, with its length,
    /// and their JSON files as they now are ([`SeriesError::MissingMetadata`] while no place
    /// holds `metadata.json`). A place that does not exist yet holds nothing.
    ///
    /// # Errors
    /// A place or file that cannot be listed or read.
    fn relist(&self, dirs: &[PathBuf]) -> Result<Listing, SeriesError>;

    /// Indexes the frame files `new` (each with the number its name gives and its length as
    /// listed, if listed) into `frames`, as opening does: afterwards the lowest-numbered frame's
    /// header is read.
    ///
    /// # Errors
    /// As [`index::add_frame`], and a header that cannot be read.
    fn index_new(
        &self,
        new: Vec<(u32, PathBuf, Option<u64>)>,
        frames: &mut BTreeMap<u32, FrameEntry>,
    ) -> Result<(), SeriesError>;
}

/// Frame files on disk.
#[derive(Debug)]
struct LocalFiles;

impl FrameFiles for LocalFiles {
    fn read(&self, entry: &FrameEntry) -> Result<Vec<u8>, SeriesError> {
        std::fs::read(&entry.path).map_err(|source| SeriesError::Io {
            path: entry.path.clone(),
            source,
        })
    }

    fn relist(&self, dirs: &[PathBuf]) -> Result<live::Listing, SeriesError> {
        live::relist_local(dirs)
    }

    fn index_new(
        &self,
        new: Vec<(u32, PathBuf, Option<u64>)>,
        frames: &mut BTreeMap<u32, FrameEntry>,
    ) -> Result<(), SeriesError> {
        // The listed length is not needed: the file's own is read with its header.
        for (number, path, _) in new {
            let (header, len) = index::read_header(&path)?;
            let entry = FrameEntry {
                path,
                header: Some(header),
                len,
            };
            index::add_frame(frames, number, entry, index::same_bytes)?;
        }
        Ok(())
    }
}

impl Series {
    /// Opens the series in `dir` and its copies `nodes` on other servers.
    ///
    /// # Errors
    /// - [`SeriesError::NotADirectory`] if `dir` or a node is not a directory.
    /// - [`SeriesError::MissingMetadata`] if no directory holds `metadata.json`;
    ///   [`SeriesError::InvalidJson`] / [`SeriesError::ConflictingCopies`] for JSON files
    ///   that are not what PYME writes or differ between servers.
    /// - [`SeriesError::UnexpectedFrameFile`], [`SeriesError::Header`],
    ///   [`SeriesError::FrameNumberMismatch`], [`SeriesError::DuplicateFrame`] for frame files.
    /// - [`SeriesError::NotASeriesCopy`] for a node holding neither frames nor the series'
    ///   JSON files (a data server's root given instead of the series' directory in it).
    /// - [`SeriesError::Io`] for anything that cannot be read.
    pub fn open(dir: impl AsRef<Path>, nodes: &[PathBuf]) -> Result<Self, SeriesError> {
        let mut dirs = vec![dir.as_ref().to_path_buf()];
        dirs.extend(nodes.iter().cloned());
        for dir in &dirs {
            if !dir.is_dir() {
                return Err(SeriesError::NotADirectory { path: dir.clone() });
            }
        }
        for node in &dirs[1..] {
            check_node(node)?;
        }
        let json = metadata::read_series_json(&dirs)?;
        let frames = index::index_frames(&dirs)?;
        Self::from_parts(dirs, json, frames, Arc::new(LocalFiles))
    }

    /// A series read elsewhere (over HTTP): its places (the first as given), JSON files and
    /// frame index, and how to read its frame files.
    ///
    /// # Errors
    /// [`SeriesError::InvalidJson`] for a bad `DimOrder` or size in `metadata.json`.
    pub(crate) fn from_parts(
        dirs: Vec<PathBuf>,
        json: metadata::SeriesJson,
        frames: BTreeMap<u32, FrameEntry>,
        files: Arc<dyn FrameFiles>,
    ) -> Result<Self, SeriesError> {
        let dimensions = metadata::dimensions(&json.metadata_path, &json.metadata)?;
        Ok(Self {
            label: dirs
                .first()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            dirs,
            frames,
            metadata: json.metadata,
            final_metadata: json.final_metadata,
            events: json.events,
            dimensions,
            files,
            live: live::LiveState::default(),
        })
    }

    /// The first directory as given, for messages.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The directories, the first one given, then the nodes.
    #[must_use]
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The frame numbers present, ascending.
    pub fn frame_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.frames.keys().copied()
    }

    /// How many frames are present.
    #[must_use]
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// The index entry (file, header, length) of frame `n`.
    #[must_use]
    pub fn frame(&self, n: u32) -> Option<&FrameEntry> {
        self.frames.get(&n)
    }

    /// The header of frame `n`, as read on opening; `None` for a frame the series does not
    /// hold, and for one whose header is not read yet (over HTTP, every frame but the
    /// lowest-numbered: [`FrameEntry::header`]).
    #[must_use]
    pub fn frame_header(&self, n: u32) -> Option<&PzfHeader> {
        self.frames.get(&n).and_then(|entry| entry.header.as_ref())
    }

    /// How many frames the series should hold: SizeZ × SizeT × SizeC from `metadata.json`
    /// when all three are known (a spooled series has SizeT -1: unknown).
    #[must_use]
    pub fn expected_frames(&self) -> Option<u64> {
        self.dimensions.frame_count()
    }

    /// DimOrder and sizes from `metadata.json`.
    #[must_use]
    pub fn dimensions(&self) -> &Dimensions {
        &self.dimensions
    }

    /// Frame numbers absent: gaps below the highest present frame, and, where the metadata
    /// gives the frame count, every frame from there up to that count. Ascending.
    #[must_use]
    pub fn missing(&self) -> Vec<u32> {
        let present_end = self
            .frames
            .keys()
            .next_back()
            .map_or(0, |&last| u64::from(last) + 1);
        let end = self
            .expected_frames()
            .map_or(present_end, |n| n.max(present_end));
        // Frame numbers are u32 in the header: no count beyond that can be missing.
        let end = u32::try_from(end).unwrap_or(u32::MAX);
        (0..end).filter(|n| !self.frames.contains_key(n)).collect()
    }

    /// True when `events.json` is present: PYME's own test for a finished acquisition.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.events.is_some()
    }

    /// True when the series is finished ([`Self::is_finished`]) and no frame is missing
    /// ([`Self::missing`]).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.is_finished() && self.missing().is_empty()
    }

    /// `metadata.json`: a flat dict with dotted keys (`Camera.ADOffset`, `voxelsize.x`, …).
    #[must_use]
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }

    /// `final_metadata.json`, if written yet.
    #[must_use]
    pub fn final_metadata(&self) -> Option<&Map<String, Value>> {
        self.final_metadata.as_ref()
    }

    /// `events.json`, if written yet.
    #[must_use]
    pub fn events(&self) -> Option<&[Event]> {
        self.events.as_deref()
    }

    /// Frame `n`'s file as stored: a whole PZF frame, header and payload, e.g. to move its
    /// payload into a zarr chunk without decoding it.
    ///
    /// # Errors
    /// [`SeriesError::NoSuchFrame`]; [`SeriesError::Io`] if the file cannot be read
    /// ([`SeriesError::Http`] if it cannot be fetched from its data server).
    pub fn frame_bytes(&self, n: u32) -> Result<Vec<u8>, SeriesError> {
        let entry = self
            .frames
            .get(&n)
            .ok_or(SeriesError::NoSuchFrame { frame: n })?;
        self.files.read(entry)
    }

    /// Frame `n`, decoded as `PZFFormat.loads` decodes it.
    ///
    /// # Errors
    /// - [`SeriesError::NoSuchFrame`]; [`SeriesError::Io`] if the file cannot be read.
    /// - [`SeriesError::Decode`] if the frame cannot be decoded.
    /// - As [`Self::check_read_header`]: a FrameNum or (for a header not read on opening) a
    ///   layout that is not the frame's.
    pub fn read_frame(&self, n: u32) -> Result<PzfFrame, SeriesError> {
        let bytes = self.frame_bytes(n)?;
        let path = &self.frames[&n].path;
        let frame = pzf::decode(&bytes).map_err(|source| SeriesError::Decode {
            path: path.clone(),
            source,
        })?;
        self.check_read_header(n, &frame.header)?;
        Ok(frame)
    }

    /// Checks the header `header` just read with frame `n`'s pixels against what the index
    /// says of frame `n`. Every read of a frame's bytes checks this.
    ///
    /// # Errors
    /// - [`SeriesError::NoSuchFrame`] for a frame the series does not hold.
    /// - [`SeriesError::FrameChanged`] if the header read on opening had FrameNum `n` and
    ///   this one has another; [`SeriesError::FrameNumberMismatch`] if the header was not read
    ///   on opening (over HTTP) and its FrameNum is not the file name's `n`.
    /// - For a header not read on opening, [`SeriesError::FramesDiffer`] if its layout is not
    ///   the series' first frame's, as [`Self::check_uniform`] says of a header read on
    ///   opening; [`SeriesError::Header`] if it has no valid layout.
    pub fn check_read_header(&self, n: u32, header: &PzfHeader) -> Result<(), SeriesError> {
        let entry = self
            .frames
            .get(&n)
            .ok_or(SeriesError::NoSuchFrame { frame: n })?;
        if header.frame_num != n {
            return Err(match entry.header {
                Some(_) => SeriesError::FrameChanged {
                    path: entry.path.clone(),
                    expected: n,
                    found: header.frame_num,
                },
                None => SeriesError::FrameNumberMismatch {
                    path: entry.path.clone(),
                    name_number: n,
                    header_number: header.frame_num,
                },
            });
        }
        match entry.header {
            // Checked with every other header read on opening, by `check_uniform`.
            Some(_) => Ok(()),
            None => uniform::check_read(&self.frames, n, &entry.path, header),
        }
    }

    /// Checks that every frame shares the lowest-numbered frame's data type, shape,
    /// quantization (and parameters) and element order, and returns that layout. Over HTTP
    /// the frames whose header is not read yet ([`FrameEntry::header`]) are checked when
    /// read, by the same comparison ([`Self::check_read_header`]).
    ///
    /// # Errors
    /// [`SeriesError::FramesDiffer`] naming the first frame (by number) that differs, the
    /// field, and both values; [`SeriesError::NoSuchFrame`] (frame 0) for a series without
    /// frames.
    pub fn check_uniform(&self) -> Result<FrameLayout, SeriesError> {
        uniform::check(&self.frames)
    }
}

/// A node must hold part of the series: a frame file or one of its JSON files. A data server's
/// root (holding `NAME.pcs` directories) is the likely mistake: say what it holds.
fn check_node(node: &Path) -> Result<(), SeriesError> {
    let entries = std::fs::read_dir(node).map_err(|source| SeriesError::Io {
        path: node.to_path_buf(),
        source,
    })?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SeriesError::Io {
            path: node.to_path_buf(),
            source,
        })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    check_copy(node, names)
}

/// [`check_node`] on the names a node holds, however listed (a directory, a data server's
/// listing).
pub(crate) fn check_copy(node: &Path, mut names: Vec<String>) -> Result<(), SeriesError> {
    let is_series_file = |name: &String| {
        (name.starts_with("frame") && name.ends_with(".pzf"))
            || ["metadata.json", "final_metadata.json", "events.json"].contains(&name.as_str())
    };
    if names.iter().any(is_series_file) {
        return Ok(());
    }
    names.sort();
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let holds = match names.len() {
        0 => "nothing".to_string(),
        n if n > shown.len() => format!("{n} entries: {}, ...", shown.join(", ")),
        n => format!(
            "{n} entr{}: {}",
            if n == 1 { "y" } else { "ies" },
            shown.join(", ")
        ),
    };
    Err(SeriesError::NotASeriesCopy {
        path: node.to_path_buf(),
        holds,
    })
}
