//! `pymecompress info`, `verify` and `export` on the stores the real Python pymecompress wrote
//! (fixtures/manifest.json `stores`), and the tool's error contract.

mod cli_common;

use cli_common::*;
use serde_json::Value;

/// A fixture's numpy dtype string as zarr's name and item size.
fn dtype_of(entry: &Value) -> (&'static str, u64) {
    match entry["dtype"].as_str().unwrap() {
        "|u1" => ("uint8", 1),
        "|i1" => ("int8", 1),
        "<u2" => ("uint16", 2),
        "<i2" => ("int16", 2),
        "<u4" => ("uint32", 4),
        "<i4" => ("int32", 4),
        "<f4" => ("float32", 4),
        "<u8" => ("uint64", 8),
        "<i8" => ("int64", 8),
        "<f8" => ("float64", 8),
        other => panic!("fixture dtype {other} not in the table"),
    }
}

fn as_u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn info_text_walks_groups() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let out = ok(&run(["info", path_str(&store_dir(&entry))]));
    for needle in [
        "array /images/mask",
        "array /images/raw",
        "50 x 70",
        "32 x 40",
        "(4 of 4 present)",
        "pymecompress-quant16",
        "pymecompress-huffman",
        "ratio",
    ] {
        assert!(out.contains(needle), "{needle:?} missing from:\n{out}");
    }
}

#[test]
fn info_json_agrees_with_manifest_and_disk() {
    for entry in stores() {
        let out = ok(&run(["info", "--json", path_str(&store_dir(&entry))]));
        let report: Value = serde_json::from_str(&out).unwrap();
        let want_path = format!("/{}", entry["array_path"].as_str().unwrap());
        let array = report["arrays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"] == want_path.as_str())
            .unwrap_or_else(|| panic!("{}: no array {want_path} in {out}", entry["name"]));
        let name = &entry["name"];
        assert_eq!(array["shape"], entry["shape"], "{name}");
        assert_eq!(array["chunk_shape"], entry["chunks"], "{name}");
        assert_eq!(array["dtype"], dtype_of(&entry).0, "{name}");
        assert_eq!(array["zarr_format"], 2, "{name}");
        assert_eq!(
            array["codecs"]["compressor"], entry["codec_config"],
            "{name}"
        );
        assert_eq!(array["chunks_present"], entry["chunks_written"], "{name}");
        assert_eq!(array["chunks_expected"], entry["chunks_total"], "{name}");
        let stored = chunk_file_bytes(&array_dir(&entry));
        assert_eq!(array["stored_bytes"], stored, "{name}");
        let itemsize = dtype_of(&entry).1;
        let raw: u64 = as_u64s(&entry["shape"]).iter().product::<u64>() * itemsize;
        assert_eq!(array["raw_bytes"], raw, "{name}");
        let per_chunk: u64 = as_u64s(&entry["chunks"]).iter().product::<u64>() * itemsize;
        let present = entry["chunks_written"].as_u64().unwrap();
        let ratio = array["ratio"].as_f64().unwrap();
        assert!((ratio - (present * per_chunk) as f64 / stored as f64).abs() < 1e-9);
    }
}

#[test]
fn verify_accepts_every_fixture_store() {
    for entry in stores() {
        let out = ok(&run(["verify", path_str(&store_dir(&entry))]));
        assert!(out.contains(", 0 bad"), "{}: {out}", entry["name"]);
    }
}

#[test]
fn verify_names_a_corrupted_chunk() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.zarr");
    copy_dir(&store_dir(&entry), &copy);
    let chunk = copy.join("images/raw/0.1");
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes[..bytes.len() / 2]).unwrap();

    let output = run(["verify", path_str(&copy)]);
    let err = fails(&output);
    assert!(err.contains("images/raw/0.1"), "{err}");
    assert!(err.contains("pymecompress-quant16"), "{err}");
    assert!(err.contains("array /images/raw"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line per bad chunk: {err}");
    assert!(stdout(&output).contains("1 bad"));

    // Reading through the damaged chunk names it too.
    let out_file = dir.path().join("x.npy");
    let err = fails(&run([
        "export",
        path_str(&copy.join("images/raw")),
        path_str(&out_file),
    ]));
    assert!(err.contains("chunk images/raw/0.1"), "{err}");
}

#[test]
fn export_equals_expected_npy() {
    let dir = tempfile::tempdir().unwrap();
    for (i, entry) in stores().into_iter().enumerate() {
        // One file per store: an existing output is refused without --force (issue 14).
        let out_file = dir.path().join(format!("out{i}.npy"));
        ok(&run([
            "export",
            path_str(&array_dir(&entry)),
            path_str(&out_file),
        ]));
        let got = read_npy(&out_file);
        assert_same(&got, &expected(&entry), entry["name"].as_str().unwrap());
    }
}

#[test]
fn export_region_and_raw_bin() {
    let entry = store_entry("huff_i4@zarr3");
    let want = expected(&entry);
    let (rows, cols) = (want.shape[0], want.shape[1]);
    assert_eq!((rows, cols), (50, 70));
    let dir = tempfile::tempdir().unwrap();

    let npy = dir.path().join("region.npy");
    ok(&run([
        "export",
        path_str(&store_dir(&entry)),
        path_str(&npy),
        "--region",
        "10:20,35:",
    ]));
    let got = read_npy(&npy);
    assert_eq!(got.shape, [10, 35]);
    let mut slice = Vec::new();
    for r in 10..20 {
        slice.extend_from_slice(&want.c_bytes[(r * cols + 35) * 4..(r * cols + 70) * 4]);
    }
    assert_same_bytes(&got.c_bytes, &slice, "region");

    let bin = dir.path().join("all.bin");
    ok(&run([
        "export",
        path_str(&store_dir(&entry)),
        path_str(&bin),
    ]));
    assert_same_bytes(&std::fs::read(&bin).unwrap(), &want.c_bytes, "bin");
}

#[test]
fn export_of_a_group_asks_for_an_array() {
    let entry = store_entry("q16_o0_s1_edge@zarr3");
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&run([
        "export",
        path_str(&store_dir(&entry)),
        path_str(&dir.path().join("x.npy")),
    ]));
    assert!(
        err.contains("/images/mask") && err.contains("/images/raw"),
        "{err}"
    );

    let mask = dir.path().join("mask.npy");
    ok(&run([
        "export",
        path_str(&store_dir(&entry).join("images/mask")),
        path_str(&mask),
    ]));
    let got = read_npy(&mask);
    let want: Vec<u8> = (0..400u32).map(|i| (i % 3) as u8).collect();
    assert_eq!(
        (got.descr.as_str(), got.shape.clone(), got.c_bytes),
        ("|u1", vec![20usize, 20], want)
    );
}

#[test]
fn bad_input_is_one_error_line_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let entry = store_entry("huff_u2@zarr2");
    let store = store_dir(&entry);
    let out = dir.path().join("x.npy");
    let cases: Vec<Vec<String>> = vec![
        vec!["info".into(), path_str(&dir.path().join("missing")).into()],
        vec!["verify".into(), path_str(dir.path()).into()],
        vec![
            "export".into(),
            path_str(&store).into(),
            path_str(&out).into(),
            "--region".into(),
            "0:100".into(),
        ],
        vec![
            "decompress".into(),
            path_str(&store.join("0.0")).into(),
            path_str(&out).into(),
            "--codec".into(),
            "huffman".into(),
            "--shape".into(),
            "100000000000,100000000000".into(),
        ],
    ];
    for args in cases {
        let err = fails(&run(&args));
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    // Argument errors exit 2 (issue 14), as clap's own do.
    let usage_cases: Vec<Vec<String>> = vec![
        vec![
            "export".into(),
            path_str(&store).into(),
            path_str(&out).into(),
            "--region".into(),
            "a:b".into(),
        ],
        vec![
            "decompress".into(),
            path_str(&store.join("0.0")).into(),
            path_str(&out).into(),
            "--codec".into(),
            "quant16".into(),
            "--shape".into(),
            "32,40".into(),
            "--scale".into(),
            "0".into(),
        ],
    ];
    for args in usage_cases {
        usage_fails(&run(&args));
    }
}
