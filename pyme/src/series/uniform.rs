//! Checking that a series' frames can be stacked: same data type, shape, quantization and
//! element order.

use std::collections::BTreeMap;

use super::{FrameEntry, SeriesError};
use crate::layout::FrameLayout;

pub(crate) fn check(frames: &BTreeMap<u32, FrameEntry>) -> Result<FrameLayout, SeriesError> {
    let mut iter = frames.iter();
    let (&first_frame, first) = iter.next().ok_or(SeriesError::NoSuchFrame { frame: 0 })?;
    let of = |entry: &FrameEntry| {
        FrameLayout::of(&entry.header).map_err(|source| SeriesError::Header {
            path: entry.path.clone(),
            source,
        })
    };
    let layout = of(first)?;
    for (&frame, entry) in iter {
        let other = of(entry)?;
        let differ = |field, expected: String, found: String| SeriesError::FramesDiffer {
            frame,
            path: entry.path.clone(),
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
            return Err(differ("quantization", show(&layout), show(&other)));
        }
        if other.order != layout.order {
            return Err(differ(
                "DimOrder",
                format!("{:?}", layout.order),
                format!("{:?}", other.order),
            ));
        }
    }
    Ok(layout)
}
