//! The Python exception of the codecs' errors.

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

pyo3::create_exception!(
    _native,
    CodecError,
    PyValueError,
    "A chunk, stream or PZF frame that cannot be decoded, or data or parameters that cannot be encoded."
);

/// The core's error as a `CodecError` with its message.
pub fn codec_err(e: impl std::fmt::Display) -> PyErr {
    CodecError::new_err(e.to_string())
}
