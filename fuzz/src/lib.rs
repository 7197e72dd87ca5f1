//! The fuzz targets' checks, one module each under `targets`: `run(data)` takes one input.
//! libFuzzer calls them through `fuzz_targets/NAME.rs`; the workspace's `cargo test` replays
//! every seed and regression through the same modules (tests/fuzz_replay.rs declares them by
//! path, so they name what they share as `crate::shared`, which both crates declare).
#![forbid(unsafe_code)]

pub mod shared;

/// One module per fuzz target, named as its binary.
pub mod targets {
    pub mod config_json;
    #[cfg(feature = "h5")]
    pub mod h5_open;
    pub mod huffman_decompress;
    pub mod pzf_decode;
    pub mod quant16_decompress;
    pub mod roundtrip;
    #[cfg(feature = "series")]
    pub mod series_metadata;
    pub mod sliced_decode;
    pub mod stream_decode;
    #[cfg(feature = "zarrs")]
    pub mod zarrs_config_json;
    #[cfg(feature = "zarrs")]
    pub mod zarrs_decode;
    #[cfg(feature = "zarrs")]
    pub mod zarrs_pyme_pzf;
}
