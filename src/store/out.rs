//! [`OutStore`]: the store every command writes through. On a local disk it is the
//! `AtomicFilesystemStore` of the temporary directory (each chunk and metadata file written to
//! a temporary, flushed and renamed over its key, so a reader never sees a torn chunk); in an
//! object store (`s3://`) it is the bucket under the output's key, where each PUT replaces a
//! whole object atomically. The chunk loops see one type either way.

use std::path::Path;
use std::sync::Arc;

use zarrs::filesystem::FilesystemStoreCreateError;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytes, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, ReadableWritableListableStorageTraits, StorageError, StoreKey,
    StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits,
};
use zarrs_pymecompress::AtomicFilesystemStore;

/// The storage of a store being written: see the module comment.
pub struct OutStore {
    inner: Arc<dyn ReadableWritableListableStorageTraits>,
}

impl OutStore {
    /// The atomic filesystem store rooted at `base` (created if needed).
    ///
    /// # Errors
    /// `base` exists and is not a directory, or cannot be created.
    pub fn new(base: impl AsRef<Path>) -> Result<Self, FilesystemStoreCreateError> {
        Ok(Self {
            inner: Arc::new(AtomicFilesystemStore::new(base)?),
        })
    }

    /// Writes through `storage` (an object store under the output's key).
    pub fn over(storage: Arc<dyn ReadableWritableListableStorageTraits>) -> Self {
        Self { inner: storage }
    }
}

impl ReadableStorageTraits for OutStore {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        self.inner.get(key)
    }

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

impl WritableStorageTraits for OutStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        self.inner.set(key, value)
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        self.inner.set_partial_many(key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }

    fn erase_many(&self, keys: &[StoreKey]) -> Result<(), StorageError> {
        self.inner.erase_many(keys)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        self.inner.supports_set_partial()
    }
}

impl ListableStorageTraits for OutStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.inner.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.inner.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.inner.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}
