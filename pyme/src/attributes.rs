//! PYME's metadata as zarr attributes: what a converted array records of its source.

use serde_json::{json, Map, Value};

use crate::{FrameSelection, FrameSource};

/// Attribute holding `metadata.json` (flat, dotted keys such as `Camera.ADOffset`).
pub const METADATA: &str = "pyme_metadata";
/// Attribute holding `final_metadata.json`.
pub const FINAL_METADATA: &str = "pyme_final_metadata";
/// Attribute holding the events, each `[EventName, EventDescr, Time]`.
pub const EVENTS: &str = "pyme_events";
/// Attribute listing the frames (source frame numbers) absent from the source, written as the
/// fill value.
pub const MISSING_FRAMES: &str = "pyme_missing_frames";
/// Attribute recording which source frames an output took, when not all of them.
pub const FRAME_SELECTION: &str = "pyme_frame_selection";

/// The attributes of an array written from `source` (taking `selection` of its frames):
/// its metadata, final metadata and events as PYME wrote them, and any missing frames.
#[must_use]
pub fn zarr_attributes(source: &dyn FrameSource, selection: &FrameSelection) -> Map<String, Value> {
    let mut attributes = Map::new();
    if !source.metadata().is_empty() || source.is_stack() {
        attributes.insert(METADATA.into(), Value::Object(source.metadata().clone()));
    }
    if let Some(events) = source.events() {
        let events: Vec<Value> = events
            .iter()
            .map(|e| json!([e.name, e.description, e.time]))
            .collect();
        attributes.insert(EVENTS.into(), Value::Array(events));
    }
    if let Some(m) = source.final_metadata() {
        attributes.insert(FINAL_METADATA.into(), Value::Object(m.clone()));
    }
    let taken: Vec<u64> = source
        .missing()
        .into_iter()
        .filter(|&n| {
            n >= selection.start
                && (n - selection.start).is_multiple_of(selection.step)
                && (n - selection.start) / selection.step < selection.len
        })
        .collect();
    if !taken.is_empty() {
        attributes.insert(MISSING_FRAMES.into(), json!(taken));
    }
    if !selection.is_all(source.len()) {
        attributes.insert(FRAME_SELECTION.into(), json!(selection));
    }
    attributes
}
