//! Arrays written by zarrs in Zarr V3 format with these codecs round-trip, on their own and
//! inside the sharding codec, through metadata written to and read back from a store.

use std::sync::Arc;

use pymecompress_codecs::QuantParams;
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset, DataType, Element, ElementOwned};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

const SHAPE: [u64; 2] = [45, 70];
const CHUNKS: [u64; 2] = [16, 32];

fn whole() -> ArraySubset {
    ArraySubset::new_with_shape(SHAPE.to_vec())
}

fn reopen(store: &Arc<MemoryStore>, path: &str) -> Array<MemoryStore> {
    zarrs_pymecompress::open_array(store.clone(), path).unwrap()
}

fn huffman_round_trip<T>(data_type: DataType, fill: T, value: impl Fn(u64) -> T, sharded: bool)
where
    T: Element
        + ElementOwned
        + PartialEq
        + std::fmt::Debug
        + Copy
        + Into<zarrs::array::builder::ArrayBuilderFillValue>,
{
    let store = Arc::new(MemoryStore::new());
    let mut builder = ArrayBuilder::new(SHAPE.to_vec(), CHUNKS.to_vec(), data_type, fill);
    builder.bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())]);
    if sharded {
        builder.subchunk_shape(vec![8, 16]);
    }
    let array = builder.build(store.clone(), "/a").unwrap();
    array.store_metadata().unwrap();
    let data: Vec<T> = (0..SHAPE[0] * SHAPE[1]).map(&value).collect();
    array.store_array_subset(&whole(), data.clone()).unwrap();

    let array = reopen(&store, "/a");
    let back: Vec<T> = array.retrieve_array_subset(&whole()).unwrap();
    assert_eq!(back, data);
    let part: Vec<T> = array
        .retrieve_array_subset(&ArraySubset::new_with_ranges(&[10..40, 20..69]))
        .unwrap();
    let expected: Vec<T> = (10..40)
        .flat_map(|i| (20..69).map(move |j| i * SHAPE[1] + j))
        .map(&value)
        .collect();
    assert_eq!(part, expected);
}

#[test]
fn huffman_round_trips_every_data_type() {
    for sharded in [false, true] {
        huffman_round_trip(data_type::uint8(), 0u8, |i| (i % 7) as u8, sharded);
        huffman_round_trip(
            data_type::uint16(),
            0u16,
            |i| (i * 37 % 1000) as u16,
            sharded,
        );
        huffman_round_trip(data_type::int32(), -1i32, |i| i as i32 - 1500, sharded);
        huffman_round_trip(data_type::float32(), 0f32, |i| (i as f32).sqrt(), sharded);
    }
}

fn quant16_round_trip(params: QuantParams, sharded: bool) {
    let store = Arc::new(MemoryStore::new());
    let mut builder = ArrayBuilder::new(SHAPE.to_vec(), CHUNKS.to_vec(), data_type::uint16(), 0u16);
    builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::new(params)));
    if sharded {
        builder.subchunk_shape(vec![8, 16]);
    }
    let array = builder.build(store.clone(), "/q").unwrap();
    array.store_metadata().unwrap();
    let data: Vec<u16> = (0..SHAPE[0] * SHAPE[1])
        .map(|i| (i * 13 % 3000) as u16)
        .collect();
    array.store_array_subset(&whole(), data.clone()).unwrap();

    let array = reopen(&store, "/q");
    let back: Vec<u16> = array.retrieve_array_subset(&whole()).unwrap();
    let expected: Vec<u16> = data
        .iter()
        .map(|&x| params.dequantize(params.quantize(x)))
        .collect();
    assert_eq!(back, expected, "{params:?} sharded={sharded}");
}

#[test]
fn quant16_round_trips_through_quantization() {
    for sharded in [false, true] {
        for (offset, scale) in [(0.0, 1.0), (100.0, 1.0), (0.5, 2.0), (50.0, 1.5)] {
            quant16_round_trip(QuantParams::new(offset, scale).unwrap(), sharded);
        }
    }
}

#[test]
fn v3_metadata_names_the_codecs_and_keeps_integers() {
    let store = Arc::new(MemoryStore::new());
    let codec = HuffmanQuant16Codec::new(QuantParams::new(100.0, 1.0).unwrap());
    let array = ArrayBuilder::new(vec![4, 4], vec![4, 4], data_type::uint16(), 0u16)
        .array_to_bytes_codec(Arc::new(codec))
        .bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())])
        .build(store.clone(), "/m")
        .unwrap();
    let json = serde_json::to_value(array.metadata()).unwrap();
    assert_eq!(
        json["codecs"],
        serde_json::json!([
            {"name": "numcodecs.pymecompress-quant16", "configuration": {"offset": 100, "scale": 1}},
            // zarrs leaves out an empty configuration.
            {"name": "numcodecs.pymecompress-huffman"},
        ])
    );
}

#[test]
fn v3_metadata_written_by_others_opens() {
    // zarr-python 3 names numcodecs codecs in V3 as `numcodecs.<id>`.
    let store = Arc::new(MemoryStore::new());
    let metadata = serde_json::json!({
        "zarr_format": 3, "node_type": "array", "shape": [8, 8], "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": [{"name": "numcodecs.pymecompress-quant16", "configuration": {"offset": 0.5}}]
    });
    use zarrs::storage::WritableStorageTraits;
    store
        .set(
            &"x/zarr.json".try_into().unwrap(),
            serde_json::to_vec(&metadata).unwrap().into(),
        )
        .unwrap();
    let array = reopen(&store, "/x");
    let json = serde_json::to_value(array.metadata()).unwrap();
    assert_eq!(
        json["codecs"][0]["configuration"],
        serde_json::json!({"offset": 0.5})
    );
    let data: Vec<u16> = (0..64).collect();
    array
        .store_array_subset(&ArraySubset::new_with_shape(vec![8, 8]), data)
        .unwrap();
    let back: Vec<u16> = array
        .retrieve_array_subset(&ArraySubset::new_with_shape(vec![8, 8]))
        .unwrap();
    let p = QuantParams::new(0.5, 1.0).unwrap();
    assert_eq!(
        back,
        (0..64)
            .map(|x| p.dequantize(p.quantize(x)))
            .collect::<Vec<_>>()
    );
}
