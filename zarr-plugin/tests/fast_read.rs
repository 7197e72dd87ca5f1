//! `read_region*` gives exactly what `Array::retrieve_array_subset` gives: V2 and V3 stores,
//! quant16, Huffman and zstd, sharding, edge and missing chunks, fill values, regions off the
//! chunk grid, 1 to 3 dimensions, every numeric type into fresh memory (mapped or plain); a
//! damaged chunk is named.

#![allow(clippy::single_range_in_vec_init)] // one-axis regions are written `vec![a..b]`

use std::sync::Arc;

use bytemuck::Pod;
use pymecompress_codecs::QuantParams;
use zarrs::array::codec::ZstdCodec;
use zarrs::array::{data_type, Array, ArrayBuilder, ArrayBytes, ArraySubset, DataType};
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::WritableStorageTraits;
use zarrs_pymecompress::{
    read_region, read_region_bytes_into, read_region_into, HuffmanCodec, HuffmanQuant16Codec,
    RegionBuffer, RegionBufferError, RegionReadError,
};

#[derive(Clone, Copy, Debug)]
enum Codec {
    Quant16,
    Huffman,
    Zstd,
}

/// A new array in a store of its own, with `codec` (and sharding, if `sharded` is given).
fn build_typed(
    codec: Codec,
    shape: &[u64],
    chunks: &[u64],
    data_type: DataType,
    fill: Vec<u8>,
    sharded: Option<Vec<u64>>,
) -> Array<MemoryStore> {
    let fill = zarrs::array::FillValue::new(fill);
    let mut builder = ArrayBuilder::new(shape.to_vec(), chunks.to_vec(), data_type, fill);
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
    let array = builder.build(Arc::new(MemoryStore::new()), "/a").unwrap();
    array.store_metadata().unwrap();
    array
}

/// A `uint16` array whose fill value is 7.
fn build(codec: Codec, shape: &[u64], chunks: &[u64]) -> Array<MemoryStore> {
    let fill = 7u16.to_ne_bytes().to_vec();
    build_typed(codec, shape, chunks, data_type::uint16(), fill, None)
}

/// The 45x70 `uint16` array in 16x32 chunks (the last ones partial) most tests read.
fn grid_45x70(codec: Codec, sharded: Option<Vec<u64>>) -> Array<MemoryStore> {
    let fill = 7u16.to_ne_bytes().to_vec();
    build_typed(
        codec,
        &[45, 70],
        &[16, 32],
        data_type::uint16(),
        fill,
        sharded,
    )
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
        let fresh = read_region::<u16, _>(array, &subset).unwrap();
        assert_eq!(fresh[..], expected[..], "region {ranges:?}");
        let mut reused = vec![0xAAAAu16; expected.len()];
        read_region_into(array, &subset, &mut reused).unwrap();
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
        check(&grid_45x70(codec, None), &regions_2d());
    }
}

#[test]
fn matches_zarrs_sharded() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        check(&grid_45x70(codec, Some(vec![8, 16])), &regions_2d());
    }
}

#[test]
fn matches_zarrs_1d_and_3d() {
    for codec in [Codec::Quant16, Codec::Huffman, Codec::Zstd] {
        let array = build(codec, &[1000], &[128]);
        check(
            &array,
            &[vec![0..1000], vec![5..900], vec![128..256], vec![999..1000]],
        );
        let array = build(codec, &[5, 33, 20], &[2, 16, 20]);
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
        let array = build(codec, &[4, 30, 20], &[1, 30, 20]);
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

/// Reads the whole of a `T` array of `shape` (Huffman or zstd, chunks of `chunks`), filled
/// with varied bytes, into fresh memory, and checks it byte for byte against zarrs. Returns
/// whether the result was in a mapping of its own.
fn fresh_matches<T: Pod + zarrs::array::Element>(
    codec: Codec,
    data_type: DataType,
    shape: &[u64],
    chunks: &[u64],
) -> bool {
    let fill = vec![7u8; size_of::<T>()];
    let array = build_typed(codec, shape, chunks, data_type, fill, None);
    let whole = ArraySubset::new_with_shape(shape.to_vec());
    let n = usize::try_from(whole.num_elements()).unwrap() * size_of::<T>();
    // Skewed bytes, so that Huffman codes differ in length.
    let bytes: Vec<u8> = (0..n).map(|i| (i * 7919 % 4093 % 61) as u8).collect();
    let values: Vec<T> = bytemuck::pod_collect_to_vec(&bytes);
    array.store_array_subset(&whole, values).unwrap();
    let expected = array
        .retrieve_array_subset::<ArrayBytes>(&whole)
        .unwrap()
        .into_fixed()
        .unwrap();
    let fresh = read_region::<T, _>(&array, &whole).unwrap();
    assert_eq!(fresh.as_bytes(), &expected[..], "{codec:?} {shape:?}");
    assert_eq!(
        bytemuck::cast_slice::<T, u8>(&fresh.into_vec()),
        &expected[..]
    );
    let part = ArraySubset::new_with_ranges(&[1..shape[0] - 1, 3..shape[1]]);
    let expected = array
        .retrieve_array_subset::<ArrayBytes>(&part)
        .unwrap()
        .into_fixed()
        .unwrap();
    let fresh = read_region::<T, _>(&array, &part).unwrap();
    assert_eq!(fresh.as_bytes(), &expected[..], "{codec:?} {shape:?} part");
    fresh.is_mapped()
}

#[test]
fn fresh_buffers_match_zarrs_huge_and_small_every_type() {
    let mapped = [
        // Small: a plain vector.
        fresh_matches::<u8>(Codec::Huffman, data_type::uint8(), &[45, 70], &[16, 32]),
        fresh_matches::<f64>(Codec::Zstd, data_type::float64(), &[45, 70], &[16, 32]),
        // 2 MiB and more: a mapping of its own, where the system gives one.
        fresh_matches::<u8>(
            Codec::Huffman,
            data_type::uint8(),
            &[1030, 2100],
            &[256, 512],
        ),
        fresh_matches::<i16>(
            Codec::Huffman,
            data_type::int16(),
            &[1030, 1100],
            &[512, 300],
        ),
        fresh_matches::<u32>(Codec::Zstd, data_type::uint32(), &[600, 1000], &[600, 1000]),
        fresh_matches::<f32>(
            Codec::Huffman,
            data_type::float32(),
            &[700, 800],
            &[256, 256],
        ),
        fresh_matches::<u64>(
            Codec::Huffman,
            data_type::uint64(),
            &[300, 900],
            &[128, 900],
        ),
        fresh_matches::<f64>(Codec::Zstd, data_type::float64(), &[513, 520], &[100, 520]),
    ];
    assert_eq!(mapped[..2], [false, false]);
    if cfg!(target_os = "linux") {
        // Every large result but one whose advice the system refused; this machine gives all.
        assert!(mapped[2..].iter().any(|&m| m), "{mapped:?}");
    }
}

#[test]
fn region_buffers_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RegionBuffer<u16>>();
    send_sync::<RegionBuffer<f64>>();
    // A mapped buffer is read and written from the pool's threads like a slice.
    let mut b = RegionBuffer::<u32>::zeroed(1 << 20);
    rayon::scope(|s| {
        for (i, part) in b.chunks_mut(1 << 18).enumerate() {
            s.spawn(move |_| part.fill(i as u32 + 1));
        }
    });
    assert_eq!((b[0], b[(1 << 20) - 1]), (1, 4));
}

#[test]
fn a_plain_buffer_is_filled_alike() {
    // The fallback when mapping or advice fails: a plain vector, filled by the same path.
    let array = build(Codec::Quant16, &[1024, 1100], &[256, 256]);
    let whole = ArraySubset::new_with_shape(vec![1024, 1100]);
    array.store_array_subset(&whole, data(1024 * 1100)).unwrap();
    let expected: Vec<u16> = array.retrieve_array_subset(&whole).unwrap();
    let mut plain = RegionBuffer::<u16>::zeroed_plain(expected.len());
    assert!(!plain.is_mapped());
    read_region_into(&array, &whole, &mut plain).unwrap();
    assert_eq!(plain[..], expected[..]);
    let fresh = read_region::<u16, _>(&array, &whole).unwrap();
    assert_eq!(fresh[..], expected[..]);
    assert_eq!(fresh.into_vec(), plain.into_vec());
}

#[test]
fn missing_chunks_are_the_fill_value_and_bad_lengths_are_refused() {
    let array = build(Codec::Quant16, &[40, 40], &[16, 16]);
    let subset = ArraySubset::new_with_ranges(&[3..37, 5..40]);
    let back = read_region::<u16, _>(&array, &subset).unwrap();
    assert!(back.iter().all(|&v| v == 7));
    let mut short = vec![0u8; 10];
    let err = read_region_bytes_into(&array, &subset, &mut short).unwrap_err();
    assert!(err.chunk().map(|c| c.chunk_key.as_str()).is_none());
    assert_eq!(
        err.to_string(),
        "the caller's buffer holds 10 bytes, region [3..37, 5..40] of uint16 needs 2380"
    );
    let mut wrong = vec![0u32; back.len()];
    assert!(matches!(
        read_region_into(&array, &subset, &mut wrong),
        Err(RegionReadError::Buffer(RegionBufferError::ElementSize {
            element_bytes: 4,
            data_type_bytes: 2,
            ..
        }))
    ));
    assert!(read_region::<u32, _>(&array, &subset).is_err());
}

#[test]
fn out_of_bounds_region_goes_through_zarrs() {
    let array = build(Codec::Huffman, &[20, 20], &[8, 8]);
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
        let array = grid_45x70(codec, None);
        let whole = ArraySubset::new_with_shape(vec![45, 70]);
        array.store_array_subset(&whole, data(45 * 70)).unwrap();
        let key = array.chunk_key(&[1, 2]);
        let encoded = array.retrieve_encoded_chunk(&[1, 2]).unwrap().unwrap();
        array
            .storage()
            .set(&key, encoded[..encoded.len() / 2].to_vec().into())
            .unwrap();
        let err = read_region::<u16, _>(&array, &whole).unwrap_err();
        assert_eq!(
            err.chunk().map(|c| c.chunk_key.as_str()),
            Some(key.as_str()),
            "{codec:?}"
        );
        assert_eq!(
            err.chunk().map(|c| &c.chunk_indices[..]),
            Some(&[1u64, 2][..])
        );
        assert!(array.retrieve_array_subset::<ArrayBytes>(&whole).is_err());
    }
}

#[test]
fn big_chunk_on_a_pool_matches() {
    // One chunk of 1 Mi values: the core decodes it on the pool's threads.
    let array = build(Codec::Quant16, &[1024, 1100], &[1024, 1024]);
    let whole = ArraySubset::new_with_shape(vec![1024, 1100]);
    array.store_array_subset(&whole, data(1024 * 1100)).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for subset in [whole, ArraySubset::new_with_ranges(&[0..1024, 0..1024])] {
        let expected: Vec<u16> = array.retrieve_array_subset(&subset).unwrap();
        let back = pool
            .install(|| read_region::<u16, _>(&array, &subset))
            .unwrap();
        assert_eq!(back[..], expected[..]);
    }
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
            let (ours, theirs) = (build(codec, &shape, &chunks), build(codec, &shape, &chunks));
            let subset = ArraySubset::new_with_ranges(&region);
            let values = data(subset.num_elements());
            theirs.store_array_subset(&subset, values.clone()).unwrap();
            zarrs_pymecompress::write_region(&ours, &subset, &values).unwrap();
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
    let array = build(Codec::Quant16, &[10, 10], &[4, 4]);
    let subset = ArraySubset::new_with_shape(vec![10, 10]);
    assert!(zarrs_pymecompress::write_region_bytes(&array, &subset, &[0u8; 3]).is_err());
    // The old name still compiles: the CLI and older callers use it.
    assert!(zarrs_pymecompress::write_region_from(&array, &subset, &[0u8; 3]).is_err());
}
