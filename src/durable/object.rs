//! Stores written into an object store (`s3://BUCKET/KEY`), where there is no rename and no
//! lock: the nothing-lost promise as far as the medium allows.
//!
//! - Every chunk and metadata document is one PUT, which S3 applies whole or not at all: a
//!   reader never sees a torn chunk.
//! - The run's [`MANIFEST`] is PUT under the store's key before anything else, and deleted
//!   only after the completion record (`completion.rs`) has been written into the root
//!   metadata, last. So at any moment the store either has a record saying it is complete, or
//!   it has the manifest and `verify` calls it incomplete.
//! - A leftover (manifest, no record) is refused, resumed (`--resume`: the manifest must match,
//!   the chunks already there are checked by the caller, not written again) or erased
//!   (`--restart`), as on disk.
//!
//! What the medium does not give: the store is visible under its final key while it is being
//! written (a reader that ignores the record sees fill values for chunks not yet written);
//! there is no lock, so a second writer to the same key is not detected (the runs must be kept
//! apart by the user); and `--force` deletes the old store before writing the new one, so a
//! failed `--force` run leaves neither.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use zarrs::storage::{
    ReadableStorageTraits, ReadableWritableListableStorageTraits, StoreKey, StorePrefix,
    WritableStorageTraits,
};

use super::completion;
use super::write_lock::{compare_manifest, Leftover, MANIFEST};
use super::OutputError;
use crate::failure::{At, Place, Result};

type Storage = dyn ReadableWritableListableStorageTraits;

/// The documents whose presence at the root makes the key a zarr store.
const ROOT_METADATA: [&str; 3] = ["zarr.json", ".zgroup", ".zarray"];

/// A store being written under its final key in an object store.
pub struct ObjectTarget {
    storage: Arc<Storage>,
    resumed: bool,
}

fn key(name: &str, place: &Place) -> Result<StoreKey> {
    StoreKey::new(name).at(place)
}

impl ObjectTarget {
    /// Claims the store at `shown` (its URL, for messages) in `storage`: refuses an existing
    /// store unless `force` (then deletes it), does with a leftover what `policy` says, and
    /// records `manifest` for a later `--resume`.
    ///
    /// # Errors
    /// The store exists (without `--force`), a leftover without `--resume`/`--restart`, a
    /// resume with other arguments (exit 2), or a request that fails (missing bucket, bad
    /// credentials, server down: the URL and the server's answer are named).
    pub fn claim(
        storage: Arc<Storage>,
        shown: &str,
        force: bool,
        policy: Leftover,
        manifest: &Value,
    ) -> Result<Self> {
        let place = Place::store(shown);
        let target = PathBuf::from(shown);
        let old_manifest = storage.get(&key(MANIFEST, &place)?).at(&place)?;
        // The manifest alone marks an unfinished write: the root attributes a convert copies
        // from its input may hold the input's own completion record until ours replaces it.
        let mut resumed = false;
        if old_manifest.is_some() {
            match policy {
                Leftover::Refuse { hint } => {
                    return Err(OutputError::refused(
                        &target,
                        format!(
                            "holds an interrupted write (its {MANIFEST}, and no completion \
                             record; or another run is writing it now): {hint}"
                        ),
                    )
                    .into())
                }
                Leftover::Resume => {
                    compare_manifest(&target, shown, old_manifest.as_deref(), manifest)?;
                    eprintln!(
                        "note: resuming the interrupted write {shown} (its chunks are checked, \
                         not encoded again)"
                    );
                    resumed = true;
                }
                Leftover::Restart => erase_all(storage.as_ref(), &place)?,
            }
        } else if !is_empty(storage.as_ref(), &place)? {
            let is_store = old_manifest.is_some() || has_root_metadata(storage.as_ref(), &place)?;
            if !force {
                let what = if is_store {
                    "exists; add --force to replace it (in an object store the old store is \
                     deleted before the new one is written)"
                } else {
                    "holds objects that are not a zarr store; choose another key, or add --force \
                     to delete them"
                };
                return Err(OutputError::refused(&target, what).into());
            }
            erase_all(storage.as_ref(), &place)?;
        }
        if !resumed {
            let text = serde_json::to_vec_pretty(manifest).at(&place)?;
            storage
                .set(&key(MANIFEST, &place)?, text.into())
                .map_err(|e| place.fail(format!("writing {MANIFEST}: {e}")))?;
        }
        Ok(Self { storage, resumed })
    }

    /// Whether this continues an interrupted run (`--resume`).
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// The store's storage, rooted at its key.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// Writes the completion record (last), then deletes the manifest.
    ///
    /// # Errors
    /// A request fails; if it is the manifest's deletion, the store is complete (its record
    /// is written) and the message says so.
    pub fn finish(self, writer: &str, arrays: Vec<(String, Value)>, place: &Place) -> Result<()> {
        completion::write_record_in(self.storage.as_ref(), writer, arrays, place)?;
        self.storage.erase(&key(MANIFEST, place)?).map_err(|e| {
            place.fail(format!(
                "written and recorded complete, but deleting its {MANIFEST} failed ({e}); \
                     delete it by hand"
            ))
        })
    }
}

fn has_root_metadata(storage: &Storage, place: &Place) -> Result<bool> {
    for name in ROOT_METADATA {
        if storage.size_key(&key(name, place)?).at(place)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether nothing is stored under the key. The first request of every write: a missing
/// bucket, bad credentials or a server that is down show here, before anything is written.
fn is_empty(storage: &Storage, place: &Place) -> Result<bool> {
    let listed = storage
        .list_dir(&StorePrefix::root())
        .map_err(|e| place.fail(format!("listing it: {e}")))?;
    Ok(listed.keys().is_empty() && listed.prefixes().is_empty())
}

fn erase_all(storage: &Storage, place: &Place) -> Result<()> {
    storage
        .erase_prefix(&StorePrefix::root())
        .map_err(|e| place.fail(format!("deleting the old objects: {e}")))
}
