//! Framed `pymecompress-huffman` decode. Input: `itemsize selector: u8`,
//! `decoded_len: u32 LE` (above `MAX_DECODED` folded into 0..=4096), then the chunk (stream + trailer).
//!
//! Selector values 0..=6 pick item sizes 1, 2, 4, 8, 1, 2, 4; 7 passes `selector >> 3` as the
//! item size, so unsupported sizes are exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pymecompress_codecs::{huffman, HuffmanCodec};

/// Counts up to this are used as given (every fixture seed is below it).
const MAX_DECODED: usize = 1 << 20;

/// Random counts are mostly huge; folding those above the cap into 0..=4096 keeps most
/// executions cheap while seeds keep their exact counts.
fn fold(raw: u32) -> usize {
    let raw = raw as usize;
    if raw <= MAX_DECODED {
        raw
    } else {
        raw % 4097
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((len, chunk)) = rest.split_first_chunk::<4>() else {
        return;
    };
    let itemsize = match selector & 7 {
        7 => usize::from(selector >> 3),
        k => [1, 2, 4, 8][usize::from(k) % 4],
    };
    let decoded_len = fold(u32::from_le_bytes(*len));

    let decoded = huffman::decompress(chunk, decoded_len, itemsize);
    if let Ok(bytes) = &decoded {
        assert_eq!(bytes.len(), decoded_len);
    }
    assert_eq!(HuffmanCodec.decode(chunk, decoded_len, itemsize), decoded);

    let mut out = vec![0u8; decoded_len];
    let into = huffman::decompress_into(chunk, &mut out, itemsize);
    match &decoded {
        Ok(bytes) => {
            assert_eq!(into, Ok(()));
            assert_eq!(&out, bytes);
        }
        Err(e) => assert_eq!(into.as_ref(), Err(e)),
    }
});
