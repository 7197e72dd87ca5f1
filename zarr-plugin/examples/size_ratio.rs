//! Writes a 4096x4096 uint16 Poisson(100) image with 256x256 chunks through zarrs with
//! HuffmanQuant16 (offset 0, scale 1) to a temporary Zarr V2 store and prints stored vs raw
//! bytes.
//!
//!     cargo run --release -p zarrs-pymecompress --example size_ratio [N]

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(4096, |a| a.parse().expect("N is a number"));
    let dir = common::temp_dir("size-example");
    let (stored, raw) = common::size::stored_and_raw_bytes(&dir, n, 256);
    println!(
        "{n}x{n} uint16 Poisson(100), 256x256 chunks, HuffmanQuant16(offset 0, scale 1): \
         stored {stored} bytes, raw {raw} bytes, ratio {:.2}x",
        raw as f64 / stored as f64
    );
    let _ = std::fs::remove_dir_all(dir);
}
