//! `/MetaData` (a group tree of attributes) as flat dotted keys, `/Events` as events, and the
//! compound-record helpers both tables need.

use std::collections::HashSet;

use hdf5_reader::group::Group;
use hdf5_reader::{Attribute, ByteOrder, CompoundField, Datatype, Hdf5File, StringSize};
use serde_json::{Map, Number, Value};

use super::Ctx;
use crate::{Event, SourceError};

/// PyTables' own attributes (`AttributeSet._v_attrnamessys` and the per-field ones), which
/// `HDFMDHandler.getEntryNames` does not list as metadata.
const SYSTEM_ATTRS: [&str; 14] = [
    "CLASS",
    "VERSION",
    "TITLE",
    "NROWS",
    "EXTDIM",
    "ENCODING",
    "PYTABLES_FORMAT_VERSION",
    "FLAVOR",
    "FILTERS",
    "AUTO_INDEX",
    "DIRTY",
    "NODE_TYPE",
    "NODE_TYPE_VERSION",
    "PSEUDOATOM",
];

/// Deeper than any metadata PYME writes (entries have a handful of dotted parts).
const MAX_DEPTH: usize = 32;

/// `/MetaData` as flat dotted keys; empty when the file has none. Lists and dicts, which
/// PyTables pickles, stay the pickle's text (never unpickled).
pub(super) fn metadata(ctx: &Ctx<'_>, file: &Hdf5File) -> Result<Map<String, Value>, SourceError> {
    let root = ctx.run("/", || file.root_group())?;
    let (groups, _) = ctx.run("/", || root.member_names())?;
    let mut out = Map::new();
    if !groups.iter().any(|g| g == "MetaData") {
        return Ok(out);
    }
    let group = ctx.run("/MetaData", || file.group("/MetaData"))?;
    let mut seen = HashSet::new();
    walk(ctx, &group, "/MetaData", "", 0, &mut seen, &mut out)?;
    Ok(out)
}

fn walk(
    ctx: &Ctx<'_>,
    group: &Group,
    object: &str,
    prefix: &str,
    depth: usize,
    seen: &mut HashSet<u64>,
    out: &mut Map<String, Value>,
) -> Result<(), SourceError> {
    // A hard link can put a group inside itself: each group is read once.
    if depth > MAX_DEPTH || !seen.insert(group.address()) {
        return Err(ctx.invalid(object, "groups nested in a cycle, or too deeply".into()));
    }
    for attribute in ctx.run(object, || group.attributes())? {
        if SYSTEM_ATTRS.contains(&attribute.name.as_str()) || attribute.name.starts_with("FIELD_") {
            continue;
        }
        let at = format!("{object} attribute {}", attribute.name);
        let value = attribute_value(ctx, group, &at, &attribute)?;
        out.insert(format!("{prefix}{}", attribute.name), value);
    }
    for child in ctx.run(object, || group.groups())? {
        let name = child.name().to_string();
        walk(
            ctx,
            &child,
            &format!("{object}/{name}"),
            &format!("{prefix}{name}."),
            depth + 1,
            seen,
            out,
        )?;
    }
    Ok(())
}

/// An attribute as PYME's metadata handler sees it: numbers, strings (fixed or variable
/// length; pickled lists and dicts are strings too), booleans (PyTables' 1-byte bitfield),
/// and 1-D arrays of those.
fn attribute_value(
    ctx: &Ctx<'_>,
    group: &Group,
    object: &str,
    attribute: &Attribute,
) -> Result<Value, SourceError> {
    let raw = &attribute.raw_data;
    let count = usize::try_from(attribute.shape.iter().product::<u64>()).unwrap_or(usize::MAX);
    if let Datatype::VarLen { .. } = attribute.datatype {
        // A variable-length string: a global-heap reference (only scalars are read).
        let bytes = ctx.run(object, || group.resolve_vlen_reference_bytes(raw, 1))?;
        return Ok(Value::String(text(&bytes)));
    }
    let size = element_size(&attribute.datatype)
        .ok_or_else(|| ctx.invalid(object, format!("unsupported type {:?}", attribute.datatype)))?;
    if let Datatype::String { .. } = attribute.datatype {
        // PyTables writes an empty string with a null dataspace (shape [0], no data).
        if attribute.shape.is_empty() || (count == 0 && raw.is_empty()) {
            return Ok(Value::String(text(raw)));
        }
    }
    if size == 0 || raw.len() < count.saturating_mul(size) {
        return Err(ctx.invalid(object, "shorter than its type and shape".into()));
    }
    let values: Vec<Value> = raw
        .chunks_exact(size)
        .take(count)
        .map(|item| scalar(&attribute.datatype, item))
        .collect::<Option<_>>()
        .ok_or_else(|| ctx.invalid(object, format!("unsupported type {:?}", attribute.datatype)))?;
    Ok(match (attribute.shape.len(), values.len()) {
        (0, 1) => values.into_iter().next().unwrap_or(Value::Null),
        _ => Value::Array(values),
    })
}

fn element_size(datatype: &Datatype) -> Option<usize> {
    Some(match datatype {
        Datatype::FixedPoint { size, .. }
        | Datatype::FloatingPoint { size, .. }
        | Datatype::Bitfield { size, .. } => usize::from(*size),
        Datatype::String {
            size: StringSize::Fixed(n),
            ..
        } => *n as usize,
        _ => return None,
    })
}

/// One element's value, or `None` for a type PYME does not write.
fn scalar(datatype: &Datatype, bytes: &[u8]) -> Option<Value> {
    Some(match datatype {
        Datatype::FixedPoint {
            signed, byte_order, ..
        } => {
            let v = int(bytes, *byte_order, *signed)?;
            if *signed {
                Value::Number(Number::from(v as i64))
            } else {
                Value::Number(Number::from(v as u64))
            }
        }
        Datatype::FloatingPoint { byte_order, .. } => Value::from(float(bytes, *byte_order)?),
        Datatype::Bitfield { .. } => Value::Bool(bytes.iter().any(|&b| b != 0)),
        Datatype::String { .. } => Value::String(text(bytes)),
        _ => return None,
    })
}

/// A fixed-length HDF5 string as numpy reads it: up to the first NUL, UTF-8 (lossy).
pub(super) fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// An integer of 1, 2, 4 or 8 bytes, sign-extended when `signed`, as 64 bits.
pub(super) fn int(bytes: &[u8], order: ByteOrder, signed: bool) -> Option<i128> {
    if !matches!(bytes.len(), 1 | 2 | 4 | 8) {
        return None;
    }
    let mut le = [0u8; 8];
    le[..bytes.len()].copy_from_slice(bytes);
    if order == ByteOrder::BigEndian {
        le[..bytes.len()].reverse();
    }
    let bits = bytes.len() * 8;
    let raw = u64::from_le_bytes(le);
    Some(if signed && bits < 64 && raw >> (bits - 1) & 1 == 1 {
        i128::from(raw) - (1i128 << bits)
    } else if signed {
        i128::from(raw as i64)
    } else {
        i128::from(raw)
    })
}

fn float(bytes: &[u8], order: ByteOrder) -> Option<f64> {
    let mut b = bytes.to_vec();
    if order == ByteOrder::BigEndian {
        b.reverse();
    }
    Some(match b.len() {
        4 => f64::from(f32::from_le_bytes(b.try_into().ok()?)),
        8 => f64::from_le_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// The field `name` of a compound type, checked to lie within a record of `record` bytes.
pub(super) fn field<'a>(
    ctx: &Ctx<'_>,
    object: &str,
    fields: &'a [CompoundField],
    record: usize,
    name: &str,
) -> Result<(&'a CompoundField, std::ops::Range<usize>), SourceError> {
    let f = fields
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| ctx.invalid(object, format!("no field {name}")))?;
    let size = element_size(&f.datatype)
        .ok_or_else(|| ctx.invalid(object, format!("field {name}: unsupported type")))?;
    let start = f.byte_offset as usize;
    match start.checked_add(size) {
        Some(end) if end <= record => Ok((f, start..end)),
        _ => Err(ctx.invalid(object, format!("field {name} lies outside its record"))),
    }
}

/// A table's records as raw bytes (after filters), its record size checked against the file.
pub(super) fn records(
    ctx: &Ctx<'_>,
    file: &Hdf5File,
    object: &str,
    what: &str,
) -> Result<(Vec<u8>, usize, Vec<CompoundField>), SourceError> {
    let ds = ctx.run(object, || file.dataset(object))?;
    let Datatype::Compound { size, fields } = ds.dtype().clone() else {
        return Err(ctx.invalid(object, "not a table (compound records)".into()));
    };
    let [rows] = ds.shape() else {
        return Err(ctx.invalid(
            object,
            format!("a table of {} dimensions", ds.shape().len()),
        ));
    };
    ctx.check_fits(object, what, *rows, u64::from(size), true)?;
    let bytes = ctx.run(object, || ds.read_raw_bytes())?;
    let record = size as usize;
    if record == 0 || bytes.len() as u64 != rows.saturating_mul(u64::from(size)) {
        return Err(ctx.invalid(object, "records do not match the table's size".into()));
    }
    Ok((bytes, record, fields))
}

/// `/Events` (`EventName` S32, `EventDescr` S256, `Time` f8), in stored order.
pub(super) fn events(ctx: &Ctx<'_>, file: &Hdf5File) -> Result<Vec<Event>, SourceError> {
    const OBJECT: &str = "/Events";
    let (bytes, record, fields) = records(ctx, file, OBJECT, "events")?;
    let (_, name) = field(ctx, OBJECT, &fields, record, "EventName")?;
    let (_, descr) = field(ctx, OBJECT, &fields, record, "EventDescr")?;
    let (time_field, time) = field(ctx, OBJECT, &fields, record, "Time")?;
    let Datatype::FloatingPoint { byte_order, .. } = time_field.datatype else {
        return Err(ctx.invalid(OBJECT, "Time is not a float".into()));
    };
    bytes
        .chunks_exact(record)
        .map(|r| {
            Ok(Event {
                name: text(&r[name.clone()]),
                description: text(&r[descr.clone()]),
                time: float(&r[time.clone()], byte_order)
                    .ok_or_else(|| ctx.invalid(OBJECT, "Time is not 4 or 8 bytes".into()))?,
            })
        })
        .collect()
}

/// The integer attribute `name` of `attributes`, if present and an integer.
pub(super) fn int_attribute(attributes: &[Attribute], name: &str) -> Option<i128> {
    let a = attributes.iter().find(|a| a.name == name)?;
    match a.datatype {
        Datatype::FixedPoint {
            size,
            signed,
            byte_order,
        } => int(a.raw_data.get(..usize::from(size))?, byte_order, signed),
        _ => None,
    }
}
