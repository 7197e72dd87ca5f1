//! `pymecompress export`: an array, or a region of it, as `.npy` or raw `.bin`.

use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

use zarrs::array::ArraySubset;

use crate::cli::{FileOutputArgs, FrameRange};
use crate::durable::atomic::PartialFile;
use crate::failure::{At, Failure, Result};
use crate::npy;
use crate::progress;
use crate::store::{self, Located};

pub fn run(
    path: &Path,
    out: &Path,
    region: Option<&str>,
    frames: Option<FrameRange>,
    level: Option<u32>,
    flags: &FileOutputArgs,
) -> Result<ExitCode> {
    if let Some(frames) = frames {
        // Refused, not read as a region of axis 0: a store's first axis need not be frames.
        return Err(Failure::usage(format!(
            "--frames {frames}: --frames takes frames of a PYME series; for a zarr store give \
             a region with --region (--region {frames_axis} takes those rows of axis 0; a \
             region has no step)",
            frames_axis = FrameRange {
                step: std::num::NonZeroU64::MIN,
                ..frames
            }
        )));
    }
    let located = store::locate(path)?;
    let array_path = match level {
        Some(level) => ome_level(&located, level)?,
        None => pick_array(&located)?,
    };
    let array = store::open_array(&located, &array_path)?;
    // A bad --region is the command line's fault: said without the codec, which has no part in it.
    let ranges = parse_region(region, array.shape()).map_err(|e| {
        let shape = format!("{:?}", array.shape());
        match e {
            RegionError::Syntax(m) => {
                Failure::usage(format!("--region '{}': {m}", region.unwrap_or_default()))
            }
            RegionError::Outside(m) => located.place.array(&array_path).fail(format!(
                "--region '{}': {m} (array shape {shape})",
                region.unwrap_or_default()
            )),
        }
    })?;
    let place = located
        .place
        .array(&array_path)
        .codec(store::codec_names(array.metadata()));
    zarrs_pymecompress::check_array(&array).at(&place)?;
    let dtype = store::npy_dtype(&array, &place)?;
    let out_shape: Vec<u64> = ranges.iter().map(|r| r.end - r.start).collect();

    let mut output = PartialFile::create(out, flags)?;
    let as_npy = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if as_npy {
        npy::write_header(output.writer(), dtype, &out_shape)
            .map_err(|e| Failure::msg(format!("output {}: {e}", out.display())))?;
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
    // One buffer, reused: the fast path decodes a slab's chunks in parallel straight into it.
    let mut bytes: Vec<u8> = Vec::new();
    for slab in slabs {
        let subset = ArraySubset::new_with_ranges(&slab);
        let len = usize::try_from(subset.num_elements())
            .ok()
            .and_then(|n| n.checked_mul(dtype.itemsize()))
            .ok_or_else(|| place.fail(format!("slab {slab:?} does not fit in memory")))?;
        bytes.resize(len, 0);
        zarrs_pymecompress::read_region_bytes_into(&array, &subset, &mut bytes)
            .map_err(|e| store::region_failure(&array, &subset, &place, &e))?;
        if cfg!(target_endian = "big") {
            bytes
                .chunks_exact_mut(dtype.itemsize())
                .for_each(<[u8]>::reverse);
        }
        output.write_all(&bytes)?;
        bar.inc(bytes.len() as u64);
    }
    output.commit()?;
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
        many if ome_level0(located, many).is_some() => {
            let (path, name) = ome_level0(located, many).unwrap_or_default();
            eprintln!(
                "note: OME-Zarr image {name}: exporting level 0 ({path}); name another level's \
                 array for it (STORE{}/1, ...)",
                located.node_path.trim_end_matches('/')
            );
            Ok(path)
        }
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

/// Level 0 of the first OME image the named group describes, when it is one of `arrays`, and
/// the image's name.
fn ome_level0(
    located: &Located,
    arrays: &[(String, zarrs::array::ArrayMetadata)],
) -> Option<(String, String)> {
    let image = ome_image(located)?;
    let (level0, _) = image.levels.first()?;
    let path = level_path(located, level0);
    arrays
        .iter()
        .any(|(p, _)| *p == path)
        .then(|| (path, image_name(&image)))
}

/// `--level K`: the array of level `level` of the OME image the named group describes (the
/// first, when its attributes list several), as its `datasets` give it.
fn ome_level(located: &Located, level: u32) -> Result<String> {
    let here = located.place.array(&located.node_path);
    let Some(image) = ome_image(located) else {
        return Err(here.fail(format!(
            "--level {level}: not an OME-Zarr image (no NGFF multiscales block in this \
             group's attributes); give the image's group, e.g. the root of a store `convert \
             --ome` wrote"
        )));
    };
    let Some((path, _)) = image.levels.get(level as usize) else {
        return Err(here.fail(format!(
            "--level {level}: OME-Zarr image {} has {} level{} (0 to {})",
            image_name(&image),
            image.levels.len(),
            if image.levels.len() == 1 { "" } else { "s" },
            image.levels.len().saturating_sub(1)
        )));
    };
    let path = level_path(located, path);
    let arrays = store::arrays_under(located)?;
    if !arrays.iter().any(|(p, _)| *p == path) {
        return Err(here.fail(format!(
            "--level {level}: OME-Zarr image {} names its level {level} {path}, which is not an \
             array here",
            image_name(&image)
        )));
    }
    eprintln!(
        "note: OME-Zarr image {}: exporting level {level} ({path})",
        image_name(&image)
    );
    Ok(path)
}

/// The first OME image the named group's attributes describe (`None` for an array, or a group
/// without an NGFF multiscales block).
fn ome_image(located: &Located) -> Option<pymecompress_pyme::FoundImage> {
    let node = store::open_node(located).ok()?;
    let attributes = match node.metadata() {
        zarrs::metadata::NodeMetadata::Group(zarrs::group::GroupMetadata::V2(g)) => &g.attributes,
        zarrs::metadata::NodeMetadata::Group(zarrs::group::GroupMetadata::V3(g)) => &g.attributes,
        zarrs::metadata::NodeMetadata::Array(_) => return None,
    };
    pymecompress_pyme::find_images(attributes)
        .into_iter()
        .next()
}

/// A level's path as the store names arrays: the group's path, then the dataset's.
fn level_path(located: &Located, dataset: &str) -> String {
    format!(
        "{}/{}",
        located.node_path.trim_end_matches('/'),
        dataset.trim_matches('/')
    )
}

fn image_name(image: &pymecompress_pyme::FoundImage) -> String {
    image
        .name
        .as_ref()
        .map_or("(unnamed)".into(), |n| format!("{n:?}"))
}

/// What is wrong with a `--region`: its text alone (exit 2), or its fit to this array.
#[derive(Debug, PartialEq, Eq)]
pub enum RegionError {
    /// Not a region at all, or reversed: wrong whatever the array.
    Syntax(String),
    /// A well-formed region that reaches outside this array.
    Outside(String),
}

/// Parses `0:10,5:20` against `shape`, numpy-style per axis: `a:b`, `a:`, `:b`, `:` or nothing
/// (the whole axis), or a single index `i` (kept as an axis of length 1). Negative numbers count
/// from the end (`-10:`, `:-1`). Axes not given are taken whole. Unlike numpy, a slice past the
/// end is refused rather than clipped, and steps are not supported.
pub fn parse_region(
    region: Option<&str>,
    shape: &[u64],
) -> std::result::Result<Vec<Range<u64>>, RegionError> {
    let mut ranges: Vec<Range<u64>> = shape.iter().map(|&d| 0..d).collect();
    let Some(region) = region else {
        return Ok(ranges);
    };
    let parts: Vec<&str> = region.split(',').collect();
    if parts.len() > shape.len() {
        return Err(RegionError::Outside(format!(
            "{} axes given, the array has {}",
            parts.len(),
            shape.len()
        )));
    }
    for (axis, (part, &extent)) in parts.iter().zip(shape).enumerate() {
        ranges[axis] =
            parse_axis(part.trim(), extent).map_err(|e| e.map(|m| format!("axis {axis}: {m}")))?;
    }
    Ok(ranges)
}

impl RegionError {
    fn map(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Self::Syntax(m) => Self::Syntax(f(m)),
            Self::Outside(m) => Self::Outside(f(m)),
        }
    }
}

fn parse_axis(part: &str, extent: u64) -> std::result::Result<Range<u64>, RegionError> {
    let number = |s: &str| -> std::result::Result<Option<i64>, RegionError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<i64>().map(Some).map_err(|_| {
            RegionError::Syntax(format!(
                "'{s}' is not an integer (an axis is START:STOP, START: , :STOP, : or one index)"
            ))
        })
    };
    // numpy: a negative number counts from the end of the axis.
    let resolve = |v: i64| -> i128 {
        if v < 0 {
            i128::from(extent) + i128::from(v)
        } else {
            i128::from(v)
        }
    };
    let fields: Vec<&str> = part.split(':').collect();
    match fields.as_slice() {
        [""] => Ok(0..extent),
        [one] => {
            let Some(i) = number(one)? else {
                return Ok(0..extent);
            };
            let at = resolve(i);
            if at < 0 || at >= i128::from(extent) {
                return Err(RegionError::Outside(format!(
                    "index {i} is outside an axis of length {extent}"
                )));
            }
            Ok(at as u64..at as u64 + 1)
        }
        [a, b] => {
            let (a, b) = (number(a)?, number(b)?);
            let start = a.map_or(0, resolve);
            let stop = b.map_or(i128::from(extent), resolve);
            let text = format!(
                "{}:{}",
                a.map(|v| v.to_string()).unwrap_or_default(),
                b.map(|v| v.to_string()).unwrap_or_default()
            );
            if start > stop {
                return Err(RegionError::Syntax(format!(
                    "{text} is reversed: start {start} comes after stop {stop}"
                )));
            }
            if start < 0 || stop > i128::from(extent) {
                return Err(RegionError::Outside(format!(
                    "{text} is outside 0:{extent}"
                )));
            }
            Ok(start as u64..stop as u64)
        }
        _ => Err(RegionError::Syntax(format!(
            "'{part}' has a step; steps (START:STOP:STEP) are not supported"
        ))),
    }
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
        assert_eq!(parse_region(Some("-10:"), &shape).unwrap()[0], 40..50);
        assert_eq!(parse_region(Some(":-1"), &shape).unwrap()[0], 0..49);
        assert_eq!(parse_region(Some("5"), &shape).unwrap()[0], 5..6);
        assert_eq!(parse_region(Some("-1"), &shape).unwrap()[0], 49..50);
        assert_eq!(parse_region(Some("-5:-2"), &shape).unwrap()[0], 45..48);
        for bad in ["0-10", "::2", "a:b", "40:10", "-1:2"] {
            assert!(
                matches!(parse_region(Some(bad), &shape), Err(RegionError::Syntax(_))),
                "{bad}"
            );
        }
        for bad in ["0:51", "0,0,0,0", "70", "-51", "-51:"] {
            assert!(
                matches!(
                    parse_region(Some(bad), &shape),
                    Err(RegionError::Outside(_))
                ),
                "{bad}"
            );
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
