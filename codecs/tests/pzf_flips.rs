//! How many single-byte flips of the PZF fixtures PYME wrote a decode catches, and that the
//! exact end of a Huffman stream (the last code ends in the stream's last byte, zero bits
//! after it) catches the flips and additions at a payload's end that decode without it.
//!
//! Each byte of each fixture with a Huffman payload is inverted once (`b ^ 0xFF`) and the file
//! decoded; the big frames (over 4 KiB) only at every 509th byte and their last 64. A flip
//! refused with [`Error::StreamEndMismatch`] is one the decoder without that check returned
//! pixels for: that check runs only after every symbol has decoded, and nothing else changed
//! for PZF, so "before" is the count without those. The figures are in docs/robustness.md:
//!
//! ```text
//! cargo test -p pymecompress-codecs --test pzf_flips -- --nocapture
//! ```

mod common;

use common::pzf as pzf_common;

use pymecompress_codecs::pzf::{self, Compression};
use pymecompress_codecs::Error;
use pzf_common::*;

/// Files longer than this are flipped at a sample of bytes only: each flip decodes the frame.
const WHOLE_UP_TO: usize = 4096;
const STRIDE: usize = 509;
const TAIL: usize = 64;

#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    flips: usize,
    /// Refused, by a check other than the exact end: what the decoder caught before.
    other: usize,
    /// Refused by the exact end alone.
    end: usize,
}

impl Tally {
    fn add(&mut self, result: &Result<pzf::PzfFrame, pzf::PzfError>) {
        self.flips += 1;
        match result {
            Ok(_) => {}
            Err(pzf::PzfError::Stream(Error::StreamEndMismatch { .. })) => self.end += 1,
            Err(_) => self.other += 1,
        }
    }

    fn line(&self, what: &str) -> String {
        let pct = |n: usize| 100.0 * n as f64 / self.flips.max(1) as f64;
        format!(
            "{what}: {} flips, caught before {} ({:.1}%), now {} ({:.1}%)",
            self.flips,
            self.other,
            pct(self.other),
            self.other + self.end,
            pct(self.other + self.end)
        )
    }
}

fn flipped_at(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= 0xFF;
    b
}

#[test]
fn single_byte_flips_of_the_huffman_fixtures() {
    let (mut whole, mut payload, mut last) = (Tally::default(), Tally::default(), Tally::default());
    let mut files = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let bytes = read(&format!("{name}.pzf"));
        let Ok(frame) = pzf::decode(&bytes) else {
            // v3_huff_trailing_bytes: refused as it is (tests/pzf_fixtures.rs).
            continue;
        };
        if frame.header.compression == Compression::Raw {
            continue;
        }
        files += 1;
        let data_offset = frame.header.data_offset as usize;
        let positions: Vec<usize> = if bytes.len() <= WHOLE_UP_TO {
            (0..bytes.len()).collect()
        } else {
            (0..bytes.len() - TAIL)
                .step_by(STRIDE)
                .chain(bytes.len() - TAIL..bytes.len())
                .collect()
        };
        for at in positions {
            let result = pzf::decode(&flipped_at(&bytes, at));
            whole.add(&result);
            if at >= data_offset {
                payload.add(&result);
            }
            if at == bytes.len() - 1 {
                last.add(&result);
            }
        }
    }
    eprintln!("{files} fixtures with a Huffman payload");
    eprintln!("{}", whole.line("every byte"));
    eprintln!("{}", payload.line("payload bytes"));
    eprintln!("{}", last.line("last byte"));
    assert!(files >= 40, "{files}");
    // The exact end adds to what is caught, most at the end of the payload.
    assert!(
        payload.end > 0 && last.end > last.flips / 2,
        "{payload:?} {last:?}"
    );
}

#[test]
fn a_flipped_padding_bit_or_an_added_byte_is_caught_in_every_huffman_fixture() {
    let mut padded = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let bytes = read(&format!("{name}.pzf"));
        let Ok(frame) = pzf::decode(&bytes) else {
            continue;
        };
        if frame.header.compression != Compression::Huffman || frame.data.is_empty() {
            continue;
        }
        // A byte added to the payload: refused, naming where the codes end.
        let mut longer = bytes.clone();
        longer.push(0);
        let end_bit = match pzf::decode(&longer) {
            Err(pzf::PzfError::Stream(Error::StreamEndMismatch {
                end_bit,
                stream_bytes,
            })) => {
                let payload = bytes.len() - frame.header.data_offset as usize;
                assert_eq!(
                    (end_bit.div_ceil(8), stream_bytes),
                    (payload as u64, payload + 1)
                );
                end_bit
            }
            other => panic!("{name}: {other:?}"),
        };
        // The lowest padding bit, where the last byte has padding: PYME's writer zeroes it.
        if end_bit % 8 != 0 {
            padded += 1;
            let mut set = bytes.clone();
            *set.last_mut().unwrap() |= 1;
            assert!(
                matches!(
                    pzf::decode(&set),
                    Err(pzf::PzfError::Stream(Error::StreamEndMismatch { .. }))
                ),
                "{name}"
            );
        }
    }
    assert!(padded >= 30, "{padded}");
}
