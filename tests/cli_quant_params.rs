//! `convert --codec quant16` never makes up quantization parameters (issue 14): a quant16 source
//! keeps its own and its chunks are moved across unchanged; any other source needs them given,
//! or read from PYME's camera metadata with `--offset auto`.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;
use serde_json::Value;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A 4-frame 256x256 demo: `movie-quant16.zarr` (offset 100, the demo camera's, scale 1) and
/// `movie-zstd.zarr` (the same movie, lossless), as the issue's reproduction makes them.
fn demo(dir: &Path) -> PathBuf {
    let out = dir.join("d");
    ok(&run([
        "demo",
        "--frames",
        "4",
        "--size",
        "256",
        "--out",
        path_str(&out),
    ]));
    out
}

#[test]
fn quant16_to_quant16_keeps_parameters_and_changes_no_pixel() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo(dir.path());
    let source = d.join("movie-quant16.zarr");
    let v3 = dir.path().join("v3.zarr");
    let printed = ok(&convert(&source, &v3, "quant16", &["--zarr-format", "3"]));
    assert!(
        printed.contains("4 quant16 chunks copied as stored"),
        "{printed}"
    );
    let codec = &read_json(&v3.join("zarr.json"))["codecs"][0];
    assert_eq!(codec["name"], "numcodecs.pymecompress-quant16");
    assert_eq!(
        codec["configuration"],
        serde_json::json!({"offset": 100, "scale": 1})
    );
    // A quant16 chunk is the same bytes in v2 and v3: the streams were moved, not recoded.
    for t in 0..4 {
        assert_same_bytes(
            &std::fs::read(v3.join(format!("c/{t}/0/0"))).unwrap(),
            &std::fs::read(source.join(format!("{t}.0.0"))).unwrap(),
            &format!("chunk {t}"),
        );
    }
    let before = export_npy(&source, &dir.path().join("a.npy"));
    let after = export_npy(&v3, &dir.path().join("b.npy"));
    assert_eq!(differing_u16(&before, &after), 0);

    // New chunks decode and encode again with the same parameters: still no pixel changes.
    let rechunked = dir.path().join("rechunked.zarr");
    ok(&convert(
        &source,
        &rechunked,
        "quant16",
        &["--chunks", "2,128,256"],
    ));
    let again = export_npy(&rechunked, &dir.path().join("c.npy"));
    assert_eq!(differing_u16(&before, &again), 0);
}

#[test]
fn reference_quant16_stores_keep_their_parameters_both_ways() {
    let cases = ["q16_o50_s1p5_constant@zarr3", "q16_o0_s2_stack@zarr2"]
        .into_iter()
        .flat_map(|name| [(name, "2"), (name, "3")]);
    for (name, other_format) in cases {
        let entry = store_entry(name);
        let array_path = entry["array_path"].as_str().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.zarr");
        ok(&convert(
            &store_dir(&entry),
            &out,
            "quant16",
            &["--zarr-format", other_format],
        ));
        let config = if other_format == "2" {
            read_json(&out.join(array_path).join(".zarray"))["compressor"].clone()
        } else {
            let mut c = read_json(&out.join(array_path).join("zarr.json"))["codecs"][0]
                ["configuration"]
                .clone();
            c["id"] = "pymecompress-quant16".into();
            c
        };
        assert_eq!(config, entry["codec_config"], "{name} v{other_format}");
        let got = export_npy(&out.join(array_path), &dir.path().join("x.npy"));
        assert_eq!(
            differing_u16(&got, &expected(&entry)),
            0,
            "{name} v{other_format}"
        );
    }
}

#[test]
fn other_sources_need_offset_and_scale() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo(dir.path());
    let zstd = d.join("movie-zstd.zarr");
    let out = dir.path().join("q.zarr");
    let to_quant16 = |extra: &[&str]| convert(&zstd, &out, "quant16", extra);
    let err = usage_fails(&to_quant16(&[]));
    for needle in ["--offset", "--scale", "dark level", "--offset auto"] {
        assert!(err.contains(needle), "{needle:?} missing: {err}");
    }
    assert!(!out.exists());
    let err = usage_fails(&to_quant16(&["--offset", "100"]));
    assert!(err.contains("--scale"), "{err}");
    let err = usage_fails(&to_quant16(&["--offset", "auto", "--scale", "1"]));
    assert!(err.contains("no Camera.ADOffset"), "{err}");
    assert!(!out.exists());

    ok(&to_quant16(&["--offset", "100", "--scale", "1"]));
    let zarray = read_json(&out.join(".zarray"));
    assert_eq!(
        zarray["compressor"],
        serde_json::json!({"id": "pymecompress-quant16", "offset": 100, "scale": 1})
    );
}

#[test]
fn offset_auto_reads_pyme_camera_metadata_from_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo(dir.path());
    // PYME keeps acquisition metadata at the top; the array sits below it.
    let input = dir.path().join("series.zarr");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    std::fs::write(
        input.join(".zattrs"),
        r#"{"Camera": {"ADOffset": 97, "ElectronsPerCount": 0.28}}"#,
    )
    .unwrap();
    copy_dir(&d.join("movie-zstd.zarr"), &input.join("raw"));
    let out = dir.path().join("q.zarr");
    let output = convert(
        &input,
        &out,
        "quant16",
        &["--offset", "auto", "--scale", "1"],
    );
    ok(&output);
    let note = stderr(&output);
    assert!(
        note.contains("offset 97 from Camera.ADOffset") && note.contains("/raw"),
        "{note}"
    );
    let zarray = read_json(&out.join("raw/.zarray"));
    assert_eq!(zarray["compressor"]["offset"], 97);

    // Naming the array inside the store still finds the group's metadata above it.
    let out = dir.path().join("q1.zarr");
    ok(&convert(
        &input.join("raw"),
        &out,
        "quant16",
        &["--offset", "auto", "--scale", "1"],
    ));
    assert_eq!(read_json(&out.join(".zarray"))["compressor"]["offset"], 97);

    // The flat key PYME also writes, on the array itself.
    std::fs::write(input.join(".zattrs"), "{}").unwrap();
    std::fs::write(input.join("raw/.zattrs"), r#"{"Camera.ADOffset": 101}"#).unwrap();
    let out = dir.path().join("q2.zarr");
    ok(&convert(
        &input,
        &out,
        "quant16",
        &["--offset", "auto", "--scale", "1"],
    ));
    assert_eq!(
        read_json(&out.join("raw/.zarray"))["compressor"]["offset"],
        101
    );
}

#[test]
fn flags_that_differ_from_a_quant16_source_need_requantize() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo(dir.path());
    let source = d.join("movie-quant16.zarr");
    let out = dir.path().join("q.zarr");
    let err = usage_fails(&convert(&source, &out, "quant16", &["--offset", "0"]));
    assert!(
        err.contains("--requantize") && err.contains("offset 100"),
        "{err}"
    );
    assert!(!out.exists());

    // The same parameters as the source's are no conflict.
    ok(&convert(
        &source,
        &out,
        "quant16",
        &["--offset", "100", "--scale", "1"],
    ));

    let again = dir.path().join("q2.zarr");
    let output = convert(
        &source,
        &again,
        "quant16",
        &["--offset", "0", "--requantize"],
    );
    ok(&output);
    assert!(stderr(&output).contains("re-quantizing"));
    assert_eq!(
        read_json(&again.join(".zarray"))["compressor"],
        serde_json::json!({"id": "pymecompress-quant16", "offset": 0, "scale": 1})
    );
}
