//! A cluster series as a [`FrameSource`]: slot `i` is the frame whose header's FrameNum is `i`.

use std::path::{Path, PathBuf};

use pymecompress_codecs::pzf::{PzfFrame, PzfHeader};
use serde_json::{Map, Value};

use super::{Event, Series, SeriesError};
use crate::source::{decode_frame_into, FrameSource, Payload, SourceKind};
use crate::{FrameLayout, SourceError};

/// A series' error as a source's: a failed fetch as [`SourceError::Http`] (it names the
/// server and file), anything else under the series' first place `dir`.
pub(crate) fn source_error(dir: &Path, source: SeriesError) -> SourceError {
    match source {
        SeriesError::Http(e) => SourceError::Http(e),
        source => SourceError::Series {
            dir: dir.to_path_buf(),
            source,
        },
    }
}

impl Series {
    fn source_error(&self, source: SeriesError) -> SourceError {
        let dir = self.dirs().first().map_or(Path::new(""), PathBuf::as_path);
        source_error(dir, source)
    }

    /// The frame number of slot `i`, if the series holds it (frame numbers are u32).
    fn present_number(&self, i: u64) -> Option<u32> {
        u32::try_from(i).ok().filter(|&n| self.frame(n).is_some())
    }
}

impl FrameSource for Series {
    fn kind(&self) -> SourceKind {
        SourceKind::Series
    }

    fn concurrent_reads(&self) -> usize {
        self.files.concurrent_reads(self.dirs.len())
    }

    fn name(&self) -> &str {
        self.label()
    }

    fn locations(&self) -> Vec<String> {
        self.dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect()
    }

    fn len(&self) -> u64 {
        let present_end = self.frame_numbers().last().map_or(0, |n| u64::from(n) + 1);
        self.expected_frames()
            .map_or(present_end, |n| n.max(present_end))
    }

    fn present_count(&self) -> u64 {
        self.frame_count() as u64
    }

    fn is_present(&self, i: u64) -> bool {
        self.present_number(i).is_some()
    }

    fn missing(&self) -> Vec<u64> {
        Series::missing(self).into_iter().map(u64::from).collect()
    }

    fn is_finished(&self) -> bool {
        Series::is_finished(self)
    }

    fn expected_frames(&self) -> Option<u64> {
        Series::expected_frames(self)
    }

    fn layout(&self) -> Result<FrameLayout, SourceError> {
        self.check_uniform().map_err(|e| self.source_error(e))
    }

    fn first_header(&self) -> Option<PzfHeader> {
        let first = self.frame_numbers().next()?;
        self.frame_header(first).copied()
    }

    /// Over HTTP, the sizes the servers list, which PYME's may overstate
    /// ([`FrameEntry::len`](super::FrameEntry::len)).
    fn stored_bytes(&self) -> u64 {
        self.frame_numbers()
            .filter_map(|n| self.frame(n))
            .map(|e| e.len)
            .sum()
    }

    fn metadata(&self) -> &Map<String, Value> {
        Series::metadata(self)
    }

    fn final_metadata(&self) -> Option<&Map<String, Value>> {
        Series::final_metadata(self)
    }

    fn events(&self) -> Option<&[Event]> {
        Series::events(self)
    }

    fn payload(&self, i: u64) -> Result<Option<Payload>, SourceError> {
        let Some(n) = self.present_number(i) else {
            return Ok(None);
        };
        let bytes = self.frame_bytes(n).map_err(|e| self.source_error(e))?;
        let path = self.frame(n).map(|e| e.path.clone()).unwrap_or_default();
        let payload = Payload::parse(bytes)
            .map_err(|source| self.source_error(SeriesError::Header { path, source }))?;
        self.check_read_header(n, &payload.header)
            .map_err(|e| self.source_error(e))?;
        Ok(Some(payload))
    }

    fn read_frame(&self, i: u64) -> Result<Option<PzfFrame>, SourceError> {
        let Some(n) = self.present_number(i) else {
            return Ok(None);
        };
        Series::read_frame(self, n)
            .map(Some)
            .map_err(|e| self.source_error(e))
    }

    /// A frame in C order is decoded straight into `out`
    /// ([`pymecompress_codecs::pzf::decode_into`]); one in F order (numpy's 1xN frames) through
    /// `pzf::decode`, as [`Self::read_frame`] reads it.
    fn read_frame_into(&self, i: u64, out: &mut [u8]) -> Result<bool, SourceError> {
        let Some(n) = self.present_number(i) else {
            return Ok(false);
        };
        let bytes = self.frame_bytes(n).map_err(|e| self.source_error(e))?;
        let path = self.frame(n).map(|e| e.path.clone()).unwrap_or_default();
        let decode_error = |source| {
            self.source_error(SeriesError::Decode {
                path: path.clone(),
                source,
            })
        };
        let header = PzfHeader::parse(&bytes).map_err(decode_error)?;
        self.check_read_header(n, &header)
            .map_err(|e| self.source_error(e))?;
        decode_frame_into(
            &bytes,
            header.dim_order,
            (self.name(), i),
            out,
            decode_error,
        )
        .map(|()| true)
    }
}
