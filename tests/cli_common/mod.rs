//! Shared helpers of the command-line tests: run the built binary, read the fixture manifest.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use pymecompress_test_support::npy::Npy;
use serde_json::Value;

pub use pymecompress_test_support::fixtures::{dir as fixtures, manifest};

/// The manifest's `stores` entries.
pub fn stores() -> Vec<Value> {
    manifest()["stores"].as_array().expect("stores").clone()
}

pub fn store_entry(name: &str) -> Value {
    stores()
        .into_iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no store {name} in the manifest"))
}

/// The store directory of a manifest entry.
pub fn store_dir(entry: &Value) -> PathBuf {
    fixtures().join(entry["path"].as_str().unwrap())
}

/// The array directory of a manifest entry (the store, or `store/array_path`).
pub fn array_dir(entry: &Value) -> PathBuf {
    let array_path = entry["array_path"].as_str().unwrap();
    if array_path.is_empty() {
        store_dir(entry)
    } else {
        store_dir(entry).join(array_path)
    }
}

pub fn expected(entry: &Value) -> Npy {
    read_npy(&fixtures().join(entry["expected"].as_str().unwrap()))
}

/// Reads a `.npy` file through `ndarray-npy` (test-support), never the CLI's own reader.
#[track_caller]
pub fn read_npy(path: &Path) -> Npy {
    pymecompress_test_support::npy::read(path).unwrap()
}

/// The elements of a `<u2` array.
#[track_caller]
pub fn u16s(array: &Npy) -> Vec<u16> {
    assert_eq!(array.descr, "<u2");
    array
        .c_bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Runs the binary with `args`.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_pymecompress"))
        .args(args)
        .output()
        .expect("run pymecompress")
}

/// Runs `convert FROM TO --codec CODEC`, then the `extra` arguments.
pub fn convert(from: &Path, to: &Path, codec: &str, extra: &[&str]) -> Output {
    let mut args = vec!["convert", path_str(from), path_str(to), "--codec", codec];
    args.extend_from_slice(extra);
    run(args)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and returns stdout.
#[track_caller]
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// Asserts exit code `code` without a panic. Returns stderr.
#[track_caller]
fn exits_with(output: &Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{err}",
        stdout(output)
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    err
}

/// Asserts a clean failure: exit code 1, `error:` lines on stderr, no panic. Returns stderr.
#[track_caller]
pub fn fails(output: &Output) -> String {
    let err = exits_with(output, 1);
    assert!(
        err.lines()
            .all(|l| l.starts_with("error: ") || l.starts_with("note: ")),
        "{err}"
    );
    err
}

/// Asserts an argument error: exit code 2, one `error:` line first, no panic, and no codec
/// named (the fix is in the command line). Returns stderr.
#[track_caller]
pub fn usage_fails(output: &Output) -> String {
    let err = exits_with(output, 2);
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("codec pymecompress"), "names a codec: {err}");
    err
}

/// The names in a directory, sorted (to see leftovers).
pub fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Exports an array to `out` (replacing it) and reads it back.
pub fn export_npy(array_dir: &Path, out: &Path) -> Npy {
    ok(&run([
        "export",
        path_str(array_dir),
        path_str(out),
        "--force",
    ]));
    read_npy(out)
}

/// Number of differing uint16 values between two arrays of the same shape.
pub fn differing_u16(a: &Npy, b: &Npy) -> usize {
    assert_eq!(a.shape, b.shape);
    let (a, b) = (u16s(a), u16s(b));
    a.iter().zip(&b).filter(|(x, y)| x != y).count()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Sum of the sizes of the chunk files of an array directory (files not starting with `.`).
pub fn chunk_file_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            // Chunk directories of the `/` separator; nested arrays have their own metadata.
            if !entry.path().join(".zarray").exists() && !entry.path().join(".zgroup").exists() {
                total += chunk_file_bytes(&entry.path());
            }
        } else if !name.starts_with('.') && name != "zarr.json" {
            total += entry.metadata().unwrap().len();
        }
    }
    total
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Asserts two arrays are equal, reporting dtype, shape and the first differing byte rather
/// than dumping the data.
#[track_caller]
pub fn assert_same(got: &Npy, want: &Npy, what: &str) {
    assert_eq!(
        (&got.descr, &got.shape),
        (&want.descr, &want.shape),
        "{what}"
    );
    assert_same_bytes(&got.c_bytes, &want.c_bytes, what);
}

#[track_caller]
pub fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(at) = got.iter().zip(want).position(|(a, b)| a != b) {
        let differing = got.iter().zip(want).filter(|(a, b)| a != b).count();
        panic!(
            "{what}: {differing} bytes differ, first at byte {at} (got {}, want {})",
            got[at], want[at]
        );
    }
}

/// Starts the binary with `args`, whose output must be `dir/out.zarr`, and SIGKILLs it once its
/// temporary `.out.zarr.partial-PID` holds a few chunk files; returns the temporary. Each chunk
/// is flushed to disk, so a run takes long enough to be caught; one that finishes first is
/// tried again.
pub fn killed_mid_write<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> PathBuf {
    fn files(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
    }
    let out = dir.join("out.zarr");
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pymecompress"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let temp = dir.join(format!(".out.zarr.partial-{}", child.id()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20)
            && files(&temp) < 3
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap_or(()); // SIGKILL
        child.wait().unwrap();
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
            continue;
        }
        assert!(
            temp.is_dir(),
            "killed run left no temporary: {:?}",
            dir_names(dir)
        );
        return temp;
    }
    panic!("five conversions finished before they could be killed mid-write");
}

/// Every file below `dir` (relative path -> bytes), to compare two stores whole.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}
