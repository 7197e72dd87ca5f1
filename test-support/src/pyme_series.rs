//! The PYME cluster series fixtures (`fixtures/pyme_series/data/`, written by PYME's own
//! spooler): each server's copy of a series, and a copy with one frame damaged.

use std::path::{Path, PathBuf};

use crate::fixtures;

/// The copies of series `name` (e.g. `scan_000.pcs`) of fixture `fixture` (`complete`,
/// `incomplete`, `quantized`), one per server directory, in server order.
///
/// # Panics
/// If the fixture directory cannot be read.
pub fn dirs(fixture: &str, name: &str) -> Vec<PathBuf> {
    let base = fixtures::path("pyme_series/data").join(fixture);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
        .map(|e| e.unwrap().path().join(name))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Copies the complete two-server fixture series into `tmp` and cuts `frame00010.pzf` short by
/// 40 bytes of its payload (its header stays readable, so the series opens). Returns the
/// copies' directories.
///
/// # Panics
/// If a file cannot be copied or written.
pub fn with_frame_10_cut(tmp: &Path) -> Vec<PathBuf> {
    let mut copies = Vec::new();
    for (i, dir) in dirs("complete", "scan_000.pcs").iter().enumerate() {
        let copy = tmp.join(format!("server{i}")).join("scan_000.pcs");
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
        copies.push(copy);
    }
    let frame = copies
        .iter()
        .map(|d| d.join("frame00010.pzf"))
        .find(|p| p.is_file())
        .expect("frame 10 on one of the servers");
    let bytes = std::fs::read(&frame).unwrap();
    std::fs::write(&frame, &bytes[..bytes.len() - 40]).unwrap();
    copies
}
