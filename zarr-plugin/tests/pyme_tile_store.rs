//! [`PymeTileStore`]: PYME's own tile pyramid (written by `ImagePyramid` and
//! `save_zarr_metadata`, `fixtures/pyme_series/data/pyramid`) opens with plain zarrs and
//! reads exactly what PYME's `zarr_compat` + zarr-python read.

use pymecompress_test_support::{fixtures, npy};
use std::sync::Arc;

use zarrs::array::{Array, ArraySubset};
use zarrs::group::Group;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::{ListableStorageTraits, StoreKey, StorePrefix, WritableStorageTraits};
use zarrs_pymecompress::{PymeTileStore, TileStoreError};

fn pyramid_dir() -> std::path::PathBuf {
    fixtures::path("pyme_series/data/pyramid")
}

fn expected(level: u32) -> (Vec<u64>, Vec<f32>) {
    let path = fixtures::path(&format!(
        "pyme_series/data/pyramid_level{level}.expected.npy"
    ));
    let npy = npy::read(&path).unwrap();
    assert_eq!(npy.descr, "<f4");
    let values = npy
        .c_bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (npy.shape.iter().map(|&n| n as u64).collect(), values)
}

#[test]
fn every_level_reads_as_pyme_reads_it() {
    let store = Arc::new(PymeTileStore::open_dir(pyramid_dir()).unwrap());
    let spec = store.spec().expect("the pyramid has a pyme entry");
    assert_eq!(
        spec.key_schema,
        "{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}"
    );
    for level in 0..3 {
        let array = Array::open(store.clone(), &format!("/{level}")).unwrap();
        let (shape, values) = expected(level);
        assert_eq!(array.shape(), &shape[..], "level {level}");
        let read: Vec<f32> = array
            .retrieve_array_subset(&ArraySubset::new_with_shape(shape.clone()))
            .unwrap();
        assert_eq!(read, values, "level {level}");
        assert!(
            read.iter().any(|&v| v != 0.0),
            "level {level} is not all fill"
        );
    }
}

#[test]
fn the_group_opens_and_lists_chunk_keys() {
    let store = Arc::new(PymeTileStore::open_dir(pyramid_dir()).unwrap());
    let group = Group::open(store.clone(), "/").unwrap();
    let attrs = group.attributes();
    assert_eq!(attrs["multiscales"][0]["version"], "0.4");
    let root = store.list_dir(&StorePrefix::root()).unwrap();
    let prefixes: Vec<&str> = root.prefixes().iter().map(StorePrefix::as_str).collect();
    assert_eq!(prefixes, ["0/", "1/", "2/"]);
    let level0: Vec<String> = store
        .list_prefix(&StorePrefix::new("0/").unwrap())
        .unwrap()
        .iter()
        .map(|k| k.as_str().to_string())
        .collect();
    // Tiles (x, y) = (0,0), (0,1), (1,0), (2,0) exist; (1,1) and (2,1) were never written.
    assert_eq!(
        level0,
        [".zarray", "0/0/0", "0/0/1", "0/1/0", "0/2/0"].map(|k| format!("0/{k}"))
    );
    // The tile files themselves are still reachable under their own names.
    let key = StoreKey::new("0/000/000/001_img.pzf").unwrap();
    assert!(
        zarrs::storage::ReadableStorageTraits::size_key(&*store, &key)
            .unwrap()
            .is_some()
    );
}

fn memory_store_with_attrs(attrs: &str) -> Arc<MemoryStore> {
    let store = Arc::new(MemoryStore::new());
    store
        .set(
            &StoreKey::new(".zattrs").unwrap(),
            attrs.as_bytes().to_vec().into(),
        )
        .unwrap();
    store
}

#[test]
fn another_schema_suffix_and_extension_map_as_python_formats_them() {
    let store = memory_store_with_attrs(
        r#"{"pyme": {"key_schema": "{level:d}/{x:03d}/{x:03d}_{y:03d}_{suff}{ext}", "suffix": "acc", "extension": ".bin"}}"#,
    );
    store
        .set(
            &StoreKey::new("1/004/004_012_acc.bin").unwrap(),
            vec![1, 2, 3].into(),
        )
        .unwrap();
    let tiles = PymeTileStore::new(store).unwrap();
    let resolved = tiles.resolve(&StoreKey::new("1/0/4/12").unwrap()).unwrap();
    assert_eq!(resolved.as_str(), "1/004/004_012_acc.bin");
    let value =
        zarrs::storage::ReadableStorageTraits::get(&tiles, &StoreKey::new("1/0/4/12").unwrap())
            .unwrap();
    assert_eq!(value.unwrap().to_vec(), [1, 2, 3]);
    // Not four decimal parts: passed through as it is.
    for key in ["1/0/4", "1/0/4/x", "1/0/-4/1", ".zattrs"] {
        assert_eq!(
            tiles
                .resolve(&StoreKey::new(key).unwrap())
                .unwrap()
                .as_str(),
            key
        );
    }
    assert_eq!(
        tiles.list().unwrap(),
        [
            StoreKey::new(".zattrs").unwrap(),
            StoreKey::new("1/0/4/12").unwrap()
        ]
    );
}

#[test]
fn without_a_pyme_entry_every_key_passes_through() {
    let store = memory_store_with_attrs(r#"{"multiscales": []}"#);
    let tiles = PymeTileStore::new(store).unwrap();
    assert!(tiles.spec().is_none());
    assert_eq!(
        tiles
            .resolve(&StoreKey::new("0/0/1/2").unwrap())
            .unwrap()
            .as_str(),
        "0/0/1/2"
    );
    let tiles = PymeTileStore::new(Arc::new(MemoryStore::new())).unwrap();
    assert!(tiles.spec().is_none());
}

#[test]
fn bad_attributes_and_schemas_are_errors_naming_them() {
    let cases = [
        ("not json", ".zattrs: expected JSON"),
        ("[1]", ".zattrs: expected a JSON object"),
        (r#"{"pyme": 3}"#, "expected `pyme` to be an object, found 3"),
        (
            r#"{"pyme": {"suffix": 1}}"#,
            "expected `pyme.suffix` to be a string, found 1",
        ),
        (
            r#"{"pyme": {"key_schema": "{level}/{x:>3}"}}"#,
            "unsupported PYME key_schema `{level}/{x:>3}`: format spec `>3`",
        ),
        (r#"{"pyme": {"key_schema": "{level}/{t}"}}"#, "field `t`"),
        (r#"{"pyme": {"key_schema": "../{level}/{x}"}}"#, "`..`"),
    ];
    for (attrs, expected) in cases {
        let err: TileStoreError = PymeTileStore::new(memory_store_with_attrs(attrs)).unwrap_err();
        assert!(err.to_string().contains(expected), "{attrs}: {err}");
    }
    let err = PymeTileStore::open_dir(fixtures::path("no/such/pyramid")).unwrap_err();
    assert!(err.to_string().contains("no/such/pyramid"), "{err}");
}
