//! Reads every Zarr V2 store that zarr-python 2.18 and 3.x wrote with the real pymecompress
//! (fixtures/manifest.json, section `stores`) through zarrs, and compares with the expected
//! arrays the fixture generator computed independently of this code (`.npy`).

use pymecompress_test_support::fixtures;
use pymecompress_test_support::npy::{self, Npy};
use std::ops::Range;
use std::sync::Arc;

use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::filesystem::FilesystemStore;

struct Store {
    name: String,
    dir: std::path::PathBuf,
    array_path: String,
    entry: serde_json::Value,
}

fn stores() -> Vec<Store> {
    let manifest = fixtures::manifest();
    let stores = manifest["stores"]
        .as_array()
        .expect("manifest has a stores section");
    assert!(!stores.is_empty());
    stores
        .iter()
        .map(|entry| Store {
            name: entry["name"].as_str().unwrap().to_string(),
            dir: fixtures::dir().join(entry["path"].as_str().unwrap()),
            array_path: format!("/{}", entry["array_path"].as_str().unwrap_or("")),
            entry: entry.clone(),
        })
        .collect()
}

fn open(dir: &std::path::Path, array_path: &str) -> Array<FilesystemStore> {
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    zarrs_pymecompress::open_array(store, array_path)
        .unwrap_or_else(|e| panic!("{}{array_path}: {e}", dir.display()))
}

fn retrieve(array: &Array<FilesystemStore>, subset: &ArraySubset) -> Result<Vec<u8>, String> {
    let bytes: ArrayBytes<'static> = array
        .retrieve_array_subset(subset)
        .map_err(|e| e.to_string())?;
    Ok(bytes.into_fixed().map_err(|e| e.to_string())?.into_owned())
}

/// The C-order bytes of `ranges` out of `full`.
fn slice(full: &Npy, ranges: &[Range<u64>]) -> Vec<u8> {
    let itemsize = full.itemsize();
    let mut out = Vec::new();
    let inner = ranges.last().unwrap();
    let outer = &ranges[..ranges.len() - 1];
    let mut index: Vec<u64> = outer.iter().map(|r| r.start).collect();
    loop {
        let mut offset = 0u64;
        for (d, &i) in index.iter().enumerate() {
            offset = (offset + i) * full.shape[d + 1] as u64;
        }
        offset += inner.start;
        let start = offset as usize * itemsize;
        let len = (inner.end - inner.start) as usize * itemsize;
        out.extend_from_slice(&full.c_bytes[start..start + len]);
        // Odometer over the outer dimensions.
        let mut d = outer.len();
        loop {
            if d == 0 {
                return out;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < outer[d].end {
                break;
            }
            index[d] = outer[d].start;
        }
    }
}

/// A few subsets per array: inside one chunk, across chunk edges, and the last partial chunk.
fn subsets(shape: &[u64]) -> Vec<Vec<Range<u64>>> {
    vec![
        shape.iter().map(|&n| 0..n.min(3)).collect(),
        shape.iter().map(|&n| n / 3..n - n / 5).collect(),
        shape.iter().map(|&n| n.saturating_sub(7)..n).collect(),
        shape.iter().map(|&n| n / 2..n / 2 + 1).collect(),
    ]
}

fn check_store(store: &Store) -> Result<(), String> {
    let array = open(&store.dir, &store.array_path);
    let expected_path = fixtures::dir().join(store.entry["expected"].as_str().unwrap());
    let expected = npy::read(&expected_path)?;
    let dtype = store.entry["dtype"].as_str().unwrap();
    if expected.descr != dtype {
        return Err(format!(
            "expected array is {}, store is {dtype}",
            expected.descr
        ));
    }
    let shape: Vec<u64> = expected.shape.iter().map(|&n| n as u64).collect();
    if array.shape() != shape.as_slice() {
        return Err(format!("shape {:?} != {shape:?}", array.shape()));
    }
    let whole = retrieve(&array, &ArraySubset::new_with_shape(array.shape().to_vec()))?;
    if whole != expected.c_bytes {
        let first = whole
            .iter()
            .zip(&expected.c_bytes)
            .position(|(a, b)| a != b);
        return Err(format!("whole array differs, first at byte {first:?}"));
    }
    for ranges in subsets(&shape) {
        let got = retrieve(&array, &ArraySubset::new_with_ranges(&ranges))?;
        if got != slice(&expected, &ranges) {
            return Err(format!("subset {ranges:?} differs"));
        }
    }
    Ok(())
}

#[test]
fn every_fixture_store_reads_exactly_as_expected() {
    let mut failures = Vec::new();
    let stores = stores();
    for store in &stores {
        match check_store(store) {
            Ok(()) => println!("ok   {}", store.name),
            Err(e) => {
                println!("FAIL {}: {e}", store.name);
                failures.push(format!("{}: {e}", store.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    println!("{} stores read", stores.len());
}

#[test]
fn missing_chunks_read_as_the_fill_value() {
    for store in stores() {
        let written = store.entry["chunks_written"].as_u64().unwrap();
        let total = store.entry["chunks_total"].as_u64().unwrap();
        if written == total {
            continue;
        }
        let array = open(&store.dir, &store.array_path);
        // Two's complement, little-endian: the first `itemsize` bytes are the value's bytes.
        let fill = store.entry["fill_value"].as_i64().unwrap().to_le_bytes();
        let mut missing = 0;
        for chunk in array.chunk_grid().iter_chunk_indices() {
            let chunk = chunk.to_vec();
            if array.retrieve_encoded_chunk(&chunk).unwrap().is_some() {
                continue;
            }
            missing += 1;
            let bytes: ArrayBytes<'static> = array.retrieve_chunk(&chunk).unwrap();
            let bytes = bytes.into_fixed().unwrap();
            let itemsize = array.data_type().fixed_size().unwrap();
            for value in bytes.chunks_exact(itemsize) {
                assert_eq!(value, &fill[..itemsize], "{}", store.name);
            }
        }
        assert_eq!(missing, total - written, "{}", store.name);
    }
}

#[test]
fn other_arrays_in_the_stores_read_too() {
    let mut seen = 0;
    for store in stores() {
        let Some(others) = store.entry["other_arrays_in_store"].as_array() else {
            continue;
        };
        for other in others {
            let path = format!("/{}", other["array_path"].as_str().unwrap());
            assert_eq!(
                other["expected"].as_str().unwrap(),
                "(arange(400).reshape(20,20) % 3) as uint8",
                "update this test for the new fixture"
            );
            let array = open(&store.dir, &path);
            let got: Vec<u8> = array
                .retrieve_array_subset(&ArraySubset::new_with_shape(vec![20, 20]))
                .unwrap();
            let expected: Vec<u8> = (0..400u32).map(|i| (i % 3) as u8).collect();
            assert_eq!(got, expected, "{}{path}", store.name);
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn the_fixtures_cover_the_cases_the_issue_lists() {
    let stores = stores();
    let any = |f: &dyn Fn(&serde_json::Value) -> bool| stores.iter().any(|s| f(&s.entry));
    let q16 = |e: &serde_json::Value| e["codec"] == "pymecompress-quant16";
    let huff = |e: &serde_json::Value| e["codec"] == "pymecompress-huffman";
    for writer in ["zarr-python-2", "zarr-python-3"] {
        assert!(stores
            .iter()
            .any(|s| s.entry["writer"].as_str().unwrap().starts_with(writer)));
    }
    assert!(any(&|e| e["shape"][0].as_u64().unwrap()
        % e["chunks"][0].as_u64().unwrap()
        != 0));
    assert!(any(&|e| e["chunks_written"] != e["chunks_total"]));
    assert!(any(&|e| e["shape"].as_array().unwrap().len() == 3));
    assert!(any(&|e| e["dimension_separator"] == "/"));
    assert!(any(&|e| q16(e) && e["offset"].as_f64().unwrap() != 0.0));
    assert!(any(
        &|e| q16(e) && e["offset"].as_f64().unwrap().fract() != 0.0
    ));
    assert!(any(&|e| q16(e) && e["scale"].as_f64().unwrap() != 1.0));
    assert!(any(&|e| e["name"].as_str().unwrap().contains("constant")));
    assert!(any(&|e| e["name"].as_str().unwrap().contains("saturating")));
    for dtype in ["|u1", "<u2", "<f4", "<i4"] {
        assert!(any(&|e| huff(e) && e["dtype"] == dtype), "{dtype}");
    }
    // The multi-byte Huffman stores are ones the reference cannot read back itself.
    assert!(any(&|e| huff(e) && e["reference_reads_ok"] == false));
}
