//! Hostile and nonsensical PZF input: each case gets its typed error, with its numbers.

use pymecompress_codecs::pzf::{
    self, Compression, DataFormat, DimOrder, PzfError, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_codecs::Error;

fn options(compression: Compression) -> PzfWriteOptions {
    PzfWriteOptions {
        compression,
        ..Default::default()
    }
}

fn quantized() -> PzfWriteOptions {
    PzfWriteOptions {
        compression: Compression::Huffman,
        quantization: Quantization::Sqrt,
        quant_offset: 100.0,
        quant_scale: 1.0,
        ..Default::default()
    }
}

/// A 13 x 7 uint16 frame of photon-like counts.
fn pixels() -> Vec<u16> {
    (0..91u32).map(|i| (300 + (i * 7919) % 61) as u16).collect()
}

fn frame(compression: Compression) -> Vec<u8> {
    pzf::encode(
        PzfSlice::U16(&pixels()),
        [13, 7, 1],
        DimOrder::C,
        &options(compression),
    )
    .unwrap()
}

fn err(bytes: &[u8]) -> PzfError {
    pzf::decode(bytes).expect_err("hostile input must be refused")
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_f32(b: &mut [u8], at: usize, v: f32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// A Version 1 or 2 file: the first 48 bytes of a Version 3 header, then the payload.
fn downgrade(v3: &[u8], version: u8) -> Vec<u8> {
    let mut out = v3[..48].to_vec();
    out[2] = version;
    out.extend_from_slice(&v3[64..]);
    out
}

#[test]
fn truncated_headers() {
    let f = frame(Compression::Raw);
    assert_eq!(err(&[]), PzfError::HeaderTruncated { needed: 48, len: 0 });
    assert_eq!(err(b"BD"), PzfError::HeaderTruncated { needed: 48, len: 2 });
    assert_eq!(
        err(&f[..63]),
        PzfError::HeaderTruncated {
            needed: 64,
            len: 63
        }
    );
    let v2 = downgrade(&f, 2);
    assert_eq!(
        err(&v2[..47]),
        PzfError::HeaderTruncated {
            needed: 48,
            len: 47
        }
    );
}

#[test]
fn bad_magic_and_unknown_fields() {
    let f = frame(Compression::Huffman);
    let with = |at: usize, v: u8| {
        let mut b = f.clone();
        b[at] = v;
        err(&b)
    };
    assert_eq!(with(1, b'E'), PzfError::BadMagic { found: *b"BE" });
    assert_eq!(with(2, 0), PzfError::UnknownVersion { found: 0 });
    assert_eq!(with(2, 4), PzfError::UnknownVersion { found: 4 });
    assert_eq!(with(3, 3), PzfError::UnknownDataFormat { found: 3 });
    assert_eq!(with(4, 3), PzfError::UnknownCompression { found: 3 });
    assert_eq!(with(5, 2), PzfError::UnknownQuantization { found: 2 });
    assert_eq!(with(6, b'X'), PzfError::UnknownDimOrder { found: b'X' });
    assert_eq!(with(6, b'K'), PzfError::UnknownDimOrder { found: b'K' });
    assert_eq!(with(6, 0), PzfError::UnknownDimOrder { found: 0 });
    // Version 1 has no DimOrder: whatever the byte holds, the frame is C
    let mut v1 = downgrade(&f, 1);
    v1[6] = b'X';
    let frame = pzf::decode(&v1).unwrap();
    assert_eq!((frame.order(), frame.header.data_offset), (DimOrder::C, 48));
}

#[test]
fn quantization_that_makes_no_sense() {
    let q = pzf::encode(
        PzfSlice::U16(&pixels()),
        [13, 7, 1],
        DimOrder::C,
        &quantized(),
    )
    .unwrap();
    for (offset, scale) in [
        (0.0, 0.0),
        (0.0, -1.0),
        (0.0, f32::NAN),
        (0.0, f32::INFINITY),
        (f32::NAN, 1.0),
        (f32::NEG_INFINITY, 1.0),
    ] {
        let mut b = q.clone();
        put_f32(&mut b, 40, offset);
        put_f32(&mut b, 44, scale);
        match err(&b) {
            PzfError::InvalidQuantParams {
                offset: o,
                scale: s,
            } => {
                assert_eq!(
                    (o.to_bits(), s.to_bits()),
                    (offset.to_bits(), scale.to_bits())
                );
            }
            other => panic!("({offset}, {scale}): {other:?}"),
        }
    }
    let mut b = q.clone();
    b[3] = 0;
    assert_eq!(
        err(&b),
        PzfError::QuantizedFormat {
            format: DataFormat::U8
        }
    );
    b[3] = 2;
    assert_eq!(
        err(&b),
        PzfError::QuantizedFormat {
            format: DataFormat::F32
        }
    );
    let mut b = q.clone();
    b[4] = 0;
    assert_eq!(err(&b), PzfError::QuantizedRaw);
    // an unquantized frame's parameters are not looked at (dumps leaves them at 0)
    let mut b = frame(Compression::Huffman);
    put_f32(&mut b, 44, f32::NAN);
    assert!(pzf::decode(&b).is_ok());
}

#[test]
fn data_offsets_outside_the_input() {
    let f = frame(Compression::Raw);
    let mut b = f.clone();
    put_u32(&mut b, 48, 10);
    assert_eq!(
        err(&b),
        PzfError::DataOffsetInsideHeader {
            offset: 10,
            header_len: 64
        }
    );
    put_u32(&mut b, 48, f.len() as u32 + 1);
    assert_eq!(
        err(&b),
        PzfError::DataOffsetPastEnd {
            offset: f.len() as u32 + 1,
            len: f.len()
        }
    );
    put_u32(&mut b, 48, u32::MAX);
    assert_eq!(
        err(&b),
        PzfError::DataOffsetPastEnd {
            offset: u32::MAX,
            len: f.len()
        }
    );
    // at the very end: an empty payload, refused for its size
    put_u32(&mut b, 48, f.len() as u32);
    assert_eq!(
        err(&b),
        PzfError::PayloadSizeMismatch {
            expected: 182,
            found: 0
        }
    );
}

#[test]
fn raw_payload_of_the_wrong_size() {
    let f = frame(Compression::Raw);
    assert_eq!(f.len(), 64 + 182);
    assert_eq!(
        err(&f[..f.len() - 1]),
        PzfError::PayloadSizeMismatch {
            expected: 182,
            found: 181
        }
    );
    let mut longer = f.clone();
    longer.push(0);
    assert_eq!(
        err(&longer),
        PzfError::PayloadSizeMismatch {
            expected: 182,
            found: 183
        }
    );
    // a header that claims more pixels than the payload holds
    let mut b = f.clone();
    put_u32(&mut b, 20, 1_000_000);
    assert_eq!(
        err(&b),
        PzfError::PayloadSizeMismatch {
            expected: 14_000_000,
            found: 182
        }
    );
}

#[test]
fn shapes_too_large_to_address() {
    let mut b = frame(Compression::Huffman);
    for at in [20, 24, 28] {
        put_u32(&mut b, at, u32::MAX);
    }
    let m = u64::from(u32::MAX);
    assert_eq!(
        err(&b),
        PzfError::ShapeOverflow {
            width: m,
            height: m,
            depth: m
        }
    );
}

#[test]
fn huffman_payload_too_short_for_the_header() {
    let f = frame(Compression::Huffman);
    let payload = f.len() - 64;
    let mut b = f.clone();
    put_u32(&mut b, 20, 1_000_000);
    put_u32(&mut b, 24, 1_000_000);
    assert_eq!(
        err(&b),
        PzfError::PayloadTooShort {
            symbols: 2_000_000_000_000,
            payload_bytes: payload,
            max_symbols: payload as u64 * 8 - 9,
        }
    );
    // a lone-leaf tree: 9 bits, then the writer's 1 bit per symbol. 132 pixels in
    // ceil(141 / 8) = 18 bytes, which hold at most 135: a header claiming 135 passes the
    // bound (the reader needs no bits under a lone leaf), 136 does not.
    let c = pzf::encode(
        PzfSlice::U8(&[3; 132]),
        [132, 1, 1],
        DimOrder::C,
        &options(Compression::Huffman),
    )
    .unwrap();
    assert_eq!(c.len(), 64 + 18);
    let mut b = c.clone();
    put_u32(&mut b, 20, 135);
    assert_eq!(pzf::decode(&b).unwrap().data.len(), 135);
    put_u32(&mut b, 20, 136);
    assert_eq!(
        err(&b),
        PzfError::PayloadTooShort {
            symbols: 136,
            payload_bytes: 18,
            max_symbols: 135
        }
    );
}

/// PYME's reader returns garbage for a cut-off stream; we refuse it.
#[test]
fn truncated_huffman_stream() {
    let f = frame(Compression::Huffman);
    let cut = &f[..64 + (f.len() - 64) / 2];
    match err(cut) {
        PzfError::Stream(Error::StreamTruncated {
            decoded,
            expected,
            stream_bytes,
        }) => {
            assert_eq!((expected, stream_bytes), (182, (f.len() - 64) / 2));
            assert!(decoded < expected);
        }
        other => panic!("{other:?}"),
    }
    // cut inside the code tree
    match err(&f[..66]) {
        PzfError::Stream(Error::TreeTruncated { bits: 16 }) => {}
        PzfError::PayloadTooShort { .. } => {}
        other => panic!("{other:?}"),
    }
}

/// Chunk table: u16 count, then (u32 compressed, u32 raw, stream) per chunk.
fn chunked(chunks: &[(&[u8], u32)], count: u16) -> Vec<u8> {
    let mut f = frame(Compression::HuffmanChunked)[..64].to_vec();
    f.extend_from_slice(&count.to_le_bytes());
    for (stream, raw) in chunks {
        f.extend_from_slice(&(stream.len() as u32).to_le_bytes());
        f.extend_from_slice(&raw.to_le_bytes());
        f.extend_from_slice(stream);
    }
    f
}

#[test]
fn damaged_chunk_tables() {
    let bytes: Vec<u8> = pixels().iter().flat_map(|v| v.to_le_bytes()).collect();
    let (a, b) = bytes.split_at(100);
    let (sa, sb) = (
        pymecompress_codecs::stream::encode(a).unwrap(),
        pymecompress_codecs::stream::encode(b).unwrap(),
    );
    let good = chunked(&[(&sa, 100), (&sb, 82)], 2);
    assert!(pzf::decode(&good).is_ok());
    assert_eq!(
        err(&good[..65]),
        PzfError::ChunkTableTruncated { chunk: 0, len: 1 }
    );
    assert_eq!(err(&chunked(&[], 0)), PzfError::NoChunks);
    assert_eq!(
        err(&good[..66 + 8 + sa.len() + 4]),
        PzfError::ChunkTableTruncated {
            chunk: 1,
            len: 2 + 8 + sa.len() + 4
        }
    );
    assert_eq!(
        err(&good[..good.len() - 1]),
        PzfError::ChunkTruncated {
            chunk: 1,
            compressed_len: sb.len() as u32,
            available: sb.len() - 1
        }
    );
    assert_eq!(
        err(&chunked(&[(&sa, 100), (&sb, 82)], 3)),
        PzfError::ChunkTableTruncated {
            chunk: 2,
            len: 2 + 16 + sa.len() + sb.len()
        }
    );
    assert_eq!(
        err(&chunked(&[(&sa, 100), (&sb, 81)], 2)),
        PzfError::ChunkSizeMismatch {
            expected: 182,
            found: 181
        }
    );
    assert_eq!(
        err(&chunked(&[(&sa, 100)], 1)),
        PzfError::ChunkSizeMismatch {
            expected: 182,
            found: 100
        }
    );
    assert_eq!(
        err(&chunked(&[(&sa, 100_000), (&sb, 82)], 2)),
        PzfError::PayloadTooShort {
            symbols: 100_000,
            payload_bytes: sa.len(),
            max_symbols: sa.len() as u64 * 8 - 9
        }
    );
    assert_eq!(
        err(&chunked(&[(&[], 100), (&sb, 82)], 2)),
        PzfError::PayloadTooShort {
            symbols: 100,
            payload_bytes: 0,
            max_symbols: 0
        }
    );
}

#[test]
fn writer_refuses_what_it_cannot_write() {
    let p = pixels();
    let enc = |data: PzfSlice<'_>, shape, o: &PzfWriteOptions| {
        pzf::encode(data, shape, DimOrder::C, o).expect_err("refused")
    };
    assert_eq!(
        enc(PzfSlice::U16(&p), [13, 8, 1], &options(Compression::Raw)),
        PzfError::DataLengthMismatch {
            shape: [13, 8, 1],
            expected: 104,
            found: 91
        }
    );
    assert_eq!(
        enc(
            PzfSlice::U8(&[]),
            [1 << 32, 0, 1],
            &options(Compression::Raw)
        ),
        PzfError::DimensionTooLarge { value: 1 << 32 }
    );
    assert_eq!(
        enc(PzfSlice::U8(&[1, 2]), [2, 1, 1], &quantized()),
        PzfError::QuantizedFormat {
            format: DataFormat::U8
        }
    );
    assert_eq!(
        enc(PzfSlice::F32(&[1.0]), [1, 1, 1], &quantized()),
        PzfError::QuantizedFormat {
            format: DataFormat::F32
        }
    );
    let raw_quant = PzfWriteOptions {
        compression: Compression::Raw,
        ..quantized()
    };
    assert_eq!(
        enc(PzfSlice::U16(&p), [13, 7, 1], &raw_quant),
        PzfError::QuantizedRaw
    );
    let bad_scale = PzfWriteOptions {
        quant_scale: 0.0,
        ..quantized()
    };
    assert_eq!(
        enc(PzfSlice::U16(&p), [13, 7, 1], &bad_scale),
        PzfError::InvalidQuantParams {
            offset: 100.0,
            scale: 0.0
        }
    );
    let no_chunks = PzfWriteOptions {
        chunks: 0,
        ..options(Compression::HuffmanChunked)
    };
    assert_eq!(
        enc(PzfSlice::U16(&p), [13, 7, 1], &no_chunks),
        PzfError::ZeroChunks
    );
}

#[test]
fn errors_name_their_numbers() {
    let e = PzfError::PayloadTooShort {
        symbols: 136,
        payload_bytes: 18,
        max_symbols: 135,
    };
    assert_eq!(
        e.to_string(),
        "Huffman payload of 18 bytes holds at most 135 symbols, the header claims 136"
    );
}

#[test]
fn symbols_of_an_unquantized_frame() {
    assert_eq!(
        pzf::decode_symbols(&frame(Compression::Huffman)),
        Err(PzfError::NotQuantized)
    );
}

/// numpy's `reshape(order=...)`, which `loads` hands the DimOrder byte to, accepts these.
#[test]
fn dim_order_bytes_numpy_accepts() {
    let f = frame(Compression::Raw);
    for (byte, order) in [
        (b'C', DimOrder::C),
        (b'c', DimOrder::C),
        (b'A', DimOrder::C),
        (b'a', DimOrder::C),
        (b'F', DimOrder::F),
        (b'f', DimOrder::F),
    ] {
        let mut b = f.clone();
        b[6] = byte;
        assert_eq!(pzf::decode(&b).unwrap().order(), order, "{}", byte as char);
    }
}
