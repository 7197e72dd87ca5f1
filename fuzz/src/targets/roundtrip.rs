//! Encode then decode arbitrary data. Input: two parameter bytes, then the data (run with
//! `-max_len=8192` by run.sh: larger inputs add little but cost executions).
//!
//! The data round-trips exactly through the raw stream and the Huffman chunk; as `u16`
//! values it round-trips through the quant16 chunk to `dequantize(quantize(x))`.

use crate::shared::codec_for;
use pymecompress_codecs::{huffman, quant16, stream, testing, QuantParams};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((&[offset_byte, scale_byte], bytes)) = data.split_first_chunk::<2>() else {
        return;
    };

    let encoded = stream::encode(bytes).expect("small input encodes");
    // Every encoder writes the same bytes, whatever the slice count.
    let slices = usize::from(scale_byte % 8) + 1;
    assert_eq!(testing::encode_simple(bytes).as_ref(), Ok(&encoded));
    assert_eq!(
        testing::encode_parallel(bytes, slices).as_ref(),
        Ok(&encoded)
    );
    assert_eq!(stream::decode(&encoded, bytes.len()).as_deref(), Ok(bytes));
    assert_eq!(
        testing::decode_simple(&encoded, bytes.len()).as_deref(),
        Ok(bytes)
    );
    // Asking for more symbols than were coded may decode the zero padding, but never changes
    // the symbols that were coded.
    if let Ok(longer) = stream::decode(&encoded, bytes.len() + 7) {
        assert_eq!(&longer[..bytes.len()], bytes);
    }

    let chunk = huffman::encode(bytes).expect("small input encodes");
    assert_eq!(chunk.len(), encoded.len() + 4);
    assert_eq!(huffman::decode(&chunk, bytes.len()).as_deref(), Ok(bytes));
    assert_eq!(
        huffman::decode_unsized(&chunk, bytes.len()).as_deref(),
        Ok(bytes)
    );

    let values: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let params = QuantParams::new(
        f64::from(offset_byte) * 4.0,
        f64::from(scale_byte) / 32.0 + 0.25,
    )
    .expect("finite positive params");
    let codec = &codec_for(params);
    let chunk = codec.encode(&values).expect("small input encodes");
    assert_eq!(
        testing::quant16_encode_simple(&values, &params).as_ref(),
        Ok(&chunk)
    );
    assert_eq!(
        testing::quant16_encode_parallel(codec, &values, slices).as_ref(),
        Ok(&chunk)
    );
    let le_bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(
        codec
            .encode_bytes(&le_bytes, pymecompress_codecs::Endian::Little)
            .as_ref(),
        Ok(&chunk)
    );
    let expected: Vec<u16> = values
        .iter()
        .map(|&x| params.dequantize(params.quantize(x)))
        .collect();
    assert_eq!(codec.decode(&chunk, values.len()).as_ref(), Ok(&expected));
    // The free functions build their tables per call; check them on short inputs only.
    if values.len() <= 64 {
        assert_eq!(quant16::encode(&values, &params).as_ref(), Ok(&chunk));
        assert_eq!(quant16::decode(&chunk, values.len(), &params), Ok(expected));
    }
}
