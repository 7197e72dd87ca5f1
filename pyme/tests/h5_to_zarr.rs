//! PYME's `.h5` files written into zarr arrays through the one `to_zarr::write_frames`: an
//! aggregate's stored PZF payloads move into `pymecompress-huffman` / `-quant16` chunks
//! without decoding, raw `/ImageData` frames are decoded and encoded, a missing frame stays an
//! absent chunk. Expected arrays are PYME's (`HDFDataSource`, or our gap policy).

mod h5_common;
mod to_zarr_common;

use to_zarr_common::{frame_array, write_all};

use h5_common::{cases, h5_bytes, npy};
use pymecompress_pyme::to_zarr::PassThrough;
use pymecompress_pyme::{FrameSource, H5File};
use zarrs::array::Array;
use zarrs::storage::store::MemoryStore;

fn open(name: &str) -> H5File {
    H5File::from_bytes(format!("{name}.h5"), h5_bytes(name)).unwrap()
}

/// Writes `file` into `target` asking for a Huffman pass-through, checks that `moved` frames
/// moved, and that the array reads back as PYME's reader returned the file (`NAME.expected`).
fn writes_as_pyme_reads(file: &H5File, name: &str, target: &Array<MemoryStore>, moved: u64) {
    let stats = write_all(file, target, Some(PassThrough::Huffman)).unwrap();
    assert_eq!(stats.moved, moved, "{name}");
    let itemsize = file.layout().unwrap().pixel.itemsize();
    assert_eq!(
        read_back(target, itemsize),
        npy(name, "expected").c_bytes,
        "{name}"
    );
}

/// The whole array as little-endian bytes in C order.
fn read_back(target: &Array<MemoryStore>, itemsize: usize) -> Vec<u8> {
    let subset = target.subset_all();
    match itemsize {
        1 => target.retrieve_array_subset::<Vec<u8>>(&subset).unwrap(),
        2 => target
            .retrieve_array_subset::<Vec<u16>>(&subset)
            .unwrap()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        4 => target
            .retrieve_array_subset::<Vec<f32>>(&subset)
            .unwrap()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        _ => target
            .retrieve_array_subset::<Vec<f64>>(&subset)
            .unwrap()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
    }
}

#[test]
fn huffman_aggregate_payloads_move_without_decoding() {
    for name in ["pzf_huffman_u16", "pzf_huffman_f32"] {
        let file = open(name);
        let target = frame_array(&file, serde_json::json!({"id": "pymecompress-huffman"}));
        writes_as_pyme_reads(&file, name, &target, file.len());
    }
}

#[test]
fn quantized_aggregate_payloads_move_with_their_own_parameters() {
    let mut seen = 0;
    for (name, case) in cases() {
        if case.get("quant").is_none() {
            continue;
        }
        let file = open(&name);
        let quant = file.layout().unwrap().quant.expect("quantized");
        let target = frame_array(
            &file,
            serde_json::json!({"id": "pymecompress-quant16", "offset": quant.offset, "scale": quant.scale}),
        );
        let stats = write_all(&file, &target, Some(PassThrough::Quant16(quant.params))).unwrap();
        assert_eq!(stats.moved, file.len(), "{name}");
        assert_eq!(
            read_back(&target, 2),
            npy(&name, "expected").c_bytes,
            "{name}"
        );
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn raw_frames_are_decoded_and_encoded() {
    for name in [
        "hdf_uint16_l6",
        "hdf_float32_l2",
        "hdf_uint8_l6",
        "export_uint16",
    ] {
        let file = open(name);
        let target = frame_array(&file, serde_json::Value::Null);
        // A pass-through is asked for: raw frames have no payload, so nothing moves.
        writes_as_pyme_reads(&file, name, &target, 0);
    }
}

/// HDFBackend's float64 frames, which PZF cannot hold, into `<f8` arrays: uncompressed and
/// through pymecompress-huffman, which codes any bytes; read back bit for bit as PYME's (as
/// `Vec<f64>`, which zarrs refuses for any other data type).
#[test]
fn float64_frames_are_written_as_f8_uncompressed_and_huffman() {
    let name = "hdf_float64_l2";
    let file = open(name);
    for compressor in [
        serde_json::Value::Null,
        serde_json::json!({"id": "pymecompress-huffman"}),
    ] {
        let target = frame_array(&file, compressor);
        writes_as_pyme_reads(&file, name, &target, 0);
    }
}

#[test]
fn a_missing_frame_stays_an_absent_chunk_at_its_own_index() {
    let file = open("pzf_gap");
    let target = frame_array(&file, serde_json::json!({"id": "pymecompress-huffman"}));
    let stats = write_all(&file, &target, Some(PassThrough::Huffman)).unwrap();
    assert_eq!(stats.moved, 7);
    let key = target.chunk_key(&[3, 0, 0]);
    let stored = zarrs::storage::ReadableStorageTraits::get(target.storage().as_ref(), &key);
    assert!(stored.unwrap().is_none(), "frame 3 is missing: no chunk");
    assert_eq!(read_back(&target, 2), npy("pzf_gap", "ours").c_bytes);
}
