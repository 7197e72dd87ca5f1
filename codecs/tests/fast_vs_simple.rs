//! The fast paths against the obviously-correct oracles: the encoders must produce the same
//! bytes as `testing::encode_simple` (for any slice count), the decoders the same values as
//! `testing::decode_simple`, on random, skewed, Fibonacci-deep and hand-built hostile trees.

mod common;

use common::{bytes_of_kind, fibonacci_bytes, rng, stream_for_tree, Tree};
use pymecompress_codecs::{quant16, stream, testing, Quant16Codec, QuantParams};
use rand::RngExt;

/// Sizes that reach every decode table width and the slow tail of the decoder.
const SIZES: [usize; 10] = [0, 1, 2, 7, 33, 100, 1000, 9000, 70_000, 300_000];

fn check_encoders(input: &[u8]) {
    let oracle = testing::encode_simple(input).unwrap();
    assert_eq!(
        stream::encode(input).unwrap(),
        oracle,
        "encode, {} bytes",
        input.len()
    );
    for slices in [2, 3, 5, 16] {
        assert_eq!(
            testing::encode_parallel(input, slices).unwrap(),
            oracle,
            "{slices} slices, {} bytes",
            input.len()
        );
    }
}

fn check_decoders(stream_bytes: &[u8], n: usize) {
    let oracle = testing::decode_simple(stream_bytes, n);
    let fast = stream::decode(stream_bytes, n);
    match (&oracle, &fast) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{n} symbols"),
        (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        _ => panic!("oracle {oracle:?} vs fast {fast:?}"),
    }
    // The mapped decoder writes wider values through the same table.
    let map: [u16; 256] = std::array::from_fn(|s| (s as u16).wrapping_mul(257) ^ 0x5a5a);
    let mut out = vec![0u16; n];
    let mapped = testing::decode_mapped_into(stream_bytes, &mut out, &map);
    match oracle {
        Ok(symbols) => {
            mapped.unwrap();
            let expected: Vec<u16> = symbols.iter().map(|&s| map[usize::from(s)]).collect();
            assert_eq!(out, expected);
        }
        Err(e) => assert_eq!(format!("{e:?}"), format!("{:?}", mapped.unwrap_err())),
    }
}

#[test]
fn random_and_skewed_bytes_encode_and_decode_as_the_oracles_do() {
    let mut r = rng(41);
    for kind in 0..6 {
        for &n in &SIZES {
            let input = bytes_of_kind(&mut r, kind, n);
            check_encoders(&input);
            let s = testing::encode_simple(&input).unwrap();
            check_decoders(&s, input.len());
            assert_eq!(stream::decode(&s, input.len()).unwrap(), input);
        }
    }
}

#[test]
fn fibonacci_deep_trees_encode_and_decode_as_the_oracles_do() {
    // 30 symbols: about 2 MiB of input and codes 29 bits long, longer than the table and
    // than the reference's 32-bit packer handles; large enough to code in slices.
    for symbols in [2, 12, 13, 14, 20, 26, 30] {
        let mut input = fibonacci_bytes(symbols);
        // Interleave so that long and short codes meet at every alignment.
        let mut r = rng(symbols as u64);
        for i in (1..input.len()).rev() {
            input.swap(i, r.random_range(0..=i));
        }
        check_encoders(&input);
        let s = testing::encode_simple(&input).unwrap();
        check_decoders(&s, input.len());
    }
}

#[test]
fn hostile_deep_trees_decode_as_the_oracle_does() {
    let mut r = rng(7);
    let mut trees = vec![Tree::caterpillar()];
    for leaves in [2, 3, 17, 100, 255, 256] {
        trees.push(Tree::random(&mut r, leaves));
    }
    for tree in &trees {
        for n in [1, 40, 5000] {
            let (s, symbols, _) = stream_for_tree(&mut r, tree, n);
            assert_eq!(stream::decode(&s, n).unwrap(), symbols);
            check_decoders(&s, n);
            // Asking for more symbols than the stream holds: both must fail alike, or both
            // succeed alike on the padding bits.
            check_decoders(&s, n + 9);
            check_decoders(&s[..s.len() / 2], n);
        }
    }
}

#[test]
fn truncated_streams_fail_alike() {
    let mut r = rng(3);
    for kind in [0, 1, 4, 5] {
        let input = bytes_of_kind(&mut r, kind, 20_000);
        let s = testing::encode_simple(&input).unwrap();
        for cut in [0, 1, 40, s.len() / 3, s.len() - 9, s.len() - 1] {
            check_decoders(&s[..cut], input.len());
        }
    }
}

#[test]
fn large_input_encodes_in_slices_on_a_pool_identically() {
    let mut r = rng(11);
    let input = bytes_of_kind(&mut r, 4, 3 << 20);
    let oracle = testing::encode_simple(&input).unwrap();
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| stream::encode(&input)).unwrap(), oracle);
    }
    assert_eq!(stream::decode(&oracle, input.len()).unwrap(), input);
}

#[test]
fn quant16_fast_paths_match_the_simple_ones() {
    let mut r = rng(5);
    for params in [
        QuantParams::default(),
        QuantParams::new(100.0, 1.0).unwrap(),
        QuantParams::new(0.5, 2.0).unwrap(),
        QuantParams::new(50.0, 0.3).unwrap(),
    ] {
        let codec = Quant16Codec::new(params);
        for &n in &SIZES {
            let mut values = common::poisson_u16(&mut r, n, 100.0);
            // A few saturating and zero values give long codes.
            for v in values.iter_mut().step_by(97) {
                *v = if r.random_bool(0.5) { 65535 } else { 0 };
            }
            let oracle = testing::quant16_encode_simple(&values, &params).unwrap();
            assert_eq!(codec.encode(&values).unwrap(), oracle);
            assert_eq!(quant16::encode(&values, &params).unwrap(), oracle);
            for slices in [2, 7] {
                assert_eq!(
                    testing::quant16_encode_parallel(&codec, &values, slices).unwrap(),
                    oracle
                );
            }
            let symbols = testing::decode_simple(&oracle[..oracle.len() - 4], n).unwrap();
            let expected: Vec<u16> = symbols.iter().map(|&q| params.dequantize(q)).collect();
            assert_eq!(quant16::decode(&oracle, n, &params).unwrap(), expected);
        }
    }
}
