//! Damaged and hostile chunks: valid chunks of both codecs (our encoder's, and the real
//! pymecompress's from `fixtures/`) truncated, extended, bit-flipped, re-trailered, spliced or
//! replaced by random bytes. Every decoder must return an error or output of exactly the
//! expected size, never panic, and the table decoder must agree with the bit-by-bit one.
//!
//! Fixed seeds; the case counts are asserted so the coverage cannot silently shrink.

mod common;

use common::*;
use pymecompress_codecs::{
    huffman, quant16, stream, testing, Endian, Error, Quant16Codec, QuantParams,
};
use pymecompress_test_support::fixtures::{self, manifest};
use rand::rngs::StdRng;
use rand::RngExt;

// ---------------------------------------------------------------------------------------------
// Sources of valid data

fn fixture(rel: &serde_json::Value) -> Vec<u8> {
    fixtures::read(rel.as_str().expect("fixture path is a string"))
}

fn as_usize(v: &serde_json::Value) -> usize {
    v.as_u64().expect("manifest count is an integer") as usize
}

/// A valid Huffman chunk and what it decodes to.
struct HuffmanCase {
    chunk: Vec<u8>,
    decoded_len: usize,
    itemsize: usize,
}

/// A valid quant16 chunk, its value count and its parameters.
struct Quant16Case {
    chunk: Vec<u8>,
    n: usize,
    params: QuantParams,
}

/// A valid raw stream and its symbol count.
struct StreamCase {
    stream: Vec<u8>,
    n: usize,
}

/// The reference's Huffman chunks (trailer = element count) plus ours (trailer = byte count).
fn huffman_cases(rng: &mut StdRng) -> Vec<HuffmanCase> {
    let mut cases: Vec<HuffmanCase> = manifest()["huffman_chunks"]
        .as_array()
        .expect("huffman_chunks is a list")
        .iter()
        .map(|c| {
            let decoded_len = as_usize(&c["n_bytes"]);
            let elements = as_usize(&c["n_elements"]);
            HuffmanCase {
                chunk: fixture(&c["chunk"]),
                decoded_len,
                itemsize: decoded_len.checked_div(elements).unwrap_or(1),
            }
        })
        .collect();
    assert!(
        cases.len() >= 20,
        "fixtures hold the reference's Huffman chunks"
    );
    for kind in 0..24 {
        let n = [0, 1, 7, 64, 300, 2000][kind % 6] * [1, 2, 4, 8][kind / 6];
        let input = bytes_of_kind(rng, kind, n);
        cases.push(HuffmanCase {
            chunk: huffman::encode(&input).unwrap(),
            decoded_len: input.len(),
            itemsize: [1, 2, 4, 8][kind / 6],
        });
    }
    // Deep codes: a 20-symbol Fibonacci histogram gives 19-bit codes, past the 11-bit table.
    let deep = fibonacci_bytes(20);
    cases.push(HuffmanCase {
        chunk: huffman::encode(&deep).unwrap(),
        decoded_len: deep.len(),
        itemsize: 1,
    });
    cases
}

fn quant16_cases(rng: &mut StdRng) -> Vec<Quant16Case> {
    let mut cases: Vec<Quant16Case> = manifest()["quant16_chunks"]
        .as_array()
        .expect("quant16_chunks is a list")
        .iter()
        .map(|c| Quant16Case {
            chunk: fixture(&c["chunk"]),
            n: as_usize(&c["n"]),
            params: QuantParams::new(
                c["offset"].as_f64().expect("offset is a number"),
                c["scale"].as_f64().expect("scale is a number"),
            )
            .expect("fixture parameters are valid"),
        })
        .collect();
    assert!(
        cases.len() >= 20,
        "fixtures hold the reference's quant16 chunks"
    );
    for kind in 0..12 {
        let params = QuantParams::new([0.0, 100.0, 0.5][kind % 3], [1.0, 2.0, 0.3][kind / 4 % 3])
            .expect("valid parameters");
        let n = [0, 1, 17, 1000][kind % 4];
        let values: Vec<u16> = match kind % 3 {
            0 => poisson_u16(rng, n, 100.0),
            1 => vec![rng.random(); n],
            _ => (0..n).map(|_| rng.random()).collect(),
        };
        cases.push(Quant16Case {
            chunk: quant16::encode(&values, &params).unwrap(),
            n,
            params,
        });
    }
    cases
}

fn stream_cases(rng: &mut StdRng) -> Vec<StreamCase> {
    let mut cases: Vec<StreamCase> = manifest()["streams"]
        .as_array()
        .expect("streams is a list")
        .iter()
        .filter(|s| as_usize(&s["n"]) <= 20_000)
        .map(|s| StreamCase {
            stream: fixture(&s["stream"]),
            n: as_usize(&s["n"]),
        })
        .collect();
    assert!(cases.len() >= 20, "fixtures hold the reference's streams");
    for leaves in [2, 3, 17, 200, 256] {
        let tree = Tree::random(rng, leaves);
        let (stream, symbols, _) = stream_for_tree(rng, &tree, 500);
        cases.push(StreamCase {
            stream,
            n: symbols.len(),
        });
    }
    // The 256-leaf caterpillar: codes up to 255 bits, the deepest a byte tree can be.
    let (stream, symbols, _) = stream_for_tree(rng, &Tree::caterpillar(), 300);
    cases.push(StreamCase {
        stream,
        n: symbols.len(),
    });
    cases
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// Damages `chunk` one of several ways; `others` supplies material for splices. When
/// `trailer` is given the chunk is framed and one mutation rewrites its trailer, choosing
/// among values near `trailer` and the interesting extremes.
fn mutate(rng: &mut StdRng, chunk: &[u8], others: &[&[u8]], trailer: Option<u32>) -> Vec<u8> {
    let mut c = chunk.to_vec();
    match rng.random_range(0..9) {
        // Truncate.
        0 => c.truncate(rng.random_range(0..=c.len())),
        // Extend with random bytes, or with zeros (which decode as padding would).
        1 => {
            let extra = rng.random_range(1..=64);
            let zeros = rng.random_bool(0.5);
            c.extend((0..extra).map(|_| if zeros { 0 } else { rng.random::<u8>() }));
        }
        // Flip a few bits, mostly near the start where the tree lives.
        2 | 3 => {
            if !c.is_empty() {
                for _ in 0..rng.random_range(1..=4) {
                    let at = if rng.random_bool(0.5) {
                        rng.random_range(0..c.len().min(48))
                    } else {
                        rng.random_range(0..c.len())
                    };
                    c[at] ^= 1 << rng.random_range(0..8);
                }
            }
        }
        // Rewrite the trailer (a framed chunk) or the last four bytes (a stream).
        4 => {
            if c.len() >= 4 {
                let t = trailer.unwrap_or(0);
                let value = match rng.random_range(0..6) {
                    0 => t.wrapping_add(1),
                    1 => t.wrapping_sub(1),
                    2 => t.wrapping_mul(2),
                    3 => u32::MAX,
                    4 => t / 2,
                    _ => rng.random(),
                };
                let at = c.len() - 4;
                c[at..].copy_from_slice(&value.to_le_bytes());
            }
        }
        // Splice: our prefix, another chunk's suffix.
        5 => {
            let other = others[rng.random_range(0..others.len())];
            let cut = rng.random_range(0..=c.len());
            let from = rng.random_range(0..=other.len());
            c.truncate(cut);
            c.extend_from_slice(&other[from..]);
        }
        // Overwrite a range with random bytes.
        6 => {
            if !c.is_empty() {
                let start = rng.random_range(0..c.len());
                let end = rng.random_range(start..=c.len().min(start + 16));
                for b in &mut c[start..end] {
                    *b = rng.random();
                }
            }
        }
        // Replace everything with random bytes of a similar length, keeping the trailer.
        7 => {
            let len = rng.random_range(0..=c.len() + 8);
            let tail: Vec<u8> = c[c.len().saturating_sub(4)..].to_vec();
            c = (0..len).map(|_| rng.random()).collect();
            if trailer.is_some() && rng.random_bool(0.5) {
                c.extend_from_slice(&tail);
            }
        }
        // Replace everything with random bytes.
        _ => {
            let len = rng.random_range(0..=64);
            c = (0..len).map(|_| rng.random()).collect();
        }
    }
    c
}

/// Runs `decode`, turning a panic into a test failure that prints the input (its first 256
/// bytes when it is longer).
fn no_panic<T>(what: &str, input: &[u8], decode: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)) {
        Ok(v) => v,
        Err(_) => panic!(
            "{what} panicked on {} bytes: {:02x?}",
            input.len(),
            &input[..input.len().min(256)]
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The randomized tests

const HUFFMAN_CASES: usize = 40_000;
const QUANT16_CASES: usize = 30_000;
const STREAM_CASES: usize = 40_000;

#[test]
fn mutated_huffman_chunks_give_an_error_or_exactly_the_expected_size() {
    let mut rng = rng(0x5eed_0001);
    let cases = huffman_cases(&mut rng);
    let chunks: Vec<&[u8]> = cases.iter().map(|c| c.chunk.as_slice()).collect();
    let (mut ok, mut err) = (0usize, 0usize);
    for i in 0..HUFFMAN_CASES {
        let case = &cases[i % cases.len()];
        let trailer = u32::try_from(case.decoded_len / case.itemsize).unwrap();
        let chunk = mutate(&mut rng, &case.chunk, &chunks, Some(trailer));
        let len = case.decoded_len;
        let decoded = no_panic("huffman::decode", &chunk, || huffman::decode(&chunk, len));
        let mut out = vec![0u8; len];
        let into = no_panic("huffman::decode_into", &chunk, || {
            huffman::decode_into(&chunk, &mut out)
        });
        match &decoded {
            Ok(bytes) => {
                assert_eq!(bytes.len(), len, "case {i}: {chunk:02x?}");
                assert_eq!((into, &out), (Ok(()), bytes), "case {i}");
                ok += 1;
            }
            Err(e) => {
                assert_eq!(into.as_ref(), Err(e), "case {i}");
                err += 1;
            }
        }
    }
    eprintln!("huffman: {HUFFMAN_CASES} mutated chunks, {ok} decoded, {err} refused");
    assert!(
        ok > HUFFMAN_CASES / 20 && err > HUFFMAN_CASES / 5,
        "{ok} ok, {err} err"
    );
}

#[test]
fn mutated_quant16_chunks_give_an_error_or_exactly_the_expected_size() {
    let mut rng = rng(0x5eed_0002);
    let cases = quant16_cases(&mut rng);
    let codecs: Vec<Quant16Codec> = cases.iter().map(|c| Quant16Codec::new(c.params)).collect();
    let chunks: Vec<&[u8]> = cases.iter().map(|c| c.chunk.as_slice()).collect();
    let (mut ok, mut err) = (0usize, 0usize);
    for i in 0..QUANT16_CASES {
        let k = i % cases.len();
        let case = &cases[k];
        let chunk = mutate(&mut rng, &case.chunk, &chunks, Some(case.n as u32));
        let decoded = no_panic("quant16::decode", &chunk, || {
            quant16::decode(&chunk, case.n, &case.params)
        });
        match &decoded {
            Ok(values) => {
                assert_eq!(values.len(), case.n, "case {i}: {chunk:02x?}");
                ok += 1;
            }
            Err(_) => err += 1,
        }
        let via_codec = no_panic("Quant16Codec::decode", &chunk, || {
            codecs[k].decode(&chunk, case.n)
        });
        assert_eq!(via_codec, decoded, "case {i}");
        let mut ne_bytes = vec![0u8; 2 * case.n];
        let via_bytes = no_panic("Quant16Codec::decode_into_bytes", &chunk, || {
            codecs[k].decode_into_bytes(&chunk, &mut ne_bytes, Endian::NATIVE)
        });
        match &decoded {
            Ok(values) => {
                assert_eq!(via_bytes, Ok(()), "case {i}");
                let expected: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
                assert_eq!(ne_bytes, expected, "case {i}");
            }
            Err(e) => assert_eq!(via_bytes.as_ref(), Err(e), "case {i}"),
        }
    }
    eprintln!("quant16: {QUANT16_CASES} mutated chunks, {ok} decoded, {err} refused");
    assert!(
        ok > QUANT16_CASES / 20 && err > QUANT16_CASES / 5,
        "{ok} ok, {err} err"
    );
}

#[test]
fn mutated_streams_decode_identically_in_every_decoder() {
    let mut rng = rng(0x5eed_0003);
    let cases = stream_cases(&mut rng);
    let streams: Vec<&[u8]> = cases.iter().map(|c| c.stream.as_slice()).collect();
    let values: [u16; 256] = std::array::from_fn(|s| (s as u16) * 3 + 1);
    let (mut ok, mut err) = (0usize, 0usize);
    for i in 0..STREAM_CASES {
        let case = &cases[i % cases.len()];
        let stream = mutate(&mut rng, &case.stream, &streams, None);
        // Ask for the coded count, or a little more or less.
        let n = match rng.random_range(0..4) {
            0 => case.n + rng.random_range(1..=16),
            1 => case.n.saturating_sub(rng.random_range(1..=16)),
            _ => case.n,
        };
        let fast = no_panic("stream::decode", &stream, || stream::decode(&stream, n));
        let simple = no_panic("stream::decode_simple", &stream, || {
            testing::decode_simple(&stream, n)
        });
        assert_eq!(fast, simple, "case {i}, n = {n}: {stream:02x?}");
        let mut mapped = vec![0u16; n];
        let mapped_result = no_panic("stream::decode_mapped_into", &stream, || {
            testing::decode_mapped_into(&stream, &mut mapped, &values)
        });
        match &fast {
            Ok(symbols) => {
                assert_eq!(symbols.len(), n);
                assert_eq!(mapped_result, Ok(()));
                let expected: Vec<u16> = symbols.iter().map(|&s| values[usize::from(s)]).collect();
                assert_eq!(mapped, expected, "case {i}");
                ok += 1;
            }
            Err(e) => {
                assert_eq!(mapped_result.as_ref(), Err(e), "case {i}");
                err += 1;
            }
        }
    }
    eprintln!("streams: {STREAM_CASES} mutated streams, {ok} decoded, {err} refused");
    assert!(
        ok > STREAM_CASES / 20 && err > STREAM_CASES / 5,
        "{ok} ok, {err} err"
    );
}

// The issue asks for at least 100 000 mutated cases; checked when the test compiles.
const _: () = assert!(HUFFMAN_CASES + QUANT16_CASES + STREAM_CASES >= 100_000);

// ---------------------------------------------------------------------------------------------
// Error classes that codecs/tests/errors.rs does not pin down on its own

#[test]
fn trailer_of_u32_max_against_a_small_expected_size_is_called_too_large() {
    let mut chunk = huffman::encode(&[7; 10]).unwrap();
    let at = chunk.len() - 4;
    chunk[at..].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        huffman::decode(&chunk, 10),
        Err(Error::TrailerTooLarge {
            trailer: u32::MAX,
            limit: stream::max_symbols(chunk.len() - 4) as usize,
        })
    );
    let mut q = quant16::encode(&[7; 10], &QuantParams::default()).unwrap();
    let at = q.len() - 4;
    q[at..].copy_from_slice(&u32::MAX.to_le_bytes());
    let expected = Err(Error::TrailerTooLarge {
        trailer: u32::MAX,
        limit: stream::max_symbols(q.len() - 4) as usize,
    });
    assert_eq!(quant16::decode(&q, 10, &QuantParams::default()), expected);
    assert_eq!(
        Quant16Codec::new(QuantParams::default()).decode(&q, 10),
        expected
    );
}

#[test]
fn trailer_of_an_element_count_that_overflows_is_called_too_large() {
    // u32::MAX elements of 8 bytes is no decoded size a caller on any platform can ask for.
    let mut chunk = huffman::encode(&[1, 2]).unwrap();
    let at = chunk.len() - 4;
    chunk[at..].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut out = [0u8; 2];
    assert!(matches!(
        huffman::decode_into(&chunk, &mut out),
        Err(Error::TrailerTooLarge {
            trailer: u32::MAX,
            ..
        })
    ));
}

#[test]
fn stream_cut_inside_a_deep_code_is_stream_truncated_in_both_decoders() {
    let mut rng = rng(9);
    let tree = Tree::caterpillar();
    let (stream, symbols, bits) = stream_for_tree(&mut rng, &tree, 64);
    // Cutting whole bytes off a stream whose last codes are up to 255 bits long.
    for cut in 1..=40 {
        let short = &stream[..stream.len() - cut];
        let fast = stream::decode(short, symbols.len());
        assert_eq!(
            fast,
            testing::decode_simple(short, symbols.len()),
            "cut {cut}"
        );
        match fast {
            Err(Error::StreamTruncated {
                decoded,
                expected: 64,
                stream_bytes,
            }) => {
                assert_eq!(stream_bytes, short.len());
                assert!(decoded < 64);
            }
            other => panic!("cut {cut} of {bits} bits: {other:?}"),
        }
    }
}

#[test]
fn full_256_leaf_tree_is_accepted_and_one_more_node_is_tree_too_large() {
    // The caterpillar has exactly 256 leaves and 255 joins: the largest tree allowed.
    let mut bits = Vec::new();
    Tree::caterpillar().write(&mut bits);
    bits.extend([true; 255]);
    let packed = pack_bits(&bits);
    assert_eq!(stream::decode(&packed, 1), Ok(vec![255]));
    // The same tree with its last leaf replaced by a join is one node too many.
    let mut bits = Vec::new();
    let mut t = Tree::Node(Box::new(Tree::Leaf(0)), Box::new(Tree::Leaf(1)));
    for s in (0..255u8).rev() {
        t = Tree::Node(Box::new(Tree::Leaf(s)), Box::new(t));
    }
    t.write(&mut bits);
    bits.extend([false; 64]);
    assert!(matches!(
        stream::decode(&pack_bits(&bits), 1),
        Err(Error::TreeTooLarge { internal: 256, .. })
    ));
    assert!(matches!(
        testing::decode_simple(&pack_bits(&bits), 1),
        Err(Error::TreeTooLarge { internal: 256, .. })
    ));
}

#[test]
fn tree_still_open_when_the_stream_ends_is_tree_truncated_in_every_entry_point() {
    // Ten joins and nothing else: the tree never closes.
    let packed = pack_bits(&[false; 16]);
    assert_eq!(
        stream::decode(&packed, 1),
        Err(Error::TreeTruncated { bits: 16 })
    );
    assert_eq!(
        testing::decode_simple(&packed, 1),
        Err(Error::TreeTruncated { bits: 16 })
    );
    let mut chunk = packed.clone();
    chunk.extend_from_slice(&5u32.to_le_bytes());
    assert_eq!(
        huffman::decode(&chunk, 5),
        Err(Error::TreeTruncated { bits: 16 })
    );
    assert_eq!(
        quant16::decode(&chunk, 5, &QuantParams::default()),
        Err(Error::TreeTruncated { bits: 16 })
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration given as JSON (a `.zarray` may carry anything)

fn config_error(json: &str) -> String {
    match serde_json::from_str::<QuantParams>(json) {
        Ok(p) => panic!("{json} was accepted as {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn json_scale_zero_negative_or_negative_zero_is_refused_naming_scale() {
    for json in [
        r#"{"scale": 0}"#,
        r#"{"scale": 0.0}"#,
        r#"{"scale": -0.0}"#,
        r#"{"scale": -1.5}"#,
        r#"{"offset": 3, "scale": -1e-300}"#,
    ] {
        let msg = config_error(json);
        assert!(
            msg.contains("invalid quant16 configuration: scale = "),
            "{json}: {msg}"
        );
    }
}

#[test]
fn json_numbers_beyond_f64_are_refused() {
    // JSON has no NaN or infinity; 1e999 is the closest it gets. serde_json refuses it as out of
    // range before our validation sees it, so no infinite parameter can come from JSON.
    for json in [
        r#"{"scale": 1e999}"#,
        r#"{"scale": -1e999}"#,
        r#"{"offset": 1e999}"#,
        r#"{"offset": -1e999}"#,
    ] {
        let msg = config_error(json);
        assert!(msg.contains("number out of range"), "{json}: {msg}");
    }
    for json in [
        r#"{"scale": NaN}"#,
        r#"{"offset": Infinity}"#,
        r#"{"offset": "NaN"}"#,
    ] {
        config_error(json);
    }
}

#[test]
fn json_non_numbers_are_refused() {
    // Not listed: `[0, 1]`, which serde's derived Deserialize reads as (offset, scale). A zarr
    // codec configuration is always a JSON object, so it cannot arrive that way.
    for json in [
        r#"{"scale": "1"}"#,
        r#"{"offset": null}"#,
        r#"{"scale": true}"#,
        r#"{"offset": [0]}"#,
        r#"{"scale": {"value": 1}}"#,
        r#""offset""#,
    ] {
        let msg = config_error(json);
        assert!(msg.contains("invalid type"), "{json}: {msg}");
    }
}

#[test]
fn json_unknown_and_duplicate_fields_are_refused() {
    // Unknown fields are refused, not ignored: a misspelt `scale` must not silently become 1.
    for (json, field) in [
        (r#"{"scale": 1, "gain": 2}"#, "gain"),
        (r#"{"Scale": 2}"#, "Scale"),
        (
            r#"{"offset": 0, "scale": 1, "id": "pymecompress-quant16"}"#,
            "id",
        ),
    ] {
        let msg = config_error(json);
        assert!(
            msg.contains(&format!("unknown field `{field}`")),
            "{json}: {msg}"
        );
    }
    let msg = config_error(r#"{"scale": 1, "scale": 2}"#);
    assert!(msg.contains("duplicate field `scale`"), "{msg}");
}

#[test]
fn json_valid_configurations_keep_their_values() {
    for (json, offset, scale) in [
        ("{}", 0.0, 1.0),
        (r#"{"offset": 100}"#, 100.0, 1.0),
        (r#"{"scale": 1.5, "offset": -50}"#, -50.0, 1.5),
        (r#"{"offset": 0, "scale": 5e-324}"#, 0.0, 5e-324),
    ] {
        let p: QuantParams = serde_json::from_str(json).unwrap();
        assert_eq!((p.offset(), p.scale()), (offset, scale), "{json}");
    }
}

/// Regression for the `config_json` fuzz target's findings (inputs in `fuzz/regressions/`):
/// serde_json's default float parser is not correctly rounded. `1E-28` is read one unit in the
/// last place above the nearest `f64`, and parameters written to JSON and read back can move by
/// a unit or two. The workspace enables serde_json's `float_roundtrip` feature, which fixes both.
#[test]
fn json_numbers_parse_to_the_nearest_f64_and_round_trip_exactly() {
    let p: QuantParams = serde_json::from_str(r#"{"offset": 1E-28, "scale": 2E-21}"#).unwrap();
    assert_eq!(p.offset(), "1E-28".parse::<f64>().unwrap());
    let p = QuantParams::new(2_222_222_220_042_877_324_u64 as f64, 1.0).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    let back: QuantParams = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p, "{json}");
}

// ---------------------------------------------------------------------------------------------
// Regressions found by fuzzing

/// Found by the `roundtrip` fuzz target (input `fuzz/regressions/roundtrip-flush-64-bits.bin`;
/// these are its 4094 quantized symbols). `SliceBitWriter::flush` computes
/// `(acc << (63 - nbits)) << 1`, which underflows when 64 bits are pending: 7 left by the last
/// flush plus a 57-bit group of codes, which `SLICE_PUT_BITS = 57` allows. With overflow checks
/// (tests, fuzzing) the encoder panics; in release the shift wraps and the stream is silently
/// wrong (`stream::encode` of 135 of the 8188 prefixes and suffixes of this input, and
/// `encode_parallel(_, 4)`, decode to different symbols).
#[test]
fn every_encoder_writes_the_reference_stream_when_64_bits_are_pending() {
    let path = fixtures::path("../fuzz/regressions/encode-flush-64-bits.symbols");
    let symbols = std::fs::read(path).expect("regression input is readable");
    for slices in 1..=8 {
        let simple = testing::encode_simple(&symbols).unwrap();
        let parallel = no_panic("stream::encode_parallel", &symbols, || {
            testing::encode_parallel(&symbols, slices)
        });
        assert_eq!(parallel, Ok(simple), "{slices} slices");
    }
    for cut in 0..symbols.len() {
        for part in [&symbols[cut..], &symbols[..symbols.len() - cut]] {
            let encoded = no_panic("stream::encode", part, || stream::encode(part)).unwrap();
            assert_eq!(
                encoded,
                testing::encode_simple(part).unwrap(),
                "{} symbols",
                part.len()
            );
        }
    }
}
