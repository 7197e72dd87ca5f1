//! What the workspace's tests share, written once: where the fixtures written by the real
//! Python code are and what their manifests say ([`fixtures`]), numpy `.npy` files read and
//! written with `ndarray-npy` ([`npy`]), allocations counted per thread and per rayon pool
//! ([`alloc_count`]), fresh temporary directories ([`temp_dir`]), the benchmark drivers'
//! timing ([`timing`]) and, with the `zarrs` feature, Zarr V2 arrays built with zarrs
//! ([`zarr_v2`]).
//!
//! Not published: a dev-dependency of the workspace's crates and of their script drivers.

pub mod alloc_count;
pub mod fixtures;
pub mod npy;
pub mod pyme_series;
pub mod timing;
#[cfg(feature = "zarrs")]
pub mod zarr_grid;
#[cfg(feature = "zarrs")]
pub mod zarr_v2;

use std::path::PathBuf;

/// A fresh, empty directory under the system's temporary directory, named after the process
/// and `name` so that parallel test binaries do not meet.
///
/// # Panics
/// If the directory cannot be made (a test helper: failing loudly is the point).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pymecompress-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}
