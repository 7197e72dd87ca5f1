//! `convert SERIES OUT --follow` (issue 21, item 2) on a series written to local disk while the
//! CLI runs: PYME's own frames (the complete two-server fixture, `fixtures/pyme_series/data/`,
//! written by PYME's spooler) are put in place one by one, each file written in two halves as
//! a data server writes a PUT's body, metadata.json first and events.json last. The results
//! are compared with what PYME reads of the same series (`expected.npy`).

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_common::*;
use pymecompress_test_support::{fixtures, npy, pyme_series, temp_dir};
use serde_json::Value;

/// The fixture's two server copies of `scan_000.pcs`.
fn fixture_dirs() -> Vec<PathBuf> {
    pyme_series::dirs("complete", "scan_000.pcs")
}

/// The live copies in `dir`: `server0/scan_000.pcs`, `server1/scan_000.pcs`, made empty.
fn live_dirs(dir: &Path) -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = (0..2)
        .map(|i| dir.join(format!("server{i}/scan_000.pcs")))
        .collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    dirs
}

/// Writes `name` from fixture server `server` into the same live server, in two halves with a
/// pause between, as a data server writes a PUT's body as it arrives.
fn put(live: &[PathBuf], server: usize, name: &str) {
    let bytes = std::fs::read(fixture_dirs()[server].join(name)).unwrap();
    let path = live[server].join(name);
    let half = bytes.len() / 2;
    std::fs::write(&path, &bytes[..half]).unwrap();
    std::thread::sleep(Duration::from_millis(15));
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&bytes[half..]).unwrap();
}

/// Which fixture server holds frame `n` (PYME's spooler chose), with the file name.
fn frame_file(n: u32) -> (usize, String) {
    let name = format!("frame{n:05}.pzf");
    let server = (0..2)
        .find(|&s| fixture_dirs()[s].join(&name).is_file())
        .unwrap_or_else(|| panic!("fixture has no {name}"));
    (server, name)
}

/// The JSON files of fixture server `server`, `events.json` excluded.
fn json_files(server: usize) -> Vec<String> {
    ["metadata.json", "final_metadata.json"]
        .iter()
        .filter(|n| fixture_dirs()[server].join(n).is_file())
        .map(|n| (*n).to_string())
        .collect()
}

fn put_metadata(live: &[PathBuf]) {
    for s in 0..2 {
        if fixture_dirs()[s].join("metadata.json").is_file() {
            put(live, s, "metadata.json");
        }
    }
}

/// The end of an acquisition: final_metadata.json, then events.json (PYME's finish mark).
fn put_finish(live: &[PathBuf]) {
    for s in 0..2 {
        for name in json_files(s).iter().filter(|n| *n != "metadata.json") {
            put(live, s, name);
        }
    }
    for s in 0..2 {
        if fixture_dirs()[s].join("events.json").is_file() {
            put(live, s, "events.json");
        }
    }
}

fn follow(dir: &Path, live: &[PathBuf], extra: &[&str]) -> Child {
    let mut args: Vec<String> = vec![
        "convert".into(),
        live[0].display().to_string(),
        dir.join("out.zarr").display().to_string(),
        "--node".into(),
        live[1].display().to_string(),
        "--follow".into(),
        "--poll-interval".into(),
        "0.05".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_string()));
    Command::new(env!("CARGO_BIN_EXE_pymecompress"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The chunk files of the temporary `.out.zarr.partial-PID` of `child`.
fn chunk_files(dir: &Path, child: &Child) -> Vec<String> {
    let temp = dir.join(format!(".out.zarr.partial-{}", child.id()));
    std::fs::read_dir(temp).map_or(Vec::new(), |entries| {
        entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect()
    })
}

/// Waits until `child`'s temporary holds at least `n` chunks (proof it writes while following).
fn wait_for_chunks(dir: &Path, child: &mut Child, n: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let chunks = chunk_files(dir, child);
        if chunks.len() >= n {
            return chunks;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "convert --follow ended before writing {n} chunks"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "convert --follow wrote only {} chunks in 60 s",
            chunks.len()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_output(child: Child) -> std::process::Output {
    child.wait_with_output().unwrap()
}

/// `out.zarr` exported and compared with PYME's own reading of frames `0..frames`.
fn assert_result(dir: &Path, frames: usize) {
    let out = dir.join("out.zarr");
    let got = export_npy(&out, &dir.join("out.npy"));
    let want = npy::read(&fixtures::path("pyme_series/data/complete/expected.npy")).unwrap();
    let frame_bytes = want.c_bytes.len() / want.shape[0];
    assert_eq!(got.shape[0], frames, "{:?}", got.shape);
    assert_eq!(&got.shape[1..], &want.shape[1..]);
    assert_same_bytes(
        &got.c_bytes,
        &want.c_bytes[..frames * frame_bytes],
        "followed series",
    );
    assert!(ok(&run(["verify", path_str(&out)])).contains("complete"));
}

fn attributes(dir: &Path) -> Value {
    let text = std::fs::read(dir.join("out.zarr/.zattrs")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

#[test]
fn follows_a_series_written_frame_by_frame_until_events_json() {
    let dir = temp_dir("cli-follow-live");
    let live = live_dirs(&dir);
    // Started before the acquisition: waits for metadata.json, then for frames.
    let mut child = follow(&dir, &live, &["--follow-timeout", "60"]);
    std::thread::sleep(Duration::from_millis(300));
    put_metadata(&live);
    for n in 0..120 {
        let (server, name) = frame_file(n);
        put(&live, server, &name);
    }
    // Frames are written while the series is still open, not after its end.
    wait_for_chunks(&dir, &mut child, 100);
    put_finish(&live);
    let output = wait_output(child);
    let said = ok(&output);
    assert!(said.contains("120 frames"), "{said}");
    assert_result(&dir, 120);
    let attrs = attributes(&dir);
    let events = attrs["pyme_events"].as_array().expect("pyme_events");
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(events[0][0], "StartAq");
    assert!(attrs["pyme_final_metadata"].is_object(), "{attrs}");
}

#[test]
fn a_killed_follow_resumes_without_reading_kept_frames_again() {
    let dir = temp_dir("cli-follow-resume");
    let live = live_dirs(&dir);
    put_metadata(&live);
    for n in 0..80 {
        let (server, name) = frame_file(n);
        put(&live, server, &name);
    }
    let mut child = follow(&dir, &live, &["--follow-timeout", "60"]);
    let _ = wait_for_chunks(&dir, &mut child, 20);
    child.kill().unwrap();
    child.wait().unwrap();
    let temp = dir.join(format!(".out.zarr.partial-{}", child.id()));
    assert!(temp.is_dir(), "{:?}", dir_names(&dir));
    assert!(!dir.join("out.zarr").exists());
    // Every frame whose chunk the killed run kept has its payload damaged (its header and
    // length kept): read again, it would fail to decode or give other values.
    let kept: Vec<u32> = chunk_files(&dir, &child)
        .iter()
        .filter_map(|name| name.split('.').next()?.parse().ok())
        .collect();
    assert!(kept.len() >= 20, "{kept:?}");
    for &n in &kept {
        let (server, name) = frame_file(n);
        let path = live[server].join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        for b in &mut bytes[64..] {
            *b = !*b;
        }
        std::fs::write(&path, bytes).unwrap();
    }
    let mut resumed = follow(&dir, &live, &["--follow-timeout", "60", "--resume"]);
    for n in 80..120 {
        let (server, name) = frame_file(n);
        put(&live, server, &name);
    }
    wait_for_chunks(&dir, &mut resumed, 110);
    put_finish(&live);
    let output = wait_output(resumed);
    ok(&output);
    let err = stderr(&output);
    assert!(
        err.contains("chunks kept from the interrupted run"),
        "{err}"
    );
    assert_result(&dir, 120);
}

#[test]
fn a_series_that_stops_changing_ends_with_exit_1_and_a_resumable_temporary() {
    let dir = temp_dir("cli-follow-timeout");
    let live = live_dirs(&dir);
    put_metadata(&live);
    for n in 0..30 {
        let (server, name) = frame_file(n);
        put(&live, server, &name);
    }
    let started = Instant::now();
    let output = wait_output(follow(&dir, &live, &["--follow-timeout", "1.5"]));
    let err = fails(&output);
    assert!(err.contains("--follow-timeout"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!dir.join("out.zarr").exists());
    let temps: Vec<String> = dir_names(&dir)
        .into_iter()
        .filter(|n| n.starts_with(".out.zarr.partial-"))
        .collect();
    assert_eq!(temps.len(), 1, "{:?}", dir_names(&dir));
    // Nothing that looks complete.
    let err = fails(&run(["verify", path_str(&dir.join(&temps[0]))]));
    assert!(!err.is_empty());

    // The acquisition ends after all: the temporary is resumed and completed.
    put_finish(&live);
    let output = wait_output(follow(&dir, &live, &["--resume"]));
    ok(&output);
    assert!(
        stderr(&output).contains("chunks kept"),
        "{}",
        stderr(&output)
    );
    assert_result(&dir, 30);
}

#[test]
fn follow_refuses_what_it_cannot_do() {
    let dir = temp_dir("cli-follow-usage");
    let live = live_dirs(&dir);
    for flag in [
        &["--frames", "0:10"][..],
        &["--ome"],
        &["--shards", "1,32,32"],
    ] {
        let output = wait_output(follow(&dir, &live, flag));
        let err = usage_fails(&output);
        assert!(err.contains("--follow"), "{err}");
    }
    let output = run([
        "convert",
        path_str(&live[0]),
        path_str(&dir.join("out.zarr")),
        "--poll-interval",
        "1",
    ]);
    usage_fails(&output);
}
