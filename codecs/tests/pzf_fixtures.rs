//! The PZF fixtures made with PYME's `PZFFormat` (`fixtures/pzf/`): every file reads as
//! `loads` reads it, every raw/Huffman frame `dumps` wrote is written again byte for byte, and
//! quantized frames code the reference's symbols except where its quantizer is inexact.

mod common;

use common::pzf as pzf_common;

use pymecompress_codecs::pzf::{
    self, DimOrder, PzfData, PzfHeader, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_codecs::Error;
use pzf_common::*;
use serde_json::Value;

fn name(case: &Value) -> &str {
    case["name"].as_str().unwrap()
}

fn file(case: &Value) -> Vec<u8> {
    read(&format!("{}.pzf", name(case)))
}

fn quant_cases() -> Vec<Value> {
    cases()
        .into_iter()
        .filter(|c| c.get("quant").is_some())
        .collect()
}

#[test]
fn the_fixtures_cover_every_mode() {
    let cases = cases();
    assert_eq!(
        cases.len(),
        78,
        "fixtures/pzf/manifest.json changed: update this count"
    );
    let mut seen = std::collections::BTreeSet::new();
    for c in &cases {
        let h = &c["header"];
        seen.insert((
            u64_of(&h["Version"]),
            u64_of(&h["DataFormat"]),
            u64_of(&h["DataCompression"]),
            u64_of(&h["DataQuantization"]),
        ));
    }
    for fmt in 0..3 {
        for comp in 0..3 {
            assert!(
                seen.contains(&(3, fmt, comp, 0)),
                "format {fmt}, compression {comp}"
            );
        }
    }
    for v in 1..=3 {
        assert!(seen.iter().any(|s| s.0 == v), "version {v}");
    }
    assert!(seen.contains(&(3, 1, 2, 1)) && seen.contains(&(1, 1, 1, 1)));
}

/// The header fields `loads` returns, compared with ours (DimOrder as numpy reads it), and
/// their names with the ones the core exports.
fn assert_header(case: &Value, h: &PzfHeader) {
    let n = name(case);
    let loads = pzf_loads_header(case);
    let mut names: Vec<&str> = loads.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut exported = pzf::HEADER_FIELD_NAMES.to_vec();
    exported.sort_unstable();
    assert_eq!(names, exported, "{n}: the header fields PYME gives");
    assert_eq!(
        serde_json::to_value(h).unwrap(),
        Value::Object(loads),
        "{n}"
    );
}

/// The one fixture `loads` reads that we refuse: the fixture script appended 3 bytes to a
/// Huffman payload `dumps` wrote. PYME's decoder stops after the frame's symbols; ours checks
/// that the stream ends with its last code, as every writer ends it, which is what catches a
/// flipped byte at the end of a payload (docs/format.md, docs/robustness.md).
const TRAILING_BYTES: &str = "v3_huff_trailing_bytes";

#[test]
fn a_huffman_payload_that_goes_on_after_its_codes_is_refused() {
    let case = cases()
        .into_iter()
        .find(|c| name(c) == TRAILING_BYTES)
        .unwrap();
    let bytes = file(&case);
    // 324 bits of tree and codes: 41 bytes; the file's payload is 44.
    assert_eq!(
        pzf::decode(&bytes),
        Err(pzf::PzfError::Stream(Error::StreamEndMismatch {
            end_bit: 324,
            stream_bytes: 44
        }))
    );
    // Without the 3 bytes, it reads as loads reads it.
    let cut = &bytes[..bytes.len() - 3];
    let frame = pzf::decode(cut).unwrap();
    let npy = npy(&format!("{TRAILING_BYTES}.npy"));
    let (ours, _) = le_bytes(&frame.data);
    let shape = pzf_shape(&case);
    let itemsize = frame.header.data_format.itemsize();
    assert_eq!(
        to_c_order(&ours, itemsize, &shape, frame.order()),
        npy.c_bytes
    );
}

#[test]
fn every_fixture_reads_as_loads_reads_it() {
    let mut checked = 0;
    for case in cases() {
        let n = name(&case);
        if n == TRAILING_BYTES {
            continue;
        }
        let frame = pzf::decode(&file(&case)).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_header(&case, &frame.header);
        let shape = pzf_shape(&case);
        assert_eq!(frame.shape().to_vec(), shape, "{n}");
        let (ours, dtype) = le_bytes(&frame.data);
        assert_eq!(dtype, case["dtype"].as_str().unwrap(), "{n}");
        let wrapped = case["quant"]["wrapped_pixels"].as_u64().unwrap_or(0);
        if wrapped > 0 {
            // PYME wraps modulo 65536 where we saturate: compared in the next test.
            continue;
        }
        if let Some(sha) = case.get("values_sha256") {
            assert_eq!(sha256_hex(&ours), sha.as_str().unwrap(), "{n}");
        } else {
            let npy = npy(&format!("{n}.npy"));
            assert_eq!(npy.descr, dtype, "{n}");
            assert_eq!(npy.shape, shape, "{n}");
            let itemsize = frame.header.data_format.itemsize();
            assert_eq!(
                to_c_order(&ours, itemsize, &shape, frame.order()),
                npy.c_bytes,
                "{n}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 74);
}

/// Dequantization: PYME's values are `pyme_dequant_table` of the stored symbols (wrapping),
/// ours are `dequant_table` (saturating); they differ exactly at the pixels the fixture script
/// counted as outside `0..65536`.
#[test]
fn dequantization_matches_pyme_except_where_it_wraps() {
    let mut total_wrapped = 0;
    for case in quant_cases() {
        let n = name(&case);
        let bytes = file(&case);
        let (header, symbols) = pzf::decode_symbols(&bytes).unwrap();
        let pyme_table = pzf::pyme_dequant_table(header.quant_offset, header.quant_scale);
        let pyme: Vec<u16> = symbols
            .iter()
            .map(|&q| pyme_table[usize::from(q)].unwrap())
            .collect();
        let pyme_bytes: Vec<u8> = pyme.iter().flat_map(|v| v.to_le_bytes()).collect();
        if let Some(sha) = case.get("values_sha256") {
            assert_eq!(sha256_hex(&pyme_bytes), sha.as_str().unwrap(), "{n}");
        } else {
            let npy = npy(&format!("{n}.npy"));
            let c = to_c_order(&pyme_bytes, 2, &npy.shape, header.dim_order);
            assert_eq!(c, npy.c_bytes, "{n}: our model of PYME's dequantization");
        }
        let PzfData::U16(ours) = pzf::decode(&bytes).unwrap().data else {
            panic!("{n}: quantized frames are uint16");
        };
        let mut differ = 0u64;
        for (i, (&o, &p)) in ours.iter().zip(&pyme).enumerate() {
            if o != p {
                differ += 1;
                let q = symbols[i];
                let f = (f32::from(q) * header.quant_scale).powi(2) + header.quant_offset;
                let saturated = if f < 0.0 { 0 } else { 65535 };
                assert_eq!(o, saturated, "{n}[{i}]: symbol {q}, PYME {p}, float {f}");
            }
        }
        assert_eq!(differ, u64_of(&case["quant"]["wrapped_pixels"]), "{n}");
        total_wrapped += differ;
    }
    // q_o-10_s1 (below 0), q_all_o33.3_s1.7 and q_all_o0.0_s4.0 (65536 and more)
    assert_eq!(total_wrapped, 39 + 44 + 1008);
}

#[test]
fn raw_and_huffman_frames_are_written_byte_identically() {
    let mut checked = 0;
    for case in cases() {
        if case["rewrite_identical"] != true {
            continue;
        }
        let n = name(&case);
        let bytes = file(&case);
        let frame = pzf::decode(&bytes).unwrap();
        assert_eq!(pzf::encode_frame(&frame).unwrap(), bytes, "{n}");
        // the writer's own choice of DimOrder is the one dumps made
        let memory = if n.contains("_F_") {
            DimOrder::F
        } else {
            DimOrder::C
        };
        assert_eq!(
            DimOrder::as_dumps_records(frame.shape(), memory),
            frame.order(),
            "{n}"
        );
        checked += 1;
    }
    assert_eq!(checked, 46);
}

fn input_of(case: &Value) -> (Vec<u16>, [usize; 3], DimOrder) {
    let n = name(case);
    let shape = pzf_shape(case);
    let shape = [shape[0], shape[1], shape[2]];
    let order = match case["header"]["DimOrder"].as_str() {
        Some("F") => DimOrder::F,
        _ => DimOrder::C,
    };
    if case["input"] == "arange" {
        return ((0..=u16::MAX).collect(), shape, order);
    }
    let npy = npy(case["input"].as_str().unwrap());
    assert_eq!(npy.descr, "<u2", "{n}");
    let c: Vec<u16> = npy
        .c_bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    // dumps codes the array's memory: C order, or F order for an F-contiguous array
    let values = if order == DimOrder::F {
        let bytes: Vec<u8> = c.iter().flat_map(|v| v.to_le_bytes()).collect();
        let f = from_c_order(&bytes, 2, &shape);
        f.chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect()
    } else {
        c
    };
    (values, shape, order)
}

/// C-order element bytes rearranged into F order (the inverse of `to_c_order`).
fn from_c_order(c: &[u8], itemsize: usize, shape: &[usize; 3]) -> Vec<u8> {
    let [w, h, d] = *shape;
    let mut out = vec![0u8; c.len()];
    for x in 0..w {
        for y in 0..h {
            for z in 0..d {
                let ci = (x * h + y) * d + z;
                let fi = x + w * (y + h * z);
                out[fi * itemsize..(fi + 1) * itemsize]
                    .copy_from_slice(&c[ci * itemsize..(ci + 1) * itemsize]);
            }
        }
    }
    out
}

/// Our quantized frames: the same header bytes as `dumps`, and the same symbols except (a)
/// in the reference's scalar tail of `size % 16` pixels, where it wraps modulo 256 and we
/// saturate at 255, and (b) where its approximate rsqrt lands one symbol off. Both counts are
/// the fixture script's, from comparing PYME's symbols with an exact float64 quantizer.
#[test]
fn quantized_symbols_match_where_the_reference_is_exact() {
    let (mut rsqrt, mut tail) = (0u64, 0u64);
    for case in quant_cases() {
        let n = name(&case);
        let bytes = file(&case);
        let (values, shape, order) = input_of(&case);
        let args = &case["dumps_args"];
        let options = PzfWriteOptions {
            compression: pzf::Compression::Huffman,
            quantization: Quantization::Sqrt,
            quant_offset: args["quantizationOffset"].as_f64().unwrap() as f32,
            quant_scale: args["quantizationScale"].as_f64().unwrap() as f32,
            ..Default::default()
        };
        let ours = pzf::encode(PzfSlice::U16(&values), shape, order, &options).unwrap();
        assert_eq!(ours[..64], bytes[..64], "{n}: header");
        let (_, our_symbols) = pzf::decode_symbols(&ours).unwrap();
        let (_, their_symbols) = pzf::decode_symbols(&bytes).unwrap();
        let tail_start = u64_of(&case["quant"]["tail_start"]) as usize;
        let (mut case_rsqrt, mut case_tail) = (0u64, 0u64);
        for (i, (&a, &b)) in our_symbols.iter().zip(&their_symbols).enumerate() {
            if a == b {
                continue;
            }
            if i >= tail_start {
                assert_eq!(a, 255, "{n}[{i}]: only saturation differs in the tail");
                case_tail += 1;
            } else {
                assert_eq!(a.abs_diff(b), 1, "{n}[{i}]: ours {a}, reference {b}");
                case_rsqrt += 1;
            }
        }
        let q = &case["quant"];
        assert_eq!(case_rsqrt, u64_of(&q["rsqrt_differences"]), "{n}");
        assert_eq!(case_tail, u64_of(&q["tail_wrap_differences"]), "{n}");
        // where the symbols agree, so do the bytes
        if case_rsqrt + case_tail == 0 {
            assert_eq!(ours, bytes, "{n}");
        }
        rsqrt += case_rsqrt;
        tail += case_tail;
    }
    // measured on the fixtures' CPU (manifest.reference.cpu_model)
    assert_eq!((rsqrt, tail), (3 + 730 + 730 + 172 + 419 + 170, 3));
}

#[test]
fn old_versions_and_chunked_frames_rewrite_as_version_3() {
    for case in cases() {
        if case["kind"] != "built" || name(&case) == TRAILING_BYTES {
            continue;
        }
        let n = name(&case);
        let frame = pzf::decode(&file(&case)).unwrap();
        let again = pzf::decode(&pzf::encode_frame(&frame).unwrap()).unwrap();
        assert_eq!(again.header.version, 3, "{n}");
        assert_eq!(again.data, frame.data, "{n}");
        assert_eq!(
            (again.shape(), again.order()),
            (frame.shape(), frame.order()),
            "{n}"
        );
    }
}
