//! Python buffers as byte slices, read and written in place.
//!
//! Any object with the buffer protocol is accepted, of any item type and alignment: the codecs
//! work on bytes, so neither matters. A C- or Fortran-contiguous buffer is used where it lies
//! (no copy); any other input is copied once into C order by `numpy.ascontiguousarray`. Buffers
//! of Python objects (numpy's `object` dtype, alone or in a structured dtype) are refused:
//! their bytes are pointers, and writing decoded bytes over them would crash the interpreter.

use numpy::{Element, PyArray1};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A buffer exported by a Python object, checked to be contiguous and to hold no object
/// references: its bytes stay alive and in place while it is held.
struct Exported {
    buf: PyUntypedBuffer,
}

impl Exported {
    fn get(obj: &Bound<'_, PyAny>, role: &str) -> PyResult<Option<Self>> {
        let buf = export(obj)?;
        let format = buf.format().to_string_lossy();
        if holds_objects(&format) {
            return Err(PyTypeError::new_err(format!(
                "the {role} buffer holds Python objects (format {format:?}), not data"
            )));
        }
        if buf.is_c_contiguous() || buf.is_fortran_contiguous() {
            Ok(Some(Self { buf }))
        } else {
            Ok(None)
        }
    }

    fn format(&self) -> String {
        self.buf.format().to_string_lossy().into_owned()
    }

    /// First and one-past-last address of the bytes.
    fn span(&self) -> (usize, usize) {
        let start = self.buf.buf_ptr() as usize;
        (start, start + self.buf.len_bytes())
    }
}

/// The buffer of `obj`. pyo3 refuses a 0-d buffer (numpy exports one without a shape), so a
/// 0-d array is exported through a 1-element view of it: the same memory.
fn export(obj: &Bound<'_, PyAny>) -> PyResult<PyUntypedBuffer> {
    let err = match PyUntypedBuffer::get(obj) {
        Ok(buf) => return Ok(buf),
        Err(err) if err.is_instance_of::<PyBufferError>(obj.py()) => err,
        Err(err) => return Err(err),
    };
    let array = obj.py().import("numpy")?.call_method1("asarray", (obj,))?;
    if array.getattr("ndim")?.extract::<usize>()? != 0 {
        return Err(err);
    }
    PyUntypedBuffer::get(&array.call_method1("reshape", (1,))?)
}

/// Whether a struct format (PEP 3118) holds Python object references (`O`), outside the field
/// names, which stand between colons.
fn holds_objects(format: &str) -> bool {
    let mut in_name = false;
    for c in format.chars() {
        match c {
            ':' => in_name = !in_name,
            'O' if !in_name => return true,
            _ => {}
        }
    }
    false
}

/// A read-only view of a buffer's bytes, held for as long as the slice is used.
pub struct ByteView {
    exported: Exported,
}

impl ByteView {
    /// # Errors
    /// `TypeError` for an object without the buffer protocol or a buffer of Python objects;
    /// what `numpy.ascontiguousarray` raises for a non-contiguous one it cannot copy.
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Some(exported) = Exported::get(obj, "input")? {
            return Ok(Self { exported });
        }
        let copy = obj
            .py()
            .import("numpy")?
            .call_method1("ascontiguousarray", (obj,))?;
        match Exported::get(&copy, "input")? {
            Some(exported) => Ok(Self { exported }),
            None => Err(PyValueError::new_err(
                "could not make the input buffer contiguous",
            )),
        }
    }

    /// The buffer's struct format (e.g. `<H`).
    pub fn format(&self) -> String {
        self.exported.format()
    }

    pub fn bytes(&self) -> &[u8] {
        let len = self.exported.buf.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the buffer is contiguous (checked by `Exported::get`), `len` bytes long, and
        // stays exported (its memory alive and in place) while `self.exported` is held, which
        // outlives the returned borrow. Bytes have no alignment requirement.
        unsafe { std::slice::from_raw_parts(self.exported.buf.buf_ptr() as *const u8, len) }
    }
}

/// A writable view of a contiguous buffer's bytes.
pub struct ByteViewMut {
    exported: Exported,
}

impl ByteViewMut {
    /// # Errors
    /// `TypeError` for an object without the buffer protocol or a buffer of Python objects,
    /// `ValueError` for a read-only or non-contiguous buffer.
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let Some(exported) = Exported::get(obj, "output")? else {
            return Err(PyValueError::new_err(
                "the output buffer must be contiguous",
            ));
        };
        if exported.buf.readonly() {
            return Err(PyValueError::new_err("the output buffer is read-only"));
        }
        Ok(Self { exported })
    }

    pub fn format(&self) -> String {
        self.exported.format()
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.exported.buf.len_bytes();
        if len == 0 {
            return &mut [];
        }
        // SAFETY: as `ByteView::bytes`; the exporter said the memory is writable, the `&mut
        // self` borrow keeps this the only slice made from it here, and `read_into` copies an
        // input that overlaps it before making this one.
        unsafe { std::slice::from_raw_parts_mut(self.exported.buf.buf_ptr() as *mut u8, len) }
    }
}

/// Runs `code` on the bytes of `data` without the GIL and hands its result back as a numpy
/// array that owns it (no copy).
///
/// # Errors
/// As [`ByteView::new`], and whatever `code` returns.
pub fn read_with<'py, T, F>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    code: F,
) -> PyResult<Bound<'py, PyArray1<T>>>
where
    T: Element + Send,
    F: FnOnce(&[u8]) -> PyResult<Vec<T>> + Send,
{
    let view = ByteView::new(data)?;
    let bytes = view.bytes();
    let out = py.detach(|| code(bytes))?;
    Ok(PyArray1::from_vec(py, out))
}

/// Runs `code` on the bytes of `data` and of `out` (with `out`'s struct format) without the
/// GIL. An input that shares memory with the output is copied first: decoding reads the
/// input while it writes the output.
///
/// # Errors
/// As [`ByteView::new`] and [`ByteViewMut::new`], and whatever `code` returns.
pub fn read_into<F>(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
    code: F,
) -> PyResult<()>
where
    F: FnOnce(&[u8], &mut [u8], &str) -> PyResult<()> + Send,
{
    let view = ByteView::new(data)?;
    let mut target = ByteViewMut::new(out)?;
    let ((a0, a1), (b0, b1)) = (view.exported.span(), target.exported.span());
    let copy = (a0 < b1 && b0 < a1).then(|| view.bytes().to_vec());
    let format = target.format();
    let dest = target.bytes_mut();
    let input = copy.as_deref().unwrap_or_else(|| view.bytes());
    py.detach(|| code(input, dest, &format))
}
