//! The Python exception of the codecs' errors, and the bound that keeps a size given by a
//! caller or a trailer from sizing an allocation the input cannot fill.

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

use pymecompress_codecs::pzf;

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

/// Most symbols a stream of `stream_len` bytes can hold (9 bits of tree, 1 bit per symbol).
pub fn max_symbols(stream_len: usize) -> usize {
    usize::try_from(pzf::max_symbols(stream_len)).unwrap_or(usize::MAX)
}

/// # Errors
/// `CodecError` if a stream of `stream_len` bytes cannot hold `n` symbols.
pub fn check_symbols(stream_len: usize, n: usize) -> Result<(), PyErr> {
    if n > 0 && n > max_symbols(stream_len) {
        return Err(CodecError::new_err(format!(
            "damaged or truncated data: a Huffman stream of {stream_len} bytes holds at most {} \
             symbols, {n} were asked for",
            max_symbols(stream_len)
        )));
    }
    Ok(())
}
