//! [`AtomicFilesystemStore`]: a filesystem store whose every value write is atomic for
//! concurrent readers.
//!
//! zarrs's [`FilesystemStore`] writes a key by truncating its file and writing it again in
//! place, so a process that reads the key at that moment can see an empty or half-written
//! chunk, which then fails to decode (or, without a checksum, decodes to wrong data). This
//! adapter writes each value to a temporary file in the key's own directory, flushes it to disk
//! (`fsync`) and renames it over the key. `rename` within one directory is atomic on POSIX file
//! systems: a reader opens either the old file or the new one, whole. A reader therefore sees
//! the old value, the new value, or (for a key never written) no value, never a torn one.
//!
//! Reads, listing and erasing are those of the wrapped [`FilesystemStore`]; listings leave out
//! the temporaries of writes in progress (their names start with [`TEMP_PREFIX`]).
//!
//! The example and the guarantees a reader gets are on [`AtomicFilesystemStore`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zarrs::filesystem::{FilesystemStore, FilesystemStoreCreateError};
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    store_set_partial_many, Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
    WritableStorageTraits,
};

/// Names of the temporaries a write creates start with this (then the key's file name, the
/// process id and a counter). They are hidden files, so zarr implementations never take them
/// for chunks or metadata; one left by a killed process can be removed safely.
pub const TEMP_PREFIX: &str = ".pymecompress-tmp.";

/// A [`FilesystemStore`] whose `set` replaces each key atomically (temporary file in the key's
/// directory, `fsync`, `rename`): a process reading the store while another writes it sees each
/// key's old value, its new value, or (for a key never written) none, never a torn one. Reads,
/// listing and erasing are those of the wrapped store; listings leave out the temporaries of
/// writes in progress (named from [`TEMP_PREFIX`]).
///
/// ```
/// use std::sync::Arc;
/// use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};
/// use zarrs_pymecompress::AtomicFilesystemStore;
///
/// let dir = std::env::temp_dir().join(format!("atomic-store-doc-{}", std::process::id()));
/// let store = Arc::new(AtomicFilesystemStore::new(&dir)?);
/// let key = StoreKey::new("c/0/0")?;
/// store.set(&key, vec![1u8, 2, 3].into())?;
/// assert_eq!(store.get(&key)?.unwrap().as_ref(), &[1, 2, 3]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// Use it wherever zarrs takes a store: `Array::new_with_metadata(store, "/a", metadata)`.
#[derive(Debug)]
pub struct AtomicFilesystemStore {
    inner: FilesystemStore,
    base: PathBuf,
    counter: AtomicU64,
}

impl AtomicFilesystemStore {
    /// Opens (creating it if needed) the store rooted at `base`.
    ///
    /// # Errors
    /// As [`FilesystemStore::new`]: `base` exists and is not a directory, or cannot be created.
    pub fn new(base: impl AsRef<Path>) -> Result<Self, FilesystemStoreCreateError> {
        let base = base.as_ref().to_path_buf();
        Ok(Self {
            inner: FilesystemStore::new(&base)?,
            base,
            counter: AtomicU64::new(0),
        })
    }

    /// The wrapped store (reads through it are the same as through `self`).
    pub fn inner(&self) -> &FilesystemStore {
        &self.inner
    }

    /// The store's root directory.
    pub fn base_path(&self) -> &Path {
        &self.base
    }

    /// The file holding `key`.
    pub fn key_to_fspath(&self, key: &StoreKey) -> PathBuf {
        self.inner.key_to_fspath(key)
    }

    fn write_atomically(&self, path: &Path, value: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temp = dir.join(format!(
            "{TEMP_PREFIX}{name}.{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(value)?;
            // Data on disk before the name points at it: after a crash the key holds the old
            // value or the whole new one, never a renamed file with missing blocks.
            file.sync_all()?;
            std::fs::rename(&temp, path)
        })();
        if written.is_err() {
            // A full disk or a failed rename must not leave the temporary behind.
            let _ = std::fs::remove_file(&temp);
        }
        written
    }
}

fn is_temp(key: &StoreKey) -> bool {
    key.as_str()
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with(TEMP_PREFIX))
}

impl ReadableStorageTraits for AtomicFilesystemStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl WritableStorageTraits for AtomicFilesystemStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        Ok(self.write_atomically(&self.inner.key_to_fspath(key), &value)?)
    }

    /// A partial write reads the whole value, changes it and writes it back atomically: the
    /// in-place partial write of [`FilesystemStore`] is exactly what a reader must not see.
    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for AtomicFilesystemStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .filter(|k| !is_temp(k))
            .collect())
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        Ok(self
            .inner
            .list_prefix(prefix)?
            .into_iter()
            .filter(|k| !is_temp(k))
            .collect())
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let listed = self.inner.list_dir(prefix)?;
        let keys = listed
            .keys()
            .iter()
            .filter(|k| !is_temp(k))
            .cloned()
            .collect();
        Ok(StoreKeysPrefixes::new(keys, listed.prefixes().clone()))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atomic-store-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn set_replaces_the_file_and_leaves_no_temporary() {
        let dir = temp_dir("set");
        let store = AtomicFilesystemStore::new(&dir).unwrap();
        let key = StoreKey::new("a/c/0/1").unwrap();
        let path = store.key_to_fspath(&key);
        store.set(&key, vec![1u8; 10].into()).unwrap();
        // Keep a handle on the old file: a rename replaces the name, so the handle still reads
        // the old bytes whole (an in-place rewrite would show the new or truncated ones).
        let old = std::fs::File::open(&path).unwrap();
        store.set(&key, vec![2u8; 3].into()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), vec![2u8; 3]);
        let mut kept = Vec::new();
        std::io::Read::read_to_end(&mut &old, &mut kept).unwrap();
        assert_eq!(kept, vec![1u8; 10], "the old file was rewritten in place");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("1")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn listings_leave_out_temporaries_and_partial_writes_are_whole() {
        let dir = temp_dir("list");
        let store = AtomicFilesystemStore::new(&dir).unwrap();
        let key = StoreKey::new("c/0").unwrap();
        store.set(&key, vec![0u8; 4].into()).unwrap();
        std::fs::write(dir.join("c").join(format!("{TEMP_PREFIX}0.1-0")), b"x").unwrap();
        assert_eq!(store.list().unwrap(), vec![key.clone()]);
        let prefix = StorePrefix::new("c/").unwrap();
        assert_eq!(store.list_prefix(&prefix).unwrap(), vec![key.clone()]);
        assert_eq!(store.list_dir(&prefix).unwrap().keys(), &vec![key.clone()]);
        store
            .set_partial_many(
                &key,
                Box::new([(2u64, Bytes::from(vec![7u8, 7, 7]))].into_iter()),
            )
            .unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().as_ref(), &[0, 0, 7, 7, 7]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_keeps_the_old_value_and_leaves_no_temporary() {
        let dir = temp_dir("fail");
        let store = AtomicFilesystemStore::new(&dir).unwrap();
        let key = StoreKey::new("k").unwrap();
        store.set(&key, vec![5u8].into()).unwrap();
        // A directory in the way of the rename makes the write fail after the temporary exists.
        let blocked = StoreKey::new("d").unwrap();
        std::fs::create_dir_all(dir.join("d").join("x")).unwrap();
        assert!(store.set(&blocked, vec![1u8].into()).is_err());
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["d", "k"]);
        assert_eq!(store.get(&key).unwrap().unwrap().as_ref(), &[5]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
