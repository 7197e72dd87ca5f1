//! `pymecompress convert` of a PYME source (a series, or one `.pzf` file) into a zarr array:
//! a series as (frames, Width, Height), plus Depth when above 1, one frame per chunk by
//! default; a file as (Width, Height, Depth). PYME's metadata, events and missing frames go
//! into the attributes (`pymecompress_pyme::attributes`); the frames are written by
//! `pymecompress_pyme::to_zarr`, which moves stored payloads where they already are chunks of
//! the output codec and proves each by decoding it once. With `--ome`, an OME-Zarr image
//! instead (`ome.rs`).

pub(super) mod follow;
mod ome;

use std::process::ExitCode;
use std::str::FromStr;

use pymecompress_codecs::pzf::{Compression, DataFormat};
use pymecompress_codecs::QuantParams;
use pymecompress_pyme::to_zarr::{write_frames, PassThrough, WriteHooks};
use pymecompress_pyme::{
    array_shape, attributes, gaps, FrameLayout, FrameSelection, FrameSource, PixelType,
};
use serde_json::{json, Number, Value};
use zarrs::array::{Array, ArrayMetadata, ArraySubset};
use zarrs_pymecompress::HuffmanQuant16CodecConfiguration;

use super::convert_plan::{keep_own_quant16, OutCodec, WHY_OFFSET};
use super::store_write::StoreWrite;
use crate::cli::{ConvertArgs, ConvertCodec, Offset};
use crate::durable::completion;
use crate::durable::resume::KeptChunks;
use crate::failure::{At, Failure, Place, Result};
use crate::progress;
use crate::store::OutStore;

pub fn run(
    source: &dyn FrameSource,
    o: &ConvertArgs,
    selection: FrameSelection,
) -> Result<ExitCode> {
    if o.ome.ome {
        if o.shards.is_some() {
            return Err(Failure::usage(
                "--shards is not supported with --ome (frames are written one chunk at a time)",
            ));
        }
        return ome::run(source, o, selection);
    }
    if o.shards.is_some() {
        return Err(Failure::usage(format!(
            "--shards is not supported when converting a PYME {} (frames are written one chunk \
             at a time)",
            source.kind().word()
        )));
    }
    let format = o.zarr_format.unwrap_or(2);
    if o.checksum && format != 3 {
        return Err(Failure::usage(
            "--checksum needs Zarr v3 output (zarr's crc32c codec): add --zarr-format 3",
        ));
    }
    let layout = source.layout()?;
    let codec = plan_codec(o, source, &layout)?;
    check_quant_flags(o, &codec)?;
    let lack = gaps::check(source, o.allow_incomplete)?;
    if let Some(lack) = &lack {
        eprintln!("note: {}: incomplete: {lack}", source.name());
    }

    let shape = array_shape(source, &layout, selection.len);
    let mut default_chunks = shape.clone();
    if source.is_stack() {
        default_chunks[0] = 1;
    }
    let chunks = o.chunks.clone().unwrap_or_else(|| default_chunks.clone());
    let out_place = Place::store(o.output.display()).array("/");
    if chunks.len() != shape.len() || chunks.contains(&0) {
        return Err(out_place.fail(format!(
            "--chunks {chunks:?} must give {} positive sizes, one per axis of shape {shape:?}",
            shape.len()
        )));
    }
    let pass = pass_through(&codec, &layout);

    let write = StoreWrite::begin(o, manifest(source, &shape, &selection, o.allow_incomplete))?;
    let place = out_place.codec(codec.name());
    let metadata = array_metadata(
        o, format, &shape, &chunks, &layout, &codec, source, &selection, &place,
    )?;
    let target = Array::new_with_metadata(write.storage().clone(), "/", metadata).at(&place)?;
    zarrs_pymecompress::check_array(&target).at(&place)?;
    crate::store::store_array_metadata(&target, &place)?;
    let kept = write.keep_written(
        &target,
        &format!("{} {}", source.kind().word(), source.name()),
        &place,
    )?;

    let bar = progress::items(selection.len, "converting");
    let row_done = |row: u64| row_is_done(&target, &kept, row);
    let frames_done = |n: u64| bar.inc(n);
    let stats = write_frames(
        source,
        &layout,
        &selection,
        &target,
        pass,
        &WriteHooks {
            row_done: &row_done,
            frames_done: &frames_done,
        },
    )
    .map_err(|e| place.fail(crate::failure::error_chain(&e)))?;
    bar.finish_and_clear();
    let record = completion::scan_array(&target, write.place())?;
    write.finish("pymecompress convert", vec![record])?;
    println!(
        "{} -> {}: {} frames as an array of shape {shape:?}, chunks {chunks:?}, Zarr v{format}",
        source.name(),
        o.output.display(),
        selection.slots().filter(|&i| source.is_present(i)).count()
    );
    if stats.moved > 0 {
        println!(
            "  {} frames moved as stored into {} chunks (each decoded once to check it; not \
             re-encoded{})",
            stats.moved,
            codec.name(),
            if matches!(codec, OutCodec::Quant16(_)) {
                ", not quantized again"
            } else {
                ""
            }
        );
    }
    if stats.encoded_chunks > 0 {
        println!(
            "  {} chunks decoded and encoded with {}",
            stats.encoded_chunks,
            codec.name()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `--offset`, `--scale` and `--requantize` are refused for any output codec but quant16.
fn check_quant_flags(o: &ConvertArgs, codec: &OutCodec) -> Result<()> {
    if !matches!(codec, OutCodec::Quant16(_)) {
        let given = [
            (o.quant.offset.is_some(), "--offset"),
            (o.quant.scale.is_some(), "--scale"),
            (o.quant.requantize, "--requantize"),
        ];
        if let Some((_, flag)) = given.iter().find(|(set, _)| *set) {
            return Err(Failure::usage(format!(
                "{flag} is for quant16 only; this convert writes {}",
                codec.name()
            )));
        }
    }
    Ok(())
}

/// How the frames' stored payloads can become chunks of `codec` without decoding: quantized
/// ones into quant16 with their own parameters, unquantized Huffman ones into Huffman.
fn pass_through(codec: &OutCodec, layout: &FrameLayout) -> Option<PassThrough> {
    match codec {
        OutCodec::Quant16(config) => layout
            .quant
            .filter(|q| {
                frames_config(q.offset, q.scale).is_ok_and(|c| c.params() == config.params())
            })
            .map(|_| PassThrough::Quant16(*config.params())),
        OutCodec::Huffman if layout.quant.is_none() => Some(PassThrough::Huffman),
        _ => None,
    }
}

/// What a `--resume` must match beyond the shared arguments (`store_write.rs`): where the
/// source lives, the frames taken and the array's shape (a series still being acquired grows).
fn manifest(
    source: &dyn FrameSource,
    shape: &[u64],
    selection: &FrameSelection,
    allow_incomplete: bool,
) -> serde_json::Map<String, Value> {
    let mut locations = source.locations();
    if locations.is_empty() {
        locations.push(source.name().to_string());
    }
    let canonical: Vec<String> = locations
        .iter()
        .map(|l| std::fs::canonicalize(l).map_or_else(|_| l.clone(), |p| p.display().to_string()))
        .collect();
    let mut specific = serde_json::Map::new();
    specific.insert(
        "command".into(),
        json!(format!("convert {}", source.kind().word())),
    );
    specific.insert("input".into(), json!(canonical));
    specific.insert("shape".into(), json!(shape));
    specific.insert("frames".into(), json!(selection));
    specific.insert("allow_incomplete".into(), json!(allow_incomplete));
    specific
}

/// Whether every chunk of row `row` (along the first axis) was kept from a resumed leftover.
fn row_is_done(target: &Array<OutStore>, kept: &KeptChunks, row: u64) -> bool {
    let ranges: Vec<_> = std::iter::once(row..row + 1)
        .chain(target.chunk_grid_shape()[1..].iter().map(|&n| 0..n))
        .collect();
    ArraySubset::new_with_ranges(&ranges)
        .indices()
        .into_iter()
        .all(|index| kept.contains(&target.chunk_key(&index)))
}

/// The quant16 configuration equal to the frames' own quantization: their f32 parameters as
/// their shortest decimals (`1.7`, not `1.7000000476837158`), which is what PYME's metadata
/// and a reader of the `.zarray` expect to see.
fn frames_config(offset: f32, scale: f32) -> Result<HuffmanQuant16CodecConfiguration> {
    let number = |v: f32| {
        Number::from_str(&v.to_string())
            .map_err(|e| Failure::msg(format!("quantization parameter {v}: {e}")))
    };
    HuffmanQuant16CodecConfiguration::from_numbers(number(offset)?, number(scale)?)
        .map_err(|e| Failure::msg(crate::failure::error_chain(&e)))
}

/// The output codec: `--codec`, or without it the source's own compression (quantized frames
/// stay quant16 with their parameters; Huffman stays Huffman; raw stays uncompressed).
fn plan_codec(o: &ConvertArgs, source: &dyn FrameSource, layout: &FrameLayout) -> Result<OutCodec> {
    let Some(wanted) = o.codec else {
        return own_codec(source, layout);
    };
    Ok(match wanted {
        ConvertCodec::Quant16 if layout.pixel != PixelType::Pzf(DataFormat::U16) => {
            return Err(Failure::usage(format!(
                "convert --codec quant16: {} {} is {}; quant16 codes uint16 only. Use --codec \
                 huffman (lossless) or zstd",
                source.kind().word(),
                source.name(),
                layout.pixel.name()
            )))
        }
        ConvertCodec::Quant16 => OutCodec::Quant16(quant16_config(o, source, layout)?),
        ConvertCodec::Huffman => OutCodec::Huffman,
        ConvertCodec::Zstd => OutCodec::Zstd(o.level),
        ConvertCodec::Blosc => OutCodec::Blosc {
            itemsize: layout.pixel.itemsize(),
        },
        ConvertCodec::None => OutCodec::None,
    })
}

/// The codec the source's frames already have, for a convert without `--codec`.
fn own_codec(source: &dyn FrameSource, layout: &FrameLayout) -> Result<OutCodec> {
    Ok(
        match (layout.quant, source.first_header().map(|h| h.compression)) {
            (Some(q), _) => OutCodec::Quant16(frames_config(q.offset, q.scale)?),
            (None, Some(Compression::Raw)) => OutCodec::None,
            _ => OutCodec::Huffman,
        },
    )
}

fn quant16_config(
    o: &ConvertArgs,
    source: &dyn FrameSource,
    layout: &FrameLayout,
) -> Result<HuffmanQuant16CodecConfiguration> {
    let q = &o.quant;
    let name = format!("{} {}", source.kind().word(), source.name());
    if let Some(own) = layout.quant {
        let (config, note) = keep_own_quant16(
            q,
            frames_config(own.offset, own.scale)?,
            &format!("{name} is quantized"),
            &name,
            "its frames are then moved",
        )?;
        if let Some(note) = note {
            eprintln!("note: {note}");
        }
        return Ok(config);
    }
    let offset = match q.offset {
        None => {
            return Err(Failure::usage(format!(
                "convert --codec quant16: {name} is not quantized, so --offset and --scale are \
                 required. {WHY_OFFSET}. Give --offset N --scale S (scale 1: step = photon \
                 noise), or --offset auto to take Camera.ADOffset from its metadata"
            )))
        }
        Some(Offset::Value(v)) => v,
        Some(Offset::Auto) => {
            let value = source
                .metadata()
                .get("Camera.ADOffset")
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "--offset auto: no Camera.ADOffset in the metadata of {name}; give \
                         --offset N. {WHY_OFFSET}"
                    ))
                })?;
            eprintln!("note: --offset auto: offset {value} from Camera.ADOffset in the metadata");
            value
        }
    };
    let Some(scale) = q.scale else {
        return Err(Failure::usage(format!(
            "convert --codec quant16: {name} is not quantized, so --scale is required too (1: \
             quantization step = photon noise; larger: coarser)"
        )));
    };
    let params = QuantParams::new(offset, scale).map_err(Failure::usage)?;
    Ok(HuffmanQuant16CodecConfiguration::new(params))
}

/// The array's metadata document: shape, chunks, data type, codec, fill value 0, and the
/// source's metadata as attributes.
#[allow(clippy::too_many_arguments)]
fn array_metadata(
    o: &ConvertArgs,
    format: u8,
    shape: &[u64],
    chunks: &[u64],
    layout: &FrameLayout,
    codec: &OutCodec,
    source: &dyn FrameSource,
    selection: &FrameSelection,
    place: &Place,
) -> Result<ArrayMetadata> {
    let attributes = attributes::zarr_attributes(source, selection);
    let document = if format == 2 {
        json!({
            "zarr_format": 2,
            "shape": shape,
            "chunks": chunks,
            "dtype": layout.pixel.numpy_descr(),
            "compressor": codec.v2().at(place)?,
            "fill_value": 0,
            "order": "C",
            "filters": null,
            "dimension_separator": ".",
        })
    } else {
        json!({
            "zarr_format": 3,
            "node_type": "array",
            "shape": shape,
            "data_type": layout.pixel.name(),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0,
            "codecs": codec.v3(o.checksum),
            "attributes": attributes,
        })
    };
    Ok(if format == 2 {
        let m: zarrs::array::ArrayMetadataV2 = serde_json::from_value(document).at(place)?;
        ArrayMetadata::V2(m.with_attributes(attributes))
    } else {
        ArrayMetadata::V3(serde_json::from_value(document).at(place)?)
    })
}
