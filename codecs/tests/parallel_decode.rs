//! One stream decoded in slices on several threads (self-synchronisation) must give exactly
//! what the bit-by-bit oracle `stream::decode_simple` and the serial fast decoder give: the
//! same values, or the same error, for any slice count and any pool size, on data that
//! synchronises fast, slowly or never, and on hostile and truncated streams.

mod common;

use common::{bytes_of_kind, fibonacci_bytes, pack_bits, poisson_u16, rng, stream_for_tree, Tree};
use pymecompress_codecs::stream;
use pymecompress_codecs::testing::{self, SliceOptions};
use pymecompress_codecs::{quant16, Error, QuantParams, TRAILER_BYTES};
use rand::rngs::StdRng;
use rand::RngExt;
use rayon::ThreadPool;

const SLICES: [usize; 8] = [1, 2, 3, 4, 7, 8, 16, 64];
const THREADS: [usize; 3] = [1, 2, 4];
/// Outputs of this many symbols and more decode in slices on their own.
const THRESHOLD: usize = 1 << 20;

/// Every symbol as itself.
fn identity() -> [u8; 256] {
    std::array::from_fn(|i| i as u8)
}

fn pools() -> Vec<ThreadPool> {
    THREADS
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
        .collect()
}

/// A map to wider values, to check the mapped decoder through the same slices.
fn wide_map() -> [u16; 256] {
    std::array::from_fn(|s| (s as u16).wrapping_mul(257) ^ 0x5a5a)
}

fn sliced<T: Copy + Default + Send + Sync>(
    s: &[u8],
    n: usize,
    map: &[T; 256],
    options: SliceOptions,
) -> Result<Vec<T>, Error> {
    let mut out = vec![T::default(); n];
    testing::decode_mapped_into_sliced_with(s, &mut out, map, options)?;
    Ok(out)
}

/// Decodes `s` (`n` symbols) at every slice count on every pool, plain and mapped, with and
/// without aligned starts and probes, and checks each result against the oracle. Returns the
/// oracle's result.
fn check_all_slicings(
    pools: &[ThreadPool],
    s: &[u8],
    n: usize,
    what: &str,
) -> Result<Vec<u8>, Error> {
    let oracle = testing::decode_simple(s, n);
    // The serial fast decoder: one slice on the calling thread.
    assert!(
        stream::decode(s, n) == oracle,
        "{what}: serial fast decoder"
    );
    let map = wide_map();
    let mapped_oracle: Result<Vec<u16>, Error> = oracle
        .clone()
        .map(|v| v.iter().map(|&x| map[usize::from(x)]).collect());
    for pool in pools {
        let threads = pool.current_num_threads();
        pool.install(|| {
            for slices in SLICES {
                let mut out = vec![0u8; n];
                let got = testing::decode_mapped_into_sliced(s, &mut out, &identity(), slices);
                let what = format!("{what}: {slices} slices, {threads} threads");
                match (&oracle, got) {
                    (Ok(symbols), Ok(())) => assert!(&out == symbols, "{what}"),
                    (Err(a), Err(b)) => {
                        assert_eq!(a, &b, "{what}");
                        // As the serial decoder, every symbol before the end is written.
                        if let Error::StreamTruncated { decoded, .. } = b {
                            let prefix = testing::decode_simple(s, decoded).unwrap();
                            let wrong =
                                out[..decoded].iter().zip(&prefix).position(|(a, b)| a != b);
                            assert_eq!(wrong, None, "{what}: first wrong symbol before the end");
                        }
                    }
                    (a, b) => panic!("{what}: oracle {a:?}, sliced {b:?}"),
                }
            }
            for slices in [3, 16] {
                let options = SliceOptions::new(slices);
                let got = sliced(s, n, &map, options);
                assert!(
                    got == mapped_oracle,
                    "{what}: mapped, {slices} slices, {threads} threads"
                );
            }
            for (align, probe) in [(false, true), (false, false), (true, false)] {
                let options = SliceOptions {
                    slices: 7,
                    align,
                    probe,
                };
                let got = sliced(s, n, &identity(), options);
                assert!(got == oracle, "{what}: {options:?}, {threads} threads");
            }
        });
    }
    oracle
}

/// Decodes `s` through the automatic path (`stream::decode`, `stream::decode_mapped_into`) on
/// every pool.
fn check_auto(pools: &[ThreadPool], s: &[u8], n: usize, what: &str) {
    let oracle = testing::decode_simple(s, n);
    let map = wide_map();
    for pool in pools {
        let threads = pool.current_num_threads();
        pool.install(|| {
            assert!(stream::decode(s, n) == oracle, "{what}: {threads} threads");
            let mut out = vec![0u16; n];
            match (&oracle, testing::decode_mapped_into(s, &mut out, &map)) {
                (Ok(symbols), Ok(())) => assert!(
                    out.iter()
                        .zip(symbols)
                        .all(|(&o, &x)| o == map[usize::from(x)]),
                    "{what}: mapped, {threads} threads"
                ),
                (Err(a), Err(b)) => assert_eq!(a, &b, "{what}: mapped, {threads} threads"),
                (a, b) => panic!("{what}: oracle {a:?}, mapped {b:?}, {threads} threads"),
            }
        });
    }
}

fn shuffled(mut v: Vec<u8>, r: &mut StdRng) -> Vec<u8> {
    for i in (1..v.len()).rev() {
        v.swap(i, r.random_range(0..=i));
    }
    v
}

#[test]
fn small_streams_of_every_kind_decode_alike_at_every_slice_count() {
    let pools = pools();
    let mut r = rng(101);
    // 0 uniform bytes (one code length: 8 bits), 1 geometric, 2 lone leaf, 3 two symbols,
    // 4 Poisson(100) uint16 bytes, 5 uniform over a random alphabet size.
    for kind in 0..6 {
        for n in [1, 2, 9, 100, 1000, 20_000] {
            let input = bytes_of_kind(&mut r, kind, n);
            let s = stream::encode(&input).unwrap();
            let decoded = check_all_slicings(&pools, &s, input.len(), &format!("kind {kind}, {n}"));
            assert!(decoded.unwrap() == input);
        }
    }
}

#[test]
fn larger_streams_forced_into_slices_decode_alike() {
    let pools = pools();
    let mut r = rng(102);
    for kind in [0, 1, 4, 5] {
        let input = bytes_of_kind(&mut r, kind, 150_000);
        let s = stream::encode(&input).unwrap();
        let decoded = check_all_slicings(&pools, &s, input.len(), &format!("kind {kind}"));
        assert!(decoded.unwrap() == input);
    }
}

#[test]
fn quantized_poisson_frames_decode_alike_in_slices() {
    let pools = pools();
    let mut r = rng(103);
    let params = QuantParams::new(0.0, 1.0).unwrap();
    let dequant: [u16; 256] = std::array::from_fn(|q| params.dequantize(q as u8));
    let values = poisson_u16(&mut r, 120_000, 100.0);
    let chunk = quant16::encode(&values, &params).unwrap();
    let s = &chunk[..chunk.len() - TRAILER_BYTES];
    let symbols = check_all_slicings(&pools, s, values.len(), "quant16").unwrap();
    let expected: Vec<u16> = symbols.iter().map(|&q| params.dequantize(q)).collect();
    for pool in &pools {
        pool.install(|| {
            for slices in SLICES {
                let mut out = vec![0u16; values.len()];
                testing::decode_mapped_into_sliced(s, &mut out, &dequant, slices).unwrap();
                assert!(out == expected, "{slices} slices");
            }
        });
    }
}

#[test]
fn streams_that_never_synchronise_decode_alike() {
    // Code lengths 7 and 8 (no alignment helps) and symbols that keep a decoder started off
    // the byte grid off it: every probe fails, or without probes the walk loses step.
    let pools = pools();
    for (n, seed) in [(100_000, 1), (THRESHOLD, 2)] {
        let (input, chunk) = testing::never_synchronising_chunk(n, seed).unwrap();
        let s = &chunk[..chunk.len() - TRAILER_BYTES];
        if n < THRESHOLD {
            let decoded = check_all_slicings(&pools, s, n, "never synchronising");
            assert!(decoded.unwrap() == input);
        } else {
            check_auto(&pools, s, n, "never synchronising, automatic");
            assert!(testing::decode_simple(s, n).unwrap() == input);
        }
    }
}

#[test]
fn deep_fibonacci_trees_decode_alike_in_slices() {
    let pools = pools();
    let mut r = rng(104);
    // 26 symbols: codes up to 25 bits, longer than any table index.
    for symbols in [2, 13, 20, 26] {
        let input = shuffled(fibonacci_bytes(symbols), &mut r);
        let s = stream::encode(&input).unwrap();
        let what = format!("fibonacci {symbols}");
        assert!(check_all_slicings(&pools, &s, input.len(), &what).unwrap() == input);
    }
}

#[test]
fn hostile_trees_and_garbage_code_bits_decode_alike() {
    let pools = pools();
    let mut r = rng(105);
    let mut trees = vec![Tree::caterpillar()];
    for leaves in [2, 3, 17, 100, 256] {
        trees.push(Tree::random(&mut r, leaves));
    }
    for tree in &trees {
        // Codes of random leaves, then as many random bytes: symbols past the coded ones
        // decode from garbage, alike.
        let (mut s, _, _) = stream_for_tree(&mut r, tree, 3000);
        let coded = s.len();
        s.extend((0..coded).map(|_| r.random::<u8>()));
        for n in [1, 2999, 3000, 3001, 6000, 1 << 20] {
            let _ = check_all_slicings(
                &pools,
                &s,
                n,
                &format!("{} leaves, n {n}", tree.codes().len()),
            );
        }
        // A tree followed by random bits only.
        let mut bits = Vec::new();
        tree.write(&mut bits);
        let mut s = pack_bits(&bits);
        s.extend((0..5000).map(|_| r.random::<u8>()));
        for n in [7, 4000, 100_000] {
            let _ = check_all_slicings(&pools, &s, n, "tree then random bytes");
        }
    }
}

#[test]
fn random_bytes_as_a_stream_fail_or_decode_alike() {
    let pools = pools();
    let mut r = rng(106);
    for len in [0, 1, 2, 5, 40, 300, 3000] {
        for _ in 0..4 {
            let s: Vec<u8> = (0..len).map(|_| r.random()).collect();
            for n in [1, 100, 10_000] {
                let _ = check_all_slicings(&pools, &s, n, &format!("random {len} bytes, n {n}"));
            }
        }
    }
}

#[test]
fn truncated_streams_give_the_serial_error_at_every_slice_count() {
    let pools = pools();
    let mut r = rng(107);
    for kind in [0, 1, 4] {
        let input = bytes_of_kind(&mut r, kind, 30_000);
        let s = stream::encode(&input).unwrap();
        for cut in [
            0,
            1,
            300,
            s.len() / 3,
            s.len() / 2 + 1,
            s.len() - 9,
            s.len() - 1,
        ] {
            let result = check_all_slicings(
                &pools,
                &s[..cut],
                input.len(),
                &format!("kind {kind}, cut {cut}"),
            );
            assert!(
                matches!(
                    result,
                    Err(Error::StreamTruncated { .. } | Error::TreeTruncated { .. })
                ),
                "kind {kind}, cut {cut}: {result:?}"
            );
        }
    }
}

#[test]
fn outputs_around_the_threshold_decode_alike_on_any_pool() {
    let pools = pools();
    let mut r = rng(108);
    for kind in [0, 1, 4] {
        let input = bytes_of_kind(&mut r, kind, THRESHOLD + 1);
        let s = stream::encode(&input).unwrap();
        for n in [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1] {
            check_auto(&pools, &s, n, &format!("kind {kind}, n {n}"));
        }
        // Truncated, past the threshold: the serial error, whichever slice holds the end.
        for cut in [s.len() / 5, s.len() - 1] {
            check_auto(
                &pools,
                &s[..cut],
                THRESHOLD + 1,
                &format!("kind {kind}, cut {cut}"),
            );
        }
    }
    // Codes up to 29 bits, 2 MiB of them.
    let input = shuffled(fibonacci_bytes(30), &mut r);
    let s = stream::encode(&input).unwrap();
    check_auto(&pools, &s, input.len(), "fibonacci 30");
    // A short hostile stream asked for far more symbols: the serial error, from any pool.
    for tree in [Tree::random(&mut r, 200), Tree::caterpillar()] {
        let mut bits = Vec::new();
        tree.write(&mut bits);
        let mut s = pack_bits(&bits);
        s.extend((0..200_000).map(|_| r.random::<u8>()));
        check_auto(&pools, &s, 1 << 24, "hostile, 16 Mi symbols asked");
    }
    // Lone leaf and two symbols, past the threshold.
    for kind in [2, 3] {
        let input = bytes_of_kind(&mut r, kind, THRESHOLD + 3);
        let s = stream::encode(&input).unwrap();
        check_auto(&pools, &s, input.len(), &format!("kind {kind}"));
    }
}

#[test]
fn quant16_chunks_past_the_threshold_decode_alike_on_any_pool() {
    let pools = pools();
    let mut r = rng(109);
    for params in [
        QuantParams::new(0.0, 1.0).unwrap(),
        QuantParams::new(50.0, 0.3).unwrap(),
    ] {
        let values = poisson_u16(&mut r, THRESHOLD + 5, 100.0);
        let chunk = quant16::encode(&values, &params).unwrap();
        let s = &chunk[..chunk.len() - TRAILER_BYTES];
        let symbols = testing::decode_simple(s, values.len()).unwrap();
        let expected: Vec<u16> = symbols.iter().map(|&q| params.dequantize(q)).collect();
        for pool in &pools {
            let got = pool
                .install(|| quant16::decode(&chunk, values.len(), &params))
                .unwrap();
            assert!(got == expected, "{} threads", pool.current_num_threads());
        }
    }
}

#[test]
fn streams_with_flipped_bits_decode_alike() {
    let pools = pools();
    let mut r = rng(110);
    for kind in [1, 4, 5] {
        let input = bytes_of_kind(&mut r, kind, 40_000);
        let s = stream::encode(&input).unwrap();
        for flips in [1, 5, 50] {
            let mut damaged = s.clone();
            for _ in 0..flips {
                let at = r.random_range(0..damaged.len());
                damaged[at] ^= 1 << r.random_range(0..8);
            }
            let what = format!("kind {kind}, {flips} flips");
            let _ = check_all_slicings(&pools, &damaged, input.len(), &what);
        }
    }
}

#[test]
fn the_exact_end_is_checked_on_every_pool_when_a_big_chunk_decodes_in_slices() {
    use pymecompress_codecs::huffman;
    let mut r = rng(31);
    // Past the threshold: on a pool of 2 or 4 threads the chunk decodes in slices.
    let input: Vec<u8> = poisson_u16(&mut r, THRESHOLD, 100.0)
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let chunk = huffman::encode(&input).unwrap();
    let stream = &chunk[..chunk.len() - TRAILER_BYTES];
    // Where the codes end, from the serial decoder on one thread: a byte appended says it.
    let mut longer = stream.to_vec();
    longer.push(0);
    let longer = huffman::frame_stream(&longer, input.len()).unwrap();
    let end_bit = match pools()[0].install(|| huffman::decode(&longer, input.len())) {
        Err(Error::StreamEndMismatch { end_bit, .. }) => end_bit,
        other => panic!("{other:?}"),
    };
    assert_eq!(end_bit.div_ceil(8), stream.len() as u64);
    let mut damaged = vec![longer];
    if end_bit % 8 != 0 {
        let mut set = chunk.clone();
        set[stream.len() - 1] |= 1;
        damaged.push(set);
    }
    for pool in pools() {
        let what = pool.current_num_threads();
        let ok = pool.install(|| huffman::decode(&chunk, input.len()));
        assert_eq!(ok.as_ref(), Ok(&input), "{what} threads");
        for d in &damaged {
            let e = pool.install(|| huffman::decode(d, input.len()));
            assert!(
                matches!(e, Err(Error::StreamEndMismatch { end_bit: e, .. }) if e == end_bit),
                "{what} threads: {e:?}"
            );
        }
    }
}
