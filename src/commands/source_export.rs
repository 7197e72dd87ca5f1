//! `pymecompress export` of a PYME source as `.npy` (C order) or raw little-endian bytes: a
//! `.pzf` file as the array `PZFFormat.loads` returns, (Width, Height, Depth); a series as a
//! stack (frames, Width, Height), plus Depth when above 1.
//!
//! Frames are decoded a batch at a time on the rayon pool and written in order, so memory
//! holds one batch whatever the source's length. A source read over the network (a series on
//! PYME's data servers) is read on a pool of its own `concurrent_reads` threads: on the CPU
//! pool's two threads, two requests in flight left the servers idle most of the time.

use std::path::Path;
use std::process::ExitCode;

use pymecompress_pyme::{array_shape, gaps, FrameSelection, FrameSource};
use rayon::prelude::*;

use super::pyme_input::{dims, npy_dtype};
use crate::cli::FileOutputArgs;
use crate::durable::atomic::PartialFile;
use crate::failure::{Failure, Result};
use crate::npy;
use crate::progress;

/// Frames decoded at once: enough to keep every thread of `pool` busy, few enough that memory
/// stays at a handful of frames.
fn batch_len(pool: &rayon::ThreadPool) -> usize {
    pool.current_num_threads() * 2
}

/// The pool frames are read on: the CPU pool's size, or more where the source waits on a
/// network.
fn read_pool(source: &dyn FrameSource) -> Result<rayon::ThreadPool> {
    let threads = rayon::current_num_threads().max(source.concurrent_reads());
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            Failure::msg(format!(
                "{}: a pool of {threads} readers: {e}",
                source.name()
            ))
        })
}

pub fn run(
    source: &dyn FrameSource,
    out: &Path,
    selection: FrameSelection,
    flags: &FileOutputArgs,
    allow_incomplete: bool,
) -> Result<ExitCode> {
    let layout = source.layout()?;
    if let Some(lack) = gaps::check(source, allow_incomplete)? {
        eprintln!("note: {}: incomplete: {lack}", source.name());
    }
    let shape = array_shape(source, &layout, selection.len);
    let dtype = npy_dtype(layout.pixel)?;
    let frame_bytes = layout.frame_bytes();
    let mut output = PartialFile::create(out, flags)?;
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        npy::write_header(output.writer(), dtype, &shape)
            .map_err(|e| Failure::msg(format!("output {}: {e}", out.display())))?;
    }
    let bar = progress::items(selection.len, "exporting");
    let slots: Vec<u64> = selection.slots().collect();
    let pool = read_pool(source)?;
    for batch in slots.chunks(batch_len(&pool)) {
        let frames: Vec<Vec<u8>> = pool.install(|| {
            batch
                .par_iter()
                .map(|&i| {
                    // A missing frame is the fill value, zero.
                    let mut frame = vec![0u8; frame_bytes];
                    source.read_frame_into(i, &mut frame)?;
                    Ok(frame)
                })
                .collect::<Result<_>>()
        })?;
        for frame in &frames {
            output.write_all(frame)?;
            bar.inc(1);
        }
    }
    output.commit()?;
    bar.finish_and_clear();
    println!(
        "{} -> {} ({} {}, {} bytes)",
        source.name(),
        out.display(),
        dims(&shape),
        dtype.name(),
        selection.len * frame_bytes as u64
    );
    Ok(ExitCode::SUCCESS)
}
