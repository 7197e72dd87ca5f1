//! `pymecompress demo`: a photon-counting movie through quant16 and through zstd, measured.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataOptions, ArrayMetadataV2};
use zarrs::filesystem::FilesystemStore;

use crate::commands::info::{human_bytes, short_bytes};
use crate::failure::{At, Failure, Place, Result};
use crate::progress;
use pymecompress::synth::{synthesize_into, MovieSpec};

pub fn run(frames: usize, size: &str, out: Option<&Path>, seed: u64) -> Result<ExitCode> {
    let (height, width) = parse_size(size).map_err(Failure::msg)?;
    if frames == 0 {
        return Err(Failure::msg("--frames must be at least 1"));
    }
    let spec = MovieSpec {
        frames,
        height,
        width,
        seed,
        ..MovieSpec::default()
    };
    let raw_bytes = spec.raw_bytes() as u64;

    println!(
        "pymecompress demo: {frames} frames of {height} x {width} uint16 = {}",
        human_bytes(raw_bytes)
    );
    println!(
        "  camera offset {} counts, background {} photons/pixel (Poisson), {} moving spots of up to {} photons, {} rayon threads",
        spec.camera_offset,
        spec.background_photons,
        spec.spots,
        spec.spot_peak_photons,
        rayon::current_num_threads()
    );

    let mut movie = vec![0u16; frames * spec.frame_len()];
    let bar = progress::items(frames as u64, "synthesis");
    synthesize_into(&spec, &mut movie, |_| bar.inc(1));
    bar.finish_and_clear();

    let temp;
    let dir: PathBuf = match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).at(&Place::store(dir.display()))?;
            dir.to_path_buf()
        }
        None => {
            temp = tempfile::tempdir()
                .map_err(|e| Failure::msg(format!("temporary directory: {e}")))?;
            temp.path().to_path_buf()
        }
    };

    let offset = spec.camera_offset;
    let quant16 =
        json!({"id": zarrs_pymecompress::HUFFMAN_QUANT16_ID_V2, "offset": offset, "scale": 1});
    let zstd = json!({"id": "zstd", "level": 3});
    let q = round_trip(
        &dir.join("movie-quant16.zarr"),
        &spec,
        &movie,
        &quant16,
        "quant16",
    )?;
    let error = ErrorStats::measure(&movie, &q.decoded, offset);
    let q = RoundTrip {
        decoded: Vec::new(),
        ..q
    };
    let z = round_trip(&dir.join("movie-zstd.zarr"), &spec, &movie, &zstd, "zstd")?;
    let zstd_exact = movie == z.decoded;

    println!();
    println!(
        "  {:<30} {:>11} {:>8} {:>13} {:>13}",
        "codec", "stored", "ratio", "encode", "decode"
    );
    for (name, r) in [
        (format!("quant16 (offset {offset}, scale 1)"), &q),
        ("zstd level 3".to_string(), &z),
    ] {
        println!(
            "  {:<30} {:>11} {:>7.2}x {:>8.0} MB/s {:>8.0} MB/s",
            name,
            short_bytes(r.stored_bytes),
            raw_bytes as f64 / r.stored_bytes as f64,
            mb_per_s(raw_bytes, r.encode),
            mb_per_s(raw_bytes, r.decode),
        );
    }
    println!(
        "  (MB/s = 10^6 bytes of uint16 pixels per second, through zarrs to and from disk, one chunk per frame)"
    );
    println!();
    println!(
        "quant16 is {:.1}x smaller than zstd; zstd round trip exact: {zstd_exact}",
        z.stored_bytes as f64 / q.stored_bytes as f64
    );
    println!(
        "quant16 error: max |error| {} counts; worst |error| / sqrt(signal - offset) = {:.3} \
         (scale 1 bounds it near 1: the step is the photon noise); {:.1}% of pixels exact",
        error.max_abs,
        error.worst_in_noise,
        100.0 * error.exact as f64 / movie.len() as f64
    );
    match out {
        Some(_) => println!("stores kept in {}", dir.display()),
        None => {
            println!(
                "stores are in a temporary directory, removed at exit (keep them with --out DIR)"
            )
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How far the restored movie is from the original.
struct ErrorStats {
    /// Largest absolute error, in counts.
    max_abs: u16,
    /// Largest |error| / sqrt(max(signal - offset, 1)): the error in units of the photon noise.
    worst_in_noise: f64,
    /// Pixels restored exactly.
    exact: u64,
}

impl ErrorStats {
    fn measure(original: &[u16], restored: &[u16], offset: u16) -> Self {
        original
            .par_iter()
            .zip(restored)
            .map(|(&x, &y)| {
                let error = x.abs_diff(y);
                let photons = f64::from(x.saturating_sub(offset)).max(1.0);
                Self {
                    max_abs: error,
                    worst_in_noise: f64::from(error) / photons.sqrt(),
                    exact: u64::from(error == 0),
                }
            })
            .reduce(
                || Self {
                    max_abs: 0,
                    worst_in_noise: 0.0,
                    exact: 0,
                },
                |a, b| Self {
                    max_abs: a.max_abs.max(b.max_abs),
                    worst_in_noise: a.worst_in_noise.max(b.worst_in_noise),
                    exact: a.exact + b.exact,
                },
            )
    }
}

fn parse_size(size: &str) -> std::result::Result<(usize, usize), String> {
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|&v| (1..=1 << 16).contains(&v))
            .ok_or_else(|| format!("--size '{size}': expected N or HEIGHTxWIDTH, each 1..=65536"))
    };
    match size.split_once(['x', 'X']) {
        Some((h, w)) => Ok((parse(h)?, parse(w)?)),
        None => parse(size).map(|n| (n, n)),
    }
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64().max(1e-9) / 1e6
}

struct RoundTrip {
    stored_bytes: u64,
    encode: Duration,
    decode: Duration,
    decoded: Vec<u16>,
}

/// Writes the movie as a Zarr v2 array with `compressor`, one frame per chunk, and reads it back.
fn round_trip(
    path: &Path,
    spec: &MovieSpec,
    movie: &[u16],
    compressor: &Value,
    label: &'static str,
) -> Result<RoundTrip> {
    let place = Place::store(path.display())
        .array("/")
        .codec(compressor["id"].as_str().unwrap_or("?"));
    if path.exists() {
        return Err(place.fail("already exists; remove it or choose another --out"));
    }
    std::fs::create_dir_all(path).at(&place)?;
    let storage = Arc::new(FilesystemStore::new(path).at(&place)?);
    let document = json!({
        "zarr_format": 2,
        "shape": [spec.frames, spec.height, spec.width],
        "chunks": [1, spec.height, spec.width],
        "dtype": "<u2",
        "compressor": compressor,
        "fill_value": 0,
        "order": "C",
        "filters": null,
    });
    let metadata: ArrayMetadataV2 = serde_json::from_value(document).at(&place)?;
    let array = Array::new_with_metadata(storage, "/", ArrayMetadata::V2(metadata)).at(&place)?;
    array
        .store_metadata_opt(&ArrayMetadataOptions::default().with_include_zarrs_metadata(false))
        .at(&place)?;

    let frame_len = spec.frame_len();
    let bar = progress::items(spec.frames as u64, label);
    bar.set_message(format!("{label} write"));
    let start = Instant::now();
    movie
        .par_chunks(frame_len)
        .enumerate()
        .try_for_each(|(t, frame)| {
            let index = [t as u64, 0, 0];
            bar.inc(1);
            array
                .store_chunk(&index, frame)
                .at(&place.chunk(array.chunk_key(&index)))
        })?;
    let encode = start.elapsed();
    bar.finish_and_clear();

    let stored_bytes = dir_bytes(path).at(&place)?;

    let bar = progress::items(spec.frames as u64, label);
    bar.set_message(format!("{label} read"));
    let mut decoded = vec![0u16; movie.len()];
    let start = Instant::now();
    decoded
        .par_chunks_mut(frame_len)
        .enumerate()
        .try_for_each(|(t, out)| {
            let index = [t as u64, 0, 0];
            let frame: Vec<u16> = array
                .retrieve_chunk(&index)
                .at(&place.chunk(array.chunk_key(&index)))?;
            out.copy_from_slice(&frame);
            bar.inc(1);
            Ok::<(), Failure>(())
        })?;
    let decode = start.elapsed();
    bar.finish_and_clear();
    Ok(RoundTrip {
        stored_bytes,
        encode,
        decode,
        decoded,
    })
}

/// Total size of the files under `dir` (chunks and metadata).
fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        total += if kind.is_dir() {
            dir_bytes(&entry.path())?
        } else {
            entry.metadata()?.len()
        };
    }
    Ok(total)
}
