//! Frames as arrays: PZF's element order to C order, and frame numbers as ranges.

use pymecompress_codecs::pzf::{DimOrder, PzfData, PzfFrame};

/// A frame's pixels as little-endian bytes in C order of (Width, Height, Depth), whatever its
/// DimOrder: `.npy` files and zarr chunks are written in C order.
#[must_use]
pub fn c_order_le_bytes(frame: &PzfFrame) -> Vec<u8> {
    let mut out = vec![0u8; frame.data.len() * frame.header.data_format.itemsize()];
    let written = write_c_order_le(frame, &mut out);
    debug_assert!(written, "sized from the frame's own data");
    out
}

/// [`c_order_le_bytes`] written into `out`, with no buffer of its own in between (frames are
/// read this way by the hundred thousand); `false`, and `out` untouched, unless `out` is
/// exactly the frame's size.
pub fn write_c_order_le(frame: &PzfFrame, out: &mut [u8]) -> bool {
    let item = frame.header.data_format.itemsize();
    if out.len() != frame.data.len() * item {
        return false;
    }
    if frame.order() == DimOrder::C {
        match &frame.data {
            PzfData::U8(v) => out.copy_from_slice(v),
            PzfData::U16(v) => le_into(v, out, u16::to_le_bytes),
            PzfData::F32(v) => le_into(v, out, f32::to_le_bytes),
        }
        return true;
    }
    let [w, h, d] = frame.shape();
    // F order: element (x, y, z) is at x + w * (y + h * z); C order puts it at (x * h + y) * d + z.
    let mut put = |from: usize, to: usize| match &frame.data {
        PzfData::U8(v) => out[to] = v[from],
        PzfData::U16(v) => out[to * 2..to * 2 + 2].copy_from_slice(&v[from].to_le_bytes()),
        PzfData::F32(v) => out[to * 4..to * 4 + 4].copy_from_slice(&v[from].to_le_bytes()),
    };
    for x in 0..w {
        for y in 0..h {
            for z in 0..d {
                put(x + w * (y + h * z), (x * h + y) * d + z);
            }
        }
    }
    true
}

/// Each value's little-endian bytes, in order, into `out` (exactly their size).
fn le_into<T: Copy, const N: usize>(values: &[T], out: &mut [u8], le: fn(T) -> [u8; N]) {
    for (bytes, &value) in out.chunks_exact_mut(N).zip(values) {
        bytes.copy_from_slice(&le(value));
    }
}

/// Frame numbers as ranges: `57, 115-119`.
#[must_use]
pub fn ranges(numbers: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_numbers_compress_to_ranges() {
        assert_eq!(ranges(&[57, 115, 116, 117, 118, 119]), "57, 115-119");
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[0, 1, 3]), "0-1, 3");
    }
}
