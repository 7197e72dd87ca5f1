//! libFuzzer's entry to `pymecompress_fuzz::targets::huffman_decompress`, which says what an input is and
//! what is checked (`cargo test --workspace` replays the corpus through the same function:
//! tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(
    |data: &[u8]| pymecompress_fuzz::targets::huffman_decompress::run(data)
);
