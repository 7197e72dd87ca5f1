//! Each class of bad input gets its own typed error.

mod common;

use common::*;
use pymecompress_codecs::testing::decode_simple;
use pymecompress_codecs::{huffman, quant16, stream, Endian, Error, Quant16Codec, QuantParams};

fn good_stream() -> (Vec<u8>, Vec<u8>) {
    let input: Vec<u8> = (0..2000u32).map(|i| (i * i % 97) as u8).collect();
    (stream::encode(&input).unwrap(), input)
}

#[test]
fn chunk_shorter_than_trailer() {
    for len in 0..4 {
        let chunk = vec![0u8; len];
        assert_eq!(
            huffman::decode(&chunk, 10),
            Err(Error::ChunkTooShort { len })
        );
        assert_eq!(
            quant16::decode(&chunk, 10, &QuantParams::default()),
            Err(Error::ChunkTooShort { len })
        );
    }
}

#[test]
fn trailer_larger_than_or_inconsistent_with_expected_size() {
    let chunk = huffman::encode(&[1, 2, 3, 4, 5, 6]).unwrap();
    assert_eq!(
        huffman::decode(&chunk, 4),
        Err(Error::TrailerMismatch {
            trailer: 6,
            decoded_bytes: 4,
        })
    );
    // 6 is neither 8 bytes nor 8/2, 8/4 or 8/8 elements.
    assert_eq!(
        huffman::decode(&chunk, 8),
        Err(Error::TrailerMismatch {
            trailer: 6,
            decoded_bytes: 8,
        })
    );
    // A huge trailer is refused before anything is allocated.
    let mut huge = chunk.clone();
    let at = huge.len() - 4;
    huge[at..].copy_from_slice(&u32::MAX.to_le_bytes());
    // More symbols than the stream has bits: damage, not a size question.
    assert!(matches!(
        huffman::decode(&huge, 6),
        Err(Error::TrailerTooLarge {
            trailer: u32::MAX,
            ..
        })
    ));
    assert!(matches!(
        huffman::decode_unsized(&huge, usize::MAX),
        Err(Error::TrailerTooLarge {
            trailer: u32::MAX,
            ..
        })
    ));
    let q = quant16::encode(&[1, 2, 3], &QuantParams::default()).unwrap();
    assert_eq!(
        quant16::decode(&q, 4, &QuantParams::default()),
        Err(Error::ValueCountMismatch {
            trailer: 3,
            expected: 4,
        })
    );
}

#[test]
fn output_buffer_of_the_wrong_size() {
    let chunk = huffman::encode(&[1, 2, 3]).unwrap();
    let mut out = [0u8; 5];
    assert!(matches!(
        huffman::decode_into(&chunk, &mut out),
        Err(Error::TrailerMismatch {
            trailer: 3,
            decoded_bytes: 5,
        })
    ));
}

#[test]
fn odd_byte_lengths_of_uint16_data() {
    let codec = Quant16Codec::new(QuantParams::default());
    assert_eq!(
        codec.encode_bytes(&[1, 2, 3], Endian::Little),
        Err(Error::OddByteLength { len: 3 })
    );
    let chunk = codec.encode(&[1, 2, 3]).unwrap();
    let mut out = [0u8; 7];
    assert_eq!(
        codec.decode_into_bytes(&chunk, &mut out, Endian::NATIVE),
        Err(Error::OddByteLength { len: 7 })
    );
    let msg = Error::OddByteLength { len: 7 }.to_string();
    assert!(msg.contains("7 bytes") && msg.contains("2-byte"), "{msg}");
}

#[test]
fn stream_that_ends_before_n_symbols() {
    let (s, input) = good_stream();
    let short = &s[..s.len() / 2];
    for decoded in [
        stream::decode(short, input.len()),
        decode_simple(short, input.len()),
    ] {
        match decoded {
            Err(Error::StreamTruncated {
                decoded,
                expected,
                stream_bytes,
            }) => {
                assert_eq!((expected, stream_bytes), (input.len(), short.len()));
                assert!(decoded > 0 && decoded < input.len(), "{decoded}");
            }
            other => panic!("{other:?}"),
        }
    }
    // Asking for more symbols than a complete stream holds is the same error.
    assert!(matches!(
        stream::decode(&s, input.len() + 100),
        Err(Error::StreamTruncated { .. })
    ));
}

#[test]
fn both_decoders_report_the_same_truncation_point() {
    let (s, input) = good_stream();
    for cut in (1..s.len()).step_by(7) {
        assert_eq!(
            stream::decode(&s[..cut], input.len()),
            decode_simple(&s[..cut], input.len()),
            "cut at {cut}"
        );
    }
}

#[test]
fn tree_with_too_many_leaves_or_nodes() {
    // 300 internal nodes in a row: more than a byte tree can have.
    let bits = vec![false; 300];
    assert!(matches!(
        stream::decode(&pack_bits(&bits), 1),
        Err(Error::TreeTooLarge {
            leaves: 0,
            internal: 256
        })
    ));
    // A caterpillar aiming at 257 leaves (symbols repeat). In pre-order a tree has at most
    // one more leaf than joins so far, so the 256th join is what gets refused.
    let mut bits = Vec::new();
    for _ in 0..256 {
        bits.push(false);
        bits.push(true);
        bits.extend([false; 8]);
    }
    bits.extend([true; 9 + 64]);
    assert_eq!(
        stream::decode(&pack_bits(&bits), 1),
        Err(Error::TreeTooLarge {
            leaves: 255,
            internal: 256
        })
    );
}

#[test]
fn tree_that_never_terminates_before_the_input_ends() {
    assert_eq!(
        stream::decode(&[], 1),
        Err(Error::TreeTruncated { bits: 0 })
    );
    // A root join and one leaf, then the stream ends.
    let bits = [false, true, false, false, false, false, false, false, true];
    let packed = pack_bits(&bits);
    assert_eq!(
        stream::decode(&packed, 3),
        Err(Error::TreeTruncated { bits: 16 })
    );
    assert_eq!(
        decode_simple(&packed, 3),
        Err(Error::TreeTruncated { bits: 16 })
    );
    // A lone leaf whose symbol is cut short.
    assert_eq!(
        stream::decode(&[0b1000_0000], 1),
        Err(Error::TreeTruncated { bits: 8 })
    );
}

#[test]
fn configuration_out_of_range() {
    for (offset, scale) in [
        (0.0, 0.0),
        (0.0, -2.0),
        (0.0, f64::NAN),
        (0.0, f64::INFINITY),
    ] {
        assert!(matches!(
            QuantParams::new(offset, scale),
            Err(Error::InvalidConfig { field: "scale", .. })
        ));
    }
    for offset in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            QuantParams::new(offset, 1.0),
            Err(Error::InvalidConfig {
                field: "offset",
                ..
            })
        ));
    }
}

#[test]
fn errors_explain_themselves() {
    let msg = Error::TrailerMismatch {
        trailer: 7,
        decoded_bytes: 16,
    }
    .to_string();
    assert!(msg.contains('7') && msg.contains("16"), "{msg}");
    let msg = Error::ValueCountMismatch {
        trailer: 7,
        expected: 8,
    }
    .to_string();
    assert!(
        msg.contains("7 values") && msg.contains("8 were expected"),
        "{msg}"
    );
    let msg = Error::StreamTruncated {
        decoded: 3,
        expected: 9,
        stream_bytes: 2,
    }
    .to_string();
    assert!(msg.contains("3 of 9"), "{msg}");
}
