//! Python buffers as byte slices, read and written in place.
//!
//! Any object with the buffer protocol is accepted, of any item type and alignment: the codecs
//! work on bytes, so neither matters. A C- or Fortran-contiguous buffer is used where it lies
//! (no copy); any other is copied once into C order by `numpy.ascontiguousarray`.

use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn contiguous(buf: &PyUntypedBuffer) -> bool {
    buf.is_c_contiguous() || buf.is_fortran_contiguous()
}

/// A read-only view of a buffer's bytes, held for as long as the slice is used.
pub struct ByteView {
    buf: PyUntypedBuffer,
}

impl ByteView {
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let buf = PyUntypedBuffer::get(obj)?;
        if contiguous(&buf) {
            return Ok(Self { buf });
        }
        drop(buf);
        let copy = obj
            .py()
            .import("numpy")?
            .call_method1("ascontiguousarray", (obj,))?;
        let buf = PyUntypedBuffer::get(&copy)?;
        if !contiguous(&buf) {
            return Err(PyValueError::new_err(
                "could not make the buffer contiguous",
            ));
        }
        Ok(Self { buf })
    }

    /// The buffer's struct format (e.g. `<H`).
    pub fn format(&self) -> String {
        self.buf.format().to_string_lossy().into_owned()
    }

    pub fn bytes(&self) -> &[u8] {
        let len = self.buf.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the buffer is contiguous (checked in `new`), `len` bytes long, and stays
        // exported (its memory alive and in place) while `self.buf` is held, which outlives
        // the returned borrow. Bytes have no alignment requirement.
        unsafe { std::slice::from_raw_parts(self.buf.buf_ptr() as *const u8, len) }
    }
}

/// A writable view of a contiguous buffer's bytes.
pub struct ByteViewMut {
    buf: PyUntypedBuffer,
}

impl ByteViewMut {
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let buf = PyUntypedBuffer::get(obj)?;
        if buf.readonly() {
            return Err(PyValueError::new_err("the output buffer is read-only"));
        }
        if !contiguous(&buf) {
            return Err(PyValueError::new_err(
                "the output buffer must be contiguous",
            ));
        }
        Ok(Self { buf })
    }

    pub fn format(&self) -> String {
        self.buf.format().to_string_lossy().into_owned()
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.buf.len_bytes();
        if len == 0 {
            return &mut [];
        }
        // SAFETY: as `ByteView::bytes`; the exporter said the memory is writable, and the
        // `&mut self` borrow keeps this the only slice made from it.
        unsafe { std::slice::from_raw_parts_mut(self.buf.buf_ptr() as *mut u8, len) }
    }
}
