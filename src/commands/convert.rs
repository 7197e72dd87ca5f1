//! `pymecompress convert`: re-encode every array of a store with another codec, keeping the
//! hierarchy, shapes, data types, fill values and attributes.
//!
//! Output metadata is written as JSON documents and opened with `Array::new_with_metadata`, so
//! the codecs come from zarrs's registry exactly as they will when anyone reads the store back
//! (ours included, through the plugin's registration).

use std::process::ExitCode;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Value};
use zarrs::array::{
    Array, ArrayBytes, ArrayMetadata, ArrayMetadataOptions, ArrayMetadataV2, ArrayMetadataV3,
};
use zarrs::filesystem::FilesystemStore;
use zarrs::group::{Group, GroupMetadata, GroupMetadataV3};
use zarrs::metadata::v2::GroupMetadataV2;
use zarrs::metadata::NodeMetadata;
use zarrs::node::Node;

use crate::cli::{ConvertArgs, ConvertCodec};
use crate::failure::{At, Place, Result};
use crate::progress;
use crate::store::{self, Located};
use pymecompress::npy::NpyDtype;
use pymecompress_codecs::QuantParams;

pub fn run(o: &ConvertArgs) -> Result<ExitCode> {
    let out_place = Place::store(o.output.display());
    if o.output.exists() {
        return Err(out_place.fail("already exists; choose a new path"));
    }
    if o.shards.is_some() && o.zarr_format == Some(2) {
        return Err(out_place.fail("--shards needs Zarr v3 (--zarr-format 3)"));
    }
    if o.codec == ConvertCodec::Quant16 {
        QuantParams::new(o.quant.offset, o.quant.scale)
            .at(&out_place.codec("pymecompress-quant16"))?;
    }
    let input = store::locate(&o.input)?;
    let root =
        Node::open(&input.storage, &input.node_path).at(&input.place.array(&input.node_path))?;
    std::fs::create_dir_all(&o.output).at(&out_place)?;
    let output = Arc::new(FilesystemStore::new(&o.output).at(&out_place)?);
    let mut converted = 0usize;
    convert_node(o, &input, &root, &output, &out_place, &mut converted)?;
    println!(
        "{} -> {}: {converted} arrays",
        input.root.display(),
        o.output.display()
    );
    Ok(ExitCode::SUCCESS)
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

fn convert_node(
    o: &ConvertArgs,
    input: &Located,
    node: &Node,
    output: &Arc<FilesystemStore>,
    out_place: &Place,
    converted: &mut usize,
) -> Result<()> {
    let path = out_path(input, node.path().as_str());
    match node.metadata() {
        NodeMetadata::Group(group) => {
            let (format, attributes) = match group {
                GroupMetadata::V2(g) => (2, g.attributes.clone()),
                GroupMetadata::V3(g) => (3, g.attributes.clone()),
            };
            let metadata = match o.zarr_format.unwrap_or(format) {
                2 => GroupMetadata::V2(GroupMetadataV2::new().with_attributes(attributes)),
                _ => GroupMetadata::V3(GroupMetadataV3::new().with_attributes(attributes)),
            };
            let place = out_place.array(&path);
            Group::new_with_metadata(output.clone(), &path, metadata)
                .at(&place)?
                .store_metadata()
                .at(&place)?;
            for child in node.children() {
                convert_node(o, input, child, output, out_place, converted)?;
            }
        }
        NodeMetadata::Array(_) => {
            convert_array(o, input, node.path().as_str(), output, &path, out_place)?;
            *converted += 1;
        }
    }
    Ok(())
}

fn convert_array(
    o: &ConvertArgs,
    input: &Located,
    in_path: &str,
    output: &Arc<FilesystemStore>,
    path: &str,
    out_place: &Place,
) -> Result<()> {
    let source = store::open_array(input, in_path)?;
    let in_place = input
        .place
        .array(in_path)
        .codec(store::codec_names(source.metadata()));
    zarrs_pymecompress::check_array(&source).at(&in_place)?;
    let in_v3 = match source.metadata() {
        ArrayMetadata::V3(m) => m.clone(),
        ArrayMetadata::V2(m) => zarrs::convert::array_metadata_v2_to_v3(m).at(&in_place)?,
    };
    let format = o
        .zarr_format
        .unwrap_or(store::zarr_format(source.metadata()));
    let dtype_name = in_v3.data_type.name().to_string();
    let mut codec = o.codec;
    if codec == ConvertCodec::Quant16 && dtype_name != "uint16" {
        eprintln!(
            "note: {in_path} is {dtype_name}; quant16 codes uint16 only, so it is written with \
             lossless pymecompress-huffman"
        );
        codec = ConvertCodec::Huffman;
    }
    let itemsize = source
        .data_type()
        .fixed_size()
        .ok_or_else(|| in_place.fail("variable-size data types are not handled"))?;
    let default_chunks: Vec<u64> = source
        .chunk_shape(&vec![0; source.dimensionality()])
        .at(&in_place)?
        .iter()
        .map(|d| d.get())
        .collect();
    let chunks = o.chunks.clone().unwrap_or(default_chunks);
    let place = out_place.array(path);
    check_shape("--chunks", &chunks, source.shape(), &place)?;
    if let Some(shards) = &o.shards {
        check_shape("--shards", shards, source.shape(), &place)?;
        if shards.iter().zip(&chunks).any(|(s, c)| s % c != 0) {
            return Err(place.fail(format!(
                "shard shape {shards:?} is not a multiple of chunk shape {chunks:?}"
            )));
        }
    }
    let codec_config = CodecConfig {
        codec,
        offset: o.quant.offset,
        scale: o.quant.scale,
        level: o.level,
        itemsize,
    };
    let place = place.codec(codec_config.name());
    let metadata = match format {
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
                "compressor": codec_config.v2(),
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
                None => (chunks.clone(), codec_config.v3()),
                Some(shards) => (
                    shards.clone(),
                    vec![json!({
                        "name": "sharding_indexed",
                        "configuration": {
                            "chunk_shape": chunks,
                            "codecs": codec_config.v3(),
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
    let target = Array::new_with_metadata(output.clone(), path, metadata).at(&place)?;
    zarrs_pymecompress::check_array(&target).at(&place)?;
    target
        .store_metadata_opt(&ArrayMetadataOptions::default().with_include_zarrs_metadata(false))
        .at(&place)?;
    copy_chunks(&source, &in_place, &target, &place)
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

/// Reads each output chunk's region from the source and stores it, chunks in parallel.
/// Regions that hold only the fill value are not stored (zarrs skips empty chunks).
fn copy_chunks(
    source: &Array<FilesystemStore>,
    in_place: &Place,
    target: &Array<FilesystemStore>,
    place: &Place,
) -> Result<()> {
    let indices = store::chunk_indices(target);
    let bar = progress::items(indices.len() as u64, "converting");
    let result = indices.par_iter().try_for_each(|index| -> Result<()> {
        let chunk_place = place.chunk(store::chunk_label(target, index));
        let subset = target.chunk_subset_bounded(index).at(&chunk_place)?;
        let data = source
            .retrieve_array_subset::<ArrayBytes<'static>>(&subset)
            .map_err(|e| store::region_failure(source, &subset, in_place, &e))?;
        target.store_array_subset(&subset, data).at(&chunk_place)?;
        bar.inc(1);
        Ok(())
    });
    bar.finish_and_clear();
    result
}

/// The codec a converted array gets, in both metadata dialects.
struct CodecConfig {
    codec: ConvertCodec,
    offset: f64,
    scale: f64,
    level: i32,
    itemsize: usize,
}

/// An integral float as a JSON integer, as the reference writes `offset` and `scale`.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

impl CodecConfig {
    fn name(&self) -> &'static str {
        match self.codec {
            ConvertCodec::Quant16 => zarrs_pymecompress::HUFFMAN_QUANT16_ID_V2,
            ConvertCodec::Huffman => zarrs_pymecompress::HUFFMAN_ID_V2,
            ConvertCodec::Zstd => "zstd",
            ConvertCodec::Blosc => "blosc",
            ConvertCodec::None => "none",
        }
    }

    fn v2(&self) -> Value {
        match self.codec {
            ConvertCodec::Quant16 => json!({
                "id": zarrs_pymecompress::HUFFMAN_QUANT16_ID_V2,
                "offset": number(self.offset),
                "scale": number(self.scale),
            }),
            ConvertCodec::Huffman => json!({"id": zarrs_pymecompress::HUFFMAN_ID_V2}),
            ConvertCodec::Zstd => json!({"id": "zstd", "level": self.level}),
            ConvertCodec::Blosc => {
                json!({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0})
            }
            ConvertCodec::None => Value::Null,
        }
    }

    fn v3(&self) -> Vec<Value> {
        let bytes = json!({"name": "bytes", "configuration": {"endian": "little"}});
        match self.codec {
            ConvertCodec::Quant16 => vec![json!({
                "name": zarrs_pymecompress::HUFFMAN_QUANT16_NAME_V3,
                "configuration": {"offset": number(self.offset), "scale": number(self.scale)},
            })],
            ConvertCodec::Huffman => vec![
                bytes,
                json!({"name": zarrs_pymecompress::HUFFMAN_NAME_V3, "configuration": {}}),
            ],
            ConvertCodec::Zstd => vec![
                bytes,
                json!({"name": "zstd", "configuration": {"level": self.level, "checksum": false}}),
            ],
            ConvertCodec::Blosc => vec![
                bytes,
                json!({"name": "blosc", "configuration": {
                    "cname": "lz4", "clevel": 5, "shuffle": "shuffle",
                    "typesize": self.itemsize, "blocksize": 0,
                }}),
            ],
            ConvertCodec::None => vec![bytes],
        }
    }
}
