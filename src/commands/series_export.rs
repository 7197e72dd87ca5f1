//! `pymecompress export` of a `.pzf` file (the array `PZFFormat.loads` returns, shape
//! (Width, Height, Depth)) or of a series (a stack (frames, Width, Height), or (frames, Width,
//! Height, Depth) when Depth > 1), as `.npy` (C order) or raw little-endian bytes.
//!
//! A series is streamed: frames are decoded a batch at a time on the rayon pool and written
//! in order, so memory holds one batch of frames whatever the series' length.

use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;

use super::pzf_input::{
    c_order_le_bytes, incompleteness, npy_dtype, read_pzf, series_failure, Input,
};
use crate::atomic::PartialFile;
use crate::cli::FileOutputArgs;
use crate::failure::{Failure, Result};
use crate::progress;
use pymecompress::npy;
use pymecompress::series::{FrameLayout, Series};

pub fn run(
    input: &Input,
    out: &Path,
    region: Option<&str>,
    flags: &FileOutputArgs,
    allow_incomplete: bool,
) -> Result<ExitCode> {
    if region.is_some() {
        return Err(Failure::usage(
            "--region is not supported for a .pzf file or a PYME series (export the whole, or \
             convert to zarr first)",
        ));
    }
    match input {
        Input::Pzf(path) => {
            if allow_incomplete {
                return Err(Failure::usage("--allow-incomplete is for a PYME series"));
            }
            let frame = read_pzf(path)?;
            let dtype = npy_dtype(frame.header.data_format);
            let shape: Vec<u64> = frame.shape().iter().map(|&n| n as u64).collect();
            let bytes = c_order_le_bytes(&frame);
            let mut output = PartialFile::create(out, flags)?;
            if is_npy(out) {
                npy::write_header(output.writer(), dtype, &shape)
                    .map_err(|e| Failure::msg(format!("output {}: {e}", out.display())))?;
            }
            output.write_all(&bytes)?;
            output.commit()?;
            println!(
                "{} -> {} ({} {}, {} bytes)",
                path.display(),
                out.display(),
                dims(&shape),
                dtype.name(),
                bytes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Input::Series(dir, series) => export_series(dir, series, out, flags, allow_incomplete),
    }
}

fn is_npy(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

fn dims(shape: &[u64]) -> String {
    shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("x")
}

/// The stack's length: up to the last frame present, or further when the metadata gives a
/// larger frame count (frames missing at the end).
pub fn stack_len(series: &Series) -> u64 {
    let present_end = series
        .frame_numbers()
        .last()
        .map_or(0, |n| u64::from(n) + 1);
    series
        .expected_frames()
        .map_or(present_end, |n| n.max(present_end))
}

/// The stack's shape: (frames, Width, Height), plus Depth when it is above 1.
pub fn stack_shape(len: u64, layout: &FrameLayout) -> Vec<u64> {
    let [w, h, d] = layout.shape.map(|n| n as u64);
    let mut shape = vec![len, w, h];
    if d > 1 {
        shape.push(d);
    }
    shape
}

/// Refuses an incomplete series unless allowed; allowed, says on stderr what is missing.
pub fn check_complete(dir: &Path, series: &Series, allow_incomplete: bool) -> Result<()> {
    if let Some(what) = incompleteness(series) {
        if !allow_incomplete {
            return Err(Failure::msg(format!(
                "series {}: incomplete: {what}; add --allow-incomplete to go on anyway (missing frames then \
                 read as zeros)",
                dir.display()
            )));
        }
        eprintln!("note: series {}: incomplete: {what}", dir.display());
    }
    Ok(())
}

/// Frames decoded at once: enough to keep every thread busy, few enough that memory stays at
/// a handful of frames.
pub fn batch_len() -> usize {
    rayon::current_num_threads() * 2
}

fn export_series(
    dir: &Path,
    series: &Series,
    out: &Path,
    flags: &FileOutputArgs,
    allow_incomplete: bool,
) -> Result<ExitCode> {
    let layout = series
        .check_uniform()
        .map_err(|e| series_failure(dir, &e))?;
    check_complete(dir, series, allow_incomplete)?;
    let len = stack_len(series);
    let shape = stack_shape(len, &layout);
    let dtype = npy_dtype(layout.data_format);
    let frame_bytes = layout.shape.iter().product::<usize>() * dtype.itemsize();
    let mut output = PartialFile::create(out, flags)?;
    if is_npy(out) {
        npy::write_header(output.writer(), dtype, &shape)
            .map_err(|e| Failure::msg(format!("output {}: {e}", out.display())))?;
    }
    let bar = progress::items(len, "exporting");
    let zeros = vec![0u8; frame_bytes];
    let step = batch_len() as u64;
    for start in (0..len).step_by(step as usize) {
        let batch: Vec<u64> = (start..(start + step).min(len)).collect();
        let frames: Vec<Option<Vec<u8>>> = batch
            .par_iter()
            .map(|&n| {
                let n = u32::try_from(n).ok().filter(|n| series.frame(*n).is_some());
                n.map(|n| {
                    series
                        .read_frame(n)
                        .map(|f| c_order_le_bytes(&f))
                        .map_err(|e| series_failure(dir, &e))
                })
                .transpose()
            })
            .collect::<Result<_>>()?;
        for frame in &frames {
            output.write_all(frame.as_deref().unwrap_or(&zeros))?;
            bar.inc(1);
        }
    }
    output.commit()?;
    bar.finish_and_clear();
    println!(
        "{} -> {} ({} {}, {} bytes)",
        dir.display(),
        out.display(),
        dims(&shape),
        dtype.name(),
        len * frame_bytes as u64
    );
    Ok(ExitCode::SUCCESS)
}
