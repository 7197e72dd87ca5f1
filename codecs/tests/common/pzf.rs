//! PZF test support: the fixtures PYME wrote (`fixtures/pzf/`) and element-order helpers.
#![allow(dead_code)]

use pymecompress_codecs::pzf::{DimOrder, PzfData};

// Not every test binary that includes this module uses every item.
#[allow(unused_imports)]
pub use pymecompress_test_support::fixtures::{
    pzf_cases as cases, pzf_loads_header, pzf_shape, u64_of,
};
pub use pymecompress_test_support::npy::Npy;

/// The bytes of `fixtures/pzf/name`.
pub fn read(name: &str) -> Vec<u8> {
    pymecompress_test_support::fixtures::read(&format!("pzf/{name}"))
}

/// The array of `fixtures/pzf/name` (a `.npy` file), elements in C order.
pub fn npy(name: &str) -> Npy {
    let path = pymecompress_test_support::fixtures::path(&format!("pzf/{name}"));
    pymecompress_test_support::npy::read(&path).unwrap_or_else(|e| panic!("{e}"))
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
