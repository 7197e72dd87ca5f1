//! What the tests that write a source into zarr share: an in-memory Zarr v2 array of one frame
//! per chunk, and `write_frames` over every frame with no resume and no progress.
#![allow(dead_code)]

use std::sync::Arc;

use pymecompress_pyme::to_zarr::{write_frames, PassThrough, WriteHooks, WriteStats};
use pymecompress_pyme::{FrameSelection, FrameSource, SourceError};
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress as _; // registers the codecs

/// A Zarr v2 array of one frame per chunk, in memory, for `source`.
pub fn frame_array(source: &dyn FrameSource, compressor: serde_json::Value) -> Array<MemoryStore> {
    let layout = source.layout().unwrap();
    let [w, h, _] = layout.shape;
    let metadata: ArrayMetadataV2 = serde_json::from_value(serde_json::json!({
        "zarr_format": 2, "shape": [source.len(), w, h], "chunks": [1, w, h],
        "dtype": layout.pixel.numpy_descr(), "compressor": compressor,
        "fill_value": 0, "order": "C", "filters": null,
    }))
    .unwrap();
    Array::new_with_metadata(
        Arc::new(MemoryStore::new()),
        "/",
        ArrayMetadata::V2(metadata),
    )
    .unwrap()
}

/// Writes every frame of `source` into `target`, moving payloads as `pass` allows.
pub fn write_all(
    source: &dyn FrameSource,
    target: &Array<MemoryStore>,
    pass: Option<PassThrough>,
) -> Result<WriteStats, SourceError> {
    let layout = source.layout().unwrap();
    write_frames(
        source,
        &layout,
        &FrameSelection::all(source.len()),
        target,
        pass,
        &WriteHooks {
            row_done: &|_| false,
            frames_done: &|_| {},
        },
    )
}
