//! The series' JSON files: `metadata.json`, `final_metadata.json` and `events.json`.
//!
//! PYME's `ClusterBackend` sends each of them to one data server picked at random (its
//! distribution function spreads only frames by number), so any directory of the series may
//! hold them. `HTTPSpooler_v2` writes `events.json` twice: once from the backend's own event
//! logger (empty for a spooled series) and once from the spooler's; two different copies of
//! it are accepted when all but one are empty lists.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::SeriesError;

/// One event of `events.json`: `[EventName, EventDescr, Time]`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    /// EventName, e.g. `StartAq`, `ProtocolFocus`.
    pub name: String,
    /// EventDescr, free text (often numbers).
    pub description: String,
    /// Time, seconds since the epoch.
    pub time: f64,
}

/// The JSON files of a series, from whichever directories hold them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SeriesJson {
    /// The `metadata.json` kept (the first of equal copies).
    pub metadata_path: PathBuf,
    pub metadata: Map<String, Value>,
    pub final_metadata: Option<Map<String, Value>>,
    pub events: Option<Vec<Event>>,
}

/// Every copy of one of the series' files found, each with where it was read.
pub(crate) type Copies = Vec<(PathBuf, Vec<u8>)>;

/// Reads the JSON files of the series in `dirs`.
///
/// # Errors
/// As [`series_json`]; [`SeriesError::Io`] for a file that cannot be read.
pub(crate) fn read_series_json(dirs: &[PathBuf]) -> Result<SeriesJson, SeriesError> {
    series_json(dirs, |name| {
        let mut copies = Copies::new();
        for dir in dirs {
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(text) => copies.push((path, text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(SeriesError::Io { path, source }),
            }
        }
        Ok(copies)
    })
}

/// The JSON files of a series held in `places` (directories, or URLs of them), given every
/// copy of a file by name: how they are read (from disk, over HTTP) is the caller's.
///
/// # Errors
/// - [`SeriesError::MissingMetadata`] if no place holds `metadata.json`.
/// - [`SeriesError::InvalidJson`] for a file that is not JSON of the shape PYME writes.
/// - [`SeriesError::ConflictingCopies`] for two places holding different copies.
/// - The errors of `copies`.
pub(crate) fn series_json(
    places: &[PathBuf],
    mut copies: impl FnMut(&str) -> Result<Copies, SeriesError>,
) -> Result<SeriesJson, SeriesError> {
    let (metadata_path, metadata) = merged(copies("metadata.json")?, parse_object, |_| false)?
        .ok_or_else(|| SeriesError::MissingMetadata {
            dirs: places.to_vec(),
        })?;
    let final_metadata = merged(copies("final_metadata.json")?, parse_object, |_| false)?;
    let events = merged(copies("events.json")?, parse_events, Vec::is_empty)?;
    Ok(SeriesJson {
        metadata_path,
        metadata,
        final_metadata: final_metadata.map(|(_, m)| m),
        events: events.map(|(_, e)| e),
    })
}

/// The one value of a file over its copies: no copy gives `None`; copies must be equal,
/// except that copies for which `droppable` holds give way to one that does not.
fn merged<T: PartialEq>(
    copies: Copies,
    parse: fn(&Path, Value) -> Result<T, SeriesError>,
    droppable: fn(&T) -> bool,
) -> Result<Option<(PathBuf, T)>, SeriesError> {
    let mut kept: Option<(PathBuf, T)> = None;
    for (path, text) in copies {
        let value: Value = serde_json::from_slice(&text).map_err(|e| SeriesError::InvalidJson {
            path: path.clone(),
            reason: format!("not JSON: {e}"),
        })?;
        let value = parse(&path, value)?;
        kept = match kept {
            None => Some((path, value)),
            Some((first, old)) => {
                if old == value || (droppable(&value) && !droppable(&old)) {
                    Some((first, old))
                } else if droppable(&old) && !droppable(&value) {
                    Some((path, value))
                } else {
                    return Err(SeriesError::ConflictingCopies {
                        first,
                        second: path,
                    });
                }
            }
        };
    }
    Ok(kept)
}

pub(crate) fn parse_object(path: &Path, value: Value) -> Result<Map<String, Value>, SeriesError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(SeriesError::InvalidJson {
            path: path.to_path_buf(),
            reason: format!(
                "expected a JSON object of metadata entries, found {}",
                kind(&other)
            ),
        }),
    }
}

pub(crate) fn parse_events(path: &Path, value: Value) -> Result<Vec<Event>, SeriesError> {
    let invalid = |reason: String| SeriesError::InvalidJson {
        path: path.to_path_buf(),
        reason,
    };
    let Value::Array(entries) = value else {
        return Err(invalid(format!(
            "expected a list of [name, description, time], found {}",
            kind(&value)
        )));
    };
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| match entry {
            Value::Array(fields) => match fields.as_slice() {
                [Value::String(name), Value::String(description), Value::Number(time)] => {
                    Ok(Event {
                        name: name.clone(),
                        description: description.clone(),
                        time: time.as_f64().unwrap_or(f64::NAN),
                    })
                }
                _ => Err(invalid(format!(
                    "event {index}: expected [string, string, number], found {}",
                    Value::Array(fields.clone())
                ))),
            },
            other => Err(invalid(format!(
                "event {index}: expected [name, description, time], found {}",
                kind(&other)
            ))),
        })
        .collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The dimension order and sizes of a series from its metadata (`DimOrder`, default `XYCZT`,
/// as `ClusterBackend` writes it; `SizeZ`, `SizeT`, `SizeC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimensions {
    /// `DimOrder`, e.g. `XYCZT`: X and Y, then Z, T and C from fastest to slowest.
    pub dim_order: String,
    /// `SizeZ`; `None` when absent or not positive (PYME writes -1 for "as many as there are").
    pub size_z: Option<u64>,
    /// `SizeT`, likewise (a spooled series has -1).
    pub size_t: Option<u64>,
    /// `SizeC`, likewise.
    pub size_c: Option<u64>,
}

impl Dimensions {
    /// The number of frames the metadata gives: SizeZ × SizeT × SizeC when all three are
    /// known, else `None`.
    #[must_use]
    pub fn frame_count(&self) -> Option<u64> {
        self.size_z?
            .checked_mul(self.size_t?)?
            .checked_mul(self.size_c?)
    }
}

/// Reads the dimensions from metadata read from `path`.
///
/// # Errors
/// [`SeriesError::InvalidJson`] for a `DimOrder` that is not `XY` followed by `Z`, `T`, `C`
/// in some order, or a size that is not an integer.
pub(crate) fn dimensions(
    path: &Path,
    metadata: &Map<String, Value>,
) -> Result<Dimensions, SeriesError> {
    let invalid = |reason: String| SeriesError::InvalidJson {
        path: path.to_path_buf(),
        reason,
    };
    let dim_order = match metadata.get("DimOrder") {
        None => "XYCZT".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(invalid(format!(
                "DimOrder: expected a string, found {other}"
            )))
        }
    };
    let mut rest: Vec<char> = dim_order.chars().skip(2).collect();
    rest.sort_unstable();
    if !dim_order.starts_with("XY") || rest != ['C', 'T', 'Z'] {
        return Err(invalid(format!(
            "DimOrder: expected XY followed by Z, T and C in some order, found {dim_order:?}"
        )));
    }
    let size = |key: &str| -> Result<Option<u64>, SeriesError> {
        match metadata.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                let value = n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                    .ok_or_else(|| invalid(format!("{key}: expected an integer, found {n}")))?;
                Ok(u64::try_from(value).ok().filter(|&v| v > 0))
            }
            Some(other) => Err(invalid(format!(
                "{key}: expected an integer, found {other}"
            ))),
        }
    };
    Ok(Dimensions {
        size_z: size("SizeZ")?,
        size_t: size("SizeT")?,
        size_c: size("SizeC")?,
        dim_order,
    })
}
