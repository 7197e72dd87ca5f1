//! `pymecompress info`: what is in a store, and how well it is compressed.

use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Map, Value};
use zarrs::array::ArrayMetadata;
use zarrs::storage::ReadableStorageTraits;

use crate::bytes_text::human_bytes;
use crate::failure::{At, Failure, Result};
use crate::progress;
use crate::store::{self, InArray, Located};
use pymecompress_pyme::attributes::EVENTS;

#[derive(Serialize)]
struct StoreInfo {
    store: String,
    /// How chunks are found when not under their zarr keys (a PYME tile pyramid).
    #[serde(skip_serializing_if = "Option::is_none")]
    layout: Option<Value>,
    /// OME-NGFF images the named group's attributes describe (`convert --ome` writes one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ome_images: Vec<OmeInfo>,
    arrays: Vec<ArrayInfo>,
}

/// An OME-Zarr image: its NGFF block, with each level's shape from its array.
#[derive(Serialize)]
struct OmeInfo {
    name: Option<String>,
    ngff_version: String,
    axes: Vec<String>,
    units: Vec<Option<String>>,
    levels: Vec<OmeLevel>,
}

#[derive(Serialize)]
struct OmeLevel {
    /// The level's array, as `info` names arrays (`/0`).
    path: String,
    /// `None` when no array is at that path.
    shape: Option<Vec<u64>>,
    scale: Option<Vec<f64>>,
}

/// Longest attribute value shown in text output; `--json` gives every value whole.
const SHOWN: usize = 160;

#[derive(Serialize)]
struct ArrayInfo {
    path: String,
    zarr_format: u8,
    shape: Vec<u64>,
    dtype: String,
    /// The storage unit: a chunk, or a shard for sharded Zarr v3 arrays.
    chunk_shape: Vec<u64>,
    /// The inner chunk shape of a sharded array.
    #[serde(skip_serializing_if = "Option::is_none")]
    subchunk_shape: Option<Vec<u64>>,
    fill_value: serde_json::Value,
    codecs: serde_json::Value,
    codec_names: String,
    chunks_present: u64,
    chunks_expected: u64,
    /// Bytes of the chunk objects in the store.
    stored_bytes: u64,
    /// Bytes of the whole array decoded.
    raw_bytes: u64,
    /// Bytes the present chunks decode to (edge chunks count in full: zarr stores them padded).
    raw_bytes_present: u64,
    /// `raw_bytes_present / stored_bytes`.
    ratio: Option<f64>,
    attributes: serde_json::Map<String, serde_json::Value>,
}

pub fn run(path: &Path, json: bool) -> Result<ExitCode> {
    let located = store::locate(path)?;
    let arrays = store::arrays_under(&located)?;
    let mut infos = Vec::new();
    let mut failures = Vec::new();
    for (array_path, metadata) in &arrays {
        match describe(&located, array_path, metadata) {
            Ok(info) => infos.push(info),
            Err(failure) => failures.push(failure),
        }
    }
    let report = StoreInfo {
        store: located.root.display().to_string(),
        layout: located.tiles.as_ref().map(|t| {
            json!({"pyme_tiles": {
                "key_schema": t.key_schema, "suffix": t.suffix, "extension": t.extension,
            }})
        }),
        ome_images: ome_images(&located, &arrays)?,
        arrays: infos,
    };
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(Failure::msg)?;
        println!("{text}");
    } else {
        print_text(&report, failures.is_empty());
    }
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The OME images the node the user named describes, if it is a group with an NGFF block.
fn ome_images(located: &Located, arrays: &[(String, ArrayMetadata)]) -> Result<Vec<OmeInfo>> {
    let node = store::open_node(located)?;
    let zarrs::metadata::NodeMetadata::Group(group) = node.metadata() else {
        return Ok(Vec::new());
    };
    let attributes = match group {
        zarrs::group::GroupMetadata::V2(g) => &g.attributes,
        zarrs::group::GroupMetadata::V3(g) => &g.attributes,
    };
    let base = located.node_path.trim_end_matches('/');
    Ok(pymecompress_pyme::find_images(attributes)
        .into_iter()
        .map(|image| OmeInfo {
            levels: image
                .levels
                .into_iter()
                .map(|(path, scale)| {
                    let path = format!("{base}/{}", path.trim_matches('/'));
                    let shape = arrays
                        .iter()
                        .find(|(p, _)| *p == path)
                        .map(|(_, m)| match m {
                            ArrayMetadata::V2(m) => m.shape.clone(),
                            ArrayMetadata::V3(m) => m.shape.clone(),
                        });
                    OmeLevel { path, shape, scale }
                })
                .collect(),
            name: image.name,
            ngff_version: image.version,
            axes: image.axes,
            units: image.units,
        })
        .collect())
}

fn describe(located: &Located, path: &str, metadata: &ArrayMetadata) -> Result<ArrayInfo> {
    let place = located
        .place
        .array(path)
        .codec(store::codec_names(metadata));
    let array = store::open_array(located, path)?;
    let itemsize = array
        .data_type()
        .fixed_size()
        .ok_or_else(|| place.fail("variable-size data types are not handled"))?
        as u64;
    let chunk_shape: Vec<u64> = array
        .chunk_shape(&vec![0; array.dimensionality()])
        .at(&place)?
        .iter()
        .map(|d| d.get())
        .collect();
    let (present, stored_bytes) = chunk_sizes(&array).at(&place)?;
    let chunk_raw: u64 = chunk_shape.iter().product::<u64>() * itemsize;
    let raw_bytes_present = present * chunk_raw;
    let fill_value = match metadata {
        ArrayMetadata::V2(m) => serde_json::to_value(&m.fill_value),
        ArrayMetadata::V3(m) => serde_json::to_value(&m.fill_value),
    }
    .unwrap_or(serde_json::Value::Null);
    Ok(ArrayInfo {
        path: path.to_string(),
        zarr_format: store::zarr_format(metadata),
        shape: array.shape().to_vec(),
        dtype: store::dtype_name(&array),
        chunk_shape,
        subchunk_shape: subchunk_shape(metadata),
        fill_value,
        codecs: store::codecs_json(metadata),
        codec_names: store::codec_names(metadata),
        chunks_present: present,
        chunks_expected: array.chunk_grid_shape().iter().product(),
        stored_bytes,
        raw_bytes: array.shape().iter().product::<u64>() * itemsize,
        raw_bytes_present,
        ratio: (stored_bytes > 0).then(|| raw_bytes_present as f64 / stored_bytes as f64),
        attributes: array.attributes().clone(),
    })
}

/// The inner chunk shape when the (outermost) array-to-bytes codec is `sharding_indexed`.
fn subchunk_shape(metadata: &ArrayMetadata) -> Option<Vec<u64>> {
    let ArrayMetadata::V3(m) = metadata else {
        return None;
    };
    let sharding = m.codecs.iter().find(|c| c.name() == "sharding_indexed")?;
    serde_json::from_value(sharding.configuration()?.get("chunk_shape")?.clone()).ok()
}

/// How many chunks exist and their total stored size.
fn chunk_sizes(array: &InArray) -> std::result::Result<(u64, u64), zarrs::storage::StorageError> {
    let indices = store::chunks(array);
    let bar = progress::items(indices.len() as u64, "sizing");
    let storage = array.storage();
    let sizes = indices
        .par_iter()
        .map(|index| {
            let size = storage.size_key(&array.chunk_key(&index));
            bar.inc(1);
            size
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    bar.finish_and_clear();
    let present = sizes.iter().flatten().count() as u64;
    Ok((present, sizes.iter().flatten().sum()))
}

fn dims(shape: &[u64]) -> String {
    if shape.is_empty() {
        "scalar".to_string()
    } else {
        shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" x ")
    }
}

/// `all_read`: every array's metadata could be read; otherwise an empty list does not mean
/// the store has no arrays, and the errors that follow say what there is.
fn print_text(report: &StoreInfo, all_read: bool) {
    println!("store {}", report.store);
    if let Some(tiles) = report.layout.as_ref().and_then(|l| l.get("pyme_tiles")) {
        println!(
            "  layout      PYME tile pyramid: each chunk is the tile file {} (its .zattrs' \
             `pyme` block)",
            tiles["key_schema"]
        );
    }
    for image in &report.ome_images {
        let units: Vec<&str> = image
            .units
            .iter()
            .map(|u| u.as_deref().unwrap_or("-"))
            .collect();
        println!(
            "  OME-Zarr    image {} (NGFF {}), axes {} ({}), {} level{}",
            image
                .name
                .as_deref()
                .map_or("(unnamed)".into(), |n| format!("{n:?}")),
            image.ngff_version,
            image.axes.join(", "),
            units.join(", "),
            image.levels.len(),
            if image.levels.len() == 1 { "" } else { "s" }
        );
        for (k, level) in image.levels.iter().enumerate() {
            let shape = level.shape.as_deref().map_or("no array".into(), dims);
            let scale = level
                .scale
                .as_ref()
                .map_or("-".into(), |s| format!("{s:?}"));
            println!("    level {k}   {}  {shape}  scale {scale}", level.path);
        }
    }
    if report.arrays.is_empty() && all_read {
        println!("  (no arrays)");
    }
    for a in &report.arrays {
        println!();
        println!("array {}  (zarr v{})", a.path, a.zarr_format);
        println!("  shape       {}", dims(&a.shape));
        println!("  dtype       {}", a.dtype);
        let unit = if a.subchunk_shape.is_some() {
            "shards"
        } else {
            "chunks"
        };
        println!(
            "  {unit:<11} {}  ({} of {} present)",
            dims(&a.chunk_shape),
            a.chunks_present,
            a.chunks_expected
        );
        if let Some(inner) = &a.subchunk_shape {
            println!("  chunks      {} inside each shard", dims(inner));
        }
        println!("  codecs      {}", a.codecs);
        println!("  fill value  {}", a.fill_value);
        println!("  stored      {}", human_bytes(a.stored_bytes));
        println!(
            "  raw         {} (array); {} in present chunks",
            human_bytes(a.raw_bytes),
            human_bytes(a.raw_bytes_present)
        );
        match a.ratio {
            Some(r) => println!("  ratio       {r:.2}x"),
            None => println!("  ratio       -"),
        }
        print_attributes(&a.attributes);
    }
}

/// One line per attribute, long values summarised: PYME's events (thousands in a converted
/// series) by count, first and last; anything else cut at [`SHOWN`] bytes.
fn print_attributes(attributes: &Map<String, Value>) {
    if attributes.is_empty() {
        return;
    }
    println!("  attributes");
    let mut shortened = false;
    for (key, value) in attributes {
        let whole = value.to_string();
        let shown = match value {
            Value::Array(events) if key == EVENTS && whole.len() > SHOWN => {
                let end = |e: Option<&Value>| {
                    store::shorten(&e.map(Value::to_string).unwrap_or_default(), SHOWN / 2)
                };
                format!(
                    "{} events, first {}, last {}",
                    events.len(),
                    end(events.first()),
                    end(events.last())
                )
            }
            Value::Object(map) if whole.len() > SHOWN => {
                format!("{} ({} keys)", store::shorten(&whole, SHOWN), map.len())
            }
            _ => store::shorten(&whole, SHOWN),
        };
        shortened |= shown != whole;
        println!("    {key}: {shown}");
    }
    if shortened {
        println!("    (long values shortened; --json gives every attribute in full)");
    }
}
