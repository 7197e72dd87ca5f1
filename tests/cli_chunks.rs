//! `pymecompress compress` / `decompress` against chunks the real Python pymecompress wrote
//! (fixtures/manifest.json `huffman_chunks`, `quant16_chunks`), and `demo` on a small movie.

mod cli_common;

use std::path::Path;

use cli_common::*;
use serde_json::Value;

fn shape_arg(entry: &Value) -> String {
    entry["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn shape_of(entry: &Value) -> Vec<u64> {
    entry["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// Runs `decompress` on a manifest entry's chunk into `out` as `dtype` in the entry's shape,
/// with `codec` and its `extra` arguments, and reads the result.
fn decompress_reference(
    entry: &Value,
    out: &Path,
    codec: &str,
    dtype: &str,
    extra: &[&str],
) -> Npy {
    let chunk = fixtures().join(entry["chunk"].as_str().unwrap());
    let shape = shape_arg(entry);
    let mut args = vec!["decompress", "--force", path_str(&chunk), path_str(out)];
    args.extend(["--codec", codec, "--dtype", dtype, "--shape", &shape]);
    args.extend_from_slice(extra);
    ok(&run(args));
    read_npy(out)
}

#[test]
fn decompress_reads_reference_quant16_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.npy");
    for entry in manifest()["quant16_chunks"].as_array().unwrap() {
        let (offset, scale) = (entry["offset"].to_string(), entry["scale"].to_string());
        let quant = ["--offset", &offset, "--scale", &scale];
        let got = decompress_reference(entry, &out, "quant16", "uint16", &quant);
        let want = std::fs::read(fixtures().join(entry["expected"].as_str().unwrap())).unwrap();
        let shape: Vec<u64> = got.shape.iter().map(|&n| n as u64).collect();
        assert_eq!(shape, shape_of(entry), "{}", entry["name"]);
        assert_same_bytes(&got.c_bytes, &want, entry["name"].as_str().unwrap());
    }
}

#[test]
fn decompress_reads_reference_huffman_chunks_of_every_dtype() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.npy");
    for entry in manifest()["huffman_chunks"].as_array().unwrap() {
        let dtype = entry["dtype"].as_str().unwrap();
        let got = decompress_reference(entry, &out, "huffman", dtype, &[]);
        let want = std::fs::read(fixtures().join(entry["input"].as_str().unwrap())).unwrap();
        assert_same_bytes(&got.c_bytes, &want, entry["name"].as_str().unwrap());
    }
}

/// For one-byte data the reference's trailer (element count) is also the byte count, so our
/// chunk must equal the reference's byte for byte.
#[test]
fn compress_matches_reference_uint8_chunks_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for entry in manifest()["huffman_chunks"].as_array().unwrap() {
        if entry["dtype"] != "|u1" {
            continue;
        }
        let data = std::fs::read(fixtures().join(entry["input"].as_str().unwrap())).unwrap();
        let input = dir.path().join("in.npy");
        let shape: Vec<usize> = shape_of(entry).iter().map(|&n| n as usize).collect();
        pymecompress_test_support::npy::write(&input, "|u1", &shape, &data).unwrap();
        let chunk = dir.path().join("out.chunk");
        ok(&run([
            "compress",
            "--force",
            path_str(&input),
            path_str(&chunk),
            "--codec",
            "huffman",
        ]));
        let want = std::fs::read(fixtures().join(entry["chunk"].as_str().unwrap())).unwrap();
        assert_same_bytes(
            &std::fs::read(&chunk).unwrap(),
            &want,
            entry["name"].as_str().unwrap(),
        );
        compared += 1;
    }
    assert!(compared >= 4);
}

#[test]
fn compress_then_decompress_round_trips_an_npy_file() {
    let entry = store_entry("q16_o0p5_s1_slash@zarr2");
    let expected_npy = fixtures().join(entry["expected"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (codec, flags) in [
        ("quant16", vec!["--offset", "0.5", "--scale", "1"]),
        ("huffman", vec![]),
    ] {
        let chunk = dir.path().join("c.chunk");
        let mut args = vec![
            "compress",
            "--force",
            path_str(&expected_npy),
            path_str(&chunk),
            "--codec",
            codec,
        ];
        args.extend(flags.iter().copied());
        let printed = ok(&run(&args));
        assert!(printed.contains("--shape 50,70"), "{printed}");
        let out = dir.path().join("d.npy");
        let mut args = vec![
            "decompress",
            "--force",
            path_str(&chunk),
            path_str(&out),
            "--codec",
            codec,
            "--dtype",
            "<u2",
            "--shape",
            "50,70",
        ];
        args.extend(flags.iter().copied());
        ok(&run(&args));
        // The expected values are already dequantized, so quantizing them again is exact.
        assert!(
            read_npy(&out) == read_npy(&expected_npy),
            "{codec}: decompressed array differs from the input"
        );
    }
}

#[test]
fn quant16_compress_refuses_other_dtypes() {
    let entry = store_entry("huff_f4@zarr2");
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&run([
        "compress",
        "--force",
        path_str(&fixtures().join(entry["expected"].as_str().unwrap())),
        path_str(&dir.path().join("c.chunk")),
        "--codec",
        "quant16",
    ]));
    assert!(err.contains("uint16") && err.contains("float32"), "{err}");
}

#[test]
fn demo_runs_small_and_its_store_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("demo");
    let out = ok(&run([
        "demo",
        "--frames",
        "3",
        "--size",
        "48x64",
        "--out",
        path_str(&keep),
    ]));
    for needle in [
        "3 frames of 48 x 64 uint16",
        "quant16 (offset 100, scale 1)",
        "zstd level 3",
        "MB/s",
        "worst |error| / sqrt(signal - offset)",
        "zstd round trip exact: true",
    ] {
        assert!(out.contains(needle), "{needle:?} missing from:\n{out}");
    }
    // Scale 1 puts the quantization step at the photon noise: the error stays near one sigma.
    let worst: f64 = out
        .split("sqrt(signal - offset) = ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(worst > 0.0 && worst <= 1.1, "{worst}");
    ok(&run(["verify", path_str(&keep.join("movie-quant16.zarr"))]));
    let info: Value = serde_json::from_str(&ok(&run([
        "info",
        "--json",
        path_str(&keep.join("movie-quant16.zarr")),
    ])))
    .unwrap();
    assert_eq!(info["arrays"][0]["shape"], serde_json::json!([3, 48, 64]));
    assert_eq!(
        info["arrays"][0]["codecs"]["compressor"],
        serde_json::json!({"id": "pymecompress-quant16", "offset": 100, "scale": 1})
    );
}
