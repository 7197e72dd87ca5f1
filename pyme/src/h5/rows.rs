//! The PZF aggregate: `/PZFImageData` (a VLArray: one whole PZF file per row, rows in arrival
//! order) indexed by `/PZFImageIndex` (FrameNum, Position).
//!
//! Slot `i` is the row the index gives for FrameNum `i`; every indexed row's header is read on
//! opening and its FrameNum checked against the index. Without an index (a file cut short
//! between the two appends of the first row) frames are indexed by their headers' FrameNum.

use std::collections::BTreeMap;

use hdf5_reader::{Dataset, Datatype, Hdf5File};
use pymecompress_codecs::pzf::{self, PzfFrame, PzfHeader};

use super::tables::{field, int, records};
use super::{Ctx, H5Error, MAX_MISSING};
use crate::source::{decode_frame_into, Payload};
use crate::SourceError;

const DATA: &str = "/PZFImageData";
const INDEX: &str = "/PZFImageIndex";

/// One stored frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Row {
    /// Its row in `/PZFImageData`.
    pub position: u64,
    /// Its header, as read on opening.
    pub header: PzfHeader,
    /// Its length in bytes.
    pub len: u64,
    /// Where its bytes start in the file, when opening found its global-heap object whole
    /// (the plain case): read directly, without the heap collection around it.
    pub at: Option<u64>,
}

pub(super) struct PzfRows {
    file: Hdf5File,
    data: Dataset,
    /// The rows' variable-length references, `ref_size` bytes each.
    refs: Vec<u8>,
    ref_size: usize,
    rows: u64,
    pub frames: BTreeMap<u32, Row>,
}

impl PzfRows {
    pub fn open(ctx: &Ctx<'_>, file: &Hdf5File, has_index: bool) -> Result<Self, SourceError> {
        let data = ctx.run(DATA, || file.dataset(DATA))?;
        match data.dtype() {
            Datatype::VarLen { base, .. } if base.is_vlen_string_base() => {}
            other => {
                return Err(ctx.invalid(DATA, format!("rows of {other:?}, not byte strings")));
            }
        }
        let [rows] = data.shape() else {
            return Err(ctx.invalid(DATA, "not one row per frame (1-D)".into()));
        };
        let rows = *rows;
        let ref_size = ctx.run(DATA, || data.raw_element_size())?;
        // The references are stored unfiltered (PyTables gives VLArrays no filters): each row
        // costs its reference's bytes in the file.
        ctx.check_fits(DATA, "rows", rows, ref_size as u64, false)?;
        let refs = ctx.run(DATA, || data.read_raw_bytes())?;
        if refs.len() as u64 != rows * ref_size as u64 {
            return Err(ctx.invalid(DATA, "row references do not match the row count".into()));
        }
        let mut this = Self {
            file: file.clone(),
            data,
            refs,
            ref_size,
            rows,
            frames: BTreeMap::new(),
        };
        let entries = if has_index {
            index(ctx, file, rows)?
        } else {
            (0..rows).map(|p| (None, p)).collect()
        };
        for (frame_num, position) in entries {
            let object = row_object(position, frame_num);
            let (header, len, at) = match this.peek_header(position) {
                Some(found) => found,
                // Anything unusual (a padded header, a damaged heap): the whole row, whose
                // errors are the reader's own.
                None => {
                    let bytes = this.row_bytes(ctx, position, frame_num, None)?;
                    let header = PzfHeader::parse(&bytes)
                        .map_err(|e| ctx.error(&object, H5Error::Pzf(e)))?;
                    (header, bytes.len() as u64, None)
                }
            };
            let number = frame_num.unwrap_or(header.frame_num);
            if header.frame_num != number {
                return Err(ctx.invalid(
                    &object,
                    format!(
                        "holds FrameNum {}, the index says {number}",
                        header.frame_num
                    ),
                ));
            }
            let row = Row {
                position,
                header,
                len,
                at,
            };
            if let Some(first) = this.frames.insert(number, row) {
                return Err(ctx.invalid(
                    &object,
                    format!(
                        "frame {number} stored twice (rows {} and {position})",
                        first.position
                    ),
                ));
            }
        }
        // Frame numbers far beyond the rows would make every number between them a missing
        // frame, each listed.
        if let Some(&last) = this.frames.keys().next_back() {
            let stored = this.frames.len() as u64;
            if u64::from(last) + 1 > stored + MAX_MISSING {
                return Err(ctx.invalid(
                    INDEX,
                    format!(
                        "frame numbers reach {last} with {stored} frames stored: more than \
                         {MAX_MISSING} would be missing"
                    ),
                ));
            }
        }
        Ok(this)
    }

    /// Row `position`'s bytes: one whole PZF file. `found` is the row's `(at, len)` when
    /// opening found its object whole: one read of those bytes alone. Otherwise the reader
    /// resolves the reference, reading (and caching) the whole heap collection and copying the
    /// object out of it twice.
    fn row_bytes(
        &self,
        ctx: &Ctx<'_>,
        position: u64,
        frame_num: Option<u32>,
        found: Option<(u64, u64)>,
    ) -> Result<Vec<u8>, SourceError> {
        let object = row_object(position, frame_num);
        if let Some((at, len)) = found {
            // The reader checks the range against the file's length before it allocates.
            let len = usize::try_from(len)
                .map_err(|_| ctx.invalid(&object, format!("{len} bytes long")))?;
            return ctx
                .run(&object, || self.file.storage().read_range(at, len))
                .map(|bytes| bytes.to_vec());
        }
        let start = usize::try_from(position)
            .ok()
            .and_then(|p| p.checked_mul(self.ref_size))
            .filter(|_| position < self.rows)
            .ok_or_else(|| ctx.invalid(&object, format!("past the {} rows", self.rows)))?;
        let reference = &self.refs[start..start + self.ref_size];
        ctx.run(&object, || {
            self.data.resolve_vlen_reference_bytes(reference, 1)
        })
    }

    /// The PZF header of row `position`, the row's length and where its bytes start (when the
    /// object holds all the reference's bytes), from the first bytes of its global-heap object
    /// alone: resolving the reference reads the whole heap collection, which for a frame of
    /// megabytes is the frame, and opening a file of thousands of frames would read all of it.
    /// `None` for anything but the plain case, left to the full read.
    fn peek_header(&self, position: u64) -> Option<(PzfHeader, u64, Option<u64>)> {
        let file = &self.file;
        let start = usize::try_from(position).ok()?.checked_mul(self.ref_size)?;
        let reference = self.refs.get(start..start.checked_add(self.ref_size)?)?;
        let sb = file.superblock();
        let (offsets, lengths) = (usize::from(sb.offset_size), usize::from(sb.length_size));
        // Reference: sequence length u32, collection address, object index u32.
        let count = u64::from(u32::from_le_bytes(reference.get(..4)?.try_into().ok()?));
        let address = le_uint(reference.get(4..4 + offsets)?)?;
        let index = u32::from_le_bytes(reference.get(4 + offsets..8 + offsets)?.try_into().ok()?);
        let storage = file.storage();
        let read = |at: u64, len: usize| storage.read_range(at, len).ok();
        // Collection: "GCOL", version 1, 3 reserved bytes, its size (header included).
        let head = read(address, 8 + lengths)?;
        if head.get(..5)? != b"GCOL\x01" {
            return None;
        }
        let end = address.checked_add(le_uint(head.get(8..)?)?)?;
        let mut at = address + 8 + lengths as u64;
        // Objects: index u16, reference count u16, 4 reserved bytes, size, data padded to 8.
        // At most 65535 of them (the index is a u16); index 0 is the free space: the end.
        for _ in 0..=u16::MAX {
            let object = read(at, 8 + lengths)?;
            let found = u32::from(u16::from_le_bytes(object.get(..2)?.try_into().ok()?));
            let size = le_uint(object.get(8..)?)?;
            let data = at.checked_add(8 + lengths as u64)?;
            if found == 0 || data.checked_add(size)? > end {
                return None;
            }
            if found == index {
                let len = count.min(size);
                let bytes = read(data, usize::try_from(len.min(64)).ok()?)?;
                // An object shorter than its reference is left to the full read's error.
                let at = (count <= size).then_some(data);
                return PzfHeader::parse(&bytes).ok().map(|h| (h, len, at));
            }
            at = data.checked_add(size.checked_next_multiple_of(8)?)?;
        }
        None
    }

    /// Frame `number`'s stored PZF file, checked to still hold that frame.
    pub fn payload(&self, ctx: &Ctx<'_>, number: u32) -> Result<Option<Payload>, SourceError> {
        let Some(row) = self.frames.get(&number) else {
            return Ok(None);
        };
        let found = row.at.map(|at| (at, row.len));
        let bytes = self.row_bytes(ctx, row.position, Some(number), found)?;
        let object = row_object(row.position, Some(number));
        let payload = Payload::parse(bytes).map_err(|e| ctx.error(&object, H5Error::Pzf(e)))?;
        if payload.header.to_v3_bytes() != row.header.to_v3_bytes() {
            return Err(ctx.invalid(&object, "header changed since the file was opened".into()));
        }
        Ok(Some(payload))
    }

    /// Frame `number`, decoded as `PZFFormat.loads` decodes it.
    pub fn read_frame(&self, ctx: &Ctx<'_>, number: u32) -> Result<Option<PzfFrame>, SourceError> {
        let Some(payload) = self.payload(ctx, number)? else {
            return Ok(None);
        };
        let object = row_object(self.frames[&number].position, Some(number));
        pzf::decode(&payload.bytes)
            .map(Some)
            .map_err(|e| ctx.error(&object, H5Error::Pzf(e)))
    }

    /// Frame `number` decoded into `out` as little-endian bytes in C order, as
    /// [`decode_frame_into`] decodes a PZF file. `Ok(false)` for a frame the file does not hold; `Ok(true)` once written.
    ///
    /// # Errors
    /// As [`Self::read_frame`]; [`SourceError::FrameSize`] (naming `source_name` and `slot`) if
    /// `out` is not the frame's size.
    pub fn read_frame_into(
        &self,
        ctx: &Ctx<'_>,
        number: u32,
        (source_name, slot): (&str, u64),
        out: &mut [u8],
    ) -> Result<bool, SourceError> {
        let Some(payload) = self.payload(ctx, number)? else {
            return Ok(false);
        };
        let object = row_object(self.frames[&number].position, Some(number));
        let decode_error = |e| ctx.error(&object, H5Error::Pzf(e));
        decode_frame_into(
            &payload.bytes,
            payload.header.dim_order,
            (source_name, slot),
            out,
            decode_error,
        )
        .map(|()| true)
    }
}

/// A little-endian unsigned integer of 1 to 8 bytes.
fn le_uint(bytes: &[u8]) -> Option<u64> {
    let mut b = [0u8; 8];
    b.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(u64::from_le_bytes(b))
}

fn row_object(position: u64, frame_num: Option<u32>) -> String {
    match frame_num {
        Some(n) => format!("{DATA} row {position} (frame {n})"),
        None => format!("{DATA} row {position}"),
    }
}

/// `/PZFImageIndex` as (FrameNum, Position) pairs, each checked: FrameNum a u32, Position a row.
fn index(
    ctx: &Ctx<'_>,
    file: &Hdf5File,
    rows: u64,
) -> Result<Vec<(Option<u32>, u64)>, SourceError> {
    let ds = ctx.run(INDEX, || file.dataset(INDEX))?;
    // One entry per row at most (each names a distinct row): a larger count is damage, refused
    // before the entries are read.
    if ds.shape().first().is_some_and(|&n| n > rows) {
        return Err(ctx.invalid(INDEX, format!("{} entries for {rows} rows", ds.shape()[0])));
    }
    let (bytes, record, fields) = records(ctx, file, INDEX, "index entries")?;
    let (num_field, num) = field(ctx, INDEX, &fields, record, "FrameNum")?;
    let (pos_field, pos) = field(ctx, INDEX, &fields, record, "Position")?;
    let read = |f: &hdf5_reader::CompoundField, b: &[u8]| match f.datatype {
        Datatype::FixedPoint {
            signed, byte_order, ..
        } => int(b, byte_order, signed),
        _ => None,
    };
    bytes
        .chunks_exact(record)
        .enumerate()
        .map(|(k, r)| {
            let frame_num = read(num_field, &r[num.clone()]).and_then(|n| u32::try_from(n).ok());
            let position = read(pos_field, &r[pos.clone()]).and_then(|p| u64::try_from(p).ok());
            match (frame_num, position) {
                (Some(n), Some(p)) if p < rows => Ok((Some(n), p)),
                (Some(n), Some(p)) => Err(ctx.invalid(
                    INDEX,
                    format!("entry {k}: frame {n} at row {p}, past the {rows} rows"),
                )),
                _ => Err(ctx.invalid(
                    INDEX,
                    format!("entry {k}: FrameNum or Position is not a frame or row number"),
                )),
            }
        })
        .collect()
}
