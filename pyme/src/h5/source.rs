//! A PYME `.h5` file as a [`FrameSource`]: frames in frame-number order, stacked
//! (frames, X, Y) as PYME's `HDFDataSource` returns them.

use pymecompress_codecs::pzf::{PzfFrame, PzfHeader};
use serde_json::{Map, Value};

use super::{Body, H5Error, H5File, MAX_MISSING};
use crate::source::{FrameSource, Payload, SourceKind};
use crate::{Event, FrameLayout, SourceError};

impl H5File {
    /// SizeZ × SizeT × SizeC: `/ImageData`'s attributes, else the metadata (the aggregate has
    /// none of its own), when all three are positive integers.
    fn declared_frames(&self) -> Option<u64> {
        if let Body::Image(image) = &self.body {
            if image.expected.is_some() {
                return image.expected;
            }
        }
        let size = |key: &str| {
            self.metadata
                .get(key)
                .and_then(Value::as_u64)
                .filter(|&n| n > 0)
        };
        size("SizeZ")?
            .checked_mul(size("SizeT")?)?
            .checked_mul(size("SizeC")?)
    }

    fn present_end(&self) -> u64 {
        match &self.body {
            Body::Rows(rows) => rows
                .frames
                .keys()
                .next_back()
                .map_or(0, |&n| u64::from(n) + 1),
            Body::Image(image) => image.frames,
        }
    }

    /// Frame `i` as a stored frame number, if the file holds it.
    fn number(&self, i: u64) -> Option<u32> {
        let n = u32::try_from(i).ok()?;
        match &self.body {
            Body::Rows(rows) => rows.frames.contains_key(&n).then_some(n),
            Body::Image(image) => (i < image.frames).then_some(n),
        }
    }
}

impl FrameSource for H5File {
    fn kind(&self) -> SourceKind {
        SourceKind::H5
    }

    fn storage_layout(&self) -> Option<&'static str> {
        Some(match self.layout_kind() {
            super::H5Layout::PzfAggregate => {
                "PZF aggregate (/PZFImageData rows indexed by /PZFImageIndex)"
            }
            super::H5Layout::ImageData => "raw /ImageData (frames, X, Y)",
        })
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn len(&self) -> u64 {
        let present = self.present_end();
        self.expected_frames().map_or(present, |n| n.max(present))
    }

    fn present_count(&self) -> u64 {
        match &self.body {
            Body::Rows(rows) => rows.frames.len() as u64,
            Body::Image(image) => image.frames,
        }
    }

    fn is_present(&self, i: u64) -> bool {
        self.number(i).is_some()
    }

    fn missing(&self) -> Vec<u64> {
        (0..self.len()).filter(|&i| !self.is_present(i)).collect()
    }

    /// An aggregate gets `/Events` from the series' `events.json`, written last: without it
    /// the acquisition did not finish. `HDFBackend` makes its `/Events` on creation, so a raw
    /// spool is taken as finished.
    fn is_finished(&self) -> bool {
        match &self.body {
            Body::Rows(_) => self.events.is_some(),
            Body::Image(_) => true,
        }
    }

    /// The declared count, ignored when it would add more than `MAX_MISSING` frames beyond
    /// those stored.
    fn expected_frames(&self) -> Option<u64> {
        self.declared_frames()
            .filter(|&n| n <= self.present_end().saturating_add(MAX_MISSING))
    }

    fn layout(&self) -> Result<FrameLayout, SourceError> {
        let ctx = self.ctx();
        match &self.body {
            Body::Image(image) => image.layout(&ctx),
            Body::Rows(rows) => {
                let mut frames = rows.frames.iter();
                let Some((&first_num, first)) = frames.next() else {
                    return Err(ctx.invalid("/PZFImageData", "holds no frame".into()));
                };
                let object = |n: u32| format!("/PZFImageData frame {n}");
                let layout = FrameLayout::of(&first.header)
                    .map_err(|e| ctx.error(&object(first_num), H5Error::Pzf(e)))?;
                for (&n, row) in frames {
                    let found = FrameLayout::of(&row.header)
                        .map_err(|e| ctx.error(&object(n), H5Error::Pzf(e)))?;
                    if found != layout {
                        return Err(ctx.invalid(
                            &object(n),
                            format!("layout {found:?} differs from frame {first_num}'s {layout:?}"),
                        ));
                    }
                }
                Ok(layout)
            }
        }
    }

    fn first_header(&self) -> Option<PzfHeader> {
        match &self.body {
            Body::Rows(rows) => rows.frames.values().next().map(|r| r.header),
            Body::Image(image) => (image.frames > 0)
                .then(|| image.header(&self.ctx(), 0).ok())
                .flatten(),
        }
    }

    /// The aggregate: the stored PZF files' bytes. Raw frames: the file's length (chunks are
    /// not summed).
    fn stored_bytes(&self) -> u64 {
        match &self.body {
            Body::Rows(rows) => rows.frames.values().map(|r| r.len).sum(),
            Body::Image(_) => self.file_len,
        }
    }

    fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }

    fn events(&self) -> Option<&[Event]> {
        self.events.as_deref()
    }

    /// The stored PZF file for the aggregate; `None` for raw frames (decoded instead).
    fn payload(&self, i: u64) -> Result<Option<Payload>, SourceError> {
        match (&self.body, self.number(i)) {
            (Body::Rows(rows), Some(n)) => rows.payload(&self.ctx(), n),
            _ => Ok(None),
        }
    }

    /// Raw frames are read straight into `out` (float64 too, which has no PZF frame).
    fn read_frame_into(&self, i: u64, out: &mut [u8]) -> Result<bool, SourceError> {
        if self.number(i).is_none() {
            return Ok(false);
        }
        let frame_bytes = match &self.body {
            Body::Image(image) => image.layout(&self.ctx())?.frame_bytes(),
            Body::Rows(rows) => {
                let Some(n) = self.number(i) else {
                    return Ok(false);
                };
                return rows.read_frame_into(&self.ctx(), n, (&self.name, i), out);
            }
        };
        if frame_bytes != out.len() {
            return Err(SourceError::FrameSize {
                source_name: self.name.clone(),
                frame: i,
                frame_bytes,
                buffer_bytes: out.len(),
            });
        }
        if let Body::Image(image) = &self.body {
            image.read_into(&self.ctx(), i, out)?;
        }
        Ok(true)
    }

    fn read_frame(&self, i: u64) -> Result<Option<PzfFrame>, SourceError> {
        let Some(n) = self.number(i) else {
            return Ok(None);
        };
        match &self.body {
            Body::Rows(rows) => rows.read_frame(&self.ctx(), n),
            Body::Image(image) => image.read_frame(&self.ctx(), i).map(Some),
        }
    }
}
