//! `convert SOURCE OUT --ome` (issue 22): PYME series as OME-Zarr images, NGFF 0.4 on Zarr v2
//! and 0.5 on Zarr v3; frames exported back as (y, x), PYME's `loads` transposed; pyramid
//! levels; SizeZ splitting; flags refused where they cannot apply.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;
use pymecompress_test_support::{fixtures, npy, temp_dir};
use serde_json::{json, Value};

fn series(which: &str, server: usize) -> PathBuf {
    let name = if which == "complete" {
        "scan_000.pcs"
    } else {
        "scan_002.pcs"
    };
    fixtures::path(&format!("pyme_series/data/{which}/server{server}/{name}"))
}

fn json_at(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// PYME's `loads` of every frame, (frames, x, y), as (frames, y, x) u16 values.
fn expected_yx(which: &str) -> Vec<u16> {
    let want = npy::read(&fixtures::path(&format!(
        "pyme_series/data/{which}/expected.npy"
    )))
    .unwrap();
    let v = u16s(&want);
    let (n, w, h) = (want.shape[0], want.shape[1], want.shape[2]);
    let mut out = vec![0; v.len()];
    for f in 0..n {
        for x in 0..w {
            for y in 0..h {
                out[(f * h + y) * w + x] = v[(f * w + x) * h + y];
            }
        }
    }
    out
}

#[test]
fn a_v2_image_keeps_moved_payloads_and_exports_as_y_x() {
    let dir = temp_dir("cli-ome-v2");
    let out = dir.join("c.ome.zarr");
    let said = ok(&run([
        "convert",
        path_str(&series("complete", 0)),
        "--node",
        path_str(&series("complete", 1)),
        path_str(&out),
        "--ome",
        "--frame-interval",
        "0.02",
    ]));
    assert!(said.contains("120 frames moved"), "{said}");
    assert!(said.contains("NGFF 0.4"), "{said}");
    let attrs = json_at(&out.join(".zattrs"));
    let ms = &attrs["multiscales"][0];
    assert_eq!(ms["version"], "0.4");
    assert_eq!(ms["name"], "scan_000");
    let names: Vec<&str> = ms["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["t", "y", "x"]);
    assert_eq!(
        ms["datasets"][0]["coordinateTransformations"][0]["scale"],
        json!([0.02, 0.1, 0.1])
    );
    assert_eq!(attrs["pyme_metadata"]["voxelsize.x"], 0.1);
    assert!(attrs["pyme_events"].is_array());
    let zarray = json_at(&out.join("0/.zarray"));
    assert_eq!(zarray["order"], "F", "PYME's x-major bytes, declared");
    let back = export_npy(&out.join("0"), &dir.join("back.npy"));
    assert_eq!(back.shape, [120, 32, 32]);
    assert_eq!(u16s(&back), expected_yx("complete"));
}

#[test]
fn a_v3_quant16_pyramid_moves_level_0_and_codes_the_rest_losslessly() {
    let dir = temp_dir("cli-ome-v3");
    let out = dir.join("q.ome.zarr");
    let said = ok(&run([
        "convert",
        path_str(&series("quantized", 0)),
        path_str(&out),
        "--ome",
        "--zarr-format",
        "3",
        "--levels",
        "3",
    ]));
    assert!(said.contains("4 frames moved"), "{said}");
    let group = json_at(&out.join("zarr.json"));
    assert_eq!(group["node_type"], "group");
    let ome = &group["attributes"]["ome"];
    assert_eq!(ome["version"], "0.5");
    let datasets = ome["multiscales"][0]["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 3);
    assert_eq!(
        datasets[2]["coordinateTransformations"][0]["scale"],
        json!([1.0, 0.4, 0.4])
    );
    let level0 = json_at(&out.join("0/zarr.json"));
    assert_eq!(level0["dimension_names"], json!(["t", "y", "x"]));
    assert_eq!(level0["codecs"][0]["name"], "transpose");
    assert_eq!(
        level0["codecs"][0]["configuration"]["order"],
        json!([0, 2, 1])
    );
    let level1 = json_at(&out.join("1/zarr.json"));
    assert_eq!(level1["shape"], json!([4, 16, 16]));
    assert!(level1["codecs"].to_string().contains("huffman"), "{level1}");
    let want = expected_yx("quantized");
    let back = export_npy(&out.join("0"), &dir.join("0.npy"));
    assert_eq!(u16s(&back), want);
    // Level 1: np.round of each 2x2 mean (half to even), in uint16.
    let half = export_npy(&out.join("1"), &dir.join("1.npy"));
    let mut means = Vec::new();
    for f in 0..4 {
        for y in 0..16 {
            for x in 0..16 {
                let at =
                    |dy: usize, dx: usize| u32::from(want[(f * 32 + 2 * y + dy) * 32 + 2 * x + dx]);
                let sum = at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
                means.push((f64::from(sum) / 4.0).round_ties_even() as u16);
            }
        }
    }
    assert_eq!(u16s(&half), means);
    ok(&run(["verify", path_str(&out)]));
}

#[test]
fn size_z_gives_a_z_axis_with_pymes_scales() {
    let dir = temp_dir("cli-ome-z");
    let copy = dir.join("scan.pcs");
    copy_dir(&series("quantized", 0), &copy);
    let mut meta = json_at(&copy.join("metadata.json"));
    meta["SizeZ"] = json!(2);
    meta["SizeT"] = json!(2);
    meta["DimOrder"] = json!("XYZTC");
    meta["voxelsize.z"] = json!(0.3);
    meta["Camera.CycleTime"] = json!(0.1);
    std::fs::write(copy.join("metadata.json"), meta.to_string()).unwrap();
    let out = dir.join("z.ome.zarr");
    let said = ok(&run([
        "convert",
        path_str(&copy),
        path_str(&out),
        "--ome",
        "--codec",
        "zstd",
    ]));
    assert!(
        said.contains("axes (t, z, y, x) shape [2, 2, 32, 32]"),
        "{said}"
    );
    let ms = &json_at(&out.join(".zattrs"))["multiscales"][0];
    assert_eq!(
        ms["datasets"][0]["coordinateTransformations"][0]["scale"],
        json!([0.1, 0.3, 0.1, 0.1])
    );
    assert_eq!(
        json_at(&out.join("0/.zarray"))["order"],
        "C",
        "re-encoded: C order"
    );
    let back = export_npy(&out.join("0"), &dir.join("z.npy"));
    assert_eq!(back.shape, [2, 2, 32, 32]);
    assert_eq!(u16s(&back), expected_yx("quantized"));
}

#[test]
fn ome_flags_are_refused_where_they_cannot_apply() {
    let dir = temp_dir("cli-ome-refused");
    let q = series("quantized", 0);
    let out = dir.join("x.zarr");
    let err = usage_fails(&run([
        "convert",
        path_str(&q),
        path_str(&out),
        "--levels",
        "2",
    ]));
    assert!(err.contains("--ome"), "{err}");
    let err = usage_fails(&run([
        "convert",
        path_str(&q),
        path_str(&out),
        "--ome",
        "--levels",
        "7",
    ]));
    assert!(err.contains("at most 6 levels"), "{err}");
    let err = usage_fails(&run([
        "convert",
        path_str(&q),
        path_str(&out),
        "--ome",
        "--chunks",
        "2,32,32",
    ]));
    assert!(err.contains("1 along each of t"), "{err}");
    assert!(!out.exists());
}

#[test]
fn info_describes_the_image_and_export_of_the_group_takes_level_0() {
    let dir = temp_dir("cli-ome-info");
    let out = dir.join("q.ome.zarr");
    ok(&run([
        "convert",
        path_str(&series("quantized", 0)),
        path_str(&out),
        "--ome",
        "--levels",
        "2",
    ]));
    let info: Value = serde_json::from_str(&ok(&run(["info", "--json", path_str(&out)]))).unwrap();
    let image = &info["ome_images"][0];
    assert_eq!(image["name"], "scan_002");
    assert_eq!(image["ngff_version"], "0.4");
    assert_eq!(image["axes"], json!(["t", "y", "x"]));
    assert_eq!(image["levels"][1]["path"], "/1");
    assert_eq!(image["levels"][1]["shape"], json!([4, 16, 16]));
    assert_eq!(image["levels"][1]["scale"], json!([1.0, 0.2, 0.2]));
    let text = ok(&run(["info", path_str(&out)]));
    assert!(
        text.contains("OME-Zarr    image \"scan_002\" (NGFF 0.4)"),
        "{text}"
    );

    let exported = run(["export", path_str(&out), path_str(&dir.join("g.npy"))]);
    ok(&exported);
    assert!(stderr(&exported).contains("exporting level 0 (/0)"));
    assert_eq!(
        u16s(&read_npy(&dir.join("g.npy"))),
        expected_yx("quantized")
    );
    // A plain store's group of several arrays is still refused, naming them.
    let plain = dir.join("plain.zarr");
    copy_dir(&out, &plain);
    std::fs::write(plain.join(".zattrs"), "{}").unwrap();
    let err = fails(&run([
        "export",
        path_str(&plain),
        path_str(&dir.join("p.npy")),
    ]));
    assert!(err.contains("name one: /0, /1"), "{err}");
}

#[test]
fn a_killed_ome_convert_resumes_into_the_uninterrupted_store() {
    let dir = temp_dir("cli-ome-killed");
    let args = |out: &Path, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec![
            "convert".into(),
            path_str(&series("complete", 0)).into(),
            "--node".into(),
            path_str(&series("complete", 1)).into(),
            path_str(out).into(),
            "--ome".into(),
            "--levels".into(),
            "3".into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let reference = dir.join("ref.zarr");
    ok(&run(args(&reference, &[])));
    let out = dir.join("out.zarr");
    let temp = killed_mid_write(&dir, &args(&out, &[]));
    // Other --ome arguments do not finish the leftover.
    let err = usage_fails(&run(args(&out, &["--resume", "--frame-interval", "0.5"])));
    assert!(err.contains("cannot resume"), "{err}");
    assert!(temp.is_dir());
    let output = run(args(&out, &["--resume"]));
    ok(&output);
    assert!(
        stderr(&output).contains("kept from the interrupted run"),
        "{}",
        stderr(&output)
    );
    let (ours, want) = (tree(&out), tree(&reference));
    let names = |t: &std::collections::BTreeMap<PathBuf, Vec<u8>>| -> Vec<PathBuf> {
        t.keys().cloned().collect()
    };
    assert_eq!(names(&ours), names(&want));
    for (name, bytes) in &want {
        if !name.to_string_lossy().contains("pymecompress") {
            assert_same_bytes(&ours[name], bytes, &name.display().to_string());
        }
    }
    let text = ok(&run(["verify", path_str(&out)]));
    assert!(
        text.contains("complete (every recorded chunk present)"),
        "{text}"
    );
}

#[test]
fn ome_is_refused_for_a_zarr_store_input() {
    let dir = pymecompress_test_support::temp_dir("cli-ome-store-input");
    let out = dir.join("o.zarr");
    let err = usage_fails(&run([
        "convert",
        path_str(&fixtures().join("stores/zarr2/huff_u2.zarr")),
        path_str(&out),
        "--ome",
    ]));
    assert!(err.contains("--ome is for a PYME source"), "{err}");
    assert!(!out.exists());
}

/// numpy's `np.round(a.reshape(.., y/2, 2, x/2, 2).mean((-1, -3)))` of (frames, y, x) u16
/// values, an odd last row or column dropped: rounded half to even, as the pyramid promises.
fn halved(values: &[u16], frames: usize, y: usize, x: usize) -> Vec<u16> {
    let (hy, hx) = (y / 2, x / 2);
    let mut out = Vec::with_capacity(frames * hy * hx);
    for f in 0..frames {
        for r in 0..hy {
            for c in 0..hx {
                let at =
                    |dy: usize, dx: usize| f64::from(values[(f * y + 2 * r + dy) * x + 2 * c + dx]);
                let mean = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4.0;
                out.push(mean.round_ties_even() as u16);
            }
        }
    }
    out
}

#[test]
fn export_level_takes_each_pyramid_level_through_the_multiscales_block() {
    let dir = temp_dir("cli-ome-export-level");
    let out = dir.join("p.ome.zarr");
    ok(&run([
        "convert",
        path_str(&series("complete", 0)),
        "--node",
        path_str(&series("complete", 1)),
        path_str(&out),
        "--ome",
        "--levels",
        "3",
        "--pixel-size",
        "9",
    ]));
    // The levels as the NGFF block lists them: paths 0, 1, 2, scales doubling along y and x.
    let ms = &json_at(&out.join(".zattrs"))["multiscales"][0];
    for (k, scale) in [0.1, 0.2, 0.4].into_iter().enumerate() {
        assert_eq!(ms["datasets"][k]["path"], k.to_string());
        assert_eq!(
            ms["datasets"][k]["coordinateTransformations"][0]["scale"],
            json!([1.0, scale, scale]),
            "level {k}"
        );
    }

    let level = |k: &str| {
        let npy = dir.join(format!("level{k}.npy"));
        let output = run(["export", path_str(&out), path_str(&npy), "--level", k]);
        ok(&output);
        assert!(
            stderr(&output).contains(&format!("exporting level {k} (/{k})")),
            "{}",
            stderr(&output)
        );
        read_npy(&npy)
    };
    let level0 = level("0");
    assert_eq!(level0.shape, [120, 32, 32]);
    assert_eq!(u16s(&level0), expected_yx("complete"));
    // Without --level: level 0 as well.
    assert_eq!(
        u16s(&export_npy(&out, &dir.join("default.npy"))),
        u16s(&level0)
    );
    let level1 = level("1");
    assert_eq!(level1.shape, [120, 16, 16]);
    let want1 = halved(&u16s(&level0), 120, 32, 32);
    assert_eq!(u16s(&level1), want1);
    let level2 = level("2");
    assert_eq!(level2.shape, [120, 8, 8]);
    assert_eq!(u16s(&level2), halved(&want1, 120, 16, 16));
    // A region of a level is taken within that level.
    ok(&run([
        "export",
        path_str(&out),
        path_str(&dir.join("r.npy")),
        "--level",
        "1",
        "--region",
        "3:5,:,8:",
    ]));
    let region = read_npy(&dir.join("r.npy"));
    assert_eq!(region.shape, [2, 16, 8]);
    let rows: Vec<u16> = (3..5)
        .flat_map(|f| (0..16).flat_map(move |y| (8..16).map(move |x| (f, y, x))))
        .map(|(f, y, x)| want1[(f * 16 + y) * 16 + x])
        .collect();
    assert_eq!(u16s(&region), rows);

    let err = fails(&run([
        "export",
        path_str(&out),
        path_str(&dir.join("x.npy")),
        "--level",
        "3",
    ]));
    assert!(err.contains("has 3 levels (0 to 2)"), "{err}");
    assert!(!dir.join("x.npy").exists());
    // An array, or a group without an NGFF block, is not an image.
    let err = fails(&run([
        "export",
        path_str(&out.join("1")),
        path_str(&dir.join("x.npy")),
        "--level",
        "1",
    ]));
    assert!(err.contains("not an OME-Zarr image"), "{err}");
    let err = fails(&run([
        "export",
        path_str(&fixtures().join("stores/zarr2/huff_u2.zarr")),
        path_str(&dir.join("x.npy")),
        "--level",
        "0",
    ]));
    assert!(err.contains("not an OME-Zarr image"), "{err}");
    let err = usage_fails(&run([
        "export",
        path_str(&series("complete", 0)),
        path_str(&dir.join("x.npy")),
        "--level",
        "1",
    ]));
    assert!(err.contains("--level 1 is for an OME-Zarr image"), "{err}");
    assert!(!dir.join("x.npy").exists());
}

#[test]
fn frames_of_depth_above_1_are_refused_by_ome() {
    // A PZF file pymecompress 0.3.6 wrote with Depth 3 (fixtures/pzf/generate_pzf.py).
    let pzf = fixtures::path("pzf/f32_huff_C_3d.pzf");
    let dir = temp_dir("cli-ome-depth");
    let out = dir.join("d.zarr");
    let err = usage_fails(&run(["convert", path_str(&pzf), path_str(&out), "--ome"]));
    assert!(
        err.contains("frames of depth 3 (PZF Depth above 1) are not written as an OME image"),
        "{err}"
    );
    assert!(err.contains("f32_huff_C_3d.pzf"), "{err}");
    assert!(!out.exists());
    // Without --ome the same file converts (the refusal is --ome's, not the reader's).
    ok(&run(["convert", path_str(&pzf), path_str(&out)]));
}
