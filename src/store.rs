//! Finding stores and arrays on disk, and describing arrays for messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::array::iterators::Indices;
use zarrs::array::{Array, ArrayError, ArrayMetadata, ArraySubset, CodecError};
use zarrs::filesystem::FilesystemStore;
use zarrs::metadata::NodeMetadata;
use zarrs::node::Node;
use zarrs::plugin::ExtensionName;

use crate::failure::{error_chain, At, Failure, Place, Result};
use pymecompress::npy::NpyDtype;

/// The store every command writes through: each chunk and metadata file is written to a
/// temporary, flushed and renamed over its key, so concurrent readers never see a torn chunk.
pub type OutStore = zarrs_pymecompress::AtomicFilesystemStore;

/// A filesystem store opened for reading and writing, and the node within it the user named.
pub struct Located {
    pub storage: Arc<FilesystemStore>,
    /// The store root as the user would write it (for messages).
    pub root: PathBuf,
    /// The node the user's path points at, `/` for the root.
    pub node_path: String,
    pub place: Place,
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

/// Splits `path` into a store root and a node path: the root is the highest directory above
/// `path` (or `path` itself) in an unbroken line of directories holding zarr metadata.
pub fn locate(path: &Path) -> Result<Located> {
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
    while let (Some(parent), Some(name)) = (root.parent(), root.file_name()) {
        if !has_node_metadata(parent) {
            break;
        }
        inner.push(name.to_string_lossy().into_owned());
        root = parent.to_path_buf();
    }
    inner.reverse();
    let node_path = format!("/{}", inner.join("/"));
    let storage = Arc::new(FilesystemStore::new(&root).at(&place)?);
    let place = Place::store(root.display());
    Ok(Located {
        storage,
        root,
        node_path,
        place,
    })
}

/// Every array at or below `node_path`, in path order.
pub fn arrays_under(located: &Located) -> Result<Vec<(String, ArrayMetadata)>> {
    let node = Node::open(&located.storage, &located.node_path)
        .at(&located.place.array(&located.node_path))?;
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
pub fn open_array(located: &Located, path: &str) -> Result<Array<FilesystemStore>> {
    Array::open(located.storage.clone(), path).at(&located.place.array(path))
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
    error: &dyn std::error::Error,
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
    match error {
        ArrayError::CodecError(CodecError::InvalidChecksum) => place.fail(
            "damaged chunk: its crc32c checksum does not match its bytes (changed after writing)",
        ),
        ArrayError::CodecError(
            CodecError::StorageError(_)
            | CodecError::IOError(_)
            | CodecError::UnsupportedDataType(..),
        )
        | ArrayError::StorageError(_) => place.fail(error_chain(error)),
        ArrayError::CodecError(_) | ArrayError::UnexpectedChunkDecodedSize(..) => {
            let chain = error_chain(error);
            // The core's messages already say the chunk is damaged; zarrs's own do not.
            if chain.contains("damaged") {
                place.fail(chain)
            } else {
                place.fail(format!("damaged or truncated chunk: {chain}"))
            }
        }
        _ => place.fail(error_chain(error)),
    }
}
