//! Thread scaling of the codecs through zarrs: a 4096x4096 uint16 Poisson(100) image in
//! 256x256 chunks (256 chunks) written to and read from an in-memory store, on a rayon pool of
//! 1 and then 2 threads; zarrs codes the chunks concurrently on the pool.
//!
//! Usage: `cargo run --release --example zarrs_scaling -- [RUNS]` (best of RUNS, default 5).
//! Prints MB/s of uncompressed data and the 2-thread / 1-thread ratio. Wall-clock time: on a
//! shared machine the second core may be busy, which shows as a lower ratio.

use std::sync::Arc;
use std::time::Instant;

use pymecompress_codecs::QuantParams;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

const SIDE: u64 = 4096;
const CHUNK: u64 = 256;

fn build(codec: &str) -> Result<Array<MemoryStore>, Box<dyn std::error::Error>> {
    let store = Arc::new(MemoryStore::new());
    let mut builder = ArrayBuilder::new(
        vec![SIDE, SIDE],
        vec![CHUNK, CHUNK],
        data_type::uint16(),
        0u16,
    );
    match codec {
        "huffman" => {
            builder.bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())]);
        }
        _ => {
            builder
                .array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::new(QuantParams::default())));
        }
    }
    Ok(builder.build(store, "/image")?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(5), |s| s.parse())?;
    let mut rng = StdRng::seed_from_u64(7);
    let poisson = Poisson::new(100.0)?;
    let image: Vec<u16> = (0..SIDE * SIDE)
        .map(|_| poisson.sample(&mut rng) as u16)
        .collect();
    let whole = ArraySubset::new_with_shape(vec![SIDE, SIDE]);
    let mb = (image.len() * 2) as f64 / 1e6;

    println!("| codec | operation | 1 thread MB/s | 2 threads MB/s | 2t / 1t |");
    println!("|---|---|---:|---:|---:|");
    for codec in ["huffman", "quant16"] {
        let mut encode = [0.0f64; 2];
        let mut decode = [0.0f64; 2];
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            let (enc, dec) = pool.install(|| -> Result<(f64, f64), String> {
                let mut best_enc = f64::INFINITY;
                let mut best_dec = f64::INFINITY;
                for _ in 0..runs {
                    let array = build(codec).map_err(|e| e.to_string())?;
                    let data = image.clone();
                    let t = Instant::now();
                    array
                        .store_array_subset(&whole, data)
                        .map_err(|e| e.to_string())?;
                    best_enc = best_enc.min(t.elapsed().as_secs_f64());
                    let t = Instant::now();
                    let back: Vec<u16> = array
                        .retrieve_array_subset(&whole)
                        .map_err(|e| e.to_string())?;
                    best_dec = best_dec.min(t.elapsed().as_secs_f64());
                    if back.len() != image.len() {
                        return Err("decoded size differs".into());
                    }
                }
                Ok((mb / best_enc, mb / best_dec))
            })?;
            encode[slot] = enc;
            decode[slot] = dec;
        }
        for (op, r) in [("encode", encode), ("decode", decode)] {
            println!(
                "| {codec} | {op} | {:.0} | {:.0} | {:.2}x |",
                r[0],
                r[1],
                r[1] / r[0]
            );
        }
    }
    Ok(())
}
