//! The fixtures written by the real Python code (`fixtures/`, see its README) and their
//! manifests: `fixtures/manifest.json` (pymecompress) and `fixtures/pzf/manifest.json` (PYME).

use std::path::PathBuf;

use serde_json::Value;

/// The repository's `fixtures/` directory.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The path of `rel` below `fixtures/`.
pub fn path(rel: &str) -> PathBuf {
    dir().join(rel)
}

/// The bytes of `fixtures/rel`.
///
/// # Panics
/// If the file cannot be read, naming it.
pub fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The manifest at `fixtures/rel` (e.g. `manifest.json`, `pzf/manifest.json`).
///
/// # Panics
/// If it cannot be read or is not JSON, naming it.
pub fn manifest_at(rel: &str) -> Value {
    let p = path(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `fixtures/manifest.json`, the pymecompress reference fixtures.
pub fn manifest() -> Value {
    manifest_at("manifest.json")
}

/// The entries of one section of `fixtures/manifest.json` (`streams`, `stores`, ...).
///
/// # Panics
/// If the section is missing or empty: a test over no cases cannot fail, so it must not run.
pub fn section(name: &str) -> Vec<Value> {
    nonempty(&manifest(), name, "manifest.json")
}

/// The cases of `fixtures/pzf/manifest.json`, the PZF files PYME wrote.
///
/// # Panics
/// As [`section`].
pub fn pzf_cases() -> Vec<Value> {
    nonempty(
        &manifest_at("pzf/manifest.json"),
        "cases",
        "pzf/manifest.json",
    )
}

fn nonempty(manifest: &Value, key: &str, file: &str) -> Vec<Value> {
    let cases = manifest[key].as_array().cloned().unwrap_or_default();
    assert!(!cases.is_empty(), "fixtures/{file} has no `{key}` cases");
    cases
}

/// A manifest number as `u64`.
///
/// # Panics
/// If it is not an unsigned integer.
pub fn u64_of(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{v} is not an unsigned integer"))
}

/// The shape of a case of `fixtures/pzf/manifest.json` (Width, Height, Depth).
///
/// # Panics
/// If the case has no shape of unsigned integers.
pub fn pzf_shape(case: &Value) -> Vec<usize> {
    let dims = case["shape"].as_array().expect("a PZF case has a shape");
    dims.iter().map(|v| u64_of(v) as usize).collect()
}

/// The header fields PYME's `loads` returned for a case of `fixtures/pzf/manifest.json`, as
/// `PzfHeader` serializes them: without `ID` and the reserved bytes, `DimOrder` as numpy
/// reads it (`c`, `A`, `a` and any byte of a Version 1 file as `C`; `f` as `F`) and
/// `DataOffset` 48 for Versions 1 and 2, whose headers have none.
///
/// # Panics
/// If the case's header lacks `Version` or `DimOrder`, holds a DimOrder numpy refuses, or
/// gives a Version 1 or 2 header a `DataOffset`.
pub fn pzf_loads_header(case: &Value) -> serde_json::Map<String, Value> {
    let name = &case["name"];
    let mut header = case["header"].as_object().cloned().unwrap_or_default();
    header.retain(|key, _| key != "ID" && !key.starts_with("RESERVED"));
    let version = u64_of(&header["Version"]);
    let order = match (version, header["DimOrder"].as_str()) {
        (1, _) | (_, Some("C" | "c" | "A" | "a")) => "C",
        (_, Some("F" | "f")) => "F",
        (_, other) => panic!("{name}: DimOrder {other:?}"),
    };
    header.insert("DimOrder".into(), order.into());
    if version < 3 {
        assert!(header.get("DataOffset").is_none(), "{name}");
        header.insert("DataOffset".into(), 48.into());
    }
    header
}
