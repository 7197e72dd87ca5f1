//! `pymecompress export`: an array, or a region of it, as `.npy` or raw `.bin`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

use zarrs::array::{ArrayBytes, ArraySubset};

use crate::failure::{At, Place, Result};
use crate::progress;
use crate::store::{self, Located};
use pymecompress::npy;

pub fn run(path: &Path, out: &Path, region: Option<&str>) -> Result<ExitCode> {
    let located = store::locate(path)?;
    let array_path = pick_array(&located)?;
    let array = store::open_array(&located, &array_path)?;
    let place = located
        .place
        .array(&array_path)
        .codec(store::codec_names(array.metadata()));
    zarrs_pymecompress::check_array(&array).at(&place)?;
    let dtype = store::npy_dtype(&array, &place)?;
    let ranges = parse_region(region, array.shape()).map_err(|m| place.fail(m))?;
    let out_shape: Vec<u64> = ranges.iter().map(|r| r.end - r.start).collect();

    let out_place = Place::store(out.display());
    let mut writer = BufWriter::new(File::create(out).at(&out_place)?);
    let as_npy = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if as_npy {
        npy::write_header(&mut writer, dtype, &out_shape).at(&out_place)?;
    }

    // Slabs along the first axis, one row of chunks at a time: memory stays at one slab.
    let chunk_rows = array
        .chunk_shape(&vec![0; array.dimensionality()])
        .at(&place)?
        .first()
        .map_or(1, |d| d.get());
    let slabs = slabs(&ranges, chunk_rows);
    let total_bytes = out_shape.iter().product::<u64>() * dtype.itemsize() as u64;
    let bar = progress::bytes(total_bytes, "exporting");
    for slab in slabs {
        let subset = ArraySubset::new_with_ranges(&slab);
        let bytes = array
            .retrieve_array_subset::<ArrayBytes<'static>>(&subset)
            .map_err(|e| store::region_failure(&array, &subset, &place, &e))?
            .into_fixed()
            .map_err(|e| place.fail(e))?;
        let mut bytes = bytes.into_owned();
        if cfg!(target_endian = "big") {
            bytes
                .chunks_exact_mut(dtype.itemsize())
                .for_each(<[u8]>::reverse);
        }
        writer.write_all(&bytes).at(&out_place)?;
        bar.inc(bytes.len() as u64);
    }
    writer.flush().at(&out_place)?;
    bar.finish_and_clear();
    println!(
        "{}{} [{}] -> {} ({} {}, {} bytes)",
        located.root.display(),
        array_path
            .trim_start_matches('/')
            .split_terminator('/')
            .fold(String::new(), |s, p| s + "/" + p),
        ranges
            .iter()
            .map(|r| format!("{}:{}", r.start, r.end))
            .collect::<Vec<_>>()
            .join(","),
        out.display(),
        out_shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("x"),
        dtype.name(),
        total_bytes
    );
    Ok(ExitCode::SUCCESS)
}

/// The array the path names, or the only array of the group it names.
fn pick_array(located: &Located) -> Result<String> {
    let arrays = store::arrays_under(located)?;
    match arrays.as_slice() {
        [(path, _)] => Ok(path.clone()),
        [] => Err(located
            .place
            .array(&located.node_path)
            .fail("no array here")),
        many => Err(located.place.array(&located.node_path).fail(format!(
            "is a group with {} arrays; name one: {}",
            many.len(),
            many.iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Parses `0:10,5:20` against `shape`. Per axis: `a:b`, `a:`, `:b`, `:`, `` or a single
/// index `i` (kept as an axis of length 1). Axes not given are taken whole.
pub fn parse_region(
    region: Option<&str>,
    shape: &[u64],
) -> std::result::Result<Vec<Range<u64>>, String> {
    let mut ranges: Vec<Range<u64>> = shape.iter().map(|&d| 0..d).collect();
    let Some(region) = region else {
        return Ok(ranges);
    };
    let parts: Vec<&str> = region.split(',').collect();
    if parts.len() > shape.len() {
        return Err(format!(
            "region '{region}' has {} axes, the array {}",
            parts.len(),
            shape.len()
        ));
    }
    for (axis, (part, &extent)) in parts.iter().zip(shape).enumerate() {
        let number = |s: &str, default: u64| -> std::result::Result<u64, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(default)
            } else {
                s.parse::<u64>()
                    .map_err(|_| format!("region axis {axis}: '{s}' is not an index"))
            }
        };
        let range = match part.split_once(':') {
            Some((a, b)) => number(a, 0)?..number(b, extent)?,
            None if part.trim().is_empty() => 0..extent,
            None => {
                let i = number(part, 0)?;
                i..i.saturating_add(1)
            }
        };
        if range.start > range.end || range.end > extent {
            return Err(format!(
                "region axis {axis}: {}:{} is outside 0:{extent}",
                range.start, range.end
            ));
        }
        ranges[axis] = range;
    }
    Ok(ranges)
}

/// Splits `ranges` along axis 0 at multiples of `chunk_rows` (the chunk size along axis 0).
fn slabs(ranges: &[Range<u64>], chunk_rows: u64) -> Vec<Vec<Range<u64>>> {
    let Some(first) = ranges.first() else {
        return vec![Vec::new()];
    };
    let chunk_rows = chunk_rows.max(1);
    let mut out = Vec::new();
    let mut start = first.start;
    while start < first.end {
        let end = ((start / chunk_rows + 1) * chunk_rows).min(first.end);
        let mut slab = ranges.to_vec();
        slab[0] = start..end;
        out.push(slab);
        start = end;
    }
    if out.is_empty() {
        out.push(ranges.to_vec());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_numpy_style() {
        let shape = [50, 70, 3];
        assert_eq!(
            parse_region(Some("0:10,5:20"), &shape).unwrap(),
            [0..10, 5..20, 0..3]
        );
        assert_eq!(
            parse_region(Some(":,7,"), &shape).unwrap(),
            [0..50, 7..8, 0..3]
        );
        assert_eq!(parse_region(Some("40:"), &shape).unwrap()[0], 40..50);
        assert_eq!(parse_region(None, &shape).unwrap(), [0..50, 0..70, 0..3]);
        for bad in ["0:51", "5:4", "x", "0,0,0,0", "70"] {
            assert!(parse_region(Some(bad), &shape).is_err(), "{bad}");
        }
    }

    #[test]
    fn slabs_follow_chunk_rows() {
        let got = slabs(&[3..40, 0..7], 13);
        let firsts: Vec<_> = got.iter().map(|s| s[0].clone()).collect();
        assert_eq!(firsts, [3..13, 13..26, 26..39, 39..40]);
        assert_eq!(slabs(&[], 13), [Vec::<Range<u64>>::new()]);
    }
}
