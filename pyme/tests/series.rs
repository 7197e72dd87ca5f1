//! PYME cluster series, as PYME's own `ClusterBackend` spooled them over two data servers
//! (`fixtures/pyme_series/data`, made by `fixtures/pyme_series/generate.sh`).

use std::path::{Path, PathBuf};

use pymecompress_codecs::pzf::{DataFormat, PzfData, Quantization};
use pymecompress_pyme::series::{Series, SeriesError};
use pymecompress_test_support::{fixtures, npy};

fn data() -> PathBuf {
    fixtures::path("pyme_series/data")
}

fn servers(fixture: &str, series: &str) -> Vec<PathBuf> {
    (0..2)
        .map(|s| data().join(fixture).join(format!("server{s}")).join(series))
        .filter(|p| p.is_dir())
        .collect()
}

fn open(dirs: &[PathBuf]) -> Result<Series, SeriesError> {
    Series::open(&dirs[0], &dirs[1..])
}

/// PYME's `loads` of every frame, stacked (frames, 32, 32), as the generator saved it.
fn expected(fixture: &str) -> Vec<Vec<u16>> {
    let npy = npy::read(&data().join(fixture).join("expected.npy")).unwrap();
    assert_eq!(npy.descr, "<u2");
    let values: Vec<u16> = npy
        .c_bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    values.chunks_exact(32 * 32).map(<[u16]>::to_vec).collect()
}

fn manifest() -> serde_json::Value {
    fixtures::manifest_at("pyme_series/data/manifest.json")
}

#[test]
fn a_complete_two_server_series_reads_as_pyme_wrote_it() {
    let dirs = servers("complete", "scan_000.pcs");
    assert_eq!(dirs.len(), 2);
    let series = open(&dirs).unwrap();
    assert_eq!(
        series.frame_numbers().collect::<Vec<_>>(),
        (0..120).collect::<Vec<_>>()
    );
    assert!(series.missing().is_empty());
    assert_eq!(
        series.expected_frames(),
        None,
        "a spooled series has SizeT -1"
    );
    assert!(series.is_finished() && series.is_complete());
    assert_eq!(series.metadata()["Camera.ADOffset"], 100.0);
    assert_eq!(series.dimensions().dim_order, "XYCZT");
    assert!(series.final_metadata().is_some());
    let events = series.events().unwrap();
    assert_eq!(
        (events[0].name.as_str(), events[0].description.as_str()),
        ("StartAq", "0")
    );
    assert_eq!(events.last().unwrap().name, "StopAq");

    let stack = expected("complete");
    for n in 0..120u32 {
        let frame = series.read_frame(n).unwrap();
        assert_eq!(frame.shape(), [32, 32, 1]);
        assert_eq!(
            frame.data,
            PzfData::U16(stack[n as usize].clone()),
            "frame {n}"
        );
        let path = &series.frame(n).unwrap().path;
        assert_eq!(series.frame_bytes(n).unwrap(), std::fs::read(path).unwrap());
        // HTTPSpooler_v2's distribution: frame i on server int(i/50) % 2.
        let server = format!("server{}", (n / 50) % 2);
        assert!(
            path.components().any(|c| c.as_os_str() == server.as_str()),
            "{n}: {}",
            path.display()
        );
    }
    let layout = series.check_uniform().unwrap();
    assert_eq!(
        (layout.data_format, layout.shape),
        (DataFormat::U16, [32, 32, 1])
    );
    assert_eq!(
        (layout.quantization, layout.quant),
        (Quantization::None, None)
    );
    assert!(matches!(
        series.read_frame(120),
        Err(SeriesError::NoSuchFrame { frame: 120 })
    ));
}

#[test]
fn node_order_does_not_matter_and_one_server_alone_has_gaps() {
    let mut dirs = servers("complete", "scan_000.pcs");
    dirs.reverse();
    assert_eq!(open(&dirs).unwrap().frame_count(), 120);
    // The server holding metadata.json, without the other: frames 50..=99 are gaps.
    let files = &manifest()["series"]["complete"]["files"];
    let with_metadata: Vec<PathBuf> = servers("complete", "scan_000.pcs")
        .into_iter()
        .filter(|d| {
            let server = d.parent().unwrap().file_name().unwrap().to_str().unwrap();
            files[server]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "metadata.json")
        })
        .collect();
    let alone = open(&with_metadata[..1]).unwrap();
    assert_eq!(alone.missing(), (50..100).collect::<Vec<u32>>());
    assert!(alone.is_finished() && !alone.is_complete());
}

#[test]
fn an_unfinished_series_reports_gaps_and_frames_past_the_last() {
    let series = open(&servers("incomplete", "scan_001.pcs")).unwrap();
    assert_eq!(series.expected_frames(), Some(120));
    let mut missing = vec![57];
    missing.extend(115..120);
    assert_eq!(series.missing(), missing);
    let from_generator: Vec<u32> = manifest()["series"]["incomplete"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    assert_eq!(series.missing(), from_generator);
    assert!(!series.is_finished() && !series.is_complete());
    assert!(series.events().is_none() && series.final_metadata().is_none());
}

#[test]
fn a_quantized_series_shares_its_parameters() {
    let dirs = vec![data().join("quantized/server0/scan_002.pcs")];
    let series = open(&dirs).unwrap();
    let layout = series.check_uniform().unwrap();
    let quant = layout.quant.expect("quantized");
    assert_eq!(layout.quantization, Quantization::Sqrt);
    assert_eq!((quant.offset, quant.scale), (100.0, 1.0));
    assert_eq!((quant.params.offset(), quant.params.scale()), (100.0, 1.0));
    let stack = expected("quantized");
    for n in 0..4u32 {
        assert_eq!(
            series.read_frame(n).unwrap().data,
            PzfData::U16(stack[n as usize].clone())
        );
    }
}

/// A scratch node directory holding copies of `files` (source path, name in the node).
fn node_with(files: &[(PathBuf, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, name) in files {
        std::fs::copy(from, dir.path().join(name)).unwrap();
    }
    dir
}

fn complete_frame(n: u32) -> PathBuf {
    let dirs = servers("complete", "scan_000.pcs");
    dirs.iter()
        .map(|d| d.join(format!("frame{n:05}.pzf")))
        .find(|p| p.exists())
        .unwrap()
}

fn quantized_frame(n: u32) -> PathBuf {
    data().join(format!("quantized/server0/scan_002.pcs/frame{n:05}.pzf"))
}

#[test]
fn duplicates_merge_when_identical_and_fail_when_not() {
    let dirs = servers("complete", "scan_000.pcs");
    let same = node_with(&[(complete_frame(3), "frame00003.pzf")]);
    let series = Series::open(&dirs[0], &[dirs[1].clone(), same.path().to_path_buf()]).unwrap();
    assert_eq!(series.frame_count(), 120);

    let other = node_with(&[(quantized_frame(3), "frame00003.pzf")]);
    let err = Series::open(&dirs[0], &[dirs[1].clone(), other.path().to_path_buf()]).unwrap_err();
    let SeriesError::DuplicateFrame {
        frame,
        first,
        second,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*frame, first.as_path()), (3, complete_frame(3).as_path()));
    assert!(second.starts_with(other.path()));
    assert!(err.to_string().contains("frame 3 is stored twice"), "{err}");
}

#[test]
fn file_names_must_agree_with_frame_numbers() {
    let dirs = servers("complete", "scan_000.pcs");
    let node = node_with(&[(complete_frame(4), "frame00200.pzf")]);
    let err = Series::open(&dirs[0], &[node.path().to_path_buf()]).unwrap_err();
    assert!(
        matches!(
            err,
            SeriesError::FrameNumberMismatch {
                name_number: 200,
                header_number: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("frame00200.pzf"), "{err}");

    let node = node_with(&[(complete_frame(4), "frame4.pzf")]);
    let err = Series::open(&dirs[0], &[node.path().to_path_buf()]).unwrap_err();
    assert!(
        matches!(err, SeriesError::UnexpectedFrameFile { .. }),
        "{err}"
    );
}

#[test]
fn differing_frames_are_named() {
    let node = node_with(&[
        (complete_frame(5), "frame00005.pzf"),
        (complete_frame(4), "frame00004.pzf"),
    ]);
    let series = Series::open(
        data().join("quantized/server0/scan_002.pcs"),
        &[node.path().to_path_buf()],
    )
    .unwrap();
    let err = series.check_uniform().unwrap_err();
    let SeriesError::FramesDiffer {
        frame,
        first_frame,
        field,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*frame, *first_frame, *field), (4, 0, "quantization"));
    let message = err.to_string();
    assert!(
        message.contains("sqrt (offset 100, scale 1)") && message.contains("none"),
        "{message}"
    );
}

#[test]
fn damaged_files_are_errors_naming_them() {
    let dirs = servers("complete", "scan_000.pcs");
    let bytes = std::fs::read(complete_frame(7)).unwrap();
    let node = tempfile::tempdir().unwrap();
    // A header cut short: refused on opening.
    std::fs::write(node.path().join("frame00007.pzf"), &bytes[..40]).unwrap();
    let err = Series::open(&dirs[0], &[node.path().to_path_buf()]).unwrap_err();
    assert!(
        matches!(err, SeriesError::Header { .. }) && err.to_string().contains("frame00007.pzf"),
        "{err}"
    );
    // A payload cut short: opening reads headers only; reading the frame fails.
    let gap = copy_series(&dirs[0]);
    std::fs::write(
        gap.path().join("frame00007.pzf"),
        &bytes[..bytes.len() - 300],
    )
    .unwrap();
    let series = Series::open(gap.path(), &[]).unwrap();
    let err = series.read_frame(7).unwrap_err();
    assert!(
        matches!(err, SeriesError::Decode { .. }) && err.to_string().contains("frame00007.pzf"),
        "{err}"
    );
}

fn copy_series(dir: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
    }
    copy
}

#[test]
fn json_files_must_be_what_pyme_writes() {
    let dirs = servers("complete", "scan_000.pcs");
    let node = tempfile::tempdir().unwrap();
    let nodes = [dirs[1].clone(), node.path().to_path_buf()];
    std::fs::write(node.path().join("events.json"), r#"[["StartAq", "0"]]"#).unwrap();
    let err = Series::open(&dirs[0], &nodes).unwrap_err();
    assert!(
        err.to_string()
            .contains("events.json: event 0: expected [string, string, number]"),
        "{err}"
    );
    // HTTPSpooler_v2 also writes the backend's empty event list: the real one wins.
    std::fs::write(node.path().join("events.json"), "[]").unwrap();
    assert_eq!(
        Series::open(&dirs[0], &nodes)
            .unwrap()
            .events()
            .unwrap()
            .len(),
        5
    );
    std::fs::write(
        node.path().join("events.json"),
        r#"[["StartAq", "1", 2.0]]"#,
    )
    .unwrap();
    let err = Series::open(&dirs[0], &nodes).unwrap_err();
    assert!(
        matches!(err, SeriesError::ConflictingCopies { .. }),
        "{err}"
    );
    std::fs::remove_file(node.path().join("events.json")).unwrap();
    std::fs::write(
        node.path().join("metadata.json"),
        r#"{"DimOrder": "XYQZT"}"#,
    )
    .unwrap();
    let err = Series::open(node.path(), &[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("DimOrder: expected XY followed by Z, T and C"),
        "{err}"
    );
    std::fs::remove_file(node.path().join("metadata.json")).unwrap();
    let err = Series::open(node.path(), &[]).unwrap_err();
    assert!(matches!(err, SeriesError::MissingMetadata { .. }), "{err}");
    let err = Series::open(data().join("complete/nowhere.pcs"), &[]).unwrap_err();
    assert!(matches!(err, SeriesError::NotADirectory { .. }), "{err}");
}
