//! Following a series that is still being acquired: [`Series::open_live`] accepts places that
//! do not exist or hold nothing yet, and [`Series::refresh`] lists them again, indexing the
//! frame files that appeared since and re-reading the JSON files (`events.json` appearing is
//! PYME's mark of a finished acquisition).
//!
//! A frame file is written while it is listed (PYME's data server writes it as the PUT's body
//! arrives), so a file seen for the first time is not indexed yet: it is indexed once a later
//! listing finds it at the same length, or once `events.json` exists (the spooler sends it
//! after every frame). Only files seen at a stable length are read, so a half-written header
//! is never taken for a bad frame.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::index;
use super::metadata::{self, SeriesJson};
use super::{FrameFiles, LocalFiles, Series, SeriesError};

/// What the places of a series hold now.
pub(crate) struct Listing {
    /// Every frame file: the number its name gives, where it is, its length now (`None`: a
    /// data server's listing gave no size).
    pub frames: Vec<(u32, PathBuf, Option<u64>)>,
    /// The JSON files, read after the frame files were listed.
    pub json: Result<SeriesJson, SeriesError>,
}

/// What following remembers between listings.
#[derive(Clone, Debug, Default)]
pub(crate) struct LiveState {
    /// Frame files indexed (or merged as identical copies of an indexed frame): done with.
    settled: HashSet<PathBuf>,
    /// Frame files listed but not indexed yet, with the length they had.
    pending: HashMap<PathBuf, Option<u64>>,
}

/// What one [`Series::refresh`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refresh {
    /// Frames indexed by this refresh.
    pub new_frames: usize,
    /// Whether anything changed since the last listing: a new frame, a frame file that is new
    /// or still growing, or a JSON file that appeared or changed. A series whose listings stop
    /// changing has stopped being written.
    pub changed: bool,
}

impl Series {
    /// Opens the series in `dir` and its copies `nodes` as [`Series::open`] does, for a series
    /// that may still be being acquired: a place that does not exist yet or holds nothing is
    /// accepted, and `Ok(None)` says that no place holds `metadata.json` yet (PYME writes it
    /// first). Frame files are indexed as [`Series::refresh`] does.
    ///
    /// # Errors
    /// As [`Series::refresh`].
    pub fn open_live(
        dir: impl AsRef<Path>,
        nodes: &[PathBuf],
    ) -> Result<Option<Self>, SeriesError> {
        let mut dirs = vec![dir.as_ref().to_path_buf()];
        dirs.extend(nodes.iter().cloned());
        Self::open_live_with(dirs, Arc::new(LocalFiles))
    }

    /// [`Series::open_live`] for places read through `files` (disk, or the data servers).
    pub(crate) fn open_live_with(
        dirs: Vec<PathBuf>,
        files: Arc<dyn FrameFiles>,
    ) -> Result<Option<Self>, SeriesError> {
        let listing = files.relist(&dirs)?;
        let json = match listing.json {
            Ok(json) => json,
            Err(SeriesError::MissingMetadata { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut series = Self::from_parts(dirs, json, BTreeMap::new(), files)?;
        series.take_frames(listing.frames)?;
        Ok(Some(series))
    }

    /// Lists the series' places again: indexes the frame files that are new and no longer
    /// growing, and takes the JSON files as they now are. Once `events.json` has appeared,
    /// lists once more, so that every frame and JSON file sent before it is seen: over HTTP
    /// after waiting out the data servers' listing cache (1.2 s: a listing that found
    /// `events.json` on one server may have been a second old on another, without the
    /// `final_metadata.json` sent just before).
    ///
    /// # Errors
    /// - [`SeriesError::Io`] / [`SeriesError::Http`] for a place or file that cannot be read:
    ///   the caller may try again later.
    /// - [`SeriesError::MissingMetadata`] if `metadata.json` has gone;
    ///   [`SeriesError::InvalidJson`], [`SeriesError::ConflictingCopies`] for the JSON files.
    /// - The frame file errors of [`Series::open`].
    pub fn refresh(&mut self) -> Result<Refresh, SeriesError> {
        let was_finished = self.is_finished();
        let mut found = self.refresh_once()?;
        if !was_finished && self.is_finished() {
            std::thread::sleep(self.files.listing_lag());
            let again = self.refresh_once()?;
            found.new_frames += again.new_frames;
        }
        Ok(found)
    }

    fn refresh_once(&mut self) -> Result<Refresh, SeriesError> {
        let listing = self.files.relist(&self.dirs)?;
        let json = listing.json?;
        let changed_json = json.metadata != self.metadata
            || json.final_metadata != self.final_metadata
            || json.events != self.events;
        self.dimensions = metadata::dimensions(&json.metadata_path, &json.metadata)?;
        self.metadata = json.metadata;
        self.final_metadata = json.final_metadata;
        self.events = json.events;
        let mut found = self.take_frames(listing.frames)?;
        found.changed |= changed_json;
        Ok(found)
    }

    /// Indexes the listed frame files that are ready: seen at the same length before, or
    /// listed once the series is finished.
    fn take_frames(
        &mut self,
        listed: Vec<(u32, PathBuf, Option<u64>)>,
    ) -> Result<Refresh, SeriesError> {
        let finished = self.is_finished();
        let mut changed = false;
        let mut ready = Vec::new();
        let mut pending = HashMap::new();
        for (number, path, len) in listed {
            if self.live.settled.contains(&path) {
                continue;
            }
            let before = self.live.pending.get(&path).copied();
            if finished || before == Some(len) {
                ready.push((number, path, len));
            } else {
                changed |= before != Some(len);
                pending.insert(path, len);
            }
        }
        self.live.pending = pending;
        let known = self.frames.len();
        let paths: Vec<PathBuf> = ready.iter().map(|(_, p, _)| p.clone()).collect();
        self.files.index_new(ready, &mut self.frames)?;
        self.live.settled.extend(paths);
        let new_frames = self.frames.len() - known;
        Ok(Refresh {
            new_frames,
            changed: changed || new_frames > 0,
        })
    }
}

/// [`FrameFiles::relist`] on disk: a directory that does not exist (yet) holds nothing.
pub(crate) fn relist_local(dirs: &[PathBuf]) -> Result<Listing, SeriesError> {
    let mut frames = Vec::new();
    for dir in dirs {
        let paths = match index::sorted_entries(dir) {
            Ok(paths) => paths,
            Err(SeriesError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                continue
            }
            Err(e) => return Err(e),
        };
        for path in paths {
            let Some(number) = index::frame_number_of(&path)? else {
                continue;
            };
            let len = match std::fs::metadata(&path) {
                Ok(m) => m.len(),
                // Gone between the listing and now: the next listing says what it became.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(SeriesError::Io { path, source }),
            };
            frames.push((number, path, Some(len)));
        }
    }
    Ok(Listing {
        frames,
        json: metadata::read_series_json(dirs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_that_does_not_exist_holds_nothing() {
        let dir = std::env::temp_dir().join(format!("live-missing-{}", std::process::id()));
        let listing = relist_local(&[dir.join("scan.pcs")]).unwrap();
        assert!(listing.frames.is_empty());
        assert!(matches!(
            listing.json,
            Err(SeriesError::MissingMetadata { .. })
        ));
    }
}
