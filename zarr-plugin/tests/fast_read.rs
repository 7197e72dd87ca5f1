//! `read_region*` gives exactly what `Array::retrieve_array_subset` gives: V2 and V3 stores,
//! quant16, Huffman and zstd, sharding, edge and missing chunks, fill values, regions off the
//! chunk grid, 1 to 3 dimensions; a damaged chunk is named.

#![allow(clippy::single_range_in_vec_init)] // one-axis regions are written `vec![a..b]`

use std::sync::Arc;

use pymecompress_codecs::QuantParams;
use zarrs::array::codec::ZstdCodec;
use zarrs::array::{data_type, Array, ArrayBuilder, ArrayBytes, ArraySubset, DataType};
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::WritableStorageTraits;
use zarrs_pymecompress::{
    read_region, read_region_elements_into, read_region_into, HuffmanCodec, HuffmanQuant16Codec,
};

#[derive(Clone, Copy, Debug)]
enum Codec {
    Quant16,
    Huffman,
    Zstd,
}

fn build(
    store: &Arc<MemoryStore>,
    codec: Codec,
    shape: &[u64],
    chunks: &[u64],
    data_type: DataType,
    sharded: Option<Vec<u64>>,
) -> Array<MemoryStore> {
    let mut builder = ArrayBuilder::new(shape.to_vec(), chunks.to_vec(), data_type, 7u16);
    match codec {
        Codec::Quant16 => {
            builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::new(
                QuantParams::new(3.0, 1.0).unwrap(),
            )));
        }
        Codec::Huffman => {
            builder.bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())]);
        }
        Codec::Zstd => {
            builder.bytes_to_bytes_codecs(vec![Arc::new(ZstdCodec::new(3, false))]);
        }
    }
    if let Some(inner) = sharded {
        builder.subchunk_shape(inner);
    }
    let array = builder.build(store.clone(), "/a").unwrap();
    array.store_metadata().unwrap();
    array
}

fn data(n: u64) -> Vec<u16> {
    (0..n).map(|i| (i * 7919 % 4093) as u16 + 3).collect()
}

/// Writes the array (all but one chunk, which stays missing), then compares every listed
/// region through both paths.
fn check(array: &Array<MemoryStore>, regions: &[Vec<std::ops::Range<u64>>]) {
    let whole = ArraySubset::new_with_shape(array.shape().to_vec());
    let values = data(whole.num_elements());
    array.store_array_subset(&whole, values).unwrap();
    // One missing chunk: the last one in the grid.
    let grid = array.chunk_grid_shape().to_vec();
    let last: Vec<u64> = grid.iter().map(|g| g - 1).collect();
    array.erase_chunk(&last).unwrap();
    for ranges in regions {
        let subset = ArraySubset::new_with_ranges(ranges);
        let expected: Vec<u16> = array.retrieve_array_subset(&subset).unwrap();
        let fresh: Vec<u16> = read_region(array, &subset).unwrap();
        assert_eq!(fresh, expected, "region {ranges:?}");
        let mut reused = vec![0xAAAAu16; expected.len()];
        read_region_elements_into(array, &subset, &mut reused).unwrap();
        assert_eq!(reused, expected, "region {ranges:?} into a used buffer");
    }
}

fn regions_2d() -> Vec<Vec<std::ops::Range<u64>>> {
    vec![
        vec![0..45, 0..70],
        vec![10..40, 20..69],
        vec![16..32, 32..64],
        vec![3..4, 0..70],
        vec![0..45, 65..66],
        vec![40..45, 60..70],
        vec![5..5, 0..70],
    ]
}

#[test]
fn matches_zarrs_v3_2d_every_codec() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        let store = Arc::new(MemoryStore::new());
        let array = build(
            &store,
            codec,
            &[45, 70],
            &[16, 32],
            data_type::uint16(),
            None,
        );
        check(&array, &regions_2d());
    }
}

#[test]
fn matches_zarrs_sharded() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        let store = Arc::new(MemoryStore::new());
        let array = build(
            &store,
            codec,
            &[45, 70],
            &[16, 32],
            data_type::uint16(),
            Some(vec![8, 16]),
        );
        check(&array, &regions_2d());
    }
}

#[test]
fn matches_zarrs_1d_and_3d() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        let store = Arc::new(MemoryStore::new());
        let array = build(&store, codec, &[1000], &[128], data_type::uint16(), None);
        check(
            &array,
            &[vec![0..1000], vec![5..900], vec![128..256], vec![999..1000]],
        );

        let store = Arc::new(MemoryStore::new());
        let array = build(
            &store,
            codec,
            &[5, 33, 20],
            &[2, 16, 20],
            data_type::uint16(),
            None,
        );
        check(
            &array,
            &[
                vec![0..5, 0..33, 0..20],
                vec![1..4, 3..30, 0..20],
                vec![2..4, 0..33, 0..20],
                vec![0..5, 10..11, 5..17],
            ],
        );
        // Frames one chunk each: decoded in place.
        let store = Arc::new(MemoryStore::new());
        let array = build(
            &store,
            codec,
            &[4, 30, 20],
            &[1, 30, 20],
            data_type::uint16(),
            None,
        );
        check(
            &array,
            &[vec![0..4, 0..30, 0..20], vec![1..3, 0..30, 0..20]],
        );
    }
}

#[test]
fn matches_zarrs_v2() {
    for compressor in [
        HuffmanQuant16Codec::new(QuantParams::new(0.0, 1.0).unwrap()).compressor_v2(),
        HuffmanCodec::new().compressor_v2(),
    ] {
        let store = Arc::new(MemoryStore::new());
        let _ = pymecompress_test_support::zarr_v2::create(
            store.clone(),
            "/v2",
            &[45, 70],
            &[16, 32],
            "<u2",
            9,
            compressor,
            ChunkKeySeparator::Dot,
        );
        let array = zarrs_pymecompress::open_array(store.clone(), "/v2").unwrap();
        check(&array, &regions_2d());
    }
}

#[test]
fn missing_chunks_are_the_fill_value_and_bad_lengths_are_refused() {
    let store = Arc::new(MemoryStore::new());
    let array = build(
        &store,
        Codec::Quant16,
        &[40, 40],
        &[16, 16],
        data_type::uint16(),
        None,
    );
    let subset = ArraySubset::new_with_ranges(&[3..37, 5..40]);
    let back: Vec<u16> = read_region(&array, &subset).unwrap();
    assert!(back.iter().all(|&v| v == 7));
    let mut short = vec![0u8; 10];
    let err = read_region_into(&array, &subset, &mut short).unwrap_err();
    assert!(err.chunk_key.is_none());
    let mut wrong = vec![0u32; back.len()];
    assert!(read_region_elements_into(&array, &subset, &mut wrong).is_err());
}

#[test]
fn out_of_bounds_region_goes_through_zarrs() {
    let store = Arc::new(MemoryStore::new());
    let array = build(
        &store,
        Codec::Huffman,
        &[20, 20],
        &[8, 8],
        data_type::uint16(),
        None,
    );
    let whole = ArraySubset::new_with_shape(vec![20, 20]);
    array.store_array_subset(&whole, data(400)).unwrap();
    let subset = ArraySubset::new_with_ranges(&[10..30, 0..20]);
    match array.retrieve_array_subset::<Vec<u16>>(&subset) {
        Ok(expected) => assert_eq!(read_region::<u16, _>(&array, &subset).unwrap(), expected),
        Err(_) => assert!(read_region::<u16, _>(&array, &subset).is_err()),
    }
}

#[test]
fn a_damaged_chunk_is_named() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        let store = Arc::new(MemoryStore::new());
        let array = build(
            &store,
            codec,
            &[45, 70],
            &[16, 32],
            data_type::uint16(),
            None,
        );
        let whole = ArraySubset::new_with_shape(vec![45, 70]);
        array.store_array_subset(&whole, data(45 * 70)).unwrap();
        let key = array.chunk_key(&[1, 2]);
        let encoded = array.retrieve_encoded_chunk(&[1, 2]).unwrap().unwrap();
        store
            .set(&key, encoded[..encoded.len() / 2].to_vec().into())
            .unwrap();
        let err = read_region::<u16, _>(&array, &whole).unwrap_err();
        assert_eq!(err.chunk_key.as_deref(), Some(key.as_str()), "{codec:?}");
        assert_eq!(err.chunk_indices, Some(vec![1, 2]));
        assert!(array.retrieve_array_subset::<ArrayBytes>(&whole).is_err());
    }
}

#[test]
fn big_chunk_on_a_pool_matches() {
    // One chunk of 1 Mi values: the core decodes it on the pool's threads.
    let store = Arc::new(MemoryStore::new());
    let array = build(
        &store,
        Codec::Quant16,
        &[1024, 1100],
        &[1024, 1024],
        data_type::uint16(),
        None,
    );
    let whole = ArraySubset::new_with_shape(vec![1024, 1100]);
    array.store_array_subset(&whole, data(1024 * 1100)).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let expected: Vec<u16> = array.retrieve_array_subset(&whole).unwrap();
    let back: Vec<u16> = pool.install(|| read_region(&array, &whole)).unwrap();
    assert_eq!(back, expected);
    let part = ArraySubset::new_with_ranges(&[0..1024, 0..1024]);
    let expected: Vec<u16> = array.retrieve_array_subset(&part).unwrap();
    let back: Vec<u16> = pool.install(|| read_region(&array, &part)).unwrap();
    assert_eq!(back, expected);
}

#[test]
fn write_region_matches_store_array_subset() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        for (shape, chunks, region) in [
            (vec![45u64, 70], vec![16u64, 32], vec![0..45u64, 0..70u64]),
            (vec![45, 70], vec![16, 32], vec![10..40, 20..69]),
            (vec![5, 33, 20], vec![2, 16, 20], vec![1..4, 3..30, 0..20]),
            (vec![1000], vec![128], vec![5..900]),
        ] {
            let (ours_store, zarrs_store) =
                (Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()));
            let ours = build(
                &ours_store,
                codec,
                &shape,
                &chunks,
                data_type::uint16(),
                None,
            );
            let theirs = build(
                &zarrs_store,
                codec,
                &shape,
                &chunks,
                data_type::uint16(),
                None,
            );
            let subset = ArraySubset::new_with_ranges(&region);
            let values = data(subset.num_elements());
            theirs.store_array_subset(&subset, values.clone()).unwrap();
            zarrs_pymecompress::write_region_from(&ours, &subset, bytemuck::cast_slice(&values))
                .unwrap();
            let whole = ArraySubset::new_with_shape(shape.clone());
            let a: Vec<u16> = ours.retrieve_array_subset(&whole).unwrap();
            let b: Vec<u16> = theirs.retrieve_array_subset(&whole).unwrap();
            assert_eq!(a, b, "{codec:?} {region:?}");
            for indices in ours
                .chunks_in_array_subset(&whole)
                .unwrap()
                .unwrap()
                .indices()
            {
                assert_eq!(
                    ours.retrieve_encoded_chunk(&indices).unwrap(),
                    theirs.retrieve_encoded_chunk(&indices).unwrap(),
                    "{codec:?} {region:?} chunk {indices:?}"
                );
            }
        }
    }
    let store = Arc::new(MemoryStore::new());
    let array = build(
        &store,
        Codec::Quant16,
        &[10, 10],
        &[4, 4],
        data_type::uint16(),
        None,
    );
    let subset = ArraySubset::new_with_shape(vec![10, 10]);
    assert!(zarrs_pymecompress::write_region_from(&array, &subset, &[0u8; 3]).is_err());
}
