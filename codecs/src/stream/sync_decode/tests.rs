//! The sliced decoder's inner workings: that slices do synchronise where they should (the
//! output tests in `tests/parallel_decode.rs` would pass on a decoder that always fell back to
//! serial), and that the fallbacks engage where they must.

use super::plan::{code_shape, PAIR_COUNT_COST, PARALLEL_MIN_SYMBOLS};
use super::*;
use crate::testing::{decode_simple, encode_simple};

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Geometric-like bytes: byte k with probability about 2^-(k+1).
fn skewed(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..n)
        .map(|_| xorshift(&mut s).trailing_zeros().min(40) as u8)
        .collect()
}

fn uniform(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..n).map(|_| xorshift(&mut s) as u8).collect()
}

/// Decodes `input`'s stream with `options` on a pool of `threads`; checks the output against
/// the bit-by-bit oracle and returns the stats.
fn run(input: &[u8], options: SliceOptions, threads: usize) -> Stats {
    run_plan(input, &Plan::forced(options), threads)
}

fn run_plan(input: &[u8], plan: &Plan, threads: usize) -> Stats {
    run_stream(&encode_simple(input).unwrap(), input, plan, threads)
}

/// [`run_plan`] on a given stream of `input`.
fn run_stream(stream: &[u8], input: &[u8], plan: &Plan, threads: usize) -> Stats {
    let mut r = BitReader::new(stream);
    let tree = DecodeTree::read(&mut r, stream.len()).unwrap();
    assert!(tree.lone_symbol().is_none());
    let identity: [u8; 256] = std::array::from_fn(|s| s as u8);
    let mut out = vec![0u8; input.len()];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let stats = pool
        .install(|| decode(stream, &tree, r.consumed_bits(), &identity, &mut out, plan))
        .unwrap();
    assert_eq!(out, decode_simple(stream, input.len()).unwrap());
    assert_eq!(out, input);
    // Where the last code ends, as the serial decoder finds it: what the exact-end check of
    // `stream::decode_mapped_with` relies on, whatever the slices. These streams' writers end
    // them in that bit's byte.
    let mut serial = BitReader::at_bit(stream, r.consumed_bits());
    let table = MultiTable::new(&tree, &identity, input.len(), serial.remaining_bits());
    let mut again = vec![0u8; input.len()];
    table
        .decode(&mut serial, &tree, &identity, &mut again)
        .unwrap();
    assert_eq!(stats.end, serial.consumed_bits(), "{stats:?}");
    assert_eq!(stats.end.div_ceil(8), stream.len() as u64);
    stats
}

#[test]
fn skewed_codes_synchronise_in_every_slice() {
    let input = skewed(300_000, 1);
    for (slices, threads) in [(3, 2), (8, 4), (64, 2)] {
        let stats = run(&input, SliceOptions::new(slices), threads);
        assert_eq!(
            (stats.slices, stats.synced, stats.serial_tail),
            (slices, slices - 2, false)
        );
    }
}

#[test]
fn one_length_codes_synchronise_once_starts_are_aligned() {
    let input = uniform(200_000, 2);
    let stats = run(&input, SliceOptions::new(8), 2);
    assert_eq!(
        (stats.slices, stats.synced, stats.serial_tail),
        (8, 6, false)
    );
}

#[test]
fn starts_that_never_synchronise_fall_back_to_serial() {
    // Unaligned starts in 8-bit codes: a decoder off the byte grid never gets onto it.
    let input = uniform(200_003, 3);
    let unaligned = SliceOptions {
        align: false,
        ..SliceOptions::new(8)
    };
    // The probes see it and decode serially at once...
    let stats = run(&input, unaligned, 2);
    assert_eq!(stats.slices, 1);
    // ...and without probes the walk loses step and decodes the rest serially. A start that
    // happens to fall on the grid (1 in 8) synchronises.
    let stats = run(
        &input,
        SliceOptions {
            probe: false,
            ..unaligned
        },
        2,
    );
    assert_eq!(stats.slices, 8);
    assert!(stats.serial_tail);
}

#[test]
fn slices_get_their_weighted_shares() {
    let plan = Plan {
        slices: 4,
        weights: (2, 1, 2),
        align: true,
        probe: true,
        min_slice_bits: 1,
        runs: None,
    };
    assert_eq!(plan.starts(100, 1300, 1), [100, 500, 700, 900]);
    // Aligned to 8 from the first start.
    assert_eq!(plan.starts(101, 1301, 8), [101, 501, 701, 901]);
    let equal = Plan::forced(SliceOptions::new(3));
    assert_eq!(equal.starts(0, 10, 1), [0, 3, 6]);
    // More slices than bits: one bit each.
    assert_eq!(
        Plan::forced(SliceOptions::new(64)).starts(0, 3, 1),
        [0, 1, 2]
    );
    // Too short to be worth it.
    let mut auto = Plan::forced(SliceOptions::new(8));
    auto.min_slice_bits = 1 << 16;
    assert_eq!(auto.starts(0, 3 << 16, 1).len(), 3);
}

#[test]
fn neighbouring_tasks_merge_into_runs_of_equal_length() {
    let tasks = |lens: &[usize]| -> Vec<Task> {
        lens.iter()
            .enumerate()
            .map(|(i, &len)| Task {
                start: i as u64,
                len,
            })
            .collect()
    };
    let runs = |t: Vec<Task>, r| -> Vec<(u64, usize)> {
        merge_runs(t, r).iter().map(|t| (t.start, t.len)).collect()
    };
    assert_eq!(runs(tasks(&[50, 50, 100]), Some(2)), [(0, 100), (2, 100)]);
    assert_eq!(
        runs(tasks(&[50, 50, 100]), None),
        [(0, 50), (1, 50), (2, 100)]
    );
    assert_eq!(
        runs(tasks(&[10, 10, 10, 10]), Some(8)),
        [(0, 10), (1, 10), (2, 10), (3, 10)]
    );
    assert_eq!(runs(tasks(&[]), Some(2)), []);
    // Tasks before the last a little short of half: the last one still runs apart.
    assert_eq!(runs(tasks(&[49, 50, 100]), Some(2)), [(0, 99), (2, 100)]);
    assert_eq!(runs(tasks(&[51, 50, 98]), Some(2)), [(0, 101), (2, 98)]);
}

#[test]
fn code_shape_gives_longest_code_and_gcd_of_lengths() {
    let read = |input: &[u8]| {
        let stream = encode_simple(input).unwrap();
        DecodeTree::read(&mut BitReader::new(&stream), stream.len()).unwrap()
    };
    assert_eq!(code_shape(&read(&uniform(100_000, 4))), (8, 8));
    assert_eq!(code_shape(&read(&[0, 1, 2, 3])), (2, 2));
    assert_eq!(code_shape(&read(&[0, 0, 1, 2])), (2, 1));
}

#[test]
fn the_automatic_plan_slices_large_outputs_on_pools_of_several_threads() {
    let bits = 1 << 24;
    let on = |threads: usize, n: usize, bits: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| Plan::auto(n, bits)).map(|p| p.slices)
    };
    assert_eq!(on(1, 1 << 24, bits), None);
    assert_eq!(on(2, PARALLEL_MIN_SYMBOLS - 1, bits), None);
    assert_eq!(on(2, PARALLEL_MIN_SYMBOLS, bits), Some(4));
    assert_eq!(on(4, PARALLEL_MIN_SYMBOLS, bits), Some(8));
    // Too few bits to be worth slicing: serial.
    assert_eq!(on(2, PARALLEL_MIN_SYMBOLS, 1000), None);
    // Outside any pool, the global one (the test binary's default size).
    let global = rayon::current_num_threads();
    assert_eq!(
        Plan::auto(PARALLEL_MIN_SYMBOLS, bits).map(|p| p.slices),
        (global >= 2).then_some(2 * global.min(32))
    );
    // And they do synchronise: slice 0, the counted ones, the last one.
    let input = skewed(PARALLEL_MIN_SYMBOLS, 5);
    for threads in [2, 4] {
        let plan = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| Plan::auto(input.len(), bits))
            .unwrap();
        let stats = run_plan(&input, &plan, threads);
        assert_eq!((stats.slices, stats.synced), (2 * threads, 2 * threads - 2));
        assert!(!stats.serial_tail);
    }
}

/// The time of a decode on `threads` threads by the work account, in units of decoding one
/// bit: phase 0's windows shared by the threads, then the longer of slice 0's decode and the
/// busiest pair's count, the serial walk, the longest run.
fn modelled_time(work: &Work, threads: u64) -> f64 {
    let (c, d) = PAIR_COUNT_COST;
    let phase_1 = (work.first as f64).max(work.pair_max as f64 * c as f64 / d as f64);
    work.windows as f64 / threads as f64 + phase_1 + work.walk as f64 + work.run_max as f64
}

#[test]
fn the_automatic_plan_costs_what_its_model_promises() {
    // A deterministic measure of the parallel decoder's overhead, whatever the machine's
    // load: the bits each phase decodes or counts.
    let input = skewed(4 * PARALLEL_MIN_SYMBOLS, 6);
    let stream = encode_simple(&input).unwrap();
    let bits = stream.len() as u64 * 8;
    for threads in [2u64, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads as usize)
            .build()
            .unwrap();
        let plan = pool.install(|| Plan::auto(input.len(), bits)).unwrap();
        let work = run_plan(&input, &plan, threads as usize).work;
        let speedup = bits as f64 / modelled_time(&work, threads);
        let twice = (work.counted + work.windows + work.walk) as f64 / bits as f64;
        eprintln!("{threads} threads: {work:?}, modelled {speedup:.3}x, decoded twice {twice:.3}");
        // Windows and probes (shared by the threads) and the walk are a rounding error next
        // to the stream...
        assert!(work.windows / threads + work.walk < bits / 1000, "{work:?}");
        // ...and the phases are balanced. With P - 1 pairs and the last slice of B bits
        // each and slice 0 of c2 B (c2: a pair's count per bit), the model's best is
        // (P + c2) / (1 + c2): 19/11 (1.73x) on 2 threads with c2 = 3/8.
        let (c, d) = PAIR_COUNT_COST;
        let c2 = c as f64 / d as f64;
        let best = (threads as f64 + c2) / (1.0 + c2);
        assert!(speedup > 0.98 * best, "{threads}: {speedup} of {best}");
    }
}

#[test]
fn on_streams_that_never_synchronise_the_automatic_plan_costs_under_5_percent_more() {
    // The worst case: every probe fails, every start is dropped and the chunk decodes serially,
    // after the windows and the failed probes. Their bits against the serial decode's, for the
    // smallest chunk that is sliced and a larger one, on pools up to the plan's 32 threads.
    for n in [PARALLEL_MIN_SYMBOLS, 4 * PARALLEL_MIN_SYMBOLS] {
        let (input, chunk) = crate::testing::never_synchronising_chunk(n, 8).unwrap();
        let stream = &chunk[..chunk.len() - crate::TRAILER_BYTES];
        let bits = stream.len() as u64 * 8;
        for threads in [2u64, 4, 8, 32] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads as usize)
                .build()
                .unwrap();
            let plan = pool.install(|| Plan::auto(n, bits)).unwrap();
            let stats = run_stream(stream, &input, &plan, threads as usize);
            let work = stats.work;
            assert_eq!(
                (stats.slices, stats.synced),
                (1, 0),
                "{n}, {threads}: {stats:?}"
            );
            // The serial decode, and the probes' extra: on the threads in parallel, and all
            // together (the CPU time they take from other work).
            let serial = work.run_max as f64;
            let extra = modelled_time(&work, threads) / serial - 1.0;
            let total = work.windows as f64 / serial;
            eprintln!("{n} symbols, {threads} threads: {work:?}, extra time {extra:.4}, extra work {total:.4}");
            assert!(extra < 0.05, "{n}, {threads}: {work:?}");
            if threads <= 8 {
                assert!(total < 0.05, "{n}, {threads}: {work:?}");
            }
        }
    }
}

/// Measures `GROUP_COUNT_COST`: the time to count the codes of a stream one slice at a time and
/// two slices side by side, against decoding it, best of 7, on one thread. A timing, so not
/// run by default: `cargo test -p pymecompress-codecs --lib measure_pair_count_cost --
/// --ignored --nocapture`, on a quiet machine.
#[test]
#[ignore]
fn measure_pair_count_cost() {
    use std::time::Instant;
    // About Poisson(100) frames: their bytes, as Huffman codes them, and sqrt-quantized
    // symbols, as quant16 does.
    let mut seed = 9u64;
    let values: Vec<u16> = (0..1 << 23)
        .map(|_| 36 + (xorshift(&mut seed).count_ones() + xorshift(&mut seed).count_ones()) as u16)
        .collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let quantized: Vec<u8> = values
        .iter()
        .map(|&v| (2.0 * f64::from(v).sqrt()) as u8)
        .collect();
    let best = |f: &mut dyn FnMut()| {
        (0..7)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    for (name, input) in [("bytes", &bytes), ("quantized", &quantized)] {
        let stream = encode_simple(input).unwrap();
        let mut r = BitReader::new(&stream);
        let tree = DecodeTree::read(&mut r, stream.len()).unwrap();
        let (start, end) = (r.consumed_bits(), stream.len() as u64 * 8);
        let identity: [u8; 256] = std::array::from_fn(|s| s as u8);
        let table = MultiTable::new(&tree, &identity, input.len(), end - start);
        let mut out = vec![0u8; input.len()];
        let decode = best(&mut || {
            let mut r = BitReader::at_bit(&stream, start);
            table.decode(&mut r, &tree, &identity, &mut out).unwrap();
        });
        let one = best(&mut || {
            let mut r = BitReader::at_bit(&stream, start + 3);
            std::hint::black_box(scan::count_until(&table, &tree, &mut r, end));
        });
        let middle = start + (end - start) / 2;
        let pair = best(&mut || {
            let mut a = BitReader::at_bit(&stream, start + 3);
            let mut b = BitReader::at_bit(&stream, middle + 3);
            let ends = ((&mut a, middle), (&mut b, end));
            std::hint::black_box(scan::count_until_2(&table, &tree, ends.0, ends.1));
        });
        let (one, pair) = (one / decode, pair / decode);
        eprintln!("{name}: decode {:.2} ms; per bit, counting one slice {one:.3}, a pair {pair:.3} of decoding", decode * 1e3);
        assert!(
            pair < one,
            "counting side by side gains nothing: {pair} >= {one}"
        );
    }
}
