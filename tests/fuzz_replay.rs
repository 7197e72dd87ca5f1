//! Every fuzz target run over its seed corpus and its crash regressions, once each: the
//! deterministic replay, in `cargo test` rather than a build of the fuzz crate of its own
//! (which compiled libFuzzer and most of the dependencies a second time: 100 s alone).
//!
//! The targets' checks are the fuzz crate's modules (`fuzz/src/targets/NAME.rs`), declared
//! here by path; libFuzzer's binaries (`fuzz/fuzz_targets/NAME.rs`) only hand them inputs.
//! Seeds: `fuzz/seed_corpus.sh` (python3, standard library) makes `fuzz/corpus/NAME/` from
//! fixtures/; regressions: `fuzz/regressions/NAME-*`. A target with neither fails: a replay of
//! nothing proves nothing.

#[path = "../fuzz/src/shared.rs"]
mod shared;

#[path = "../fuzz/src/targets/config_json.rs"]
mod config_json;
#[path = "../fuzz/src/targets/h5_open.rs"]
mod h5_open;
#[path = "../fuzz/src/targets/huffman_decompress.rs"]
mod huffman_decompress;
#[path = "../fuzz/src/targets/pzf_decode.rs"]
mod pzf_decode;
#[path = "../fuzz/src/targets/quant16_decompress.rs"]
mod quant16_decompress;
#[path = "../fuzz/src/targets/roundtrip.rs"]
mod roundtrip;
#[path = "../fuzz/src/targets/series_metadata.rs"]
mod series_metadata;
#[path = "../fuzz/src/targets/sliced_decode.rs"]
mod sliced_decode;
#[path = "../fuzz/src/targets/stream_decode.rs"]
mod stream_decode;
#[path = "../fuzz/src/targets/zarrs_config_json.rs"]
mod zarrs_config_json;
#[path = "../fuzz/src/targets/zarrs_decode.rs"]
mod zarrs_decode;
#[path = "../fuzz/src/targets/zarrs_pyme_pzf.rs"]
mod zarrs_pyme_pzf;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Runs `fuzz/seed_corpus.sh` once for all the tests here.
fn seeded() -> &'static Result<(), String> {
    static SEEDED: OnceLock<Result<(), String>> = OnceLock::new();
    SEEDED.get_or_init(|| {
        let script = fuzz_dir().join("seed_corpus.sh");
        let out = Command::new("sh")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}): {}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    })
}

/// The seeds in `fuzz/corpus/NAME/` and the regressions `fuzz/regressions/NAME-*`.
fn inputs(name: &str) -> Vec<PathBuf> {
    let fuzz = fuzz_dir();
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(fuzz.join("corpus").join(name)) {
        found.extend(entries.map(|e| e.unwrap().path()));
    }
    let prefix = format!("{name}-");
    for entry in std::fs::read_dir(fuzz.join("regressions")).unwrap() {
        let path = entry.unwrap().path();
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        if file_name.starts_with(&prefix) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Runs `target` over every input of `name`; fails naming each input that panicked.
fn replay(name: &str, target: fn(&[u8])) {
    if let Err(e) = seeded() {
        panic!("{e}");
    }
    let inputs = inputs(name);
    assert!(
        !inputs.is_empty(),
        "{name}: no seeds and no regressions (a replay of nothing proves nothing)"
    );
    let failed: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            catch_unwind(AssertUnwindSafe(|| target(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{name}: {} of {} inputs panicked (messages above): {failed:#?}",
        failed.len(),
        inputs.len()
    );
}

macro_rules! replays {
    ($($name:ident),* $(,)?) => {
        /// The targets replayed here, to compare with the fuzz crate's list.
        const REPLAYED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                replay(stringify!($name), $name::run);
            }
        )*
    };
}

replays!(
    config_json,
    h5_open,
    huffman_decompress,
    pzf_decode,
    quant16_decompress,
    roundtrip,
    series_metadata,
    sliced_decode,
    stream_decode,
    zarrs_config_json,
    zarrs_decode,
    zarrs_pyme_pzf,
);

#[test]
fn every_target_of_the_fuzz_crate_is_replayed() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let mut targets: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_prefix("name = \"")?.strip_suffix('"'))
        .filter(|&name| name != "pymecompress-fuzz")
        .collect();
    targets.sort_unstable();
    let mut replayed = REPLAYED.to_vec();
    replayed.sort_unstable();
    assert_eq!(targets, replayed, "fuzz/Cargo.toml's [[bin]] targets");
}
