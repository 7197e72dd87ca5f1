//! Synthetic photon-counting movies: what a camera in single-molecule localisation microscopy
//! records. Each pixel is a camera offset plus Poisson-distributed photon counts from a dim
//! uniform background and from bright, blurred spots (Gaussian point-spread functions) that
//! drift across the field.
//!
//! The movie is a pure function of its [`MovieSpec`] (the seed included), and frames are made in
//! parallel, each from its own seeded generator.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson};
#[cfg(test)]
use rayon::prelude::*;

/// What movie to make.
#[derive(Clone, Debug, PartialEq)]
pub struct MovieSpec {
    /// Number of frames.
    pub frames: usize,
    /// Frame height in pixels.
    pub height: usize,
    /// Frame width in pixels.
    pub width: usize,
    /// The camera's constant offset in counts, added to every pixel (sCMOS cameras sit near 100).
    pub camera_offset: u16,
    /// Mean background photons per pixel.
    pub background_photons: f64,
    /// Number of moving spots.
    pub spots: usize,
    /// Mean photons at the centre of the brightest spot.
    pub spot_peak_photons: f64,
    /// Standard deviation of a spot's Gaussian profile, in pixels.
    pub spot_sigma: f64,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for MovieSpec {
    /// 100 frames of 1024 × 1024 pixels: 200 MiB of uint16, the size of a short acquisition.
    fn default() -> Self {
        Self {
            frames: 100,
            height: 1024,
            width: 1024,
            camera_offset: 100,
            background_photons: 20.0,
            spots: 40,
            spot_peak_photons: 1500.0,
            spot_sigma: 1.5,
            seed: 0x5eed_cafe,
        }
    }
}

impl MovieSpec {
    /// Pixels in one frame.
    #[must_use]
    pub const fn frame_len(&self) -> usize {
        self.height * self.width
    }

    /// Bytes of the whole movie as uint16.
    #[must_use]
    pub const fn raw_bytes(&self) -> usize {
        self.frames * self.frame_len() * 2
    }
}

/// One spot's path: a straight drift, reflected at the frame edges.
#[derive(Clone, Copy, Debug)]
struct Track {
    y0: f64,
    x0: f64,
    vy: f64,
    vx: f64,
    peak: f64,
}

/// Position on a straight path folded back into `0..extent` at the edges.
fn reflect(start: f64, velocity: f64, t: f64, extent: f64) -> f64 {
    let period = 2.0 * extent;
    let p = (start + velocity * t).rem_euclid(period);
    if p < extent {
        p
    } else {
        period - p
    }
}

fn tracks(spec: &MovieSpec) -> Vec<Track> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    (0..spec.spots)
        .map(|_| {
            let speed = rng.random_range(0.2..2.5);
            let angle = rng.random_range(0.0..std::f64::consts::TAU);
            Track {
                y0: rng.random_range(0.0..spec.height as f64),
                x0: rng.random_range(0.0..spec.width as f64),
                vy: speed * angle.sin(),
                vx: speed * angle.cos(),
                peak: spec.spot_peak_photons * rng.random_range(0.3..1.0),
            }
        })
        .collect()
}

/// Fills `frame` (`spec.frame_len()` values) with frame number `index` of the movie.
///
/// # Panics
/// If `frame` is not `spec.frame_len()` long.
pub fn synthesize_frame(spec: &MovieSpec, index: usize, frame: &mut [u16]) {
    synthesize_frame_with(spec, &tracks(spec), index, frame);
}

fn synthesize_frame_with(spec: &MovieSpec, tracks: &[Track], index: usize, frame: &mut [u16]) {
    assert_eq!(frame.len(), spec.frame_len(), "frame buffer length");
    let mut rng =
        StdRng::seed_from_u64(spec.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    // Poisson::new fails only for a mean that is not positive and finite: treat that as no light.
    let sample =
        |rng: &mut StdRng, mean: f64| -> f64 { Poisson::new(mean).map_or(0.0, |d| d.sample(rng)) };
    match Poisson::new(spec.background_photons) {
        Ok(background) => frame.iter_mut().for_each(|v| {
            *v = saturate(f64::from(spec.camera_offset) + background.sample(&mut rng));
        }),
        Err(_) => frame.fill(spec.camera_offset),
    }
    // Independent Poisson counts add up to a Poisson count of the summed mean, so each spot's
    // photons are drawn separately and added to the background already there.
    let reach = (4.0 * spec.spot_sigma).ceil();
    let two_sigma_sq = 2.0 * spec.spot_sigma * spec.spot_sigma;
    let t = index as f64;
    for track in tracks {
        let cy = reflect(track.y0, track.vy, t, spec.height as f64);
        let cx = reflect(track.x0, track.vx, t, spec.width as f64);
        let rows = clamp_range(cy - reach, cy + reach, spec.height);
        let cols = clamp_range(cx - reach, cx + reach, spec.width);
        for y in rows {
            let dy = y as f64 + 0.5 - cy;
            for x in cols.clone() {
                let dx = x as f64 + 0.5 - cx;
                let mean = track.peak * (-(dy * dy + dx * dx) / two_sigma_sq).exp();
                let pixel = &mut frame[y * spec.width + x];
                *pixel = saturate(f64::from(*pixel) + sample(&mut rng, mean));
            }
        }
    }
}

fn clamp_range(low: f64, high: f64, extent: usize) -> std::ops::Range<usize> {
    let clamp = |v: f64| v.max(0.0).min(extent as f64) as usize;
    clamp(low)..clamp(high + 1.0)
}

fn saturate(v: f64) -> u16 {
    v.clamp(0.0, f64::from(u16::MAX)) as u16
}

/// The whole movie, frame after frame, `spec.frames * spec.frame_len()` values (the tests'
/// reference: `demo` makes frames one at a time).
#[cfg(test)]
pub fn synthesize(spec: &MovieSpec) -> Vec<u16> {
    let mut movie = vec![0u16; spec.frames * spec.frame_len()];
    synthesize_into(spec, &mut movie, |_| {});
    movie
}

/// Fills `movie` frame by frame in parallel, calling `on_frame` after each one (for progress).
///
/// # Panics
/// If `movie` is not `spec.frames * spec.frame_len()` long.
#[cfg(test)]
pub fn synthesize_into(spec: &MovieSpec, movie: &mut [u16], on_frame: impl Fn(usize) + Sync) {
    assert_eq!(
        movie.len(),
        spec.frames * spec.frame_len(),
        "movie buffer length"
    );
    let tracks = tracks(spec);
    movie
        .par_chunks_mut(spec.frame_len().max(1))
        .enumerate()
        .for_each(|(index, frame)| {
            synthesize_frame_with(spec, &tracks, index, frame);
            on_frame(index);
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_photon_like() {
        let spec = MovieSpec {
            frames: 3,
            height: 64,
            width: 80,
            ..MovieSpec::default()
        };
        let movie = synthesize(&spec);
        assert_eq!(movie, synthesize(&spec));
        assert!(movie.iter().all(|&v| v >= spec.camera_offset));
        assert!(
            movie.iter().any(|&v| v > spec.camera_offset + 300),
            "spots present"
        );

        let dark = MovieSpec { spots: 0, ..spec };
        let background = synthesize(&dark);
        let n = background.len() as f64;
        let photons = |v: &u16| f64::from(v - dark.camera_offset);
        let mean = background.iter().map(photons).sum::<f64>() / n;
        let variance = background
            .iter()
            .map(|v| (photons(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        // Poisson: mean and variance both equal the background level.
        assert!((mean - dark.background_photons).abs() < 0.5, "mean {mean}");
        assert!(
            (variance - dark.background_photons).abs() < 2.0,
            "variance {variance}"
        );
    }

    #[test]
    fn reflect_stays_inside() {
        for t in 0..1000 {
            let p = reflect(3.0, 1.7, f64::from(t), 10.0);
            assert!((0.0..=10.0).contains(&p));
        }
    }
}
