//! [`PymeTileStore`]: a read-only storage adapter that shows a PYME tile pyramid to zarrs as
//! the zarr v2 group PYME's `ImagePyramid.save_zarr_metadata` describes, mapping chunk keys
//! to PYME's tile files the way the `pyme://` fsspec filesystem of `PYME/IO/zarr_compat.py`
//! (python-microscopy 26.9.3) does.
//!
//! The mapping, for every key asked:
//! 1. a key that names a value in the inner store is that value (metadata: `.zgroup`,
//!    `.zattrs`, `.zmetadata`, `level/.zarray`, and the tile files under their own names);
//! 2. else a key of four decimal parts `level/z/x/y` is the file
//!    `key_schema.format(level=, z=, x=, y=, suff=suffix, ext=extension)` from the root
//!    `.zattrs`' `pyme` entry (defaults `{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}`,
//!    `img`, `.pzf`);
//! 3. else the key as it is (missing: zarrs reads the fill value).
//!
//! Without a `pyme` entry every key passes through, as in PYME. Listing shows each tile file
//! of the schema under its chunk key (PYME's `ls` shows file names), other files as they are.
//!
//! Differences from PYME, deliberate:
//! - The `pyme` entry is read from the store root's `.zattrs` only, once, when the adapter is
//!   made; PYME looks for the nearest `.zattrs` above each key, so a level with its own
//!   `.zattrs` stops PYME's mapping there.
//! - An unreadable `.zattrs`, a `pyme` entry of the wrong shape, or a schema outside the
//!   supported subset is an error; PYME then silently maps nothing (and zarr-python reads
//!   every tile as the fill value).
//! - A schema whose literal path components are `.`, `..` or empty is refused.
//!
//! ```no_run
//! use std::sync::Arc;
//! use zarrs::array::{Array, ArraySubset};
//! use zarrs_pymecompress::PymeTileStore;
//!
//! let store = Arc::new(PymeTileStore::open_dir("pyramid")?);
//! let level0 = Array::open(store, "/0")?;
//! let tiles: Vec<f32> = level0.retrieve_array_subset(&ArraySubset::new_with_shape(level0.shape().to_vec()))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod key_schema;

#[cfg(feature = "filesystem")]
use std::path::Path;
use std::sync::Arc;

#[cfg(feature = "filesystem")]
use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    ListableStorageTraits, MaybeBytesIterator, ReadableStorageTraits, StorageError, StoreKey,
    StoreKeys, StoreKeysPrefixes, StorePrefix,
};

use key_schema::KeySchema;

/// PYME's default key schema (`ImagePyramid` for new pyramids, and `zarr_compat`'s default).
pub const PYME_DEFAULT_KEY_SCHEMA: &str = "{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}";

/// Why a [`PymeTileStore`] could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileStoreError {
    /// The inner store failed to read `.zattrs`.
    #[error("reading {key}")]
    Storage {
        /// The key being read.
        key: String,
        /// The store's error.
        #[source]
        source: StorageError,
    },
    /// `.zattrs` is not JSON, or its `pyme` entry is not what `save_zarr_metadata` writes.
    #[error("{key}: {reason}")]
    InvalidAttributes {
        /// The key read (`.zattrs`).
        key: String,
        /// What was expected and what was found.
        reason: String,
    },
    /// A key schema outside the supported subset of Python format strings.
    #[error("unsupported PYME key_schema `{schema}`: {reason}")]
    UnsupportedKeySchema {
        /// The schema.
        schema: String,
        /// What is not supported.
        reason: String,
    },
    /// The directory could not be opened as a store.
    #[error("opening {path}: {reason}")]
    Open {
        /// The directory.
        path: String,
        /// The filesystem store's error.
        reason: String,
    },
}

/// The `pyme` entry of a tile pyramid's root `.zattrs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PymeTileSpec {
    /// `key_schema`.
    pub key_schema: String,
    /// `suffix` (`img` for the image tiles; PYME also keeps `acc` and `occ` tiles).
    pub suffix: String,
    /// `extension` (`.pzf`).
    pub extension: String,
}

/// A read-only adapter over `TStorage` that maps zarr chunk keys to PYME tile files; see the
/// module documentation.
#[derive(Debug)]
pub struct PymeTileStore<TStorage: ?Sized> {
    inner: Arc<TStorage>,
    /// `None` when the root `.zattrs` has no `pyme` entry: every key passes through.
    mapping: Option<(PymeTileSpec, KeySchema)>,
}

#[cfg(feature = "filesystem")]
impl PymeTileStore<FilesystemStore> {
    /// The adapter over the directory `path` (a pyramid's storage directory).
    ///
    /// # Errors
    /// [`TileStoreError::Open`] if `path` is not a directory, else as [`Self::new`].
    pub fn open_dir(path: impl AsRef<Path>) -> Result<Self, TileStoreError> {
        let path = path.as_ref();
        // The filesystem store opens any path; a missing pyramid would read as all fill.
        if !path.is_dir() {
            return Err(TileStoreError::Open {
                path: path.display().to_string(),
                reason: "not a directory".into(),
            });
        }
        let store = FilesystemStore::new(path).map_err(|err| TileStoreError::Open {
            path: path.display().to_string(),
            reason: err.to_string(),
        })?;
        Self::new(Arc::new(store))
    }
}

impl<TStorage: ?Sized + ReadableStorageTraits> PymeTileStore<TStorage> {
    /// The adapter over `inner`, reading the `pyme` entry of its root `.zattrs`.
    ///
    /// # Errors
    /// - [`TileStoreError::Storage`] if reading `.zattrs` fails (a missing one is no error).
    /// - [`TileStoreError::InvalidAttributes`] if `.zattrs` is not a JSON object, or its
    ///   `pyme` entry is not an object of strings `key_schema`, `suffix`, `extension`.
    /// - [`TileStoreError::UnsupportedKeySchema`] for a schema outside `{name}`, `{name:d}`,
    ///   `{name:0Nd}` over `level`, `z`, `x`, `y`, `suff`, `ext`.
    pub fn new(inner: Arc<TStorage>) -> Result<Self, TileStoreError> {
        let mapping = match read_spec(inner.as_ref())? {
            Some(spec) => {
                let schema = KeySchema::parse(&spec.key_schema, &spec.suffix, &spec.extension)?;
                Some((spec, schema))
            }
            None => None,
        };
        Ok(Self { inner, mapping })
    }

    /// The `pyme` entry in force, or `None` if the store has none (keys pass through).
    #[must_use]
    pub fn spec(&self) -> Option<&PymeTileSpec> {
        self.mapping.as_ref().map(|(spec, _)| spec)
    }

    /// The inner store's key holding the value of `key`: itself if it exists, else the tile
    /// file a `level/z/x/y` chunk key maps to, else itself.
    ///
    /// # Errors
    /// Any [`StorageError`] of the inner store while checking whether `key` exists.
    pub fn resolve(&self, key: &StoreKey) -> Result<StoreKey, StorageError> {
        let Some((_, schema)) = &self.mapping else {
            return Ok(key.clone());
        };
        if self.inner.size_key(key)?.is_some() {
            return Ok(key.clone());
        }
        match chunk_indices(key.as_str()) {
            Some(indices) => Ok(StoreKey::new(schema.format(indices))?),
            None => Ok(key.clone()),
        }
    }
}

/// `level/z/x/y` with four runs of ASCII digits, as zarr-python and zarrs write chunk keys
/// (PYME's `int()` also takes signs, spaces and underscores, which no zarr writer emits).
fn chunk_indices(key: &str) -> Option<[u64; 4]> {
    let mut parts = key.split('/');
    let mut indices = [0u64; 4];
    for slot in &mut indices {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(indices)
}

fn read_spec<TStorage: ?Sized + ReadableStorageTraits>(
    inner: &TStorage,
) -> Result<Option<PymeTileSpec>, TileStoreError> {
    const KEY: &str = ".zattrs";
    let key = StoreKey::new(KEY).expect("a valid key");
    let bytes = inner.get(&key).map_err(|source| TileStoreError::Storage {
        key: KEY.into(),
        source,
    })?;
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    let invalid = |reason: String| TileStoreError::InvalidAttributes {
        key: KEY.into(),
        reason,
    };
    let attrs: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|err| invalid(format!("expected JSON, found: {err}")))?;
    let serde_json::Value::Object(attrs) = attrs else {
        return Err(invalid(format!("expected a JSON object, found {attrs}")));
    };
    let Some(pyme) = attrs.get("pyme") else {
        return Ok(None);
    };
    let serde_json::Value::Object(pyme) = pyme else {
        return Err(invalid(format!(
            "expected `pyme` to be an object, found {pyme}"
        )));
    };
    let field = |name: &str, default: &str| match pyme.get(name) {
        None => Ok(default.to_string()),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(invalid(format!(
            "expected `pyme.{name}` to be a string, found {other}"
        ))),
    };
    Ok(Some(PymeTileSpec {
        key_schema: field("key_schema", PYME_DEFAULT_KEY_SCHEMA)?,
        suffix: field("suffix", "img")?,
        extension: field("extension", ".pzf")?,
    }))
}

impl<TStorage: ?Sized + ReadableStorageTraits> ReadableStorageTraits for PymeTileStore<TStorage> {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let resolved = self.resolve(key)?;
        self.inner.get_partial_many(&resolved, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(&self.resolve(key)?)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl<TStorage: ?Sized + ReadableStorageTraits + ListableStorageTraits> ListableStorageTraits
    for PymeTileStore<TStorage>
{
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.list_prefix(&StorePrefix::root())
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        // A tile's chunk key need not share its file's prefix, so map everything, then filter.
        let mut keys = Vec::new();
        for key in self.inner.list()? {
            let mapped = self.list_key(key)?;
            if mapped.as_str().starts_with(prefix.as_str()) {
                keys.push(mapped);
            }
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let mut keys = Vec::new();
        let mut prefixes = Vec::new();
        for key in self.list_prefix(prefix)? {
            let rest = &key.as_str()[prefix.as_str().len()..];
            match rest.split_once('/') {
                None => keys.push(key),
                Some((child, _)) => {
                    prefixes.push(StorePrefix::new(format!("{}{child}/", prefix.as_str()))?);
                }
            }
        }
        prefixes.dedup();
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        let mut total = 0;
        for key in self.list_prefix(prefix)? {
            total += self.size_key(&key)?.unwrap_or(0);
        }
        Ok(total)
    }
}

impl<TStorage: ?Sized + ReadableStorageTraits> PymeTileStore<TStorage> {
    /// The key a listing shows for the inner store's `key`: a tile file of the schema as its
    /// chunk key, unless another value holds that key literally.
    fn list_key(&self, key: StoreKey) -> Result<StoreKey, StorageError> {
        let Some((_, schema)) = &self.mapping else {
            return Ok(key);
        };
        let Some([level, z, x, y]) = schema.parse_key(key.as_str()) else {
            return Ok(key);
        };
        let chunk_key = StoreKey::new(format!("{level}/{z}/{x}/{y}"))?;
        if self.inner.size_key(&chunk_key)?.is_some() {
            return Ok(key);
        }
        Ok(chunk_key)
    }
}
