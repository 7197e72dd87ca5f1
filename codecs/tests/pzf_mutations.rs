//! Damaged PZF files: the fixtures (and chunked/quantized frames of our own) bit-flipped,
//! truncated, extended, with header fields and chunk-table entries overwritten. Every case
//! must decode without panicking to an error or to a frame of exactly Width × Height × Depth
//! values, and allocate at most a bound set by the input's length, never by its header:
//! 16 bytes per input byte (a Huffman byte codes at most 8 symbols, each at most 2 bytes of
//! uint16 output, or 8 bytes converted once more into u16/f32) plus the decoder's constant
//! tables.
//!
//! Fixed seed; the case count is asserted so the coverage cannot silently shrink.

mod common;

use common::pzf as pzf_common;

use pymecompress_test_support::alloc_count::{measure, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;
use pymecompress_codecs::pzf::{
    self, Compression, DimOrder, PzfSlice, PzfWriteOptions, Quantization,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The decoder's tables and tree, whatever the data (as in `resource_bounds.rs`).
const CONSTANT_BYTES: i64 = 1024 * 1024;
const BYTES_PER_INPUT_BYTE: i64 = 16;
const ROUNDS: usize = 2000;

fn sources() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = pzf_common::cases()
        .iter()
        .map(|c| pzf_common::read(&format!("{}.pzf", c["name"].as_str().unwrap())))
        .filter(|b| b.len() <= 16 * 1024)
        .collect();
    let values: Vec<u16> = (0..600u32)
        .map(|i| (100 + i.wrapping_mul(2_654_435_761) % 97) as u16)
        .collect();
    for (compression, quantization) in [
        (Compression::HuffmanChunked, Quantization::None),
        (Compression::HuffmanChunked, Quantization::Sqrt),
        (Compression::Huffman, Quantization::Sqrt),
    ] {
        for chunks in [1, 3] {
            let options = PzfWriteOptions {
                compression,
                quantization,
                quant_offset: 90.0,
                quant_scale: 0.8,
                chunks,
                ..Default::default()
            };
            out.push(
                pzf::encode(PzfSlice::U16(&values), [20, 30, 1], DimOrder::F, &options).unwrap(),
            );
        }
    }
    out
}

/// Offsets of the header fields worth overwriting: version .. DimOrder, the shape, the
/// quantization parameters, DataOffset, and the first chunk-table entries.
const FIELDS: [usize; 12] = [2, 3, 4, 5, 6, 20, 24, 28, 40, 44, 48, 64];

fn mutate(rng: &mut StdRng, src: &[u8]) -> Vec<u8> {
    let mut b = src.to_vec();
    match rng.random_range(0..6) {
        0 => {
            for _ in 0..rng.random_range(1..=3) {
                let bit = rng.random_range(0..b.len() * 8);
                b[bit / 8] ^= 1 << (bit % 8);
            }
        }
        1 => b.truncate(rng.random_range(0..b.len())),
        2 => {
            let n = rng.random_range(1..64);
            b.extend((0..n).map(|_| rng.random::<u8>()));
        }
        3 | 4 => {
            let at = FIELDS[rng.random_range(0..FIELDS.len())] + rng.random_range(0..4);
            let value: u32 = match rng.random_range(0..4) {
                0 => rng.random(),
                1 => rng.random_range(0..4),
                2 => u32::MAX - rng.random_range(0..4),
                _ => (u32::from_le_bytes(b[at.min(b.len() - 4)..][..4].try_into().unwrap()))
                    .wrapping_add(rng.random_range(1..3)),
            };
            let at = at.min(b.len().saturating_sub(4));
            let end = (at + 4).min(b.len());
            b[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
        }
        _ => {
            let at = rng.random_range(0..b.len());
            b[at] = rng.random();
        }
    }
    b
}

#[test]
fn damaged_files_error_or_decode_within_bounds() {
    let sources = sources();
    assert!(sources.len() >= 70, "{} sources", sources.len());
    let mut rng = StdRng::seed_from_u64(0x9af3_2026);
    let (mut cases, mut ok, mut errors) = (0u64, 0u64, 0u64);
    for round in 0..ROUNDS {
        for (s, src) in sources.iter().enumerate() {
            let bytes = mutate(&mut rng, src);
            let run = std::panic::catch_unwind(|| measure(|| pzf::decode(&bytes)));
            let (result, usage) = run.unwrap_or_else(|_| {
                panic!(
                    "round {round}, source {s}: panic on {:02x?}",
                    &bytes[..bytes.len().min(80)]
                )
            });
            let bound = BYTES_PER_INPUT_BYTE * bytes.len() as i64 + CONSTANT_BYTES;
            assert!(
                usage.peak <= bound,
                "round {round}, source {s}: peak {} > {bound} for {} input bytes",
                usage.peak,
                bytes.len()
            );
            match result {
                Ok(frame) => {
                    let [w, h, d] = frame.shape();
                    assert_eq!(frame.data.len(), w * h * d, "round {round}, source {s}");
                    ok += 1;
                }
                Err(_) => errors += 1,
            }
            cases += 1;
        }
    }
    assert_eq!(cases, ROUNDS as u64 * sources.len() as u64);
    assert!(cases >= 150_000, "{cases} cases");
    eprintln!("pzf mutations: {cases} cases, {ok} decoded, {errors} refused, 0 panics");
    assert!(
        ok > 1000 && errors > 10_000,
        "{ok} decoded, {errors} refused"
    );
}

/// A header claiming a 4-gigapixel frame over a small payload is refused before anything of
/// that size is allocated, whatever the compression.
#[test]
fn huge_claims_are_refused_before_allocating() {
    let values: Vec<u16> = (0..600).map(|i| (i % 50) as u16).collect();
    for compression in [
        Compression::Raw,
        Compression::Huffman,
        Compression::HuffmanChunked,
    ] {
        for quantization in [Quantization::None, Quantization::Sqrt] {
            if compression == Compression::Raw && quantization == Quantization::Sqrt {
                continue;
            }
            let options = PzfWriteOptions {
                compression,
                quantization,
                ..Default::default()
            };
            let mut file =
                pzf::encode(PzfSlice::U16(&values), [20, 30, 1], DimOrder::C, &options).unwrap();
            file[20..24].copy_from_slice(&65536u32.to_le_bytes());
            file[24..28].copy_from_slice(&65536u32.to_le_bytes());
            let (result, usage) = measure(|| pzf::decode(&file));
            assert!(result.is_err(), "{compression:?} {quantization:?}");
            assert!(
                usage.peak <= 4096,
                "{compression:?} {quantization:?}: {usage:?}"
            );
        }
    }
}
