//! [`locate_url`]: `locate` for a store given by URL. The same rule as on disk, read through
//! the object store: the root is the highest key above the one named (or itself) in an
//! unbroken line of keys holding zarr metadata, or the nearest of them whose attributes hold
//! PYME's tile layout.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use zarrs::storage::{ListableStorageTraits, ReadableStorageTraits, StoreKey, StorePrefix};
use zarrs_pymecompress::PymeTileStore;

use super::PYME_LAYOUT;
use super::{attributes_in, open_url, Attributes, InStorage, Located, StoreUrl, UrlStorage};
use crate::failure::{error_chain, Failure, Place, Result};

const NODE_METADATA: [&str; 3] = [".zarray", ".zgroup", "zarr.json"];

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Reads documents of the bucket or host, naming the URL on failure.
struct Service {
    storage: Arc<UrlStorage>,
    url: StoreUrl,
}

impl Service {
    fn get(&self, dir: &str, name: &str) -> Result<Option<Vec<u8>>> {
        let key = join(dir, name);
        let shown = self.url.with_key(&key);
        let key = StoreKey::new(key).map_err(|e| Failure::msg(format!("{shown}: {e}")))?;
        self.storage
            .get(&key)
            .map(|b| b.map(|b| b.to_vec()))
            .map_err(|e| Failure::msg(format!("{shown}: {e}")))
    }

    fn has_metadata(&self, dir: &str) -> Result<bool> {
        for name in NODE_METADATA {
            if self.get(dir, name)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn attributes(&self, dir: &str) -> Option<Attributes> {
        attributes_in(|name: &str| -> Option<Value> {
            serde_json::from_slice(&self.get(dir, name).ok()??).ok()
        })
    }

    fn layout(&self, dir: &str) -> Option<Value> {
        match self.attributes(dir)? {
            Attributes::V2(m) | Attributes::V3(m) => m.get(PYME_LAYOUT).cloned(),
        }
    }

    /// Why `dir` is not a store: S3 is asked what is under it (a missing bucket or a refused
    /// request shows here); over HTTP there is no listing to ask.
    fn not_a_store(&self, dir: &str) -> Failure {
        let place = Place::store(self.url.with_key(dir));
        if let StoreUrl::S3 { .. } = self.url {
            let prefix = if dir.is_empty() {
                Ok(StorePrefix::root())
            } else {
                StorePrefix::new(format!("{dir}/"))
            };
            let listed = prefix
                .map_err(|e| e.to_string())
                .and_then(|p| self.storage.list_dir(&p).map_err(|e| e.to_string()));
            return match listed {
                Err(e) => place.fail(format!("listing it: {e}")),
                Ok(l) if l.keys().is_empty() && l.prefixes().is_empty() => {
                    place.fail("no such store (nothing is stored under this key)")
                }
                Ok(_) => place.fail("not a zarr store or node (no .zgroup, .zarray or zarr.json)"),
            };
        }
        place.fail("not a zarr store or node (no .zgroup, .zarray or zarr.json under this URL)")
    }
}

/// Whether `url` has zarr metadata right under it (any failure: no).
pub fn has_metadata_at(url: &StoreUrl) -> bool {
    let Ok(storage) = open_url(&url.with_key("")) else {
        return false;
    };
    let service = Service {
        storage,
        url: url.clone(),
    };
    service.has_metadata(url.key()).unwrap_or(false)
}

/// Finds the store root above the node `url` names, and opens it for reading.
///
/// # Errors
/// Nothing there, no zarr metadata, a request that fails (server down, missing bucket,
/// refused credentials), or a tile layout that does not parse: each names the URL.
pub fn locate_url(url: &StoreUrl) -> Result<Located> {
    let service = Service {
        storage: open_url(&url.with_key(""))?,
        url: url.clone(),
    };
    let key = url.key().to_string();
    if !service.has_metadata(&key)? {
        return Err(service.not_a_store(&key));
    }
    let mut root = key;
    let mut inner: Vec<String> = Vec::new();
    let mut tile_root: Option<(String, usize)> = None;
    loop {
        if tile_root.is_none() && service.layout(&root).is_some() {
            tile_root = Some((root.clone(), inner.len()));
        }
        if root.is_empty() {
            break;
        }
        let (parent, name) = root.rsplit_once('/').unwrap_or(("", root.as_str()));
        if !service.has_metadata(parent)? {
            break;
        }
        inner.push(name.to_string());
        root = parent.to_string();
    }
    if let Some((dir, depth)) = tile_root {
        root = dir;
        inner.truncate(depth);
    }
    inner.reverse();
    let node_path = format!("/{}", inner.join("/"));
    let root_url = url.with_key(&root);
    let root_place = Place::store(&root_url);
    let files = open_url(&root_url)?;
    let (storage, tiles): (Arc<InStorage>, _) = match service.attributes(&root) {
        Some(Attributes::V2(attributes)) if attributes.contains_key(PYME_LAYOUT) => {
            let tiles = PymeTileStore::new(files).map_err(|e| {
                root_place.fail(format!(
                    "PYME tile pyramid: {} (the `{PYME_LAYOUT}` block of its .zattrs)",
                    error_chain(&e)
                ))
            })?;
            let spec = tiles.spec().cloned();
            (Arc::new(tiles), spec)
        }
        _ => (files.readable_listable(), None),
    };
    Ok(Located {
        storage,
        root: PathBuf::from(root_url.to_string()),
        node_path,
        place: root_place,
        tiles,
    })
}
