//! Resource bounds of decoding, measured rather than argued:
//!
//! - memory: a counting global allocator shows that decoding allocates the output the caller
//!   asked for plus a small constant, that a hostile trailer is refused before anything is
//!   allocated, and that the number of allocations does not grow with the data;
//! - work: a decoder given a huge symbol count and a short stream stops where the stream's bits
//!   run out (the output past that point is never written), and a worst-case deep tree (the
//!   256-leaf caterpillar, codes of up to 255 bits) decodes a large count with the same
//!   constant number of allocations. No timing is involved anywhere.
//!
//! Outputs of 1 Mi symbols and more decode in slices on every thread of the current rayon
//! pool (the global one for a caller outside any pool), so those decodes are measured on a
//! [`CountedPool`]: a pool of a fixed size whose threads all count, while the thread that
//! enters it (where rayon's injector queue allocates now and then) is not counted. Slicing adds
//! a few allocations per slice, never per symbol: `extra_memory_stops_growing_with_the_output`
//! checks both.
//!
//! What this does not show: the number of tree steps per symbol. The crate exposes no step
//! counter; that bound (at most 255 steps, the depth of a validated tree) rests on the code.

mod common;

use common::*;
use pymecompress_codecs::{huffman, quant16, stream, testing, Error, Quant16Codec, QuantParams};
use pymecompress_test_support::alloc_count::{measure, CountedPool, CountingAllocator, Usage};
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Working memory a decoder may use beyond its output, whatever the data: the code tree (at
/// most 255 internal nodes), the tree reader's stack, and the decoder's lookup tables. Their
/// size grows with the requested count up to a fixed cap (2^14 entries of a few bytes plus 8
/// output values when this was written: about 416 KiB for `u16` output, 288 KiB for `u8`);
/// `extra_memory_stops_growing_with_the_output` checks that the cap is reached.
const CONSTANT_BYTES: i64 = 1024 * 1024;

/// Most allocation calls one decode on one thread may make, whatever the size of the data.
const CONSTANT_CALLS: u64 = 16;

/// Most allocation calls slicing adds to a decode once (the plan's lists, rayon's bookkeeping)
/// and per slice (a slice's window, its share of the counted pairs' results). A parallel decode
/// on P threads cuts 2P slices. When this was written, on 2 and 4 threads, decoding Huffman
/// bytes made 32 and 43 calls, against 13 on one thread.
const SLICING_CALLS: u64 = 8;
const SLICE_CALLS: u64 = 3;

/// How far the peak of one decode may move with the order in which the pool's threads free
/// their working memory (4 KiB seen on 4 threads).
const PEAK_JITTER: i64 = 16 * 1024;

/// Threads of the pool the big decodes are measured on.
const POOL_THREADS: usize = 2;

/// Most allocation calls a decode of `symbols` outputs may make on `threads` threads.
fn most_calls(symbols: usize, threads: usize) -> u64 {
    if symbols < 1 << 20 || threads < 2 {
        return CONSTANT_CALLS;
    }
    CONSTANT_CALLS + SLICING_CALLS + SLICE_CALLS * 2 * threads as u64
}

/// Runs `f` on a counting pool of `POOL_THREADS` threads ([`CountedPool::measure`]).
fn measure_on_pool<T: Send>(f: impl FnOnce() -> T + Send) -> (T, Usage) {
    static POOL: OnceLock<CountedPool> = OnceLock::new();
    POOL.get_or_init(|| CountedPool::new(POOL_THREADS))
        .measure(f)
}

/// `usage` of a decode that allocated `output_bytes` of output and may make `most` calls.
fn assert_output_plus_constant(what: &str, usage: Usage, output_bytes: usize, most: u64) {
    assert!(
        usage.peak <= output_bytes as i64 + CONSTANT_BYTES,
        "{what}: peak {} bytes for {output_bytes} bytes of output ({usage:?})",
        usage.peak
    );
    assert!(
        usage.calls <= most,
        "{what}: {usage:?}, at most {most} calls"
    );
}

// ---------------------------------------------------------------------------------------------
// Memory

#[test]
fn measuring_sees_allocations() {
    let (v, usage) = measure(|| vec![1u8; 100_000]);
    assert_eq!(v.len(), 100_000);
    assert_eq!((usage.peak, usage.calls), (100_000, 1));
}

#[test]
fn valid_chunks_allocate_their_output_plus_a_constant() {
    let mut rng = rng(21);
    for (kind, n) in [
        (0, 1 << 20),
        (1, 1 << 20),
        (4, 1 << 20),
        (5, 3000),
        (2, 50_000),
    ] {
        let input = bytes_of_kind(&mut rng, kind, n);
        let n = input.len();
        let chunk = huffman::encode(&input).unwrap();
        let s = &chunk[..chunk.len() - 4];

        let (out, usage) = measure_on_pool(|| huffman::decode(&chunk, n));
        assert_eq!(out.as_deref(), Ok(&input[..]));
        assert_output_plus_constant("huffman::decode", usage, n, most_calls(n, POOL_THREADS));

        let mut buf = vec![0u8; n];
        let (out, usage) = measure_on_pool(|| huffman::decode_into(&chunk, &mut buf));
        assert_eq!(out, Ok(()));
        assert_output_plus_constant(
            "huffman::decode_into",
            usage,
            0,
            most_calls(n, POOL_THREADS),
        );

        let (out, usage) = measure_on_pool(|| stream::decode(s, n));
        assert_eq!(out.as_deref(), Ok(&input[..]));
        assert_output_plus_constant("stream::decode", usage, n, most_calls(n, POOL_THREADS));

        let (out, usage) = measure_on_pool(|| testing::decode_simple(s, n));
        assert_eq!(out.as_deref(), Ok(&input[..]));
        assert_output_plus_constant(
            "stream::decode_simple",
            usage,
            n,
            most_calls(n, POOL_THREADS),
        );
    }

    let params = QuantParams::new(100.0, 1.5).unwrap();
    let codec = Quant16Codec::new(params);
    for n in [1 << 20, 4096, 1] {
        let values = poisson_u16(&mut rng, n, 100.0);
        let chunk = quant16::encode(&values, &params).unwrap();
        let (out, usage) = measure_on_pool(|| quant16::decode(&chunk, n, &params));
        assert_eq!(out.map(|v| v.len()), Ok(n));
        assert_output_plus_constant(
            "quant16::decompress",
            usage,
            2 * n,
            most_calls(n, POOL_THREADS),
        );
        let (out, usage) = measure_on_pool(|| codec.decode(&chunk, n));
        assert_eq!(out.map(|v| v.len()), Ok(n));
        assert_output_plus_constant(
            "Quant16Codec::decode",
            usage,
            2 * n,
            most_calls(n, POOL_THREADS),
        );
    }
}

#[test]
fn extra_memory_stops_growing_with_the_output() {
    let mut rng = rng(25);
    let sizes = [1usize << 21, 1 << 23];
    let chunks: Vec<(Vec<u8>, Vec<u8>)> = sizes
        .iter()
        .map(|&n| {
            let input = bytes_of_kind(&mut rng, 1, n);
            let chunk = huffman::encode(&input).unwrap();
            (input, chunk)
        })
        .collect();
    // One thread decodes serially, 2 and 4 in 4 and 8 slices.
    let mut calls = Vec::new();
    for threads in [1, 2, 4] {
        let pool = CountedPool::new(threads);
        // A fresh thread allocates once for its thread-local state on first use: not a cost
        // of the size.
        let (input, chunk) = &chunks[0];
        assert!(pool
            .measure(|| huffman::decode(chunk, input.len()))
            .0
            .is_ok());
        // Where threads outnumber cores, a steal can add a split (and a call) and the order
        // of the threads' frees moves the peak a little: the fewest calls and the highest
        // peak of a few runs, and peaks compared within a few KiB.
        let mut extra = Vec::new();
        for (input, chunk) in &chunks {
            let n = input.len();
            let (mut peak, mut fewest) = (i64::MIN, u64::MAX);
            for _ in 0..3 {
                let (out, usage) = pool.measure(|| huffman::decode(chunk, n));
                assert_eq!(out.as_deref(), Ok(&input[..]));
                assert!(
                    usage.calls <= most_calls(n, threads),
                    "{threads}: {usage:?}"
                );
                peak = peak.max(usage.peak - n as i64);
                fewest = fewest.min(usage.calls);
            }
            extra.push((peak, fewest));
        }
        let what = format!("{threads} threads: (bytes beyond the output, calls) for 2^21, 2^23");
        assert!(
            (extra[0].0 - extra[1].0).abs() <= PEAK_JITTER,
            "{what}: {extra:?}"
        );
        assert_eq!(extra[0].1, extra[1].1, "{what}: {extra:?}");
        calls.push(extra[0].1);
    }
    // Twice the slices, at most SLICE_CALLS more calls for each new one.
    assert!(calls[2] - calls[1] <= 4 * SLICE_CALLS, "{calls:?}");
}

/// A decode that must fail, returning the decoded length if it does not.
type Refusal = Box<dyn Fn() -> Result<usize, Error>>;

#[test]
fn hostile_trailers_and_sizes_are_refused_before_allocating() {
    let params = QuantParams::default();
    let codec = Quant16Codec::new(params);
    let mut chunk = huffman::encode(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).unwrap();
    let at = chunk.len() - 4;
    chunk[at..].copy_from_slice(&u32::MAX.to_le_bytes());

    let refusals: [(&str, Refusal); 9] = [
        // A trailer of u32::MAX against an expected 10 bytes.
        ("huffman, trailer u32::MAX, expect 10", {
            let c = chunk.clone();
            Box::new(move || huffman::decode(&c, 10).map(|v| v.len()))
        }),
        ("huffman, trailer u32::MAX, expect 10 x u64", {
            let c = chunk.clone();
            Box::new(move || huffman::decode(&c, 80).map(|v| v.len()))
        }),
        ("quant16, trailer u32::MAX, expect 10", {
            let c = chunk.clone();
            Box::new(move || quant16::decode(&c, 10, &params).map(|v| v.len()))
        }),
        ("Quant16Codec, trailer u32::MAX, expect 10", {
            let (c, codec) = (chunk.clone(), codec.clone());
            Box::new(move || codec.decode(&c, 10).map(|v| v.len()))
        }),
        // A caller asking for an absurd size with a chunk whose trailer disagrees.
        ("huffman, trailer 10, expect usize::MAX", {
            let c = huffman::encode(&[1; 10]).unwrap();
            Box::new(move || huffman::decode(&c, usize::MAX).map(|v| v.len()))
        }),
        ("quant16, trailer 10, expect usize::MAX / 2", {
            let c = quant16::encode(&[1; 10], &params).unwrap();
            Box::new(move || quant16::decode(&c, usize::MAX / 2, &params).map(|v| v.len()))
        }),
        ("huffman, 3-byte chunk, expect 1 GiB", {
            Box::new(move || huffman::decode(&[0xff, 0xff, 0xff], 1 << 30).map(|v| v.len()))
        }),
        ("quant16, 3-byte chunk, expect 1 Gi values", {
            Box::new(move || quant16::decode(&[1, 2, 3], 1 << 30, &params).map(|v| v.len()))
        }),
        ("huffman unsized, trailer u32::MAX, no maximum", {
            let c = chunk.clone();
            Box::new(move || huffman::decode_unsized(&c, usize::MAX).map(|v| v.len()))
        }),
    ];
    for (what, decode) in &refusals {
        let (out, usage) = measure(decode);
        assert!(out.is_err(), "{what}: {out:?}");
        assert_eq!(usage.total, 0, "{what}: {out:?} allocated {usage:?}");
    }
}

#[test]
fn a_short_stream_with_a_huge_count_allocates_only_the_output_and_stops_early() {
    const N: usize = 1 << 28;
    let mut rng = rng(22);
    let tree = Tree::random(&mut rng, 40);
    let (full, _, _) = stream_for_tree(&mut rng, &tree, 1000);
    let short = &full[..100];

    for (what, decode) in [
        ("stream::decode", stream::decode as fn(&[u8], usize) -> _),
        ("testing::decode_simple", testing::decode_simple),
    ] {
        let (out, usage) = measure(|| decode(short, N));
        match out {
            Err(Error::StreamTruncated {
                decoded,
                expected: N,
                stream_bytes: 100,
            }) => assert!(decoded < 800, "{what}: {decoded} symbols from 800 bits"),
            other => panic!("{what}: {other:?}"),
        }
        // The output buffer is allocated (the caller asked for it), and nothing else grows.
        assert!(usage.peak <= N as i64 + CONSTANT_BYTES, "{what}: {usage:?}");
        assert!(usage.calls <= CONSTANT_CALLS, "{what}: {usage:?}");
    }

    // A hostile chunk whose trailer agrees with the caller's huge size: the chunk decoders
    // bound it by what the stream can hold (`stream::max_symbols`) and allocate nothing; so
    // does a caller of the raw stream that checks first.
    let mut chunk = short.to_vec();
    chunk.extend_from_slice(&(N as u32).to_le_bytes());
    let (out, usage) = measure(|| huffman::decode(&chunk, N));
    let refused = Err(Error::TooManySymbols {
        requested: N,
        stream_bytes: 100,
        max_symbols: 791,
    });
    assert_eq!(out.map(|v| v.len()), refused, "{usage:?}");
    assert_eq!(usage.total, 0, "{usage:?}");
    let (out, usage) = measure(|| stream::check_symbols(short.len(), N));
    assert_eq!(out.map(|()| 0), refused);
    assert_eq!(usage.total, 0, "{usage:?}");
}

// ---------------------------------------------------------------------------------------------
// Work

/// The caterpillar stream coding `n` copies of symbol 255, whose code is 255 one bits: the
/// most bits per symbol and the most tree steps per symbol a byte tree allows.
fn deepest_stream(n: usize) -> Vec<u8> {
    let mut bits = Vec::new();
    Tree::caterpillar().write(&mut bits);
    bits.resize(bits.len() + 255 * n, true);
    pack_bits(&bits)
}

#[test]
fn decoding_stops_at_the_symbol_where_the_bits_run_out() {
    // 10 000 symbols of 255 bits after the 2559-bit tree leave one bit of zero padding, which
    // is the 1-bit code of symbol 0; ask for 1 << 24 symbols.
    let stream = deepest_stream(10_000);
    assert_eq!(stream.len() * 8, 256 * 9 + 255 + 255 * 10_000 + 1);
    let sentinel = u16::MAX;
    let values: [u16; 256] = std::array::from_fn(|s| s as u16);
    let mut out = vec![sentinel; 1 << 24];
    let (result, usage) =
        measure_on_pool(|| testing::decode_mapped_into(&stream, &mut out, &values));
    assert_eq!(
        result,
        Err(Error::StreamTruncated {
            decoded: 10_001,
            expected: 1 << 24,
            stream_bytes: stream.len()
        })
    );
    // Every decoded symbol was written, and nothing after the point of failure: the decoder
    // stopped after 10 001 symbols, not 1 << 24.
    assert!(out[..10_000].iter().all(|&v| v == 255));
    assert_eq!(out[10_000], 0);
    assert!(out[10_001..].iter().all(|&v| v == sentinel));
    assert!(
        usage.calls <= most_calls(1 << 24, POOL_THREADS) && usage.peak <= CONSTANT_BYTES,
        "{usage:?}"
    );
}

#[test]
fn worst_case_deep_tree_decodes_a_large_count_with_constant_extra_work_per_call() {
    // Random caterpillar symbols (codes of 1 to 255 bits, 128 on average) and the all-deepest
    // case; 2^16 symbols each. Allocation calls stay the same whatever n is: no per-symbol or
    // per-bit allocation, no table rebuilt per symbol.
    let mut rng = rng(23);
    let mut calls_seen = Vec::new();
    for n in [1usize << 8, 1 << 16] {
        let (random, symbols, _) = stream_for_tree(&mut rng, &Tree::caterpillar(), n);
        let deepest = deepest_stream(n);
        for (stream, expected) in [(&random, symbols.clone()), (&deepest, vec![255u8; n])] {
            let (fast, fast_usage) = measure(|| stream::decode(stream, n));
            let (simple, simple_usage) = measure(|| testing::decode_simple(stream, n));
            assert_eq!(fast.as_deref(), Ok(&expected[..]));
            assert_eq!(simple.as_deref(), Ok(&expected[..]));
            assert_output_plus_constant("stream::decode", fast_usage, n, CONSTANT_CALLS);
            assert_output_plus_constant("stream::decode_simple", simple_usage, n, CONSTANT_CALLS);
            calls_seen.push((fast_usage.calls, simple_usage.calls));
        }
    }
    assert!(
        calls_seen.windows(2).all(|w| w[0] == w[1]),
        "{calls_seen:?}"
    );
}

#[test]
fn a_lone_symbol_tree_fills_exactly_the_requested_output() {
    // A lone-leaf tree codes symbols in zero bits, so two bytes legitimately decode to any
    // count: the bound is the caller's size, never a number read from the chunk.
    let stream = stream::encode(&[42]).unwrap();
    let n = 1 << 24;
    let (out, usage) = measure(|| stream::decode(&stream, n));
    let out = out.unwrap();
    assert!(out.len() == n && out.iter().all(|&b| b == 42));
    assert_output_plus_constant("stream::decode, lone leaf", usage, n, CONSTANT_CALLS);
}

// ---------------------------------------------------------------------------------------------
// Encoders (caller-chosen parameters, not data)

/// `stream::encode_parallel` cuts the input into `slices` slices with one 2 KiB histogram
/// each, so a slice count near the input length costs about 2 KiB per input byte (a 64 KiB
/// input with `usize::MAX` slices peaked at 137 MB when this was written). The output is
/// byte-identical for any slice count, so the encoder now clamps it to 256 slices.
#[test]
fn encode_parallel_memory_does_not_grow_with_the_slice_count() {
    let input = bytes_of_kind(&mut rng(26), 1, 1 << 16);
    let (one, usage_one) = measure(|| testing::encode_parallel(&input, 1));
    let (many, usage_many) = measure(|| testing::encode_parallel(&input, usize::MAX));
    assert_eq!(one, many);
    assert!(
        usage_many.peak <= usage_one.peak + CONSTANT_BYTES,
        "1 slice: {usage_one:?}; usize::MAX slices: {usage_many:?}"
    );
}
