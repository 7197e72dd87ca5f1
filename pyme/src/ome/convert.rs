//! An OME image's store: each level's array metadata and chunk layout, the root group's
//! attributes, and the whole conversion in one call ([`convert_into`], [`convert_to_dir`]).
//! `pymecompress convert --ome` builds its store from the parts ([`OmePlan`]) with its own
//! durable write and resume around them; Python's `pymecompress_rs.ome.to_ome_zarr` calls
//! [`convert_to_dir`].
//!
//! Level 0 keeps its frames' compressed payloads where a plain convert would (a one-frame chunk
//! of the frames' own codec): its chunk layout then says the bytes are PYME's (x, y) order
//! (Zarr v2 `"order": "F"`, Zarr v3 `transpose` [0, .., n−1, n−2]); every other array is C
//! order. Levels below 0 of quant16 data use the lossless Huffman codec: a mean of quantized
//! values is not on the quantization grid, and quantizing it again would add error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};
use zarrs::array::{Array, ArrayMetadata};
use zarrs::storage::{ReadableWritableStorageTraits, StoreKey};

use super::write::write_image;
use super::{NgffVersion, OmeCodec, OmeError, OmeImage, ScaleFlags};
use crate::to_zarr::{PassThrough, WriteHooks, WriteStats};
use crate::{attributes, FrameLayout, FrameSelection, FrameSource, SourceError};

/// What the caller decides about an OME image's store.
#[derive(Clone, Debug)]
pub struct OmeOptions {
    /// Pyramid levels (1: the image alone).
    pub levels: u32,
    /// Scales where the metadata is silent.
    pub flags: ScaleFlags,
    /// 2 (NGFF 0.4) or 3 (NGFF 0.5).
    pub zarr_format: u8,
    /// Level 0's codec.
    pub codec: OmeCodec,
    /// Zarr v3: zarr's `crc32c` codec after each chunk's codec.
    pub checksum: bool,
    /// Level 0's chunk shape (`None`: one frame); 1 along each frame axis.
    pub chunks: Option<Vec<u64>>,
}

/// Everything decided about an OME image's store before anything is written.
#[derive(Clone, Debug)]
pub struct OmePlan {
    /// Axes, scales, levels.
    pub image: OmeImage,
    /// Level 0's chunk shape.
    pub chunks: Vec<u64>,
    /// How level 0 takes the frames' payloads as stored (then laid out in PYME's order).
    pub pass: Option<PassThrough>,
    /// Level 0's codec.
    pub codec: OmeCodec,
    /// 2 or 3.
    pub zarr_format: u8,
    /// Zarr v3 `crc32c`.
    pub checksum: bool,
}

impl OmePlan {
    /// Plans `selection` of `source`'s frames (of `layout`) as an OME image.
    ///
    /// # Errors
    /// [`OmeError`]: see [`OmeImage::plan`]; a chunk shape that is not 1 along each frame axis,
    /// or not positive, or of the wrong length; `--checksum` on Zarr v2.
    pub fn new(
        source: &dyn FrameSource,
        layout: &FrameLayout,
        selection: &FrameSelection,
        options: &OmeOptions,
    ) -> Result<Self, OmeError> {
        if options.checksum && options.zarr_format != 3 {
            return Err(OmeError::Options(
                "a checksum needs Zarr v3 output (zarr's crc32c codec)".into(),
            ));
        }
        if !matches!(options.zarr_format, 2 | 3) {
            return Err(OmeError::Options(format!(
                "Zarr format {} (2 or 3)",
                options.zarr_format
            )));
        }
        if layout.pixel == crate::PixelType::F64 {
            return Err(OmeError::Float64);
        }
        let image = OmeImage::plan(source, layout, selection, options.levels, options.flags)?;
        let shape = image.level_shape(0);
        let frame_chunk: Vec<u64> = shape
            .iter()
            .enumerate()
            .map(|(i, &n)| if i < image.frame_axes() { 1 } else { n.max(1) })
            .collect();
        let chunks = options
            .chunks
            .clone()
            .unwrap_or_else(|| frame_chunk.clone());
        let names = image.dimension_names();
        if chunks.len() != shape.len()
            || chunks.contains(&0)
            || chunks[..image.frame_axes()].iter().any(|&n| n != 1)
        {
            return Err(OmeError::Options(format!(
                "chunks {chunks:?}: an OME image of axes ({}) and shape {shape:?} takes {} \
                 positive sizes, 1 along each of {} (frames are written one at a time)",
                names.join(", "),
                shape.len(),
                names[..image.frame_axes()].join(", ")
            )));
        }
        let pass = options
            .codec
            .pass_through(layout)
            .filter(|_| chunks == frame_chunk);
        Ok(Self {
            image,
            chunks,
            pass,
            codec: options.codec.clone(),
            zarr_format: options.zarr_format,
            checksum: options.checksum,
        })
    }

    /// Level `level`'s codec.
    #[must_use]
    pub fn level_codec(&self, level: u32) -> OmeCodec {
        if level == 0 {
            self.codec.clone()
        } else {
            self.codec.below_level_0()
        }
    }

    /// Level `level`'s array metadata, for frames of `layout`: level 0 with moved payloads is
    /// laid out in PYME's order (Zarr v2 `"order": "F"`: a (1, …, 1, Y, X) chunk in F order
    /// has y fastest and x slowest, PYME's C order over (X, Y); Zarr v3 a `transpose` codec
    /// that swaps y and x ahead of the array-to-bytes codec); every other array is C order.
    ///
    /// # Errors
    /// The metadata document does not parse as zarrs's (a codec that cannot be serialized).
    pub fn level_metadata(
        &self,
        level: u32,
        layout: &FrameLayout,
    ) -> Result<ArrayMetadata, serde_json::Error> {
        let shape = self.image.level_shape(level);
        let chunks: Vec<u64> = self
            .chunks
            .iter()
            .zip(&shape)
            .map(|(&c, &n)| c.min(n).max(1))
            .collect();
        let codec = self.level_codec(level);
        let transposed = level == 0 && self.pass.is_some();
        if self.zarr_format == 2 {
            let document = json!({
                "zarr_format": 2,
                "shape": shape,
                "chunks": chunks,
                "dtype": layout.pixel.numpy_descr(),
                "compressor": codec.v2()?,
                "fill_value": 0,
                "order": if transposed { "F" } else { "C" },
                "filters": null,
                // NGFF 0.4 readers (ome-zarr-py) expect `/`-separated chunk keys.
                "dimension_separator": "/",
            });
            return Ok(ArrayMetadata::V2(serde_json::from_value(document)?));
        }
        let mut codecs = codec.v3(self.checksum);
        if transposed {
            let n = shape.len();
            let mut order: Vec<usize> = (0..n).collect();
            order.swap(n - 2, n - 1);
            codecs.insert(
                0,
                json!({"name": "transpose", "configuration": {"order": order}}),
            );
        }
        let document = json!({
            "zarr_format": 3,
            "node_type": "array",
            "shape": shape,
            "data_type": layout.pixel.name(),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0,
            "codecs": codecs,
            "dimension_names": self.image.dimension_names(),
            "attributes": {},
        });
        Ok(ArrayMetadata::V3(serde_json::from_value(document)?))
    }

    /// The root group's attributes: the NGFF block next to PYME's metadata and events, the
    /// image named after the source ([`image_name`]).
    #[must_use]
    pub fn group_attributes(
        &self,
        source: &dyn FrameSource,
        selection: &FrameSelection,
    ) -> Map<String, Value> {
        self.image.group_attributes(
            &image_name(source),
            NgffVersion::for_zarr_format(self.zarr_format),
            attributes::zarr_attributes(source, selection),
        )
    }

    /// Writes the root group's metadata with `attributes`: `.zgroup` and `.zattrs` (Zarr v2),
    /// or `zarr.json` (Zarr v3).
    ///
    /// # Errors
    /// [`SourceError::Zarr`]: the store refused a key.
    pub fn store_group<S>(
        &self,
        storage: &S,
        attributes: Map<String, Value>,
    ) -> Result<(), SourceError>
    where
        S: ?Sized + ReadableWritableStorageTraits,
    {
        let put = |key: &str, value: Value| -> Result<(), SourceError> {
            let failed = |e: String| SourceError::Zarr {
                place: format!("group metadata {key}"),
                source: e.into(),
            };
            let bytes = serde_json::to_vec_pretty(&value).map_err(|e| failed(e.to_string()))?;
            let key = StoreKey::new(key).map_err(|e| failed(e.to_string()))?;
            storage
                .set(&key, bytes.into())
                .map_err(|e| failed(e.to_string()))
        };
        if self.zarr_format == 2 {
            put(".zgroup", json!({"zarr_format": 2}))?;
            put(".zattrs", Value::Object(attributes))
        } else {
            put(
                "zarr.json",
                json!({"zarr_format": 3, "node_type": "group", "attributes": attributes}),
            )
        }
    }
}

/// The image's name: the source's file or directory name without `.pcs`/`.pzf`/`.h5`.
#[must_use]
pub fn image_name(source: &dyn FrameSource) -> String {
    let name = source.name().trim_end_matches('/');
    let base = name.rsplit('/').next().unwrap_or(name);
    [".pcs", ".pzf", ".h5"]
        .iter()
        .find_map(|ext| base.strip_suffix(ext))
        .unwrap_or(base)
        .to_string()
}

/// Why [`convert_into`] or [`convert_to_dir`] wrote no image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OmeConvertError {
    /// The source cannot be an OME image with these options.
    #[error("{source_name}: {source}")]
    Plan {
        /// The source.
        source_name: String,
        /// Why.
        #[source]
        source: OmeError,
    },
    /// Reading the source or writing the store failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The output exists (nothing is overwritten), or its temporary cannot be made or renamed.
    #[error("output {}: {what}", path.display())]
    Output {
        /// The output directory.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// What a conversion wrote.
#[derive(Debug)]
pub struct OmeWritten {
    /// The plan it followed.
    pub plan: OmePlan,
    /// Frames moved, chunks encoded.
    pub stats: WriteStats,
}

/// Writes `selection` of `source`'s frames as an OME image at the root of `storage` (an empty
/// store): each level's array, the group with its attributes, then the frames in one pass.
///
/// # Errors
/// [`OmeConvertError`]: the plan's refusals; the source's read errors; the store's write
/// errors.
pub fn convert_into<S>(
    source: &dyn FrameSource,
    selection: &FrameSelection,
    options: &OmeOptions,
    storage: Arc<S>,
) -> Result<OmeWritten, OmeConvertError>
where
    S: ?Sized + ReadableWritableStorageTraits + 'static,
{
    let layout = source.layout()?;
    let plan = OmePlan::new(source, &layout, selection, options).map_err(|source_error| {
        OmeConvertError::Plan {
            source_name: source.name().to_string(),
            source: source_error,
        }
    })?;
    let zarr = |place: String, e: &dyn std::fmt::Display| SourceError::Zarr {
        place,
        source: e.to_string().into(),
    };
    let mut arrays = Vec::new();
    for level in 0..plan.image.levels {
        let path = format!("/{level}");
        let place = || format!("level {level} ({path})");
        let metadata = plan
            .level_metadata(level, &layout)
            .map_err(|e| zarr(place(), &e))?;
        let array = Array::new_with_metadata(storage.clone(), &path, metadata)
            .map_err(|e| zarr(place(), &e))?;
        zarrs_pymecompress::check_array(&array).map_err(|e| zarr(place(), &e))?;
        zarrs_pymecompress::store_array_metadata(&array).map_err(|e| zarr(place(), &e))?;
        arrays.push(array);
    }
    plan.store_group(storage.as_ref(), plan.group_attributes(source, selection))?;
    let stats = write_image(
        source,
        &layout,
        selection,
        &plan.image,
        &arrays,
        plan.pass,
        &WriteHooks {
            row_done: &|_| false,
            frames_done: &|_| {},
        },
    )?;
    Ok(OmeWritten { plan, stats })
}

/// [`convert_into`] a new directory `out`: written into a temporary directory next to it
/// (`.NAME.partial-PID`) and renamed to `out` once complete, so that a failed or killed write
/// never leaves something at `out` that looks complete. A leftover temporary of a killed
/// write is not resumed (the CLI's `convert --ome --resume` does that); it is removed by the
/// next conversion to the same `out` from the same process id only, so stale ones may stay.
///
/// # Errors
/// [`OmeConvertError::Output`]: `out` exists, or the temporary cannot be made or renamed;
/// otherwise [`convert_into`]'s errors (the temporary is then removed).
pub fn convert_to_dir(
    source: &dyn FrameSource,
    selection: &FrameSelection,
    options: &OmeOptions,
    out: &Path,
) -> Result<OmeWritten, OmeConvertError> {
    let output = |what: String| OmeConvertError::Output {
        path: out.to_path_buf(),
        what,
    };
    if out.exists() {
        return Err(output("exists; nothing is overwritten".into()));
    }
    let name = out
        .file_name()
        .ok_or_else(|| output("has no file name".into()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = parent.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    if temp.exists() {
        std::fs::remove_dir_all(&temp)
            .map_err(|e| output(format!("removing the leftover {}: {e}", temp.display())))?;
    }
    std::fs::create_dir_all(&temp)
        .map_err(|e| output(format!("creating {}: {e}", temp.display())))?;
    let written = zarrs::filesystem::FilesystemStore::new(&temp)
        .map_err(|e| output(format!("opening {}: {e}", temp.display())))
        .and_then(|store| convert_into(source, selection, options, Arc::new(store)));
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
    };
    if out.exists() {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(output(
            "appeared while converting; nothing is overwritten".into(),
        ));
    }
    std::fs::rename(&temp, out).map_err(|e| {
        output(format!(
            "renaming the complete {} to it: {e}",
            temp.display()
        ))
    })?;
    Ok(written)
}
