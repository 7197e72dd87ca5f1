//! A store with one corrupt chunk among good ones: reading across it fails with an error that
//! names the codec and holds the core's typed error as its source (zarrs), and the chunk key
//! (`retrieve_array_subset_naming_chunk`); reading around it still works.

use crate::common;
use common::{assert_no_repeats, chain};
use pymecompress_test_support::zarr_v2;
use std::sync::Arc;

use pymecompress_codecs::Error as CoreError;
use pymecompress_codecs::QuantParams;
use zarrs::array::ArraySubset;
use zarrs::metadata::ChunkKeySeparator;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::{StoreKey, WritableStorageTraits};
use zarrs_pymecompress::{
    find_source, retrieve_array_subset_naming_chunk, HuffmanCodec, HuffmanQuant16Codec,
};

const SHAPE: [u64; 2] = [64, 96];
const CHUNKS: [u64; 2] = [32, 32];

fn image() -> Vec<u16> {
    (0..SHAPE[0] * SHAPE[1])
        .map(|i| (100 + (i * 7919) % 400) as u16)
        .collect()
}

/// Writes the image with `compressor`, reads it back (quant16 is lossy), then overwrites
/// chunk (1, 2) with `damage(original)`. Returns the array and what it read before the damage.
fn damaged_array(
    compressor: zarrs::metadata::v2::MetadataV2,
    damage: impl Fn(&[u8]) -> Vec<u8>,
) -> (zarrs::array::Array<MemoryStore>, Vec<u16>) {
    let store = Arc::new(MemoryStore::new());
    let array = zarr_v2::create(
        store.clone(),
        "/frames",
        &SHAPE,
        &CHUNKS,
        "<u2",
        0,
        compressor,
        ChunkKeySeparator::Dot,
    );
    let whole = ArraySubset::new_with_shape(SHAPE.to_vec());
    array.store_array_subset(&whole, image()).unwrap();
    let before: Vec<u16> = array.retrieve_array_subset(&whole).unwrap();
    let key = StoreKey::new("frames/1.2").unwrap();
    let original = zarrs::storage::ReadableStorageTraits::get(&*store, &key)
        .unwrap()
        .expect("chunk 1.2 was written");
    store.set(&key, damage(&original).into()).unwrap();
    (array, before)
}

fn truncate(chunk: &[u8]) -> Vec<u8> {
    let mut short = chunk[..chunk.len() / 2].to_vec();
    short.extend_from_slice(&chunk[chunk.len() - 4..]);
    short
}

fn flip_trailer(chunk: &[u8]) -> Vec<u8> {
    let mut bad = chunk.to_vec();
    let at = bad.len() - 1;
    bad[at] ^= 0x40;
    bad
}

#[test]
fn a_corrupt_chunk_is_named_and_the_rest_of_the_array_reads() {
    let codecs = [
        (
            "pymecompress-quant16",
            HuffmanQuant16Codec::new(QuantParams::default()).compressor_v2(),
        ),
        ("pymecompress-huffman", HuffmanCodec::new().compressor_v2()),
    ];
    for (codec_id, compressor) in codecs {
        for (damage, what) in [
            (truncate as fn(&[u8]) -> Vec<u8>, "truncated"),
            (flip_trailer, "trailer"),
        ] {
            let (array, expected) = damaged_array(compressor.clone(), damage);
            let whole = ArraySubset::new_with_shape(SHAPE.to_vec());
            let err = array
                .retrieve_array_subset::<Vec<u16>>(&whole)
                .expect_err("reading across the damaged chunk must fail");
            assert_eq!(err.to_string(), format!("numcodecs.{codec_id}"));
            assert_no_repeats(&err);
            // The core's own error, typed, behind zarrs's.
            let core = find_source::<CoreError>(&err).expect("the core error is a source");
            let expected_kind = match (codec_id, what) {
                (_, "truncated") => matches!(core, CoreError::StreamTruncated { .. }),
                _ => matches!(
                    core,
                    CoreError::TrailerMismatch { .. } | CoreError::TrailerTooLarge { .. }
                ),
            };
            assert!(expected_kind, "{codec_id}, {what}: {core:?}");
            let named = retrieve_array_subset_naming_chunk::<Vec<u16>, _>(&array, &whole)
                .expect_err("reading across the damaged chunk must fail");
            assert_eq!(
                named.chunk().map(|c| c.chunk_key.as_str()),
                Some("frames/1.2"),
                "{codec_id}"
            );
            assert_eq!(
                named.chunk().map(|c| &c.chunk_indices[..]),
                Some(&[1u64, 2][..])
            );
            assert_eq!(named.to_string(), "chunk [1, 2] (key frames/1.2)");
            assert_no_repeats(&named);
            assert_eq!(find_source::<CoreError>(&named), Some(core));
            let message = chain(&named);
            assert!(
                message.starts_with(&format!(
                    "chunk [1, 2] (key frames/1.2): numcodecs.{codec_id}: "
                )),
                "{message}"
            );
            let err = array
                .retrieve_chunk::<Vec<u16>>(&[1, 2])
                .expect_err("the damaged chunk must fail");
            assert_eq!(find_source::<CoreError>(&err), Some(core), "{codec_id}");

            // Rows 0..32 (chunk row 0) and the columns of chunk column 0..2 avoid chunk (1, 2).
            let top = ArraySubset::new_with_ranges(&[0..32, 0..96]);
            let got: Vec<u16> = array.retrieve_array_subset(&top).unwrap();
            assert!(got == expected[..32 * 96], "{codec_id}: top rows differ");
            let left = ArraySubset::new_with_ranges(&[0..64, 0..64]);
            let got: Vec<u16> = array.retrieve_array_subset(&left).unwrap();
            let want: Vec<u16> = (0..64)
                .flat_map(|r| expected[r * 96..r * 96 + 64].iter().copied())
                .collect();
            assert!(got == want, "{codec_id}: left columns differ");
        }
    }
}
