//! Zarr V2 stores for the live cross-check with zarr-python + the real pymecompress
//! (tests/interop/zarr_stores.py drives it).
//!
//!     interop_stores_driver write DIR   # writes stores with zarrs + these codecs, each with the data
//!                                # written as NAME.source.npy, listed in DIR/stores.json
//!     interop_stores_driver read DIR    # reads the stores listed in DIR/stores.json (written by
//!                                # zarr-python) with zarrs and compares them with their .npy
//!
//! `write` stores: Huffman over uint8, uint16, int32 and float32 with partial edge chunks (and
//! a uint16 store with `/` keys and missing chunks), quant16 at scale 1 with offset 0 and 100
//! (one 3-D), and one at scale 2.
//!
//! `read` expects DIR/stores.json as a list of `{"name", "path", "array_path", "expected"}`
//! (paths relative to DIR) and prints `PASS name` or `FAIL name: why` per store, then
//! `interop_stores read: N passed, M failed`; the exit status is 1 if any failed.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use pymecompress_codecs::QuantParams;
use pymecompress_test_support::{npy, zarr_v2};
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use serde_json::json;
use zarrs::array::{ArrayBytes, ArraySubset, Element};
use zarrs::filesystem::FilesystemStore;
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::ChunkKeySeparator;
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("write"), Some(dir)) => {
            write_all(Path::new(dir));
            ExitCode::SUCCESS
        }
        (Some("read"), Some(dir)) => read_all(Path::new(dir)),
        _ => {
            eprintln!("usage: interop_stores_driver write DIR | interop_stores_driver read DIR");
            ExitCode::from(2)
        }
    }
}

/// One store to write: its data, how it is chunked and coded.
struct Spec<T> {
    name: &'static str,
    shape: Vec<u64>,
    chunks: Vec<u64>,
    dtype: &'static str,
    fill: i64,
    separator: ChunkKeySeparator,
    compressor: MetadataV2,
    data: Vec<T>,
    /// Only this region is written; the rest of the store has no chunks (fill value).
    written: Option<Vec<std::ops::Range<u64>>>,
}

impl<T> Spec<T> {
    /// A 50x70 array in 32x40 chunks (edge chunks on both axes), fill value 0, `.` keys, every
    /// chunk written.
    fn new(name: &'static str, dtype: &'static str, compressor: MetadataV2, data: Vec<T>) -> Self {
        Self {
            name,
            shape: vec![50, 70],
            chunks: vec![32, 40],
            dtype,
            fill: 0,
            separator: ChunkKeySeparator::Dot,
            compressor,
            data,
            written: None,
        }
    }
}

fn write_store<T: Element + bytemuck::Pod>(
    dir: &Path,
    spec: Spec<T>,
    entries: &mut Vec<serde_json::Value>,
) {
    let root = dir.join(format!("{}.zarr", spec.name));
    let _ = std::fs::remove_dir_all(&root);
    let store = Arc::new(FilesystemStore::new(&root).unwrap());
    let compressor_json = serde_json::to_value(&spec.compressor).unwrap();
    let array = zarr_v2::create(
        store,
        "/",
        &spec.shape,
        &spec.chunks,
        spec.dtype,
        spec.fill,
        spec.compressor,
        spec.separator,
    );
    let mut source = spec.data.clone();
    match &spec.written {
        None => array
            .store_array_subset(&ArraySubset::new_with_shape(spec.shape.clone()), spec.data)
            .unwrap(),
        Some(ranges) => {
            // The source array is what a reader must see: the region, fill elsewhere.
            let fill: T = bytemuck::pod_read_unaligned(&spec.fill.to_le_bytes()[..size_of::<T>()]);
            let mut region = Vec::new();
            for (flat, value) in source.iter_mut().enumerate() {
                let mut rest = flat as u64;
                let mut index = vec![0u64; spec.shape.len()];
                for d in (0..spec.shape.len()).rev() {
                    index[d] = rest % spec.shape[d];
                    rest /= spec.shape[d];
                }
                if index.iter().zip(ranges).all(|(i, r)| r.contains(i)) {
                    region.push(*value);
                } else {
                    *value = fill;
                }
            }
            array
                .store_array_subset(&ArraySubset::new_with_ranges(ranges), region)
                .unwrap();
        }
    }
    let source_name = format!("{}.source.npy", spec.name);
    let shape: Vec<usize> = spec.shape.iter().map(|&n| n as usize).collect();
    npy::write(
        &dir.join(&source_name),
        spec.dtype,
        &shape,
        bytemuck::cast_slice(&source),
    )
    .unwrap();
    let separator = match spec.separator {
        ChunkKeySeparator::Slash => "/",
        ChunkKeySeparator::Dot => ".",
    };
    entries.push(json!({
        "name": spec.name,
        "path": format!("{}.zarr", spec.name),
        "array_path": "",
        "dtype": spec.dtype,
        "shape": spec.shape,
        "chunks": spec.chunks,
        "fill_value": spec.fill,
        "dimension_separator": separator,
        "compressor": compressor_json,
        "source": source_name,
    }));
    println!("wrote {}", root.display());
}

fn write_all(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let n = 50 * 70;
    let poisson = |mean: f64, n: usize, rng: &mut rand::rngs::StdRng| -> Vec<u16> {
        let d = Poisson::<f64>::new(mean).unwrap();
        (0..n).map(|_| d.sample(rng).min(65535.0) as u16).collect()
    };
    let huffman = || HuffmanCodec::new().compressor_v2();
    let quant16 = |offset, scale| {
        HuffmanQuant16Codec::new(QuantParams::new(offset, scale).unwrap()).compressor_v2()
    };
    let mut entries = Vec::new();

    let u8_data: Vec<u8> = (0..n)
        .map(|i| ((i * 7) % 13 + (i / 70) % 5) as u8)
        .collect();
    let u16_data = poisson(300.0, n, &mut rng);
    let i32_data: Vec<i32> = (0..n as i32).map(|i| (i - 1700) * 977).collect();
    let f32_data: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin() * 1e3).collect();
    write_store(
        dir,
        Spec::new("huff_u1", "|u1", huffman(), u8_data),
        &mut entries,
    );
    write_store(
        dir,
        Spec::new("huff_u2", "<u2", huffman(), u16_data.clone()),
        &mut entries,
    );
    write_store(
        dir,
        Spec {
            fill: 7,
            separator: ChunkKeySeparator::Slash,
            written: Some(vec![0..32, 0..40]),
            ..Spec::new("huff_u2_slash_missing", "<u2", huffman(), u16_data)
        },
        &mut entries,
    );
    write_store(
        dir,
        Spec {
            fill: -1,
            ..Spec::new("huff_i4", "<i4", huffman(), i32_data)
        },
        &mut entries,
    );
    write_store(
        dir,
        Spec::new("huff_f4", "<f4", huffman(), f32_data),
        &mut entries,
    );

    // quant16: photon counts with a few saturating values (above 255^2) and values below
    // the offset.
    let mut photons = poisson(400.0, n, &mut rng);
    photons[5] = 65535;
    photons[3000] = 65100;
    photons[17] = 3;
    write_store(
        dir,
        Spec::new("q16_o0_s1", "<u2", quant16(0.0, 1.0), photons.clone()),
        &mut entries,
    );
    write_store(
        dir,
        Spec {
            shape: vec![3, 40, 30],
            chunks: vec![1, 32, 32],
            ..Spec::new(
                "q16_o100_s1_stack",
                "<u2",
                quant16(100.0, 1.0),
                poisson(150.0, 3 * 40 * 30, &mut rng),
            )
        },
        &mut entries,
    );
    write_store(
        dir,
        Spec::new("q16_o0_s2", "<u2", quant16(0.0, 2.0), photons),
        &mut entries,
    );

    std::fs::write(
        dir.join("stores.json"),
        serde_json::to_string_pretty(&entries).unwrap(),
    )
    .unwrap();
    println!(
        "interop_stores write: {} stores in {}",
        entries.len(),
        dir.display()
    );
}

fn read_store(dir: &Path, entry: &serde_json::Value) -> Result<(), String> {
    let path = entry["path"].as_str().ok_or("entry has no path")?;
    let array_path = format!("/{}", entry["array_path"].as_str().unwrap_or(""));
    let expected =
        npy::read(&dir.join(entry["expected"].as_str().ok_or("entry has no expected")?))?;
    let store = Arc::new(FilesystemStore::new(dir.join(path)).map_err(|e| e.to_string())?);
    let array = zarrs_pymecompress::open_array(store, &array_path).map_err(|e| e.to_string())?;
    let shape: Vec<u64> = expected.shape.iter().map(|&n| n as u64).collect();
    if array.shape() != shape.as_slice() {
        return Err(format!("shape {:?}, expected {shape:?}", array.shape()));
    }
    let bytes: ArrayBytes<'static> = array
        .retrieve_array_subset(&ArraySubset::new_with_shape(array.shape().to_vec()))
        .map_err(|e| e.to_string())?;
    let bytes = bytes.into_fixed().map_err(|e| e.to_string())?;
    if *bytes != *expected.c_bytes {
        let itemsize = expected.itemsize();
        let differing = bytes
            .chunks(itemsize)
            .zip(expected.c_bytes.chunks(itemsize))
            .filter(|(a, b)| a != b)
            .count();
        return Err(format!("{differing} elements differ"));
    }
    Ok(())
}

fn read_all(dir: &Path) -> ExitCode {
    let list = match std::fs::read(dir.join("stores.json")) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("{}: {e}", dir.join("stores.json").display());
            return ExitCode::from(2);
        }
    };
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&list).expect("stores.json");
    let (mut passed, mut failed) = (0, 0);
    for entry in &entries {
        let name = entry["name"].as_str().unwrap_or("?");
        match read_store(dir, entry) {
            Ok(()) => {
                passed += 1;
                println!("PASS {name}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!("interop_stores read: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
