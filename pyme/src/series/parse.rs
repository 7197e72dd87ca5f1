//! The series' parsers on bytes and names alone, without a directory: the entry points the
//! `series_metadata` fuzz target drives. Not needed to read a series ([`super::Series`] does
//! all this); errors name the file as `<input>`.

use std::path::Path;

use serde_json::{Map, Value};

use super::metadata::{self, Dimensions, Event};
use super::{index, SeriesError};

fn input() -> &'static Path {
    Path::new("<input>")
}

fn json(text: &[u8]) -> Result<Value, SeriesError> {
    serde_json::from_slice(text).map_err(|e| SeriesError::InvalidJson {
        path: input().to_path_buf(),
        reason: format!("not JSON: {e}"),
    })
}

/// `metadata.json` (or `final_metadata.json`): a JSON object.
///
/// # Errors
/// [`SeriesError::InvalidJson`] for anything else.
pub fn metadata_json(text: &[u8]) -> Result<Map<String, Value>, SeriesError> {
    metadata::parse_object(input(), json(text)?)
}

/// `events.json`: a list of `[name, description, time]`.
///
/// # Errors
/// [`SeriesError::InvalidJson`] for anything else.
pub fn events_json(text: &[u8]) -> Result<Vec<Event>, SeriesError> {
    metadata::parse_events(input(), json(text)?)
}

/// The dimensions a metadata object gives.
///
/// # Errors
/// [`SeriesError::InvalidJson`] for a bad `DimOrder` or size.
pub fn dimensions(metadata: &Map<String, Value>) -> Result<Dimensions, SeriesError> {
    metadata::dimensions(input(), metadata)
}

/// The frame number of a frame file name (`frame%05d.pzf`); `None` for a non-`.pzf` name.
///
/// # Errors
/// [`SeriesError::UnexpectedFrameFile`] for a `.pzf` named otherwise.
pub fn frame_number(name: &str) -> Result<Option<u32>, SeriesError> {
    index::frame_number_of(Path::new(name))
}
