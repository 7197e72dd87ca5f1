//! The CLI's one door to PYME's own inputs (a `.pzf` file, a cluster series): recognise and
//! open them as a `pymecompress_pyme::FrameSource`, and the few words every source command
//! prints the same way.

use std::path::{Path, PathBuf};

use pymecompress_pyme::{open_source, FrameSelection, FrameSource, PixelType};

use crate::cli::FrameRange;
use crate::failure::{Failure, Result};
use crate::npy::NpyDtype;

/// Opens `path` as a PYME source, or `None` for anything else (a zarr store, or a path the
/// store code will explain). `--node` given with anything but a series is an argument error.
pub fn open(path: &Path, nodes: &[PathBuf]) -> Result<Option<Box<dyn FrameSource>>> {
    // A zarr store given by URL (`s3://`, or `http(s)://` with zarr metadata) is not a series.
    let source = if crate::store::is_store_url(path) {
        None
    } else {
        open_source(path, nodes)?
    };
    let is_series = source
        .as_ref()
        .is_some_and(|s| s.kind() == pymecompress_pyme::SourceKind::Series);
    if !nodes.is_empty() && !is_series {
        return Err(Failure::usage(format!(
            "--node is for a PYME series (a NAME.pcs directory or its http:// URL, or a \
             directory holding metadata.json and frame%05d.pzf files); {} is not one",
            path.display()
        )));
    }
    Ok(source)
}

/// The `.npy` dtype of a source's pixels, through the core's one spelling of it.
pub fn npy_dtype(format: PixelType) -> Result<NpyDtype> {
    NpyDtype::from_zarr_name(format.name()).ok_or_else(|| {
        Failure::msg(format!(
            "internal error: the .npy writer has no dtype {}",
            format.name()
        ))
    })
}

/// A shape as `32x32x1`.
pub fn dims(shape: &[u64]) -> String {
    shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("x")
}

/// The frames `--frames` takes of `source` (all of them without it).
///
/// # Errors
/// `--frames` for a single `.pzf` file, or a range that takes no frame (exit 2).
pub fn selection(source: &dyn FrameSource, frames: Option<FrameRange>) -> Result<FrameSelection> {
    // A single file's one slot is its whole array: `len()` is 1.
    match frames {
        None => Ok(FrameSelection::all(source.len())),
        Some(_) if !source.is_stack() => Err(Failure::usage(format!(
            "--frames is for a stack of frames (a PYME series); {} is a single frame",
            source.name()
        ))),
        Some(range) => range
            .resolve(source.len())
            .map_err(|e| Failure::usage(format!("{}: {e}", source.name()))),
    }
}
