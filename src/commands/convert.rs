//! `pymecompress convert`: re-encode every array of a store with another codec, keeping the
//! hierarchy, shapes, data types, fill values and attributes.
//!
//! Output metadata is written as JSON documents and opened with `Array::new_with_metadata`, so
//! the codecs come from zarrs's registry exactly as they will when anyone reads the store back
//! (ours included, through the plugin's registration). Every array is planned before anything
//! is written, and the store is built under a temporary name and renamed into place complete.

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2, ArrayMetadataV3};
use zarrs::group::{Group, GroupMetadata, GroupMetadataV3};
use zarrs::metadata::v2::GroupMetadataV2;
use zarrs::metadata::NodeMetadata;
use zarrs::node::Node;

use super::convert_chunks;
use super::convert_plan::{plan_array, ArrayPlan, OutCodec};
use super::store_write::StoreWrite;
use crate::cli::{ConvertArgs, ConvertCodec};
use crate::durable::completion;
use crate::failure::{At, Failure, Place, Result};
use crate::npy::NpyDtype;
use crate::store::{self, Located, OutStore};

/// A node of the input, in walk order, with what becomes of it.
enum Step {
    Group {
        out_path: String,
        format: u8,
        attributes: Map<String, Value>,
    },
    Array {
        in_path: String,
        out_path: String,
        plan: ArrayPlan,
    },
}

pub fn run(o: &ConvertArgs) -> Result<ExitCode> {
    if o.shards.is_some() && o.zarr_format == Some(2) {
        return Err(Failure::usage(
            "--shards needs Zarr v3 output (--zarr-format 3)",
        ));
    }
    if let Some(frames) = o.frames {
        return Err(Failure::usage(format!(
            "--frames {frames}: --frames takes frames of a PYME series; a zarr store is \
             converted whole (for part of an array, use export --region)"
        )));
    }
    let quant_flags = quant_flags(o);
    if let (Some(codec), Some((flags, them))) = (o.codec, &quant_flags) {
        if codec != ConvertCodec::Quant16 {
            return Err(Failure::usage(format!(
                "{flags} for quant16 only, and this run writes --codec {}: leave {them} out, \
                 or use --codec quant16",
                codec_word(codec)
            )));
        }
    }
    let input = store::locate(&o.input)?;
    let root = store::open_node(&input)?;
    let mut steps = Vec::new();
    plan_node(o, &input, &root, &mut groups_above(&input), &mut steps)?;
    let quant16_arrays = steps.iter().any(
        |s| matches!(s, Step::Array { plan, .. } if matches!(plan.codec, OutCodec::Quant16(_))),
    );
    if let (Some((flags, them)), false) = (&quant_flags, quant16_arrays) {
        return Err(Failure::usage(format!(
            "{flags} for quant16 only, and no array is written with quant16 (without --codec \
             each array keeps its own codec, and none is quant16): leave {them} out, or add \
             --codec quant16"
        )));
    }
    for step in &steps {
        if let Step::Array { plan, .. } = step {
            for note in &plan.notes {
                eprintln!("note: {note}");
            }
        }
    }

    let write = StoreWrite::begin(o, manifest(&input))?;
    let out_place = write.place().clone();
    let output = write.storage().clone();
    let mut arrays = 0usize;
    let mut written = Vec::new();
    for step in &steps {
        match step {
            Step::Group {
                out_path,
                format,
                attributes,
            } => write_group(&output, out_path, *format, attributes, &out_place)?,
            Step::Array {
                in_path,
                out_path,
                plan,
            } => {
                let target = write_array(o, &input, in_path, plan, &write, out_path, &out_place)?;
                written.push(completion::scan_array(&target, &out_place)?);
                arrays += 1;
            }
        }
    }
    write.finish("pymecompress convert", written)?;
    println!(
        "{} -> {}: {arrays} arrays",
        input.root.display(),
        o.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The quant16 flags given, as the subject of a sentence (`--offset and --scale are`) and its
/// pronoun, if any: they mean nothing to other codecs, so they are refused there rather than
/// ignored.
fn quant_flags(o: &ConvertArgs) -> Option<(String, &'static str)> {
    let q = &o.quant;
    let given: Vec<&str> = [
        (q.offset.is_some(), "--offset"),
        (q.scale.is_some(), "--scale"),
        (q.requantize, "--requantize"),
    ]
    .into_iter()
    .filter_map(|(on, flag)| on.then_some(flag))
    .collect();
    match given.as_slice() {
        [] => None,
        [one] => Some((format!("{one} is"), "it")),
        many => Some((format!("{} are", many.join(" and ")), "them")),
    }
}

/// A codec as `--codec` spells it.
fn codec_word(codec: ConvertCodec) -> String {
    use clap::ValueEnum;
    codec
        .to_possible_value()
        .map_or_else(|| format!("{codec:?}"), |v| v.get_name().to_string())
}

/// The output path of an input node: its path relative to the converted node.
fn out_path(input: &Located, node_path: &str) -> String {
    let relative = node_path
        .strip_prefix(input.node_path.trim_end_matches('/'))
        .unwrap_or(node_path);
    if relative.is_empty() {
        "/".to_string()
    } else {
        relative.to_string()
    }
}

/// The attributes of the groups above the converted node, root first: PYME keeps camera
/// metadata at the top of a store, above the array a user may name.
fn groups_above(input: &Located) -> Vec<(String, Map<String, Value>)> {
    let parts: Vec<&str> = input
        .node_path
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    (0..parts.len())
        .filter_map(|n| {
            let path = format!("/{}", parts[..n].join("/"));
            match Node::open(&input.storage, &path).ok()?.metadata() {
                NodeMetadata::Group(GroupMetadata::V2(g)) => Some((path, g.attributes.clone())),
                NodeMetadata::Group(GroupMetadata::V3(g)) => Some((path, g.attributes.clone())),
                NodeMetadata::Array(_) => None,
            }
        })
        .collect()
}

/// Walks the input depth first, planning every node; `ancestors` holds the attributes of the
/// groups above (for `--offset auto`).
fn plan_node(
    o: &ConvertArgs,
    input: &Located,
    node: &Node,
    ancestors: &mut Vec<(String, Map<String, Value>)>,
    steps: &mut Vec<Step>,
) -> Result<()> {
    let in_path = node.path().as_str().to_string();
    let out_path = out_path(input, &in_path);
    match node.metadata() {
        NodeMetadata::Group(group) => {
            let (format, attributes) = match group {
                GroupMetadata::V2(g) => (2, g.attributes.clone()),
                GroupMetadata::V3(g) => (3, g.attributes.clone()),
            };
            let mut written = attributes.clone();
            // A tile pyramid's layout describes where its tiles are, not the converted store,
            // whose chunks are under their zarr keys: kept, it would send readers looking for
            // tile files.
            if in_path == "/" && input.tiles.is_some() {
                written.remove(store::PYME_LAYOUT);
            }
            steps.push(Step::Group {
                out_path,
                format: o.zarr_format.unwrap_or(format),
                attributes: written,
            });
            ancestors.push((in_path, attributes));
            for child in node.children() {
                plan_node(o, input, child, ancestors, steps)?;
            }
            ancestors.pop();
        }
        NodeMetadata::Array(_) => {
            let source = store::open_array(input, &in_path)?;
            let in_place = input
                .place
                .array(&in_path)
                .codec(store::codec_names(source.metadata()));
            zarrs_pymecompress::check_array(&source).at(&in_place)?;
            let plan = plan_array(o, &in_path, &source, ancestors, &in_place)?;
            let place = Place::store(o.output.display()).array(&out_path);
            check_shape("--chunks", &plan.chunks, source.shape(), &place)?;
            if let Some(shards) = &o.shards {
                check_shape("--shards", shards, source.shape(), &place)?;
                if shards.iter().zip(&plan.chunks).any(|(s, c)| s % c != 0) {
                    return Err(place.fail(format!(
                        "shard shape {shards:?} is not a multiple of chunk shape {:?}",
                        plan.chunks
                    )));
                }
            }
            steps.push(Step::Array {
                in_path,
                out_path,
                plan,
            });
        }
    }
    Ok(())
}

/// What a `--resume` must match beyond the shared arguments (`store_write.rs`): the source.
fn manifest(input: &Located) -> Map<String, Value> {
    let mut specific = Map::new();
    specific.insert("command".into(), json!("convert"));
    specific.insert(
        "input".into(),
        json!(std::fs::canonicalize(&input.root).unwrap_or_else(|_| input.root.clone())),
    );
    specific.insert("node".into(), json!(input.node_path));
    specific
}

fn write_group(
    output: &Arc<OutStore>,
    path: &str,
    format: u8,
    attributes: &Map<String, Value>,
    out_place: &Place,
) -> Result<()> {
    let metadata = match format {
        2 => GroupMetadata::V2(GroupMetadataV2::new().with_attributes(attributes.clone())),
        _ => GroupMetadata::V3(GroupMetadataV3::new().with_attributes(attributes.clone())),
    };
    let place = out_place.array(path);
    Group::new_with_metadata(output.clone(), path, metadata)
        .at(&place)?
        .store_metadata()
        .at(&place)
}

fn write_array(
    o: &ConvertArgs,
    input: &Located,
    in_path: &str,
    plan: &ArrayPlan,
    write: &StoreWrite,
    path: &str,
    out_place: &Place,
) -> Result<Array<OutStore>> {
    let source = store::open_array(input, in_path)?;
    let in_place = input
        .place
        .array(in_path)
        .codec(store::codec_names(source.metadata()));
    let in_v3 = match source.metadata() {
        ArrayMetadata::V3(m) => m.clone(),
        ArrayMetadata::V2(m) => zarrs_pymecompress::array_metadata_v2_to_v3(m).at(&in_place)?,
    };
    let dtype_name = in_v3.data_type.name().to_string();
    let chunks = &plan.chunks;
    let place = out_place.array(path).codec(plan.codec.name());
    let metadata = match plan.zarr_format {
        2 => {
            let dtype = NpyDtype::from_zarr_name(&dtype_name).ok_or_else(|| {
                place.fail(format!(
                    "data type {dtype_name} cannot be written as Zarr v2"
                ))
            })?;
            let document = json!({
                "zarr_format": 2,
                "shape": source.shape(),
                "chunks": chunks,
                "dtype": dtype.descr(),
                "compressor": plan.codec.v2().at(&place)?,
                "fill_value": in_v3.fill_value,
                "order": "C",
                "filters": null,
                "dimension_separator": ".",
            });
            let m: ArrayMetadataV2 = serde_json::from_value(document).at(&place)?;
            ArrayMetadata::V2(m.with_attributes(source.attributes().clone()))
        }
        _ => {
            let (grid, codecs) = match &o.shards {
                None => (chunks.clone(), plan.codec.v3(o.checksum)),
                Some(shards) => (
                    shards.clone(),
                    vec![json!({
                        "name": "sharding_indexed",
                        "configuration": {
                            "chunk_shape": chunks,
                            "codecs": plan.codec.v3(o.checksum),
                            "index_codecs": [
                                {"name": "bytes", "configuration": {"endian": "little"}},
                                {"name": "crc32c"},
                            ],
                            "index_location": "end",
                        }
                    })],
                ),
            };
            let document = json!({
                "zarr_format": 3,
                "node_type": "array",
                "shape": source.shape(),
                "data_type": in_v3.data_type,
                "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
                "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
                "fill_value": in_v3.fill_value,
                "codecs": codecs,
                "attributes": source.attributes(),
            });
            let m: ArrayMetadataV3 = serde_json::from_value(document).at(&place)?;
            ArrayMetadata::V3(m)
        }
    };
    let target = Array::new_with_metadata(write.storage().clone(), path, metadata).at(&place)?;
    zarrs_pymecompress::check_array(&target).at(&place)?;
    store::store_array_metadata(&target, &place)?;
    let kept = write.keep_written(&target, in_path, &place)?;
    let (counts, done) = if plan.transfer_streams {
        let OutCodec::Quant16(config) = &plan.codec else {
            return Err(place.fail("internal error: streams moved for a codec other than quant16"));
        };
        let codec = pymecompress_codecs::Quant16Codec::new(*config.params());
        let counts =
            convert_chunks::transfer_streams(&source, &in_place, &target, &place, &codec, &kept)?;
        (counts, "copied as stored (not quantized again)".to_string())
    } else {
        let counts = convert_chunks::recode(&source, &in_place, &target, &place, &kept)?;
        let how = match plan.codec {
            OutCodec::None => "written uncompressed (codec none)".to_string(),
            _ => format!("encoded with {}", plan.codec.name()),
        };
        (counts, how)
    };
    let unit = match (o.shards.is_some(), plan.transfer_streams) {
        (true, _) => "shards",
        (false, true) => "quant16 chunks",
        (false, false) => "chunks",
    };
    println!("{in_path}: {}", counts.summary(unit, &done));
    Ok(target)
}

fn check_shape(flag: &str, shape: &[u64], array_shape: &[u64], place: &Place) -> Result<()> {
    if shape.len() != array_shape.len() || shape.contains(&0) {
        return Err(place.fail(format!(
            "{flag} {shape:?} must give {} positive sizes, one per axis of shape {array_shape:?}",
            array_shape.len()
        )));
    }
    Ok(())
}
