//! numpy's `.npy` format (versions 1.0 to 3.0 read, 1.0 written), C order, for the plain
//! numeric dtypes zarr arrays use.
//!
//! The data of an [`NpyArray`] is always held little-endian; a big-endian file is swapped on
//! reading. Nothing in a header sizes an allocation: the data length is checked against the
//! shape before anything is kept.
//!
//! Kept here rather than taken from `ndarray-npy` or `npyz`: `export` writes a header and then
//! streams frames as they are decoded, and `compress`/`decompress` read or write one whole
//! array; a few hundred lines with no dependency do both, and nothing else in the workspace
//! parses `.npy` but the tests (through `ndarray-npy`, in `test-support`).

use std::io::Write;

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// numpy pads headers so the data starts on a multiple of this many bytes.
const HEADER_ALIGN: usize = 64;

/// What can go wrong reading or writing a `.npy` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NpyError {
    /// The file does not start with numpy's magic string or is too short for its header.
    #[error("not a .npy file: {reason}")]
    NotNpy {
        /// What was found instead.
        reason: String,
    },
    /// A header field is missing or malformed.
    #[error("bad .npy header: {reason}")]
    BadHeader {
        /// Which field and why.
        reason: String,
    },
    /// The dtype is not one this tool handles.
    #[error("unsupported .npy dtype '{descr}' (supported: bool, u1, i1, u2, i2, u4, i4, u8, i8, f4, f8)")]
    UnsupportedDtype {
        /// The dtype descriptor found.
        descr: String,
    },
    /// Fortran-ordered files are refused rather than silently transposed.
    #[error(".npy file is in Fortran order; save it with numpy.ascontiguousarray first")]
    FortranOrder,
    /// The data after the header does not match the shape and dtype.
    #[error(".npy data is {found} bytes, but shape {shape:?} of {descr} needs {expected}")]
    DataLength {
        /// The shape in the header.
        shape: Vec<u64>,
        /// The dtype descriptor.
        descr: String,
        /// Bytes the header calls for.
        expected: u128,
        /// Bytes present.
        found: usize,
    },
    /// A typed accessor was used on an array of another dtype.
    #[error("array has dtype {found}, not {wanted}")]
    WrongDtype {
        /// The dtype asked for.
        wanted: &'static str,
        /// The dtype of the array.
        found: &'static str,
    },
    /// Writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The element types handled, named by their numpy type codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum NpyDtype {
    Bool,
    U1,
    I1,
    U2,
    I2,
    U4,
    I4,
    U8,
    I8,
    F4,
    F8,
}

impl NpyDtype {
    const ALL: [Self; 11] = [
        Self::Bool,
        Self::U1,
        Self::I1,
        Self::U2,
        Self::I2,
        Self::U4,
        Self::I4,
        Self::U8,
        Self::I8,
        Self::F4,
        Self::F8,
    ];

    /// Bytes per element.
    #[must_use]
    pub const fn itemsize(self) -> usize {
        match self {
            Self::Bool | Self::U1 | Self::I1 => 1,
            Self::U2 | Self::I2 => 2,
            Self::U4 | Self::I4 | Self::F4 => 4,
            Self::U8 | Self::I8 | Self::F8 => 8,
        }
    }

    /// The little-endian numpy descriptor, as numpy writes it (`<u2`, `|u1`, ...).
    #[must_use]
    pub const fn descr(self) -> &'static str {
        match self {
            Self::Bool => "|b1",
            Self::U1 => "|u1",
            Self::I1 => "|i1",
            Self::U2 => "<u2",
            Self::I2 => "<i2",
            Self::U4 => "<u4",
            Self::I4 => "<i4",
            Self::U8 => "<u8",
            Self::I8 => "<i8",
            Self::F4 => "<f4",
            Self::F8 => "<f8",
        }
    }

    /// The Zarr v3 data type name (`uint16`, `float32`, ...).
    #[must_use]
    pub const fn zarr_name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::U1 => "uint8",
            Self::I1 => "int8",
            Self::U2 => "uint16",
            Self::I2 => "int16",
            Self::U4 => "uint32",
            Self::I4 => "int32",
            Self::U8 => "uint64",
            Self::I8 => "int64",
            Self::F4 => "float32",
            Self::F8 => "float64",
        }
    }

    /// The dtype with this Zarr v3 data type name, if it is one handled here.
    #[must_use]
    pub fn from_zarr_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.zarr_name() == name)
    }

    /// Parses a numpy descriptor; also accepts Zarr names and short numpy names (`uint16`, `u2`).
    /// Returns the dtype and whether its data is big-endian.
    ///
    /// # Errors
    /// [`NpyError::UnsupportedDtype`] for anything else.
    pub fn parse(descr: &str) -> Result<(Self, bool), NpyError> {
        if let Some(d) = Self::from_zarr_name(descr) {
            return Ok((d, false));
        }
        let (big_endian, code) = match descr.as_bytes().first() {
            Some(b'>') => (true, &descr[1..]),
            Some(b'<' | b'|' | b'=') => (false, &descr[1..]),
            _ => (false, descr),
        };
        let code = if code == "?" { "b1" } else { code };
        Self::ALL
            .into_iter()
            .find(|d| &d.descr()[1..] == code)
            .map(|d| (d, big_endian && d.itemsize() > 1))
            .ok_or_else(|| NpyError::UnsupportedDtype {
                descr: descr.to_string(),
            })
    }

    /// A short name for messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.zarr_name()
    }
}

/// An n-dimensional array as read from or written to a `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// Element type.
    pub dtype: NpyDtype,
    /// Shape, C order (last axis fastest).
    pub shape: Vec<u64>,
    /// Elements, little-endian, `shape.product() * dtype.itemsize()` bytes.
    pub data: Vec<u8>,
}

impl NpyArray {
    /// Wraps little-endian bytes, checking their length against shape and dtype.
    ///
    /// # Errors
    /// [`NpyError::DataLength`] when they disagree.
    pub fn new(dtype: NpyDtype, shape: Vec<u64>, data: Vec<u8>) -> Result<Self, NpyError> {
        let expected = shape.iter().fold(dtype.itemsize() as u128, |acc, &d| {
            acc.saturating_mul(d.into())
        });
        if expected != data.len() as u128 {
            return Err(NpyError::DataLength {
                shape,
                descr: dtype.descr().to_string(),
                expected,
                found: data.len(),
            });
        }
        Ok(Self { dtype, shape, data })
    }

    /// The elements as uint16 values.
    ///
    /// # Errors
    /// [`NpyError::WrongDtype`] unless the array is uint16.
    pub fn to_u16(&self) -> Result<Vec<u16>, NpyError> {
        if self.dtype != NpyDtype::U2 {
            return Err(NpyError::WrongDtype {
                wanted: "uint16",
                found: self.dtype.name(),
            });
        }
        Ok(self
            .data
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect())
    }

    /// Parses a whole `.npy` file held in memory.
    ///
    /// # Errors
    /// [`NpyError`] naming what is wrong with the file.
    pub fn read_bytes(file: &[u8]) -> Result<Self, NpyError> {
        let not_npy = |reason: &str| NpyError::NotNpy {
            reason: reason.to_string(),
        };
        if file.len() < 10 || &file[..6] != MAGIC {
            return Err(not_npy("missing the \\x93NUMPY magic"));
        }
        let (header_len, header_start) = match file[6] {
            1 => (usize::from(u16::from_le_bytes([file[8], file[9]])), 10usize),
            2 | 3 => {
                let bytes = file.get(8..12).ok_or_else(|| not_npy("truncated header"))?;
                let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                (usize::try_from(len).unwrap_or(usize::MAX), 12)
            }
            v => return Err(not_npy(&format!("unknown format version {v}"))),
        };
        let header = file
            .get(header_start..header_start.saturating_add(header_len))
            .ok_or_else(|| not_npy("truncated header"))?;
        let header = std::str::from_utf8(header).map_err(|_| not_npy("header is not text"))?;
        let fields = HeaderFields::parse(header)?;
        if fields.fortran_order {
            return Err(NpyError::FortranOrder);
        }
        let (dtype, big_endian) = NpyDtype::parse(&fields.descr)?;
        let mut data = file[header_start + header_len..].to_vec();
        if big_endian {
            for element in data.chunks_exact_mut(dtype.itemsize()) {
                element.reverse();
            }
        }
        Self::new(dtype, fields.shape, data)
    }

    /// Reads a `.npy` file.
    ///
    /// # Errors
    /// [`NpyError::Io`] when the file cannot be read, else as [`NpyArray::read_bytes`].
    pub fn read_file(path: &std::path::Path) -> Result<Self, NpyError> {
        Self::read_bytes(&std::fs::read(path)?)
    }

    /// Writes the array as a version 1.0 `.npy` file.
    ///
    /// # Errors
    /// [`NpyError::Io`] from the writer.
    pub fn write(&self, out: &mut impl Write) -> Result<(), NpyError> {
        write_header(out, self.dtype, &self.shape)?;
        out.write_all(&self.data)?;
        Ok(())
    }
}

/// Writes a version 1.0 header for little-endian C-order data of `dtype` and `shape`; the
/// caller then writes the data. Used to stream arrays larger than memory allows twice.
///
/// # Errors
/// [`NpyError::Io`] from the writer; [`NpyError::BadHeader`] for a shape so long that its header
/// exceeds the 65535 bytes version 1.0 allows.
pub fn write_header(out: &mut impl Write, dtype: NpyDtype, shape: &[u64]) -> Result<(), NpyError> {
    let shape_text = match shape {
        [one] => format!("({one},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape_text}, }}",
        dtype.descr()
    );
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.extend(std::iter::repeat_n(
        ' ',
        unpadded.next_multiple_of(HEADER_ALIGN) - unpadded,
    ));
    header.push('\n');
    let header_len = u16::try_from(header.len()).map_err(|_| NpyError::BadHeader {
        reason: format!("a {}-dimensional header is too long", shape.len()),
    })?;
    out.write_all(MAGIC)?;
    out.write_all(&[1, 0])?;
    out.write_all(&header_len.to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    Ok(())
}

/// The three fields of numpy's header dictionary.
struct HeaderFields {
    descr: String,
    fortran_order: bool,
    shape: Vec<u64>,
}

impl HeaderFields {
    /// Parses the Python dict literal numpy writes. Only what numpy itself emits is accepted:
    /// quoted keys, a quoted descr, True/False, and a tuple of integers.
    fn parse(header: &str) -> Result<Self, NpyError> {
        let bad = |reason: String| NpyError::BadHeader { reason };
        let value_of = |key: &str| -> Result<&str, NpyError> {
            let quoted = [format!("'{key}'"), format!("\"{key}\"")];
            let at = quoted
                .iter()
                .find_map(|k| header.find(k.as_str()).map(|i| i + k.len()))
                .ok_or_else(|| bad(format!("no '{key}' field")))?;
            let rest = header[at..].trim_start();
            rest.strip_prefix(':')
                .map(str::trim_start)
                .ok_or_else(|| bad(format!("no ':' after '{key}'")))
        };

        let descr_rest = value_of("descr")?;
        let quote = descr_rest
            .chars()
            .next()
            .filter(|c| *c == '\'' || *c == '"')
            .ok_or_else(|| {
                bad("'descr' is not a string (structured dtypes are unsupported)".into())
            })?;
        let descr_body = &descr_rest[1..];
        let end = descr_body
            .find(quote)
            .ok_or_else(|| bad("unterminated 'descr'".into()))?;
        let descr = descr_body[..end].to_string();

        let order_rest = value_of("fortran_order")?;
        let fortran_order = if order_rest.starts_with("True") {
            true
        } else if order_rest.starts_with("False") {
            false
        } else {
            return Err(bad("'fortran_order' is neither True nor False".into()));
        };

        let shape_rest = value_of("shape")?;
        let inner = shape_rest
            .strip_prefix('(')
            .and_then(|s| s.find(')').map(|end| &s[..end]))
            .ok_or_else(|| bad("'shape' is not a tuple".into()))?;
        let shape = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.trim_end_matches('L')
                    .parse::<u64>()
                    .map_err(|_| bad(format!("shape entry '{s}' is not a size")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            descr,
            fortran_order,
            shape,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_round_trips() {
        for shape in [vec![], vec![7], vec![3, 4, 5]] {
            let n: u64 = shape.iter().product();
            let array =
                NpyArray::new(NpyDtype::F4, shape.clone(), vec![0; n as usize * 4]).unwrap();
            let mut file = Vec::new();
            array.write(&mut file).unwrap();
            assert_eq!((file.len() - array.data.len()) % HEADER_ALIGN, 0);
            assert_eq!(NpyArray::read_bytes(&file).unwrap(), array);
        }
    }

    #[test]
    fn big_endian_is_swapped() {
        let mut file = Vec::new();
        write_header(&mut file, NpyDtype::U2, &[2]).unwrap();
        let at = file.iter().position(|&b| b == b'<').unwrap();
        file[at] = b'>';
        file.extend([0x01, 0x02, 0x03, 0x04]);
        let array = NpyArray::read_bytes(&file).unwrap();
        assert_eq!(array.to_u16().unwrap(), [0x0102, 0x0304]);
    }

    #[test]
    fn hostile_headers_are_errors() {
        assert!(NpyArray::read_bytes(b"").is_err());
        assert!(NpyArray::read_bytes(b"\x93NUMPY\x01\x00\xff\xff{").is_err());
        let mut file = Vec::new();
        write_header(&mut file, NpyDtype::U8, &[u64::MAX, u64::MAX]).unwrap();
        assert!(matches!(
            NpyArray::read_bytes(&file),
            Err(NpyError::DataLength { .. })
        ));
    }
}
