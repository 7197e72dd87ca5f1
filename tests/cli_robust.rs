//! Issue 13 end to end: the completion record and what `verify` makes of it, and leftovers of
//! interrupted writes (refused, discarded, never resumed with other arguments). The real
//! faults (SIGKILL, full disk, read-only mounts, concurrent readers) are in tests/faults/run.sh.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;
use serde_json::Value;

/// A store we wrote: the reference's `q16_o0_s1_edge` (two arrays) converted to Huffman.
fn converted(dir: &Path) -> PathBuf {
    let out = dir.join("ours.zarr");
    let source = store_dir(&store_entry("q16_o0_s1_edge@zarr2"));
    ok(&run([
        "convert",
        path_str(&source),
        path_str(&out),
        "--codec",
        "huffman",
    ]));
    out
}

fn verify_json(store: &Path) -> (Option<i32>, Value) {
    let output = run(["verify", "--json", path_str(store)]);
    let report = serde_json::from_str(&stdout(&output)).expect("verify --json prints JSON");
    (output.status.code(), report)
}

#[test]
fn a_store_we_wrote_is_complete_and_a_lost_chunk_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = converted(dir.path());
    let text = ok(&run(["verify", path_str(&store)]));
    assert!(
        text.contains("complete (every recorded chunk present)"),
        "{text}"
    );
    let (code, report) = verify_json(&store);
    assert_eq!((code, &report["complete"]), (Some(0), &Value::Bool(true)));

    std::fs::remove_file(store.join("images/raw/0.1")).unwrap();
    let output = run(["verify", path_str(&store)]);
    let err = fails(&output);
    assert!(
        err.contains("chunk images/raw/0.1") && err.contains("missing chunk"),
        "{err}"
    );
    assert!(stdout(&output).contains("NOT complete: 1 recorded chunks missing"));
    let (code, report) = verify_json(&store);
    assert_eq!(code, Some(1));
    assert_eq!(report["complete"], false);
    assert_eq!(report["missing"], 1);
    let raw = report["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "/images/raw")
        .unwrap();
    assert_eq!(raw["missing"], serde_json::json!(["images/raw/0.1"]));
    assert_eq!(
        (&raw["chunks_present"], &raw["chunks_in_grid"]),
        (&3.into(), &4.into())
    );
}

#[test]
fn a_store_written_elsewhere_gets_counts_and_no_verdict() {
    // Written by zarr-python with a chunk left out on purpose (it reads as the fill value).
    let store = store_dir(&store_entry("q16_o100_s1_missing_fill@zarr2"));
    let text = ok(&run(["verify", path_str(&store)]));
    assert!(
        text.contains("whether the store is complete cannot be told"),
        "{text}"
    );
    assert!(
        text.contains("completeness unknown (no completion record)"),
        "{text}"
    );
    let (code, report) = verify_json(&store);
    assert_eq!(code, Some(0));
    assert_eq!(
        (&report["record"], &report["complete"]),
        (&false.into(), &Value::Null)
    );
    let array = &report["arrays"][0];
    assert!(
        array["chunks_present"].as_u64() < array["chunks_in_grid"].as_u64(),
        "{report}"
    );
}

#[test]
fn a_leftover_is_refused_then_discarded_with_restart_and_resume_needs_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let source = store_dir(&store_entry("huff_u2@zarr2"));
    let out = dir.path().join("out.zarr");
    // What a killed run leaves: its temporary, unlocked (the process is gone); this one holds
    // a chunk but no manifest (not ours, or from before manifests), so it cannot be resumed.
    let leftover = dir.path().join(".out.zarr.partial-4000000");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("0.0"), b"a chunk").unwrap();
    let convert = |flag: Option<&str>| {
        let mut args = vec![
            "convert",
            path_str(&source),
            path_str(&out),
            "--codec",
            "zstd",
        ];
        args.extend(flag);
        run(args)
    };
    let err = fails(&convert(None));
    assert!(
        err.contains(".out.zarr.partial-4000000")
            && err.contains("--resume")
            && err.contains("--restart"),
        "{err}"
    );
    let err = fails(&convert(Some("--resume")));
    assert!(
        err.contains("cannot resume") && err.contains("--restart"),
        "{err}"
    );
    assert!(leftover.is_dir(), "a refused resume keeps the leftover");
    ok(&convert(Some("--restart")));
    assert_eq!(dir_names(dir.path()), vec!["out.zarr"]);
    let names = dir_names(&out);
    assert!(
        !names.iter().any(|n| n.starts_with(".pymecompress")),
        "{names:?}"
    );
    let usage = usage_fails(&run([
        "convert",
        path_str(&source),
        path_str(&dir.path().join("x.zarr")),
        "--codec",
        "zstd",
        "--resume",
        "--restart",
    ]));
    assert!(usage.contains("--restart"), "{usage}");
}

#[test]
fn a_demo_leftover_is_refused_naming_restart_and_discarded_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    std::fs::create_dir(&out).unwrap();
    // What a demo killed while writing its quant16 store leaves: an unlocked temporary.
    let leftover = out.join(".movie-quant16.zarr.partial-1");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("0.0.0"), b"half a chunk").unwrap();
    let demo = |extra: &[&str]| {
        let mut args = vec![
            "demo",
            "--frames",
            "2",
            "--size",
            "16",
            "--out",
            path_str(&out),
        ];
        args.extend_from_slice(extra);
        run(args)
    };
    let err = fails(&demo(&[]));
    assert!(
        err.contains(".movie-quant16.zarr.partial-1") && err.contains("--restart"),
        "{err}"
    );
    assert!(
        leftover.is_dir(),
        "a refused run must leave the leftover alone"
    );
    ok(&demo(&["--restart"]));
    assert!(!leftover.exists(), "--restart discards the leftover");
    let (code, report) = verify_json(&out.join("movie-quant16.zarr"));
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["complete"], Value::Bool(true), "{report}");
}
