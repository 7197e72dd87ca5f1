//! `pymecompress info` of a PYME source (a `.pzf` file or a series), written once against
//! `FrameSource`.

use std::process::ExitCode;

use pymecompress_codecs::pzf::{Compression, PzfHeader, Quantization};
use pymecompress_pyme::frames::ranges;
use pymecompress_pyme::{FrameSource, SourceKind};
use serde::Serialize;
use serde_json::Value;

use crate::failure::{Failure, Result};

#[derive(Serialize)]
struct SourceInfo {
    path: String,
    kind: SourceKind,
    /// The header of the file (a series: of its lowest-numbered frame).
    header: Option<PzfHeader>,
    /// What the header's codes mean, in words.
    summary: Option<String>,
    /// The pixels' numpy/zarr type name, from the frames' layout (`float64` frames of an
    /// `.h5` `/ImageData` have no PZF header).
    dtype: Option<&'static str>,
    /// How the frames are laid out in the source (an `.h5` file's layout), if it says.
    layout: Option<&'static str>,
    /// PYME's `voxelsize.x`, `.y`, `.z` (micrometres), where the metadata has them.
    voxel_size_um: serde_json::Map<String, Value>,
    frames: u64,
    complete: bool,
    missing: Vec<u64>,
    /// A series' stack (`series`), or another stacked source's (`stack`, an `.h5` file).
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<SeriesInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stack: Option<SeriesInfo>,
    stored_bytes: u64,
}

#[derive(Serialize)]
struct SeriesInfo {
    dirs: Vec<String>,
    /// Whether events.json is present.
    finished: bool,
    /// SizeZ × SizeT × SizeC from the metadata, when known.
    expected_frames: Option<u64>,
    first_frame: Option<u64>,
    last_frame: Option<u64>,
    /// Why the frames cannot be stacked (they differ), if they cannot.
    frames_differ: Option<String>,
}

pub fn run(source: &dyn FrameSource, json: bool) -> Result<ExitCode> {
    let present: Vec<u64> = (0..source.len())
        .filter(|&i| source.is_present(i))
        .collect();
    let header = source.first_header();
    let layout = source.layout().ok();
    let missing = source.missing();
    let report = SourceInfo {
        path: source.name().to_string(),
        kind: source.kind(),
        summary: header
            .map(|h| summary(&h, source.present_count(), source.stored_bytes()))
            .or_else(|| layout.map(|l| headerless_summary(&l))),
        dtype: layout.map(|l| l.pixel.name()),
        layout: source.storage_layout(),
        voxel_size_um: ["x", "y", "z"]
            .iter()
            .filter_map(|axis| {
                let value = source.metadata().get(&format!("voxelsize.{axis}"))?;
                Some(((*axis).to_string(), value.clone()))
            })
            .collect(),
        header,
        frames: source.present_count(),
        complete: source.is_finished() && missing.is_empty(),
        missing,
        series: (source.kind() == SourceKind::Series).then(|| stack_info(source, &present)),
        stack: (source.is_stack() && source.kind() != SourceKind::Series)
            .then(|| stack_info(source, &present)),
        stored_bytes: source.stored_bytes(),
    };
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(Failure::msg)?;
        println!("{text}");
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn stack_info(source: &dyn FrameSource, present: &[u64]) -> SeriesInfo {
    SeriesInfo {
        dirs: source.locations(),
        finished: source.is_finished(),
        expected_frames: source.expected_frames(),
        first_frame: present.first().copied(),
        last_frame: present.last().copied(),
        frames_differ: source
            .layout()
            .err()
            .map(|e| crate::failure::error_chain(&e)),
    }
}

/// `uint16, 64x48, Huffman, raw 6144 B per frame, ratio 2.05x`.
fn summary(h: &PzfHeader, frames: u64, stored: u64) -> String {
    let [w, hgt, d] = h.shape();
    let mut shape = format!("{w}x{hgt}");
    if d > 1 {
        shape.push_str(&format!("x{d}"));
    }
    let compression = match (h.compression, h.quantization) {
        (Compression::Raw, _) => "raw (uncompressed)".to_string(),
        (Compression::Huffman, Quantization::None) => "Huffman".to_string(),
        (Compression::HuffmanChunked, Quantization::None) => "chunked Huffman".to_string(),
        (_, Quantization::Sqrt) => format!(
            "sqrt-quantized Huffman (offset {}, scale {})",
            h.quant_offset, h.quant_scale
        ),
    };
    let raw = (w * hgt * d * h.data_format.itemsize()) as u64;
    let total_raw = raw * frames;
    let ratio = if stored > 0 {
        format!(", ratio {:.2}x", total_raw as f64 / stored as f64)
    } else {
        String::new()
    };
    format!(
        "{}, {shape} (Width x Height), {compression}, raw {raw} B per frame{ratio}",
        h.data_format.name()
    )
}

/// `float64, 64x48 (Width x Height), raw (uncompressed), raw 24576 B per frame`, for frames
/// no PZF header describes.
fn headerless_summary(l: &pymecompress_pyme::FrameLayout) -> String {
    let [w, h, _] = l.shape;
    format!(
        "{}, {w}x{h} (Width x Height), raw (uncompressed), raw {} B per frame",
        l.pixel.name(),
        l.frame_bytes()
    )
}

fn print_text(r: &SourceInfo) {
    println!("{} {}", r.kind.word(), r.path);
    if let Some(summary) = &r.summary {
        println!("  data        {summary}");
    }
    if let Some(layout) = r.layout {
        println!("  layout      {layout}");
    }
    if !r.voxel_size_um.is_empty() {
        let sizes: Vec<String> = r
            .voxel_size_um
            .iter()
            .map(|(axis, v)| format!("{axis} {v}"))
            .collect();
        println!("  voxel size  {} (um)", sizes.join(", "));
    }
    if let Some(s) = r.series.as_ref().or(r.stack.as_ref()) {
        if s.dirs.len() > 1 {
            println!("  dirs        {}", s.dirs.join(", "));
        }
        let span = match (s.first_frame, s.last_frame) {
            (Some(a), Some(b)) => format!(" (numbers {a}..={b})"),
            _ => String::new(),
        };
        println!("  frames      {}{span}", r.frames);
        if let Some(n) = s.expected_frames {
            println!("  expected    {n} (SizeZ x SizeT x SizeC)");
        }
        let marker = r.kind.finish_marker();
        if s.finished {
            println!("  finished    yes ({marker} present)");
        } else {
            println!("  finished    no (no {marker}: the acquisition did not finish)");
        }
        println!(
            "  complete    {}{}",
            if r.complete { "yes" } else { "no" },
            if r.missing.is_empty() {
                String::new()
            } else {
                format!("; missing frames {}", ranges(&r.missing))
            }
        );
        if let Some(why) = &s.frames_differ {
            println!("  uniform     no: {why}");
        }
    }
    if let Some(h) = &r.header {
        let label = if r.series.is_some() || r.stack.is_some() {
            "first frame"
        } else {
            "header"
        };
        println!("  {label}:");
        if let Ok(Value::Object(fields)) = serde_json::to_value(h) {
            for (key, value) in fields {
                println!("    {key:<17} {value}");
            }
        }
    }
    println!("  stored      {} bytes", r.stored_bytes);
}
