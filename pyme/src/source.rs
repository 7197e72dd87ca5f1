//! [`FrameSource`]: the one interface every PYME image source implements (a `.pzf` file, a
//! cluster series; next an HDF5 file, a series over HTTP), and that every command is written
//! against once.
//!
//! A source is a stack of frames, numbered from 0. A slot may be empty (a frame the series
//! lacks); what a command does about that is [`crate::gaps`]'s policy, not the source's.

use std::fmt;

use pymecompress_codecs::pzf::{self, DimOrder, PzfError, PzfFrame, PzfHeader};
use serde_json::{Map, Value};

use crate::frames::write_c_order_le;
use crate::{Event, FrameLayout, SourceError};

/// What kind of source it is, for messages and `info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// One `.pzf` file: a single frame, shaped as `PZFFormat.loads` returns it.
    Pzf,
    /// A cluster series: `frame%05d.pzf` files in a `NAME.pcs` directory and its copies.
    Series,
    /// A PYME HDF5 file (`.h5`): a PZF aggregate or raw `/ImageData` frames.
    H5,
}

impl SourceKind {
    /// What marks a finished acquisition in this kind of source: `events.json` in a series, the
    /// `/Events` table in an `.h5` aggregate (its copy of `events.json`).
    #[must_use]
    pub fn finish_marker(self) -> &'static str {
        match self {
            Self::H5 => "/Events table",
            _ => "events.json",
        }
    }

    /// The word used in messages: `pzf`, `series`, `h5`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Pzf => "pzf",
            Self::Series => "series",
            Self::H5 => "h5",
        }
    }
}

/// One frame's stored bytes: a whole PZF file (header and payload) and its parsed header, for
/// moving the payload into a chunk without decoding it.
#[derive(Clone, Debug)]
pub struct Payload {
    /// The PZF file's bytes.
    pub bytes: Vec<u8>,
    /// Its header, parsed from `bytes`.
    pub header: PzfHeader,
}

impl Payload {
    /// Parses the header of a whole PZF file.
    ///
    /// # Errors
    /// The PZF reader's error for a header that is not valid.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, pzf::PzfError> {
        let header = PzfHeader::parse(&bytes)?;
        Ok(Self { bytes, header })
    }

    /// The pixels as stored (after the header): raw bytes or a Huffman stream.
    #[must_use]
    pub fn stored(&self) -> &[u8] {
        // `PzfHeader::parse` checked DataOffset against the length.
        self.bytes
            .get(self.header.data_offset as usize..)
            .unwrap_or_default()
    }
}

/// A source of PYME frames. Every method that touches stored data returns a [`SourceError`]
/// naming the source and the frame; none panics on bad data.
pub trait FrameSource: Send + Sync {
    /// What kind of source this is.
    fn kind(&self) -> SourceKind;

    /// The source as the user named it (a path or URL), for messages.
    fn name(&self) -> &str;

    /// Where its data lives, when more than one place (a series' directories on each data
    /// server); empty for a single file.
    fn locations(&self) -> Vec<String> {
        Vec::new()
    }

    /// Frame slots: the highest frame present + 1, or more when the metadata gives a larger
    /// frame count (frames missing at the end).
    fn len(&self) -> u64;

    /// True when the source has no frame slot at all.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many frames are present.
    fn present_count(&self) -> u64;

    /// Whether slot `i` holds a frame.
    fn is_present(&self, i: u64) -> bool;

    /// The slots below [`Self::len`] that hold no frame, ascending.
    fn missing(&self) -> Vec<u64>;

    /// Whether the acquisition finished (a series: `events.json` present). A file is.
    fn is_finished(&self) -> bool {
        true
    }

    /// How many frames the metadata says the acquisition has (SizeZ × SizeT × SizeC), when
    /// it says.
    fn expected_frames(&self) -> Option<u64> {
        None
    }

    /// Whether frames are stacked along a first axis (a series), or the single frame is the
    /// whole array (a `.pzf` file, as `PZFFormat.loads` returns it).
    fn is_stack(&self) -> bool {
        true
    }

    /// How the frames are laid out inside the source, when it has more than one way (an
    /// `.h5` file: a PZF aggregate or raw `/ImageData`), for `info`.
    fn storage_layout(&self) -> Option<&'static str> {
        None
    }

    /// How many frames a reader should have in flight at once, whatever its CPU count: above
    /// 1 where reading waits on a network (a series on data servers: so many requests per
    /// server), so that the servers are kept busy rather than the cores.
    fn concurrent_reads(&self) -> usize {
        1
    }

    /// The layout every frame shares.
    ///
    /// # Errors
    /// [`SourceError`] naming the first frame that differs from the lowest-numbered one, or a
    /// source with no frame.
    fn layout(&self) -> Result<FrameLayout, SourceError>;

    /// The header of the lowest-numbered frame, as indexed.
    fn first_header(&self) -> Option<PzfHeader>;

    /// Bytes stored, all frames.
    fn stored_bytes(&self) -> u64;

    /// PYME metadata as flat dotted keys (`metadata.json`); empty for a `.pzf` file.
    fn metadata(&self) -> &Map<String, Value>;

    /// `final_metadata.json`, if any.
    fn final_metadata(&self) -> Option<&Map<String, Value>> {
        None
    }

    /// The events (`events.json`), if any.
    fn events(&self) -> Option<&[Event]> {
        None
    }

    /// Frame `i`'s stored bytes; `None` for an empty slot.
    ///
    /// # Errors
    /// [`SourceError`] if the bytes cannot be read or their header is not valid PZF.
    fn payload(&self, i: u64) -> Result<Option<Payload>, SourceError>;

    /// Frame `i` decoded as `PZFFormat.loads` decodes it; `None` for an empty slot.
    ///
    /// # Errors
    /// [`SourceError`] if it cannot be read or decoded, or now holds another frame.
    fn read_frame(&self, i: u64) -> Result<Option<PzfFrame>, SourceError>;

    /// Frame `i` decoded into `out` as little-endian bytes in C order of (Width, Height,
    /// Depth); `Ok(false)` (and `out` untouched) for an empty slot.
    ///
    /// # Errors
    /// As [`Self::read_frame`]; [`SourceError::FrameSize`] if `out` is not one frame long.
    fn read_frame_into(&self, i: u64, out: &mut [u8]) -> Result<bool, SourceError> {
        let Some(frame) = self.read_frame(i)? else {
            return Ok(false);
        };
        write_frame(&frame, i, self.name(), out).map(|()| true)
    }
}

impl fmt::Debug for dyn FrameSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind().word(), self.name())
    }
}

/// Writes slot `i`'s decoded `frame` into `out` in C order ([`write_c_order_le`]).
///
/// # Errors
/// [`SourceError::FrameSize`] naming `source_name` if `out` is not the frame's size.
pub(crate) fn write_frame(
    frame: &PzfFrame,
    i: u64,
    source_name: &str,
    out: &mut [u8],
) -> Result<(), SourceError> {
    if write_c_order_le(frame, out) {
        return Ok(());
    }
    let frame_bytes = frame.data.len() * frame.header.data_format.itemsize();
    Err(frame_size(source_name, i, frame_bytes, out.len()))
}

/// Decodes slot `i`'s PZF file `bytes`, of DimOrder `order`, into `out` as little-endian bytes
/// in C order: straight from the file ([`pzf::decode_into`]) for a frame in C order, through
/// [`pzf::decode`] and [`write_frame`] for one in F order (numpy's 1xN frames).
///
/// # Errors
/// [`SourceError::FrameSize`] naming `source_name` if `out` is not the frame's size; a
/// decoding error as `decode_error` makes it (naming the file or object it came from).
pub(crate) fn decode_frame_into(
    bytes: &[u8],
    order: DimOrder,
    (source_name, i): (&str, u64),
    out: &mut [u8],
    decode_error: impl Fn(PzfError) -> SourceError,
) -> Result<(), SourceError> {
    if order != DimOrder::C {
        let frame = pzf::decode(bytes).map_err(&decode_error)?;
        return write_frame(&frame, i, source_name, out);
    }
    match pzf::decode_into(bytes, out) {
        Ok(_) => Ok(()),
        Err(PzfError::OutputSizeMismatch { expected, found }) => {
            Err(frame_size(source_name, i, expected, found))
        }
        Err(e) => Err(decode_error(e)),
    }
}

/// The error for a buffer `out` of slot `i` that is not the frame's size.
fn frame_size(source_name: &str, i: u64, frame_bytes: usize, buffer_bytes: usize) -> SourceError {
    SourceError::FrameSize {
        source_name: source_name.to_string(),
        frame: i,
        frame_bytes,
        buffer_bytes,
    }
}

/// The shape of an array of `frames` of a source's frames: (frames, Width, Height), plus Depth
/// when above 1, for a stack; (Width, Height, Depth) for a single file, as `PZFFormat.loads`
/// returns it (`frames` is then 1 and not an axis).
#[must_use]
pub fn array_shape(source: &dyn FrameSource, layout: &FrameLayout, frames: u64) -> Vec<u64> {
    let [w, h, d] = layout.shape.map(|n| n as u64);
    if !source.is_stack() {
        return vec![w, h, d];
    }
    let mut shape = vec![frames, w, h];
    if d > 1 {
        shape.push(d);
    }
    shape
}
