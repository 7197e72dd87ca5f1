//! A loop to profile (`perf record`) the whole-array read of a 4096x4096 uint16 Poisson(100)
//! image in 256x256 quant16 chunks (`MemoryStore`), on a pool of THREADS threads.
//!
//! Usage:
//! `cargo run --release --example zarrs_whole_profile -- plain|fast|reused [ROUNDS] [THREADS]`
//! - `plain`: `Array::retrieve_array_subset`;
//! - `fast`: `zarrs_pymecompress::read_region` (fresh memory each read);
//! - `reused`: `read_region_into` one `RegionBuffer`, read after read.

use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use zarrs::array::{data_type, ArrayBuilder, ArraySubset};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::HuffmanQuant16Codec;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "plain".into());
    let rounds: usize = args.next().map_or(Ok(50), |s| s.parse())?;
    let threads: usize = args.next().map_or(Ok(1), |s| s.parse())?;
    let side = 4096u64;
    let mut rng = StdRng::seed_from_u64(7);
    let poisson = Poisson::new(100.0)?;
    let image: Vec<u16> = (0..side * side)
        .map(|_| poisson.sample(&mut rng) as u16)
        .collect();
    let mut builder =
        ArrayBuilder::new(vec![side, side], vec![256, 256], data_type::uint16(), 0u16);
    builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()));
    let array = builder.build(Arc::new(MemoryStore::new()), "/image")?;
    let whole = ArraySubset::new_with_shape(vec![side, side]);
    array.store_array_subset(&whole, image)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut reused = zarrs_pymecompress::RegionBuffer::<u16>::zeroed((side * side) as usize);
    let t = Instant::now();
    pool.install(|| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        for _ in 0..rounds {
            if mode == "reused" {
                zarrs_pymecompress::read_region_into(&array, &whole, &mut reused)?;
                std::hint::black_box(&reused);
            } else if mode == "fast" {
                std::hint::black_box(zarrs_pymecompress::read_region::<u16, _>(&array, &whole)?);
            } else {
                std::hint::black_box(array.retrieve_array_subset::<Vec<u16>>(&whole)?);
            }
        }
        Ok(())
    })?;
    let secs = t.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "{mode}: {:.1} ms per read, {:.0} MB/s (mean of {rounds}; noisy, machine loaded)",
        secs * 1e3,
        (side * side * 2) as f64 / secs / 1e6
    );
    Ok(())
}
