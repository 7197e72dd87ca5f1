//! The FrameSource trait over data PYME's own code wrote: every PZF fixture as a `.pzf` file,
//! the fixture series, the gap policy, and writing into zarr (payloads moved, proven, and
//! damaged ones refused).

mod to_zarr_common;

use std::path::PathBuf;
use to_zarr_common::{frame_array, write_all};

use pymecompress_pyme::gaps;
use pymecompress_pyme::to_zarr::PassThrough;
use pymecompress_pyme::{open_source, FrameSource, SourceError, SourceKind};
use pymecompress_test_support::{fixtures, npy, pyme_series, temp_dir};

fn open(dirs: &[PathBuf]) -> Box<dyn FrameSource> {
    open_source(&dirs[0], &dirs[1..])
        .unwrap()
        .expect("a PYME source")
}

/// PYME's `loads` of every frame of a fixture series, stacked, as little-endian bytes.
fn expected_stack(fixture: &str) -> Vec<u8> {
    let npy = npy::read(
        &fixtures::path("pyme_series/data")
            .join(fixture)
            .join("expected.npy"),
    )
    .unwrap();
    npy.c_bytes
}

#[test]
fn every_pzf_fixture_reads_as_loads_returns_it() {
    let mut checked = 0;
    for case in fixtures::pzf_cases() {
        let name = case["name"].as_str().unwrap();
        let expected = fixtures::path(&format!("pzf/{name}.npy"));
        // Where PYME wraps out-of-range values we saturate: compared in the core's tests.
        let wrapped = case["quant"]["wrapped_pixels"].as_u64().unwrap_or(0);
        if !expected.is_file() || wrapped > 0 {
            continue;
        }
        let source = open(&[fixtures::path(&format!("pzf/{name}.pzf"))]);
        assert_eq!(source.kind(), SourceKind::Pzf);
        if name == "v3_huff_trailing_bytes" {
            // Bytes after the stream's last code: refused (docs/compatibility.md), where
            // PYME's `loads` ignores them.
            assert!(matches!(source.read_frame(0), Err(SourceError::Pzf { .. })));
            continue;
        }
        assert!(!source.is_stack());
        assert_eq!((source.len(), source.missing()), (1, vec![]), "{name}");
        let layout = source.layout().unwrap();
        let mut frame = vec![0u8; layout.frame_bytes()];
        assert!(source.read_frame_into(0, &mut frame).unwrap(), "{name}");
        assert_eq!(frame, npy::read(&expected).unwrap().c_bytes, "{name}");
        checked += 1;
    }
    assert!(
        checked >= 60,
        "only {checked} fixtures with an expected array"
    );
}

#[test]
fn a_two_server_series_reads_frame_by_frame_as_pyme_wrote_it() {
    let dirs = pyme_series::dirs("complete", "scan_000.pcs");
    assert_eq!(dirs.len(), 2);
    let source = open(&dirs);
    assert_eq!(source.kind(), SourceKind::Series);
    assert_eq!((source.len(), source.present_count()), (120, 120));
    assert!(source.is_finished() && source.missing().is_empty());
    assert_eq!(source.locations().len(), 2);
    let layout = source.layout().unwrap();
    let want = expected_stack("complete");
    let mut frame = vec![0u8; layout.frame_bytes()];
    for i in 0..120u64 {
        assert!(source.read_frame_into(i, &mut frame).unwrap());
        let at = i as usize * frame.len();
        assert_eq!(frame, want[at..at + frame.len()], "frame {i}");
    }
    assert!(!source.read_frame_into(120, &mut frame).unwrap());
    let mut short = vec![0u8; 10];
    assert!(matches!(
        source.read_frame_into(0, &mut short),
        Err(SourceError::FrameSize {
            buffer_bytes: 10,
            ..
        })
    ));
}

#[test]
fn the_gap_policy_refuses_an_incomplete_series_and_says_where_frames_may_be() {
    let dirs = pyme_series::dirs("incomplete", "scan_001.pcs");
    let source = open(&dirs);
    let refused = gaps::check(source.as_ref(), false).unwrap_err();
    let text = refused.to_string();
    assert!(text.contains("6 frames missing (57, 115-119)"), "{text}");
    assert!(text.contains("no events.json"), "{text}");
    assert!(text.contains("--node"), "{text}");
    assert!(text.contains("--allow-incomplete"), "{text}");
    let allowed = gaps::check(source.as_ref(), true).unwrap().unwrap();
    assert_eq!(allowed.missing, [57, 115, 116, 117, 118, 119]);
    // Given one server only, the other's frames are missing: the advice names --node.
    let one = open(&dirs[..1]);
    let text = gaps::check(one.as_ref(), false).unwrap_err().to_string();
    assert!(text.contains("split over data servers"), "{text}");
    let complete = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    assert!(gaps::check(complete.as_ref(), false).unwrap().is_none());
}

#[test]
fn huffman_payloads_move_into_chunks_that_decode_to_the_series() {
    let source = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    let target = frame_array(
        source.as_ref(),
        serde_json::json!({"id": "pymecompress-huffman"}),
    );
    let stats = write_all(source.as_ref(), &target, Some(PassThrough::Huffman)).unwrap();
    assert_eq!((stats.moved, stats.encoded_chunks), (120, 0));
    let back: Vec<u16> = target.retrieve_array_subset(&target.subset_all()).unwrap();
    let back: Vec<u8> = back.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(back, expected_stack("complete"));
}

#[test]
fn quantized_payloads_move_with_their_own_parameters() {
    let source = open(&pyme_series::dirs("quantized", "scan_002.pcs"));
    let quant = source.layout().unwrap().quant.expect("quantized");
    let target = frame_array(
        source.as_ref(),
        serde_json::json!({"id": "pymecompress-quant16", "offset": quant.offset, "scale": quant.scale}),
    );
    let stats = write_all(
        source.as_ref(),
        &target,
        Some(PassThrough::Quant16(quant.params)),
    )
    .unwrap();
    assert_eq!(stats.moved, source.len());
    let back: Vec<u16> = target.retrieve_array_subset(&target.subset_all()).unwrap();
    let back: Vec<u8> = back.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(back, expected_stack("quantized"));
}

#[test]
fn a_damaged_payload_is_refused_before_it_is_moved() {
    let dirs = pyme_series::with_frame_10_cut(&temp_dir("pyme-damaged-payload"));
    let source = open(&dirs);
    let target = frame_array(
        source.as_ref(),
        serde_json::json!({"id": "pymecompress-huffman"}),
    );
    let err = write_all(source.as_ref(), &target, Some(PassThrough::Huffman)).unwrap_err();
    assert!(
        matches!(err, SourceError::Payload { frame: 10, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("frame 10"), "{err}");
    let key = target.chunk_key(&[10, 0, 0]);
    assert!(
        zarrs::storage::ReadableStorageTraits::get(target.storage().as_ref(), &key)
            .unwrap()
            .is_none(),
        "the damaged frame's chunk was not written"
    );
}
