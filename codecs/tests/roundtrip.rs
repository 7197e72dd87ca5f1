//! Encode/decode properties over random, skewed and adversarial data: the table decoder must
//! agree with the bit-by-bit decoder, and every stream must round-trip.

mod common;

use common::*;
use pymecompress_codecs::{huffman, quant16, stream, testing, Endian, Quant16Codec, QuantParams};
use rand::RngExt;

#[test]
fn every_kind_of_input_round_trips_and_both_decoders_agree() {
    let mut rng = rng(1);
    for case in 0..600 {
        let n = match case % 4 {
            0 => rng.random_range(0..16),
            1 => rng.random_range(0..300),
            2 => rng.random_range(0..5000),
            _ => rng.random_range(0..60_000),
        };
        let input = bytes_of_kind(&mut rng, case, n);
        let encoded = stream::encode(&input).unwrap();
        assert_eq!(
            stream::decode(&encoded, input.len()).unwrap(),
            input,
            "case {case}"
        );
        assert_eq!(
            testing::decode_simple(&encoded, input.len()).unwrap(),
            input,
            "case {case}"
        );
    }
}

#[test]
fn random_full_trees_decode_identically_in_both_decoders() {
    let mut rng = rng(2);
    for case in 0..400 {
        let leaves = rng.random_range(2..=256);
        let tree = Tree::random(&mut rng, leaves);
        let n = rng.random_range(0..3000);
        let (bytes, symbols, _) = stream_for_tree(&mut rng, &tree, n);
        assert_eq!(stream::decode(&bytes, n).unwrap(), symbols, "case {case}");
        assert_eq!(
            testing::decode_simple(&bytes, n).unwrap(),
            symbols,
            "case {case}"
        );
    }
}

#[test]
fn depth_255_tree_decodes() {
    let mut rng = rng(3);
    let tree = Tree::caterpillar();
    let (bytes, symbols, _) = stream_for_tree(&mut rng, &tree, 20_000);
    assert!(symbols.contains(&255));
    assert_eq!(stream::decode(&bytes, symbols.len()).unwrap(), symbols);
    assert_eq!(
        testing::decode_simple(&bytes, symbols.len()).unwrap(),
        symbols
    );
}

#[test]
fn fibonacci_histograms_give_long_codes_that_round_trip() {
    // 30 symbols: 2.1 M bytes, codes up to 29 bits, past the reference writer's ~25-bit limit.
    for symbols in [20, 26, 30] {
        let input = fibonacci_bytes(symbols);
        let encoded = stream::encode(&input).unwrap();
        assert_eq!(stream::decode(&encoded, input.len()).unwrap(), input);
        assert_eq!(
            testing::decode_simple(&encoded, input.len()).unwrap(),
            input
        );
    }
}

#[test]
fn single_symbol_streams_spend_one_bit_per_symbol() {
    for n in [1usize, 7, 8, 9, 1000] {
        let input = vec![42u8; n];
        let encoded = stream::encode(&input).unwrap();
        // Tree: one leaf (9 bits), then one zero bit per symbol.
        assert_eq!(encoded.len(), (9 + n).div_ceil(8));
        assert_eq!(encoded[0], 0b1001_0101);
        assert_eq!(stream::decode(&encoded, n).unwrap(), input);
    }
    assert!(stream::encode(&[]).unwrap().is_empty());
    assert!(stream::decode(&[], 0).unwrap().is_empty());
}

#[test]
fn framed_chunks_round_trip_every_item_size() {
    let mut rng = rng(4);
    for itemsize in [1usize, 2, 4, 8] {
        let input = bytes_of_kind(&mut rng, itemsize, 4096 * itemsize);
        let chunk = huffman::encode(&input).unwrap();
        let trailer = u32::from_le_bytes(chunk[chunk.len() - 4..].try_into().unwrap());
        assert_eq!(trailer as usize, input.len(), "we write the byte count");
        assert_eq!(huffman::decode(&chunk, input.len()).unwrap(), input);
    }
}

#[test]
fn element_count_trailers_from_the_reference_are_read() {
    let mut rng = rng(5);
    for itemsize in [2usize, 4, 8] {
        let input = bytes_of_kind(&mut rng, 0, 300 * itemsize);
        let mut chunk = huffman::encode(&input).unwrap();
        let at = chunk.len() - 4;
        chunk[at..].copy_from_slice(&300u32.to_le_bytes());
        assert_eq!(huffman::decode(&chunk, input.len()).unwrap(), input);
    }
}

#[test]
fn quant16_round_trips_through_the_dequantizer() {
    let mut rng = rng(6);
    for (offset, scale) in [
        (0.0, 1.0),
        (100.0, 1.0),
        (0.5, 1.0),
        (0.0, 2.0),
        (50.0, 1.5),
    ] {
        let params = QuantParams::new(offset, scale).unwrap();
        let codec = Quant16Codec::new(params);
        let values = poisson_u16(&mut rng, 10_000, 300.0);
        let chunk = codec.encode(&values).unwrap();
        let decoded = codec.decode(&chunk, values.len()).unwrap();
        let expected: Vec<u16> = values
            .iter()
            .map(|&v| params.dequantize(params.quantize(v)))
            .collect();
        assert_eq!(decoded, expected);
        assert_eq!(
            quant16::decode(&chunk, values.len(), &params).unwrap(),
            expected
        );
        // Within half a quantization step of the square root.
        for (&v, &d) in values.iter().zip(&decoded) {
            let (sv, sd) = (
                (f64::from(v) - offset).max(0.0).sqrt(),
                (f64::from(d) - offset).max(0.0).sqrt(),
            );
            assert!(
                (sv - sd).abs() <= scale * 0.5 + 1e-6 + 1.0 / (sd + 1.0),
                "{v} -> {d}"
            );
        }
    }
}

#[test]
fn quant16_ignores_symbols_after_the_nth() {
    // The reference codes 2N symbols and writes trailer N: build such a chunk by hand.
    let params = QuantParams::default();
    let values: Vec<u16> = (0..500).map(|i| (i * 7 % 400) as u16).collect();
    let mut symbols: Vec<u8> = values.iter().map(|&v| params.quantize(v)).collect();
    symbols.extend((0..500).map(|i| (i * 13 % 251) as u8));
    let mut chunk = stream::encode(&symbols).unwrap();
    chunk.extend_from_slice(&500u32.to_le_bytes());
    let decoded = quant16::decode(&chunk, 500, &params).unwrap();
    let expected: Vec<u16> = values
        .iter()
        .map(|&v| params.dequantize(params.quantize(v)))
        .collect();
    assert_eq!(decoded, expected);
}

#[test]
fn quant16_decodes_to_bytes_as_to_values() {
    let mut rng = rng(7);
    let codec = Quant16Codec::new(QuantParams::new(10.0, 1.5).unwrap());
    let values = poisson_u16(&mut rng, 5000, 150.0);
    let chunk = codec.encode(&values).unwrap();
    let as_values = codec.decode(&chunk, values.len()).unwrap();
    for (order, to_bytes) in [
        (Endian::Little, u16::to_le_bytes as fn(u16) -> [u8; 2]),
        (Endian::Big, u16::to_be_bytes),
        (Endian::NATIVE, u16::to_ne_bytes),
    ] {
        // One byte in: the output need not be 2-byte aligned.
        let mut buf = vec![0u8; 2 * values.len() + 1];
        codec
            .decode_into_bytes(&chunk, &mut buf[1..], order)
            .unwrap();
        let expected: Vec<u8> = as_values.iter().flat_map(|&v| to_bytes(v)).collect();
        assert_eq!(buf[1..], expected, "{order:?}");
        assert!(codec
            .decode_into_bytes(&chunk, &mut buf[..2 * values.len() - 2], order)
            .is_err());
    }
}

#[test]
fn quant16_encodes_bytes_of_either_order_at_any_alignment_as_values() {
    let mut rng = rng(8);
    let codec = Quant16Codec::new(QuantParams::new(100.0, 1.0).unwrap());
    let values = poisson_u16(&mut rng, 3001, 400.0);
    let expected = codec.encode(&values).unwrap();
    for (order, to_bytes) in [
        (Endian::Little, u16::to_le_bytes as fn(u16) -> [u8; 2]),
        (Endian::Big, u16::to_be_bytes),
    ] {
        let mut buf = vec![0u8];
        buf.extend(values.iter().flat_map(|&v| to_bytes(v)));
        assert_eq!(
            codec.encode_bytes(&buf[1..], order).unwrap(),
            expected,
            "{order:?}"
        );
    }
}
