//! A minimal `.npy` (format 1.0/2.0) reader and writer for C-order arrays of fixed-size
//! little-endian or byte types, so tests compare with numpy's files without another dependency.
#![allow(dead_code)]

use std::path::Path;

/// An array read from a `.npy` file: numpy `descr`, shape and the raw C-order data.
#[derive(Debug, Clone, PartialEq)]
pub struct Npy {
    pub descr: String,
    pub shape: Vec<u64>,
    pub data: Vec<u8>,
}

impl Npy {
    /// Item size in bytes, from the descr (`<u2` -> 2).
    pub fn itemsize(&self) -> usize {
        self.descr[2..].parse().expect("descr like '<u2'")
    }
}

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads a `.npy` file.
pub fn read(path: &Path) -> Result<Npy, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the bytes of a `.npy` file.
pub fn parse(bytes: &[u8]) -> Result<Npy, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file".into());
    }
    let (header_len, header_start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => {
            let b = bytes.get(8..12).ok_or("truncated header")?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = bytes
        .get(header_start..header_start + header_len)
        .ok_or("truncated header")?;
    let header = std::str::from_utf8(header).map_err(|e| e.to_string())?;
    let descr = field(header, "descr")?
        .trim_matches(|c| c == '\'' || c == '"')
        .to_string();
    if field(header, "fortran_order")? != "False" {
        return Err("Fortran-order arrays are not supported".into());
    }
    let shape_text = header
        .split("'shape':")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .ok_or("no shape")?;
    let shape = shape_text
        .trim()
        .trim_start_matches('(')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let npy = Npy {
        descr,
        shape,
        data: bytes[header_start + header_len..].to_vec(),
    };
    let expected = npy.shape.iter().product::<u64>() as usize * npy.itemsize();
    if npy.data.len() != expected {
        return Err(format!(
            "{} data bytes, expected {expected}",
            npy.data.len()
        ));
    }
    Ok(npy)
}

fn field<'a>(header: &'a str, name: &str) -> Result<&'a str, String> {
    let rest = header
        .split(&format!("'{name}':"))
        .nth(1)
        .ok_or_else(|| format!("no {name}"))?;
    Ok(rest.split(',').next().unwrap_or("").trim())
}

/// Writes a `.npy` 1.0 file.
pub fn write(path: &Path, descr: &str, shape: &[u64], data: &[u8]) -> std::io::Result<()> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad so that the data starts on a 64-byte boundary, ending the header with a newline.
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + header.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    std::fs::write(path, out)
}
