//! Recognising a PYME input by its path: a `.pzf` file, a `.h5` file or a series directory.
//! Anything else is not PYME's (a zarr store, say) and is left to the caller.

use std::path::{Path, PathBuf};

use crate::series::Series;
use crate::{FrameSource, H5File, PzfFile, SourceError};

/// Opens `path` as a PYME source, with `nodes` (a series' copies on other data servers);
/// `None` when `path` is not a `.pzf` file, a `.h5` file or a series directory.
///
/// # Errors
/// - [`SourceError::Io`] (not found) for a `.pzf`, `.h5` or `.pcs` path that does not exist.
/// - The source's own errors opening it ([`crate::http::open_series`]'s for an `http://` URL).
pub fn open_source(
    path: &Path,
    nodes: &[PathBuf],
) -> Result<Option<Box<dyn FrameSource>>, SourceError> {
    // A series on PYME's data servers, `http://HOST:PORT/PATH/NAME.pcs`.
    if crate::http::is_url(path) {
        return Ok(Some(Box::new(crate::http::open_path(path, nodes)?)));
    }
    let has_extension = |ext: &str| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    if (has_extension("pzf") || has_extension("h5") || has_extension("pcs")) && !path.exists() {
        return Err(SourceError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    if has_extension("pzf") && path.is_file() {
        return Ok(Some(Box::new(PzfFile::open(path)?)));
    }
    if has_extension("h5") && path.is_file() {
        return Ok(Some(Box::new(H5File::open(path)?)));
    }
    if is_series_dir(path) {
        let series = Series::open(path, nodes).map_err(|source| SourceError::Series {
            dir: path.to_path_buf(),
            source,
        })?;
        return Ok(Some(Box::new(series)));
    }
    Ok(None)
}

/// A directory named `*.pcs`, or one holding `metadata.json` or `frame*.pzf` files and no
/// zarr metadata.
fn is_series_dir(path: &Path) -> bool {
    if !path.is_dir() {
        return false;
    }
    if [".zarray", ".zgroup", "zarr.json"]
        .iter()
        .any(|n| path.join(n).is_file())
    {
        return false;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pcs"))
    {
        return true;
    }
    path.join("metadata.json").is_file()
        || std::fs::read_dir(path).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("frame") && name.ends_with(".pzf")
            })
        })
}
