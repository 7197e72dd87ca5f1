//! The zarrs codecs' decode, through the zarrs codec traits, with arbitrary decoded sizes.
//!
//! Input: `mode: u8`, `len: u32 LE` (above `MAX_EXACT` folded into 0..=4096), then for quant16
//! `offset: f64 LE`, `scale: f64 LE`; then the chunk.
//! - `mode & 1 == 0`: `pymecompress-huffman` (bytes-to-bytes); `mode >> 1 & 3` picks the
//!   decoded representation: fixed size `len`, bounded by `len`, unbounded.
//! - `mode & 1 == 1`: `pymecompress-quant16` (array-to-bytes) over `len` values; `mode & 2`
//!   asks for a `uint8` array (always refused), `mode & 4` a 2-D chunk shape when `len` is even.

use std::borrow::Cow;
use std::num::NonZeroU64;

use crate::shared::take_count;
use pymecompress_codecs::{huffman, Quant16Codec, QuantParams, TRAILER_BYTES};
use zarrs::array::codec::api::{
    ArrayToBytesCodecTraits, BytesRepresentation, BytesToBytesCodecTraits, CodecOptions,
};
use zarrs::array::{data_type, FillValue};
use zarrs_pymecompress::{HuffmanCodec, HuffmanQuant16Codec};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some((len, rest)) = take_count(rest) else {
        return;
    };
    if mode & 1 == 0 {
        huffman(mode >> 1 & 3, len, rest);
    } else {
        quant16(mode, len, rest);
    }
}

fn huffman(representation: u8, len: usize, chunk: &[u8]) {
    let codec = HuffmanCodec::new();
    let options = CodecOptions::default();
    let rep = match representation {
        1 => BytesRepresentation::BoundedSize(len as u64),
        2 => BytesRepresentation::UnboundedSize,
        _ => BytesRepresentation::FixedSize(len as u64),
    };
    let decoded = codec.decode(Cow::Borrowed(chunk), &rep, &options);
    let Ok(bytes) = decoded else {
        return;
    };
    match rep {
        BytesRepresentation::FixedSize(_) => {
            assert_eq!(bytes.len(), len);
            assert_eq!(huffman::decode(chunk, len).as_deref(), Ok(&bytes[..]));
        }
        BytesRepresentation::BoundedSize(max) => assert!(bytes.len() as u64 <= max),
        BytesRepresentation::UnboundedSize => {
            // A valid stream spends at least one bit per decoded byte.
            assert!(bytes.len() <= (chunk.len() - TRAILER_BYTES) * 8);
        }
    }
}

fn quant16(mode: u8, n: usize, rest: &[u8]) {
    let Some((offset, rest)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let Some((scale, chunk)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let Ok(params) = QuantParams::new(f64::from_le_bytes(*offset), f64::from_le_bytes(*scale))
    else {
        return;
    };
    let Some(count) = NonZeroU64::new(n as u64) else {
        return;
    };
    let shape = match NonZeroU64::new(n as u64 / 2) {
        Some(half) if mode & 4 != 0 && n.is_multiple_of(2) => {
            vec![NonZeroU64::MIN.saturating_add(1), half]
        }
        _ => vec![count],
    };
    let codec = HuffmanQuant16Codec::new(params);
    let options = CodecOptions::default();
    if mode & 2 != 0 {
        let decoded = codec.decode(
            Cow::Borrowed(chunk),
            &shape,
            &data_type::uint8(),
            &FillValue::from(0u8),
            &options,
        );
        assert!(decoded.is_err(), "quant16 decoded a uint8 array");
        return;
    }
    let decoded = codec.decode(
        Cow::Borrowed(chunk),
        &shape,
        &data_type::uint16(),
        &FillValue::from(0u16),
        &options,
    );
    let core = Quant16Codec::new(params).decode(chunk, n);
    match decoded {
        Ok(bytes) => {
            let bytes = bytes.into_fixed().expect("uint16 chunks are fixed-size");
            assert_eq!(bytes.len(), 2 * n);
            let values = core.expect("the core codec decodes what the zarrs codec decodes");
            let expected: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
            assert_eq!(&bytes[..], &expected[..]);
        }
        Err(_) => assert!(core.is_err(), "only the zarrs codec refused the chunk"),
    }
}
