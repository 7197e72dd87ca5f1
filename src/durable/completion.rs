//! The completion record: what a store we wrote says about itself, so that `verify` can tell a
//! complete store from one that lost chunks.
//!
//! In zarr a missing chunk is legal (it reads as the fill value), and zarrs does not store a
//! chunk that holds only the fill value. So the chunk files alone cannot show that a store is
//! complete. Every command that writes a store therefore scans what it wrote and records, as
//! the last write before the store is renamed into place, under the root's attributes:
//!
//! ```json
//! "pymecompress": {"complete": true, "writer": "pymecompress convert", "chunks": 118,
//!   "arrays": {"/images": {"chunks": 118, "grid_chunks": 120, "fill_chunks": ["images/3.0.0", "images/7.0.0"]}}}
//! ```
//!
//! `fill_chunks` lists the chunks left out because they held only the fill value; every other
//! chunk of the grid must be present.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Map, Value};
use zarrs::array::Array;
use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};

use crate::failure::{At, Place, Result};
use crate::store;

/// The attribute holding the record.
pub const KEY: &str = "pymecompress";

/// What was stored of one array: its path and its record entry.
pub fn scan_array<T>(array: &Array<T>, place: &Place) -> Result<(String, Value)>
where
    T: ?Sized + ReadableStorageTraits + 'static,
{
    let mut stored = 0u64;
    let mut fill = Vec::new();
    let indices = store::chunks(array);
    let grid = indices.len() as u64;
    for index in &indices {
        let key = array.chunk_key(&index);
        match array.storage().size_key(&key).at(place)? {
            Some(_) => stored += 1,
            None => fill.push(key.as_str().to_string()),
        }
    }
    let entry = json!({"chunks": stored, "grid_chunks": grid, "fill_chunks": fill});
    Ok((array.path().as_str().to_string(), entry))
}

/// Writes the record into the root attributes of the store at `base` (Zarr v3 `zarr.json`, or
/// v2 `.zattrs`), atomically and flushed. Call it after every chunk and all other metadata.
pub fn write_record(
    base: &Path,
    writer: &str,
    arrays: Vec<(String, Value)>,
    place: &Place,
) -> Result<()> {
    let record = record_of(writer, arrays);
    let v3 = base.join("zarr.json");
    let (file, mut document) = if v3.is_file() {
        (v3.clone(), read_json(&v3, place)?)
    } else {
        let attrs = base.join(".zattrs");
        let document = if attrs.is_file() {
            read_json(&attrs, place)?
        } else {
            json!({})
        };
        (attrs, document)
    };
    insert_record(&mut document, file == v3, record, place)?;
    let text = serde_json::to_string_pretty(&document).at(place)?;
    write_replacing(&file, text.as_bytes()).map_err(|e| {
        place.fail(format!(
            "writing the completion record {}: {e}",
            file.display()
        ))
    })
}

/// [`write_record`] through `storage` (a store in an object store, whose PUT replaces the root
/// metadata object whole).
pub fn write_record_in<S>(
    storage: &S,
    writer: &str,
    arrays: Vec<(String, Value)>,
    place: &Place,
) -> Result<()>
where
    S: ?Sized + ReadableStorageTraits + WritableStorageTraits,
{
    let record = record_of(writer, arrays);
    let key = |name: &str| StoreKey::new(name).at(place);
    let (name, mut document) = match storage.get(&key("zarr.json")?).at(place)? {
        Some(bytes) => ("zarr.json", parse_json(&bytes, "zarr.json", place)?),
        None => match storage.get(&key(".zattrs")?).at(place)? {
            Some(bytes) => (".zattrs", parse_json(&bytes, ".zattrs", place)?),
            None => (".zattrs", json!({})),
        },
    };
    insert_record(&mut document, name == "zarr.json", record, place)?;
    let text = serde_json::to_vec_pretty(&document).at(place)?;
    storage
        .set(&key(name)?, text.into())
        .map_err(|e| place.fail(format!("writing the completion record {name}: {e}")))
}

fn record_of(writer: &str, arrays: Vec<(String, Value)>) -> Value {
    let chunks: u64 = arrays
        .iter()
        .map(|(_, e)| e["chunks"].as_u64().unwrap_or(0))
        .sum();
    json!({
        "complete": true,
        "writer": writer,
        "chunks": chunks,
        "arrays": arrays.into_iter().collect::<Map<String, Value>>(),
    })
}

fn insert_record(document: &mut Value, v3: bool, record: Value, place: &Place) -> Result<()> {
    let attributes = if v3 {
        let object = document
            .as_object_mut()
            .ok_or_else(|| place.fail("root zarr.json is not a JSON object"))?;
        object.entry("attributes").or_insert_with(|| json!({}))
    } else {
        document
    };
    attributes
        .as_object_mut()
        .ok_or_else(|| place.fail("root attributes are not a JSON object"))?
        .insert(KEY.to_string(), record);
    Ok(())
}

fn parse_json(bytes: &[u8], name: &str, place: &Place) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| place.fail(format!("{name}: {e}")))
}

/// The record of the store `storage` holds at its root, if it has one (as [`read_record`]).
pub fn read_record_in<S: ?Sized + ReadableStorageTraits>(storage: &S) -> Option<Value> {
    let read = |name: &str| -> Option<Value> {
        let bytes = storage.get(&StoreKey::new(name).ok()?).ok()??;
        serde_json::from_slice(&bytes).ok()
    };
    let attributes = match read("zarr.json") {
        Some(v3) => v3.get("attributes").cloned()?,
        None => read(".zattrs")?,
    };
    attributes.get(KEY).cloned()
}

fn read_json(file: &Path, place: &Place) -> Result<Value> {
    let text =
        std::fs::read(file).map_err(|e| place.fail(format!("reading {}: {e}", file.display())))?;
    serde_json::from_slice(&text).map_err(|e| place.fail(format!("{}: {e}", file.display())))
}

fn write_replacing(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = file.with_extension("record-partial");
    let mut f = std::fs::File::create(&temp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&temp, file)
}

/// The record of the store rooted at `root`, if it has one (`None` for a store written
/// elsewhere, or one whose root metadata does not parse).
pub fn read_record(root: &Path) -> Option<Value> {
    let read = |name: &str| -> Option<Value> {
        serde_json::from_slice(&std::fs::read(root.join(name)).ok()?).ok()
    };
    let attributes = match read("zarr.json") {
        Some(v3) => v3.get("attributes").cloned()?,
        None => read(".zattrs")?,
    };
    attributes.get(KEY).cloned()
}

/// How one array of a store compares with the record.
pub enum Completeness {
    /// Every chunk the record expects is stored.
    Complete,
    /// These chunks (keys) should be stored and are not.
    Missing(Vec<String>),
    /// No record for this array (store written elsewhere, or array added later): a missing
    /// chunk may be legal fill, so completeness cannot be told.
    Unknown,
}

/// Checks the chunks `present` (keys) of the array at `array_path` against the record, given
/// every key of its grid in order.
pub fn check(
    record: Option<&Value>,
    array_path: &str,
    grid_keys: &[String],
    present: &BTreeSet<String>,
) -> Completeness {
    let Some(entry) = record
        .filter(|r| r["complete"] == true)
        .and_then(|r| r["arrays"].get(array_path))
    else {
        return Completeness::Unknown;
    };
    let fill: BTreeSet<&str> = entry["fill_chunks"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let missing: Vec<String> = grid_keys
        .iter()
        .filter(|k| !present.contains(*k) && !fill.contains(k.as_str()))
        .cloned()
        .collect();
    if missing.is_empty() {
        Completeness::Complete
    } else {
        Completeness::Missing(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_missing_from_a_recorded_store_is_named_and_fill_chunks_are_not() {
        let record = json!({"complete": true, "arrays": {"/a": {"fill_chunks": ["a/2"]}}});
        let grid: Vec<String> = (0..4).map(|i| format!("a/{i}")).collect();
        let present: BTreeSet<String> = ["a/0", "a/3"].iter().map(|s| s.to_string()).collect();
        match check(Some(&record), "/a", &grid, &present) {
            Completeness::Missing(keys) => assert_eq!(keys, vec!["a/1"]),
            _ => panic!("a/1 is missing"),
        }
        let all: BTreeSet<String> = ["a/0", "a/1", "a/3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(
            check(Some(&record), "/a", &grid, &all),
            Completeness::Complete
        ));
        assert!(matches!(
            check(None, "/a", &grid, &all),
            Completeness::Unknown
        ));
        assert!(matches!(
            check(Some(&record), "/b", &grid, &all),
            Completeness::Unknown
        ));
    }

    #[test]
    fn the_record_goes_into_v2_and_v3_root_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let place = Place::store("s");
        std::fs::write(dir.path().join(".zattrs"), br#"{"keep": 1}"#).unwrap();
        write_record(
            dir.path(),
            "test",
            vec![("/x".into(), json!({"chunks": 2}))],
            &place,
        )
        .unwrap();
        let attrs: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(".zattrs")).unwrap()).unwrap();
        assert_eq!(attrs["keep"], 1);
        assert_eq!(read_record(dir.path()).unwrap()["chunks"], 2);

        let v3 = tempfile::tempdir().unwrap();
        std::fs::write(
            v3.path().join("zarr.json"),
            br#"{"zarr_format": 3, "node_type": "group"}"#,
        )
        .unwrap();
        write_record(v3.path(), "test", vec![], &place).unwrap();
        assert_eq!(read_record(v3.path()).unwrap()["complete"], true);
        assert!(!v3.path().join(".zattrs").exists());
    }
}
