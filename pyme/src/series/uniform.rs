//! Checking that a series' frames can be stacked: same data type, shape, quantization and
//! element order as the series' first frame.
//!
//! The first frame is the lowest-numbered one whose header is read: always the lowest-numbered
//! frame, whose header opening (and following) reads. Frames whose header is not read yet (a
//! series over HTTP) are checked when they are read ([`check_read`]).

use std::collections::BTreeMap;
use std::path::Path;

use pymecompress_codecs::pzf::PzfHeader;

use super::{FrameEntry, SeriesError};
use crate::layout::FrameLayout;

/// Checks every header read so far against the first frame's, and returns the first frame's
/// layout.
pub(crate) fn check(frames: &BTreeMap<u32, FrameEntry>) -> Result<FrameLayout, SeriesError> {
    let (first_frame, layout) = first_layout(frames)?;
    for (&frame, entry) in frames {
        if let (Some(header), true) = (&entry.header, frame != first_frame) {
            compare(first_frame, &layout, frame, &entry.path, header)?;
        }
    }
    Ok(layout)
}

/// Checks frame `frame`'s header `header`, read from `path` with its pixels, against the
/// series' first frame: the same error [`check`] gives for a header read on opening.
pub(crate) fn check_read(
    frames: &BTreeMap<u32, FrameEntry>,
    frame: u32,
    path: &Path,
    header: &PzfHeader,
) -> Result<(), SeriesError> {
    let (first_frame, layout) = first_layout(frames)?;
    if frame == first_frame {
        return Ok(());
    }
    compare(first_frame, &layout, frame, path, header)
}

/// The lowest-numbered frame whose header is read, and its layout.
fn first_layout(frames: &BTreeMap<u32, FrameEntry>) -> Result<(u32, FrameLayout), SeriesError> {
    let (&first_frame, header, path) = frames
        .iter()
        .find_map(|(n, e)| e.header.as_ref().map(|h| (n, h, &e.path)))
        .ok_or(SeriesError::NoSuchFrame { frame: 0 })?;
    let layout = layout_of(path, header)?;
    Ok((first_frame, layout))
}

fn layout_of(path: &Path, header: &PzfHeader) -> Result<FrameLayout, SeriesError> {
    FrameLayout::of(header).map_err(|source| SeriesError::Header {
        path: path.to_path_buf(),
        source,
    })
}

/// [`SeriesError::FramesDiffer`] naming the first field in which frame `frame` (at `path`,
/// with `header`) differs from `layout`, the first frame's.
fn compare(
    first_frame: u32,
    layout: &FrameLayout,
    frame: u32,
    path: &Path,
    header: &PzfHeader,
) -> Result<(), SeriesError> {
    let other = layout_of(path, header)?;
    let differ = |field, expected: String, found: String| SeriesError::FramesDiffer {
        frame,
        path: path.to_path_buf(),
        first_frame,
        field,
        expected,
        found,
    };
    if other.data_format != layout.data_format {
        return Err(differ(
            "data type",
            format!("{:?}", layout.data_format),
            format!("{:?}", other.data_format),
        ));
    }
    if other.shape != layout.shape {
        return Err(differ(
            "shape",
            format!("{:?}", layout.shape),
            format!("{:?}", other.shape),
        ));
    }
    if (other.quantization, other.quant) != (layout.quantization, layout.quant) {
        let show = |l: &FrameLayout| match l.quant {
            Some(q) => format!("sqrt (offset {}, scale {})", q.offset, q.scale),
            None => "none".to_string(),
        };
        return Err(differ("quantization", show(layout), show(&other)));
    }
    if other.order != layout.order {
        return Err(differ(
            "DimOrder",
            format!("{:?}", layout.order),
            format!("{:?}", other.order),
        ));
    }
    Ok(())
}
