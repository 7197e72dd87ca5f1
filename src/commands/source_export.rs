//! `pymecompress export` of a PYME source as `.npy` (C order) or raw little-endian bytes: a
//! `.pzf` file as the array `PZFFormat.loads` returns, (Width, Height, Depth); a series as a
//! stack (frames, Width, Height), plus Depth when above 1.
//!
//! Frames are read and decoded on a pool, a window of them ahead of the one being written,
//! and written in order, so memory holds a window of frames whatever the source's length.
//! There is no barrier between batches: with one, every batch waited for its slowest frame
//! while the writer, and then the readers, stood idle. A source read over the network (a
//! series on PYME's data servers) is read on a pool of its own `concurrent_reads` threads: on
//! the CPU pool's two threads, two requests in flight left the servers idle most of the time.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;

use pymecompress_pyme::{array_shape, gaps, FrameSelection, FrameSource};

use super::pyme_input::{dims, npy_dtype};
use crate::cli::FileOutputArgs;
use crate::durable::atomic::PartialFile;
use crate::failure::{Failure, Result};
use crate::npy;
use crate::progress;

/// Frames read ahead of the one being written: enough to keep every thread of `pool` busy
/// while one slow frame holds the writer, few enough that memory stays at a handful of frames.
fn window(pool: &rayon::ThreadPool) -> usize {
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
    write_in_order(source, &pool, &slots, frame_bytes, |frame| {
        output.write_all(frame)?;
        bar.inc(1);
        Ok(())
    })?;
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

/// Reads the frames of `slots` on `pool`, at most [`window`] of them ahead, and hands each to
/// `write` in the order of `slots`. The first failure in that order ends it (the frames in
/// flight finish, unwritten).
fn write_in_order(
    source: &dyn FrameSource,
    pool: &rayon::ThreadPool,
    slots: &[u64],
    frame_bytes: usize,
    mut write: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let (done, finished) = mpsc::channel::<(usize, Result<Vec<u8>>)>();
    pool.in_place_scope(|scope| {
        // Buffers written go back to `spare`: a fresh 512 KiB buffer per frame cost more in
        // page faults than the copy into it.
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let start = |k: usize, spare: &mut Vec<Vec<u8>>| {
            let done = done.clone();
            let slot = slots[k];
            let mut frame = spare.pop().unwrap_or_else(|| vec![0u8; frame_bytes]);
            scope.spawn(move |_| {
                // A panic is sent as a failure: the writer waits for every frame it started.
                let frame = catch_unwind(AssertUnwindSafe(|| {
                    if !source.read_frame_into(slot, &mut frame)? {
                        // A missing frame is the fill value, zero.
                        frame.fill(0);
                    }
                    Ok(frame)
                }))
                .unwrap_or_else(|_| {
                    Err(Failure::msg(format!(
                        "{}: reading frame slot {slot} panicked",
                        source.name()
                    )))
                });
                // The writer is gone only after a failure it already returns.
                let _ = done.send((k, frame));
            });
        };
        let mut started = 0;
        while started < slots.len().min(window(pool)) {
            start(started, &mut spare);
            started += 1;
        }
        // Failures too wait for their turn: the error said is the first frame's in the
        // output's order, whichever failed first in time.
        let mut ready: BTreeMap<usize, Result<Vec<u8>>> = BTreeMap::new();
        for k in 0..slots.len() {
            let frame = loop {
                if let Some(frame) = ready.remove(&k) {
                    break frame?;
                }
                // Every frame started sends once, and k's is started and not yet received.
                let (j, frame) = finished
                    .recv()
                    .map_err(|_| Failure::msg("the frame readers stopped"))?;
                ready.insert(j, frame);
            };
            write(&frame)?;
            spare.push(frame);
            if started < slots.len() {
                start(started, &mut spare);
                started += 1;
            }
        }
        Ok(())
    })
}
