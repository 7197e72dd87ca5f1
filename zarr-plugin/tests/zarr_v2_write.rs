//! Arrays created by zarrs in Zarr V2 format with these codecs: the metadata and chunks are
//! what zarr-python + pymecompress expect (the live check against the real library is
//! tests/interop/zarr_stores.py), and zarrs reads them back.

use pymecompress_test_support::{temp_dir, zarr_v2};
use std::sync::Arc;

use pymecompress_codecs::QuantParams;
use zarrs::array::ArraySubset;
use zarrs::filesystem::FilesystemStore;
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::ReadableStorageTraits;
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

#[test]
fn v2_quant16_metadata_keeps_the_numbers_as_written() {
    let dir = temp_dir("v2-meta");
    let store = Arc::new(FilesystemStore::new(&dir).unwrap());
    for (name, offset, scale, expected) in [
        (
            "a",
            100.0,
            1.0,
            r#"{"id":"pymecompress-quant16","offset":100,"scale":1}"#,
        ),
        (
            "b",
            0.5,
            2.0,
            r#"{"id":"pymecompress-quant16","offset":0.5,"scale":2}"#,
        ),
    ] {
        let codec = HuffmanQuant16Codec::new(QuantParams::new(offset, scale).unwrap());
        zarr_v2::create(
            store.clone(),
            &format!("/{name}"),
            &[10, 10],
            &[5, 5],
            "<u2",
            0,
            codec.compressor_v2(),
            ChunkKeySeparator::Dot,
        );
        let zarray: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(name).join(".zarray")).unwrap())
                .unwrap();
        assert_eq!(zarray["compressor"].to_string(), expected);
        assert_eq!(zarray["dtype"], "<u2");
        assert!(!dir.join(name).join("zarr.json").exists());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn v2_huffman_chunks_carry_the_byte_count_and_read_back() {
    let dir = temp_dir("v2-huff");
    let store = Arc::new(FilesystemStore::new(&dir).unwrap());
    let array = zarr_v2::create(
        store.clone(),
        "/f4",
        &[50, 70],
        &[32, 40],
        "<f4",
        0,
        HuffmanCodec::new().compressor_v2(),
        ChunkKeySeparator::Slash,
    );
    let data: Vec<f32> = (0..3500).map(|i| i as f32 * 0.25).collect();
    let whole = ArraySubset::new_with_shape(vec![50, 70]);
    array.store_array_subset(&whole, data.clone()).unwrap();
    // Edge chunks are stored whole (32 x 40 values): zarr's V2 chunks are never partial.
    let chunk = store.get(&"f4/1/1".try_into().unwrap()).unwrap().unwrap();
    let trailer = u32::from_le_bytes(chunk[chunk.len() - 4..].try_into().unwrap());
    assert_eq!(trailer, 32 * 40 * 4, "the trailer is the byte count");

    let array = zarrs_pymecompress::open_array(store, "/f4").unwrap();
    let back: Vec<f32> = array.retrieve_array_subset(&whole).unwrap();
    assert_eq!(back, data);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn v2_quant16_round_trips_through_quantization() {
    let dir = temp_dir("v2-q16");
    let store = Arc::new(FilesystemStore::new(&dir).unwrap());
    let params = QuantParams::new(100.0, 1.0).unwrap();
    let array = zarr_v2::create(
        store.clone(),
        "/q",
        &[3, 40, 30],
        &[1, 32, 32],
        "<u2",
        0,
        HuffmanQuant16Codec::new(params).compressor_v2(),
        ChunkKeySeparator::Dot,
    );
    let data: Vec<u16> = (0..3600u32).map(|i| (i * 7 % 5000) as u16).collect();
    let whole = ArraySubset::new_with_shape(vec![3, 40, 30]);
    array.store_array_subset(&whole, data.clone()).unwrap();
    let chunk = store.get(&"q/2.1.0".try_into().unwrap()).unwrap().unwrap();
    let trailer = u32::from_le_bytes(chunk[chunk.len() - 4..].try_into().unwrap());
    assert_eq!(trailer, 32 * 32, "the trailer is the value count");

    let array = zarrs_pymecompress::open_array(store, "/q").unwrap();
    let back: Vec<u16> = array.retrieve_array_subset(&whole).unwrap();
    let expected: Vec<u16> = data
        .iter()
        .map(|&x| params.dequantize(params.quantize(x)))
        .collect();
    assert_eq!(back, expected);
    let _ = std::fs::remove_dir_all(dir);
}
