//! Throughput of both codecs, in bytes of uncompressed data per second, on photon-counting
//! frames: one 2048x2048 uint16 Poisson(100) frame as one chunk, and 64 chunks of 256x256.
//!
//! `cargo bench --bench codecs`. Single-chunk rows run on a one-thread rayon pool; the
//! `parallel` rows let the global pool code one big chunk in slices. For ratios against the
//! C reference use `benches/compare`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pymecompress_codecs::{huffman, testing, Quant16Codec, QuantParams};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};

fn poisson_frame(n: usize, seed: u64) -> Vec<u16> {
    let mut rng = StdRng::seed_from_u64(seed);
    let d = Poisson::new(100.0).unwrap();
    (0..n).map(|_| d.sample(&mut rng) as u16).collect()
}

fn le_bytes(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// (name, chunks of values): one big chunk, and many small ones.
fn data_sets() -> Vec<(&'static str, Vec<Vec<u16>>)> {
    vec![
        ("1x2048x2048", vec![poisson_frame(2048 * 2048, 1)]),
        (
            "64x256x256",
            (0..64).map(|i| poisson_frame(256 * 256, 100 + i)).collect(),
        ),
    ]
}

fn bench_codecs(c: &mut Criterion) {
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let codec = Quant16Codec::new(QuantParams::default());
    let mut g = c.benchmark_group("codecs");
    g.sample_size(10)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    for (name, chunks) in data_sets() {
        let raw: Vec<Vec<u8>> = chunks.iter().map(|c| le_bytes(c)).collect();
        let bytes: usize = raw.iter().map(Vec::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));

        let encoded: Vec<Vec<u8>> = raw.iter().map(|r| huffman::encode(r).unwrap()).collect();
        g.bench_function(BenchmarkId::new("huffman_encode", name), |b| {
            b.iter(|| {
                single.install(|| {
                    raw.iter()
                        .map(|r| huffman::encode(r).unwrap().len())
                        .sum::<usize>()
                })
            })
        });
        g.bench_function(BenchmarkId::new("huffman_decode", name), |b| {
            let mut outs: Vec<Vec<u8>> = raw.iter().map(|r| vec![0u8; r.len()]).collect();
            b.iter(|| {
                for (chunk, out) in encoded.iter().zip(&mut outs) {
                    huffman::decode_into(chunk, out).unwrap();
                }
            })
        });

        let quantized: Vec<Vec<u8>> = chunks.iter().map(|c| codec.encode(c).unwrap()).collect();
        g.bench_function(BenchmarkId::new("quant16_encode", name), |b| {
            b.iter(|| {
                single.install(|| {
                    chunks
                        .iter()
                        .map(|c| codec.encode(c).unwrap().len())
                        .sum::<usize>()
                })
            })
        });
        g.bench_function(BenchmarkId::new("quant16_decode", name), |b| {
            let mut outs: Vec<Vec<u16>> = chunks.iter().map(|c| vec![0u16; c.len()]).collect();
            b.iter(|| {
                for (chunk, out) in quantized.iter().zip(&mut outs) {
                    codec.decode_into(chunk, out).unwrap();
                }
            })
        });

        if chunks.len() == 1 {
            let threads = rayon::current_num_threads();
            g.bench_function(
                BenchmarkId::new(format!("huffman_encode_parallel_{threads}t"), name),
                |b| b.iter(|| testing::encode_parallel(&raw[0], threads).unwrap().len()),
            );
            g.bench_function(
                BenchmarkId::new(format!("quant16_encode_parallel_{threads}t"), name),
                |b| b.iter(|| codec.encode(&chunks[0]).unwrap().len()),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench_codecs);
criterion_main!(benches);
