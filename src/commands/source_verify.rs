//! `pymecompress verify` of a PYME source: every frame decoded, the frames checked to stack,
//! and the gap policy applied (an incomplete source fails unless `--allow-incomplete`).

use std::process::ExitCode;

use pymecompress_pyme::gaps::Incomplete;
use pymecompress_pyme::FrameSource;
use rayon::prelude::*;
use serde::Serialize;

use crate::failure::{error_chain, Failure, Result};
use crate::progress;

/// PZF records no checksum: this is what verify can and cannot prove.
const WHAT_IS_CHECKED: &str = "checked decoding only (PYME's frames carry no checksum: changed \
                               bytes that still decode pass; a Huffman stream must end in its \
                               last byte with zero padding)";

#[derive(Serialize)]
struct Report {
    path: String,
    kind: &'static str,
    frames_checked: u64,
    bad: Vec<BadFrame>,
    complete: bool,
    missing: Vec<u64>,
    finished: bool,
    /// Why the frames cannot be stacked, if they cannot.
    frames_differ: Option<String>,
    checked: &'static str,
    ok: bool,
}

#[derive(Serialize)]
struct BadFrame {
    frame: u64,
    error: String,
}

pub fn run(source: &dyn FrameSource, json: bool, allow_incomplete: bool) -> Result<ExitCode> {
    let slots: Vec<u64> = (0..source.len())
        .filter(|&i| source.is_present(i))
        .collect();
    let bar = progress::items(slots.len() as u64, "verifying");
    // float64 frames (an .h5 /ImageData) have no PZF frame: they are read as bytes.
    let f64_bytes = source
        .layout()
        .ok()
        .filter(|l| l.pixel == pymecompress_pyme::PixelType::F64)
        .map(|l| l.frame_bytes());
    let bad: Vec<BadFrame> = slots
        .par_iter()
        .filter_map(|&i| {
            let result = match f64_bytes {
                Some(n) => source.read_frame_into(i, &mut vec![0u8; n]).map(drop),
                None => source.read_frame(i).map(drop),
            };
            bar.inc(1);
            result.err().map(|e| BadFrame {
                frame: i,
                error: error_chain(&e),
            })
        })
        .collect();
    bar.finish_and_clear();
    let frames_differ = source.layout().err().map(|e| error_chain(&e));
    let lack = Incomplete::of(source);
    let ok = bad.is_empty() && frames_differ.is_none() && (lack.is_none() || allow_incomplete);
    let report = Report {
        path: source.name().to_string(),
        kind: source.kind().word(),
        frames_checked: slots.len() as u64,
        complete: lack.is_none(),
        missing: source.missing(),
        finished: source.is_finished(),
        bad,
        frames_differ,
        checked: WHAT_IS_CHECKED,
        ok,
    };
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(Failure::msg)?;
        println!("{text}");
    } else {
        for frame in &report.bad {
            if source.is_stack() {
                eprintln!("error: frame {}: {}", frame.frame, frame.error);
            } else {
                eprintln!("error: {}", frame.error);
            }
        }
        if let Some(why) = &report.frames_differ {
            eprintln!("error: {why}");
        }
        let state = match &lack {
            None => "complete".to_string(),
            Some(lack) if allow_incomplete => format!("incomplete (allowed): {lack}"),
            Some(lack) => {
                let hint = lack.hint().map(|h| format!("{h}; ")).unwrap_or_default();
                eprintln!(
                    "error: {} {}: incomplete: {lack}; {hint}add --allow-incomplete to accept \
                     an incomplete one",
                    lack.kind.word(),
                    report.path,
                );
                format!("incomplete: {lack}")
            }
        };
        let decoding = match (report.frames_checked, report.bad.len()) {
            (1, 0) => "1 frame checked: it decodes".to_string(),
            (n, 0) => format!("{n} frames checked: every one decodes"),
            (n, bad) => format!("{n} frames checked, {bad} bad"),
        };
        println!("{}: {decoding}; {state}; {WHAT_IS_CHECKED}", report.path);
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
