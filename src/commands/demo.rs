//! `pymecompress demo`: a photon-counting movie through quant16 and through zstd, measured.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataOptions, ArrayMetadataV2};

use crate::bytes_text::{human_bytes, short_bytes};
use crate::durable::atomic::PartialDir;
use crate::durable::completion;
use crate::failure::{At, Failure, Place, Result};
use crate::progress;
use crate::store::OutStore;
use crate::synth::{synthesize_frame, MovieSpec};
use pymecompress_codecs::QuantParams;
use zarrs_pymecompress::HuffmanQuant16Codec;

pub fn run(
    frames: usize,
    size: &str,
    out: Option<&Path>,
    seed: u64,
    force: bool,
    restart: bool,
) -> Result<ExitCode> {
    let (height, width) = parse_size(size).map_err(Failure::usage)?;
    if frames == 0 {
        return Err(Failure::usage("--frames must be at least 1"));
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

    let temp;
    let dir: PathBuf = match out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::msg(format!("--out {}: {e}", dir.display())))?;
            dir.to_path_buf()
        }
        None => {
            temp = tempfile::tempdir()
                .map_err(|e| Failure::msg(format!("temporary directory: {e}")))?;
            temp.path().to_path_buf()
        }
    };

    let offset = spec.camera_offset;
    let params = QuantParams::new(f64::from(offset), 1.0).map_err(Failure::msg)?;
    let quant16 = serde_json::to_value(HuffmanQuant16Codec::new(params).compressor_v2())
        .map_err(Failure::msg)?;
    let zstd = json!({"id": "zstd", "level": 3});
    let mut q = MovieStore::create(
        &dir.join("movie-quant16.zarr"),
        &spec,
        &quant16,
        force,
        restart,
    )?;
    let mut z = MovieStore::create(&dir.join("movie-zstd.zarr"), &spec, &zstd, force, restart)?;

    // The movie is made, written and checked a batch of frames at a time, so memory stays at
    // a few frames whatever --frames is. Only the stores' own work is timed.
    let batch = (2 * rayon::current_num_threads()).max(1);
    let frame_len = spec.frame_len();
    let mut movie = vec![0u16; batch * frame_len];
    let mut decoded = vec![0u16; batch * frame_len];
    let bar = progress::items(frames as u64, "writing");
    for first in (0..frames).step_by(batch) {
        let n = batch.min(frames - first);
        synthesize_frames(&spec, first, &mut movie[..n * frame_len]);
        q.write(first, &movie[..n * frame_len])?;
        z.write(first, &movie[..n * frame_len])?;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    q.measure_size()?;
    z.measure_size()?;

    let mut error = ErrorStats::ZERO;
    let mut zstd_exact = true;
    let bar = progress::items(frames as u64, "reading");
    for first in (0..frames).step_by(batch) {
        let n = batch.min(frames - first);
        let (movie, decoded) = (&mut movie[..n * frame_len], &mut decoded[..n * frame_len]);
        synthesize_frames(&spec, first, movie);
        q.read(first, decoded)?;
        error = error.merge(ErrorStats::measure(movie, decoded, &params));
        z.read(first, decoded)?;
        zstd_exact &= movie == decoded;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    let (q, z) = (q.finish()?, z.finish()?);

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
    let pixels = (frames * frame_len) as f64;
    println!(
        "quant16 error: max |error| {} counts; worst |error| / sqrt(signal - offset) = {:.3} \
         (scale 1 bounds it near 1: the step is the photon noise); worst |error| / \
         QuantParams::max_error = {:.3} (at most 1); {:.1}% of pixels exact",
        error.max_abs,
        error.worst_in_noise,
        error.worst_of_bound,
        100.0 * error.exact as f64 / pixels
    );
    if error.saturated > 0 {
        println!(
            "  {} pixels above the saturation limit {:.0} (offset + (255.5 x scale)^2): their \
             8-bit symbol saturates, so they come back lower",
            error.saturated,
            params.saturation_limit()
        );
    }
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

/// Frames `first..` of the movie into `out` (whole frames), in parallel.
fn synthesize_frames(spec: &MovieSpec, first: usize, out: &mut [u16]) {
    out.par_chunks_mut(spec.frame_len())
        .enumerate()
        .for_each(|(i, frame)| synthesize_frame(spec, first + i, frame));
}

/// How far the restored movie is from the original.
struct ErrorStats {
    /// Largest absolute error, in counts.
    max_abs: u16,
    /// Largest |error| / sqrt(max(signal - offset, 1)): the error in units of the photon noise.
    worst_in_noise: f64,
    /// Largest |error| / `QuantParams::max_error(x)`: at most 1, where the bound holds.
    worst_of_bound: f64,
    /// Pixels above `QuantParams::saturation_limit`.
    saturated: u64,
    /// Pixels restored exactly.
    exact: u64,
}

impl ErrorStats {
    const ZERO: Self = Self {
        max_abs: 0,
        worst_in_noise: 0.0,
        worst_of_bound: 0.0,
        saturated: 0,
        exact: 0,
    };

    fn merge(self, other: Self) -> Self {
        Self {
            max_abs: self.max_abs.max(other.max_abs),
            worst_in_noise: self.worst_in_noise.max(other.worst_in_noise),
            worst_of_bound: self.worst_of_bound.max(other.worst_of_bound),
            saturated: self.saturated + other.saturated,
            exact: self.exact + other.exact,
        }
    }

    fn measure(original: &[u16], restored: &[u16], params: &QuantParams) -> Self {
        let limit = params.saturation_limit();
        original
            .par_iter()
            .zip(restored)
            .map(|(&x, &y)| {
                let error = f64::from(x.abs_diff(y));
                let photons = (f64::from(x) - params.offset()).max(1.0);
                let bound = params.max_error(x);
                Self {
                    max_abs: x.abs_diff(y),
                    worst_in_noise: error / photons.sqrt(),
                    // A zero bound (x at the offset) holds only a zero error.
                    worst_of_bound: if bound > 0.0 { error / bound } else { error },
                    saturated: u64::from(f64::from(x) > limit),
                    exact: u64::from(error == 0.0),
                }
            })
            .reduce(|| Self::ZERO, Self::merge)
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
}

/// One demo store: a Zarr v2 array, one frame per chunk, written under a temporary name and put
/// in place by [`MovieStore::finish`], with the time spent in zarrs counted.
struct MovieStore {
    partial: PartialDir,
    array: Array<OutStore>,
    place: Place,
    frame_len: usize,
    stats: RoundTrip,
}

impl MovieStore {
    fn create(
        path: &Path,
        spec: &MovieSpec,
        compressor: &Value,
        force: bool,
        restart: bool,
    ) -> Result<Self> {
        let place = Place::store(path.display())
            .array("/")
            .codec(compressor["id"].as_str().unwrap_or("?"));
        let partial = PartialDir::create(path, force, restart)?;
        let storage = Arc::new(OutStore::new(partial.path()).at(&place)?);
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
        let array =
            Array::new_with_metadata(storage, "/", ArrayMetadata::V2(metadata)).at(&place)?;
        array
            .store_metadata_opt(&ArrayMetadataOptions::default().with_include_zarrs_metadata(false))
            .at(&place)?;
        Ok(Self {
            partial,
            array,
            place,
            frame_len: spec.frame_len(),
            stats: RoundTrip {
                stored_bytes: 0,
                encode: Duration::ZERO,
                decode: Duration::ZERO,
            },
        })
    }

    /// Stores `frames` (whole frames) as chunks `first..`, in parallel.
    fn write(&mut self, first: usize, frames: &[u16]) -> Result<()> {
        let start = Instant::now();
        frames
            .par_chunks(self.frame_len)
            .enumerate()
            .try_for_each(|(i, frame)| {
                let index = [(first + i) as u64, 0, 0];
                self.array
                    .store_chunk(&index, frame)
                    .at(&self.place.chunk(self.array.chunk_key(&index)))
            })?;
        self.stats.encode += start.elapsed();
        Ok(())
    }

    /// Reads chunks `first..` into `out` (whole frames), in parallel.
    fn read(&mut self, first: usize, out: &mut [u16]) -> Result<()> {
        let start = Instant::now();
        out.par_chunks_mut(self.frame_len)
            .enumerate()
            .try_for_each(|(i, out)| {
                let index = [(first + i) as u64, 0, 0];
                let frame: Vec<u16> = self
                    .array
                    .retrieve_chunk(&index)
                    .at(&self.place.chunk(self.array.chunk_key(&index)))?;
                out.copy_from_slice(&frame);
                Ok::<(), Failure>(())
            })?;
        self.stats.decode += start.elapsed();
        Ok(())
    }

    fn measure_size(&mut self) -> Result<()> {
        self.stats.stored_bytes = dir_bytes(self.partial.path()).at(&self.place)?;
        Ok(())
    }

    /// Flushes the store and renames it into place.
    fn finish(self) -> Result<RoundTrip> {
        let scanned = completion::scan_array(&self.array, &self.place)?;
        completion::write_record(
            self.partial.path(),
            "pymecompress demo",
            vec![scanned],
            &self.place,
        )?;
        self.partial.commit()?;
        Ok(self.stats)
    }
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
