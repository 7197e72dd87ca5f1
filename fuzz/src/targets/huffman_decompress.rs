//! Framed `pymecompress-huffman` decode. Input: `decoded_len: u32 LE` (above `MAX_EXACT`
//! folded into 0..=4096), then the chunk (stream + trailer).

use crate::shared::take_count;
use pymecompress_codecs::huffman;

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((decoded_len, chunk)) = take_count(data) else {
        return;
    };

    let decoded = huffman::decode(chunk, decoded_len);
    if let Ok(bytes) = &decoded {
        assert_eq!(bytes.len(), decoded_len);
    }

    let mut out = vec![0u8; decoded_len];
    let into = huffman::decode_into(chunk, &mut out);
    match &decoded {
        Ok(bytes) => {
            assert_eq!(into, Ok(()));
            assert_eq!(&out, bytes);
        }
        Err(e) => assert_eq!(into.as_ref(), Err(e)),
    }

    // Unsized: never more than the maximum, and the same bytes whenever the trailer is a byte
    // count the sized decode accepted.
    if let Ok(bytes) = huffman::decode_unsized(chunk, decoded_len) {
        assert!(bytes.len() <= decoded_len);
        if bytes.len() == decoded_len {
            assert_eq!(decoded.as_ref(), Ok(&bytes));
        }
    }
}
