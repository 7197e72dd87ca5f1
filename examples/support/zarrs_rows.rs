//! The zarrs rows of `bench_codecs_driver`: a 4096x4096 uint16 Poisson(100) image (seed 7) in
//! a zarrs `MemoryStore`, read on pools of 1 and 2 threads:
//! - `zarrs_per_chunk_quant16_decode`: 256x256 chunks, `retrieve_chunk` of each from a rayon loop;
//! - `zarrs_whole_quant16_decode`: the whole image into a fresh buffer through the fastest path
//!   offered (`zarrs_pymecompress::read_region`, whose `RegionBuffer` is huge-page mapped);
//! - `zarrs_whole_quant16_decode_reused`: the same into one caller buffer, reused
//!   (`read_region_into`; the buffer made once by `RegionBuffer::zeroed`, on huge
//!   pages, as docs/performance.md advises for a buffer that is reused);
//! - `zarrs_whole_quant16_decode_plain`: plain `Array::retrieve_array_subset::<Vec<u16>>`, for
//!   comparison (its `retrieve_array_subset_into` rows come from
//!   `zarr-plugin/examples/zarrs_upstream.rs`, which needs a crate to build zarrs's views);
//! - `zarrs_one_chunk_{quant16,huffman}_decode`: the image as one chunk, `retrieve_chunk`.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn build(side: u64, chunk: u64, quant16: bool) -> Result<Array<MemoryStore>, BoxError> {
    let store = Arc::new(MemoryStore::new());
    let mut builder = ArrayBuilder::new(
        vec![side, side],
        vec![chunk, chunk],
        data_type::uint16(),
        0u16,
    );
    if quant16 {
        builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()));
    } else {
        builder.bytes_to_bytes_codecs(vec![Arc::new(HuffmanCodec::new())]);
    }
    Ok(builder.build(store, "/image")?)
}

/// The shared `best_of` for fallible runs: the last run's error, if any, is passed on.
fn best_of<T>(runs: usize, f: impl FnMut() -> Result<T, BoxError>) -> Result<(f64, T), BoxError> {
    let (best, last) = pymecompress_test_support::timing::best_of(runs, f);
    Ok((best, last?))
}

/// Appends the `zarrs_*` rows for the image `values` (side x side, C order).
///
/// # Errors
/// If zarrs fails, or a path's result differs from the expected image.
pub fn rows(
    side: u64,
    values: &[u16],
    expected_quant16: &[u16],
    runs: usize,
    rows: &mut Vec<serde_json::Value>,
) -> Result<(), BoxError> {
    let whole = ArraySubset::new_with_shape(vec![side, side]);
    let chunked = build(side, 256, true)?;
    chunked.store_array_subset(&whole, values.to_vec())?;
    let one_q = build(side, side, true)?;
    one_q.store_array_subset(&whole, values.to_vec())?;
    let one_h = build(side, side, false)?;
    one_h.store_array_subset(&whole, values.to_vec())?;
    let indices = pymecompress_test_support::zarr_grid::chunk_indices(&chunked, &whole)?;
    let mb_s = |secs: f64| values.len() as f64 * 2.0 / secs / 1e6;
    let check = |got: &[u16], want: &[u16], what: &str| -> Result<(), BoxError> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what}: wrong result").into())
        }
    };
    // The caller's buffer, reused from read to read: made once on huge pages, as the docs advise.
    let mut reused = zarrs_pymecompress::RegionBuffer::<u16>::zeroed(values.len());
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        pool.install(|| -> Result<(), BoxError> {
            let mut row = |op: &str, secs: f64| {
                rows.push(json!({"op": format!("{op}_{threads}t"), "mb_s": mb_s(secs)}));
            };
            let (t, n) = best_of(runs, || {
                let n: usize = indices
                    .par_iter()
                    .map(|idx| chunked.retrieve_chunk::<Vec<u16>>(idx).map(|v| v.len()))
                    .try_reduce(|| 0, |a, b| Ok(a + b))?;
                Ok(n)
            })?;
            if n != values.len() {
                return Err("per-chunk read: wrong size".into());
            }
            row("zarrs_per_chunk_quant16_decode", t);

            let (t, out) = best_of(runs, || {
                Ok(zarrs_pymecompress::read_region::<u16, _>(&chunked, &whole)?)
            })?;
            check(&out, expected_quant16, "whole, fresh")?;
            drop(out);
            row("zarrs_whole_quant16_decode", t);

            let (t, ()) = best_of(runs, || {
                Ok(zarrs_pymecompress::read_region_into(
                    &chunked,
                    &whole,
                    &mut reused,
                )?)
            })?;
            check(&reused, expected_quant16, "whole, reused")?;
            row("zarrs_whole_quant16_decode_reused", t);

            let (t, out) = best_of(runs, || {
                Ok(chunked.retrieve_array_subset::<Vec<u16>>(&whole)?)
            })?;
            check(&out, expected_quant16, "whole, plain zarrs")?;
            drop(out);
            row("zarrs_whole_quant16_decode_plain", t);

            let (t, out) = best_of(runs, || Ok(one_q.retrieve_chunk::<Vec<u16>>(&[0, 0])?))?;
            check(&out, expected_quant16, "one quant16 chunk")?;
            drop(out);
            row("zarrs_one_chunk_quant16_decode", t);

            let (t, out) = best_of(runs, || Ok(one_h.retrieve_chunk::<Vec<u16>>(&[0, 0])?))?;
            check(&out, values, "one huffman chunk")?;
            drop(out);
            row("zarrs_one_chunk_huffman_decode", t);
            Ok(())
        })?;
    }
    Ok(())
}
