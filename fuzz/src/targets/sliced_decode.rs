//! One stream decoded serially and in slices (self-synchronisation). Input: an options byte
//! (bits 0-2: slices - 1, so 1..=8; bit 3: align slice starts; bit 4: probe them), then
//! `n: u32 LE` (above 1 Mi folded into 0..=4096), then the stream.
//!
//! The sliced decoder must give the serial decoder's output, or its error with the same
//! symbols written before it, at every slice count and option.

use pymecompress_codecs::{testing, Error};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((&options, rest)) = data.split_first() else {
        return;
    };
    let Some((head, body)) = rest.split_first_chunk::<4>() else {
        return;
    };
    // Counts up to 1 Mi as given (every fixture seed's is), others folded into 0..=4096 as in
    // `stream_decode`, so that random inputs stay cheap.
    let n = match u32::from_le_bytes(*head) as usize {
        n if n <= 1 << 20 => n,
        n => n % 4097,
    };
    let options = testing::SliceOptions {
        slices: usize::from(options & 7) + 1,
        align: options & 8 != 0,
        probe: options & 16 != 0,
    };
    // A map that is not the identity, so that a symbol written to the wrong place shows.
    let values: [u16; 256] = std::array::from_fn(|s| (s as u16).wrapping_mul(257) ^ 0x5a5a);
    let mut serial = vec![0xdeadu16; n];
    let serial_result = testing::decode_mapped_into(body, &mut serial, &values);
    let mut sliced = vec![0xdeadu16; n];
    let sliced_result =
        testing::decode_mapped_into_sliced_with(body, &mut sliced, &values, options);
    assert_eq!(sliced_result, serial_result, "{options:?}, n = {n}");
    let written = match serial_result {
        Ok(()) => n,
        Err(Error::StreamTruncated { decoded, .. }) => decoded,
        Err(_) => 0,
    };
    assert!(
        serial[..written] == sliced[..written],
        "{options:?}, n = {n}: the symbols before index {written} differ"
    );
}
