//! Every message names the real problem (issue 14): each misleading message the issue lists,
//! reproduced and checked for the corrected wording and exit status.

mod cli_common;

use cli_common::*;

#[test]
fn region_syntax_errors_exit_2_and_never_mention_a_codec() {
    let entry = store_entry("q16_o0_s1_edge@zarr2");
    let array = store_dir(&entry).join("images/raw");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.npy");
    for (region, says) in [
        ("0-10", "'0-10' is not an integer"),
        ("::2", "steps (START:STOP:STEP) are not supported"),
        ("a:b", "'a' is not an integer"),
        ("40:10", "40:10 is reversed"),
    ] {
        let err = usage_fails(&run([
            "export",
            path_str(&array),
            path_str(&out),
            &format!("--region={region}"),
        ]));
        assert!(err.contains(says), "{region}: {err}");
        assert!(
            !err.contains("codec") && !err.contains("outside"),
            "{region}: {err}"
        );
        assert!(!out.exists());
    }
    // Reaching past the array is about this array: exit 1, saying its shape.
    let err = fails(&run([
        "export",
        path_str(&array),
        path_str(&out),
        "--region",
        "0:200",
    ]));
    assert!(
        err.contains("0:200 is outside 0:50") && err.contains("[50, 70]"),
        "{err}"
    );
}

#[test]
fn negative_and_open_indices_work_as_in_numpy() {
    let entry = store_entry("huff_i4@zarr3");
    let want = expected(&entry);
    let cols = 70usize;
    assert_eq!(want.shape, [50, 70]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.npy");
    // numpy: a[-10:, :-1], a[5, -3:], a[-1]
    for (region, rows, cols_range) in [
        ("-10:,:-1", 40..50, 0..69),
        ("5,-3:", 5..6, 67..70),
        ("-1", 49..50, 0..70),
    ] {
        ok(&run([
            "export",
            path_str(&store_dir(&entry)),
            path_str(&out),
            "--force",
            "--region",
            region,
        ]));
        let got = read_npy(&out);
        assert_eq!(got.shape, [rows.len(), cols_range.len()], "{region}");
        let mut slice = Vec::new();
        for r in rows {
            slice.extend_from_slice(
                &want.c_bytes[(r * cols + cols_range.start) * 4..(r * cols + cols_range.end) * 4],
            );
        }
        assert_same_bytes(&got.c_bytes, &slice, region);
    }
}

#[test]
fn a_zstd_level_out_of_range_gives_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let err = usage_fails(&run([
        "convert",
        path_str(&store_dir(&store_entry("huff_u2@zarr2"))),
        path_str(&dir.path().join("o.zarr")),
        "--codec",
        "zstd",
        "--level",
        "99",
    ]));
    assert!(err.contains("99 is not in -131072..=22"), "{err}");
    assert!(!err.contains("untagged"), "{err}");
}

#[test]
fn decompress_with_a_wrong_shape_says_what_the_chunk_holds() {
    let chunk = &manifest()["quant16_chunks"][0];
    let values: u64 = chunk["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .product();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.npy");
    let err = fails(&run([
        "decompress",
        path_str(&fixtures().join(chunk["chunk"].as_str().unwrap())),
        path_str(&out),
        "--codec",
        "quant16",
        "--shape",
        "7,11",
        "--offset",
        &chunk["offset"].to_string(),
    ]));
    assert!(
        err.contains(&format!(
            "chunk holds {values} values, --shape 7,11 gives 77"
        )),
        "{err}"
    );
    assert!(!err.contains("neither"), "{err}");
    assert!(!out.exists());
}

#[test]
fn truncated_chunks_are_called_damaged_or_truncated() {
    let chunk = &manifest()["quant16_chunks"][0];
    let bytes = std::fs::read(fixtures().join(chunk["chunk"].as_str().unwrap())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.chunk");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let shape = chunk["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let err = fails(&run([
        "decompress",
        path_str(&cut),
        path_str(&dir.path().join("x.npy")),
        "--codec",
        "quant16",
        "--shape",
        &shape,
    ]));
    assert!(
        err.contains(&format!("file {}", cut.display()))
            && err.contains("damaged or truncated chunk"),
        "{err}"
    );

    // In a store: verify and export say so too, and name the codec once.
    let copy = dir.path().join("copy.zarr");
    copy_dir(&store_dir(&store_entry("q16_o0_s1_edge@zarr2")), &copy);
    let stored = copy.join("images/raw/1.0");
    let bytes = std::fs::read(&stored).unwrap();
    std::fs::write(&stored, &bytes[..bytes.len() - 7]).unwrap();
    for args in [
        vec!["verify".to_string(), path_str(&copy).to_string()],
        vec![
            "export".to_string(),
            path_str(&copy.join("images/raw")).to_string(),
            path_str(&dir.path().join("y.npy")).to_string(),
        ],
    ] {
        let err = fails(&run(&args));
        assert!(err.contains("chunk images/raw/1.0"), "{err}");
        assert!(err.contains("damaged or truncated chunk"), "{err}");
        assert_eq!(err.matches("pymecompress-quant16").count(), 1, "{err}");
    }
}

#[test]
fn a_regular_file_given_as_a_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.zarr");
    std::fs::write(&file, b"not a store").unwrap();
    for command in ["info", "verify"] {
        let err = fails(&run([command, path_str(&file)]));
        assert!(err.contains("is a regular file"), "{err}");
        assert!(!err.contains("no such directory"), "{err}");
    }
}

#[test]
fn an_export_to_a_missing_directory_names_that_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing/o.npy");
    let err = fails(&run([
        "export",
        path_str(&store_dir(&store_entry("huff_u2@zarr2"))),
        path_str(&out),
    ]));
    assert!(
        err.contains(&format!(
            "directory {} does not exist",
            dir.path().join("missing").display()
        )),
        "{err}"
    );
    assert!(!err.contains(&format!("store {}", out.display())), "{err}");
}

#[test]
fn info_prints_no_array_list_after_a_metadata_error() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("bad.zarr");
    copy_dir(&store_dir(&store_entry("q16_o0_s2_stack@zarr2")), &copy);
    let zarray = std::fs::read_to_string(copy.join(".zarray")).unwrap();
    let broken = zarray.replace("\"scale\": 2", "\"scale\": 0");
    assert_ne!(broken, zarray, "fixture metadata has \"scale\": 2");
    std::fs::write(copy.join(".zarray"), broken).unwrap();
    let output = run(["info", path_str(&copy)]);
    let err = fails(&output);
    assert!(err.contains("scale = 0"), "{err}");
    assert!(
        !stdout(&output).contains("(no arrays)"),
        "{}",
        stdout(&output)
    );
}
