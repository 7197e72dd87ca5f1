//! A source's frames as an OME-Zarr image (OME-NGFF): the axes and scales PYME's metadata
//! gives, frames the right way round, and a pyramid of 2×2 means.
//!
//! PYME indexes a frame as (x, y) (Width slowest in C order); every viewer of an OME-Zarr
//! image shows the last two axes as (rows, columns) = (y, x). So the image is (t, \[c\], \[z\],
//! y, x): each frame transposed. A moved PZF payload keeps its bytes in PYME's order; the
//! array says so in its chunk layout instead (Zarr v2 `"order": "F"`, whose layout of a
//! (1, …, 1, Y, X) chunk has y fastest and x slowest, as PYME's bytes; Zarr v3 a `transpose`
//! codec ahead of the array-to-bytes codec). See [`mod@write`] for the writing and
//! [`downsample`] for the pyramid levels.
//!
//! [`OmeImage`] decides the image's shape and NGFF metadata; [`convert`] its store (arrays'
//! metadata, group attributes) and the whole conversion in one call (Python's `to_ome_zarr`).
//! [`find_images`] reads the NGFF block of any store back (for `info` and `export`).

mod codec;
pub mod convert;
pub mod downsample;
mod found;
pub mod write;

pub use codec::{OmeCodec, QuantOffset};
pub use convert::{convert_into, convert_to_dir, OmeConvertError, OmeOptions, OmePlan, OmeWritten};
pub use found::{find_images, FoundImage};

use serde_json::{json, Map, Value};

use crate::{FrameLayout, FrameSelection, FrameSource};

/// Why a source cannot be written as an OME-Zarr image with the options given.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum OmeError {
    /// Frames with a third dimension (PZF Depth above 1) have no place in (y, x).
    #[error("frames of depth {depth} (PZF Depth above 1) are not written as an OME image")]
    Depth {
        /// The frames' Depth.
        depth: usize,
    },
    /// A pyramid level would have no pixel along y or x.
    #[error(
        "{levels} levels: level {level} would be {y}x{x} pixels (each level halves y and x of \
         a {y0}x{x0} frame); at most {max} levels"
    )]
    TooManyLevels {
        /// Levels asked for.
        levels: u32,
        /// The first level with no pixel.
        level: u32,
        /// Its size along y.
        y: u64,
        /// Its size along x.
        x: u64,
        /// Level 0's size along y.
        y0: u64,
        /// Level 0's size along x.
        x0: u64,
        /// The most levels the frame allows.
        max: u32,
    },
    /// float64 frames (an `.h5` `/ImageData`): the pyramid's means are not defined for them.
    #[error(
        "float64 frames are not written as an OME image (the pyramid does not downsample them)"
    )]
    Float64,
    /// Options that do not fit the image: a chunk shape other than 1 along each frame axis, a
    /// checksum on Zarr v2, a Zarr format other than 2 or 3.
    #[error("{0}")]
    Options(String),
    /// A scale given on the command line that is not a positive finite number.
    #[error("{what} {value} is not a positive finite number")]
    Scale {
        /// `pixel size`, `frame interval`.
        what: &'static str,
        /// The value.
        value: f64,
    },
}

/// The NGFF version a store's format carries: 0.4 on Zarr v2, 0.5 on Zarr v3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NgffVersion {
    /// OME-NGFF 0.4: `multiscales` in the group's `.zattrs`.
    V0_4,
    /// OME-NGFF 0.5: `ome` in the group's `zarr.json` attributes.
    V0_5,
}

impl NgffVersion {
    /// The version a Zarr format carries (2: 0.4; otherwise 0.5).
    #[must_use]
    pub fn for_zarr_format(format: u8) -> Self {
        if format == 2 {
            Self::V0_4
        } else {
            Self::V0_5
        }
    }
}

/// What the command line gives where the metadata is silent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScaleFlags {
    /// `--pixel-size`: micrometres per pixel, y and x.
    pub pixel_size: Option<f64>,
    /// `--frame-interval`: seconds between frames.
    pub frame_interval: Option<f64>,
}

/// One axis of the image, as NGFF names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// `t`, `c`, `z`, `y`, `x`.
    pub name: &'static str,
    /// Its size at level 0.
    pub size: u64,
    /// Its scale at level 0 (seconds, micrometres; 1 for channels).
    pub scale: f64,
}

impl Axis {
    fn json(&self) -> Value {
        match self.name {
            "t" => json!({"name": "t", "type": "time", "unit": "second"}),
            "c" => json!({"name": "c", "type": "channel"}),
            name => json!({"name": name, "type": "space", "unit": "micrometer"}),
        }
    }
}

/// The OME image a source becomes: its axes in NGFF order (t, \[c\], \[z\], y, x), where each
/// frame goes, and the notes to tell the user (scales not found, axes not reshaped).
#[derive(Clone, Debug, PartialEq)]
pub struct OmeImage {
    /// The axes, NGFF order.
    pub axes: Vec<Axis>,
    /// Pyramid levels (1: the image alone).
    pub levels: u32,
    /// The frame axes (t, c, z as present) in PYME's frame order, fastest first, as indices
    /// into `axes`: frame j's index along `axes[order[0]]` is `j % size`, and so on.
    frame_order: Vec<usize>,
    /// Said on stderr: where a scale came from when not the metadata, why axes were not split.
    pub notes: Vec<String>,
}

impl OmeImage {
    /// Plans the image of `selection` of `source`'s frames, with `levels` pyramid levels.
    ///
    /// Axes: t, then c and z when the metadata's SizeC or SizeZ is above 1, its DimOrder
    /// names the frame order, every frame is taken and SizeC × SizeZ × SizeT is the frame
    /// count (SizeT −1, as a spooled series writes it: the count divided by SizeC × SizeZ);
    /// otherwise t alone. Scales: `voxelsize.y`/`voxelsize.x`/`voxelsize.z` (micrometres),
    /// `Camera.CycleTime` (seconds, times the selection's step) for t; else the flags; else 1
    /// with a note.
    ///
    /// # Errors
    /// [`OmeError`]: frames with Depth above 1, a level that would have no pixel, a flag that
    /// is not a positive number.
    pub fn plan(
        source: &dyn FrameSource,
        layout: &FrameLayout,
        selection: &FrameSelection,
        levels: u32,
        flags: ScaleFlags,
    ) -> Result<Self, OmeError> {
        let [w, h, depth] = layout.shape.map(|n| n as u64);
        if depth > 1 {
            return Err(OmeError::Depth {
                depth: depth as usize,
            });
        }
        for (what, value) in [
            ("pixel size", flags.pixel_size),
            ("frame interval", flags.frame_interval),
        ] {
            if let Some(value) = value.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(OmeError::Scale { what, value });
            }
        }
        let levels = levels.max(1);
        let max = max_levels(h, w);
        if levels > max {
            return Err(OmeError::TooManyLevels {
                levels,
                level: max,
                y: h >> max,
                x: w >> max,
                y0: h,
                x0: w,
                max,
            });
        }
        let metadata = source.metadata();
        let mut notes = Vec::new();
        let number = |key: &str| {
            metadata
                .get(key)
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite() && *v > 0.0)
        };
        let scale =
            |notes: &mut Vec<String>, key: &str, flag: Option<f64>, flag_name: &str, unit: &str| {
                number(key).or(flag).unwrap_or_else(|| {
                    notes.push(format!(
                        "no {key} in the metadata and no {flag_name}: scale 1 {unit} written"
                    ));
                    1.0
                })
            };
        // PYME's pixels are square in practice: where one of voxelsize.y/x is missing (and no
        // flag says), the other is a better guess than 1, which would distort the image.
        let (y_key, x_key) = ("voxelsize.y", "voxelsize.x");
        let (pixel_y, pixel_x) = match (number(y_key), number(x_key), flags.pixel_size) {
            (Some(y), None, None) | (None, Some(y), None) => {
                let (found, missing) = if number(y_key).is_some() {
                    (y_key, x_key)
                } else {
                    (x_key, y_key)
                };
                notes.push(format!(
                    "no {missing} in the metadata and no --pixel-size: {found} ({y} micrometer) \
                     taken for both (square pixels)"
                ));
                (y, y)
            }
            _ => (
                scale(
                    &mut notes,
                    y_key,
                    flags.pixel_size,
                    "--pixel-size",
                    "micrometer",
                ),
                scale(
                    &mut notes,
                    x_key,
                    flags.pixel_size,
                    "--pixel-size",
                    "micrometer",
                ),
            ),
        };
        let step = selection.step as f64;
        let cycle = scale(
            &mut notes,
            "Camera.CycleTime",
            flags.frame_interval,
            "--frame-interval",
            "second",
        ) * step;
        let frames = selection.len;
        let (sizes, letters) = match split_frames(metadata, frames, selection.is_all(source.len()))
        {
            Ok(split) => split,
            Err(why) => {
                if let Some(why) = why {
                    notes.push(why);
                }
                (vec![frames], vec!['T'])
            }
        };
        let mut axes = Vec::new();
        let mut frame_order = vec![0; letters.len()];
        for name in ['T', 'C', 'Z'] {
            let Some(at) = letters.iter().position(|&l| l == name) else {
                continue;
            };
            frame_order[at] = axes.len();
            let (axis, scale) = match name {
                'T' => ("t", cycle),
                'C' => ("c", 1.0),
                _ => ("z", number("voxelsize.z").unwrap_or(1.0)),
            };
            if name == 'Z' && number("voxelsize.z").is_none() {
                notes.push("no voxelsize.z in the metadata: z scale 1 micrometer written".into());
            }
            axes.push(Axis {
                name: axis,
                size: sizes[at],
                scale,
            });
        }
        axes.push(Axis {
            name: "y",
            size: h,
            scale: pixel_y,
        });
        axes.push(Axis {
            name: "x",
            size: w,
            scale: pixel_x,
        });
        Ok(Self {
            axes,
            levels,
            frame_order,
            notes,
        })
    }

    /// The axis names, for a Zarr v3 array's `dimension_names`.
    #[must_use]
    pub fn dimension_names(&self) -> Vec<&'static str> {
        self.axes.iter().map(|a| a.name).collect()
    }

    /// How many frame axes lead (t, c, z as present).
    #[must_use]
    pub fn frame_axes(&self) -> usize {
        self.axes.len() - 2
    }

    /// The shape of level `level`: y and x halved (rounded down) per level.
    #[must_use]
    pub fn level_shape(&self, level: u32) -> Vec<u64> {
        let n = self.axes.len();
        self.axes
            .iter()
            .enumerate()
            .map(|(i, a)| if i + 2 >= n { a.size >> level } else { a.size })
            .collect()
    }

    /// Where output frame `j` goes: its index along each frame axis.
    #[must_use]
    pub fn frame_index(&self, j: u64) -> Vec<u64> {
        let mut index = vec![0; self.frame_axes()];
        let mut rest = j;
        for &axis in &self.frame_order {
            let size = self.axes[axis].size.max(1);
            index[axis] = rest % size;
            rest /= size;
        }
        index
    }

    /// The scale of level `level` along each axis: y and x doubled per level.
    #[must_use]
    pub fn level_scale(&self, level: u32) -> Vec<f64> {
        let n = self.axes.len();
        let factor = f64::from(1u32 << level.min(31));
        self.axes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if i + 2 >= n {
                    a.scale * factor
                } else {
                    a.scale
                }
            })
            .collect()
    }

    /// The group attributes: the NGFF block (`multiscales` for 0.4; `ome` for 0.5) next to
    /// `pyme` (PYME's metadata and events, [`crate::attributes`]), the image named `name`, its
    /// levels at paths `0`, `1`, ….
    #[must_use]
    pub fn group_attributes(
        &self,
        name: &str,
        version: NgffVersion,
        pyme: Map<String, Value>,
    ) -> Map<String, Value> {
        let datasets: Vec<Value> = (0..self.levels)
            .map(|level| {
                let mut transforms =
                    vec![json!({"type": "scale", "scale": self.level_scale(level)})];
                if level > 0 {
                    // A level's pixel is the mean of 2^level × 2^level pixels of level 0: its
                    // centre is half a block minus half a pixel further along y and x.
                    let n = self.axes.len();
                    let shift: Vec<f64> = self
                        .axes
                        .iter()
                        .enumerate()
                        .map(|(i, a)| {
                            if i + 2 >= n {
                                a.scale * (f64::from(1u32 << level.min(31)) - 1.0) / 2.0
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    transforms.push(json!({"type": "translation", "translation": shift}));
                }
                json!({"path": level.to_string(), "coordinateTransformations": transforms})
            })
            .collect();
        let mut image = json!({
            "name": name,
            "axes": self.axes.iter().map(Axis::json).collect::<Vec<_>>(),
            "datasets": datasets,
        });
        if self.levels > 1 {
            image["type"] = json!("mean");
            image["metadata"] = json!({
                "description": "each level the mean of 2x2 pixels of the one above (an odd last \
                                row or column dropped), rounded half to even in the data type",
                "method": "pymecompress",
            });
        }
        let mut attributes = pyme;
        match version {
            NgffVersion::V0_4 => {
                image["version"] = json!("0.4");
                attributes.insert("multiscales".into(), json!([image]));
            }
            NgffVersion::V0_5 => {
                attributes.insert(
                    "ome".into(),
                    json!({"version": "0.5", "multiscales": [image]}),
                );
            }
        }
        attributes
    }
}

/// How many levels a y × x frame allows: each halves both, and the last has a pixel.
fn max_levels(y: u64, x: u64) -> u32 {
    let smaller = y.min(x).max(1);
    smaller.ilog2() + 1
}

/// The frame axes PYME's metadata gives, fastest first (sizes and letters `T`, `C`, `Z`), or
/// why not (`None`: nothing to say, the metadata names no more than t).
fn split_frames(
    metadata: &Map<String, Value>,
    frames: u64,
    all_frames: bool,
) -> Result<(Vec<u64>, Vec<char>), Option<String>> {
    let size = |key: &str| metadata.get(key).and_then(Value::as_i64);
    let (c, z) = (size("SizeC").unwrap_or(1), size("SizeZ").unwrap_or(1));
    if c <= 1 && z <= 1 {
        return Err(None);
    }
    let not = |why: String| Err(Some(format!("frames written along t alone: {why}")));
    if !all_frames {
        return not("--frames takes part of the stack, so SizeC/SizeZ do not split it".into());
    }
    let order = metadata
        .get("DimOrder")
        .and_then(Value::as_str)
        .unwrap_or("");
    let letters: Vec<char> = order.chars().skip(2).collect();
    let mut sorted = letters.clone();
    sorted.sort_unstable();
    if !order.starts_with("XY") || sorted != ['C', 'T', 'Z'] {
        return not(format!(
            "DimOrder {order:?} is not XY followed by C, Z and T in some order"
        ));
    }
    let (c, z) = (c.max(1) as u64, z.max(1) as u64);
    let t = match size("SizeT") {
        Some(t) if t > 0 => t as u64,
        _ if frames.is_multiple_of(c * z) => frames / (c * z),
        _ => 0,
    };
    if c * z * t != frames {
        return not(format!(
            "SizeC {c} x SizeZ {z} x SizeT {t} is not the {frames} frames there are"
        ));
    }
    // t, and c and z where longer than 1, in the frame order.
    let kept: Vec<char> = letters
        .into_iter()
        .filter(|&l| l == 'T' || (l == 'C' && c > 1) || (l == 'Z' && z > 1))
        .collect();
    let sizes = kept
        .iter()
        .map(|l| match l {
            'C' => c,
            'Z' => z,
            _ => t,
        })
        .collect();
    Ok((sizes, kept))
}
