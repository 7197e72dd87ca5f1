//! One `.pzf` file as a [`FrameSource`]: a single frame, the whole array shaped as
//! `PZFFormat.loads` returns it (Width, Height, Depth).

use std::path::{Path, PathBuf};

use pymecompress_codecs::pzf::{self, PzfFrame, PzfHeader};
use serde_json::{Map, Value};

use crate::source::{FrameSource, Payload, SourceKind};
use crate::{FrameLayout, SourceError};

/// An opened `.pzf` file: its bytes are read once, on opening.
#[derive(Debug)]
pub struct PzfFile {
    path: PathBuf,
    name: String,
    payload: Payload,
    empty: Map<String, Value>,
}

impl PzfFile {
    /// Reads `path` and parses its header.
    ///
    /// # Errors
    /// [`SourceError::Io`] if it cannot be read (a missing file: "No such file");
    /// [`SourceError::Pzf`] if its header is not valid PZF.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|source| SourceError::Io {
            path: path.clone(),
            source,
        })?;
        let payload = Payload::parse(bytes).map_err(|source| SourceError::Pzf {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            name: path.display().to_string(),
            path,
            payload,
            empty: Map::new(),
        })
    }

    fn pzf_error(&self, source: pzf::PzfError) -> SourceError {
        SourceError::Pzf {
            path: self.path.clone(),
            source,
        }
    }
}

impl FrameSource for PzfFile {
    fn kind(&self) -> SourceKind {
        SourceKind::Pzf
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn len(&self) -> u64 {
        1
    }

    fn present_count(&self) -> u64 {
        1
    }

    fn is_present(&self, i: u64) -> bool {
        i == 0
    }

    fn missing(&self) -> Vec<u64> {
        Vec::new()
    }

    fn is_stack(&self) -> bool {
        false
    }

    fn layout(&self) -> Result<FrameLayout, SourceError> {
        FrameLayout::of(&self.payload.header).map_err(|e| self.pzf_error(e))
    }

    fn first_header(&self) -> Option<PzfHeader> {
        Some(self.payload.header)
    }

    fn stored_bytes(&self) -> u64 {
        self.payload.bytes.len() as u64
    }

    fn metadata(&self) -> &Map<String, Value> {
        &self.empty
    }

    fn payload(&self, i: u64) -> Result<Option<Payload>, SourceError> {
        Ok((i == 0).then(|| self.payload.clone()))
    }

    fn read_frame(&self, i: u64) -> Result<Option<PzfFrame>, SourceError> {
        if i != 0 {
            return Ok(None);
        }
        pzf::decode(&self.payload.bytes)
            .map(Some)
            .map_err(|e| self.pzf_error(e))
    }
}
