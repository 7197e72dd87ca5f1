//! Raw stream decode. Input: `n: u32 LE` (above `MAX_EXACT` folded into 0..=4096), then the stream.
//!
//! The table decoder, the mapped decoder and the bit-by-bit decoder must agree exactly: the
//! same symbols, or the same error.

use crate::shared::take_count;
use pymecompress_codecs::{stream, testing};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((n, body)) = take_count(data) else {
        return;
    };
    let fast = stream::decode(body, n);
    let simple = testing::decode_simple(body, n);
    assert_eq!(fast, simple, "decode and decode_simple disagree (n = {n})");

    // The mapped decoder through a table that is not the identity.
    let values: [u16; 256] = std::array::from_fn(|s| (s as u16).wrapping_mul(257) ^ 0x5a5a);
    let mut mapped = vec![0u16; n];
    let mapped_result = testing::decode_mapped_into(body, &mut mapped, &values);
    match &fast {
        Ok(symbols) => {
            assert_eq!(symbols.len(), n);
            assert_eq!(mapped_result, Ok(()));
            assert!(symbols
                .iter()
                .zip(&mapped)
                .all(|(&s, &v)| values[usize::from(s)] == v));
        }
        Err(e) => assert_eq!(mapped_result.as_ref(), Err(e)),
    }
}
