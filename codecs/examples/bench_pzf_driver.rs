//! The Rust side of the PZF rows of `benches/compare`: times `pzf::encode` and `pzf::decode`
//! of one frame, as a lossless Huffman PZF and as a sqrt-quantized one, and prints JSON.
//!
//! Usage:
//! `cargo run --release -p pymecompress-codecs --example bench_pzf_driver -- FRAME.u16 SIDE [RUNS]`
//!
//! In the codec crate (it needs nothing else), so that the benchmark builds only the core.
//!
//! `FRAME.u16` holds SIDE x SIDE little-endian `uint16` values. Every operation runs `RUNS`
//! times (default 7) on a one-thread rayon pool (PYME's `dumps`/`loads` use one thread) and
//! reports the best time as MB/s (10^6 bytes) of uncompressed frame. The quantized frame uses
//! offset 0, scale 1, as `benches/reference_pzf_timings.py` does.

use pymecompress_codecs::pzf::{
    self, Compression, DimOrder, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_test_support::timing::best_of;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_pzf_driver FRAME.u16 SIDE [RUNS]";
    let path = args.next().ok_or(usage)?;
    let side: usize = args.next().ok_or(usage)?.parse()?;
    let runs: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    let raw = std::fs::read(&path)?;
    if raw.len() != side * side * 2 {
        return Err(format!("{path}: {} bytes, not {side}x{side} uint16", raw.len()).into());
    }
    let values: Vec<u16> = raw
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    let mb_s = |secs: f64| raw.len() as f64 / secs / 1e6;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let mut rows = Vec::new();
    let mut sizes = serde_json::Map::new();
    pool.install(|| -> Result<(), pzf::PzfError> {
        for (name, quantization) in [
            ("huffman", Quantization::None),
            ("quant", Quantization::Sqrt),
        ] {
            let options = PzfWriteOptions {
                compression: Compression::Huffman,
                quantization,
                quant_offset: 0.0,
                quant_scale: 1.0,
                ..Default::default()
            };
            let shape = [side, side, 1];
            let (secs, file) = best_of(runs, || {
                pzf::encode(PzfSlice::U16(&values), shape, DimOrder::C, &options)
            });
            let file = file?;
            rows.push(json!({"op": format!("pzf_{name}_write"), "mb_s": mb_s(secs)}));
            let (secs, frame) = best_of(runs, || pzf::decode(&file));
            frame?;
            rows.push(json!({"op": format!("pzf_{name}_read"), "mb_s": mb_s(secs)}));
            sizes.insert(format!("pzf_{name}"), json!(file.len()));
        }
        Ok(())
    })?;
    println!("{}", json!({"rows": rows, "sizes": sizes}));
    Ok(())
}
