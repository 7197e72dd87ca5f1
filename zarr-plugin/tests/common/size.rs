//! Writing a Poisson(100) uint16 image through zarrs with HuffmanQuant16 and measuring the
//! stored bytes (shared by tests/size_ratio.rs and examples/size_ratio.rs).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use pymecompress_codecs::QuantParams;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use zarrs::array::ArraySubset;
use zarrs::filesystem::FilesystemStore;
use zarrs::metadata::ChunkKeySeparator;
use zarrs_pymecompress::HuffmanQuant16Codec;

/// Stored bytes of all chunks and the raw size of an `n x n` Poisson(100) image written to a
/// Zarr V2 store in `dir` with `chunk x chunk` chunks (offset 0, scale 1).
pub fn stored_and_raw_bytes(dir: &Path, n: u64, chunk: u64) -> (u64, u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(100);
    let poisson = Poisson::<f64>::new(100.0).unwrap();
    let image: Vec<u16> = (0..n * n)
        .map(|_| poisson.sample(&mut rng).min(65535.0) as u16)
        .collect();
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let codec = HuffmanQuant16Codec::new(QuantParams::new(0.0, 1.0).unwrap());
    let array = super::v2::create(
        store,
        "/image",
        &[n, n],
        &[chunk, chunk],
        "<u2",
        0,
        codec.compressor_v2(),
        ChunkKeySeparator::Dot,
    );
    array
        .store_array_subset(&ArraySubset::new_with_shape(vec![n, n]), image)
        .unwrap();
    let mut stored = 0;
    for entry in std::fs::read_dir(dir.join("image")).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_name().to_string_lossy().starts_with('.') {
            stored += entry.metadata().unwrap().len();
        }
    }
    (stored, n * n * 2)
}
