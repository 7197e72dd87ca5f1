//! Outputs are written safely and integrity can be checked (issue 14): a failed write leaves
//! nothing, an existing output is replaced only with `--force`, and `convert --checksum` makes a
//! flipped byte something `verify` catches.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;

/// A copy of the reference's `q16_o0_s1_edge` store with chunk `images/raw/0.1` cut in half.
fn damaged_store(dir: &Path) -> PathBuf {
    let copy = dir.join("damaged.zarr");
    copy_dir(&store_dir(&store_entry("q16_o0_s1_edge@zarr2")), &copy);
    let chunk = copy.join("images/raw/0.1");
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes[..bytes.len() / 2]).unwrap();
    copy
}

#[test]
fn a_failed_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = damaged_store(dir.path());
    let outputs = dir.path().join("outputs");
    std::fs::create_dir(&outputs).unwrap();
    for name in ["x.npy", "x.bin"] {
        let err = fails(&run([
            "export",
            path_str(&store.join("images/raw")),
            path_str(&outputs.join(name)),
        ]));
        assert!(err.contains("chunk images/raw/0.1"), "{err}");
    }
    assert_eq!(dir_names(&outputs), Vec::<String>::new(), "left behind");
}

#[test]
fn a_failed_convert_leaves_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = damaged_store(dir.path());
    let outputs = dir.path().join("outputs");
    std::fs::create_dir(&outputs).unwrap();
    let err = fails(&run([
        "convert",
        path_str(&store),
        path_str(&outputs.join("out.zarr")),
        "--codec",
        "zstd",
    ]));
    assert!(err.contains("damaged or truncated chunk"), "{err}");
    assert_eq!(dir_names(&outputs), Vec::<String>::new(), "left behind");
}

#[test]
fn existing_outputs_are_replaced_only_with_force() {
    let entry = store_entry("huff_u2@zarr2");
    let store = store_dir(&entry);
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("a.npy");
    let chunk = dir.path().join("a.chunk");
    let back = dir.path().join("back.npy");
    let zarr = dir.path().join("a.zarr");
    std::fs::create_dir(&zarr).unwrap();
    for file in [&npy, &chunk, &back, &zarr.join("keep")] {
        std::fs::write(file, b"keep").unwrap();
    }
    let export = |force: bool| {
        let mut args = vec!["export", path_str(&store), path_str(&npy)];
        args.extend(force.then_some("--force"));
        run(&args)
    };
    let compress = |force: bool| {
        let mut args = vec![
            "compress",
            path_str(&npy),
            path_str(&chunk),
            "--codec",
            "huffman",
        ];
        args.extend(force.then_some("--force"));
        run(&args)
    };
    let decompress = |force: bool| {
        let mut args = vec![
            "decompress",
            path_str(&chunk),
            path_str(&back),
            "--codec",
            "huffman",
            "--shape",
            "50,70",
        ];
        args.extend(force.then_some("--force"));
        run(&args)
    };
    let convert = |force: bool| {
        let mut args = vec![
            "convert",
            path_str(&store),
            path_str(&zarr),
            "--codec",
            "zstd",
        ];
        args.extend(force.then_some("--force"));
        run(&args)
    };
    let steps: [(&dyn Fn(bool) -> std::process::Output, &Path); 4] = [
        (&export, &npy),
        (&compress, &chunk),
        (&decompress, &back),
        (&convert, &zarr.join("keep")),
    ];
    for (step, file) in steps {
        let err = fails(&step(false));
        assert!(
            err.contains("already exists") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(std::fs::read(file).unwrap(), b"keep");
        ok(&step(true));
    }
    assert_same(&read_npy(&back), &expected(&entry), "after --force");
    assert!(!zarr.join("keep").exists());
    ok(&run(["verify", path_str(&zarr)]));
    assert_eq!(
        dir_names(dir.path()),
        ["a.chunk", "a.npy", "a.zarr", "back.npy"],
        "only the outputs"
    );

    // demo --out: each store in the directory is an output too.
    let demo = |force: bool| {
        let out = dir.path().join("demo");
        let mut args = vec![
            "demo",
            "--frames",
            "2",
            "--size",
            "32",
            "--out",
            path_str(&out),
        ];
        args.extend(force.then_some("--force"));
        run(&args)
    };
    ok(&demo(false));
    let err = fails(&demo(false));
    assert!(
        err.contains("movie-quant16.zarr") && err.contains("--force"),
        "{err}"
    );
    ok(&demo(true));
    assert_eq!(
        dir_names(&dir.path().join("demo")),
        ["movie-quant16.zarr", "movie-zstd.zarr"]
    );
}

/// Flips one bit in the middle of a chunk file.
fn flip_a_bit(chunk: &Path) {
    let mut bytes = std::fs::read(chunk).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x04;
    std::fs::write(chunk, bytes).unwrap();
}

#[test]
fn a_bit_flip_under_checksum_is_caught_by_verify() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let dir = tempfile::tempdir().unwrap();
    let v3 = dir.path().join("v3.zarr");
    ok(&run([
        "convert",
        path_str(&store_dir(&entry)),
        path_str(&v3),
        "--zarr-format",
        "3",
        "--checksum",
    ]));
    let codecs = std::fs::read_to_string(v3.join("images/raw/zarr.json")).unwrap();
    assert!(codecs.contains("crc32c"), "{codecs}");
    let out = ok(&run(["verify", path_str(&v3)]));
    assert!(
        out.contains("checked decoding and crc32c checksums"),
        "{out}"
    );
    assert_same(
        &export_npy(&v3.join("images/raw"), &dir.path().join("x.npy")),
        &expected(&entry),
        "checksummed store",
    );

    // Back to Zarr v2: the checksum comes off and the reference's chunk bytes come back.
    let v2 = dir.path().join("v2.zarr");
    ok(&run([
        "convert",
        path_str(&v3),
        path_str(&v2),
        "--zarr-format",
        "2",
    ]));
    for key in ["0.0", "0.1", "1.0", "1.1"] {
        assert_same_bytes(
            &std::fs::read(v2.join("images/raw").join(key)).unwrap(),
            &std::fs::read(store_dir(&entry).join("images/raw").join(key)).unwrap(),
            key,
        );
    }

    flip_a_bit(&v3.join("images/raw/c/1/0"));
    let output = run(["verify", path_str(&v3)]);
    let err = fails(&output);
    assert!(
        err.contains("chunk images/raw/c/1/0") && err.contains("crc32c checksum does not match"),
        "{err}"
    );
    assert!(stdout(&output).contains("1 bad"), "{}", stdout(&output));

    // Copying the stored chunks checks them too: the flipped one stops the conversion.
    let err = fails(&run([
        "convert",
        path_str(&v3),
        path_str(&dir.path().join("again.zarr")),
    ]));
    assert!(err.contains("crc32c checksum does not match"), "{err}");
    assert!(!dir.path().join("again.zarr").exists());
}

#[test]
fn verify_says_when_it_checks_decoding_only() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let out = ok(&run(["verify", path_str(&store_dir(&entry))]));
    assert!(
        out.contains("checked decoding only (this format has no checksum"),
        "{out}"
    );
    let help = ok(&run(["verify", "--help"]));
    assert!(
        help.contains("decoding only") && help.contains("--checksum"),
        "{help}"
    );
}

#[test]
fn checksum_needs_zarr_v3() {
    let store = store_dir(&store_entry("huff_u2@zarr2"));
    let dir = tempfile::tempdir().unwrap();
    for extra in [&["--zarr-format", "2"][..], &[]] {
        let out = dir.path().join("out.zarr");
        let mut args = vec![
            "convert",
            path_str(&store),
            path_str(&out),
            "--codec",
            "zstd",
            "--checksum",
        ];
        args.extend_from_slice(extra);
        let err = usage_fails(&run(&args));
        assert!(err.contains("--zarr-format 3"), "{err}");
        assert!(!out.exists());
    }
}
