//! The PYME `.h5` fixtures (`fixtures/pyme_h5/data`, made by `fixtures/pyme_h5/generate.sh`
//! with PYME's own writers and reader; stored gzipped), shared by the `.h5` tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use pymecompress_test_support::{fixtures, npy};
use serde_json::Value;

pub fn data() -> PathBuf {
    fixtures::path("pyme_h5/data")
}

pub fn manifest() -> Value {
    fixtures::manifest_at("pyme_h5/data/manifest.json")
}

/// The cases of the manifest, by name, sorted.
pub fn cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = manifest()["cases"]
        .as_object()
        .expect("manifest cases")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        cases.len() >= 18,
        "fixtures/pyme_h5/data/manifest.json lists {} cases",
        cases.len()
    );
    cases
}

/// The file `name.h5` as PYME wrote it (decompressed).
pub fn h5_bytes(name: &str) -> Vec<u8> {
    let gz = fixtures::read(&format!("pyme_h5/data/{name}.h5.gz"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{name}.h5.gz: {e}"));
    out
}

/// `name.h5` written into `dir`, for opening by path.
pub fn h5_file(dir: &std::path::Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.h5"));
    std::fs::write(&path, h5_bytes(name)).unwrap();
    path
}

/// `NAME.SUFFIX.npy`: what PYME's HDFDataSource returned (`expected`), or our policy (`ours`).
pub fn npy(name: &str, suffix: &str) -> npy::Npy {
    npy::read(&data().join(format!("{name}.{suffix}.npy"))).unwrap()
}
