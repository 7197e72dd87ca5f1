//! `pymecompress_rs.pyme.open`'s native half: a PYME source (a `.pzf` file, a cluster series
//! directory or URL with its copies on other data servers, a PYME `.h5` file) opened by the
//! `pymecompress-pyme` crate, whose frames are decoded straight into numpy buffers with the
//! GIL released.
//!
//! Thin, as the rest of `_native`: which file is which source, what a frame holds, what is
//! missing and what the gap policy says are the crate's (`open_source`, `FrameSource`,
//! `gaps`); the Python class (`pysrc/pymecompress_rs/pyme.py`) does the indexing.

use std::path::PathBuf;

use pyo3::prelude::*;

use pymecompress_pyme::gaps::Incomplete;
use pymecompress_pyme::{array_shape, open_source, FrameLayout, FrameSource, SourceError};

use crate::buffers::ByteViewMut;
use crate::errors::{source_err, PymeSourceError};

/// One open PYME source and the layout all its frames share.
#[pyclass(module = "pymecompress_rs._native", frozen)]
struct PymeSource {
    source: Box<dyn FrameSource>,
    layout: FrameLayout,
}

/// Opens `path` (a path or an `http://` series URL) with `nodes` (the series' copies on
/// other data servers), without the GIL: opening a series over HTTP fetches its listings, its
/// JSON files and its lowest-numbered frame's file.
#[pyfunction]
#[pyo3(signature = (path, nodes = Vec::new()))]
fn pyme_open(py: Python<'_>, path: String, nodes: Vec<String>) -> PyResult<PymeSource> {
    let nodes: Vec<PathBuf> = nodes.into_iter().map(PathBuf::from).collect();
    let opened = py.detach(|| -> Result<_, SourceError> {
        let source = open_source(std::path::Path::new(&path), &nodes)?;
        let Some(source) = source else {
            return Ok(None);
        };
        let layout = source.layout()?;
        Ok(Some((source, layout)))
    });
    match opened.map_err(source_err)? {
        Some((source, layout)) => Ok(PymeSource { source, layout }),
        None => Err(PymeSourceError::new_err(format!(
            "{path}: not a PYME source (a .pzf file, a .h5 file, a series directory \
             NAME.pcs or a series URL http://HOST:PORT/PATH/NAME.pcs)"
        ))),
    }
}

#[pymethods]
impl PymeSource {
    /// `pzf`, `series` or `h5`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.source.kind().word()
    }

    /// The source as named when opened.
    #[getter]
    fn name(&self) -> &str {
        self.source.name()
    }

    /// Where its data lives (a series' directories or URLs, one per data server).
    #[getter]
    fn locations(&self) -> Vec<String> {
        self.source.locations()
    }

    /// Frame slots (missing ones included).
    #[getter]
    fn frames(&self) -> u64 {
        self.source.len()
    }

    /// Whether frames are stacked along a first axis; a `.pzf` file is one frame.
    #[getter]
    fn is_stack(&self) -> bool {
        self.source.is_stack()
    }

    /// Whether the acquisition finished (a series: `events.json`; an `.h5`: `/Events`).
    #[getter]
    fn finished(&self) -> bool {
        self.source.is_finished()
    }

    /// The frame slots that hold no frame, ascending.
    #[getter]
    fn missing(&self) -> Vec<u64> {
        self.source.missing()
    }

    /// The array's shape: (frames, Width, Height[, Depth]) for a stack, (Width, Height,
    /// Depth) for a `.pzf` file, as the CLI's `export` writes it.
    #[getter]
    fn shape(&self) -> Vec<u64> {
        array_shape(self.source.as_ref(), &self.layout, self.source.len())
    }

    /// One frame's (Width, Height, Depth).
    #[getter]
    fn frame_shape(&self) -> (usize, usize, usize) {
        let [w, h, d] = self.layout.shape;
        (w, h, d)
    }

    /// numpy's name of the pixel type, little-endian as decoded: `|u1`, `<u2`, `<f4`, or `<f8`
    /// (an `.h5` `/ImageData` of float64, which PZF has no type for).
    #[getter]
    fn dtype(&self) -> &'static str {
        self.layout.pixel.numpy_descr()
    }

    /// (QuantOffset, QuantScale) of sqrt-quantized frames, else `None`.
    #[getter]
    fn quant(&self) -> Option<(f64, f64)> {
        self.layout
            .quant
            .map(|q| (q.params.offset(), q.params.scale()))
    }

    /// How the frames are stored inside an `.h5` file (PZF aggregate or raw), else `None`.
    #[getter]
    fn storage_layout(&self) -> Option<&'static str> {
        self.source.storage_layout()
    }

    /// `metadata.json` (flat dotted keys) as JSON text: the Python side parses it.
    fn metadata_json(&self) -> String {
        serde_json::Value::Object(self.source.metadata().clone()).to_string()
    }

    /// `final_metadata.json` as JSON text, if any.
    fn final_metadata_json(&self) -> Option<String> {
        self.source
            .final_metadata()
            .map(|m| serde_json::Value::Object(m.clone()).to_string())
    }

    /// The events as (EventName, EventDescr, Time), if the source has any.
    fn events(&self) -> Option<Vec<(String, String, f64)>> {
        self.source.events().map(|events| {
            events
                .iter()
                .map(|e| (e.name.clone(), e.description.clone(), e.time))
                .collect()
        })
    }

    /// Whether slot `i` holds a frame.
    fn is_present(&self, i: u64) -> bool {
        self.source.is_present(i)
    }

    /// What the source lacks, in the gap policy's words (`CLI`'s `--allow-incomplete` advice
    /// left out), or `None` when it is complete.
    fn incomplete(&self) -> Option<(String, Option<&'static str>)> {
        Incomplete::of(self.source.as_ref()).map(|lack| {
            let hint = lack.hint();
            (lack.to_string(), hint)
        })
    }

    /// Decodes frame `i` into `out` (a writable contiguous buffer of exactly one frame's
    /// bytes: little-endian, C order of (Width, Height, Depth)) without the GIL. Returns
    /// `False`, leaving `out` untouched, for a missing frame.
    fn read_frame_into(&self, py: Python<'_>, i: u64, out: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mut target = ByteViewMut::new(out)?;
        let dest = target.bytes_mut();
        let source = self.source.as_ref();
        py.detach(|| source.read_frame_into(i, dest))
            .map_err(source_err)
    }

    fn __repr__(&self) -> String {
        format!(
            "PymeSource({} {}, shape {:?})",
            self.kind(),
            self.name(),
            self.shape()
        )
    }
}

/// Adds this module's class and function to `_native`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("PymeSourceError", m.py().get_type::<PymeSourceError>())?;
    m.add_class::<PymeSource>()?;
    m.add_function(wrap_pyfunction!(pyme_open, m)?)?;
    Ok(())
}
