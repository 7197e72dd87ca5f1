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
    // Where in the message, what in the source: the source's text is not repeated.
    assert_eq!(err.to_string(), "chunk 5");
    let source = std::error::Error::source(&err).expect("the core error is the source");
    assert_eq!(source.to_string(), err.source.to_string());
    let err = batch::huffman_decode_chunks(&chunks, 4096).unwrap_err();
    assert_eq!(err.index, 5);
}

#[test]
fn of_two_bad_chunks_the_lowest_index_is_reported() {
    let codec = Quant16Codec::new(QuantParams::default());
    // 40 chunks of 64 Ki values: each takes a while to decode.
    let frames: Vec<Vec<u16>> = (0..40u32)
        .map(|k| {
            (0..65536u32)
                .map(|i| ((i * 31 + k * 7) % 900) as u16)
                .collect()
        })
        .collect();
    let mut chunks = batch::quant16_encode_chunks(&codec, &frames).unwrap();
    // Chunk 33 fails at once (shorter than its trailer); chunk 30 only after decoding most of
    // its stream, so on several threads 33 fails first in time.
    let len = chunks[30].len();
    chunks[30].drain(len * 3 / 4..len - 4);
    chunks[33].truncate(2);
    for threads in [1, 2, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for _ in 0..10 {
            let err = pool
                .install(|| batch::quant16_decode_chunks(&codec, &chunks, 65536))
                .unwrap_err();
            assert_eq!(err.index, 30, "{threads} threads: {err:?}");
            assert!(
                matches!(
                    err.source,
                    pymecompress_codecs::Error::StreamTruncated { .. }
                ),
                "{err:?}"
            );
        }
    }
}
