//! `convert SERIES OUT --follow`: a PYME series still being acquired, on disk or on PYME's data
//! servers. Its places are listed every `--poll-interval` seconds (`Series::refresh`); whole
//! chunk rows are written as soon as every frame they hold is there (a frame missing while
//! later ones exist is waited for, not a gap); once `events.json` exists the rest is written,
//! gaps checked as a plain convert checks them, the final metadata and events put into the
//! attributes, and the completion record written last (exit 0).
//!
//! The array's first axis grows with the rows written: its metadata is stored again before each
//! batch, so a killed run leaves a temporary whose chunks `--resume --follow` keeps (rows whose
//! chunks are all kept are never fetched again). A series that does not change, or whose
//! servers do not answer, for `--follow-timeout` seconds ends with exit 1, the temporary kept
//! for `--resume --follow`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pymecompress_pyme::series::{Series, SeriesError};
use pymecompress_pyme::to_zarr::{write_frames, WriteHooks};
use pymecompress_pyme::{array_shape, gaps, http, FrameSelection, FrameSource};
use pymecompress_pyme::{SourceError, SourceKind};
use serde_json::{json, Map, Value};
use zarrs::array::Array;

use super::{array_metadata, check_quant_flags, pass_through, plan_codec, row_is_done};
use crate::cli::ConvertArgs;
use crate::durable::completion;
use crate::failure::{At, Failure, Place, Result};
use crate::progress;
use crate::store::OutStore;

/// How long the series has gone without a change, against `--follow-timeout`.
struct Watch {
    poll: Duration,
    timeout: Duration,
    last_change: Instant,
    /// The last transient error, said once until another one comes.
    last_note: Option<String>,
}

impl Watch {
    fn new(o: &ConvertArgs) -> Self {
        Self {
            poll: Duration::from_secs_f64(o.follow.poll_interval),
            timeout: Duration::from_secs_f64(o.follow.follow_timeout),
            last_change: Instant::now(),
            last_note: None,
        }
    }

    fn changed(&mut self) {
        self.last_change = Instant::now();
        self.last_note = None;
    }

    /// A listing that failed in a way that may pass (a server down, a file half written).
    fn note(&mut self, e: &SourceError) {
        let text = crate::failure::error_chain(e);
        if self.last_note.as_deref() != Some(text.as_str()) {
            eprintln!("note: --follow: {text} (trying again until --follow-timeout)");
            self.last_note = Some(text);
        }
    }

    /// Waits one poll interval, or fails with `waiting` once nothing changed for the timeout.
    fn wait(&self, waiting: &str) -> Result<()> {
        let quiet = self.last_change.elapsed();
        if quiet >= self.timeout {
            let why = self
                .last_note
                .as_deref()
                .map_or(String::new(), |n| format!("; last error: {n}"));
            return Err(Failure::msg(format!(
                "--follow: {waiting}, and nothing changed for {:.0} s (--follow-timeout){why}",
                quiet.as_secs_f64()
            )));
        }
        std::thread::sleep(self.poll.min(self.timeout - quiet));
        Ok(())
    }
}

/// Whether a failed listing may pass by itself: a server not answering, a file or directory
/// not readable right now, a JSON file read while being written.
fn transient(e: &SeriesError) -> bool {
    matches!(
        e,
        SeriesError::Io { .. } | SeriesError::Http(_) | SeriesError::InvalidJson { .. }
    )
}

fn series_error(dir: &Path, e: SeriesError) -> SourceError {
    match e {
        SeriesError::Http(e) => SourceError::Http(e),
        source => SourceError::Series {
            dir: dir.to_path_buf(),
            source,
        },
    }
}

/// Why the series could not be opened, and whether trying again later may succeed.
struct OpenFailure {
    error: SourceError,
    transient: bool,
}

/// Opens the series for following, on disk or over HTTP: `None` while it has no metadata.json.
fn open_live(o: &ConvertArgs) -> std::result::Result<Option<Series>, Box<OpenFailure>> {
    if http::is_url(&o.input) {
        let nodes: Vec<String> = o
            .node
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        return http::open_series_live(
            &o.input.to_string_lossy(),
            &nodes,
            &http::Options::from_env(),
        )
        .map_err(|e| {
            let again = match &e {
                SourceError::Http(_) => true,
                SourceError::Series { source, .. } => transient(source),
                _ => false,
            };
            Box::new(OpenFailure {
                error: e,
                transient: again,
            })
        });
    }
    Series::open_live(&o.input, &o.node).map_err(|e| {
        let again = transient(&e);
        Box::new(OpenFailure {
            error: series_error(&o.input, e),
            transient: again,
        })
    })
}

/// Lists the series again; a transient failure is noted and counts as no change.
fn refresh(series: &mut Series, watch: &mut Watch, dir: &Path) -> Result<()> {
    match series.refresh() {
        Ok(found) if found.changed => watch.changed(),
        Ok(_) => {}
        Err(e) if transient(&e) => watch.note(&series_error(dir, e)),
        Err(e) => return Err(series_error(dir, e).into()),
    }
    Ok(())
}

pub fn run(o: &ConvertArgs) -> Result<ExitCode> {
    for (given, flag) in [
        (o.ome.ome, "--ome"),
        (o.frames.is_some(), "--frames"),
        (o.shards.is_some(), "--shards"),
    ] {
        if given {
            return Err(Failure::usage(format!(
                "{flag} is not supported with --follow (a live series is converted whole, one \
                 chunk row at a time)"
            )));
        }
    }
    let format = o.zarr_format.unwrap_or(2);
    if o.checksum && format != 3 {
        return Err(Failure::usage(
            "--checksum needs Zarr v3 output (zarr's crc32c codec): add --zarr-format 3",
        ));
    }
    let dir: PathBuf = o.input.clone();
    let mut watch = Watch::new(o);
    let mut series = loop {
        match open_live(o) {
            Ok(Some(series)) => break series,
            Ok(None) => {}
            Err(failure) if failure.transient => watch.note(&failure.error),
            Err(failure) => return Err(failure.error.into()),
        }
        watch.wait(&format!(
            "{} has no metadata.json yet (PYME writes it when the acquisition starts)",
            dir.display()
        ))?;
    };
    watch.changed();
    // The layout (and so the array) is the first frame's: wait for one.
    while series.frame_count() == 0 && !series.is_finished() {
        watch.wait(&format!("{} has no frame yet", dir.display()))?;
        refresh(&mut series, &mut watch, &dir)?;
    }
    let layout = series.layout()?;
    let codec = plan_codec(o, &series, &layout)?;
    check_quant_flags(o, &codec)?;
    let frame_shape = array_shape(&series, &layout, 1)[1..].to_vec();
    let chunks = o.chunks.clone().unwrap_or_else(|| {
        std::iter::once(1)
            .chain(frame_shape.iter().copied())
            .collect()
    });
    let out_place = Place::store(o.output.display()).array("/");
    if chunks.len() != frame_shape.len() + 1 || chunks.contains(&0) {
        return Err(out_place.fail(format!(
            "--chunks {chunks:?} must give {} positive sizes, one per axis of (frames, {})",
            frame_shape.len() + 1,
            super::super::pyme_input::dims(&frame_shape)
        )));
    }
    let chunk_rows = chunks[0];
    let pass = pass_through(&codec, &layout);
    let write = super::StoreWrite::begin(o, manifest(&series, &frame_shape, o.allow_incomplete))?;
    let place = out_place.codec(codec.name());
    let target_of = |series: &Series, frames: u64| -> Result<Array<OutStore>> {
        let shape = array_shape(series, &layout, frames);
        let selection = FrameSelection::all(frames);
        let metadata = array_metadata(
            o, format, &shape, &chunks, &layout, &codec, series, &selection, &place,
        )?;
        let target = Array::new_with_metadata(write.storage().clone(), "/", metadata).at(&place)?;
        zarrs_pymecompress::check_array(&target).at(&place)?;
        Ok(target)
    };
    // Every chunk a resumed leftover holds, over all the frames known now (more than it can
    // hold: the series only grows).
    let kept_target = target_of(&series, series.len().max(1))?;
    let kept = write.keep_written(&kept_target, &format!("series {}", series.name()), &place)?;
    // Whether a row's chunks were all kept: the chunk keys do not depend on the array's length.
    let kept_row = |row: u64| kept.len() > 0 && row_is_done(&kept_target, &kept, row);

    let bar = progress::items(series.len(), "following");
    let mut written = 0u64;
    loop {
        let finished = series.is_finished();
        let ready = if finished {
            series.len()
        } else {
            ready_frames(&series, chunk_rows, written, kept_row)
        };
        if finished {
            if let Some(lack) = gaps::check(&series, o.allow_incomplete)? {
                eprintln!("note: {}: incomplete: {lack}", series.name());
            }
        }
        if ready > written || finished {
            let now = series.layout()?;
            if now != layout {
                return Err(Failure::msg(format!(
                    "--follow: series {}: the frames changed layout while following ({layout:?} \
                     first, {now:?} now)",
                    series.name()
                )));
            }
            let target = target_of(&series, ready)?;
            crate::store::store_array_metadata(&target, &place)?;
            let done_rows = written / chunk_rows;
            let row_done = |row: u64| row < done_rows || kept_row(row);
            write_frames(
                &series,
                &layout,
                &FrameSelection::all(ready),
                &target,
                pass,
                &WriteHooks {
                    row_done: &row_done,
                    frames_done: &|_: u64| {},
                },
            )
            .map_err(|e| place.fail(crate::failure::error_chain(&e)))?;
            let frames_written = (0..ready).filter(|&i| series.is_present(i)).count() as u64;
            written = ready;
            bar.set_length(series.len());
            bar.set_position(written);
            if finished {
                bar.finish_and_clear();
                let record = completion::scan_array(&target, write.place())?;
                write.finish("pymecompress convert --follow", vec![record])?;
                println!(
                    "{} -> {}: {frames_written} frames as an array of shape {:?}, chunks \
                     {chunks:?}, Zarr v{format} (followed until events.json)",
                    series.name(),
                    o.output.display(),
                    target.shape()
                );
                return Ok(ExitCode::SUCCESS);
            }
        }
        if let Err(e) = watch.wait(&format!(
            "series {} is not finished (no events.json; {} frames seen, {written} written)",
            series.name(),
            series.frame_count()
        )) {
            bar.abandon();
            // Unlike any other failure, this one keeps the temporary: its chunks are good, and
            // the series may come back. Dropping `write` would remove it; the lock it holds
            // goes with the process.
            std::mem::forget(write);
            return Err(Failure::msg(format!(
                "{e}; the output's temporary is kept: run the same command with --resume to \
                 continue"
            )));
        }
        refresh(&mut series, &mut watch, &dir)?;
        bar.set_length(series.len());
    }
}

/// The frames ready to write, from `written` on: whole chunk rows whose frames are all there
/// (or whose chunks a resumed leftover kept: `kept_row`), up to the first row that is not.
fn ready_frames(
    series: &Series,
    chunk_rows: u64,
    written: u64,
    kept_row: impl Fn(u64) -> bool,
) -> u64 {
    let mut row = written / chunk_rows;
    loop {
        let first = row * chunk_rows;
        let all_there = (first..first + chunk_rows).all(|i| series.is_present(i));
        if !all_there && !kept_row(row) {
            return first;
        }
        row += 1;
    }
}

/// What a `--resume --follow` must match beyond the shared arguments: the series' places, the
/// frames' shape (the number of frames grows while following), and that it follows.
fn manifest(series: &Series, frame_shape: &[u64], allow_incomplete: bool) -> Map<String, Value> {
    let canonical: Vec<String> = series
        .locations()
        .iter()
        .map(|l| std::fs::canonicalize(l).map_or_else(|_| l.clone(), |p| p.display().to_string()))
        .collect();
    let mut specific = Map::new();
    specific.insert(
        "command".into(),
        json!(format!("convert {} --follow", SourceKind::Series.word())),
    );
    specific.insert("input".into(), json!(canonical));
    specific.insert("frame_shape".into(), json!(frame_shape));
    specific.insert("allow_incomplete".into(), json!(allow_incomplete));
    specific
}
