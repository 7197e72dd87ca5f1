//! `pymecompress-quant16` is for `uint16` only: any other data type is refused with a message
//! naming the data type and the codec, at open/create time through `check_array`/`open_array`
//! (zarrs 0.23 does not check codecs against the data type itself), and at the first chunk
//! read or write otherwise.

use pymecompress_test_support::zarr_v2;
use std::sync::Arc;

use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::{HuffmanQuant16Codec, OpenError};

fn assert_names_type_and_codec(message: &str, type_name: &str) {
    assert!(message.contains(type_name), "{message}");
    assert!(
        message.contains("numcodecs.pymecompress-quant16"),
        "{message}"
    );
}

#[test]
fn creating_a_non_uint16_quant16_array_is_refused() {
    for (data_type, fill, name) in [
        (
            data_type::float32(),
            serde_json::Number::from_f64(0.0).unwrap(),
            "float32",
        ),
        (data_type::uint8(), serde_json::Number::from(0), "uint8"),
        (data_type::int16(), serde_json::Number::from(0), "int16"),
    ] {
        for sharded in [false, true] {
            let store = Arc::new(MemoryStore::new());
            let mut builder = ArrayBuilder::new(
                vec![8, 8],
                vec![4, 4],
                data_type.clone(),
                zarrs::metadata::FillValueMetadata::Number(fill.clone()),
            );
            builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()));
            if sharded {
                builder.subchunk_shape(vec![2, 2]);
            }
            let array = builder.build(store, "/x").unwrap();
            let err = zarrs_pymecompress::check_array(&array).unwrap_err();
            assert_names_type_and_codec(&err.to_string(), name);
        }
    }
}

#[test]
fn opening_a_non_uint16_quant16_v2_store_is_refused() {
    let store = Arc::new(MemoryStore::new());
    let array = zarr_v2::create(
        store.clone(),
        "/f",
        &[8, 8],
        &[4, 4],
        "<f4",
        0,
        HuffmanQuant16Codec::default().compressor_v2(),
        ChunkKeySeparator::Dot,
    );
    drop(array);
    match zarrs_pymecompress::open_array(store.clone(), "/f") {
        Err(OpenError::Codec(err)) => assert_names_type_and_codec(&err.to_string(), "float32"),
        other => panic!("{:?}", other.map(|_| ())),
    }

    // Plain zarrs opens it, and the first write or read fails with the same message.
    let array = Array::open(store, "/f").unwrap();
    let subset = ArraySubset::new_with_shape(vec![4, 4]);
    let err = array
        .store_array_subset(&subset, vec![1f32; 16])
        .unwrap_err();
    assert_names_type_and_codec(&err.to_string(), "float32");
}

#[test]
fn a_uint16_quant16_array_passes_the_check() {
    let store = Arc::new(MemoryStore::new());
    let array = ArrayBuilder::new(vec![8, 8], vec![4, 4], data_type::uint16(), 0u16)
        .array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()))
        .build(store, "/x")
        .unwrap();
    zarrs_pymecompress::check_array(&array).unwrap();
}

#[test]
fn invalid_quant16_configurations_fail_at_open_naming_the_field() {
    for (config, field) in [
        (r#""scale": 0"#, "scale"),
        (r#""scale": -2"#, "scale"),
        (r#""offset": 0, "scale": 1, "gain": 3"#, "gain"),
    ] {
        let store = Arc::new(MemoryStore::new());
        let zarray = format!(
            r#"{{"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<u2", "fill_value": 0,
                "order": "C", "filters": null,
                "compressor": {{"id": "pymecompress-quant16", {config}}}}}"#
        );
        use zarrs::storage::WritableStorageTraits;
        store
            .set(&"a/.zarray".try_into().unwrap(), zarray.into_bytes().into())
            .unwrap();
        let err = Array::open(store, "/a").unwrap_err().to_string();
        assert!(err.contains(field), "{err}");
    }
}
