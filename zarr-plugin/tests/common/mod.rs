//! Helpers shared by the integration tests: fixture paths and the manifest.
#![allow(dead_code)]

pub mod npy;
pub mod size;
pub mod v2;

use std::path::PathBuf;

/// The repository's `fixtures/` directory (data written by the real pymecompress).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `fixtures/manifest.json`.
pub fn manifest() -> serde_json::Value {
    let path = fixtures_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// A fresh, empty directory under the target directory's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("zarrs-pymecompress-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
