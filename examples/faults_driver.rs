//! Writer and reader loops for the concurrent-reader fault of `tests/faults/run.sh`.
//!
//! ```text
//! faults_driver write STORE ROUNDS [--plain]   # rewrite every chunk ROUNDS times, A then B then A...
//! faults_driver read STORE STOPFILE            # read every chunk in a loop until STOPFILE exists
//! ```
//!
//! The array is Zarr v2, `uint16`, lossless `pymecompress-huffman`, one 256 x 256 chunk per
//! frame, fill value 0. Each chunk is written with one of two known patterns (A or B, never 0),
//! so a reader can tell, chunk by chunk, whether it saw the fill value (not yet written), A, B,
//! or something else: a torn chunk that fails to decode, or decodes to neither. The writer
//! goes through `AtomicFilesystemStore`; `--plain` uses zarrs's own `FilesystemStore`, which
//! rewrites files in place, as a control showing that the readers can catch torn chunks.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataOptions, ArrayMetadataV2};
use zarrs::filesystem::FilesystemStore;
use zarrs::storage::ReadableWritableListableStorageTraits;
use zarrs_pymecompress::AtomicFilesystemStore;

const FRAMES: u64 = 16;
const SIDE: u64 = 256;

fn pattern(frame: u64, which: u64) -> Vec<u16> {
    (0..SIDE * SIDE)
        .map(|i| (((i * (7 + which * 6) + frame * 131) % 4000) + 1 + which * 5000) as u16)
        .collect()
}

fn array<T: ?Sized + ReadableWritableListableStorageTraits + 'static>(storage: Arc<T>) -> Array<T> {
    let document = json!({
        "zarr_format": 2, "shape": [FRAMES, SIDE, SIDE], "chunks": [1, SIDE, SIDE],
        "dtype": "<u2", "compressor": {"id": "pymecompress-huffman"}, "fill_value": 0,
        "order": "C", "filters": null,
    });
    let metadata: ArrayMetadataV2 = serde_json::from_value(document).expect("metadata");
    Array::new_with_metadata(storage, "/", ArrayMetadata::V2(metadata)).expect("array")
}

fn write<T: ?Sized + ReadableWritableListableStorageTraits + 'static>(
    storage: Arc<T>,
    rounds: u64,
) {
    let array = array(storage);
    array
        .store_metadata_opt(&ArrayMetadataOptions::default().with_include_zarrs_metadata(false))
        .expect("metadata");
    let patterns: Vec<[Vec<u16>; 2]> = (0..FRAMES)
        .map(|f| [pattern(f, 0), pattern(f, 1)])
        .collect();
    for round in 0..rounds {
        for frame in 0..FRAMES {
            array
                .store_chunk(
                    &[frame, 0, 0],
                    patterns[frame as usize][(round % 2) as usize].as_slice(),
                )
                .expect("write");
        }
    }
    println!("writer: {rounds} rounds of {FRAMES} chunks");
}

fn read(store: &Path, stop: &Path) -> i32 {
    let storage = Arc::new(FilesystemStore::new(store).expect("store"));
    let array = array(storage);
    let patterns: Vec<[Vec<u16>; 2]> = (0..FRAMES)
        .map(|f| [pattern(f, 0), pattern(f, 1)])
        .collect();
    let (mut seen, mut bad) = ([0u64; 3], 0u64);
    // At least one full pass after the writer stops, so a reader never reports zero reads.
    let mut last = false;
    while !last {
        last = stop.exists();
        for frame in 0..FRAMES {
            match array.retrieve_chunk::<Vec<u16>>(&[frame, 0, 0]) {
                Ok(v) if v.iter().all(|&x| x == 0) => seen[2] += 1,
                Ok(v) if v == patterns[frame as usize][0] => seen[0] += 1,
                Ok(v) if v == patterns[frame as usize][1] => seen[1] += 1,
                Ok(_) => {
                    bad += 1;
                    eprintln!("reader: chunk {frame}: decoded to neither pattern nor fill");
                }
                Err(e) => {
                    bad += 1;
                    eprintln!("reader: chunk {frame}: {e}");
                }
            }
        }
    }
    println!(
        "reader: {} chunk reads: {} pattern A, {} pattern B, {} fill, {bad} torn",
        seen.iter().sum::<u64>() + bad,
        seen[0],
        seen[1],
        seen[2]
    );
    i32::from(bad > 0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: faults_driver write STORE ROUNDS [--plain] | read STORE STOPFILE";
    let code = match args.get(1).map(String::as_str) {
        Some("write") if args.len() >= 4 => {
            let rounds: u64 = args[3].parse().expect(usage);
            let store = Path::new(&args[2]);
            if args.get(4).is_some_and(|a| a == "--plain") {
                write(
                    Arc::new(FilesystemStore::new(store).expect("store")),
                    rounds,
                );
            } else {
                write(
                    Arc::new(AtomicFilesystemStore::new(store).expect("store")),
                    rounds,
                );
            }
            0
        }
        Some("read") if args.len() == 4 => read(Path::new(&args[2]), Path::new(&args[3])),
        _ => {
            eprintln!("{usage}");
            2
        }
    };
    std::process::exit(code);
}
