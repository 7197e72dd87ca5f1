//! The Python exception of the codecs' errors.

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

pyo3::create_exception!(
    _native,
    CodecError,
    PyValueError,
    "A chunk, stream or PZF frame that cannot be decoded, or data or parameters that cannot be encoded."
);

/// The core's error as a `CodecError` whose message is the error's and its sources' (a PZF
/// frame's stream error is the source of "Huffman payload"), each once: Python shows only
/// the message.
pub fn codec_err(e: impl std::error::Error) -> PyErr {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    CodecError::new_err(message)
}
