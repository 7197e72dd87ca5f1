//! The Rust side of `benches/compare`: times both codecs on one frame file and prints JSON.
//!
//! Usage: `cargo run --release --example bench_codecs_driver -- FRAME.u16 [RUNS]`
//!
//! `FRAME.u16` holds little-endian `uint16` values (one chunk). Every operation runs `RUNS`
//! times (default 7) and reports the best time as MB/s (10^6 bytes) of *uncompressed* data.
//! Single-thread rows run inside a one-thread rayon pool; the `_2t` rows inside a two-thread
//! pool, where a chunk of at least 4 MiB is encoded in slices on both threads.
//!
//! The `one_chunk_*_decode_{1t,2t}` rows time the core decoders on one larger chunk made here:
//! a 4096x4096 uint16 Poisson(100) frame (seed 7, as `zarrs_scaling` makes its image), as a
//! `pymecompress-huffman` chunk over its 32 MiB of bytes and as a `pymecompress-quant16` chunk
//! (offset 0, scale 1), each decoded on pools of 1 and 2 threads: on 2, one chunk decodes in
//! slices on both (self-synchronisation). They have no reference figure.
//!
//! The `one_chunk_nosync_huffman_decode_{1t,2t}` rows time the worst case of that path: a
//! Huffman chunk of 32 Mi symbols that never self-synchronises
//! (`pymecompress_codecs::testing::never_synchronising_chunk`: code lengths 7 and 8, symbols
//! that keep a decoder started off the byte grid off it), decoded by `huffman::decode_into` on
//! pools of 1 and 2 threads. On 2 every probe fails and the chunk decodes serially after them:
//! 2t against 1t is what that costs.
//!
//! The `zarrs_*_{1t,2t}` rows read the same frame through zarrs (`examples/support/zarrs_rows.rs`):
//! in 256x256 chunks chunk by chunk, whole through `zarrs_pymecompress::read_region` into a fresh
//! and into a reused buffer, whole through plain `retrieve_array_subset`, and as one chunk
//! through `retrieve_chunk`.

#[path = "support/zarrs_rows.rs"]
mod zarrs_rows;

use pymecompress_codecs::{huffman, testing, Quant16Codec, QuantParams};
use pymecompress_test_support::timing::best_of;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use serde_json::json;

/// Side of the one-chunk frame.
const ONE_CHUNK_SIDE: usize = 4096;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_codecs_driver FRAME.u16 [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    let raw = std::fs::read(&path)?;
    if raw.len() % 2 != 0 {
        return Err("frame file must hold whole uint16 values".into());
    }
    let values: Vec<u16> = raw
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    let n_bytes = raw.len() as f64;
    let codec = Quant16Codec::new(QuantParams::default());
    let mb_s = |secs: f64| n_bytes / secs / 1e6;

    let mut rows = Vec::new();
    let mut sizes = serde_json::Map::new();
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let suffix = if threads == 1 { "" } else { "_2t" };
        pool.install(|| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            let (t, chunk) = best_of(runs, || huffman::encode(&raw));
            let chunk = chunk?;
            rows.push(json!({"op": format!("huffman_encode{suffix}"), "mb_s": mb_s(t)}));
            if threads == 1 {
                sizes.insert("huffman".into(), json!(chunk.len()));
                let mut out = vec![0u8; raw.len()];
                let (t, r) = best_of(runs, || huffman::decode_into(&chunk, &mut out));
                r?;
                if out != raw {
                    return Err("huffman round trip failed".into());
                }
                rows.push(json!({"op": "huffman_decode", "mb_s": mb_s(t)}));
            }

            let (t, chunk) = best_of(runs, || codec.encode(&values));
            let chunk = chunk?;
            rows.push(json!({"op": format!("quant16_encode{suffix}"), "mb_s": mb_s(t)}));
            if threads == 1 {
                sizes.insert("quant16".into(), json!(chunk.len()));
                let mut out = vec![0u16; values.len()];
                let (t, r) = best_of(runs, || codec.decode_into(&chunk, &mut out));
                r?;
                let params = codec.params();
                if out
                    .iter()
                    .zip(&values)
                    .any(|(&o, &v)| o != params.dequantize(params.quantize(v)))
                {
                    return Err("quant16 round trip failed".into());
                }
                rows.push(json!({"op": "quant16_decode", "mb_s": mb_s(t)}));
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    one_chunk_rows(runs, &codec, &mut rows)?;
    nosync_rows(runs, &mut rows)?;
    let report = json!({"bytes": raw.len(), "runs": runs, "rows": rows, "sizes": sizes});
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// The `one_chunk_{huffman,quant16}_decode_{1t,2t}` rows: one 4096x4096 frame as one chunk,
/// decoded by the core calls on pools of 1 and 2 threads.
fn one_chunk_rows(
    runs: usize,
    codec: &Quant16Codec,
    rows: &mut Vec<serde_json::Value>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(7);
    let poisson = Poisson::new(100.0)?;
    let values: Vec<u16> = (0..ONE_CHUNK_SIDE * ONE_CHUNK_SIDE)
        .map(|_| poisson.sample(&mut rng) as u16)
        .collect();
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mb_s = |secs: f64| raw.len() as f64 / secs / 1e6;
    let huffman_chunk = huffman::encode(&raw)?;
    let quant16_chunk = codec.encode(&values)?;
    let params = codec.params();
    let expected: Vec<u16> = values
        .iter()
        .map(|&v| params.dequantize(params.quantize(v)))
        .collect();
    let mut bytes_out = vec![0u8; raw.len()];
    let mut values_out = vec![0u16; values.len()];
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        pool.install(|| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            bytes_out.fill(0);
            let (t, r) = best_of(runs, || {
                huffman::decode_into(&huffman_chunk, &mut bytes_out)
            });
            r?;
            if bytes_out != raw {
                return Err("one-chunk huffman round trip failed".into());
            }
            rows.push(
                json!({"op": format!("one_chunk_huffman_decode_{threads}t"), "mb_s": mb_s(t)}),
            );

            values_out.fill(0);
            let (t, r) = best_of(runs, || codec.decode_into(&quant16_chunk, &mut values_out));
            r?;
            if values_out != expected {
                return Err("one-chunk quant16 round trip failed".into());
            }
            rows.push(
                json!({"op": format!("one_chunk_quant16_decode_{threads}t"), "mb_s": mb_s(t)}),
            );
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    zarrs_rows::rows(ONE_CHUNK_SIDE as u64, &values, &expected, runs, rows)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Symbols of the never-synchronising chunk: as many as the one-chunk frame has bytes.
const NOSYNC_SYMBOLS: usize = 2 * ONE_CHUNK_SIDE * ONE_CHUNK_SIDE;

/// The `one_chunk_nosync_huffman_decode_{1t,2t}` rows: a chunk that never self-synchronises,
/// decoded on pools of 1 and 2 threads.
fn nosync_rows(
    runs: usize,
    rows: &mut Vec<serde_json::Value>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (symbols, chunk) = testing::never_synchronising_chunk(NOSYNC_SYMBOLS, 11)?;
    let mb_s = |secs: f64| symbols.len() as f64 / secs / 1e6;
    let mut out = vec![0u8; symbols.len()];
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        out.fill(0);
        let (t, r) = pool.install(|| best_of(runs, || huffman::decode_into(&chunk, &mut out)));
        r?;
        if out != symbols {
            return Err("never-synchronising huffman round trip failed".into());
        }
        rows.push(
            json!({"op": format!("one_chunk_nosync_huffman_decode_{threads}t"), "mb_s": mb_s(t)}),
        );
    }
    Ok(())
}
