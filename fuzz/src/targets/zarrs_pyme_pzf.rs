//! The `pyme-pzf` codec's decode through the zarrs codec traits, on any chunk shape and data
//! type it supports.
//!
//! Input: `mode: u8` (`mode % 3`: uint8, uint16, float32), three `u16 LE` chunk dimensions
//! (each taken as 1 + value % 1024; shapes over 2^22 elements are skipped, so the output the
//! caller allocates stays small), then the stored frame. Checks: no panic; a decoded chunk has
//! exactly the chunk's byte size; what zarrs decodes, the core `pzf::decode` decodes to the same
//! pixels (native byte order).

use std::borrow::Cow;
use std::num::NonZeroU64;

use pymecompress_codecs::pzf::{self, PzfData};
use zarrs::array::codec::api::{ArrayToBytesCodecTraits, CodecOptions};
use zarrs::array::{data_type, FillValue};
use zarrs_pymecompress::PymePzfCodec;

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((head, chunk)) = data.split_first_chunk::<7>() else {
        return;
    };
    let mode = head[0];
    let dim = |i: usize| {
        let raw = u16::from_le_bytes([head[1 + 2 * i], head[2 + 2 * i]]);
        NonZeroU64::new(1 + u64::from(raw % 1024)).expect("nonzero")
    };
    let shape = [dim(0), dim(1), dim(2)];
    if shape.iter().map(|d| d.get()).product::<u64>() > 1 << 22 {
        return;
    }
    let (dtype, fill, itemsize) = match mode % 3 {
        0 => (data_type::uint8(), FillValue::from(0u8), 1),
        1 => (data_type::uint16(), FillValue::from(0u16), 2),
        _ => (data_type::float32(), FillValue::from(0f32), 4),
    };
    let codec = PymePzfCodec::new();
    let decoded = codec.decode(
        Cow::Borrowed(chunk),
        &shape,
        &dtype,
        &fill,
        &CodecOptions::default(),
    );
    let Ok(bytes) = decoded else {
        return;
    };
    let bytes = bytes.into_fixed().expect("pzf chunks are fixed-size");
    let n: u64 = shape.iter().map(|d| d.get()).product();
    assert_eq!(bytes.len() as u64, n * itemsize);
    let frame = pzf::decode(chunk).expect("the core decodes what the codec decodes");
    let expected: Vec<u8> = match &frame.data {
        PzfData::U8(v) => v.clone(),
        PzfData::U16(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        PzfData::F32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
    };
    assert_eq!(&bytes[..], &expected[..]);
}
