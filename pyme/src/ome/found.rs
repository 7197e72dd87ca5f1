//! Reading an NGFF multiscales block back: what `info` says of an OME-Zarr store, and where
//! `export` finds level 0.

use serde_json::{Map, Value};

/// An OME-NGFF image found in a group's attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundImage {
    /// `0.4`, `0.5`, ... as the block says.
    pub version: String,
    /// The image's name, if given.
    pub name: Option<String>,
    /// The axes' names, in order.
    pub axes: Vec<String>,
    /// The axes' units (`None` where not given).
    pub units: Vec<Option<String>>,
    /// Each level's path (relative to the group) and scale, level 0 first.
    pub levels: Vec<(String, Option<Vec<f64>>)>,
}

/// The multiscales images a group's attributes describe: NGFF 0.4 (`multiscales`, each with
/// its `version`) or 0.5 (`ome.multiscales`, the version in `ome.version`). Empty when there
/// are none; parts that are not as NGFF describes them are left out rather than refused (a
/// reader of someone else's store describes what it can).
#[must_use]
pub fn find_images(attributes: &Map<String, Value>) -> Vec<FoundImage> {
    let (list, outer_version) = match attributes.get("ome") {
        Some(ome) => (ome.get("multiscales"), ome.get("version")),
        None => (attributes.get("multiscales"), None),
    };
    let Some(Value::Array(list)) = list else {
        return Vec::new();
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    list.iter()
        .map(|image| {
            let axes = image["axes"].as_array().cloned().unwrap_or_default();
            let levels = image["datasets"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .map(|level| {
                            let scale = level["coordinateTransformations"]
                                .as_array()
                                .and_then(|t| t.iter().find(|t| t["type"] == "scale"))
                                .and_then(|t| serde_json::from_value(t["scale"].clone()).ok());
                            (text(level.get("path")).unwrap_or_default(), scale)
                        })
                        .collect()
                })
                .unwrap_or_default();
            FoundImage {
                version: text(outer_version.or(image.get("version"))).unwrap_or_default(),
                name: text(image.get("name")),
                // NGFF 0.3 gave axes as bare names.
                axes: axes
                    .iter()
                    .map(|a| text(a.get("name").or(Some(a))).unwrap_or_default())
                    .collect(),
                units: axes.iter().map(|a| text(a.get("unit"))).collect(),
                levels,
            }
        })
        .collect()
}
