//! The batch API: chunks coded in parallel match chunk-by-chunk coding; failures name the chunk.

use pymecompress_codecs::batch::{self, BatchError};
use pymecompress_codecs::{huffman, Quant16Codec, QuantParams};

#[test]
fn batch_errors_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<BatchError>();
    assert_send_sync::<Quant16Codec>();
}

fn frames() -> Vec<Vec<u16>> {
    (0..37u16)
        .map(|k| {
            (0..4096u32)
                .map(|i| ((i * 31 + u32::from(k) * 7) % 900) as u16)
                .collect()
        })
        .collect()
}

#[test]
fn quant16_batches_match_chunk_by_chunk_coding() {
    let codec = Quant16Codec::new(QuantParams::new(10.0, 1.0).unwrap());
    let frames = frames();
    let chunks = batch::quant16_encode_chunks(&codec, &frames).unwrap();
    for (frame, chunk) in frames.iter().zip(&chunks) {
        assert_eq!(*chunk, codec.encode(frame).unwrap());
    }
    let back = batch::quant16_decode_chunks(&codec, &chunks, 4096).unwrap();
    for (frame, decoded) in frames.iter().zip(&back) {
        assert_eq!(
            *decoded,
            codec.decode(&codec.encode(frame).unwrap(), 4096).unwrap()
        );
    }
}

#[test]
fn huffman_batches_round_trip() {
    let chunks: Vec<Vec<u8>> = frames()
        .iter()
        .map(|f| f.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let encoded = batch::huffman_encode_chunks(&chunks).unwrap();
    for (chunk, enc) in chunks.iter().zip(&encoded) {
        assert_eq!(*enc, huffman::encode(chunk).unwrap());
    }
    assert_eq!(
        batch::huffman_decode_chunks(&encoded, 8192).unwrap(),
        chunks
    );
}

#[test]
fn a_bad_chunk_is_reported_with_its_index() {
    let codec = Quant16Codec::new(QuantParams::default());
    let mut chunks = batch::quant16_encode_chunks(&codec, &frames()).unwrap();
    chunks[5].truncate(2);
    let err = batch::quant16_decode_chunks(&codec, &chunks, 4096).unwrap_err();
    assert_eq!(err.index, 5);
    assert!(err.to_string().starts_with("chunk 5: "), "{err}");
    let err = batch::huffman_decode_chunks(&chunks, 4096).unwrap_err();
    assert_eq!(err.index, 5);
}
