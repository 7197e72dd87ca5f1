//! The Rust side of `tests/interop/pyme_zarr.sh`.
//!
//! - `pyme_zarr_interop_driver write DIR`: writes Zarr V2 arrays with our `pyme-pzf` codec into
//!   DIR (uint8, uint16 lossless and quantized, float32 Huffman and raw, whole-tile and
//!   multi-chunk), each beside `NAME.input.npy` (the values written) and `NAME.decoded.npy`
//!   (what we read back), for PYME's `zarr_compat` codec to read.
//! - `pyme_zarr_interop_driver read-pyramid DIR LEVEL OUT.npy`: opens a PYME tile pyramid through
//!   `PymeTileStore` with plain `Array::open` and saves the level.

use std::path::Path;
use std::sync::Arc;

use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2, ArraySubset};
use zarrs::filesystem::FilesystemStore;
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::ChunkKeySeparator;
use zarrs_pymecompress::PymeTileStore;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", dir] => write_all(Path::new(dir)),
        ["read-pyramid", dir, level, out] => read_pyramid(Path::new(dir), level, Path::new(out)),
        _ => {
            Err("usage: pyme_zarr_interop_driver write DIR | read-pyramid DIR LEVEL OUT.npy".into())
        }
    }
}

/// The numpy dtypes written here.
#[derive(Clone, Copy)]
enum NpyDtype {
    U1,
    U2,
    F4,
}

impl NpyDtype {
    fn descr(self) -> &'static str {
        match self {
            Self::U1 => "|u1",
            Self::U2 => "<u2",
            Self::F4 => "<f4",
        }
    }

    fn itemsize(self) -> usize {
        match self {
            Self::U1 => 1,
            Self::U2 => 2,
            Self::F4 => 4,
        }
    }
}

/// One array to write: name, numpy dtype, shape, chunks, compressor entry.
struct Case {
    name: &'static str,
    dtype: NpyDtype,
    shape: &'static [u64],
    chunks: &'static [u64],
    compressor: serde_json::Value,
}

fn cases() -> Vec<Case> {
    let pzf = |extra: serde_json::Value| {
        let mut entry = serde_json::json!({"id": "pyme-pzf"});
        if let serde_json::Value::Object(fields) = extra {
            entry.as_object_mut().expect("an object").extend(fields);
        }
        entry
    };
    vec![
        Case {
            name: "f32_tiles",
            dtype: NpyDtype::F4,
            shape: &[1, 40, 24],
            chunks: &[1, 16, 16],
            compressor: pzf(serde_json::json!({})),
        },
        Case {
            name: "f32_raw_tiles",
            dtype: NpyDtype::F4,
            shape: &[1, 40, 24],
            chunks: &[1, 16, 16],
            compressor: pzf(serde_json::json!({"compression": "raw"})),
        },
        Case {
            name: "f32_single_tile",
            dtype: NpyDtype::F4,
            shape: &[1, 16, 16],
            chunks: &[1, 16, 16],
            compressor: pzf(serde_json::json!({})),
        },
        Case {
            name: "u16_stack",
            dtype: NpyDtype::U2,
            shape: &[3, 20, 20],
            chunks: &[1, 16, 16],
            compressor: pzf(serde_json::json!({})),
        },
        Case {
            name: "u16_quant",
            dtype: NpyDtype::U2,
            shape: &[2, 32, 32],
            chunks: &[1, 32, 32],
            compressor: pzf(
                serde_json::json!({"quantization": "sqrt", "offset": 100, "scale": 1.5}),
            ),
        },
        Case {
            name: "u8_2d",
            dtype: NpyDtype::U1,
            shape: &[20, 30],
            chunks: &[8, 16],
            compressor: pzf(serde_json::json!({})),
        },
    ]
}

/// Deterministic values with structure and noise (a small LCG; no randomness needed).
fn values(dtype: NpyDtype, n: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as u32
    };
    (0..n)
        .flat_map(|i| match dtype {
            NpyDtype::F4 => ((i % 97) as f32 * 1.5 + (next() % 1000) as f32 / 7.0)
                .to_le_bytes()
                .to_vec(),
            NpyDtype::U2 => ((90 + (i % 50) * 20) as u16 + (next() % 64) as u16)
                .to_le_bytes()
                .to_vec(),
            NpyDtype::U1 => vec![(i % 13) as u8 * 3 + (next() % 4) as u8],
        })
        .collect()
}

fn write_all(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let store = Arc::new(FilesystemStore::new(dir)?);
    for case in cases() {
        let compressor: MetadataV2 = serde_json::from_value(case.compressor.clone())?;
        let metadata = ArrayMetadataV2::new(
            case.shape.to_vec(),
            case.chunks
                .iter()
                .map(|&c| std::num::NonZeroU64::new(c).ok_or("zero chunk"))
                .collect::<Result<_, _>>()?,
            case.dtype.descr().into(),
            serde_json::Number::from(0).into(),
            Some(compressor),
            None,
        )
        .with_dimension_separator(ChunkKeySeparator::Slash);
        let array = Array::new_with_metadata(
            store.clone(),
            &format!("/{}", case.name),
            ArrayMetadata::V2(metadata),
        )?;
        zarrs_pymecompress::check_array(&array)?;
        array.store_metadata()?;
        let n = case.shape.iter().product::<u64>() as usize;
        let input = values(case.dtype, n);
        let whole = ArraySubset::new_with_shape(case.shape.to_vec());
        // zarrs takes native-endian element bytes; the .npy data is little-endian.
        let native = to_native(case.dtype, &input);
        array.store_array_subset(&whole, zarrs::array::ArrayBytes::new_flen(native))?;
        let decoded: zarrs::array::ArrayBytes<'static> = array.retrieve_array_subset(&whole)?;
        let decoded = to_native(case.dtype, &decoded.into_fixed()?);
        save(
            &dir.join(format!("{}.input.npy", case.name)),
            case.dtype,
            case.shape,
            input,
        )?;
        save(
            &dir.join(format!("{}.decoded.npy", case.name)),
            case.dtype,
            case.shape,
            decoded,
        )?;
    }
    Ok(())
}

/// Swaps each element's bytes between little-endian and native order (identity on
/// little-endian machines).
fn to_native(dtype: NpyDtype, bytes: &[u8]) -> Vec<u8> {
    let size = dtype.itemsize();
    bytes
        .chunks_exact(size)
        .flat_map(|e| {
            let mut e = e.to_vec();
            if cfg!(target_endian = "big") {
                e.reverse();
            }
            e
        })
        .collect()
}

fn save(path: &Path, dtype: NpyDtype, shape: &[u64], data: Vec<u8>) -> Result<(), Error> {
    let shape: Vec<usize> = shape.iter().map(|&n| n as usize).collect();
    pymecompress_test_support::npy::write(path, dtype.descr(), &shape, &data)?;
    Ok(())
}

fn read_pyramid(dir: &Path, level: &str, out: &Path) -> Result<(), Error> {
    let store = Arc::new(PymeTileStore::open_dir(dir)?);
    let array = Array::open(store, &format!("/{level}"))?;
    let shape = array.shape().to_vec();
    let values: Vec<f32> =
        array.retrieve_array_subset(&ArraySubset::new_with_shape(shape.clone()))?;
    let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    save(out, NpyDtype::F4, &shape, bytes)
}
