//! Writing a source's frames into the arrays of an OME image ([`super::OmeImage`]): level 0
//! at `0`, each further level at `1`, `2`, …, in one pass over the frames.
//!
//! Each frame is read once (or its payload moved into level 0's chunk and decoded once to
//! prove it, as [`crate::to_zarr`] does), transposed to (y, x) and halved for each level on the
//! thread that read it; only the frames being worked on are in memory. Each frame fills whole
//! chunks of every level (chunks of 1 along t, c and z), so frames never share a chunk.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use pymecompress_codecs::pzf::DimOrder;
use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::storage::ReadableWritableStorageTraits;

use super::downsample::Plane;
use super::OmeImage;
use crate::to_zarr::{zarr_error, Mover, PassThrough, WriteHooks, WriteStats};
use crate::{FrameLayout, FrameSelection, FrameSource, SourceError};

/// Writes `selection` of `source`'s frames into `levels` (level 0 first), frame `j` at
/// `image.frame_index(j)`, on the current rayon pool. `pass` moves payloads into level 0's
/// chunks as stored: give it only when level 0's chunks are one whole frame laid out in PYME's
/// order (Zarr v2 `"order": "F"`, Zarr v3 a `transpose` codec with order [.., n−1, n−2]); it
/// is not applied otherwise. Missing frames stay absent chunks; `hooks.row_done(j)` skips
/// frame `j` (a resumed write), `hooks.frames_done` counts frames.
///
/// # Errors
/// [`SourceError`] naming the frame or chunk: a frame that cannot be read or decoded, a moved
/// payload that does not decode, zarrs's error storing a chunk; a `levels` that does not have
/// `image.levels` arrays is a [`SourceError::Selection`].
pub fn write_image<S>(
    source: &dyn FrameSource,
    layout: &FrameLayout,
    selection: &FrameSelection,
    image: &OmeImage,
    levels: &[Array<S>],
    pass: Option<PassThrough>,
    hooks: &WriteHooks<'_>,
) -> Result<WriteStats, SourceError>
where
    S: ?Sized + ReadableWritableStorageTraits + 'static,
{
    if levels.len() != image.levels as usize {
        return Err(SourceError::Selection {
            source_name: source.name().to_string(),
            what: format!(
                "{} level arrays for an image of {} levels",
                levels.len(),
                image.levels
            ),
        });
    }
    let [width, height, _] = layout.shape;
    let whole_frames = levels.first().is_some_and(|level0| {
        let mut frame = vec![1u64; image.frame_axes()];
        frame.extend([height as u64, width as u64]);
        level0
            .chunk_shape(&vec![0; level0.dimensionality()])
            .is_ok_and(|c| c.iter().map(|n| n.get()).eq(frame.iter().copied()))
    });
    let mover = pass
        .filter(|_| whole_frames && layout.order == DimOrder::C)
        .map(|p| Mover::new(p, layout));
    let (moved, encoded, skipped) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let frame_len = layout.frame_bytes();
    (0..selection.len)
        .into_par_iter()
        .try_for_each(|j| -> Result<(), SourceError> {
            let slot = selection.slot(j);
            if !source.is_present(slot) || (hooks.row_done)(j) {
                skipped.fetch_add(1, Ordering::Relaxed);
                (hooks.frames_done)(1);
                return Ok(());
            }
            let at = image.frame_index(j);
            let mut xy = None;
            if let Some(mover) = &mover {
                if let Some(payload) = source.payload(slot)? {
                    if mover.applies(&payload) {
                        let mut index = at.clone();
                        index.extend([0, 0]);
                        xy = Some(mover.store(source, slot, &index, &payload, layout, &levels[0])?);
                        moved.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            let first = usize::from(xy.is_some());
            let xy = match xy {
                Some(xy) => xy,
                None => {
                    let mut xy = vec![0u8; frame_len];
                    source.read_frame_into(slot, &mut xy)?;
                    xy
                }
            };
            let mut plane = Plane::from_pyme_xy(layout.data_format, width, height, &xy);
            drop(xy);
            for (level, target) in levels.iter().enumerate() {
                if level > 0 {
                    plane = plane.halved();
                }
                if level < first {
                    continue;
                }
                let ranges: Vec<_> = at
                    .iter()
                    .map(|&i| i..i + 1)
                    .chain([0..plane.rows as u64, 0..plane.cols as u64])
                    .collect();
                let chunks = target
                    .chunks_in_array_subset(&ArraySubset::new_with_ranges(&ranges))
                    .ok()
                    .flatten()
                    .map_or(0, |c| c.num_elements());
                target
                    .store_array_subset(
                        &ArraySubset::new_with_ranges(&ranges),
                        ArrayBytes::new_flen(Cow::Borrowed(plane.bytes.as_slice())),
                    )
                    .map_err(|e| zarr_error(format!("level {level}, frame {slot}"), e))?;
                encoded.fetch_add(chunks, Ordering::Relaxed);
            }
            (hooks.frames_done)(1);
            Ok(())
        })?;
    Ok(WriteStats {
        moved: moved.into_inner(),
        encoded_chunks: encoded.into_inner(),
        skipped_rows: skipped.into_inner(),
    })
}
