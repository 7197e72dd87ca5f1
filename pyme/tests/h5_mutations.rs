//! Damaged `.h5` files: PYME-written fixtures (a PZF aggregate, raw spools, an export)
//! bit-flipped, truncated, with bytes and 4- and 8-byte fields overwritten by extreme values,
//! and blocks copied over others (stray addresses). Every mutant must open to a
//! [`SourceError::H5`] naming the file, or open and then read every frame (to a frame or an
//! error), without a panic escaping, and allocate at most a bound set by the file's length,
//! never by a number read from it.
//!
//! Mutations land near the files' non-zero bytes (headers, heaps, chunks): a PyTables file is
//! mostly zero padding, where a mutation tests nothing. Fixed seed; the mutant count is
//! asserted so the coverage cannot silently shrink.

mod h5_common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use h5_common::h5_bytes;
use pymecompress_pyme::{FrameSource, H5Error, H5File, SourceError};
use pymecompress_test_support::alloc_count::{measure, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Deflate's largest expansion (1032:1) times the file, the most a frame or table may claim,
/// plus the reader's caches and tables.
fn allocation_bound(len: usize) -> i64 {
    3 * 1032 * len as i64 + (64 << 20)
}

/// splitmix64: a fixed sequence with no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const EXTREMES: [u64; 9] = [
    0,
    1,
    u64::MAX,
    1 << 60,
    1 << 32,
    (1 << 31) - 1,
    u32::MAX as u64,
    0x8000_0000_0000_0000,
    3_000_000_000,
];

/// Offsets within 16 bytes of a non-zero byte.
fn interesting(bytes: &[u8]) -> Vec<usize> {
    let mut near = vec![false; bytes.len()];
    for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b != 0) {
        for flag in &mut near[i.saturating_sub(16)..(i + 16).min(bytes.len())] {
            *flag = true;
        }
    }
    near.iter()
        .enumerate()
        .filter(|(_, &n)| n)
        .map(|(i, _)| i)
        .collect()
}

fn mutate(rng: &mut Rng, src: &[u8], spots: &[usize]) -> Vec<u8> {
    let mut b = src.to_vec();
    let len = b.len();
    let spot = |rng: &mut Rng, width: usize| spots[rng.below(spots.len())].min(len - width);
    match rng.below(7) {
        0 => {
            for _ in 0..=rng.below(3) {
                let at = spot(rng, 1);
                b[at] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let at = spot(rng, 1);
            b[at] = rng.next() as u8;
        }
        2 => {
            let at = spot(rng, 8);
            let v = EXTREMES[rng.below(EXTREMES.len())];
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        3 => {
            let at = spot(rng, 4);
            let v = EXTREMES[rng.below(EXTREMES.len())] as u32;
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        4 => {
            let at = spot(rng, 1);
            b.truncate(at);
        }
        5 => {
            let from = spot(rng, 16);
            let to = spot(rng, 16);
            let block = b[from..from + 16].to_vec();
            b[to..to + 16].copy_from_slice(&block);
        }
        _ => {
            let at = spot(rng, 8);
            let v = rng.next();
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
    }
    b
}

#[derive(Default, Debug)]
struct Outcomes {
    opened: usize,
    refused: usize,
    frames_read: usize,
    frame_errors: usize,
    panics_caught: usize,
}

/// Opens the mutant and reads everything a command would: layout, missing frames, payloads
/// and frames.
fn exercise(name: &str, bytes: Vec<u8>, out: &mut Outcomes) {
    let file = match H5File::from_bytes(name, bytes) {
        Ok(file) => file,
        Err(SourceError::H5 { path, source, .. }) => {
            assert_eq!(path.to_str(), Some(name));
            out.refused += 1;
            out.panics_caught += usize::from(matches!(source, H5Error::Panicked(_)));
            return;
        }
        Err(e) => panic!("{name}: not an H5 error: {e:?}"),
    };
    out.opened += 1;
    let _ = file.missing();
    let _ = file.metadata().len();
    let layout = file.layout();
    for i in 0..file.len().min(64) {
        let _ = file.payload(i);
        let result = match &layout {
            Ok(layout) => {
                let mut frame = vec![0u8; layout.frame_bytes()];
                file.read_frame_into(i, &mut frame).map(|_| ())
            }
            Err(_) => file.read_frame(i).map(|_| ()),
        };
        match result {
            Ok(()) => out.frames_read += 1,
            Err(SourceError::H5 { source, .. }) => {
                out.frame_errors += 1;
                out.panics_caught += usize::from(matches!(source, H5Error::Panicked(_)));
            }
            Err(_) => out.frame_errors += 1,
        }
    }
}

fn run(seed_name: &str, mutants: usize, seed: u64) -> Outcomes {
    let src = h5_bytes(seed_name);
    let spots = interesting(&src);
    let mut rng = Rng(seed);
    let mut out = Outcomes::default();
    for k in 0..mutants {
        let bytes = mutate(&mut rng, &src, &spots);
        let name = format!("{seed_name}_mutant{k}.h5");
        let bound = allocation_bound(bytes.len());
        let (caught, usage) =
            measure(|| catch_unwind(AssertUnwindSafe(|| exercise(&name, bytes, &mut out))));
        if let Err(panic) = caught {
            std::panic::resume_unwind(panic);
        }
        assert!(usage.peak <= bound, "{name}: peak {} > {bound}", usage.peak);
    }
    eprintln!("{seed_name}: {mutants} mutants: {out:?}");
    assert_eq!(out.opened + out.refused, mutants);
    out
}

#[test]
fn mutated_pzf_aggregates_fail_cleanly() {
    let out = run("pzf_huffman_u16", 4000, 1);
    assert!(out.refused > 400 && out.opened > 400, "{out:?}");
}

#[test]
fn mutated_raw_spools_fail_cleanly() {
    let a = run("hdf_uint16_l2", 2500, 2);
    let b = run("hdf_float32_l0", 1500, 3);
    assert!(a.refused > 250 && b.refused > 150, "{a:?} {b:?}");
}

#[test]
fn mutated_exports_fail_cleanly() {
    let out = run("export_uint16", 2500, 4);
    assert!(out.refused > 250 && out.opened > 250, "{out:?}");
}
