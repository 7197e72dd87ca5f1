//! `pymecompress verify`: decode every stored chunk and report the ones that fail, saying what
//! that proves: pymecompress chunks have no checksum, so for them only decoding is checked.

use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;
use zarrs::array::ArrayBytes;

use crate::failure::{At, Failure, Result};
use crate::progress;
use crate::store;

pub fn run(path: &Path) -> Result<ExitCode> {
    let located = store::locate(path)?;
    let arrays = store::arrays_under(&located)?;
    let mut bad: Vec<Failure> = Vec::new();
    let mut checked = 0u64;
    let mut with_checksums = 0usize;
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
                bad.push(failure);
                continue;
            }
        };
        let indices = store::chunks(&array);
        let bar = progress::items(indices.len() as u64, "verifying");
        let results: Vec<(bool, Option<Failure>)> = indices
            .par_iter()
            .map(|index| {
                let outcome = array.retrieve_chunk_if_exists::<ArrayBytes<'static>>(&index);
                bar.inc(1);
                match outcome {
                    Ok(found) => (found.is_some(), None),
                    Err(e) => (
                        true,
                        Some(store::chunk_failure(
                            &place.chunk(store::chunk_label(&array, &index)),
                            &e,
                        )),
                    ),
                }
            })
            .collect();
        bar.finish_and_clear();
        let present = results.iter().filter(|(p, _)| *p).count();
        let failed: Vec<Failure> = results.into_iter().filter_map(|(_, f)| f).collect();
        let has_checksum = store::has_crc32c(metadata);
        with_checksums += usize::from(has_checksum);
        println!(
            "{array_path}: {present} of {} chunks stored, {} bad; checked {}",
            indices.len(),
            failed.len(),
            checked_what(has_checksum)
        );
        checked += present as u64;
        bad.extend(failed);
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
    println!(
        "{}: {} arrays, {checked} stored chunks checked, {} bad; checked {what}",
        located.root.display(),
        arrays.len(),
        bad.len()
    );
    Ok(if bad.is_empty() {
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
