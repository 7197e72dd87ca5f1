//! Issue 23, the second new-user trial, on the zarr-store side of the CLI: v3 metadata that
//! zarr-python 3 opens, `--offset auto` reading the tool's own output, PYME tile pyramids read
//! through their tile layout (never as fill values), resume counts, refusals instead of silent
//! choices, each array's own codec by default, `info` summarising long attributes, `--frames`
//! refused for stores, and messages that say what they mean.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;
use pymecompress_test_support::{fixtures, npy};
use serde_json::{json, Value};

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// Every codec entry of a v3 codec chain, nested chains (sharding) included.
fn all_codecs(chain: &Value, out: &mut Vec<Value>) {
    for codec in chain.as_array().unwrap() {
        out.push(codec.clone());
        for key in ["codecs", "index_codecs"] {
            if let Some(inner) = codec.get("configuration").and_then(|c| c.get(key)) {
                all_codecs(inner, out);
            }
        }
    }
}

#[test]
fn v3_codecs_are_written_as_objects_as_zarr_python_3_requires() {
    let dir = tempfile::tempdir().unwrap();
    let source = store_dir(&store_entry("huff_u2@zarr2"));
    for (name, extra) in [
        ("ck.zarr", vec!["--codec", "zstd"]),
        (
            "sharded.zarr",
            vec!["--codec", "blosc", "--shards", "64,80"],
        ),
        ("q.zarr", vec!["--codec", "huffman"]),
    ] {
        let out = dir.path().join(name);
        let mut args = vec![
            "convert",
            path_str(&source),
            path_str(&out),
            "--zarr-format",
            "3",
            "--checksum",
        ];
        args.extend(extra);
        ok(&run(args));
        let metadata = read_json(&out.join("zarr.json"));
        let mut codecs = Vec::new();
        all_codecs(&metadata["codecs"], &mut codecs);
        assert!(
            codecs.iter().any(|c| c["name"] == "crc32c"),
            "{name}: {codecs:?}"
        );
        for codec in &codecs {
            assert!(
                codec.is_object() && codec["name"].is_string(),
                "{name}: a codec written as {codec} (zarr-python 3: Expected dict, got str)"
            );
        }
        let text = ok(&run(["verify", path_str(&out)]));
        assert!(text.contains("crc32c checksums"), "{text}");
    }
}

#[test]
fn offset_auto_reads_pyme_metadata_that_convert_of_a_series_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.zarr");
    copy_dir(&store_dir(&store_entry("huff_u2@zarr2")), &store);
    // What a series converted to zarr holds: metadata.json, flat, under `pyme_metadata`.
    write_json(
        &store.join(".zattrs"),
        &json!({"pyme_metadata": {"Camera.ADOffset": 100.0, "voxelsize.x": 0.1}}),
    );
    let out = dir.path().join("q.zarr");
    let output = convert(
        &store,
        &out,
        "quant16",
        &["--offset", "auto", "--scale", "1"],
    );
    ok(&output);
    let said = stderr(&output);
    assert!(
        said.contains("offset 100") && said.contains("pyme_metadata"),
        "{said}"
    );
    let zarray = read_json(&out.join(".zarray"));
    assert_eq!(
        zarray["compressor"]["offset"].as_f64(),
        Some(100.0),
        "{zarray}"
    );
}

/// PYME's own pyramid (fixtures/pyme_series/data/pyramid, written by `ImagePyramid`) and what
/// PYME's reader gave for each level.
fn pyramid() -> PathBuf {
    fixtures::path("pyme_series/data/pyramid")
}

fn level_expected(level: u32) -> npy::Npy {
    npy::read(&fixtures::path(&format!(
        "pyme_series/data/pyramid_level{level}.expected.npy"
    )))
    .unwrap()
}

#[test]
fn a_pyme_tile_pyramid_is_read_through_its_tile_layout() {
    let dir = tempfile::tempdir().unwrap();
    let info = ok(&run(["info", "--json", path_str(&pyramid())]));
    let info: Value = serde_json::from_str(&info).unwrap();
    assert!(
        info["layout"]["pyme_tiles"]["key_schema"].is_string(),
        "{info}"
    );
    let arrays = info["arrays"].as_array().unwrap();
    assert_eq!(arrays.len(), 3);
    for array in arrays {
        assert!(
            array["chunks_present"].as_u64().unwrap() > 0,
            "tiles not found: {array}"
        );
    }
    for level in 0..3 {
        let out = dir.path().join(format!("l{level}.npy"));
        let level_dir = pyramid().join(level.to_string());
        ok(&run(["export", path_str(&level_dir), path_str(&out)]));
        let (got, want) = (npy::read(&out).unwrap(), level_expected(level));
        assert_eq!((&got.descr, &got.shape), (&want.descr, &want.shape));
        assert!(
            got.c_bytes.iter().any(|&b| b != 0),
            "level {level} is zeros"
        );
        assert_same_bytes(&got.c_bytes, &want.c_bytes, &format!("level {level}"));
    }
    let report = ok(&run(["verify", "--json", path_str(&pyramid())]));
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["bad"], 0, "{report}");
    assert!(report["chunks_checked"].as_u64().unwrap() > 0, "{report}");

    // Converted, the levels are plain zarr: the tile layout is not carried over.
    let out = dir.path().join("p.zarr");
    ok(&convert(&pyramid(), &out, "zstd", &[]));
    assert!(read_json(&out.join(".zattrs")).get("pyme").is_none());
    for level in 0..3 {
        let npy_out = dir.path().join(format!("c{level}.npy"));
        ok(&run([
            "export",
            path_str(&out.join(level.to_string())),
            path_str(&npy_out),
        ]));
        let got = npy::read(&npy_out).unwrap();
        assert_same_bytes(
            &got.c_bytes,
            &level_expected(level).c_bytes,
            &format!("converted level {level}"),
        );
    }
    // Without --codec each array keeps its own, and pyme-pzf is not one convert writes.
    let err = usage_fails(&run([
        "convert",
        path_str(&pyramid()),
        path_str(&dir.path().join("keep.zarr")),
    ]));
    assert!(err.contains("pyme-pzf") && err.contains("--codec"), "{err}");
}

#[test]
fn a_layout_the_tool_does_not_apply_is_refused_not_read_as_fill() {
    let dir = tempfile::tempdir().unwrap();
    // The pyramid one group down: the `pyme` block is not at the root PYME's mapping reads it
    // from, yet naming the store root must not read the tiles as fill values.
    let outer = dir.path().join("outer.zarr");
    std::fs::create_dir(&outer).unwrap();
    write_json(&outer.join(".zgroup"), &json!({"zarr_format": 2}));
    copy_dir(&pyramid(), &outer.join("pyr"));
    for command in ["info", "verify"] {
        let err = fails(&run([command, path_str(&outer)]));
        assert!(
            err.contains("array /pyr") && err.contains("storage layout"),
            "{command}: {err}"
        );
    }
    let err = fails(&convert(&outer, &dir.path().join("o.zarr"), "zstd", &[]));
    assert!(err.contains("storage layout"), "{err}");
    // A path at or inside the pyramid is read through its layout, as PYME maps keys by the
    // nearest `.zattrs` above them.
    let text = ok(&run(["info", path_str(&outer.join("pyr"))]));
    assert!(text.contains("PYME tile pyramid"), "{text}");
    let out = dir.path().join("x.npy");
    ok(&run([
        "export",
        path_str(&outer.join("pyr/0")),
        path_str(&out),
    ]));
    let got = npy::read(&out).unwrap();
    assert_same_bytes(&got.c_bytes, &level_expected(0).c_bytes, "pyr/0");
    // A `pyme` block in Zarr v3 metadata names a layout nothing applies there.
    let v3 = dir.path().join("v3.zarr");
    let source = store_dir(&store_entry("huff_u2@zarr2"));
    ok(&convert(&source, &v3, "zstd", &["--zarr-format", "3"]));
    let mut metadata = read_json(&v3.join("zarr.json"));
    metadata["attributes"]["pyme"] = json!({"key_schema": "{level:d}/{x}_{y}{ext}"});
    write_json(&v3.join("zarr.json"), &metadata);
    let err = fails(&run(["info", path_str(&v3)]));
    assert!(err.contains("storage layout"), "{err}");
}

/// The number before `what` in `text` (`12 chunks encoded` -> 12 for `chunks encoded`).
fn count_before(text: &str, what: &str) -> u64 {
    let at = text
        .find(what)
        .unwrap_or_else(|| panic!("no {what:?} in {text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count before {what:?} in {text}"))
}

#[test]
fn a_resumed_store_convert_counts_what_it_kept_and_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    // 120 chunks of one frame each, so the kill comes mid-write.
    let source = dir.path().join("series.zarr");
    let series =
        |n: u32| fixtures::path(&format!("pyme_series/data/complete/server{n}/scan_000.pcs"));
    ok(&run([
        "convert",
        path_str(&series(0)),
        "--node",
        path_str(&series(1)),
        path_str(&source),
        "--codec",
        "zstd",
    ]));
    let out = dir.path().join("out.zarr");
    let args = [
        "convert",
        path_str(&source),
        path_str(&out),
        "--codec",
        "huffman",
    ];
    killed_mid_write(dir.path(), &args);
    // A refused resume quotes a flag left out as what it means, not as `null`.
    let err = usage_fails(&run(
        [&args[..], &["--resume", "--zarr-format", "3"]].concat()
    ));
    assert!(
        err.contains("zarr_format = \"not given") && !err.contains("null"),
        "{err}"
    );
    let output = run([&args[..], &["--resume"]].concat());
    let text = ok(&output);
    let said = stderr(&output);
    let kept = count_before(&said, "chunks kept from the interrupted run");
    let encoded = count_before(&text, "chunks encoded with pymecompress-huffman");
    assert!(kept > 0 && kept < 120, "{said}");
    assert_eq!(kept + encoded, 120, "{said}\n{text}");
    assert!(
        text.contains(&format!("{kept} kept from the interrupted run")),
        "{text}"
    );
}

#[test]
fn quant16_of_other_dtypes_and_quant16_flags_for_other_codecs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (store, dtype) in [("huff_f4@zarr2", "float32"), ("huff_u1@zarr2", "uint8")] {
        let source = store_dir(&store_entry(store));
        let out = dir.path().join("q.zarr");
        let err = usage_fails(&convert(
            &source,
            &out,
            "quant16",
            &["--offset", "0", "--scale", "1"],
        ));
        assert!(
            err.contains("array /") && err.contains(dtype) && err.contains("uint16"),
            "{err}"
        );
        assert!(!out.exists());
    }
    let source = store_dir(&store_entry("huff_u2@zarr2"));
    let out = dir.path().join("z.zarr");
    for flags in [
        &["--offset", "100"][..],
        &["--scale", "2"],
        &["--requantize"],
    ] {
        let err = usage_fails(&convert(&source, &out, "zstd", flags));
        assert!(err.contains(flags[0]) && err.contains("quant16"), "{err}");
        // Without --codec a Huffman array stays Huffman: the flags mean nothing either.
        let mut args = vec!["convert", path_str(&source), path_str(&out)];
        args.extend_from_slice(flags);
        let err = usage_fails(&run(args));
        assert!(err.contains(flags[0]) && err.contains("quant16"), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn without_codec_each_array_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    // quant16 stays quant16 with its parameters, its chunks copied as stored.
    let q16 = store_dir(&store_entry("q16_o100_s1_missing_fill@zarr2"));
    let out = dir.path().join("q.zarr");
    let text = ok(&run(["convert", path_str(&q16), path_str(&out)]));
    assert!(text.contains("copied as stored"), "{text}");
    let want = read_json(&q16.join(".zarray"))["compressor"].clone();
    assert_eq!(read_json(&out.join(".zarray"))["compressor"], want);
    // Huffman stays Huffman, in v3 too.
    let huff = store_dir(&store_entry("huff_u2@zarr2"));
    let out = dir.path().join("h.zarr");
    ok(&run([
        "convert",
        path_str(&huff),
        path_str(&out),
        "--zarr-format",
        "3",
    ]));
    let names: Vec<Value> = read_json(&out.join("zarr.json"))["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("bytes"), json!("numcodecs.pymecompress-huffman")]
    );
    // zstd keeps its level.
    let z = dir.path().join("z.zarr");
    ok(&convert(&huff, &z, "zstd", &["--level", "7"]));
    let out = dir.path().join("z2.zarr");
    ok(&run(["convert", path_str(&z), path_str(&out)]));
    assert_eq!(
        read_json(&out.join(".zarray"))["compressor"],
        json!({"id": "zstd", "level": 7})
    );
}

#[test]
fn info_summarises_events_and_long_values_and_json_keeps_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.zarr");
    copy_dir(&store_dir(&store_entry("huff_u2@zarr2")), &store);
    let events: Vec<Value> = (0..5000)
        .map(|i| json!(["ProtocolFocus", format!("{i}, 0.5"), 1.7e9 + f64::from(i)]))
        .collect();
    let metadata: serde_json::Map<String, Value> = (0..400)
        .map(|i| (format!("Setting.{i}"), json!(i)))
        .collect();
    write_json(
        &store.join(".zattrs"),
        &json!({"pyme_events": events, "pyme_metadata": metadata, "short": 1}),
    );
    let text = ok(&run(["info", path_str(&store)]));
    assert!(text.len() < 3000, "{} bytes:\n{text}", text.len());
    assert!(
        text.contains("5000 events, first [\"ProtocolFocus\",\"0, 0.5\"")
            && text.contains("last [\"ProtocolFocus\",\"4999, 0.5\""),
        "{text}"
    );
    assert!(
        text.contains("(400 keys)") && text.contains("short: 1"),
        "{text}"
    );
    assert!(text.contains("--json"), "{text}");
    let json: Value =
        serde_json::from_str(&ok(&run(["info", "--json", path_str(&store)]))).unwrap();
    let attributes = &json["arrays"][0]["attributes"];
    assert_eq!(attributes["pyme_events"].as_array().unwrap().len(), 5000);
    assert_eq!(attributes["pyme_metadata"].as_object().unwrap().len(), 400);
}

#[test]
fn frames_are_parsed_at_the_command_line_and_refused_for_stores() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_dir(&store_entry("huff_u2@zarr2"));
    let out = dir.path().join("o.npy");
    let err = usage_fails(&run([
        "export",
        path_str(&store),
        path_str(&out),
        "--frames",
        "-10:",
    ]));
    assert!(err.contains("--region -10:"), "{err}");
    let err = usage_fails(&run([
        "convert",
        path_str(&store),
        path_str(&dir.path().join("o.zarr")),
        "--frames",
        "::2",
    ]));
    assert!(
        err.contains("--frames ::2") && err.contains("--region"),
        "{err}"
    );
    for bad in ["::0", "1:2:3:4", "a:", "5"] {
        let err = usage_fails(&run([
            "export",
            path_str(&store),
            path_str(&out),
            "--frames",
            bad,
        ]));
        assert!(err.contains("--frames"), "{bad}: {err}");
    }
    assert!(!out.exists());
}

#[test]
fn messages_say_what_they_mean() {
    let help = ok(&run(["--help"]));
    let blurb = help.lines().next().unwrap();
    assert!(
        blurb.starts_with("Read, check and convert") && !blurb.contains("  "),
        "{help}"
    );
    let dir = tempfile::tempdir().unwrap();
    let source = store_dir(&store_entry("huff_u2@zarr2"));
    let out = dir.path().join("n.zarr");
    let text = ok(&convert(&source, &out, "none", &[]));
    assert!(
        text.contains("written uncompressed (codec none)") && !text.contains("encoded with none"),
        "{text}"
    );
}

/// Issue 23 (3): a quant16 store's chunks copied as stored are each decoded first; a truncated
/// one stops the copy, and nothing is left that looks complete.
#[test]
fn a_damaged_quant16_chunk_stops_a_copy_as_stored() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.zarr");
    copy_dir(&store_dir(&entry), &input);
    let chunk = input.join("images/raw/0.0");
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes[..bytes.len() / 4]).unwrap();
    let out = dir.path().join("out.zarr");
    let err = fails(&run([
        "convert",
        path_str(&input.join("images/raw")),
        path_str(&out),
        "--codec",
        "quant16",
    ]));
    assert!(
        err.contains("0.0") && err.contains("damaged chunk, not copied"),
        "{err}"
    );
    assert!(!out.exists(), "a failed copy left {}", out.display());
    // The undamaged store still copies as stored.
    let said = ok(&run([
        "convert",
        path_str(&store_dir(&entry).join("images/raw")),
        path_str(&out),
        "--codec",
        "quant16",
    ]));
    assert!(said.contains("copied as stored"), "{said}");
}
