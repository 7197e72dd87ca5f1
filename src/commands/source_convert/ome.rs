//! `pymecompress convert SOURCE OUT --ome`: a PYME source as an OME-Zarr image. The root is a
//! group whose attributes hold the NGFF block (0.4 `multiscales` on Zarr v2, 0.5 `ome` on
//! Zarr v3) next to PYME's metadata and events; level 0 is the array `0`, further levels `1`,
//! `2`, …. The plan (axes, scales, shapes) is `pymecompress_pyme::ome`'s; this file decides the
//! arrays' metadata and chunk layout and runs the write.
//!
//! Level 0 keeps its frames' compressed payloads where `convert` would (a one-frame chunk of
//! the frames' own codec): its chunk layout then says that the bytes are PYME's (x, y) order
//! (Zarr v2 `"order": "F"`, Zarr v3 `transpose` [0, .., n−1, n−2]); every other array is C
//! order. Levels below 0 of quant16 data use the lossless Huffman codec: a mean of quantized
//! values is not on the quantization grid, and quantizing it again would add error.

use std::process::ExitCode;

use pymecompress_pyme::ome::write::write_image;
use pymecompress_pyme::to_zarr::WriteHooks;
use pymecompress_pyme::{
    attributes, gaps, FrameSelection, FrameSource, NgffVersion, OmeImage, ScaleFlags,
};
use serde_json::{json, Map, Value};
use zarrs::array::{Array, ArrayMetadata, ArraySubset};

use super::{manifest, pass_through, plan_codec, OutCodec};
use crate::cli::ConvertArgs;
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
    let format = o.zarr_format.unwrap_or(2);
    if o.checksum && format != 3 {
        return Err(Failure::usage(
            "--checksum needs Zarr v3 output (zarr's crc32c codec): add --zarr-format 3",
        ));
    }
    let layout = source.layout()?;
    if layout.pixel == pymecompress_pyme::PixelType::F64 {
        return Err(Failure::usage(format!(
            "convert --ome: {} holds float64 frames, which the OME pyramid does not downsample; \
             convert without --ome",
            source.name()
        )));
    }
    let image = OmeImage::plan(
        source,
        &layout,
        &selection,
        o.ome.levels,
        ScaleFlags {
            pixel_size: o.ome.pixel_size,
            frame_interval: o.ome.frame_interval,
        },
    )
    .map_err(|e| Failure::usage(format!("convert --ome: {}: {e}", source.name())))?;
    let codec = plan_codec(o, source, &layout)?;
    let lack = gaps::check(source, o.allow_incomplete)?;
    if let Some(lack) = &lack {
        eprintln!("note: {}: incomplete: {lack}", source.name());
    }

    let shape = image.level_shape(0);
    let frame_chunk: Vec<u64> = shape
        .iter()
        .enumerate()
        .map(|(i, &n)| if i < image.frame_axes() { 1 } else { n.max(1) })
        .collect();
    let chunks = o.chunks.clone().unwrap_or_else(|| frame_chunk.clone());
    let names = image.dimension_names().join(", ");
    if chunks.len() != shape.len()
        || chunks.contains(&0)
        || chunks[..image.frame_axes()].iter().any(|&n| n != 1)
    {
        return Err(Failure::usage(format!(
            "--chunks {chunks:?}: an OME image of axes ({names}) and shape {shape:?} takes {} \
             positive sizes, 1 along each of {} (frames are written one at a time)",
            shape.len(),
            image.dimension_names()[..image.frame_axes()].join(", ")
        )));
    }
    for note in &image.notes {
        eprintln!("note: {}: {note}", source.name());
    }
    let pass = pass_through(&codec, &layout).filter(|_| chunks == frame_chunk);
    // Only level 0 with moved payloads is laid out in PYME's order; the rest is C order.
    let transposed = pass.is_some();

    let mut specific = manifest(source, &shape, &selection, o.allow_incomplete);
    specific.insert(
        "ome".into(),
        json!({"levels": image.levels, "pixel_size": o.ome.pixel_size,
               "frame_interval": o.ome.frame_interval}),
    );
    let write = super::StoreWrite::begin(o, specific)?;
    let root = Place::store(o.output.display());
    let (mut arrays, mut kept_chunks) = (Vec::new(), Vec::new());
    for level in 0..image.levels {
        let level_codec = match (&codec, level) {
            (OutCodec::Quant16(_), 1..) => OutCodec::Huffman,
            _ => codec.clone(),
        };
        let level_shape = image.level_shape(level);
        let level_chunks: Vec<u64> = chunks
            .iter()
            .zip(&level_shape)
            .map(|(&c, &n)| c.min(n).max(1))
            .collect();
        let path = format!("/{level}");
        let place = root.array(&path).codec(level_codec.name());
        let metadata = level_metadata(
            o,
            format,
            &level_shape,
            &level_chunks,
            layout.data_format,
            &level_codec,
            &image,
            transposed && level == 0,
            &place,
        )?;
        let target =
            Array::new_with_metadata(write.storage().clone(), &path, metadata).at(&place)?;
        zarrs_pymecompress::check_array(&target).at(&place)?;
        crate::store::store_array_metadata(&target, &place)?;
        let kept = write.keep_written(
            &target,
            &format!("{} {}, level {level}", source.kind().word(), source.name()),
            &place,
        )?;
        arrays.push(target);
        kept_chunks.push(kept);
    }
    let name = source_name(source);
    let version = NgffVersion::for_zarr_format(format);
    let group = image.group_attributes(
        &name,
        version,
        attributes::zarr_attributes(source, &selection),
    );
    store_group(write.storage(), format, group, &root)?;

    let bar = progress::items(selection.len, "converting");
    let frame_done = |j: u64| {
        arrays
            .iter()
            .zip(&kept_chunks)
            .all(|(target, kept)| frame_is_kept(target, kept, &image, j))
    };
    let frames_done = |n: u64| bar.inc(n);
    let stats = write_image(
        source,
        &layout,
        &selection,
        &image,
        &arrays,
        pass,
        &WriteHooks {
            row_done: &frame_done,
            frames_done: &frames_done,
        },
    )
    .map_err(|e| root.fail(crate::failure::error_chain(&e)))?;
    bar.finish_and_clear();
    let records = arrays
        .iter()
        .map(|a| completion::scan_array(a, write.place()))
        .collect::<Result<Vec<_>>>()?;
    write.finish("pymecompress convert --ome", records)?;
    let scales: Vec<String> = image
        .axes
        .iter()
        .map(|a| format!("{} {}", a.name, a.scale))
        .collect();
    println!(
        "{} -> {}: OME-Zarr image {name:?} (NGFF {}), axes ({names}) shape {shape:?}, scale \
         [{}], {} level{}, Zarr v{format}",
        source.name(),
        o.output.display(),
        if format == 2 { "0.4" } else { "0.5" },
        scales.join(", "),
        image.levels,
        if image.levels == 1 { "" } else { "s" },
    );
    if stats.moved > 0 {
        println!(
            "  {} frames moved as stored into {} chunks of level 0 (each decoded once to check \
             it; stored in PYME's x-major order, which the array's chunk layout declares)",
            stats.moved,
            codec.name()
        );
    }
    if stats.encoded_chunks > 0 {
        println!("  {} chunks encoded", stats.encoded_chunks);
    }
    Ok(ExitCode::SUCCESS)
}

/// The image's name: the source's file or directory name without `.pcs`/`.pzf`/`.h5`.
fn source_name(source: &dyn FrameSource) -> String {
    let name = source.name().trim_end_matches('/');
    let base = name.rsplit('/').next().unwrap_or(name);
    [".pcs", ".pzf", ".h5"]
        .iter()
        .find_map(|ext| base.strip_suffix(ext))
        .unwrap_or(base)
        .to_string()
}

/// Whether every chunk frame `j` writes in `target` was kept from a resumed leftover.
fn frame_is_kept(target: &Array<OutStore>, kept: &KeptChunks, image: &OmeImage, j: u64) -> bool {
    if kept.len() == 0 {
        return false;
    }
    let grid = target.chunk_grid_shape();
    let ranges: Vec<_> = image
        .frame_index(j)
        .into_iter()
        .map(|i| i..i + 1)
        .chain(grid[image.frame_axes()..].iter().map(|&n| 0..n))
        .collect();
    ArraySubset::new_with_ranges(&ranges)
        .indices()
        .into_iter()
        .all(|index| kept.contains(&target.chunk_key(&index)))
}

/// One level's array metadata. `transposed`: chunks hold PYME's (x, y) bytes (level 0 with
/// moved payloads): Zarr v2 `"order": "F"` (a (1, …, 1, Y, X) chunk in F order has y fastest
/// and x slowest, PYME's C order over (X, Y)); Zarr v3 a `transpose` codec that swaps y and x
/// ahead of the array-to-bytes codec.
#[allow(clippy::too_many_arguments)]
fn level_metadata(
    o: &ConvertArgs,
    format: u8,
    shape: &[u64],
    chunks: &[u64],
    data_format: pymecompress_codecs::pzf::DataFormat,
    codec: &OutCodec,
    image: &OmeImage,
    transposed: bool,
    place: &Place,
) -> Result<ArrayMetadata> {
    if format == 2 {
        let document = json!({
            "zarr_format": 2,
            "shape": shape,
            "chunks": chunks,
            "dtype": data_format.numpy_descr(),
            "compressor": codec.v2().at(place)?,
            "fill_value": 0,
            "order": if transposed { "F" } else { "C" },
            "filters": null,
            // NGFF 0.4 readers (ome-zarr-py) expect `/`-separated chunk keys.
            "dimension_separator": "/",
        });
        let m: zarrs::array::ArrayMetadataV2 = serde_json::from_value(document).at(place)?;
        return Ok(ArrayMetadata::V2(m));
    }
    let mut codecs = codec.v3(o.checksum);
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
        "data_type": data_format.name(),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": codecs,
        "dimension_names": image.dimension_names(),
        "attributes": {},
    });
    Ok(ArrayMetadata::V3(
        serde_json::from_value(document).at(place)?,
    ))
}

/// Writes the root group's metadata with `attributes`: `.zgroup` and `.zattrs` (Zarr v2), or
/// `zarr.json` (Zarr v3).
fn store_group(
    storage: &std::sync::Arc<OutStore>,
    format: u8,
    attributes: Map<String, Value>,
    place: &Place,
) -> Result<()> {
    use zarrs::storage::{StoreKey, WritableStorageTraits};
    let put = |key: &str, value: Value| -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&value).at(place)?;
        let key = StoreKey::new(key).at(place)?;
        storage.set(&key, bytes.into()).at(place)
    };
    if format == 2 {
        put(".zgroup", json!({"zarr_format": 2}))?;
        put(".zattrs", Value::Object(attributes))
    } else {
        put(
            "zarr.json",
            json!({"zarr_format": 3, "node_type": "group", "attributes": attributes}),
        )
    }
}
