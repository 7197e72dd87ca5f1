//! Framed `pymecompress-quant16` decode. Input: `offset: f64 LE`, `scale: f64 LE`,
//! `n: u32 LE` (above `MAX_EXACT` folded into 0..=4096), then the chunk (stream + trailer).
//!
//! Any `f64` pair is tried; those `QuantParams::new` refuses must be refused by JSON too.

use crate::shared::{codec_for, take_count};
use pymecompress_codecs::{quant16, Endian, QuantParams};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((offset, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let Some((scale, rest)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let Some((n, chunk)) = take_count(rest) else {
        return;
    };
    let (offset, scale) = (f64::from_le_bytes(*offset), f64::from_le_bytes(*scale));
    let Ok(params) = QuantParams::new(offset, scale) else {
        assert!(!(offset.is_finite() && scale.is_finite() && scale > 0.0));
        return;
    };
    assert!(offset.is_finite() && scale.is_finite() && scale > 0.0);

    let decoded = quant16::decode(chunk, n, &params);
    let codec = codec_for(params);
    let mut le_bytes = vec![0u8; 2 * n];
    let bytes_result = codec.decode_into_bytes(chunk, &mut le_bytes, Endian::Little);
    match &decoded {
        Ok(values) => {
            assert_eq!(values.len(), n);
            assert!(values
                .iter()
                .all(|&v| v == params.dequantize(params.quantize(v))));
            assert_eq!(bytes_result, Ok(()));
            assert!(values
                .iter()
                .zip(le_bytes.chunks_exact(2))
                .all(|(v, b)| v.to_le_bytes() == *b));
        }
        Err(e) => assert_eq!(bytes_result.as_ref(), Err(e)),
    }
    assert_eq!(codec.decode(chunk, n), decoded);
}
