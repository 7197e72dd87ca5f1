//! PYME's `.h5` files, written by PYME's own code (`H5File.put_file`, `HDFBackend`,
//! `H5Exporter`; `fixtures/pyme_h5/generate.sh`), read as PYME's `HDFDataSource` reads them.

mod h5_common;

use h5_common::{cases, h5_bytes, h5_file, npy};
use pymecompress_codecs::pzf::{Compression, DataFormat, Quantization};
use pymecompress_pyme::{
    array_shape, gaps, open_source, FrameSource, H5Error, H5File, H5Layout, PixelType, SourceError,
    SourceKind,
};
use serde_json::Value;

fn open(name: &str) -> H5File {
    H5File::from_bytes(format!("{name}.h5"), h5_bytes(name))
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// Every frame, read into one buffer each, concatenated: the stack in C order.
fn stack(source: &dyn FrameSource) -> Vec<u8> {
    let layout = source.layout().unwrap();
    let mut out = vec![0u8; layout.frame_bytes() * source.len() as usize];
    for (i, frame) in out.chunks_exact_mut(layout.frame_bytes()).enumerate() {
        source.read_frame_into(i as u64, frame).unwrap();
    }
    out
}

#[test]
fn every_file_reads_as_pymes_hdf_data_source_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (name, _) in cases() {
        if name == "pzf_gap" {
            continue;
        }
        // By path, as the CLI opens it: `.h5` is recognised.
        let source = open_source(&h5_file(dir.path(), &name), &[])
            .unwrap()
            .unwrap_or_else(|| panic!("{name}: not recognised"));
        assert_eq!(source.kind(), SourceKind::H5, "{name}");
        let layout = source.layout().unwrap();
        let expected = npy(&name, "expected");
        let shape: Vec<u64> = expected.shape.iter().map(|&n| n as u64).collect();
        assert_eq!(
            array_shape(source.as_ref(), &layout, source.len()),
            shape,
            "{name}"
        );
        assert_eq!(layout.pixel.numpy_descr(), expected.descr, "{name}");
        assert_eq!(stack(source.as_ref()), expected.c_bytes, "{name}: frames");
        assert!(source.missing().is_empty(), "{name}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} files checked");
}

#[test]
fn metadata_and_events_are_pymes_entries() {
    for (name, case) in cases() {
        let file = open(&name);
        let ours = file.metadata();
        let theirs = case["metadata"].as_object().unwrap();
        let mut keys: Vec<&String> = ours.keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            theirs.keys().collect::<Vec<_>>(),
            "{name}: metadata keys"
        );
        for (key, value) in theirs {
            match value.get("unpickled") {
                // PyTables pickles lists and dicts; we keep the pickle's text, protocol 0.
                Some(_) => {
                    let text = ours[key].as_str().unwrap_or_else(|| panic!("{name} {key}"));
                    assert!(
                        text.starts_with('(') && text.ends_with('.'),
                        "{name} {key}: {text}"
                    );
                }
                None => assert_eq!(&ours[key], value, "{name}: {key}"),
            }
        }
        let events: Vec<Value> = file
            .events()
            .unwrap_or_default()
            .iter()
            .map(|e| serde_json::json!([e.name, e.description, e.time]))
            .collect();
        assert_eq!(Value::Array(events), case["events"], "{name}: events");
    }
}

#[test]
fn aggregate_payloads_are_the_stored_pzf_files_raw_frames_have_none() {
    for (name, case) in cases() {
        let file = open(&name);
        let aggregate = case["layout"] == "pzf";
        let expected = if aggregate {
            H5Layout::PzfAggregate
        } else {
            H5Layout::ImageData
        };
        assert_eq!(file.layout_kind(), expected, "{name}");
        for i in 0..file.len() {
            let payload = file.payload(i).unwrap();
            if !aggregate {
                assert!(payload.is_none(), "{name}");
                continue;
            }
            let Some(payload) = payload else {
                assert!(!file.is_present(i), "{name} frame {i}");
                continue;
            };
            assert_eq!(u64::from(payload.header.frame_num), i, "{name}");
            let compression = case["dumps"]["compression"].as_u64().unwrap();
            let want = if compression == 0 {
                Compression::Raw
            } else {
                Compression::Huffman
            };
            assert_eq!(payload.header.compression, want, "{name}");
        }
    }
}

#[test]
fn quantized_aggregates_keep_their_offset_and_scale() {
    let mut seen = 0;
    for (name, case) in cases() {
        let Some(quant) = case.get("quant") else {
            continue;
        };
        let layout = open(&name).layout().unwrap();
        assert_eq!(layout.quantization, Quantization::Sqrt, "{name}");
        assert_eq!(layout.data_format, DataFormat::U16, "{name}");
        let q = layout.quant.unwrap();
        assert_eq!(f64::from(q.offset), quant[0].as_f64().unwrap(), "{name}");
        assert_eq!(f64::from(q.scale), quant[1].as_f64().unwrap(), "{name}");
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn a_missing_frame_is_refused_or_filled_at_its_own_index_never_shifted() {
    let file = open("pzf_gap");
    assert_eq!(file.missing(), vec![3]);
    assert_eq!(file.len(), 8);
    assert_eq!(file.present_count(), 7);
    let err = gaps::check(&file, false).unwrap_err();
    assert!(
        matches!(&err, SourceError::Incomplete { lack, .. } if lack.missing == [3]),
        "{err}"
    );
    assert!(gaps::check(&file, true).unwrap().is_some());
    let ours = npy("pzf_gap", "ours");
    assert_eq!(stack(&file), ours.c_bytes);
    // What PYME's reader returns instead: 7 slices (one per row), slice i looked up with
    // searchsorted: slice 3 is frame 4, which slice 4 returns again, and frame 7 is lost.
    let theirs = npy("pzf_gap", "expected");
    let frame = 16 * 12 * 2;
    assert_eq!(theirs.shape, [7, 16, 12]);
    let slice = |b: &[u8], i: usize| b[i * frame..(i + 1) * frame].to_vec();
    for (pyme_slice, our_frame) in [(0, 0), (1, 1), (2, 2), (3, 4), (4, 4), (5, 5), (6, 6)] {
        assert_eq!(
            slice(&theirs.c_bytes, pyme_slice),
            slice(&ours.c_bytes, our_frame)
        );
    }
}

#[test]
fn an_aggregate_without_events_did_not_finish() {
    let file = open("pzf_huffman_u16_no_events");
    assert!(file.events().is_none());
    assert!(!file.is_finished());
    let err = gaps::check(&file, false).unwrap_err().to_string();
    assert!(
        err.contains("no /Events table (the acquisition did not finish)"),
        "{err}"
    );
    assert!(open("pzf_huffman_u16").is_finished());
    assert!(open("hdf_uint16_l2").is_finished());
}

#[test]
fn frame_counts_come_from_size_attributes_when_known() {
    assert_eq!(open("hdf_uint16_l2").expected_frames(), Some(5));
    assert_eq!(open("export_uint16").expected_frames(), Some(4));
    // HDFBackend with shape [-1, -1, -1, 1, 1] writes SizeZ -1: unknown.
    let unknown = open("hdf_uint16_sizez_unknown");
    assert_eq!(unknown.expected_frames(), None);
    assert_eq!(unknown.len(), 3);
}

/// PYME's HDFBackend spools float64: read as bytes (`<f8`, PYME's values bit for bit, checked
/// against PYME's reader by `every_file_reads_as_pymes_hdf_data_source_returns_it`), with a
/// layout of its own; only the PZF-frame read, which has no float64 type, refuses.
#[test]
fn float64_frames_read_as_bytes_and_only_a_pzf_frame_is_refused() {
    let file = open("hdf_float64_l2");
    assert_eq!(file.len(), 2);
    let layout = file.layout().unwrap();
    assert_eq!(layout.pixel, PixelType::F64);
    assert_eq!(layout.pixel.numpy_descr(), "<f8");
    assert_eq!(layout.shape, [16, 12, 1]);
    assert_eq!(layout.frame_bytes(), 16 * 12 * 8);
    assert!(file.first_header().is_none());
    let expected = npy("hdf_float64_l2", "expected");
    assert_eq!(expected.descr, "<f8");
    let mut frame = vec![0u8; layout.frame_bytes()];
    assert!(file.read_frame_into(1, &mut frame).unwrap());
    assert_eq!(frame, expected.c_bytes[layout.frame_bytes()..]);
    // Values that float32 cannot hold: the bytes are float64's own, not widened floats.
    let values: Vec<f64> = frame
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert!(values.iter().any(|&v| f64::from(v as f32) != v));
    // A buffer of another size is refused, not filled.
    let err = file.read_frame_into(0, &mut [0u8; 16]).unwrap_err();
    assert!(matches!(err, SourceError::FrameSize { .. }), "{err:?}");
    let err = file.read_frame(0).unwrap_err();
    let SourceError::H5 { object, source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(object, "/ImageData");
    assert!(
        matches!(source, H5Error::Unsupported(m) if m.contains("float64")),
        "{err:?}"
    );
    assert!(err.to_string().contains("hdf_float64_l2.h5"), "{err}");
}

#[test]
fn a_missing_h5_path_is_not_found_and_other_files_are_not_pymes() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_source(&dir.path().join("absent.h5"), &[]).unwrap_err();
    assert!(matches!(err, SourceError::Io { .. }), "{err:?}");
    let not_h5 = dir.path().join("text.h5");
    std::fs::write(&not_h5, b"not an HDF5 file").unwrap();
    let err = open_source(&not_h5, &[]).unwrap_err();
    let SourceError::H5 { path, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(path, &not_h5);
}
