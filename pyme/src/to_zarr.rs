//! Writing a source's frames into a zarr array whose metadata the caller made: frame `j` of
//! the selection at index `j` along the first axis (a stack), or as the whole array (one
//! `.pzf` file).
//!
//! Where a frame's stored payload already is a chunk of the array's codec, it is moved without
//! decoding ([`PassThrough`]): a Huffman PZF payload framed by the core is a
//! `pymecompress-huffman` chunk (PZF pixels are little-endian, as the array's), and a
//! quantized payload is a `pymecompress-quant16` chunk with the same parameters. Every moved
//! chunk is decoded once before it is stored, so a damaged payload stops the write instead of
//! being copied. Every other frame is decoded and encoded by zarrs.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use pymecompress_codecs::pzf::{Compression, DimOrder};
use pymecompress_codecs::{huffman, quant16, Endian, Quant16Codec, QuantParams};
use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes, ArraySubset, CodecOptions};
use zarrs::storage::ReadableWritableStorageTraits;

use crate::source::{array_shape, FrameSource, Payload};
use crate::{FrameLayout, FrameSelection, SourceError};

/// How stored payloads become chunks without decoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PassThrough {
    /// Unquantized Huffman payloads into `pymecompress-huffman` chunks (the array's first
    /// bytes-to-bytes codec).
    Huffman,
    /// Quantized payloads into `pymecompress-quant16` chunks (the array-to-bytes codec) with
    /// these parameters, the frames' own.
    Quant16(QuantParams),
}

/// What the caller tracks while frames are written.
pub struct WriteHooks<'a> {
    /// Whether the chunks of output row `row` (along the first axis) are already written and
    /// checked (a resumed write): such a row is skipped.
    pub row_done: &'a (dyn Fn(u64) -> bool + Sync),
    /// Called with the number of output frames each finished row covered.
    pub frames_done: &'a (dyn Fn(u64) + Sync),
}

/// What a write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Frames whose payloads were moved as stored.
    pub moved: u64,
    /// Chunks decoded from the source and encoded by zarrs.
    pub encoded_chunks: u64,
    /// Chunk rows skipped: already written, or wholly missing frames.
    pub skipped_rows: u64,
}

/// Writes `selection` of `source`'s frames into `target`, rows of chunks along the first axis
/// in parallel on the current rayon pool. `pass` moves payloads where the array has one whole
/// frame per chunk in C order; missing frames stay absent chunks (the fill value).
///
/// # Errors
/// [`SourceError`] naming the frame or chunk: a frame that cannot be read or decoded, a moved
/// payload that does not decode or disagrees with `layout`, or zarrs's error storing a chunk.
pub fn write_frames<S>(
    source: &dyn FrameSource,
    layout: &FrameLayout,
    selection: &FrameSelection,
    target: &Array<S>,
    pass: Option<PassThrough>,
    hooks: &WriteHooks<'_>,
) -> Result<WriteStats, SourceError>
where
    S: ?Sized + ReadableWritableStorageTraits + 'static,
{
    let shape = target.shape().to_vec();
    let frame_axis = source.is_stack();
    let rows_along = if frame_axis { selection.len } else { 1 };
    let chunk_rows = chunk_len_along_first(target, rows_along)?;
    let whole_frame_chunks = one_frame_per_chunk(source, layout, target);
    let pass = pass.filter(|_| whole_frame_chunks && layout.order == DimOrder::C);
    let mover = pass.map(|p| Mover::new(p, layout));

    let (moved, encoded, skipped) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let rows = rows_along.div_ceil(chunk_rows);
    (0..rows)
        .into_par_iter()
        .try_for_each(|row| -> Result<(), SourceError> {
            let first = row * chunk_rows;
            let end = (first + chunk_rows).min(rows_along);
            let slots: Vec<u64> = (first..end).map(|j| selection.slot(j)).collect();
            if slots.iter().all(|&i| !source.is_present(i)) || (hooks.row_done)(row) {
                skipped.fetch_add(1, Ordering::Relaxed);
                (hooks.frames_done)(end - first);
                return Ok(());
            }
            if let (Some(mover), [slot]) = (&mover, &slots[..]) {
                if let Some(payload) = source.payload(*slot)? {
                    if mover.applies(&payload) {
                        let mut index = vec![0u64; target.dimensionality()];
                        if frame_axis {
                            index[0] = row;
                        }
                        mover.store(source, *slot, &index, &payload, layout, target)?;
                        moved.fetch_add(1, Ordering::Relaxed);
                        (hooks.frames_done)(1);
                        return Ok(());
                    }
                }
            }
            let frame_len = layout.frame_bytes();
            let mut bytes = vec![0u8; frame_len * slots.len()];
            for (slot, out) in slots.iter().zip(bytes.chunks_exact_mut(frame_len)) {
                source.read_frame_into(*slot, out)?;
            }
            if cfg!(target_endian = "big") {
                let item = layout.pixel.itemsize();
                bytes.chunks_exact_mut(item).for_each(<[u8]>::reverse);
            }
            let ranges: Vec<_> = if frame_axis {
                std::iter::once(first..end)
                    .chain(shape[1..].iter().map(|&d| 0..d))
                    .collect()
            } else {
                shape.iter().map(|&d| 0..d).collect()
            };
            target
                .store_array_subset(
                    &ArraySubset::new_with_ranges(&ranges),
                    ArrayBytes::new_flen(Cow::Owned(bytes)),
                )
                .map_err(|e| zarr_error(format!("frames {first}..{end}"), e))?;
            encoded.fetch_add(1, Ordering::Relaxed);
            (hooks.frames_done)(end - first);
            Ok(())
        })?;
    Ok(WriteStats {
        moved: moved.into_inner(),
        encoded_chunks: encoded.into_inner() * chunks_per_row(target, frame_axis),
        skipped_rows: skipped.into_inner(),
    })
}

/// Chunks in one row along the first axis (a single file: in the whole array).
fn chunks_per_row<S: ?Sized>(target: &Array<S>, frame_axis: bool) -> u64 {
    let grid = target.chunk_grid_shape();
    let skip = usize::from(frame_axis);
    grid.iter().skip(skip).product()
}

pub(crate) fn zarr_error(
    place: String,
    e: impl std::error::Error + Send + Sync + 'static,
) -> SourceError {
    SourceError::Zarr {
        place,
        source: Box::new(e),
    }
}

/// The chunk length along the first axis (for a single file: the whole array is one row).
fn chunk_len_along_first<S: ?Sized>(target: &Array<S>, rows: u64) -> Result<u64, SourceError> {
    let zero = vec![0u64; target.dimensionality()];
    let shape = target
        .chunk_shape(&zero)
        .map_err(|e| zarr_error("chunk grid".to_string(), e))?;
    Ok(shape.first().map_or(rows, |n| n.get()).max(1))
}

/// Whether each chunk of `target` is exactly one whole frame.
fn one_frame_per_chunk<S: ?Sized>(
    source: &dyn FrameSource,
    layout: &FrameLayout,
    target: &Array<S>,
) -> bool {
    let zero = vec![0u64; target.dimensionality()];
    let Ok(chunk) = target.chunk_shape(&zero) else {
        return false;
    };
    let chunk: Vec<u64> = chunk.iter().map(|n| n.get()).collect();
    chunk == array_shape(source, layout, 1)
}

/// Moves payloads into chunks: frames them through the core, proves each by decoding it once,
/// applies the array's later bytes-to-bytes codecs (a Zarr v3 `crc32c`) and stores it whole.
/// The chunk's bytes are the payload's, in PYME's order: an array whose logical axes differ
/// (an OME image's (y, x)) says so in its chunk layout (`crate::ome::write`).
pub(crate) struct Mover {
    pass: PassThrough,
    quant16: Option<Quant16Codec>,
    pixels: usize,
    frame_bytes: usize,
}

impl Mover {
    pub(crate) fn new(pass: PassThrough, layout: &FrameLayout) -> Self {
        Self {
            pass,
            quant16: match pass {
                PassThrough::Quant16(params) => Some(Quant16Codec::new(params)),
                PassThrough::Huffman => None,
            },
            pixels: layout.pixels(),
            frame_bytes: layout.frame_bytes(),
        }
    }

    /// Only one Huffman stream moves; raw and chunked-Huffman frames are decoded instead.
    pub(crate) fn applies(&self, payload: &Payload) -> bool {
        payload.header.compression == Compression::Huffman
    }

    /// Stores `payload` as chunk `index` of `target`; returns the frame it decoded to (PYME's
    /// little-endian bytes, C order of (Width, Height, Depth)).
    pub(crate) fn store<S>(
        &self,
        source: &dyn FrameSource,
        slot: u64,
        index: &[u64],
        payload: &Payload,
        layout: &FrameLayout,
        target: &Array<S>,
    ) -> Result<Vec<u8>, SourceError>
    where
        S: ?Sized + ReadableWritableStorageTraits + 'static,
    {
        let refuse = |what: String, cause| SourceError::Payload {
            source_name: source.name().to_string(),
            frame: slot,
            what,
            cause,
        };
        let found = FrameLayout::of(&payload.header)
            .map_err(|e| refuse(format!("has an invalid header ({e})"), None))?;
        if found != *layout {
            return Err(refuse(
                format!(
                    "header changed since the source was opened: {found:?}, expected {layout:?}"
                ),
                None,
            ));
        }
        let mut scratch = vec![0u8; self.frame_bytes];
        let chunk = match (&self.pass, &self.quant16) {
            (PassThrough::Quant16(_), Some(codec)) => {
                let chunk = quant16::frame_stream(payload.stored(), self.pixels)
                    .map_err(|e| refuse("cannot be framed".into(), Some(e)))?;
                codec
                    .decode_into_bytes(&chunk, &mut scratch, Endian::Little)
                    .map_err(|e| refuse("does not decode".into(), Some(e)))?;
                chunk
            }
            _ => {
                let chunk = huffman::frame_stream(payload.stored(), self.frame_bytes)
                    .map_err(|e| refuse("cannot be framed".into(), Some(e)))?;
                huffman::decode_into(&chunk, &mut scratch)
                    .map_err(|e| refuse("does not decode".into(), Some(e)))?;
                chunk
            }
        };
        let key = target.chunk_key(index);
        // Our codec is the array-to-bytes codec for quant16 and the first bytes-to-bytes codec
        // for Huffman; codecs after it still apply.
        let skip = usize::from(matches!(self.pass, PassThrough::Huffman));
        let options = CodecOptions::default();
        let mut encoded: Cow<'_, [u8]> = Cow::Owned(chunk);
        for codec in target.codecs().bytes_to_bytes_codecs().iter().skip(skip) {
            encoded = Cow::Owned(
                codec
                    .encode(encoded, &options)
                    .map_err(|e| zarr_error(format!("chunk {}", key.as_str()), e))?
                    .into_owned(),
            );
        }
        target
            .storage()
            .set(&key, encoded.into_owned().into())
            .map_err(|e| zarr_error(format!("chunk {}", key.as_str()), e))?;
        Ok(scratch)
    }
}
