//! PYME's own files as input: a single `.pzf` frame, or a cluster series (a `NAME.pcs`
//! directory of `frame%05d.pzf` files plus `metadata.json`, with copies on other data servers
//! given by `--node`). Recognizing them, and `info` and `verify` for them; `export` and
//! `convert` are in `series_export.rs` and `series_convert.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::failure::{Failure, Place, Result};
use crate::progress;
use pymecompress::npy::NpyDtype;
use pymecompress::series::{Series, SeriesError};
use pymecompress_codecs::pzf::{self, DataFormat, DimOrder, PzfData, PzfFrame, PzfHeader};

/// A PYME input, opened.
pub enum Input {
    /// One `.pzf` file.
    Pzf(PathBuf),
    /// A series: its first directory (as given) and the opened index.
    Series(PathBuf, Box<Series>),
}

/// Recognizes a `.pzf` file or a series directory; `None` for anything else (a zarr store,
/// or a path the store code will explain). `--node` given with anything but a series is an
/// argument error.
pub fn classify(path: &Path, nodes: &[PathBuf]) -> Result<Option<Input>> {
    let is_pzf_file = path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pzf"));
    let input = if is_pzf_file {
        Some(Input::Pzf(path.to_path_buf()))
    } else if is_series_dir(path) {
        let series = Series::open(path, nodes).map_err(|e| series_failure(path, &e))?;
        Some(Input::Series(path.to_path_buf(), Box::new(series)))
    } else {
        None
    };
    if !nodes.is_empty() && !matches!(input, Some(Input::Series(..))) {
        return Err(Failure::usage(format!(
            "--node is for a PYME series (a NAME.pcs directory, or one holding metadata.json and \
             frame%05d.pzf files); {} is not one",
            path.display()
        )));
    }
    Ok(input)
}

/// A directory named `*.pcs`, or one holding `metadata.json` or `frame*.pzf` files and no
/// zarr metadata.
fn is_series_dir(path: &Path) -> bool {
    if !path.is_dir() {
        return false;
    }
    if [".zarray", ".zgroup", "zarr.json"]
        .iter()
        .any(|n| path.join(n).is_file())
    {
        return false;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pcs"))
    {
        return true;
    }
    path.join("metadata.json").is_file()
        || std::fs::read_dir(path).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("frame") && name.ends_with(".pzf")
            })
        })
}

/// A series error as a failure (exit 1): the series' directory, then the reader's message,
/// which names the file or frame.
pub fn series_failure(dir: &Path, error: &SeriesError) -> Failure {
    Failure::msg(format!(
        "series {}: {}",
        dir.display(),
        crate::failure::error_chain(error)
    ))
}

/// Reads and decodes one `.pzf` file.
pub fn read_pzf(path: &Path) -> Result<PzfFrame> {
    let place = Place::file(path.display());
    let bytes = std::fs::read(path).map_err(|e| place.fail(e))?;
    pzf::decode(&bytes).map_err(|e| place.fail(crate::failure::error_chain(&e)))
}

/// The `.npy` dtype of a PZF data format.
pub const fn npy_dtype(format: DataFormat) -> NpyDtype {
    match format {
        DataFormat::U8 => NpyDtype::U1,
        DataFormat::U16 => NpyDtype::U2,
        DataFormat::F32 => NpyDtype::F4,
    }
}

/// A frame's pixels as little-endian bytes in C order of (Width, Height, Depth), whatever its
/// DimOrder: `.npy` files and zarr chunks are written in C order.
pub fn c_order_le_bytes(frame: &PzfFrame) -> Vec<u8> {
    let [w, h, d] = frame.shape();
    let le: Vec<u8> = match &frame.data {
        PzfData::U8(v) => v.clone(),
        PzfData::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        PzfData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    };
    if frame.order() == DimOrder::C {
        return le;
    }
    let item = frame.header.data_format.itemsize();
    let mut out = vec![0u8; le.len()];
    for x in 0..w {
        for y in 0..h {
            for z in 0..d {
                let from = (x + w * (y + h * z)) * item;
                let to = ((x * h + y) * d + z) * item;
                out[to..to + item].copy_from_slice(&le[from..from + item]);
            }
        }
    }
    out
}

/// Frame numbers as ranges: `57, 115-119`.
pub fn ranges(numbers: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

/// What an incomplete series lacks, in words: missing frames by number, and whether
/// `events.json` (PYME's end-of-acquisition marker) is absent. `None` if complete.
pub fn incompleteness(series: &Series) -> Option<String> {
    let missing = series.missing();
    let mut what = Vec::new();
    if !missing.is_empty() {
        what.push(format!(
            "{} frame{} missing ({})",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            ranges(&missing)
        ));
    }
    if !series.is_finished() {
        what.push("no events.json (the acquisition did not finish)".to_string());
    }
    (!what.is_empty()).then(|| what.join("; "))
}

#[derive(Serialize)]
struct PzfInfo {
    path: String,
    kind: &'static str,
    /// The header of the file (a series: of its lowest-numbered frame).
    header: Option<PzfHeader>,
    frames: usize,
    complete: bool,
    missing: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<SeriesInfo>,
    stored_bytes: u64,
}

#[derive(Serialize)]
struct SeriesInfo {
    dirs: Vec<String>,
    /// Whether events.json is present.
    finished: bool,
    /// SizeZ × SizeT × SizeC from the metadata, when known.
    expected_frames: Option<u64>,
    first_frame: Option<u32>,
    last_frame: Option<u32>,
    /// Why the frames cannot be stacked (they differ), if they cannot.
    frames_differ: Option<String>,
}

pub fn info(input: &Input, json: bool) -> Result<ExitCode> {
    let report = match input {
        Input::Pzf(path) => {
            let place = Place::file(path.display());
            let bytes = std::fs::read(path).map_err(|e| place.fail(e))?;
            let header = PzfHeader::parse(&bytes)
                .map_err(|e| place.fail(crate::failure::error_chain(&e)))?;
            PzfInfo {
                path: path.display().to_string(),
                kind: "pzf",
                header: Some(header),
                frames: 1,
                complete: true,
                missing: Vec::new(),
                series: None,
                stored_bytes: bytes.len() as u64,
            }
        }
        Input::Series(dir, series) => {
            let numbers: Vec<u32> = series.frame_numbers().collect();
            let header = numbers
                .first()
                .and_then(|&n| series.frame_header(n))
                .copied();
            PzfInfo {
                path: dir.display().to_string(),
                kind: "series",
                header,
                frames: series.frame_count(),
                complete: series.is_complete(),
                missing: series.missing(),
                series: Some(SeriesInfo {
                    dirs: series
                        .dirs()
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect(),
                    finished: series.is_finished(),
                    expected_frames: series.expected_frames(),
                    first_frame: numbers.first().copied(),
                    last_frame: numbers.last().copied(),
                    frames_differ: series.check_uniform().err().map(|e| e.to_string()),
                }),
                stored_bytes: numbers
                    .iter()
                    .filter_map(|&n| series.frame(n))
                    .map(|e| e.len)
                    .sum(),
            }
        }
    };
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(Failure::msg)?;
        println!("{text}");
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(r: &PzfInfo) {
    println!("{} {}", r.kind, r.path);
    if let Some(s) = &r.series {
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
        println!("  finished    {} (events.json present)", s.finished);
        println!(
            "  complete    {}{}",
            r.complete,
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
        let label = if r.series.is_some() {
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

/// Decodes every frame; reports each that fails, and frames that cannot be stacked.
pub fn verify(input: &Input) -> Result<ExitCode> {
    match input {
        Input::Pzf(path) => {
            read_pzf(path)?;
            println!(
                "{}: decodes (PZF has no checksum: changed bytes that still decode pass)",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Input::Series(dir, series) => {
            let numbers: Vec<u32> = series.frame_numbers().collect();
            let bar = progress::items(numbers.len() as u64, "verifying");
            let mut bad: Vec<Failure> = numbers
                .par_iter()
                .filter_map(|&n| {
                    let result = series.read_frame(n);
                    bar.inc(1);
                    result.err().map(|e| series_failure(dir, &e))
                })
                .collect();
            bar.finish_and_clear();
            if let Err(e) = series.check_uniform() {
                bad.push(series_failure(dir, &e));
            }
            for failure in &bad {
                eprintln!("error: {failure}");
            }
            let state = incompleteness(series)
                .map_or("complete".to_string(), |w| format!("incomplete: {w}"));
            println!(
                "{}: {} frames checked, {} bad; {state}; checked decoding only (PZF has no \
                 checksum: changed bytes that still decode pass)",
                dir.display(),
                numbers.len(),
                bad.len()
            );
            Ok(if bad.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_numbers_compress_to_ranges() {
        assert_eq!(ranges(&[57, 115, 116, 117, 118, 119]), "57, 115-119");
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[0, 1, 3]), "0-1, 3");
    }
}
