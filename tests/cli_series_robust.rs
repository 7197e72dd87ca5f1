//! Issue 13 for `convert` of a PYME series: a run killed mid-write leaves a locked temporary
//! that the next run reports, that `--resume` refuses to finish with other arguments and
//! finishes, keeping the chunks already written, into the very store an uninterrupted run
//! writes; and the completion record, with the frames an incomplete series lacks as fill.

mod cli_common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use cli_common::*;
use pymecompress_test_support::{fixtures, npy};
use serde_json::Value;

/// `[first dir, --node, second dir]` of the two-server series PYME's spooler wrote.
fn two_servers(which: &str) -> Vec<String> {
    let name = if which == "complete" {
        "scan_000.pcs"
    } else {
        "scan_001.pcs"
    };
    (0..2)
        .map(|server| {
            fixtures::path(&format!("pyme_series/data/{which}/server{server}/{name}"))
                .display()
                .to_string()
        })
        .enumerate()
        .flat_map(|(i, dir)| {
            if i == 0 {
                vec![dir]
            } else {
                vec!["--node".into(), dir]
            }
        })
        .collect()
}

fn convert_args(which: &str, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["convert".to_string()];
    args.extend(two_servers(which));
    args.push(path_str(out).to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The chunk files of a root Zarr v2 array (names not starting with `.`) and their inodes.
fn chunk_inodes(dir: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().ino())
        })
        .collect()
}

#[test]
fn a_killed_series_convert_is_reported_and_resumed_into_the_uninterrupted_store() {
    let dir = pymecompress_test_support::temp_dir("cli-series-killed");
    let reference = dir.join("ref.zarr");
    ok(&run(convert_args(
        "complete",
        &reference,
        &["--codec", "zstd"],
    )));

    let out = dir.join("out.zarr");
    let args = convert_args("complete", &out, &["--codec", "zstd"]);
    let temp = killed_mid_write(&dir, &args);
    let written = chunk_inodes(&temp);
    assert!(written.len() < 120, "killed after {} chunks", written.len());

    let err = fails(&run(&args));
    let temp_name = temp.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        err.contains("an interrupted run left")
            && err.contains(&temp_name)
            && err.contains("--resume")
            && err.contains("--restart"),
        "{err}"
    );
    let other = convert_args("complete", &out, &["--codec", "huffman", "--resume"]);
    let err = usage_fails(&run(&other));
    assert!(
        err.contains("cannot resume") && err.contains("codec = \"zstd\""),
        "{err}"
    );
    assert!(temp.is_dir(), "a refused resume keeps the leftover");

    let resumed = [args.clone(), vec!["--resume".into()]].concat();
    let output = run(&resumed);
    ok(&output);
    let said = stderr(&output);
    assert!(
        said.contains("chunks kept from the interrupted run"),
        "{said}"
    );
    assert_eq!(dir_names(&dir), ["out.zarr", "ref.zarr"]);

    // The same store, file for file and byte for byte, as the uninterrupted run's ...
    let (ours, want) = (tree(&out), tree(&reference));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &want {
        assert_same_bytes(&ours[name], bytes, &name.display().to_string());
    }
    // ... and the chunks the killed run wrote were kept, not written again (same inode; the
    // adapter's rewrite would rename a new file over them).
    let after = chunk_inodes(&out);
    for (name, inode) in &written {
        assert_eq!(after.get(name), Some(inode), "chunk {name} was rewritten");
    }
    let text = ok(&run(["verify", path_str(&out)]));
    assert!(
        text.contains("complete (every recorded chunk present)"),
        "{text}"
    );
    let back = dir.join("back.npy");
    ok(&run(["export", path_str(&out), path_str(&back)]));
    let want = npy::read(&fixtures::path("pyme_series/data/complete/expected.npy")).unwrap();
    assert_same_bytes(&npy::read(&back).unwrap().c_bytes, &want.c_bytes, "export");
}

#[test]
fn an_incomplete_series_records_its_missing_frames_as_fill_and_a_lost_chunk_is_named() {
    let dir = pymecompress_test_support::temp_dir("cli-series-record");
    let out = dir.join("i.zarr");
    ok(&run(convert_args(
        "incomplete",
        &out,
        &["--codec", "huffman", "--allow-incomplete"],
    )));
    let attrs: Value =
        serde_json::from_slice(&std::fs::read(out.join(".zattrs")).unwrap()).unwrap();
    let record = &attrs["pymecompress"];
    assert_eq!(record["complete"], true);
    assert_eq!(record["chunks"], 114);
    let missing: Vec<String> = [57, 115, 116, 117, 118, 119]
        .iter()
        .map(|n| format!("{n}.0.0"))
        .collect();
    assert_eq!(
        record["arrays"]["/"]["fill_chunks"],
        serde_json::json!(missing)
    );
    assert_eq!(record["arrays"]["/"]["grid_chunks"], 120);
    let text = ok(&run(["verify", path_str(&out)]));
    assert!(
        text.contains("complete (every recorded chunk present)"),
        "{text}"
    );

    std::fs::remove_file(out.join("3.0.0")).unwrap();
    let output = run(["verify", path_str(&out)]);
    let err = fails(&output);
    assert!(
        err.contains("chunk 3.0.0") && err.contains("missing chunk"),
        "{err}"
    );
    assert!(stdout(&output).contains("NOT complete"));
}
