//! The Python exceptions of the codecs' and the PYME sources' errors.

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

pyo3::create_exception!(
    _native,
    CodecError,
    PyValueError,
    "A chunk, stream or PZF frame that cannot be decoded, or data or parameters that cannot be encoded."
);

pyo3::create_exception!(
    _native,
    PymeSourceError,
    PyValueError,
    "A PYME source (.pzf, .h5, series directory or URL) that cannot be opened or read, or a frame it lacks."
);

/// An error's message and its sources' (a PZF frame's stream error is the source of "Huffman
/// payload"), each once: Python shows only the message.
fn message(e: &dyn std::error::Error) -> String {
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
    message
}

/// The core's error as a `CodecError` with its whole message.
pub fn codec_err(e: impl std::error::Error) -> PyErr {
    CodecError::new_err(message(&e))
}

/// The `pymecompress-pyme` crate's error as a `PymeSourceError` with its whole message (the
/// source, the file or server, the frame).
pub fn source_err(e: impl std::error::Error) -> PyErr {
    PymeSourceError::new_err(message(&e))
}
