//! PYME sources in the CLI, as the second new-user trial met them (issue 23): damaged payloads
//! refused by pass-through, `verify --json`, the completeness words and exit status, `--node`
//! mistakes, `--frames`, one `.pzf` file converted, and the default codec.

mod cli_common;

use std::path::PathBuf;

use cli_common::*;
use pymecompress_test_support::{fixtures, npy, pyme_series};
use serde_json::Value;

/// `[first, "--node", second, ...]` for a series' directories.
fn with_nodes(dirs: &[PathBuf]) -> Vec<String> {
    let mut args = vec![dirs[0].display().to_string()];
    for d in &dirs[1..] {
        args.push("--node".into());
        args.push(d.display().to_string());
    }
    args
}

fn args<'a>(head: &[&'a str], dirs: &'a [String], tail: &[&'a str]) -> Vec<&'a str> {
    let mut all = head.to_vec();
    all.extend(dirs.iter().map(String::as_str));
    all.extend_from_slice(tail);
    all
}

#[test]
fn a_damaged_payload_stops_a_pass_through_convert_with_nothing_left() {
    let tmp = pymecompress_test_support::temp_dir("cli-sources-damaged");
    let dirs = with_nodes(&pyme_series::with_frame_10_cut(&tmp));
    let out = tmp.join("out.zarr");
    for codec in ["huffman", "zstd"] {
        let err = fails(&run(args(
            &["convert"],
            &dirs,
            &[path_str(&out), "--codec", codec],
        )));
        assert!(
            err.contains("frame 10") || err.contains("frame00010"),
            "{codec}: {err}"
        );
        assert!(
            !out.exists(),
            "{codec}: a failed convert left {}",
            out.display()
        );
    }
    // verify names it too, and fails.
    let err = fails(&run(args(&["verify"], &dirs, &[])));
    assert!(err.contains("frame00010.pzf"), "{err}");
}

#[test]
fn verify_json_reports_a_pzf_file_and_a_series() {
    let pzf = fixtures::path("pzf/u16_huff_C_2d.pzf");
    let report: Value =
        serde_json::from_str(&ok(&run(["verify", path_str(&pzf), "--json"]))).unwrap();
    assert_eq!(report["kind"], "pzf");
    assert_eq!(
        (report["frames_checked"].as_u64(), report["ok"].as_bool()),
        (Some(1), Some(true))
    );
    let dirs = with_nodes(&pyme_series::dirs("complete", "scan_000.pcs"));
    let report: Value =
        serde_json::from_str(&ok(&run(args(&["verify"], &dirs, &["--json"])))).unwrap();
    assert_eq!(report["kind"], "series");
    assert_eq!(report["frames_checked"], 120);
    assert_eq!(report["bad"], serde_json::json!([]));
    assert_eq!(report["complete"], true);
}

#[test]
fn an_incomplete_series_fails_verify_unless_allowed_and_info_says_why() {
    let dirs = with_nodes(&pyme_series::dirs("incomplete", "scan_001.pcs"));
    let out = run(args(&["verify"], &dirs, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("6 frames missing (57, 115-119)"), "{said}");
    let said = ok(&run(args(&["verify"], &dirs, &["--allow-incomplete"])));
    assert!(said.contains("incomplete (allowed)"), "{said}");
    let report: Value =
        serde_json::from_str(&stdout(&run(args(&["verify"], &dirs, &["--json"])))).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(
        report["missing"],
        serde_json::json!([57, 115, 116, 117, 118, 119])
    );

    let text = ok(&run(args(&["info"], &dirs, &[])));
    assert!(text.contains("finished    no (no events.json"), "{text}");
    let complete = with_nodes(&pyme_series::dirs("complete", "scan_000.pcs"));
    let text = ok(&run(args(&["info"], &complete, &[])));
    assert!(
        text.contains("finished    yes (events.json present)"),
        "{text}"
    );
    assert!(text.contains("uint16, 32x32"), "{text}");
}

#[test]
fn missing_frames_point_at_the_other_servers() {
    let dirs = pyme_series::dirs("complete", "scan_000.pcs");
    let tmp = pymecompress_test_support::temp_dir("cli-sources-split");
    let err = fails(&run([
        "export",
        path_str(&dirs[0]),
        path_str(&tmp.join("x.npy")),
    ]));
    assert!(err.contains("split over data servers"), "{err}");
    assert!(err.contains("--node"), "{err}");
    // Ranges, not a list of every number.
    assert!(!err.contains("50, 51, 52"), "{err}");
    // A server's root given as --node: refused, naming what it holds.
    let root = dirs[1].parent().unwrap();
    let err = fails(&run(["info", path_str(&dirs[0]), "--node", path_str(root)]));
    assert!(err.contains("holds no frame%05d.pzf file"), "{err}");
    assert!(err.contains("scan_000.pcs"), "{err}");
}

#[test]
fn frames_take_a_numpy_slice_of_a_series() {
    let dirs = with_nodes(&pyme_series::dirs("complete", "scan_000.pcs"));
    let want = npy::read(&fixtures::path("pyme_series/data/complete/expected.npy")).unwrap();
    let frame = 32 * 32 * 2;
    let tmp = pymecompress_test_support::temp_dir("cli-sources-frames");
    let out = tmp.join("f.npy");
    ok(&run(args(
        &["export"],
        &dirs,
        &[path_str(&out), "--frames", "10:20:3"],
    )));
    let got = npy::read(&out).unwrap();
    assert_eq!(got.shape, [4, 32, 32]);
    for (j, i) in [10usize, 13, 16, 19].iter().enumerate() {
        assert_eq!(
            got.c_bytes[j * frame..(j + 1) * frame],
            want.c_bytes[i * frame..(i + 1) * frame],
            "frame {i}"
        );
    }
    let store = tmp.join("f.zarr");
    ok(&run(args(
        &["convert"],
        &dirs,
        &[path_str(&store), "--frames=-5:", "--codec", "huffman"],
    )));
    let back = tmp.join("back.npy");
    ok(&run(["export", path_str(&store), path_str(&back)]));
    let back = npy::read(&back).unwrap();
    assert_eq!(back.shape, [5, 32, 32]);
    assert_eq!(back.c_bytes, want.c_bytes[115 * frame..]);
    let err = usage_fails(&run(args(
        &["export"],
        &dirs,
        &[path_str(&out), "--frames", "200:", "--force"],
    )));
    assert!(err.contains("takes no frame"), "{err}");
}

#[test]
fn one_pzf_file_converts_to_a_store_that_exports_as_loads_returns_it() {
    let tmp = pymecompress_test_support::temp_dir("cli-sources-one-pzf");
    for name in ["u16_huff_C_2d", "u16_huff_F_3d", "q_o100_s1", "u8_raw_C_2d"] {
        let pzf = fixtures::path(&format!("pzf/{name}.pzf"));
        let store = tmp.join(format!("{name}.zarr"));
        ok(&run(["convert", path_str(&pzf), path_str(&store)]));
        let back = tmp.join(format!("{name}.npy"));
        ok(&run(["export", path_str(&store), path_str(&back)]));
        let want = npy::read(&fixtures::path(&format!("pzf/{name}.npy"))).unwrap();
        let got = npy::read(&back).unwrap();
        assert_eq!(
            (got.shape.clone(), got.c_bytes.clone()),
            (want.shape, want.c_bytes),
            "{name}"
        );
    }
    let err = fails(&run(["info", path_str(&tmp.join("nothing.pzf"))]));
    assert!(err.to_lowercase().contains("no such file"), "{err}");
}

#[test]
fn without_codec_a_series_keeps_its_own_compression() {
    let tmp = pymecompress_test_support::temp_dir("cli-sources-default-codec");
    let dirs = with_nodes(&pyme_series::dirs("complete", "scan_000.pcs"));
    let store = tmp.join("h.zarr");
    let said = ok(&run(args(&["convert"], &dirs, &[path_str(&store)])));
    assert!(
        said.contains("120 frames moved as stored into pymecompress-huffman"),
        "{said}"
    );
    let quantized = pyme_series::dirs("quantized", "scan_002.pcs");
    let store = tmp.join("q.zarr");
    let said = ok(&run(["convert", path_str(&quantized[0]), path_str(&store)]));
    assert!(
        said.contains("moved as stored into pymecompress-quant16"),
        "{said}"
    );
    let zarray: Value =
        serde_json::from_slice(&std::fs::read(store.join(".zarray")).unwrap()).unwrap();
    assert_eq!(zarray["compressor"]["id"], "pymecompress-quant16");
    assert_eq!(zarray["compressor"]["offset"], 100);
}

#[test]
fn quant16_flags_with_another_codec_are_refused_for_a_series() {
    let dirs = with_nodes(&pyme_series::dirs("complete", "scan_000.pcs"));
    let tmp = pymecompress_test_support::temp_dir("cli-sources-q-flags");
    let out = tmp.join("z.zarr");
    let err = usage_fails(&run(args(
        &["convert"],
        &dirs,
        &[path_str(&out), "--codec", "zstd", "--offset", "100"],
    )));
    assert!(err.contains("--offset is for quant16 only"), "{err}");
    assert!(!out.exists());
}

#[test]
fn verify_of_a_store_names_the_frames_its_source_lacked() {
    let dirs = with_nodes(&pyme_series::dirs("incomplete", "scan_001.pcs"));
    let tmp = pymecompress_test_support::temp_dir("cli-sources-verify-missing");
    let store = tmp.join("i.zarr");
    ok(&run(args(
        &["convert"],
        &dirs,
        &[path_str(&store), "--codec", "huffman", "--allow-incomplete"],
    )));
    let said = ok(&run(["verify", path_str(&store)]));
    assert!(said.contains("complete"), "{said}");
    assert!(
        said.contains("6 frames were missing from its PYME source (57, 115-119)"),
        "{said}"
    );
    let report: Value =
        serde_json::from_str(&ok(&run(["verify", path_str(&store), "--json"]))).unwrap();
    let arrays = report["arrays"].as_array().unwrap();
    assert_eq!(
        arrays[0]["source_missing_frames"],
        serde_json::json!([57, 115, 116, 117, 118, 119]),
        "{report}"
    );
}
