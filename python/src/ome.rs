//! `pymecompress_rs.ome.to_ome_zarr`'s native half: a PYME source written as an OME-Zarr image
//! by the `pymecompress-pyme` crate (`ome::convert_to_dir`, the code `pymecompress convert
//! --ome` runs), with the GIL released.
//!
//! Thin: which codec, which axes and scales, how the image is laid out and written are the
//! crate's; this file turns Python's arguments into its options and its answer into a dict.

use std::path::{Path, PathBuf};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use pymecompress_pyme::ome::{convert_to_dir, OmeCodec, OmeConvertError, OmeOptions, QuantOffset};
use pymecompress_pyme::{gaps, open_source, FrameSelection, ScaleFlags};

use crate::errors::PymeSourceError;

/// The options a conversion takes besides the source and the output.
struct Args {
    levels: u32,
    codec: Option<String>,
    zarr_format: u8,
    offset: Option<QuantOffset>,
    scale: Option<f64>,
    zstd_level: i32,
    pixel_size: Option<f64>,
    frame_interval: Option<f64>,
    allow_incomplete: bool,
}

/// What went wrong, before it becomes a Python exception (outside the GIL-free part).
enum Failed {
    /// The arguments do not fit this source (`ValueError`).
    Value(String),
    /// The source or the output (`PymeSourceError`).
    Source(String),
}

/// Converts `source` (a path or an `http://` series URL, with `nodes`, the series' copies on
/// other data servers) into an OME-Zarr image at `out`, every frame, without the GIL. Returns
/// a dict: `name`, `axes`, `shape`, `scale` (level 0), `levels`, `zarr_format`, `codec`,
/// `moved` (frames whose payloads were moved as stored), `notes`, `incomplete` (what the
/// source lacks, `None` when complete).
#[pyfunction]
#[pyo3(signature = (
    source, out, nodes, levels, codec, zarr_format, offset, scale, zstd_level, pixel_size,
    frame_interval, allow_incomplete,
))]
#[allow(clippy::too_many_arguments)]
fn ome_to_ome_zarr<'py>(
    py: Python<'py>,
    source: String,
    out: PathBuf,
    nodes: Vec<String>,
    levels: u32,
    codec: Option<String>,
    zarr_format: u8,
    offset: Option<Bound<'py, PyAny>>,
    scale: Option<f64>,
    zstd_level: i32,
    pixel_size: Option<f64>,
    frame_interval: Option<f64>,
    allow_incomplete: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let offset = match offset {
        None => None,
        Some(o) if o.extract::<String>().is_ok_and(|s| s == "auto") => Some(QuantOffset::Auto),
        Some(o) => Some(QuantOffset::Value(o.extract::<f64>().map_err(|_| {
            PyValueError::new_err("offset: a number, or \"auto\" (Camera.ADOffset)")
        })?)),
    };
    let args = Args {
        levels,
        codec,
        zarr_format,
        offset,
        scale,
        zstd_level,
        pixel_size,
        frame_interval,
        allow_incomplete,
    };
    let nodes: Vec<PathBuf> = nodes.into_iter().map(PathBuf::from).collect();
    let done = py
        .detach(|| convert(&source, &nodes, &out, &args))
        .map_err(|e| match e {
            Failed::Value(m) => PyValueError::new_err(m),
            Failed::Source(m) => PymeSourceError::new_err(m),
        })?;
    let result = PyDict::new(py);
    result.set_item("name", done.name)?;
    result.set_item("axes", done.axes)?;
    result.set_item("shape", done.shape)?;
    result.set_item("scale", done.scale)?;
    result.set_item("levels", done.levels)?;
    result.set_item("zarr_format", zarr_format)?;
    result.set_item("codec", done.codec)?;
    result.set_item("moved", done.moved)?;
    result.set_item("notes", done.notes)?;
    result.set_item("incomplete", done.incomplete)?;
    Ok(result)
}

/// What a finished conversion reports.
struct Done {
    name: String,
    axes: Vec<&'static str>,
    shape: Vec<u64>,
    scale: Vec<f64>,
    levels: u32,
    codec: &'static str,
    moved: u64,
    notes: Vec<String>,
    incomplete: Option<String>,
}

fn convert(source: &str, nodes: &[PathBuf], out: &Path, a: &Args) -> Result<Done, Failed> {
    let from_source = |e: pymecompress_pyme::SourceError| Failed::Source(chain(&e));
    let opened = open_source(Path::new(source), nodes).map_err(from_source)?;
    let Some(opened) = opened else {
        return Err(Failed::Value(format!(
            "{source}: not a PYME source (a .pzf file, a .h5 file, a series directory NAME.pcs \
             or a series URL http://HOST:PORT/PATH/NAME.pcs)"
        )));
    };
    let src = opened.as_ref();
    let layout = src.layout().map_err(from_source)?;
    let codec = OmeCodec::choose(
        src,
        &layout,
        a.codec.as_deref(),
        a.offset,
        a.scale,
        a.zstd_level,
    )
    .map_err(Failed::Value)?;
    let incomplete = gaps::check(src, a.allow_incomplete)
        .map_err(from_source)?
        .map(|lack| lack.to_string());
    let options = OmeOptions {
        levels: a.levels,
        flags: ScaleFlags {
            pixel_size: a.pixel_size,
            frame_interval: a.frame_interval,
        },
        zarr_format: a.zarr_format,
        codec,
        checksum: false,
        chunks: None,
    };
    let selection = FrameSelection::all(src.len());
    let written = convert_to_dir(src, &selection, &options, out).map_err(|e| match e {
        OmeConvertError::Plan { .. } => Failed::Value(chain(&e)),
        e => Failed::Source(chain(&e)),
    })?;
    let image = &written.plan.image;
    Ok(Done {
        name: pymecompress_pyme::ome::convert::image_name(src),
        axes: image.dimension_names(),
        shape: image.level_shape(0),
        scale: image.level_scale(0),
        levels: image.levels,
        codec: written.plan.codec.name(),
        moved: written.stats.moved,
        notes: image.notes.clone(),
        incomplete,
    })
}

/// An error's message and its sources', each once (as `errors::source_err` writes a
/// `PymeSourceError`'s).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Adds this module's functions to `_native`.
///
/// # Errors
/// PyO3's, adding the function.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ome_to_ome_zarr, m)?)
}
