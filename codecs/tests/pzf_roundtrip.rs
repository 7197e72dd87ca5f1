//! Round trips on random frames: every data format, compression, DimOrder and (for uint16)
//! quantization, at random shapes including empty and 1-pixel frames.

mod common;

use common::rng;
use pymecompress_codecs::pzf::{
    self, dequant_table, Compression, DimOrder, PzfData, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_codecs::QuantParams;
use rand::RngExt;

fn random_shape(rng: &mut rand::rngs::StdRng) -> [usize; 3] {
    match rng.random_range(0..4) {
        0 => [rng.random_range(0..3), rng.random_range(0..3), 1],
        1 => [rng.random_range(1..200), rng.random_range(1..200), 1],
        2 => [
            rng.random_range(1..20),
            rng.random_range(1..20),
            rng.random_range(1..6),
        ],
        _ => [1, rng.random_range(1..5000), 1],
    }
}

fn options(rng: &mut rand::rngs::StdRng, compression: Compression) -> PzfWriteOptions {
    PzfWriteOptions {
        sequence_id: rng.random(),
        frame_num: rng.random(),
        frame_timestamp: rng.random(),
        compression,
        chunks: rng.random_range(1..5),
        ..Default::default()
    }
}

const COMPRESSIONS: [Compression; 3] = [
    Compression::Raw,
    Compression::Huffman,
    Compression::HuffmanChunked,
];

#[test]
fn lossless_frames_come_back_exactly() {
    let mut rng = rng(0x70f);
    let mut cases = 0;
    for round in 0..60 {
        for compression in COMPRESSIONS {
            for order in [DimOrder::C, DimOrder::F] {
                let shape = random_shape(&mut rng);
                let n = shape.iter().product::<usize>();
                let spread = 1u32 << rng.random_range(0..16);
                let data = match round % 3 {
                    0 => PzfData::U8(
                        (0..n)
                            .map(|_| rng.random_range(0..spread.min(256)) as u8)
                            .collect(),
                    ),
                    1 => PzfData::U16((0..n).map(|_| rng.random_range(0..spread) as u16).collect()),
                    _ => PzfData::F32((0..n).map(|_| f32::from_bits(rng.random())).collect()),
                };
                let opts = options(&mut rng, compression);
                let file = pzf::encode(data.as_slice(), shape, order, &opts).unwrap();
                let frame = pzf::decode(&file).unwrap();
                // bit patterns, so that NaN payloads count as equal
                let bits = |d: &PzfData| match d {
                    PzfData::F32(v) => PzfData::U16(
                        v.iter()
                            .flat_map(|x| {
                                let b = x.to_bits();
                                [b as u16, (b >> 16) as u16]
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                };
                assert_eq!(
                    bits(&frame.data),
                    bits(&data),
                    "{shape:?} {compression:?} {order:?}"
                );
                assert_eq!((frame.shape(), frame.order()), (shape, order));
                let h = frame.header;
                assert_eq!(
                    (
                        h.version,
                        h.compression,
                        h.sequence_id,
                        h.frame_num,
                        h.frame_timestamp
                    ),
                    (
                        3,
                        compression,
                        opts.sequence_id,
                        opts.frame_num,
                        opts.frame_timestamp
                    )
                );
                if compression != Compression::HuffmanChunked {
                    assert_eq!(pzf::encode_frame(&frame).unwrap(), file);
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 360);
}

#[test]
fn quantized_frames_come_back_dequantized() {
    let mut rng = rng(0x9f2);
    for _ in 0..80 {
        for compression in [Compression::Huffman, Compression::HuffmanChunked] {
            let shape = random_shape(&mut rng);
            let n = shape.iter().product::<usize>();
            let mean = rng.random_range(0..60_000u32);
            let values: Vec<u16> = (0..n)
                .map(|_| (mean + rng.random_range(0..2000)).min(65535) as u16)
                .collect();
            let offset = rng.random_range(-100.0..1000.0f32);
            let scale = rng.random_range(0.05..10.0f32);
            let opts = PzfWriteOptions {
                quantization: Quantization::Sqrt,
                quant_offset: offset,
                quant_scale: scale,
                ..options(&mut rng, compression)
            };
            let order = if rng.random_bool(0.5) {
                DimOrder::C
            } else {
                DimOrder::F
            };
            let file = pzf::encode(PzfSlice::U16(&values), shape, order, &opts).unwrap();
            let params = QuantParams::new(offset.into(), scale.into()).unwrap();
            let symbols: Vec<u8> = values.iter().map(|&x| params.quantize(x)).collect();
            let (header, stored) = pzf::decode_symbols(&file).unwrap();
            assert_eq!(stored, symbols);
            assert_eq!((header.quant_offset, header.quant_scale), (offset, scale));
            let deq = dequant_table(offset, scale);
            let expected: Vec<u16> = symbols.iter().map(|&q| deq[usize::from(q)]).collect();
            assert_eq!(pzf::decode(&file).unwrap().data, PzfData::U16(expected));
        }
    }
}

#[test]
fn dequantization_is_float32_and_saturates() {
    // (q * scale)^2 + offset in float32: at scale 0.1, q = 3 gives 0.3f32^2 = 0.090000004
    let t = dequant_table(0.0, 0.1);
    assert_eq!(t[3], 0);
    let t = dequant_table(0.0, 3.0);
    assert_eq!((t[85], t[86]), (65025, 65535)); // 66564 saturates; PYME gives 1028
    assert_eq!(pzf::pyme_dequant_table(0.0, 3.0)[86], Some(1028));
    let t = dequant_table(-10.0, 1.0);
    assert_eq!((t[0], t[3], t[4]), (0, 0, 6)); // -10 and -1 saturate at 0; PYME wraps
    assert_eq!(pzf::pyme_dequant_table(-10.0, 1.0)[3], Some(65535));
    assert_eq!(pzf::pyme_dequant_table(-10.0, 1.0)[0], Some(65526));
    // truncation toward zero, like numpy's cast: -0.5 is 0 for both
    assert_eq!(dequant_table(-0.5, 1.0)[0], 0);
    assert_eq!(pzf::pyme_dequant_table(-0.5, 1.0)[0], Some(0));
}

#[test]
fn dumps_picks_f_for_arrays_numpy_calls_f_contiguous() {
    use DimOrder::{C, F};
    for (shape, memory, recorded) in [
        ([3, 4, 1], C, C),
        ([3, 4, 1], F, F),
        ([1, 1, 1], C, F),
        ([1, 9, 1], C, F),
        ([9, 1, 1], C, F),
        ([1, 1, 5], C, F),
        ([0, 3, 1], C, F),
        ([2, 3, 2], C, C),
    ] {
        assert_eq!(
            DimOrder::as_dumps_records(shape, memory),
            recorded,
            "{shape:?}"
        );
    }
}

#[test]
fn header_json_uses_pyme_names_and_reads_back() {
    let file = pzf::encode(
        PzfSlice::U16(&[1, 2, 3, 4, 5, 6]),
        [2, 3, 1],
        DimOrder::C,
        &PzfWriteOptions {
            compression: Compression::Huffman,
            quantization: Quantization::Sqrt,
            quant_offset: 1.5,
            quant_scale: 0.25,
            sequence_id: -3,
            frame_num: 7,
            frame_timestamp: 9,
            chunks: 2,
        },
    )
    .unwrap();
    let header = pzf::decode(&file).unwrap().header;
    let json = serde_json::to_value(header).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The names themselves are checked against PYME's in the fixture tests.
    let mut expected = pzf::HEADER_FIELD_NAMES.to_vec();
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(
        (&json["DataFormat"], &json["DimOrder"], &json["QuantScale"]),
        (
            &serde_json::json!(1),
            &serde_json::json!("C"),
            &serde_json::json!(0.25)
        )
    );
    let back: pzf::PzfHeader = serde_json::from_value(json).unwrap();
    assert_eq!(back, header);
}
