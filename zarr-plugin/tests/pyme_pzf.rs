//! The `pyme-pzf` codec: round trips through zarrs (V2 and V3), frames checked against PYME's
//! own PZF files (`fixtures/pzf`, `fixtures/pyme_series/data/pyramid`), and the errors.

use crate::common;
use common::{assert_no_repeats, chain};
use pymecompress_test_support::{fixtures, zarr_v2};
use std::sync::Arc;

use pymecompress_codecs::pzf::{self, Compression, DimOrder, PzfData, Quantization};
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};
use zarrs_pymecompress::{check_array, PymePzfCodec, PymePzfCodecConfiguration};

fn compressor(json: serde_json::Value) -> MetadataV2 {
    serde_json::from_value(json).unwrap()
}

fn v2_array(
    dtype: &str,
    shape: &[u64],
    chunks: &[u64],
    config: serde_json::Value,
) -> Array<MemoryStore> {
    zarr_v2::create(
        Arc::new(MemoryStore::new()),
        "/a",
        shape,
        chunks,
        dtype,
        0,
        compressor(config),
        ChunkKeySeparator::Slash,
    )
}

fn chunk(array: &Array<MemoryStore>, key: &str) -> Vec<u8> {
    array
        .storage()
        .get(&StoreKey::new(key).unwrap())
        .unwrap()
        .expect("chunk written")
        .to_vec()
}

fn pyme_file(path: &str) -> Vec<u8> {
    let full = fixtures::path(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn lossless_round_trips_every_data_type_and_chunks_are_pzf_frames() {
    let whole = ArraySubset::new_with_shape(vec![2, 20, 24]);
    let n = 2 * 20 * 24;
    for config in [
        serde_json::json!({"id": "pyme-pzf"}),
        serde_json::json!({"id": "pyme-pzf", "compression": "raw"}),
    ] {
        let raw = config.get("compression").is_some();
        let a = v2_array("|u1", &[2, 20, 24], &[1, 16, 16], config.clone());
        let values: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
        a.store_array_subset(&whole, values.clone()).unwrap();
        assert_eq!(a.retrieve_array_subset::<Vec<u8>>(&whole).unwrap(), values);

        let a = v2_array("<u2", &[2, 20, 24], &[1, 16, 16], config.clone());
        let values: Vec<u16> = (0..n).map(|i| (i * 7919 % 65_536) as u16).collect();
        a.store_array_subset(&whole, values.clone()).unwrap();
        assert_eq!(a.retrieve_array_subset::<Vec<u16>>(&whole).unwrap(), values);

        let a = v2_array("<f4", &[2, 20, 24], &[1, 16, 16], config);
        let values: Vec<f32> = (0..n).map(|i| i as f32 * 0.37 - 50.0).collect();
        a.store_array_subset(&whole, values.clone()).unwrap();
        assert_eq!(a.retrieve_array_subset::<Vec<f32>>(&whole).unwrap(), values);

        // Chunk 1/1/1 (an edge chunk, padded with the fill value) is one (1, 16, 16) frame.
        let frame = pzf::decode(&chunk(&a, "a/1/1/1")).unwrap();
        assert_eq!(frame.shape(), [1, 16, 16]);
        assert_eq!(frame.header.version, 3);
        let expected = if raw {
            Compression::Raw
        } else {
            Compression::Huffman
        };
        assert_eq!(frame.header.compression, expected);
        let PzfData::F32(pixels) = frame.data else {
            panic!("float32 frame")
        };
        // Row 0 of the chunk is array row 16, columns 16..24 then fill.
        let row: Vec<f32> = (16..24)
            .map(|c| (((20 + 16) * 24 + c) as f32) * 0.37 - 50.0)
            .collect();
        assert_eq!(pixels[..8], row[..]);
        assert!(pixels[8..16].iter().all(|&v| v == 0.0));
    }
}

#[test]
fn our_raw_tiles_are_pymes_dumps_bytes_but_for_the_shape_fields() {
    // A tile PYME's ImagePyramid wrote (PZFFormat.dumps of a (16, 16) float32 array, raw).
    let tile = pyme_file("pyme_series/data/pyramid/0/000/000/000_img.pzf");
    let frame = pzf::decode(&tile).unwrap();
    assert_eq!(frame.shape(), [16, 16, 1]);
    let a = v2_array(
        "<f4",
        &[1, 16, 16],
        &[1, 16, 16],
        serde_json::json!({"id": "pyme-pzf", "compression": "raw"}),
    );
    let PzfData::F32(pixels) = &frame.data else {
        panic!("float32 tile")
    };
    a.store_array_subset(
        &ArraySubset::new_with_shape(vec![1, 16, 16]),
        pixels.clone(),
    )
    .unwrap();
    let ours = chunk(&a, "a/0/0/0");
    assert_eq!(ours.len(), tile.len());
    // Width, Height, Depth: (1, 16, 16) for ours, (16, 16, 1) for PYME's; all else equal.
    assert_eq!(ours[..20], tile[..20]);
    assert_eq!(ours[32..], tile[32..]);
    assert_eq!(
        ours[20..32],
        [1u32, 16, 16].map(u32::to_le_bytes).concat()[..]
    );
}

#[test]
fn pymes_own_frames_read_into_chunks_in_stored_order() {
    // (13, 7, 1) frames from PYME's dumps, C and F order; the chunk takes the stored order.
    for (file, chunk_shape) in [
        ("pzf/u16_huff_C_2d.pzf", [1u64, 13, 7]),
        ("pzf/u16_huff_F_2d.pzf", [1, 7, 13]),
    ] {
        let bytes = pyme_file(file);
        let frame = pzf::decode(&bytes).unwrap();
        let a = v2_array(
            "<u2",
            &chunk_shape,
            &chunk_shape,
            serde_json::json!({"id": "pyme-pzf"}),
        );
        a.storage()
            .set(&StoreKey::new("a/0/0/0").unwrap(), bytes.into())
            .unwrap();
        let read: Vec<u16> = a
            .retrieve_array_subset(&ArraySubset::new_with_shape(chunk_shape.to_vec()))
            .unwrap();
        assert_eq!(PzfData::U16(read), frame.data, "{file}");
    }
}

#[test]
fn quantized_chunks_decode_as_pyme_dequantizes() {
    let a = v2_array(
        "<u2",
        &[1, 32, 32],
        &[1, 32, 32],
        serde_json::json!({"id": "pyme-pzf", "quantization": "sqrt", "offset": 100, "scale": 0.5}),
    );
    let whole = ArraySubset::new_with_shape(vec![1, 32, 32]);
    let values: Vec<u16> = (0..1024u32)
        .map(|i| (90 + (i * 37) % 3000) as u16)
        .collect();
    a.store_array_subset(&whole, values.clone()).unwrap();
    let back: Vec<u16> = a.retrieve_array_subset(&whole).unwrap();
    let stored = chunk(&a, "a/0/0/0");
    let (header, symbols) = pzf::decode_symbols(&stored).unwrap();
    assert_eq!(header.quantization, Quantization::Sqrt);
    assert_eq!((header.quant_offset, header.quant_scale), (100.0, 0.5));
    let table = pzf::dequant_table(100.0, 0.5);
    let expected: Vec<u16> = symbols.iter().map(|&q| table[usize::from(q)]).collect();
    assert_eq!(back, expected);
    for (x, y) in values.iter().zip(&back) {
        if *x <= 100 {
            // At or below the offset the symbol is 0, which restores as the offset.
            assert_eq!(*y, 100);
            continue;
        }
        let step = f64::from(x.saturating_sub(100)).sqrt() * 0.5 + 1.0;
        assert!(f64::from(x.abs_diff(*y)) <= step, "{x} -> {y}");
    }
}

#[test]
fn v3_arrays_and_two_dimensional_chunks() {
    let store = Arc::new(MemoryStore::new());
    let array = ArrayBuilder::new(vec![10, 12], vec![5, 6], data_type::uint16(), 0u16)
        .array_to_bytes_codec(Arc::new(PymePzfCodec::new()))
        .build(store.clone(), "/v3")
        .unwrap();
    array.store_metadata().unwrap();
    let whole = ArraySubset::new_with_shape(vec![10, 12]);
    let values: Vec<u16> = (0..120).collect();
    array.store_array_subset(&whole, values.clone()).unwrap();
    let reopened = Array::open(store.clone(), "/v3").unwrap();
    let meta = serde_json::to_value(reopened.metadata()).unwrap();
    // zarrs writes a codec with an empty configuration as its bare name.
    assert_eq!(meta["codecs"][0], "numcodecs.pyme-pzf");
    assert_eq!(
        reopened.retrieve_array_subset::<Vec<u16>>(&whole).unwrap(),
        values
    );
    // A [5, 6] chunk is a (1, 5, 6) frame: leading 1s, which numpy broadcasts into the chunk.
    let bytes = store
        .get(&StoreKey::new("v3/c/1/1").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(pzf::decode(&bytes).unwrap().shape(), [1, 5, 6]);
}

#[test]
fn configuration_round_trips_through_v2_metadata() {
    let config: PymePzfCodecConfiguration =
        serde_json::from_str(r#"{"quantization":"sqrt","offset":100,"scale":1}"#).unwrap();
    let codec = PymePzfCodec::new_with_configuration(config);
    assert_eq!(
        serde_json::to_value(codec.compressor_v2()).unwrap(),
        serde_json::json!({"id": "pyme-pzf", "quantization": "sqrt", "offset": 100, "scale": 1})
    );
    assert_eq!(
        serde_json::to_value(PymePzfCodec::new().compressor_v2()).unwrap(),
        serde_json::json!({"id": "pyme-pzf"})
    );
}

fn read_err(dtype: &str, chunk_shape: [u64; 3], blob: Vec<u8>) -> String {
    chain(&read_error(dtype, chunk_shape, blob))
}

fn read_error(dtype: &str, chunk_shape: [u64; 3], blob: Vec<u8>) -> zarrs::array::ArrayError {
    let a = v2_array(
        dtype,
        &chunk_shape,
        &chunk_shape,
        serde_json::json!({"id": "pyme-pzf"}),
    );
    a.storage()
        .set(&StoreKey::new("a/0/0/0").unwrap(), blob.into())
        .unwrap();
    let whole = ArraySubset::new_with_shape(chunk_shape.to_vec());
    let err = match dtype {
        "<f4" => a.retrieve_array_subset::<Vec<f32>>(&whole).map(|_| ()),
        "<u2" => a.retrieve_array_subset::<Vec<u16>>(&whole).map(|_| ()),
        _ => a.retrieve_array_subset::<Vec<u8>>(&whole).map(|_| ()),
    };
    err.expect_err("the chunk must not decode")
}

#[test]
fn frames_that_do_not_fit_the_chunk_are_refused_with_what_differs() {
    let tile = pyme_file("pyme_series/data/pyramid/0/000/000/000_img.pzf");
    // float32 (16, 16, 1) tile read as uint16.
    let err = read_err("<u2", [1, 16, 16], tile.clone());
    assert!(
        err.contains("numcodecs.pyme-pzf") && err.contains("float32") && err.contains("uint16"),
        "{err}"
    );
    // Into a chunk of the same element count but another shape (zarr-python would accept it).
    let err = read_err("<f4", [1, 8, 32], tile.clone());
    assert!(
        err.contains("[16, 16, 1]") && err.contains("[1, 8, 32]"),
        "{err}"
    );
    // Damaged frames: magic, truncated header, truncated payload.
    let mut bad = tile.clone();
    bad[0] = b'X';
    assert!(read_err("<f4", [1, 16, 16], bad.clone()).contains("not a PZF file"));
    // The reader's typed errors behind zarrs's.
    let err = read_error("<f4", [1, 16, 16], bad);
    assert_no_repeats(&err);
    assert_eq!(
        zarrs_pymecompress::find_source::<pymecompress_codecs::pzf::PzfError>(&err),
        Some(&pymecompress_codecs::pzf::PzfError::BadMagic { found: *b"XD" })
    );
    let err = read_error("<u2", [1, 16, 16], tile.clone());
    assert!(matches!(
        zarrs_pymecompress::find_source::<zarrs_pymecompress::PymePzfChunkError>(&err),
        Some(zarrs_pymecompress::PymePzfChunkError::DataFormat { .. })
    ));
    assert!(read_err("<f4", [1, 16, 16], tile[..40].to_vec()).contains("header needs"));
    let err = read_err("<f4", [1, 16, 16], tile[..tile.len() - 1].to_vec());
    assert!(err.contains("raw PZF payload is 1023 bytes"), "{err}");
    let huff = pyme_file("pzf/u16_huff_C_2d.pzf");
    let err = read_err("<u2", [1, 13, 7], huff[..huff.len() / 2].to_vec());
    assert!(err.contains("numcodecs.pyme-pzf"), "{err}");
}

#[test]
fn unsupported_data_types_and_configurations_are_refused() {
    let a = v2_array(
        "<i4",
        &[4, 4],
        &[4, 4],
        serde_json::json!({"id": "pyme-pzf"}),
    );
    let err = check_array(&a).unwrap_err().to_string();
    assert!(
        err.contains("int32") && err.contains("numcodecs.pyme-pzf"),
        "{err}"
    );
    let a = v2_array(
        "<f4",
        &[4, 4],
        &[4, 4],
        serde_json::json!({"id": "pyme-pzf", "quantization": "sqrt"}),
    );
    let err = chain(&check_array(&a).unwrap_err());
    assert!(err.contains("uint16 arrays only"), "{err}");

    let store = Arc::new(MemoryStore::new());
    let zarray = serde_json::json!({
        "zarr_format": 2, "shape": [4, 4], "chunks": [4, 4], "dtype": "<u2",
        "compressor": {"id": "pyme-pzf", "offset": 3}, "fill_value": 0, "filters": null, "order": "C"
    });
    store
        .set(
            &StoreKey::new(".zarray").unwrap(),
            serde_json::to_vec(&zarray).unwrap().into(),
        )
        .unwrap();
    let err = Array::open(store, "/").unwrap_err().to_string();
    assert!(err.contains("`offset` is only meaningful"), "{err}");
}

#[test]
fn thin_chunks_record_the_dim_order_dumps_records() {
    // dumps records F for arrays numpy calls F-contiguous (at most one long dimension).
    let a = v2_array(
        "|u1",
        &[1, 1, 9],
        &[1, 1, 9],
        serde_json::json!({"id": "pyme-pzf"}),
    );
    a.store_array_subset(
        &ArraySubset::new_with_shape(vec![1, 1, 9]),
        (0..9u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let frame = pzf::decode(&chunk(&a, "a/0/0/0")).unwrap();
    assert_eq!((frame.shape(), frame.order()), ([1, 1, 9], DimOrder::F));
}

#[test]
fn hostile_chunks_are_errors_never_panics() {
    // PYME's raw float32 tile and a Huffman uint16 frame, cut at every length and with every
    // header byte replaced: each read ends in Ok (a change the frame survives) or an error.
    let cases = [
        (
            "<f4",
            [1u64, 16, 16],
            pyme_file("pyme_series/data/pyramid/0/000/000/000_img.pzf"),
        ),
        ("<u2", [1, 13, 7], pyme_file("pzf/u16_huff_C_2d.pzf")),
        (
            "<u2",
            [1, 32, 32],
            pyme_file("pyme_series/data/quantized/server0/scan_002.pcs/frame00000.pzf"),
        ),
    ];
    let mut errors = 0;
    for (dtype, shape, blob) in cases {
        let a = v2_array(dtype, &shape, &shape, serde_json::json!({"id": "pyme-pzf"}));
        let key = StoreKey::new("a/0/0/0").unwrap();
        let whole = ArraySubset::new_with_shape(shape.to_vec());
        let mut variants: Vec<Vec<u8>> = (0..blob.len()).map(|n| blob[..n].to_vec()).collect();
        for at in 0..64 {
            for value in [0u8, 1, 2, 3, 0x7f, 0xff] {
                let mut bad = blob.clone();
                bad[at] = value;
                variants.push(bad);
            }
        }
        for variant in variants {
            a.storage().set(&key, variant.into()).unwrap();
            let read = if dtype == "<f4" {
                a.retrieve_array_subset::<Vec<f32>>(&whole).map(|_| ())
            } else {
                a.retrieve_array_subset::<Vec<u16>>(&whole).map(|_| ())
            };
            errors += usize::from(read.is_err());
        }
    }
    // Most damage must be caught (every truncation is).
    assert!(errors > 1000, "{errors}");
}

#[test]
fn the_codec_and_the_tile_store_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<PymePzfCodec>();
    shared::<zarrs_pymecompress::PymeTileStore<zarrs::filesystem::FilesystemStore>>();
}
