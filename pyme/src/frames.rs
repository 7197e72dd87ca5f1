//! Frames as arrays: PZF's element order to C order, and frame numbers as ranges.

use pymecompress_codecs::pzf::{DimOrder, PzfData, PzfFrame};

/// A frame's pixels as little-endian bytes in C order of (Width, Height, Depth), whatever its
/// DimOrder: `.npy` files and zarr chunks are written in C order.
#[must_use]
pub fn c_order_le_bytes(frame: &PzfFrame) -> Vec<u8> {
    let [w, h, d] = frame.shape();
    let le: Vec<u8> = match &frame.data {
        PzfData::U8(v) => v.clone(),
        PzfData::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        PzfData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    };
    if frame.order() == DimOrder::C {
        return le;
    }
    let item = frame.header.data_format.itemsize();
    let mut out = vec![0u8; le.len()];
    for x in 0..w {
        for y in 0..h {
            for z in 0..d {
                let from = (x + w * (y + h * z)) * item;
                let to = ((x * h + y) * d + z) * item;
                out[to..to + item].copy_from_slice(&le[from..from + item]);
            }
        }
    }
    out
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
