//! numpy `.npy` files as numpy's dtype string, shape and element bytes in C order, whatever the
//! file's own order, read and written through `ndarray-npy`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyExt, WriteNpyExt};

/// An array of a `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Npy {
    /// numpy's dtype string, e.g. `<u2`, `|u1`, `<f4`.
    pub descr: String,
    /// The shape.
    pub shape: Vec<usize>,
    /// The elements in C order, each little-endian.
    pub c_bytes: Vec<u8>,
    /// Whether the file stores the elements in Fortran order.
    pub fortran_order: bool,
    /// The elements in the file's order (Fortran order when `fortran_order`), each
    /// little-endian: the memory numpy would hold after `np.load`.
    pub memory_bytes: Vec<u8>,
}

impl Npy {
    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        self.descr[2..].parse().unwrap_or(1)
    }
}

/// Calls `$body` with `$t` bound to the Rust type of numpy dtype `$descr`; the table of
/// dtypes is the one list below.
macro_rules! by_dtype {
    ($descr:expr, $t:ident => $body:expr) => {
        by_dtype!(@table $descr, $t => $body;
            "|u1" u8, "|i1" i8, "<u2" u16, "<i2" i16, "<u4" u32,
            "<i4" i32, "<u8" u64, "<i8" i64, "<f4" f32, "<f8" f64)
    };
    (@table $descr:expr, $t:ident => $body:expr; $($name:literal $ty:ty),*) => {
        match $descr {
            $($name => {
                type $t = $ty;
                $body
            })*
            other => Err(format!("dtype {other} is not supported here")),
        }
    };
}

/// Reads a `.npy` file.
///
/// # Errors
/// A message naming the file, if it cannot be read or holds a dtype other than the
/// little-endian integer and float types.
pub fn read(path: &Path) -> Result<Npy, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut reader = BufReader::new(File::open(path).map_err(|e| at(&e))?);
    let header = Header::from_reader(&mut reader).map_err(|e| at(&e))?;
    // Displayed as a Python literal: `'<u2'`.
    let descr = header
        .type_descriptor
        .to_string()
        .trim_matches(|c| c == '\'' || c == '"')
        .replace('=', "<");
    let file = File::open(path).map_err(|e| at(&e))?;
    let fortran_order = header.layout.is_fortran();
    let (c_bytes, memory_bytes) = by_dtype!(descr.as_str(), T => {
        let array = ArrayD::<T>::read_npy(BufReader::new(file)).map_err(|e| at(&e))?;
        let c: Vec<u8> = array.iter().flat_map(|v| v.to_le_bytes()).collect();
        // The transpose of a Fortran-order array walks its memory in order.
        let memory: Vec<u8> = if fortran_order {
            array.t().iter().flat_map(|v| v.to_le_bytes()).collect()
        } else {
            c.clone()
        };
        Ok((c, memory))
    })?;
    Ok(Npy {
        descr,
        shape: header.shape,
        c_bytes,
        fortran_order,
        memory_bytes,
    })
}

/// Writes little-endian element bytes in C order as a `.npy` file of dtype `descr`.
///
/// # Errors
/// A message naming the file, if the dtype is not supported, the bytes do not fill the shape
/// or the file cannot be written.
pub fn write(path: &Path, descr: &str, shape: &[usize], c_bytes: &[u8]) -> Result<(), String> {
    write_in_order(path, descr, shape, c_bytes, false)
}

/// Writes little-endian element bytes held in C order, or in Fortran order when `fortran`,
/// as a `.npy` file of dtype `descr` in that order.
///
/// # Errors
/// As [`write`].
pub fn write_in_order(
    path: &Path,
    descr: &str,
    shape: &[usize],
    memory_bytes: &[u8],
    fortran: bool,
) -> Result<(), String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    by_dtype!(descr, T => {
        let size = std::mem::size_of::<T>();
        let values: Vec<T> = memory_bytes
            .chunks_exact(size)
            .map(|b| T::from_le_bytes(b.try_into().expect("chunks_exact")))
            .collect();
        let shape = if fortran {
            IxDyn(shape).f()
        } else {
            IxDyn(shape).into_shape_with_order()
        };
        let array = ArrayD::from_shape_vec(shape, values).map_err(|e| at(&e))?;
        let file = std::io::BufWriter::new(File::create(path).map_err(|e| at(&e))?);
        array.write_npy(file).map_err(|e| at(&e))
    })
}
