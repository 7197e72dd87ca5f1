//! `pymecompress verify`: decode every stored chunk and report the ones that fail, saying what
//! that proves: pymecompress chunks have no checksum, so for them only decoding is checked.
//! Then compare the stored chunks with the store's completion record (`completion.rs`): on a
//! store we wrote, a missing chunk is named and the store is not complete; on one written
//! elsewhere a missing chunk is legal zarr, so completeness cannot be told.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;
use serde_json::{json, Value};
use zarrs::array::ArrayBytes;

use crate::durable::completion::{self, Completeness};
use crate::failure::{At, Failure, Result};
use crate::progress;
use crate::store;

pub fn run(path: &Path, as_json: bool) -> Result<ExitCode> {
    let located = store::locate(path)?;
    store::refuse_unfinished(&located)?;
    let arrays = store::arrays_under(&located)?;
    let record = store::read_record(&located);
    let mut bad: Vec<Failure> = Vec::new();
    let mut checked = 0u64;
    let mut with_checksums = 0usize;
    let mut reports: Vec<Value> = Vec::new();
    let mut missing_total = 0usize;
    let mut unknown = 0usize;
    for (array_path, metadata) in &arrays {
        let place = located
            .place
            .array(array_path)
            .codec(store::codec_names(metadata));
        let array = match store::open_array(&located, array_path)
            .and_then(|a| zarrs_pymecompress::check_array(&a).at(&place).map(|()| a))
        {
            Ok(array) => array,
            Err(failure) => {
                reports.push(json!({"path": array_path, "error": failure.to_string()}));
                bad.push(failure);
                continue;
            }
        };
        let indices = store::chunks(&array);
        let bar = progress::items(indices.len() as u64, "verifying");
        let results: Vec<(String, bool, Option<Failure>)> = indices
            .par_iter()
            .map(|index| {
                let key = store::chunk_label(&array, &index);
                let outcome = array.retrieve_chunk_if_exists::<ArrayBytes<'static>>(&index);
                bar.inc(1);
                match outcome {
                    Ok(found) => (key, found.is_some(), None),
                    Err(e) => {
                        let failure = store::chunk_failure(&place.chunk(&key), &e);
                        (key, true, Some(failure))
                    }
                }
            })
            .collect();
        bar.finish_and_clear();
        let grid_keys: Vec<String> = results.iter().map(|(k, _, _)| k.clone()).collect();
        let present: BTreeSet<String> = results
            .iter()
            .filter(|(_, p, _)| *p)
            .map(|(k, _, _)| k.clone())
            .collect();
        let failed: Vec<Failure> = results.into_iter().filter_map(|(_, _, f)| f).collect();
        let has_checksum = store::has_crc32c(metadata);
        with_checksums += usize::from(has_checksum);
        let completeness = completion::check(record.as_ref(), array_path, &grid_keys, &present);
        let (complete, missing, said) = match &completeness {
            Completeness::Complete => (json!(true), vec![], "complete (as recorded)".to_string()),
            Completeness::Missing(keys) => {
                missing_total += keys.len();
                let said = format!(
                    "NOT complete: {} chunks recorded as written are missing",
                    keys.len()
                );
                (json!(false), keys.clone(), said)
            }
            Completeness::Unknown => {
                unknown += 1;
                let said = "no completion record (not written by pymecompress, or by an older \
                            version): a missing chunk reads as the fill value in zarr, so whether \
                            the store is complete cannot be told"
                    .to_string();
                (Value::Null, vec![], said)
            }
        };
        // A PYME source converted with --allow-incomplete: complete as written, yet frames
        // the source lacked are fill values. Said every time, never hidden behind "complete".
        let source_missing: Vec<u64> = array
            .attributes()
            .get(pymecompress_pyme::attributes::MISSING_FRAMES)
            .and_then(Value::as_array)
            .map(|frames| frames.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        let said = if source_missing.is_empty() {
            said
        } else {
            format!(
                "{said}; {} frames were missing from its PYME source ({}), written as the fill \
                 value (attribute {})",
                source_missing.len(),
                pymecompress_pyme::frames::ranges(&source_missing),
                pymecompress_pyme::attributes::MISSING_FRAMES
            )
        };
        if !as_json {
            println!(
                "{array_path}: {} of {} chunks stored, {} bad; checked {}; {said}",
                present.len(),
                grid_keys.len(),
                failed.len(),
                checked_what(has_checksum)
            );
            for key in &missing {
                let what = "missing chunk (the completion record says it was written)";
                eprintln!("error: {}", place.chunk(key).fail(what));
            }
        }
        reports.push(json!({
            "path": array_path,
            "chunks_present": present.len(),
            "chunks_in_grid": grid_keys.len(),
            "bad": failed.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "missing": missing,
            "complete": complete,
            "checksums": has_checksum,
            "source_missing_frames": source_missing,
        }));
        checked += present.len() as u64;
        bad.extend(failed);
    }
    let complete = if record.is_none() || unknown > 0 {
        Value::Null
    } else {
        json!(missing_total == 0)
    };
    let ok = bad.is_empty() && missing_total == 0;
    if as_json {
        let report = json!({
            "store": located.root.display().to_string(),
            "record": record.is_some(),
            "complete": complete,
            "chunks_checked": checked,
            "bad": bad.len(),
            "missing": missing_total,
            "arrays": reports,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&report).at(&located.place)?
        );
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    for failure in &bad {
        eprintln!("error: {failure}");
    }
    let what = match with_checksums {
        0 => checked_what(false).to_string(),
        n if n == arrays.len() => checked_what(true).to_string(),
        n => format!(
            "decoding, and crc32c checksums in {n} of {} arrays (the others have none)",
            arrays.len()
        ),
    };
    let verdict = match complete {
        Value::Bool(true) => "complete (every recorded chunk present)".to_string(),
        Value::Bool(false) => format!("NOT complete: {missing_total} recorded chunks missing"),
        _ => "completeness unknown (no completion record)".to_string(),
    };
    println!(
        "{}: {} arrays, {checked} stored chunks checked, {} bad; checked {what}; {verdict}",
        located.root.display(),
        arrays.len(),
        bad.len()
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

const fn checked_what(has_checksum: bool) -> &'static str {
    if has_checksum {
        "decoding and crc32c checksums"
    } else {
        "decoding only (this format has no checksum: changed bytes that still decode pass)"
    }
}
