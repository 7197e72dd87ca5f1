//! `.pzf` files as CLI input (issue 10): `export` gives the array PYME's `PZFFormat.loads`
//! gives for every fixture PYME wrote, `info --json` gives its header fields under their PZF
//! names, `verify` decodes it, and damaged files fail cleanly.

mod cli_common;

use cli_common::*;
use pymecompress_codecs::pzf;
use pymecompress_test_support::{fixtures, npy};
use serde_json::Value;

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn name(case: &Value) -> &str {
    case["name"].as_str().unwrap()
}

#[test]
fn export_of_every_pzf_fixture_equals_loads() {
    let dir = pymecompress_test_support::temp_dir("cli-pzf-export");
    let (mut exact, mut wrapped_checked, mut skipped) = (0, 0, 0);
    for case in fixtures::pzf_cases() {
        let n = name(&case);
        let input = fixtures::path(&format!("pzf/{n}.pzf"));
        let out = dir.join(format!("{n}.npy"));
        if n == "v3_huff_trailing_bytes" {
            // Bytes after the stream's last code, which PYME's `loads` ignores: refused
            // (docs/compatibility.md); the core's tests show it reads once they are cut.
            let err = fails(&run(["export", path_str(&input), path_str(&out)]));
            assert!(err.contains("stream"), "{err}");
            skipped += 1;
            continue;
        }
        ok(&run(["export", path_str(&input), path_str(&out)]));
        let ours = npy::read(&out).unwrap();
        assert_eq!(ours.shape, fixtures::pzf_shape(&case), "{n}");
        assert_eq!(ours.descr, case["dtype"].as_str().unwrap(), "{n}");
        let wrapped = case["quant"]["wrapped_pixels"].as_u64().unwrap_or(0);
        if let Some(sha) = case.get("values_sha256") {
            if wrapped > 0 {
                // PYME wraps values of 65536 and more modulo 65536 where we saturate, and the
                // manifest holds only a hash of its values: compared in the core's tests.
                skipped += 1;
                continue;
            }
            // The hash is over the bytes in DimOrder; these large frames are C order.
            assert_eq!(case["header"]["DimOrder"], "C", "{n}");
            assert_eq!(sha256_hex(&ours.c_bytes), sha.as_str().unwrap(), "{n}");
            exact += 1;
            continue;
        }
        let expected = npy::read(&fixtures::path(&format!("pzf/{n}.npy"))).unwrap();
        assert_eq!(expected.shape, ours.shape, "{n}");
        if wrapped == 0 {
            assert_same_bytes(&ours.c_bytes, &expected.c_bytes, n);
            exact += 1;
        } else {
            // Where PYME wrapped, we saturate (0 below the range, as at offset -10; 65535
            // above it); everywhere else the same values.
            let u16s = |b: &[u8]| -> Vec<u16> {
                b.chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect()
            };
            let (ours, pyme) = (u16s(&ours.c_bytes), u16s(&expected.c_bytes));
            let differ: Vec<usize> = (0..ours.len()).filter(|&i| ours[i] != pyme[i]).collect();
            assert_eq!(differ.len() as u64, wrapped, "{n}");
            assert!(
                differ.iter().all(|&i| ours[i] == 0 || ours[i] == 65535),
                "{n}"
            );
            wrapped_checked += 1;
        }
    }
    assert_eq!((exact, wrapped_checked, skipped), (74, 1, 3));
}

#[test]
fn info_json_gives_the_header_loads_gives() {
    for case in fixtures::pzf_cases() {
        let n = name(&case);
        let input = fixtures::path(&format!("pzf/{n}.pzf"));
        let out = ok(&run(["info", path_str(&input), "--json"]));
        let info: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(info["kind"], "pzf", "{n}");
        assert_eq!(info["frames"], 1, "{n}");
        assert_eq!(info["complete"], true, "{n}");
        let (ours, loads) = (&info["header"], fixtures::pzf_loads_header(&case));
        for key in pzf::HEADER_FIELD_NAMES {
            if key == "QuantOffset" || key == "QuantScale" {
                // f32 fields: we print the shortest decimal of the f32 (`0.2`), the manifest
                // holds Python's float of it (`0.20000000298023224`); the same f32.
                let f32_of = |v: &Value| v.as_f64().unwrap() as f32;
                assert_eq!(f32_of(&ours[key]), f32_of(&loads[key]), "{n}: {key}");
            } else {
                assert_eq!(ours[key], loads[key], "{n}: {key}");
            }
        }
    }
}

#[test]
fn info_text_and_verify_of_a_pzf_file() {
    let input = fixtures::path("pzf/q_o100_s1.pzf");
    let text = ok(&run(["info", path_str(&input)]));
    assert!(text.starts_with("pzf "), "{text}");
    assert!(text.contains("QuantOffset       100.0"), "{text}");
    let out = ok(&run(["verify", path_str(&input)]));
    assert!(out.contains("decodes"), "{out}");
}

#[test]
fn a_truncated_pzf_file_fails_with_its_name() {
    let dir = pymecompress_test_support::temp_dir("cli-pzf-cut");
    let bytes = fixtures::read("pzf/u16_huff_C_2d.pzf");
    let cut = dir.join("cut.pzf");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    for args in [
        vec!["verify", path_str(&cut)],
        vec!["export", path_str(&cut), path_str(&dir.join("o.npy"))],
    ] {
        let err = fails(&run(&args));
        assert!(
            err.starts_with(&format!("error: file {}: ", cut.display())),
            "{err}"
        );
    }
    assert_eq!(
        dir_names(&dir),
        ["cut.pzf"],
        "nothing left by the failed export"
    );
    let err = usage_fails(&run([
        "export",
        path_str(&fixtures::path("pzf/u16_huff_C_2d.pzf")),
        path_str(&dir.join("o.npy")),
        "--region",
        "0:1",
    ]));
    assert!(err.contains("--region is for a zarr store"), "{err}");
    let err = usage_fails(&run([
        "info",
        path_str(&fixtures::path("pzf/u16_huff_C_2d.pzf")),
        "--node",
        path_str(&dir),
    ]));
    assert!(err.contains("--node is for a PYME series"), "{err}");
}
