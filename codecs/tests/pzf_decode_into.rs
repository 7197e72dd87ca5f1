//! `pzf::decode_into`, the decoder into a caller's buffer, against `pzf::decode`: on every
//! PZF file PYME wrote (and against the array PYME's `loads` returned for it), on damaged
//! copies of them (the same result, value for value and error for error), and with a buffer
//! of the wrong size (refused before decoding).

mod common;

use common::pzf as pzf_common;
use pymecompress_codecs::pzf::{self, PzfError, PzfHeader};
use pzf_common::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The bytes `decode_into` writes for a frame `decode` reads: its values, little-endian, in
/// its DimOrder.
fn expected_bytes(bytes: &[u8]) -> Result<Vec<u8>, PzfError> {
    pzf::decode(bytes).map(|frame| le_bytes(&frame.data).0)
}

/// A frame size no input of these tests can decode to (their files are at most 16 KiB).
const HUGE: usize = 64 << 20;

/// `decode_into` on a buffer of the size the header gives (empty where it cannot be parsed);
/// `None` for a header claiming a frame of [`HUGE`] bytes or more, for which no buffer is made.
fn decode_into_sized(bytes: &[u8]) -> Option<Result<Vec<u8>, PzfError>> {
    let size = PzfHeader::parse(bytes)
        .ok()
        .and_then(|h| Some(h.pixel_count().ok()? * h.data_format.itemsize()))
        .unwrap_or(0);
    if size >= HUGE {
        return None;
    }
    let mut out = vec![0u8; size];
    Some(pzf::decode_into(bytes, &mut out).map(|_| out))
}

#[test]
fn every_fixture_decodes_into_the_bytes_loads_gives() {
    let mut checked = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let bytes = read(&format!("{name}.pzf"));
        let expected = expected_bytes(&bytes);
        assert_eq!(decode_into_sized(&bytes), Some(expected.clone()), "{name}");
        let Ok(ours) = expected else { continue };
        // Against PYME's array, where the fixture has one and PYME does not wrap values.
        let wraps = case["quant"]["wrapped_pixels"].as_u64().unwrap_or(0) > 0;
        if case.get("values_sha256").is_none() && !wraps {
            let header = PzfHeader::parse(&bytes).unwrap();
            let npy = npy(&format!("{name}.npy"));
            let shape = pzf_shape(&case);
            let c_order = to_c_order(
                &ours,
                header.data_format.itemsize(),
                &shape,
                header.dim_order,
            );
            assert_eq!(c_order, npy.c_bytes, "{name}");
            checked += 1;
        }
    }
    assert!(
        checked >= 60,
        "{checked} fixtures compared with PYME's arrays"
    );
}

#[test]
fn damaged_files_give_what_decode_gives() {
    let sources: Vec<Vec<u8>> = cases()
        .iter()
        .map(|c| read(&format!("{}.pzf", c["name"].as_str().unwrap())))
        .filter(|b| b.len() <= 16 * 1024)
        .collect();
    let mut rng = StdRng::seed_from_u64(0x2026_1207);
    let (mut ok, mut errors) = (0u32, 0u32);
    for _ in 0..200 {
        for src in &sources {
            let mut bytes = src.clone();
            match rng.random_range(0..3) {
                0 => {
                    let bit = rng.random_range(0..bytes.len() * 8);
                    bytes[bit / 8] ^= 1 << (bit % 8);
                }
                1 => bytes.truncate(rng.random_range(0..bytes.len())),
                _ => {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] = rng.random();
                }
            }
            let expected = expected_bytes(&bytes);
            match &expected {
                Ok(_) => ok += 1,
                Err(_) => errors += 1,
            }
            let Some(ours) = decode_into_sized(&bytes) else {
                // A claim that large cannot be decoded from these few bytes: decode refuses it.
                assert!(expected.is_err(), "a frame of {HUGE} bytes or more decoded");
                continue;
            };
            assert_eq!(ours, expected, "{:02x?}", &bytes[..64.min(bytes.len())]);
        }
    }
    assert!(ok > 1000 && errors > 1000, "{ok} decoded, {errors} refused");
}

#[test]
fn a_buffer_of_another_size_is_refused_before_decoding() {
    let case = cases()
        .into_iter()
        .find(|c| c["header"]["DataFormat"] == 1 && c.get("quant").is_none())
        .unwrap();
    let bytes = read(&format!("{}.pzf", case["name"].as_str().unwrap()));
    let header = PzfHeader::parse(&bytes).unwrap();
    let size = header.pixel_count().unwrap() * 2;
    for len in [0, size - 1, size + 1] {
        let mut out = vec![7u8; len];
        assert_eq!(
            pzf::decode_into(&bytes, &mut out),
            Err(PzfError::OutputSizeMismatch {
                expected: size,
                found: len
            })
        );
        assert!(out.iter().all(|&b| b == 7), "untouched");
    }
}
