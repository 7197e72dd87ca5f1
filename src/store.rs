//! Finding stores and arrays on disk, and describing arrays for messages.
//!
//! A store is read through a plain filesystem store, or, when its root's `.zattrs` holds PYME's
//! `pyme` block (a tile pyramid written by PYME's `tile_pyramid.ImagePyramid`), through
//! `zarrs_pymecompress::PymeTileStore`, which finds each chunk at its tile file
//! (`0/000/001/000_img.pzf`) rather than under its chunk key. A `pyme` block anywhere else
//! names a layout this tool does not apply there, and is refused: read as plain zarr, such a
//! store gives fill values for every tile, which looks like data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use zarrs::array::iterators::Indices;
use zarrs::array::{Array, ArrayError, ArrayMetadata, ArraySubset, CodecError};
use zarrs::filesystem::FilesystemStore;
use zarrs::group::GroupMetadata;
use zarrs::metadata::NodeMetadata;
use zarrs::node::Node;
use zarrs::plugin::ExtensionName;
use zarrs::storage::ReadableListableStorageTraits;
use zarrs_pymecompress::{PymeTileSpec, PymeTileStore};

use crate::failure::{error_chain, At, Failure, Place, Result};
use crate::npy::NpyDtype;

mod out;
#[cfg(feature = "object-store")]
mod remote;
mod remote_locate;
mod url;

pub use out::OutStore;
pub use url::StoreUrl;

/// Storage of a store in an object store, rooted at its key.
pub type UrlStorage = dyn zarrs::storage::ReadableWritableListableStorageTraits;

/// `path` as a store URL (`s3://`, `http(s)://`), or `None` for a local path.
///
/// # Errors
/// A malformed store URL (exit 2).
pub fn store_url(path: &Path) -> Result<Option<StoreUrl>> {
    StoreUrl::of_path(path).map_err(Failure::usage)
}

/// Opens the store at `url`, rooted at its key (no request is sent yet).
///
/// # Errors
/// The client cannot be configured (`AWS_*` variables), or this build has no object stores.
pub fn open_url(url: &StoreUrl) -> Result<Arc<UrlStorage>> {
    #[cfg(feature = "object-store")]
    {
        remote::open(url)
            .map(|s| Arc::new(s) as Arc<UrlStorage>)
            .map_err(Failure::msg)
    }
    #[cfg(not(feature = "object-store"))]
    {
        Err(Failure::msg(format!(
            "{url}: this pymecompress was built without object stores (cargo feature \
             `object-store`); copy the store to a local directory, or rebuild with the feature"
        )))
    }
}

/// Whether `path` is a zarr store given by URL rather than a PYME source: every `s3://` URL,
/// and an `http(s)://` URL that does not end in `.pcs` and has zarr metadata (`.zgroup`,
/// `.zarray` or `zarr.json`) under it. Any other `http://` URL is left to the PYME series
/// reader (and its messages).
pub fn is_store_url(path: &Path) -> bool {
    match StoreUrl::of_path(path) {
        Ok(Some(StoreUrl::S3 { .. })) => true,
        Ok(Some(url)) if !url.is_pyme_series() => remote_locate::has_metadata_at(&url),
        // A malformed URL: the store code reports it.
        Err(_) => true,
        _ => false,
    }
}

/// The storage every command reads through: the filesystem, or PYME's tile layout over it.
pub type InStorage = dyn ReadableListableStorageTraits;

/// An array of an input store.
pub type InArray = Array<InStorage>;

/// The attribute in which PYME's tile pyramids name their storage layout (`key_schema`,
/// `suffix`, `extension`: where each chunk's tile file is).
pub const PYME_LAYOUT: &str = "pyme";

/// A store opened for reading, and the node within it the user named.
pub struct Located {
    pub storage: Arc<InStorage>,
    /// The store root as the user would write it (for messages).
    pub root: PathBuf,
    /// The node the user's path points at, `/` for the root.
    pub node_path: String,
    pub place: Place,
    /// PYME's tile layout the store is read through, when its root names one.
    pub tiles: Option<PymeTileSpec>,
}

fn has_node_metadata(dir: &Path) -> bool {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    [".zarray", ".zgroup", "zarr.json"]
        .iter()
        .any(|name| dir.join(name).is_file())
}

/// Where a directory's attributes are: `.zattrs` (Zarr v2), or `zarr.json`'s `attributes`.
enum Attributes {
    V2(Map<String, Value>),
    V3(Map<String, Value>),
}

/// The attributes of the node in `dir`, read as JSON (unreadable or absent: none; zarrs
/// reports a broken node when it opens it).
fn dir_attributes(dir: &Path) -> Option<Attributes> {
    attributes_in(|name: &str| -> Option<Value> {
        serde_json::from_slice(&std::fs::read(dir.join(name)).ok()?).ok()
    })
}

/// The attributes of the node whose documents `read` returns by name.
fn attributes_in(read: impl Fn(&str) -> Option<Value>) -> Option<Attributes> {
    if let Some(Value::Object(m)) = read(".zattrs") {
        return Some(Attributes::V2(m));
    }
    match read("zarr.json")?.get("attributes")? {
        Value::Object(m) => Some(Attributes::V3(m.clone())),
        _ => None,
    }
}

/// Splits `path` into a store root and a node path: the root is the highest directory above
/// `path` (or `path` itself) in an unbroken line of directories holding zarr metadata, or the
/// nearest of them whose attributes hold PYME's tile layout (PYME maps keys by the nearest).
pub fn locate(path: &Path) -> Result<Located> {
    if let Some(url) = store_url(path)? {
        return remote_locate::locate_url(&url);
    }
    let place = Place::store(path.display());
    if path.is_file() {
        return Err(place.fail(
            "is a regular file; a zarr store is a directory (holding .zgroup, .zarray or zarr.json)",
        ));
    }
    if !path.is_dir() {
        return Err(place.fail("no such directory"));
    }
    if !has_node_metadata(path) {
        return Err(place.fail("not a zarr store or node (no .zgroup, .zarray or zarr.json)"));
    }
    let mut root = path.to_path_buf();
    let mut inner: Vec<String> = Vec::new();
    let mut tile_root: Option<(PathBuf, usize)> = None;
    loop {
        if tile_root.is_none() && layout_of(&root).is_some() {
            tile_root = Some((root.clone(), inner.len()));
        }
        let (Some(parent), Some(name)) = (root.parent(), root.file_name()) else {
            break;
        };
        if !has_node_metadata(parent) {
            break;
        }
        inner.push(name.to_string_lossy().into_owned());
        root = parent.to_path_buf();
    }
    if let Some((dir, depth)) = tile_root {
        root = dir;
        inner.truncate(depth);
    }
    inner.reverse();
    let node_path = format!("/{}", inner.join("/"));
    let root_place = Place::store(root.display());
    let files = Arc::new(FilesystemStore::new(&root).at(&root_place)?);
    let (storage, tiles): (Arc<InStorage>, _) = match dir_attributes(&root) {
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
        _ => (files, None),
    };
    Ok(Located {
        storage,
        root,
        node_path,
        place: root_place,
        tiles,
    })
}

/// The completion record of the store `located` is in (`durable::completion`).
pub fn read_record(located: &Located) -> Option<Value> {
    if StoreUrl::of_path(&located.root).is_ok_and(|u| u.is_some()) {
        crate::durable::completion::read_record_in(located.storage.as_ref())
    } else {
        crate::durable::completion::read_record(&located.root)
    }
}

/// Fails, saying the store is not complete, when its root holds the manifest of a write that
/// has not finished: a store in an object store being written or left by a killed run (on
/// disk only the temporary, never the finished store, holds one).
///
/// # Errors
/// As said, and a store that cannot be read.
pub fn refuse_unfinished(located: &Located) -> Result<()> {
    use crate::durable::write_lock::MANIFEST;
    use zarrs::storage::ReadableStorageTraits;
    let key = zarrs::storage::StoreKey::new(MANIFEST).at(&located.place)?;
    let manifest = located.storage.size_key(&key).at(&located.place)?;
    // The manifest alone decides: a convert copies its input's root attributes, completion
    // record included, long before it writes its own.
    if manifest.is_some() {
        return Err(located.place.fail(format!(
            "NOT complete: it holds {MANIFEST}, so a convert into it \
             has not finished (it is running, or was killed: `convert --resume` continues it)"
        )));
    }
    Ok(())
}

/// The storage layout `dir`'s attributes name, if any (PYME's `pyme` block).
fn layout_of(dir: &Path) -> Option<Value> {
    match dir_attributes(dir)? {
        Attributes::V2(m) | Attributes::V3(m) => m.get(PYME_LAYOUT).cloned(),
    }
}

/// Opens the node the user named, refusing any node at or below it whose attributes name a
/// storage layout other than the one the store is read through (see the module comment).
pub fn open_node(located: &Located) -> Result<Node> {
    let node = Node::open(&located.storage, &located.node_path)
        .at(&located.place.array(&located.node_path))?;
    check_layouts(located, &node)?;
    Ok(node)
}

fn check_layouts(located: &Located, node: &Node) -> Result<()> {
    let path = node.path().as_str();
    let attributes = match node.metadata() {
        NodeMetadata::Array(ArrayMetadata::V2(m)) => &m.attributes,
        NodeMetadata::Array(ArrayMetadata::V3(m)) => &m.attributes,
        NodeMetadata::Group(GroupMetadata::V2(g)) => &g.attributes,
        NodeMetadata::Group(GroupMetadata::V3(g)) => &g.attributes,
    };
    let applied = path == "/" && located.tiles.is_some();
    if let Some(layout) = attributes.get(PYME_LAYOUT).filter(|_| !applied) {
        let shown = shorten(&layout.to_string(), 120);
        return Err(located.place.array(path).fail(format!(
            "its attributes name a storage layout (`{PYME_LAYOUT}`: {shown}) that applies \
             only in the root .zattrs of a PYME tile pyramid (Zarr v2); read here as plain \
             zarr its chunks would all be fill values, so it is refused"
        )));
    }
    node.children()
        .iter()
        .try_for_each(|child| check_layouts(located, child))
}

/// Every array at or below `node_path`, in path order.
pub fn arrays_under(located: &Located) -> Result<Vec<(String, ArrayMetadata)>> {
    let node = open_node(located)?;
    let mut found = Vec::new();
    collect_arrays(&node, &mut found);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

fn collect_arrays(node: &Node, found: &mut Vec<(String, ArrayMetadata)>) {
    match node.metadata() {
        NodeMetadata::Array(metadata) => {
            found.push((node.path().as_str().to_string(), metadata.clone()));
        }
        NodeMetadata::Group(_) => {
            for child in node.children() {
                collect_arrays(child, found);
            }
        }
    }
}

/// Opens one array (zarrs plus our registered codecs).
pub fn open_array(located: &Located, path: &str) -> Result<InArray> {
    Array::open(located.storage.clone(), path).at(&located.place.array(path))
}

/// `text` cut to at most `max` bytes (at a character boundary), with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        text.to_string()
    } else {
        format!("{}…", &text[..text.floor_char_boundary(max)])
    }
}

/// Writes `array`'s metadata as every reader takes it (`zarrs_pymecompress::store_array_metadata`:
/// no `_zarrs` attribute, v3 codecs as objects), naming `place` on failure.
///
/// # Errors
/// The store refuses the write.
pub fn store_array_metadata<T>(array: &Array<T>, place: &Place) -> Result<()>
where
    T: ?Sized + zarrs::storage::WritableStorageTraits + 'static,
{
    zarrs_pymecompress::store_array_metadata(array).at(place)
}

/// Codec names as stored, for messages: `pymecompress-quant16`, `bytes+zstd`, `none`.
pub fn codec_names(metadata: &ArrayMetadata) -> String {
    let names: Vec<String> = match metadata {
        ArrayMetadata::V2(m) => m
            .filters
            .iter()
            .flatten()
            .chain(m.compressor.iter())
            .map(|c| c.id().to_string())
            .collect(),
        ArrayMetadata::V3(m) => m.codecs.iter().map(|c| c.name().to_string()).collect(),
    };
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join("+")
    }
}

/// The codecs with their configuration, as JSON (v2: filters and compressor; v3: the chain).
pub fn codecs_json(metadata: &ArrayMetadata) -> serde_json::Value {
    match metadata {
        ArrayMetadata::V2(m) => serde_json::json!({
            "filters": m.filters,
            "compressor": m.compressor,
        }),
        ArrayMetadata::V3(m) => serde_json::json!(m.codecs),
    }
}

/// Whether every chunk carries a crc32c checksum: zarr's `crc32c` codec in the chain, or in the
/// chain of a shard's inner chunks (the shard index's own checksum covers only the index).
pub fn has_crc32c(metadata: &ArrayMetadata) -> bool {
    fn in_chain(codecs: &[serde_json::Value]) -> bool {
        // A codec without configuration may be written as its bare name.
        codecs.iter().any(|c| {
            c == "crc32c"
                || c["name"] == "crc32c"
                || (c["name"] == "sharding_indexed"
                    && c["configuration"]["codecs"]
                        .as_array()
                        .is_some_and(|inner| in_chain(inner)))
        })
    }
    match codecs_json(metadata) {
        serde_json::Value::Array(chain) if zarr_format(metadata) == 3 => in_chain(&chain),
        _ => false,
    }
}

pub const fn zarr_format(metadata: &ArrayMetadata) -> u8 {
    match metadata {
        ArrayMetadata::V2(_) => 2,
        ArrayMetadata::V3(_) => 3,
    }
}

/// The array's data type as a Zarr v3 name (`uint16`), falling back to its display form.
pub fn dtype_name<T: ?Sized>(array: &Array<T>) -> String {
    let data_type = array.data_type();
    data_type
        .name_v3()
        .map_or_else(|| data_type.to_string(), |n| n.into_owned())
}

/// The `.npy` dtype of an array, if it has one.
pub fn npy_dtype<T: ?Sized>(array: &Array<T>, place: &Place) -> Result<NpyDtype> {
    let name = dtype_name(array);
    NpyDtype::from_zarr_name(&name)
        .ok_or_else(|| place.fail(format!("data type {name} has no .npy equivalent here")))
}

/// Every chunk of an array's chunk grid, C order (zarrs's own iteration of the grid).
pub fn chunks<T: ?Sized>(array: &Array<T>) -> Indices {
    ArraySubset::new_with_shape(array.chunk_grid_shape().to_vec()).indices()
}

/// A chunk's key in the store (`images/raw/0.1`, `c/0/1`): the file a user would look at.
pub fn chunk_label<T: ?Sized>(array: &Array<T>, indices: &[u64]) -> String {
    array.chunk_key(indices).as_str().to_string()
}

/// Names the chunk behind a failed region read: decodes the region's chunks one by one and
/// blames the first that fails; if none does, reports the region.
pub fn region_failure<T>(
    array: &Array<T>,
    subset: &ArraySubset,
    place: &Place,
    error: &(dyn std::error::Error + 'static),
) -> Failure
where
    T: ?Sized + zarrs::storage::ReadableStorageTraits + 'static,
{
    if let Some((index, e)) = zarrs_pymecompress::first_failing_chunk(array, subset) {
        return chunk_failure(&place.chunk(chunk_label(array, &index)), &e);
    }
    place.fail(format!(
        "reading region {:?}: {}",
        subset.to_ranges(),
        error_chain(error)
    ))
}

/// A chunk that could not be read, saying which kind of problem it is: the chunk's bytes
/// (damaged, truncated, checksum) or the storage under it (permissions, I/O).
pub fn chunk_failure(place: &Place, error: &ArrayError) -> Failure {
    // A codec of ours failing on the chunk's bytes: its typed error says what is wrong.
    let ours = zarrs_pymecompress::find_source::<pymecompress_codecs::Error>(error).is_some()
        || zarrs_pymecompress::find_source::<pymecompress_codecs::pzf::PzfError>(error).is_some()
        || zarrs_pymecompress::find_source::<zarrs_pymecompress::PymePzfChunkError>(error)
            .is_some();
    match error {
        ArrayError::CodecError(CodecError::InvalidChecksum) => place.fail(
            "damaged chunk: its crc32c checksum does not match its bytes (changed after writing)",
        ),
        _ if ours => damaged(place, error),
        ArrayError::CodecError(
            CodecError::StorageError(_)
            | CodecError::IOError(_)
            | CodecError::UnsupportedDataType(..),
        )
        | ArrayError::StorageError(_) => place.fail(error_chain(error)),
        ArrayError::CodecError(_) | ArrayError::UnexpectedChunkDecodedSize(..) => {
            damaged(place, error)
        }
        _ => place.fail(error_chain(error)),
    }
}

/// A chunk whose bytes do not decode. The core's messages say it is damaged; zarrs's own do
/// not, so those get the words.
fn damaged(place: &Place, error: &ArrayError) -> Failure {
    let chain = error_chain(error);
    if chain.contains("damaged") {
        place.fail(chain)
    } else {
        place.fail(format!("damaged or truncated chunk: {chain}"))
    }
}
