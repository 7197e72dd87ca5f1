//! The Rust side of `benches/compare`: times both codecs on one frame file and prints JSON.
//!
//! Usage: `cargo run --release --example bench_codecs_driver -- FRAME.u16 [RUNS]`
//!
//! `FRAME.u16` holds little-endian `uint16` values (one chunk). Every operation runs `RUNS`
//! times (default 7) and reports the best time as MB/s (10^6 bytes) of *uncompressed* data.
//! Single-thread rows run inside a one-thread rayon pool; the `_2t` rows inside a two-thread
//! pool, where a chunk of at least 4 MiB is encoded in slices on both threads.

use std::time::Instant;

use pymecompress_codecs::{huffman, Quant16Codec, QuantParams};
use serde_json::json;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = f();
    for _ in 0..runs {
        let t = Instant::now();
        last = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, last)
}

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
    let report = json!({"bytes": raw.len(), "runs": runs, "rows": rows, "sizes": sizes});
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
