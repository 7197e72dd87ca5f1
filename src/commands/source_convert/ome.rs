//! `pymecompress convert SOURCE OUT --ome`: a PYME source as an OME-Zarr image. The root is a
//! group whose attributes hold the NGFF block (0.4 `multiscales` on Zarr v2, 0.5 `ome` on
//! Zarr v3) next to PYME's metadata and events; level 0 is the array `0`, further levels `1`,
//! `2`, …. The image, its arrays' metadata and chunk layout, and the write are
//! `pymecompress_pyme::ome`'s ([`OmePlan`], `write_image`; Python's `to_ome_zarr` uses the same);
//! this file turns the flags into options and adds the CLI's durable write, resume and progress.

use std::process::ExitCode;

use pymecompress_pyme::ome::write::write_image;
use pymecompress_pyme::ome::{OmeCodec, OmeOptions, OmePlan};
use pymecompress_pyme::to_zarr::WriteHooks;
use pymecompress_pyme::{gaps, FrameSelection, FrameSource, OmeError, OmeImage, ScaleFlags};
use serde_json::json;
use zarrs::array::{Array, ArraySubset};

use super::{manifest, plan_codec, OutCodec};
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
    let codec = plan_codec(o, source, &layout)?;
    let options = OmeOptions {
        levels: o.ome.levels,
        flags: ScaleFlags {
            pixel_size: o.ome.pixel_size,
            frame_interval: o.ome.frame_interval,
        },
        zarr_format: format,
        codec: ome_codec(&codec),
        checksum: o.checksum,
        chunks: o.chunks.clone(),
    };
    let plan = OmePlan::new(source, &layout, &selection, &options).map_err(|e| match e {
        // The chunk shape's refusal: the flag named as the user gave it.
        OmeError::Options(what) => Failure::usage(format!("--{what}")),
        e => Failure::usage(format!("convert --ome: {}: {e}", source.name())),
    })?;
    let image = &plan.image;
    let lack = gaps::check(source, o.allow_incomplete)?;
    if let Some(lack) = &lack {
        eprintln!("note: {}: incomplete: {lack}", source.name());
    }
    let shape = image.level_shape(0);
    let names = image.dimension_names().join(", ");
    for note in &image.notes {
        eprintln!("note: {}: {note}", source.name());
    }

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
        let path = format!("/{level}");
        let place = root.array(&path).codec(plan.level_codec(level).name());
        let metadata = plan.level_metadata(level, &layout).at(&place)?;
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
    let name = pymecompress_pyme::ome::convert::image_name(source);
    plan.store_group(
        write.storage().as_ref(),
        plan.group_attributes(source, &selection),
    )
    .map_err(|e| root.fail(crate::failure::error_chain(&e)))?;

    let bar = progress::items(selection.len, "converting");
    let frame_done = |j: u64| {
        arrays
            .iter()
            .zip(&kept_chunks)
            .all(|(target, kept)| frame_is_kept(target, kept, image, j))
    };
    let frames_done = |n: u64| bar.inc(n);
    let stats = write_image(
        source,
        &layout,
        &selection,
        image,
        &arrays,
        plan.pass,
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

/// The pyme crate's name for the codec the flags chose.
fn ome_codec(codec: &OutCodec) -> OmeCodec {
    match codec {
        OutCodec::Quant16(config) => OmeCodec::Quant16(config.clone()),
        OutCodec::Huffman => OmeCodec::Huffman,
        OutCodec::Zstd(level) => OmeCodec::Zstd(*level),
        OutCodec::Blosc { itemsize } => OmeCodec::Blosc {
            itemsize: *itemsize,
        },
        OutCodec::None => OmeCodec::None,
    }
}
