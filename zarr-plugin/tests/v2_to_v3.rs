//! Converting Zarr V2 metadata of pymecompress arrays to Zarr V3.

use std::sync::Arc;

use zarrs::array::codec::CodecChain;
use zarrs::array::{Array, ArrayMetadataV2, ArraySubset};
use zarrs::storage::store::MemoryStore;

fn v2(compressor: &str) -> ArrayMetadataV2 {
    serde_json::from_str(&format!(
        r#"{{"zarr_format": 2, "shape": [8, 8], "chunks": [4, 4], "dtype": "<u2",
            "fill_value": 0, "order": "C", "filters": null, "compressor": {compressor}}}"#
    ))
    .unwrap()
}

fn names(v3: &zarrs::metadata::v3::ArrayMetadataV3) -> Vec<&str> {
    v3.codecs.iter().map(|c| c.name()).collect()
}

#[test]
fn huffman_converts_to_bytes_then_the_v3_codec() {
    let v2 = v2(r#"{"id": "pymecompress-huffman"}"#);
    let v3 = zarrs::convert::array_metadata_v2_to_v3(&v2).unwrap();
    assert_eq!(names(&v3), ["bytes", "numcodecs.pymecompress-huffman"]);
    assert_eq!(
        zarrs_pymecompress::array_metadata_v2_to_v3(&v2).unwrap(),
        v3
    );
}

#[test]
fn quant16_converts_to_the_v3_codec_alone() {
    let v2 = v2(r#"{"id": "pymecompress-quant16", "offset": 100, "scale": 1}"#);
    // zarrs's own conversion leaves an implicit `bytes` codec in front, which does not open.
    // If this starts to fail, zarrs has fixed it and our wrapper can go.
    let zarrs_v3 = zarrs::convert::array_metadata_v2_to_v3(&v2).unwrap();
    assert_eq!(
        names(&zarrs_v3),
        ["bytes", "numcodecs.pymecompress-quant16"]
    );
    assert!(CodecChain::from_metadata(&zarrs_v3.codecs).is_err());

    let v3 = zarrs_pymecompress::array_metadata_v2_to_v3(&v2).unwrap();
    assert_eq!(names(&v3), ["numcodecs.pymecompress-quant16"]);
    assert_eq!(
        serde_json::to_value(&v3.codecs[0]).unwrap()["configuration"],
        serde_json::json!({"offset": 100, "scale": 1})
    );
    let store = Arc::new(MemoryStore::new());
    let array = Array::new_with_metadata(store, "/a", v3.into()).unwrap();
    let data: Vec<u16> = (100..164).collect();
    let whole = ArraySubset::new_with_shape(vec![8, 8]);
    array.store_array_subset(&whole, data).unwrap();
    let back: Vec<u16> = array.retrieve_array_subset(&whole).unwrap();
    assert_eq!(back[..3], [100, 101, 101]);
}
