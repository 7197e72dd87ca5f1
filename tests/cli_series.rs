//! PYME cluster series as CLI input (issue 10): `info`, `export`, `convert` and `verify` of the
//! two-server series PYME's spooler wrote (`fixtures/pyme_series/data/`), merged with `--node`;
//! an incomplete series refused unless `--allow-incomplete`; quantized frames moved into
//! quant16 chunks without decoding.

mod cli_common;

use std::path::{Path, PathBuf};

use cli_common::*;
use pymecompress_test_support::{fixtures, npy};
use serde_json::Value;

fn series(which: &str, server: usize) -> PathBuf {
    let name = match which {
        "complete" => "scan_000.pcs",
        "incomplete" => "scan_001.pcs",
        _ => "scan_002.pcs",
    };
    fixtures::path(&format!("pyme_series/data/{which}/server{server}/{name}"))
}

/// `[first dir, --node, second dir]` of a two-server series.
fn two_servers(which: &str) -> Vec<String> {
    vec![
        series(which, 0).display().to_string(),
        "--node".into(),
        series(which, 1).display().to_string(),
    ]
}

fn args<'a>(head: &[&'a str], rest: &'a [String]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(rest.iter().map(String::as_str))
        .collect()
}

fn expected(which: &str) -> npy::Npy {
    npy::read(&fixtures::path(&format!(
        "pyme_series/data/{which}/expected.npy"
    )))
    .unwrap()
}

#[test]
fn export_of_a_two_server_series_equals_pymes_stack() {
    let dir = pymecompress_test_support::temp_dir("cli-series-export");
    let out = dir.join("c.npy");
    let rest = [two_servers("complete"), vec![path_str(&out).to_string()]].concat();
    let said = ok(&run(args(&["export"], &rest)));
    assert!(said.contains("120x32x32 uint16"), "{said}");
    let ours = npy::read(&out).unwrap();
    let want = expected("complete");
    assert_eq!((&ours.descr, &ours.shape), (&want.descr, &want.shape));
    assert_same_bytes(&ours.c_bytes, &want.c_bytes, "complete series");

    // Without its second server, the series has gaps: refused, naming them.
    let err = fails(&run([
        "export",
        path_str(&series("complete", 0)),
        path_str(&dir.join("half.npy")),
    ]));
    assert!(err.contains("50 frames missing (50-99)"), "{err}");
}

#[test]
fn info_json_reports_frames_completeness_and_missing() {
    let out = ok(&run(args(&["info", "--json"], &two_servers("complete"))));
    let info: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["kind"], "series");
    assert_eq!(info["frames"], 120);
    assert_eq!(info["complete"], true);
    assert_eq!(info["missing"], serde_json::json!([]));
    assert_eq!(info["header"]["Width"], 32);
    assert_eq!(info["header"]["DataCompression"], 1);

    let out = ok(&run(args(&["info", "--json"], &two_servers("incomplete"))));
    let info: Value = serde_json::from_str(&out).unwrap();
    let manifest = fixtures::manifest_at("pyme_series/data/manifest.json");
    let m = &manifest["series"]["incomplete"];
    assert_eq!(info["complete"], false);
    assert_eq!(info["missing"], m["missing"]);
    assert_eq!(info["series"]["finished"], false);
    assert_eq!(info["frames"], 114);
    let text = ok(&run(args(&["info"], &two_servers("incomplete"))));
    assert!(text.contains("missing frames 57, 115-119"), "{text}");
}

#[test]
fn an_incomplete_series_is_refused_unless_allowed() {
    let dir = pymecompress_test_support::temp_dir("cli-series-incomplete");
    let npy_out = dir.join("i.npy");
    let zarr_out = dir.join("i.zarr");
    let rest = two_servers("incomplete");
    for (command, out) in [("export", &npy_out), ("convert", &zarr_out)] {
        let mut a = args(&[command], &rest);
        a.push(path_str(out));
        if command == "convert" {
            a.extend(["--codec", "huffman"]);
        }
        let err = fails(&run(&a));
        assert!(
            err.contains("incomplete: 6 frames missing (57, 115-119); no events.json"),
            "{err}"
        );
        assert!(err.contains("--allow-incomplete"), "{err}");
        a.push("--allow-incomplete");
        ok(&run(&a));
    }
    assert_eq!(dir_names(&dir), ["i.npy", "i.zarr"]);
    // Missing frames are zeros in the export and absent chunks in the store.
    let ours = npy::read(&npy_out).unwrap();
    assert_eq!(ours.shape, [120, 32, 32]);
    let frame = 32 * 32 * 2;
    let complete = expected("complete");
    for n in 0..120 {
        let got = &ours.c_bytes[n * frame..(n + 1) * frame];
        if n == 57 || n >= 115 {
            assert!(got.iter().all(|&b| b == 0), "frame {n}");
        } else {
            // The incomplete series holds the same frames as the complete one, where present.
            assert!(got.iter().any(|&b| b != 0), "frame {n}");
        }
    }
    assert!(complete.c_bytes.len() == ours.c_bytes.len());
    assert!(!zarr_out.join("57.0.0").exists() && zarr_out.join("56.0.0").exists());
    let attrs: Value =
        serde_json::from_slice(&std::fs::read(zarr_out.join(".zattrs")).unwrap()).unwrap();
    assert_eq!(
        attrs["pyme_missing_frames"],
        serde_json::json!([57, 115, 116, 117, 118, 119])
    );
    assert!(attrs.get("pyme_events").is_none());
    let back = dir.join("back.npy");
    ok(&run(["export", path_str(&zarr_out), path_str(&back)]));
    assert_same_bytes(
        &npy::read(&back).unwrap().c_bytes,
        &ours.c_bytes,
        "zarr = npy",
    );
}

/// Converts, exports the store and compares with PYME's stack.
fn convert_and_back(which: &str, rest: &[&str], dir: &Path) -> (PathBuf, String) {
    let out = dir.join(format!(
        "{which}-{}.zarr",
        rest.join("_").replace(['-', ','], "")
    ));
    let mut a: Vec<String> = vec!["convert".into()];
    a.push(series(which, 0).display().to_string());
    if which != "quantized" {
        a.extend(["--node".into(), series(which, 1).display().to_string()]);
    }
    a.push(path_str(&out).to_string());
    a.extend(rest.iter().map(|s| s.to_string()));
    let said = ok(&run(&a));
    let back = dir.join("back.npy");
    ok(&run(["export", path_str(&out), path_str(&back), "--force"]));
    let ours = npy::read(&back).unwrap();
    let want = expected(which);
    assert_eq!(ours.shape, want.shape, "{which} {rest:?}");
    assert_same_bytes(&ours.c_bytes, &want.c_bytes, &format!("{which} {rest:?}"));
    (out, said)
}

#[test]
fn convert_to_zarr_and_back_equals_pymes_stack() {
    let dir = pymecompress_test_support::temp_dir("cli-series-convert");
    for rest in [
        &["--codec", "huffman"][..],
        &["--codec", "huffman", "--zarr-format", "3", "--checksum"],
        &["--codec", "zstd", "--zarr-format", "3"],
        &["--codec", "blosc"],
        &["--codec", "none", "--chunks", "7,32,16"],
        &["--codec", "huffman", "--chunks", "10,32,32"],
    ] {
        let (out, said) = convert_and_back("complete", rest, &dir);
        // One whole frame per chunk and the Huffman codec: the payloads are moved.
        if rest[1] == "huffman" && !rest.contains(&"--chunks") {
            assert!(said.contains("120 frames moved as stored"), "{said}");
        } else {
            assert!(!said.contains("moved"), "{said}");
        }
        let attrs: Value = if rest.contains(&"3") {
            let meta: Value =
                serde_json::from_slice(&std::fs::read(out.join("zarr.json")).unwrap()).unwrap();
            meta["attributes"].clone()
        } else {
            serde_json::from_slice(&std::fs::read(out.join(".zattrs")).unwrap()).unwrap()
        };
        assert_eq!(attrs["pyme_metadata"]["SizeT"], -1, "{rest:?}");
        assert_eq!(attrs["pyme_events"][0][0], "StartAq", "{rest:?}");
        assert!(attrs.get("pyme_missing_frames").is_none());
        ok(&run(["verify", path_str(&out)]));
    }
    // Huffman chunks moved as stored are the PZF payload plus the byte count.
    let out = dir.join("complete-codec_huffman.zarr");
    let pzf = std::fs::read(series("complete", 1).join("frame00077.pzf")).unwrap();
    let chunk = std::fs::read(out.join("77.0.0")).unwrap();
    let mut want = pzf[64..].to_vec();
    want.extend_from_slice(&(32u32 * 32 * 2).to_le_bytes());
    assert_eq!(chunk, want);
}

#[test]
fn quantized_frames_move_into_quant16_chunks_without_decoding() {
    let dir = pymecompress_test_support::temp_dir("cli-series-quant16");
    for format in ["2", "3"] {
        let (out, said) = convert_and_back(
            "quantized",
            &["--codec", "quant16", "--zarr-format", format],
            &dir,
        );
        assert!(said.contains("4 frames moved as stored"), "{said}");
        assert!(said.contains("not quantized again"), "{said}");
        for n in 0..4u32 {
            let pzf =
                std::fs::read(series("quantized", 0).join(format!("frame{n:05}.pzf"))).unwrap();
            let key = if format == "2" {
                format!("{n}.0.0")
            } else {
                format!("c/{n}/0/0")
            };
            let chunk = std::fs::read(out.join(key)).unwrap();
            let mut want = pzf[64..].to_vec();
            want.extend_from_slice(&(32u32 * 32).to_le_bytes());
            assert_eq!(chunk, want, "frame {n}: payload + value count");
        }
        if format == "2" {
            let meta: Value =
                serde_json::from_slice(&std::fs::read(out.join(".zarray")).unwrap()).unwrap();
            assert_eq!(
                meta["compressor"],
                serde_json::json!({"id": "pymecompress-quant16", "offset": 100, "scale": 1})
            );
        }
    }
    // Other parameters would quantize a second time: refused unless --requantize.
    let err = usage_fails(&run([
        "convert",
        path_str(&series("quantized", 0)),
        path_str(&dir.join("r.zarr")),
        "--codec",
        "quant16",
        "--offset",
        "0",
        "--scale",
        "1",
    ]));
    assert!(
        err.contains("quantized already, with offset 100 and scale 1"),
        "{err}"
    );
    // A lossless series needs parameters for quant16, never made up.
    let err = usage_fails(&run(args(
        &["convert", "--codec", "quant16"],
        &[
            two_servers("complete"),
            vec![path_str(&dir.join("q.zarr")).into()],
        ]
        .concat(),
    )));
    assert!(err.contains("--offset and --scale are required"), "{err}");
    let said = ok(&run(args(
        &[
            "convert", "--codec", "quant16", "--offset", "auto", "--scale", "1",
        ],
        &[
            two_servers("complete"),
            vec![path_str(&dir.join("q.zarr")).into()],
        ]
        .concat(),
    )));
    assert!(said.contains("encoded with pymecompress-quant16"), "{said}");
}

#[test]
fn frames_that_differ_are_named() {
    let dir = pymecompress_test_support::temp_dir("cli-series-differ");
    let copy = dir.join("mixed.pcs");
    copy_dir(&series("complete", 0), &copy);
    // Frame 3 from the quantized series: same shape, other quantization.
    std::fs::copy(
        series("quantized", 0).join("frame00003.pzf"),
        copy.join("frame00003.pzf"),
    )
    .unwrap();
    let err = fails(&run([
        "export",
        path_str(&copy),
        path_str(&dir.join("o.npy")),
        "--allow-incomplete",
    ]));
    assert!(err.contains("frame 3 has quantization"), "{err}");
    assert!(err.contains("frame00003.pzf"), "{err}");
    let err = fails(&run(["verify", path_str(&copy)]));
    assert!(err.contains("frame 3 has quantization"), "{err}");
}

#[test]
fn verify_decodes_every_frame_and_names_a_damaged_one() {
    let out = ok(&run(args(&["verify"], &two_servers("complete"))));
    assert!(
        out.contains("120 frames checked: every one decodes; complete"),
        "{out}"
    );
    let dir = pymecompress_test_support::temp_dir("cli-series-verify");
    let copy = dir.join("cut.pcs");
    copy_dir(&series("complete", 0), &copy);
    let frame = copy.join("frame00010.pzf");
    let bytes = std::fs::read(&frame).unwrap();
    std::fs::write(&frame, &bytes[..bytes.len() - 200]).unwrap();
    let err = fails(&run(["verify", path_str(&copy)]));
    assert!(err.contains("frame00010.pzf"), "{err}");
}

/// The zarr quant16 codec dequantizes in f64, `(q * scale)^2 + offset` with the configuration's
/// numbers (the f32 parameters' shortest decimals), PZF in f32: the values a moved frame reads
/// as in zarr against those our PZF reader gives. Equal for the series fixture's (100, 1) and
/// every integer scale; at fractional scales some symbols differ by one (docs/compatibility.md).
#[test]
fn zarr_and_pzf_dequantization_agree_where_documented() {
    use pymecompress_codecs::{pzf, QuantParams};
    let mut report = Vec::new();
    for (offset, scale) in [
        (100.0f32, 1.0f32),
        (0.0, 1.0),
        (-10.0, 1.0),
        (0.0, 3.0),
        (0.0, 4.0),
        (0.0, 0.5),
        (0.0, 0.2),
        (50.5, 2.5),
        (33.3, 1.7),
    ] {
        let pzf_values = pzf::dequant_table(offset, scale);
        let zarr = QuantParams::new(
            offset.to_string().parse().unwrap(),
            scale.to_string().parse().unwrap(),
        )
        .unwrap();
        let differ: Vec<(u8, u16, u16)> = (0..=255u8)
            .filter(|&q| zarr.dequantize(q) != pzf_values[q as usize])
            .map(|q| (q, pzf_values[q as usize], zarr.dequantize(q)))
            .collect();
        report.push(format!(
            "offset {offset} scale {scale}: {} of 256 symbols differ{}",
            differ.len(),
            differ
                .first()
                .map(|(q, p, z)| format!(", e.g. q={q}: PZF {p}, zarr {z}"))
                .unwrap_or_default()
        ));
        if scale.fract() == 0.0 && offset.fract() == 0.0 {
            assert!(differ.is_empty(), "{}", report.last().unwrap());
        }
        assert!(
            differ.iter().all(|(_, p, z)| p.abs_diff(*z) <= 1),
            "{report:?}"
        );
    }
    // A sweep over PYME's range of scales (0.001..=100) and some offsets: how often the two
    // dequantizations differ, and by how much (figures in docs/compatibility.md).
    let (mut pairs, mut pairs_differing, mut symbols_differing, mut worst) = (0, 0, 0, 0u16);
    let mut example = None;
    for offset in [0.0f32, 0.5, 33.3, 100.0, 100.7, 1000.1] {
        for k in 1..=10_000u32 {
            let scale = k as f32 / 100.0;
            let pzf_values = pzf::dequant_table(offset, scale);
            let zarr = QuantParams::new(
                offset.to_string().parse().unwrap(),
                scale.to_string().parse().unwrap(),
            )
            .unwrap();
            pairs += 1;
            let mut any = false;
            for q in 0..=255u8 {
                let (p, z) = (pzf_values[q as usize], zarr.dequantize(q));
                if p != z {
                    any = true;
                    symbols_differing += 1;
                    worst = worst.max(p.abs_diff(z));
                    example.get_or_insert((offset, scale, q, p, z));
                }
            }
            pairs_differing += usize::from(any);
        }
    }
    report.push(format!(
        "sweep: {pairs_differing} of {pairs} (offset, scale) pairs differ, {symbols_differing} \
         symbols in all, by at most {worst}; first: {example:?}"
    ));
    assert!(worst <= 1, "{report:?}");
    println!("{}", report.join("\n"));
}

/// Writes a series of `frames` frames of shape (w, h, d), uint8, in F order, as PYME lays one
/// out (frame files, metadata.json, events.json); returns the C-order stack expected.
fn synthetic_series(dir: &Path, frames: u32, [w, h, d]: [usize; 3]) -> Vec<u8> {
    use pymecompress_codecs::pzf::{self, Compression, DimOrder, PzfSlice, PzfWriteOptions};
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("metadata.json"), r#"{"SizeT": -1}"#).unwrap();
    std::fs::write(dir.join("events.json"), r#"[["StartAq", "0", 1.5]]"#).unwrap();
    let mut stack = Vec::new();
    for n in 0..frames {
        let value = |x: usize, y: usize, z: usize| (x * 7 + y * 3 + z * 11 + n as usize) as u8;
        let mut f_order = vec![0u8; w * h * d];
        for x in 0..w {
            for y in 0..h {
                for z in 0..d {
                    f_order[x + w * (y + h * z)] = value(x, y, z);
                    stack.push(value(x, y, z));
                }
            }
        }
        let options = PzfWriteOptions {
            compression: Compression::Huffman,
            frame_num: n,
            ..Default::default()
        };
        let file = pzf::encode(PzfSlice::U8(&f_order), [w, h, d], DimOrder::F, &options).unwrap();
        std::fs::write(dir.join(format!("frame{n:05}.pzf")), file).unwrap();
    }
    stack
}

#[test]
fn f_order_frames_with_depth_stack_in_four_dimensions() {
    let dir = pymecompress_test_support::temp_dir("cli-series-f-depth");
    let series_dir = dir.join("s.pcs");
    let want = synthetic_series(&series_dir, 5, [6, 4, 3]);
    let out = dir.join("s.npy");
    ok(&run(["export", path_str(&series_dir), path_str(&out)]));
    let ours = npy::read(&out).unwrap();
    assert_eq!(ours.shape, [5, 6, 4, 3]);
    assert_eq!(ours.descr, "|u1");
    assert_same_bytes(&ours.c_bytes, &want, "export");
    // quant16 codes uint16 only: refused, never silently written as something else.
    let err = usage_fails(&run([
        "convert",
        path_str(&series_dir),
        path_str(&dir.join("q.zarr")),
        "--codec",
        "quant16",
    ]));
    assert!(err.contains("is uint8; quant16 codes uint16 only"), "{err}");
    for codec in ["huffman", "zstd"] {
        let store = dir.join(format!("{codec}.zarr"));
        let said = ok(&run([
            "convert",
            path_str(&series_dir),
            path_str(&store),
            "--codec",
            codec,
            "--zarr-format",
            "3",
        ]));
        // F-order payloads are not C-order chunks: decoded and encoded, not moved.
        assert!(!said.contains("moved"), "{said}");
        let back = dir.join(format!("{codec}.npy"));
        ok(&run(["export", path_str(&store), path_str(&back)]));
        let back = npy::read(&back).unwrap();
        assert_eq!(back.shape, [5, 6, 4, 3]);
        assert_same_bytes(&back.c_bytes, &want, codec);
    }
}
