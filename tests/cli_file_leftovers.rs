//! Issue 13 for the commands that write one file (`export`, `compress`, `decompress`): the
//! temporary `.NAME.partial-PID` is locked while its writer lives, so a second writer is
//! refused; the unlocked temporary a killed run left is reported (named, called incomplete,
//! with the way to discard it) and discarded by `--restart`; `--resume` is refused, a file is
//! not continued. The lock of a live writer is held here by the test process itself (an
//! `flock`, as the CLI takes); real kills and concurrent runs are in tests/faults/run.sh.

mod cli_common;

use std::fs::File;
use std::path::{Path, PathBuf};

use cli_common::*;

/// A command that writes `out`, with its inputs made in `dir`.
struct FileCommand {
    name: &'static str,
    args: Vec<String>,
}

/// `export`, `compress` and `decompress` of a real store's array, each writing `out`.
fn commands(dir: &Path, out: &Path) -> Vec<FileCommand> {
    let source = array_dir(&store_entry("huff_u2@zarr2"));
    let npy = dir.join("in.npy");
    let chunk = dir.join("in.chunk");
    ok(&run(["export", path_str(&source), path_str(&npy)]));
    ok(&run([
        "compress",
        path_str(&npy),
        path_str(&chunk),
        "--codec",
        "huffman",
    ]));
    let array = read_npy(&npy);
    let shape: Vec<String> = array.shape.iter().map(usize::to_string).collect();
    let s = |p: &Path| path_str(p).to_string();
    vec![
        FileCommand {
            name: "export",
            args: vec!["export".into(), s(&source), s(out)],
        },
        FileCommand {
            name: "compress",
            args: vec![
                "compress".into(),
                s(&npy),
                s(out),
                "--codec".into(),
                "huffman".into(),
            ],
        },
        FileCommand {
            name: "decompress",
            args: vec![
                "decompress".into(),
                s(&chunk),
                s(out),
                "--codec".into(),
                "huffman".into(),
                "--dtype".into(),
                array.descr.clone(),
                "--shape".into(),
                shape.join(","),
            ],
        },
    ]
}

fn with(command: &FileCommand, flag: &str) -> Vec<String> {
    [command.args.clone(), vec![flag.to_string()]].concat()
}

#[test]
fn a_killed_file_write_is_reported_and_discarded_only_with_restart() {
    let dir = pymecompress_test_support::temp_dir("cli-file-leftovers");
    let out = dir.join("out.bin");
    let inputs = dir_names(&dir);
    for command in commands(&dir, &out) {
        let name = command.name;
        // What a killed run leaves: its temporary, part written and unlocked.
        let leftover: PathBuf = dir.join(".out.bin.partial-4000000");
        std::fs::write(&leftover, b"the first bytes of a file never finished").unwrap();

        let err = fails(&run(&command.args));
        assert!(
            err.contains("an interrupted run left")
                && err.contains(".out.bin.partial-4000000")
                && err.contains("incomplete")
                && err.contains("--restart")
                && err.contains("delete it"),
            "{name}: {err}"
        );
        let err = fails(&run(with(&command, "--force")));
        assert!(err.contains("an interrupted run left"), "{name}: {err}");
        let err = usage_fails(&run(with(&command, "--resume")));
        assert!(
            err.contains("not continued") && err.contains("--restart"),
            "{name}: {err}"
        );
        assert!(
            leftover.is_file() && !out.exists(),
            "{name}: refused, nothing changed"
        );

        ok(&run(with(&command, "--restart")));
        assert!(!leftover.exists(), "{name}: --restart removed the leftover");
        let mut names = inputs.clone();
        names.extend(["in.chunk", "in.npy", "out.bin"].map(String::from));
        names.sort();
        names.dedup();
        assert_eq!(dir_names(&dir), names, "{name}");
        std::fs::remove_file(&out).unwrap();
    }
}

/// Runs `args` once the test's own lock is surely gone: a child another test thread forks at
/// that moment shares the locked file until it execs, so the lock can outlive `drop` briefly.
fn after_unlock(args: &[String]) -> std::process::Output {
    for _ in 0..50 {
        let output = run(args);
        if !stderr(&output).contains("is writing it now") {
            return output;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    run(args)
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = pymecompress_test_support::temp_dir("cli-file-live");
    let out = dir.join("out.bin");
    for command in commands(&dir, &out) {
        let name = command.name;
        let temp = dir.join(".out.bin.partial-4000001");
        let live = File::create(&temp).unwrap();
        live.try_lock().unwrap();
        for flags in [&[][..], &["--restart"], &["--force", "--restart"]] {
            let mut args = command.args.clone();
            args.extend(flags.iter().map(|f| f.to_string()));
            let err = fails(&run(&args));
            assert!(
                err.contains("another pymecompress process is writing it now")
                    && err.contains(".out.bin.partial-4000001"),
                "{name} {flags:?}: {err}"
            );
        }
        assert!(
            temp.is_file() && !out.exists(),
            "{name}: the live writer's file is left alone"
        );
        drop(live); // the writer dies: its temporary becomes a leftover
        ok(&after_unlock(&with(&command, "--restart")));
        assert!(!temp.exists() && out.is_file(), "{name}");
        std::fs::remove_file(&out).unwrap();
    }
}
