//! The measurements behind `docs/upstream.md`: where plain zarrs loses time reading a whole
//! chunked array, path by path, on stock zarrs 0.23.
//!
//! A 4096x4096 uint16 Poisson(100) image (seed 7) in 256x256 `pymecompress-quant16` chunks,
//! `MemoryStore`, read on pools of 1 and 2 threads, best of RUNS (default 5), MB/s of decoded
//! data:
//! - `per_chunk`: `retrieve_chunk::<Vec<u16>>` of every chunk from a rayon loop (what the codec
//!   and zarrs's per-chunk path do, with no whole-array output);
//! - `plain_vec`: `retrieve_array_subset::<Vec<u16>>`;
//! - `plain_bytes`: `retrieve_array_subset::<ArrayBytes>`: the same without the copy into a
//!   `Vec<u16>` (`pod_collect_to_vec`, cause 1);
//! - `plain_into_fresh` / `plain_into_reused`: `retrieve_array_subset_into` a fresh zeroed
//!   `Vec<u8>` each read, or one buffer reused (their gap is the first touch, cause 2);
//! - `read_region_reused`: ours, `zarrs_pymecompress::read_region_into` one reused buffer.
//!
//! And on one thread, the copies around the codec call:
//! - `view_copy`: every decoded chunk copied into a 32 MiB output through
//!   `ArrayBytesFixedDisjointView::copy_from_slice` (cause 3), against `strided_copy`, the same
//!   rows copied by a plain loop;
//! - `encoded_copy`: every stored chunk's bytes copied once (what `Cow::Owned` costs, cause 4).
//!
//! Usage: `cargo run --release -p zarrs-pymecompress --example zarrs_upstream -- [--json] [RUNS]`.
//! With `--json`, prints only `{"rows": [{"op", "mb_s"}]}` for `benches/compare`: the rows of
//! plain zarrs's `_into` paths, `zarrs_whole_quant16_decode_plain_into_{1t,2t}` (fresh) and
//! `zarrs_whole_quant16_decode_plain_into_reused_{1t,2t}` (the `Vec<u16>` path's row,
//! `zarrs_whole_quant16_decode_plain`, comes from `bench_codecs_driver`). They live here
//! because building zarrs's output views needs the `unsafe_cell_slice` crate.

use std::sync::Arc;

use pymecompress_test_support::timing::best_of;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;
use unsafe_cell_slice::UnsafeCellSlice;
use zarrs::array::{
    data_type, ArrayBuilder, ArrayBytes, ArrayBytesDecodeIntoTarget, ArrayBytesFixedDisjointView,
    ArraySubset,
};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress::HuffmanQuant16Codec;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const SIDE: u64 = 4096;
const CHUNK: u64 = 256;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let runs: usize = args
        .iter()
        .find(|a| *a != "--json")
        .map_or(Ok(5), |s| s.parse())?;
    let mut json_rows = Vec::new();
    let n = usize::try_from(SIDE * SIDE)?;
    let mut rng = StdRng::seed_from_u64(7);
    let poisson = Poisson::new(100.0)?;
    let image: Vec<u16> = (0..n).map(|_| poisson.sample(&mut rng) as u16).collect();
    let mut builder = ArrayBuilder::new(
        vec![SIDE, SIDE],
        vec![CHUNK, CHUNK],
        data_type::uint16(),
        0u16,
    );
    builder.array_to_bytes_codec(Arc::new(HuffmanQuant16Codec::default()));
    let array = builder.build(Arc::new(MemoryStore::new()), "/image")?;
    let whole = ArraySubset::new_with_shape(vec![SIDE, SIDE]);
    array.store_array_subset(&whole, image)?;
    let chunks = pymecompress_test_support::zarr_grid::chunk_indices(&array, &whole)?;
    let expected: Vec<u16> = array.retrieve_array_subset(&whole)?;
    let expected_bytes: Vec<u8> = expected.iter().flat_map(|v| v.to_ne_bytes()).collect();
    let mb_s = |secs: f64| (n * 2) as f64 / secs / 1e6;
    let shape = [SIDE, SIDE];
    let mut reused = vec![0u8; n * 2];
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        pool.install(|| -> Result<(), BoxError> {
            let mut row = |op: &str, secs: f64| {
                if json {
                    let name = match op {
                        "plain_into_fresh" => "zarrs_whole_quant16_decode_plain_into",
                        "plain_into_reused" => "zarrs_whole_quant16_decode_plain_into_reused",
                        _ => return,
                    };
                    json_rows.push(format!(
                        r#"{{"op": "{name}_{threads}t", "mb_s": {:.1}}}"#,
                        mb_s(secs)
                    ));
                } else {
                    println!("{op}_{threads}t\t{:.0}", mb_s(secs));
                }
            };
            let (t, got) = best_of(runs, || {
                chunks
                    .par_iter()
                    .map(|c| array.retrieve_chunk::<Vec<u16>>(c).map(|v| v.len()))
                    .try_reduce(|| 0, |a, b| Ok(a + b))
            });
            check(got? == n, "per_chunk")?;
            row("per_chunk", t);
            let (t, got) = best_of(runs, || array.retrieve_array_subset::<Vec<u16>>(&whole));
            check(got? == expected, "plain_vec")?;
            row("plain_vec", t);
            let (t, got) = best_of(runs, || {
                array.retrieve_array_subset::<ArrayBytes<'static>>(&whole)
            });
            check(*got?.into_fixed()? == *expected_bytes, "plain_bytes")?;
            row("plain_bytes", t);
            let into = |out: &mut [u8]| -> Result<(), BoxError> {
                // SAFETY: one view over the whole buffer, so no other view overlaps it.
                let mut view = unsafe {
                    ArrayBytesFixedDisjointView::new(
                        UnsafeCellSlice::new(out),
                        2,
                        &shape,
                        whole.clone(),
                    )?
                };
                Ok(array.retrieve_array_subset_into(
                    &whole,
                    ArrayBytesDecodeIntoTarget::Fixed(&mut view),
                )?)
            };
            let (t, got) = best_of(runs, || {
                let mut out = vec![0u8; n * 2];
                into(&mut out).map(|()| out)
            });
            check(got? == expected_bytes, "plain_into_fresh")?;
            row("plain_into_fresh", t);
            let (t, got) = best_of(runs, || into(&mut reused));
            got?;
            check(reused == expected_bytes, "plain_into_reused")?;
            row("plain_into_reused", t);
            let (t, got) = best_of(runs, || {
                zarrs_pymecompress::read_region_into(&array, &whole, &mut reused)
            });
            got?;
            check(reused == expected_bytes, "read_region_reused")?;
            row("read_region_reused", t);
            Ok(())
        })?;
    }
    if json {
        println!(r#"{{"rows": [{}]}}"#, json_rows.join(", "));
        return Ok(());
    }
    copies(&array, &chunks, &expected_bytes, runs, &mut reused)
}

/// The copies around the codec call, on this thread.
fn copies(
    array: &zarrs::array::Array<MemoryStore>,
    chunks: &[Vec<u64>],
    expected: &[u8],
    runs: usize,
    out: &mut [u8],
) -> Result<(), BoxError> {
    let chunk_bytes = usize::try_from(CHUNK * CHUNK * 2)?;
    let row_bytes = usize::try_from(CHUNK * 2)?;
    let out_row = usize::try_from(SIDE * 2)?;
    let decoded: Vec<Vec<u8>> = chunks
        .iter()
        .map(|c| {
            Ok(array
                .retrieve_chunk::<ArrayBytes<'static>>(c)?
                .into_fixed()?
                .to_vec())
        })
        .collect::<Result<_, BoxError>>()?;
    let shape = [SIDE, SIDE];
    let per_copy = |secs: f64| secs * 1e3;
    let (t, got) = best_of(runs, || -> Result<(), BoxError> {
        let cells = UnsafeCellSlice::new(&mut *out);
        for (c, bytes) in chunks.iter().zip(&decoded) {
            let subset = array.chunk_subset(c)?;
            // SAFETY: the chunks' subsets are disjoint.
            let mut view = unsafe { ArrayBytesFixedDisjointView::new(cells, 2, &shape, subset)? };
            view.copy_from_slice(bytes)?;
        }
        Ok(())
    });
    got?;
    check(out == expected, "view_copy")?;
    println!("view_copy_ms\t{:.1}", per_copy(t));
    out.fill(0);
    let (t, ()) = best_of(runs, || {
        for (c, bytes) in chunks.iter().zip(&decoded) {
            let (r0, c0) = (c[0] * CHUNK, c[1] * CHUNK);
            let at =
                usize::try_from(r0).unwrap_or(0) * out_row + usize::try_from(c0 * 2).unwrap_or(0);
            for (k, src) in bytes
                .chunks_exact(row_bytes)
                .enumerate()
                .take(chunk_bytes / row_bytes)
            {
                let from = at + k * out_row;
                out[from..from + row_bytes].copy_from_slice(src);
            }
        }
    });
    check(out == expected, "strided_copy")?;
    println!("strided_copy_ms\t{:.1}", per_copy(t));
    let encoded: Vec<Vec<u8>> = chunks
        .iter()
        .map(|c| Ok(array.retrieve_encoded_chunk(c)?.ok_or("missing chunk")?))
        .collect::<Result<_, BoxError>>()?;
    let total: usize = encoded.iter().map(Vec::len).sum();
    let (t, copies) = best_of(runs, || {
        encoded.iter().map(|e| e.to_vec()).collect::<Vec<_>>()
    });
    drop(copies);
    println!("encoded_copy_ms\t{:.1}\t({total} bytes)", per_copy(t));
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<(), BoxError> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: wrong result").into())
    }
}
