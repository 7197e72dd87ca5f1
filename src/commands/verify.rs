//! `pymecompress verify`: decode every stored chunk and report the ones that fail.

use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;
use zarrs::array::ArrayBytes;

use crate::failure::{error_chain, At, Failure, Result};
use crate::progress;
use crate::store;

pub fn run(path: &Path) -> Result<ExitCode> {
    let located = store::locate(path)?;
    let arrays = store::arrays_under(&located)?;
    let mut bad: Vec<Failure> = Vec::new();
    let mut checked = 0u64;
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
        let indices = store::chunk_indices(&array);
        let bar = progress::items(indices.len() as u64, "verifying");
        let results: Vec<(bool, Option<Failure>)> = indices
            .par_iter()
            .map(|index| {
                let outcome = array.retrieve_chunk_if_exists::<ArrayBytes<'static>>(index);
                bar.inc(1);
                match outcome {
                    Ok(found) => (found.is_some(), None),
                    Err(e) => (
                        true,
                        Some(
                            place
                                .chunk(store::chunk_label(&array, index))
                                .fail(error_chain(&e)),
                        ),
                    ),
                }
            })
            .collect();
        bar.finish_and_clear();
        let present = results.iter().filter(|(p, _)| *p).count();
        let failed: Vec<Failure> = results.into_iter().filter_map(|(_, f)| f).collect();
        println!(
            "{array_path}: {present} of {} chunks stored, {} bad",
            indices.len(),
            failed.len()
        );
        checked += present as u64;
        bad.extend(failed);
    }
    for failure in &bad {
        eprintln!("error: {failure}");
    }
    println!(
        "{}: {} arrays, {checked} stored chunks checked, {} bad",
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
