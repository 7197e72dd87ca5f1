//! `pymecompress convert` of a PYME series into a zarr array of shape (frames, Width, Height)
//! (plus Depth when above 1), one frame per chunk by default, with `metadata.json`, the events
//! and any missing frames in the array's attributes.
//!
//! Where a frame's stored bytes already are a chunk of the output codec, they are moved across
//! without decoding: a Huffman PZF payload plus the 4-byte trailer is a `pymecompress-huffman`
//! chunk (PZF pixels are little-endian, as the output's), and a quantized payload plus the
//! value count is a `pymecompress-quant16` chunk with the series' offset and scale, so nothing
//! is quantized twice. Every other frame is decoded and encoded by zarrs.

use std::borrow::Cow;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde_json::{json, Map, Number, Value};
use zarrs::array::{Array, ArrayBytes, ArrayMetadata, ArrayMetadataOptions, ArraySubset};
use zarrs::storage::WritableStorageTraits;
use zarrs_pymecompress::HuffmanQuant16CodecConfiguration;

use super::convert_plan::{keep_own_quant16, OutCodec, WHY_OFFSET};
use super::pzf_input::{c_order_le_bytes, npy_dtype, series_failure, Input};
use super::series_export::{check_complete, stack_len, stack_shape};
use super::store_write::StoreWrite;
use crate::cli::{ConvertArgs, ConvertCodec, Offset};
use crate::completion;
use crate::failure::{At, Failure, Place, Result};
use crate::progress;
use crate::resume;
use crate::store::OutStore;
use pymecompress::series::{FrameLayout, Series};
use pymecompress_codecs::pzf::{Compression, DataFormat, DimOrder, Quantization};
use pymecompress_codecs::QuantParams;

pub fn run(input: &Input, o: &ConvertArgs) -> Result<ExitCode> {
    let Input::Series(dir, series) = input else {
        return Err(Failure::usage(
            "convert takes a PYME series (a NAME.pcs directory) or a zarr store; for one .pzf \
             file use export",
        ));
    };
    if o.shards.is_some() {
        return Err(Failure::usage(
            "--shards is not supported when converting a PYME series (frames are written one \
             chunk at a time)",
        ));
    }
    let format = o.zarr_format.unwrap_or(2);
    if o.checksum && format != 3 {
        return Err(Failure::usage(
            "--checksum needs Zarr v3 output (zarr's crc32c codec): add --zarr-format 3",
        ));
    }
    let layout = series
        .check_uniform()
        .map_err(|e| series_failure(dir, &e))?;
    let codec = plan_codec(o, dir, series, &layout)?;
    check_complete(dir, series, o.allow_incomplete)?;

    let len = stack_len(series);
    let shape = stack_shape(len, &layout);
    let default_chunks: Vec<u64> = std::iter::once(1)
        .chain(shape[1..].iter().copied())
        .collect();
    let chunks = o.chunks.clone().unwrap_or_else(|| default_chunks.clone());
    let out_place = Place::store(o.output.display()).array("/");
    if chunks.len() != shape.len() || chunks.contains(&0) {
        return Err(out_place.fail(format!(
            "--chunks {chunks:?} must give {} positive sizes, one per axis of shape {shape:?}",
            shape.len()
        )));
    }
    // Moving stored bytes needs one whole C-order frame per chunk and the codec's own
    // parameters (checked in `plan_codec`); anything else is decoded and encoded again.
    let moves = match &codec {
        OutCodec::Quant16(config) => layout
            .quant_params
            .is_some_and(|p| series_config(p).params() == config.params()),
        OutCodec::Huffman => layout.quantization == Quantization::None,
        _ => false,
    } && chunks == default_chunks
        && layout.order == DimOrder::C;

    let write = StoreWrite::begin(o, manifest(series, &shape, o.allow_incomplete))?;
    let place = out_place.codec(codec.name());
    let metadata = array_metadata(o, format, &shape, &chunks, &layout, &codec, series, &place)?;
    let target = Array::new_with_metadata(write.storage().clone(), "/", metadata).at(&place)?;
    zarrs_pymecompress::check_array(&target).at(&place)?;
    target
        .store_metadata_opt(&ArrayMetadataOptions::default().with_include_zarrs_metadata(false))
        .at(&place)?;
    write.keep_written(&target, &format!("series {}", dir.display()), &place)?;

    let rows = len.div_ceil(chunks[0]);
    let (moved, recoded) = (AtomicU64::new(0), AtomicU64::new(0));
    let bar = progress::items(len, "converting");
    (0..rows)
        .into_par_iter()
        .try_for_each(|row| -> Result<()> {
            let first = row * chunks[0];
            let end = (first + chunks[0]).min(len);
            let numbers: Vec<Option<u32>> = (first..end)
                .map(|n| u32::try_from(n).ok().filter(|n| series.frame(*n).is_some()))
                .collect();
            // Missing frames stay absent chunks (readers see the fill value); a row a resumed
            // leftover holds whole is kept.
            if numbers.iter().all(Option::is_none) || row_is_done(&target, row) {
                bar.inc(end - first);
                return Ok(());
            }
            if moves {
                if let [Some(n)] = numbers[..] {
                    if move_frame(dir, series, n, &layout, &codec, &target, &place)? {
                        moved.fetch_add(1, Ordering::Relaxed);
                        bar.inc(1);
                        return Ok(());
                    }
                }
            }
            let frame_len = layout.shape.iter().product::<usize>() * layout.data_format.itemsize();
            let mut bytes = Vec::with_capacity(frame_len * numbers.len());
            for n in &numbers {
                match n {
                    Some(n) => {
                        let frame = series.read_frame(*n).map_err(|e| series_failure(dir, &e))?;
                        bytes.extend_from_slice(&c_order_le_bytes(&frame));
                    }
                    None => bytes.resize(bytes.len() + frame_len, 0),
                }
            }
            if cfg!(target_endian = "big") {
                let item = layout.data_format.itemsize();
                bytes.chunks_exact_mut(item).for_each(<[u8]>::reverse);
            }
            let ranges: Vec<_> = std::iter::once(first..end)
                .chain(shape[1..].iter().map(|&d| 0..d))
                .collect();
            let subset = ArraySubset::new_with_ranges(&ranges);
            target
                .store_array_subset(&subset, ArrayBytes::new_flen(Cow::Owned(bytes)))
                .at(&place.chunk(format!("frames {first}..{end}")))?;
            recoded.fetch_add(1, Ordering::Relaxed);
            bar.inc(end - first);
            Ok(())
        })?;
    bar.finish_and_clear();
    let record = completion::scan_array(&target, write.place())?;
    write.finish("pymecompress convert", vec![record])?;
    let (moved, recoded) = (moved.into_inner(), recoded.into_inner());
    println!(
        "{} -> {}: {} frames as an array of shape {shape:?}, chunks {chunks:?}, Zarr v{format}",
        dir.display(),
        o.output.display(),
        series.frame_count()
    );
    if moved > 0 {
        println!(
            "  {moved} frames moved as stored into {} chunks (not decoded{})",
            codec.name(),
            if matches!(codec, OutCodec::Quant16(_)) {
                ", not quantized again"
            } else {
                ""
            }
        );
    }
    if recoded > 0 {
        println!(
            "  {recoded} chunk rows decoded and encoded with {}",
            codec.name()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What a `--resume` must match beyond the shared arguments (`store_write.rs`): every
/// directory of the series, and the stack's shape (a series still being acquired grows).
fn manifest(series: &Series, shape: &[u64], allow_incomplete: bool) -> Map<String, Value> {
    let dirs: Vec<_> = series
        .dirs()
        .iter()
        .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone()))
        .collect();
    let mut specific = Map::new();
    specific.insert("command".into(), json!("convert series"));
    specific.insert("input".into(), json!(dirs));
    specific.insert("shape".into(), json!(shape));
    specific.insert("allow_incomplete".into(), json!(allow_incomplete));
    specific
}

/// Whether every chunk of row `row` (along the frame axis) was kept from a resumed leftover.
fn row_is_done(target: &Array<OutStore>, row: u64) -> bool {
    let ranges: Vec<_> = std::iter::once(row..row + 1)
        .chain(target.chunk_grid_shape()[1..].iter().map(|&n| 0..n))
        .collect();
    ArraySubset::new_with_ranges(&ranges)
        .indices()
        .into_iter()
        .all(|index| resume::is_done(&target.chunk_key(&index)))
}

/// A JSON number for an f32 parameter: its shortest decimal (`1.7`, not `1.7000000476837158`),
/// which is what PYME's metadata and a reader of the `.zarray` expect to see.
fn f32_number(value: f32) -> Number {
    Number::from_str(&value.to_string()).unwrap_or_else(|_| Number::from(0))
}

/// The quant16 configuration equal to the series' own quantization parameters.
fn series_config((offset, scale): (f32, f32)) -> HuffmanQuant16CodecConfiguration {
    HuffmanQuant16CodecConfiguration::from_numbers(f32_number(offset), f32_number(scale))
        .unwrap_or_default()
}

/// The output codec; for quant16, its parameters: the series' own when its frames are
/// quantized, else `--offset`/`--scale` (never made up).
fn plan_codec(
    o: &ConvertArgs,
    dir: &Path,
    series: &Series,
    layout: &FrameLayout,
) -> Result<OutCodec> {
    Ok(match o.codec {
        ConvertCodec::Quant16 if layout.data_format != DataFormat::U16 => {
            eprintln!(
                "note: series {} is {}; quant16 codes uint16 only, so it is written with \
                 lossless pymecompress-huffman",
                dir.display(),
                npy_dtype(layout.data_format).name()
            );
            OutCodec::Huffman
        }
        ConvertCodec::Quant16 => OutCodec::Quant16(quant16_config(o, dir, series, layout)?),
        ConvertCodec::Huffman => OutCodec::Huffman,
        ConvertCodec::Zstd => OutCodec::Zstd(o.level),
        ConvertCodec::Blosc => OutCodec::Blosc {
            itemsize: layout.data_format.itemsize(),
        },
        ConvertCodec::None => OutCodec::None,
    })
}

fn quant16_config(
    o: &ConvertArgs,
    dir: &Path,
    series: &Series,
    layout: &FrameLayout,
) -> Result<HuffmanQuant16CodecConfiguration> {
    let q = &o.quant;
    if let Some(own) = layout.quant_params {
        let name = format!("series {}", dir.display());
        let (config, note) = keep_own_quant16(
            q,
            series_config(own),
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
                "convert --codec quant16: series {} is not quantized, so --offset and --scale are \
                 required. {WHY_OFFSET}. Give --offset N --scale S (scale 1: step = photon \
                 noise), or --offset auto to take Camera.ADOffset from its metadata.json",
                dir.display()
            )))
        }
        Some(Offset::Value(v)) => v,
        Some(Offset::Auto) => {
            let value = series
                .metadata()
                .get("Camera.ADOffset")
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "--offset auto: no Camera.ADOffset in the metadata.json of series {}; \
                         give --offset N. {WHY_OFFSET}",
                        dir.display()
                    ))
                })?;
            eprintln!("note: --offset auto: offset {value} from Camera.ADOffset in metadata.json");
            value
        }
    };
    let Some(scale) = q.scale else {
        return Err(Failure::usage(format!(
            "convert --codec quant16: series {} is not quantized, so --scale is required too \
             (1: quantization step = photon noise; larger: coarser)",
            dir.display()
        )));
    };
    let params = QuantParams::new(offset, scale).map_err(Failure::usage)?;
    Ok(HuffmanQuant16CodecConfiguration::new(params))
}

/// Stores frame `n`'s payload plus trailer as its chunk, if the frame is one Huffman stream
/// (chunked-Huffman and raw frames are decoded instead: returns false).
fn move_frame(
    dir: &Path,
    series: &Series,
    n: u32,
    layout: &FrameLayout,
    codec: &OutCodec,
    target: &Array<OutStore>,
    place: &Place,
) -> Result<bool> {
    let header = series.frame_header(n).copied();
    if header.is_none_or(|h| h.compression != Compression::Huffman) {
        return Ok(false);
    }
    let bytes = series.frame_bytes(n).map_err(|e| series_failure(dir, &e))?;
    let header = pymecompress_codecs::pzf::PzfHeader::parse(&bytes).map_err(|e| {
        Failure::msg(format!(
            "series {}, frame {n}: {}",
            dir.display(),
            crate::failure::error_chain(&e)
        ))
    })?;
    let pixels = layout.shape.iter().product::<usize>();
    // quant16's trailer counts values; Huffman's counts the bytes it coded.
    let count = match codec {
        OutCodec::Quant16(_) => pixels,
        _ => pixels * layout.data_format.itemsize(),
    };
    let Ok(count) = u32::try_from(count) else {
        return Ok(false);
    };
    let mut chunk = bytes[header.data_offset as usize..].to_vec();
    chunk.extend_from_slice(&count.to_le_bytes());
    // Codecs after ours in the chain (Zarr v3 `crc32c`) still apply; ours is the first
    // bytes-to-bytes codec for Huffman, the array-to-bytes codec for quant16.
    let codecs = target.codecs();
    let skip = usize::from(matches!(codec, OutCodec::Huffman));
    let options = zarrs::array::CodecOptions::default();
    let mut encoded: Cow<'_, [u8]> = Cow::Owned(chunk);
    let mut index = vec![0u64; target.dimensionality()];
    index[0] = u64::from(n);
    let chunk_place = place.chunk(target.chunk_key(&index).as_str());
    for c in codecs.bytes_to_bytes_codecs().iter().skip(skip) {
        encoded = Cow::Owned(c.encode(encoded, &options).at(&chunk_place)?.into_owned());
    }
    target
        .storage()
        .set(&target.chunk_key(&index), encoded.into_owned().into())
        .at(&chunk_place)?;
    Ok(true)
}

/// The array's metadata document: shape, chunks, data type, codec, fill value 0, and the
/// series' JSON files as attributes.
#[allow(clippy::too_many_arguments)]
fn array_metadata(
    o: &ConvertArgs,
    format: u8,
    shape: &[u64],
    chunks: &[u64],
    layout: &FrameLayout,
    codec: &OutCodec,
    series: &Series,
    place: &Place,
) -> Result<ArrayMetadata> {
    let mut attributes = Map::new();
    attributes.insert(
        "pyme_metadata".into(),
        Value::Object(series.metadata().clone()),
    );
    if let Some(events) = series.events() {
        let events: Vec<Value> = events
            .iter()
            .map(|e| json!([e.name, e.description, e.time]))
            .collect();
        attributes.insert("pyme_events".into(), Value::Array(events));
    }
    if let Some(m) = series.final_metadata() {
        attributes.insert("pyme_final_metadata".into(), Value::Object(m.clone()));
    }
    let missing = series.missing();
    if !missing.is_empty() {
        attributes.insert("pyme_missing_frames".into(), json!(missing));
    }
    let dtype = npy_dtype(layout.data_format);
    let document = if format == 2 {
        json!({
            "zarr_format": 2,
            "shape": shape,
            "chunks": chunks,
            "dtype": dtype.descr(),
            "compressor": codec.v2(),
            "fill_value": 0,
            "order": "C",
            "filters": null,
            "dimension_separator": ".",
        })
    } else {
        let data_type = match layout.data_format {
            DataFormat::U8 => "uint8",
            DataFormat::U16 => "uint16",
            DataFormat::F32 => "float32",
        };
        json!({
            "zarr_format": 3,
            "node_type": "array",
            "shape": shape,
            "data_type": data_type,
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
