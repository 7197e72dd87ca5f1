//! PZF test support: the fixture manifest, a small `.npy` reader, and element-order helpers.
#![allow(dead_code)]

use pymecompress_codecs::pzf::{DimOrder, PzfData};
use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/pzf")
}

pub fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(dir().join("manifest.json")).expect("pzf manifest");
    serde_json::from_str(&text).expect("manifest is JSON")
}

pub fn cases() -> Vec<serde_json::Value> {
    manifest()["cases"].as_array().expect("cases").clone()
}

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A `.npy` array: dtype string (`<u2`), shape, element bytes in C order.
pub struct Npy {
    pub descr: String,
    pub shape: Vec<usize>,
    pub c_bytes: Vec<u8>,
}

fn field<'a>(header: &'a str, key: &str) -> &'a str {
    let at = header
        .find(key)
        .unwrap_or_else(|| panic!("npy header lacks {key}"))
        + key.len();
    header[at..].trim_start_matches([' ', ':', '\''])
}

pub fn npy(name: &str) -> Npy {
    let b = read(name);
    assert_eq!(&b[..6], b"\x93NUMPY", "{name}");
    let (len, start) = if b[6] == 1 {
        (usize::from(u16::from_le_bytes([b[8], b[9]])), 10)
    } else {
        (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
    };
    let header = std::str::from_utf8(&b[start..start + len]).expect("npy header is text");
    let descr = field(header, "'descr'");
    let descr = descr[..descr.find('\'').unwrap()].to_string();
    let fortran = field(header, "'fortran_order'").starts_with("True");
    let shape_text = field(header, "'shape'");
    let shape: Vec<usize> = shape_text[1..shape_text.find(')').unwrap()]
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let itemsize: usize = descr[2..].parse().unwrap();
    let data = b[start + len..].to_vec();
    let order = if fortran { DimOrder::F } else { DimOrder::C };
    let c_bytes = to_c_order(&data, itemsize, &shape, order);
    Npy {
        descr,
        shape,
        c_bytes,
    }
}

/// Element bytes of an array held in `order`, rearranged into C order.
pub fn to_c_order(data: &[u8], itemsize: usize, shape: &[usize], order: DimOrder) -> Vec<u8> {
    let n: usize = shape.iter().product();
    assert_eq!(data.len(), n * itemsize);
    if order == DimOrder::C {
        return data.to_vec();
    }
    let mut out = vec![0u8; data.len()];
    let mut idx = vec![0usize; shape.len()];
    for c in 0..n {
        // idx is the multi-index of C position c; its F position:
        let mut f = 0;
        for k in (0..shape.len()).rev() {
            f = f * shape[k] + idx[k];
        }
        out[c * itemsize..(c + 1) * itemsize]
            .copy_from_slice(&data[f * itemsize..(f + 1) * itemsize]);
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

/// Little-endian element bytes of decoded pixels (in their own order) and the npy dtype.
pub fn le_bytes(data: &PzfData) -> (Vec<u8>, &'static str) {
    match data {
        PzfData::U8(v) => (v.clone(), "|u1"),
        PzfData::U16(v) => (v.iter().flat_map(|x| x.to_le_bytes()).collect(), "<u2"),
        PzfData::F32(v) => (v.iter().flat_map(|x| x.to_le_bytes()).collect(), "<f4"),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn u64_of(v: &serde_json::Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{v} is not an unsigned integer"))
}
