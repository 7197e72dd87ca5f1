//! Filling a converted array's chunks: decoded and encoded again, or, for quant16 to quant16
//! with the same parameters and chunks, the stored streams moved across without decoding.

use std::borrow::Cow;
use std::num::NonZeroU64;

use pymecompress_codecs::{Endian, Quant16Codec};
use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes, ArrayError, BytesRepresentation, CodecChain, CodecOptions};
use zarrs::storage::WritableStorageTraits;

use crate::durable::resume::KeptChunks;
use crate::failure::{At, Place, Result};
use crate::progress;
use crate::store::{self, InArray, OutStore};

/// What a chunk loop did, chunk by chunk of the output's grid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Chunks written by this run.
    pub written: u64,
    /// Chunks a resumed run found written and checked (`KeptChunks`), left as they were.
    pub kept: u64,
    /// Source chunks absent (the fill value), so nothing to write.
    pub absent: u64,
}

impl Counts {
    fn add(self, other: Self) -> Self {
        Self {
            written: self.written + other.written,
            kept: self.kept + other.kept,
            absent: self.absent + other.absent,
        }
    }

    /// `12 chunks encoded with zstd; 3 kept from the interrupted run`: `unit` names what the
    /// grid holds (chunks, or shards), `done` what was done to the written ones.
    pub fn summary(&self, unit: &str, done: &str) -> String {
        let mut text = format!("{} {unit} {done}", self.written);
        if self.kept > 0 {
            text += &format!("; {} kept from the interrupted run", self.kept);
        }
        if self.absent > 0 {
            text += &format!("; {} absent in the source (fill value)", self.absent);
        }
        text
    }
}

const WRITTEN: Counts = Counts {
    written: 1,
    kept: 0,
    absent: 0,
};
const KEPT: Counts = Counts {
    written: 0,
    kept: 1,
    absent: 0,
};
const ABSENT: Counts = Counts {
    written: 0,
    kept: 0,
    absent: 1,
};

/// Reads each output chunk's region from the source and stores it, chunks in parallel.
/// Regions that hold only the fill value are not stored (zarrs skips empty chunks); they count
/// as written, since the output holds what the source does there.
pub fn recode(
    source: &InArray,
    in_place: &Place,
    target: &Array<OutStore>,
    place: &Place,
    kept: &KeptChunks,
) -> Result<Counts> {
    let indices = store::chunks(target);
    let bar = progress::items(indices.len() as u64, "converting");
    let result = indices.par_iter().map(|index| -> Result<Counts> {
        if kept.contains(&target.chunk_key(&index)) {
            bar.inc(1);
            return Ok(KEPT);
        }
        let chunk_place = place.chunk(store::chunk_label(target, &index));
        let subset = target.chunk_subset_bounded(&index).at(&chunk_place)?;
        let len = source.data_type().fixed_size().and_then(|size| {
            usize::try_from(subset.num_elements())
                .ok()?
                .checked_mul(size)
        });
        let data = if let Some(len) = len {
            // The fast path: the source chunks under this one decoded in parallel, in place.
            let mut data = vec![0u8; len];
            zarrs_pymecompress::read_region_bytes_into(source, &subset, &mut data)
                .map_err(|e| store::region_failure(source, &subset, in_place, &e))?;
            ArrayBytes::new_flen(data)
        } else {
            source
                .retrieve_array_subset::<ArrayBytes<'static>>(&subset)
                .map_err(|e| store::region_failure(source, &subset, in_place, &e))?
        };
        target.store_array_subset(&subset, data).at(&chunk_place)?;
        bar.inc(1);
        Ok(WRITTEN)
    });
    let counts = result.try_reduce(Counts::default, |a, b| Ok(a.add(b)));
    bar.finish_and_clear();
    counts
}

/// Moves every stored chunk of `source` to `target` as a quant16 stream: the source's
/// bytes-to-bytes codecs (if any) are undone, the target's applied, and the stream itself, the
/// same bytes in Zarr v2 and v3, is not re-encoded. Each stream is decoded once (by `codec`,
/// the arrays' shared quant16 configuration) before it is stored, so a damaged chunk stops the
/// copy instead of being copied. Both arrays must have the same quant16 configuration and
/// chunk grid (the plan checks).
pub fn transfer_streams(
    source: &InArray,
    in_place: &Place,
    target: &Array<OutStore>,
    place: &Place,
    codec: &Quant16Codec,
    kept: &KeptChunks,
) -> Result<Counts> {
    let indices = store::chunks(source);
    let bar = progress::items(indices.len() as u64, "copying");
    let (source_codecs, target_codecs) = (source.codecs(), target.codecs());
    let moved = indices
        .par_iter()
        .map(|index| -> Result<Counts> {
            if kept.contains(&target.chunk_key(&index)) {
                bar.inc(1);
                return Ok(KEPT);
            }
            let label = store::chunk_label(source, &index);
            let in_chunk = in_place.chunk(&label);
            let Some(stored) = source.retrieve_encoded_chunk(&index).at(&in_chunk)? else {
                bar.inc(1);
                return Ok(ABSENT);
            };
            let shape = source.chunk_shape(&index).at(&in_chunk)?;
            let stream = undo_bytes_codecs(&source_codecs, source, &shape, stored)
                .map_err(|e| store::chunk_failure(&in_chunk, &e))?;
            let values: usize = shape.iter().map(|n| n.get() as usize).product();
            let mut scratch = vec![0u8; values * 2];
            codec
                .decode_into_bytes(&stream, &mut scratch, Endian::NATIVE)
                .map_err(|e| {
                    in_chunk.fail(format!(
                        "damaged chunk, not copied: {}",
                        crate::failure::error_chain(&e)
                    ))
                })?;
            let out_chunk = place.chunk(store::chunk_label(target, &index));
            let encoded = apply_bytes_codecs(&target_codecs, stream).at(&out_chunk)?;
            target
                .storage()
                .set(&target.chunk_key(&index), encoded.into())
                .at(&out_chunk)?;
            bar.inc(1);
            Ok(WRITTEN)
        })
        .try_reduce(Counts::default, |a, b| Ok(a.add(b)));
    bar.finish_and_clear();
    moved
}

fn undo_bytes_codecs(
    codecs: &CodecChain,
    source: &InArray,
    shape: &[NonZeroU64],
    stored: Vec<u8>,
) -> std::result::Result<Vec<u8>, ArrayError> {
    let options = CodecOptions::default();
    // Each bytes-to-bytes codec decodes given the representation it was fed when encoding.
    let mut representations: Vec<BytesRepresentation> = vec![codecs
        .array_to_bytes_codec()
        .encoded_representation(shape, source.data_type(), source.fill_value())?];
    for codec in codecs.bytes_to_bytes_codecs() {
        let last = representations.last().expect("at least one");
        representations.push(codec.encoded_representation(last));
    }
    let mut bytes: Cow<'_, [u8]> = Cow::Owned(stored);
    for (codec, representation) in codecs
        .bytes_to_bytes_codecs()
        .iter()
        .zip(&representations)
        .rev()
    {
        bytes = Cow::Owned(codec.decode(bytes, representation, &options)?.into_owned());
    }
    Ok(bytes.into_owned())
}

fn apply_bytes_codecs(
    codecs: &CodecChain,
    stream: Vec<u8>,
) -> std::result::Result<Vec<u8>, zarrs::array::CodecError> {
    let options = CodecOptions::default();
    let mut bytes: Cow<'_, [u8]> = Cow::Owned(stream);
    for codec in codecs.bytes_to_bytes_codecs() {
        bytes = Cow::Owned(codec.encode(bytes, &options)?.into_owned());
    }
    Ok(bytes.into_owned())
}
