//! Checking that a series' frames can be stacked: same data type, shape, quantization and
//! element order.

use std::collections::BTreeMap;

use pymecompress_codecs::pzf::{DataFormat, DimOrder, PzfHeader, Quantization};

use super::{FrameEntry, SeriesError};

/// What all frames of a series share, from their headers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameLayout {
    /// DataFormat.
    pub data_format: DataFormat,
    /// (Width, Height, Depth).
    pub shape: [usize; 3],
    /// DataQuantization.
    pub quantization: Quantization,
    /// QuantOffset and QuantScale when quantized (`None` otherwise: `dumps` records zeros).
    pub quant_params: Option<(f32, f32)>,
    /// The element order of the pixels; C for frames with at most one dimension longer than
    /// 1, whose C and F orders are the same sequence (`dumps` records F for those).
    pub order: DimOrder,
}

impl FrameLayout {
    /// The layout of one frame's header.
    #[must_use]
    pub fn of(header: &PzfHeader) -> Self {
        let shape = header.shape();
        let long_dims = shape.iter().filter(|&&d| d > 1).count();
        Self {
            data_format: header.data_format,
            shape,
            quantization: header.quantization,
            quant_params: (header.quantization == Quantization::Sqrt)
                .then_some((header.quant_offset, header.quant_scale)),
            order: if long_dims <= 1 {
                DimOrder::C
            } else {
                header.dim_order
            },
        }
    }
}

pub(crate) fn check(frames: &BTreeMap<u32, FrameEntry>) -> Result<FrameLayout, SeriesError> {
    let mut iter = frames.iter();
    let (&first_frame, first) = iter.next().ok_or(SeriesError::NoSuchFrame { frame: 0 })?;
    let layout = FrameLayout::of(&first.header);
    for (&frame, entry) in iter {
        let other = FrameLayout::of(&entry.header);
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
        if (other.quantization, other.quant_params) != (layout.quantization, layout.quant_params) {
            let show = |l: &FrameLayout| match l.quant_params {
                Some((offset, scale)) => format!("sqrt (offset {offset}, scale {scale})"),
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
