//! Linking the crate is all a program needs: this target names nothing of it beyond the
//! `use ... as _` line, and opens real pymecompress stores with plain zarrs.

use zarrs_pymecompress as _;

use std::path::PathBuf;
use std::sync::Arc;

use zarrs::array::{Array, ArraySubset};
use zarrs::filesystem::FilesystemStore;

fn open(store: &str, path: &str) -> Array<FilesystemStore> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/stores/zarr2")
        .join(store);
    Array::open(Arc::new(FilesystemStore::new(dir).unwrap()), path).unwrap()
}

#[test]
fn plain_zarrs_opens_and_reads_a_huffman_store() {
    let array = open("huff_u1.zarr", "/");
    let values: Vec<u8> = array
        .retrieve_array_subset(&ArraySubset::new_with_shape(array.shape().to_vec()))
        .unwrap();
    assert_eq!(values.len(), 50 * 70);
}

#[test]
fn plain_zarrs_opens_and_reads_a_quant16_store() {
    let array = open("q16_o0_s1_edge.zarr", "/images/raw");
    let values: Vec<u16> = array
        .retrieve_array_subset(&ArraySubset::new_with_shape(array.shape().to_vec()))
        .unwrap();
    assert_eq!(values.len(), 50 * 70);
    // The mask beside it uses the Huffman codec.
    let mask = open("q16_o0_s1_edge.zarr", "/images/mask");
    let mask: Vec<u8> = mask
        .retrieve_array_subset(&ArraySubset::new_with_shape(vec![20, 20]))
        .unwrap();
    assert_eq!(mask[..4], [0, 1, 2, 0]);
}
