//! Thread scaling of the codecs through zarrs: a 4096x4096 uint16 Poisson(100) image in
//! 256x256 chunks (256 chunks) written to and read from an in-memory store, on a rayon pool of
//! 1 and then 2 threads. Two paths: the whole image in one call (zarrs codes the chunks
//! concurrently on the pool) and chunk by chunk from a rayon loop.
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
use rayon::prelude::*;
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

/// How the image goes through zarrs.
#[derive(Clone, Copy)]
enum Mode {
    /// One `store_array_subset` / `retrieve_array_subset` of the whole image: zarrs codes the
    /// chunks on the pool, but splits the input and assembles the 32 MiB output around them.
    Whole,
    /// `store_chunk` / `retrieve_chunk` of each chunk from a rayon loop, as a frame-by-frame
    /// pipeline does: only coding and store access run per chunk.
    PerChunk,
}

/// Best encode and decode seconds of `runs`.
fn measure(codec: &str, mode: Mode, image: &[u16], runs: usize) -> Result<(f64, f64), String> {
    let per_side = SIDE / CHUNK;
    let chunk_indices: Vec<[u64; 2]> = (0..per_side)
        .flat_map(|i| (0..per_side).map(move |j| [i, j]))
        .collect();
    // Chunk contents cut out beforehand, so per-chunk timing is coding and storing only.
    let chunks: Vec<Vec<u16>> = chunk_indices
        .iter()
        .map(|&[i, j]| {
            let (r0, c0) = ((i * CHUNK) as usize, (j * CHUNK) as usize);
            (r0..r0 + CHUNK as usize)
                .flat_map(|r| {
                    let row = r * SIDE as usize;
                    image[row + c0..row + c0 + CHUNK as usize].iter().copied()
                })
                .collect()
        })
        .collect();
    let whole = ArraySubset::new_with_shape(vec![SIDE, SIDE]);
    let (mut best_enc, mut best_dec) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..runs {
        let array = build(codec).map_err(|e| e.to_string())?;
        let t = Instant::now();
        match mode {
            Mode::Whole => array.store_array_subset(&whole, image.to_vec()),
            Mode::PerChunk => chunk_indices
                .par_iter()
                .zip(&chunks)
                .try_for_each(|(idx, data)| array.store_chunk(idx, data.clone())),
        }
        .map_err(|e| e.to_string())?;
        best_enc = best_enc.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let decoded = match mode {
            Mode::Whole => array
                .retrieve_array_subset::<Vec<u16>>(&whole)
                .map(|v| v.len()),
            Mode::PerChunk => chunk_indices
                .par_iter()
                .map(|idx| array.retrieve_chunk::<Vec<u16>>(idx).map(|v| v.len()))
                .try_reduce(|| 0, |a, b| Ok(a + b)),
        }
        .map_err(|e| e.to_string())?;
        best_dec = best_dec.min(t.elapsed().as_secs_f64());
        if decoded != image.len() {
            return Err(format!(
                "decoded {decoded} values, expected {}",
                image.len()
            ));
        }
    }
    Ok((best_enc, best_dec))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(5), |s| s.parse())?;
    let mut rng = StdRng::seed_from_u64(7);
    let poisson = Poisson::new(100.0)?;
    let image: Vec<u16> = (0..SIDE * SIDE)
        .map(|_| poisson.sample(&mut rng) as u16)
        .collect();
    let mb = (image.len() * 2) as f64 / 1e6;

    println!("| codec | path | operation | 1 thread MB/s | 2 threads MB/s | 2t / 1t |");
    println!("|---|---|---|---:|---:|---:|");
    for codec in ["huffman", "quant16"] {
        for (mode, path) in [(Mode::Whole, "whole array"), (Mode::PerChunk, "per chunk")] {
            let mut encode = [0.0f64; 2];
            let mut decode = [0.0f64; 2];
            for (slot, threads) in [1usize, 2].into_iter().enumerate() {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()?;
                let (enc, dec) = pool.install(|| measure(codec, mode, &image, runs))?;
                encode[slot] = mb / enc;
                decode[slot] = mb / dec;
            }
            for (op, r) in [("encode", encode), ("decode", decode)] {
                println!(
                    "| {codec} | {path} | {op} | {:.0} | {:.0} | {:.2}x |",
                    r[0],
                    r[1],
                    r[1] / r[0]
                );
            }
        }
    }
    Ok(())
}
