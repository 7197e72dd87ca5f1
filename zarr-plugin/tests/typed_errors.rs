//! The core's typed errors survive zarrs: from every path that reads a damaged chunk (zarrs's
//! own reads, sharded or not, and our region reads), walking `source()` reaches
//! `pymecompress_codecs::Error`, and no error of the chain prints its source's text again.

use crate::common;
use common::{assert_no_repeats, chain};
use std::sync::Arc;

use pymecompress_codecs::Error as CoreError;
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
use zarrs::storage::store::MemoryStore;
use zarrs::storage::WritableStorageTraits;
use zarrs_pymecompress::{
    find_source, read_region, write_region, HuffmanCodec, HuffmanQuant16Codec, RegionBufferError,
    RegionReadError, RegionWriteError,
};

/// A 64x64 uint16 array in 16x16 chunks (or shards of 8x8 inner chunks), written whole, with
/// chunk (1, 2) cut to half its length (or, sharded, the trailer of the shard's first inner
/// chunk made to claim other counts).
fn damaged(quant16: bool, sharded: bool) -> Array<MemoryStore> {
    let mut builder = ArrayBuilder::new(vec![64, 64], vec![16, 16], data_type::uint16(), 0u16);
    if quant16 {
        builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()));
    } else {
        builder.bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())]);
    }
    if sharded {
        builder.subchunk_shape(vec![8, 8]);
    }
    let array = builder.build(Arc::new(MemoryStore::new()), "/a").unwrap();
    let whole = ArraySubset::new_with_shape(vec![64, 64]);
    let values: Vec<u16> = (0..64 * 64).map(|i| (i * 7 % 900) as u16).collect();
    array.store_array_subset(&whole, values).unwrap();
    let key = array.chunk_key(&[1, 2]);
    let chunk = array.retrieve_encoded_chunk(&[1, 2]).unwrap().unwrap();
    let damaged = if sharded {
        // The shard index (4 inner chunks: offset and length as u64 each, then a crc32c)
        // ends the shard; the first inner chunk's trailer is its last 4 bytes.
        let entry = chunk.len() - (4 * 16 + 4);
        let word = |at: usize| u64::from_le_bytes(chunk[at..at + 8].try_into().unwrap());
        let end = usize::try_from(word(entry) + word(entry + 8)).unwrap();
        let mut shard = chunk.clone();
        shard[end - 4..end].copy_from_slice(&7u32.to_le_bytes());
        shard
    } else {
        let mut cut = chunk[..chunk.len() / 2].to_vec();
        cut.extend_from_slice(&chunk[chunk.len() - 4..]);
        cut
    };
    array.storage().set(&key, damaged.into()).unwrap();
    array
}

#[test]
fn a_truncated_chunk_is_a_typed_core_error_through_every_read() {
    for quant16 in [true, false] {
        let array = damaged(quant16, false);
        let whole = ArraySubset::new_with_shape(vec![64, 64]);
        let err = array.retrieve_chunk::<Vec<u16>>(&[1, 2]).unwrap_err();
        assert!(
            matches!(
                find_source::<CoreError>(&err),
                Some(CoreError::StreamTruncated { .. })
            ),
            "retrieve_chunk, quant16 {quant16}: {err:?}"
        );
        let err = array.retrieve_array_subset::<Vec<u16>>(&whole).unwrap_err();
        assert!(matches!(
            find_source::<CoreError>(&err),
            Some(CoreError::StreamTruncated { .. })
        ));
        assert_no_repeats(&err);
        // Our region read decodes with the core directly: the same typed error, and the chunk.
        let err = read_region::<u16, _>(&array, &whole).unwrap_err();
        assert_eq!(
            err.chunk().map(|c| &c.chunk_indices[..]),
            Some(&[1u64, 2][..])
        );
        let codec = if quant16 { "quant16" } else { "huffman" };
        let expected = format!("chunk [1, 2] (key a/c/1/2): numcodecs.pymecompress-{codec}: ");
        assert!(chain(&err).starts_with(&expected), "{}", chain(&err));
        assert!(
            matches!(
                find_source::<CoreError>(&err),
                Some(CoreError::StreamTruncated { .. })
            ),
            "read_region, quant16 {quant16}: {err:?}"
        );
        assert_no_repeats(&err);
    }
}

#[test]
fn a_damaged_inner_chunk_of_a_shard_is_a_typed_core_error() {
    for quant16 in [true, false] {
        let array = damaged(quant16, true);
        let whole = ArraySubset::new_with_shape(vec![64, 64]);
        let err = array.retrieve_array_subset::<Vec<u16>>(&whole).unwrap_err();
        let core = find_source::<CoreError>(&err);
        let expected = if quant16 {
            matches!(core, Some(CoreError::ValueCountMismatch { trailer: 7, .. }))
        } else {
            matches!(core, Some(CoreError::TrailerMismatch { trailer: 7, .. }))
        };
        assert!(expected, "quant16 {quant16}: {err:?}");
        let err = read_region::<u16, _>(&array, &whole).unwrap_err();
        assert!(matches!(err, RegionReadError::Chunk { .. }));
        assert!(find_source::<CoreError>(&err).is_some(), "{err:?}");
    }
}

#[test]
fn region_buffers_that_do_not_fit_name_the_buffer_and_the_region() {
    let array = damaged(true, false);
    let region = ArraySubset::new_with_ranges(&[0..8, 4..12]);
    let err = write_region(&array, &region, &[0u16; 10]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the caller's buffer holds 20 bytes, region [0..8, 4..12] of uint16 needs 128"
    );
    let outside = ArraySubset::new_with_ranges(&[60..70, 0..8]);
    let err = write_region(&array, &outside, &[0u16; 80]).unwrap_err();
    assert!(matches!(
        err,
        RegionWriteError::Buffer(RegionBufferError::OutsideArray { .. })
    ));
    // Fresh memory is made of the caller's element type: bytes of a uint16 array are refused.
    assert!(matches!(
        read_region::<u8, _>(&array, &region),
        Err(RegionReadError::Buffer(RegionBufferError::ElementSize {
            element_bytes: 1,
            ..
        }))
    ));
    let err = write_region(&array, &region, &[0u32; 64]).unwrap_err();
    assert!(matches!(
        err,
        RegionWriteError::Buffer(RegionBufferError::ElementSize { .. })
    ));
}
