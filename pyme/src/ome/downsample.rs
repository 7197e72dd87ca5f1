//! Frames the right way round and their pyramid levels: PYME's (x, y) bytes transposed to
//! (y, x), and each level the mean of 2×2 pixels of the one above, rounded half to even in the
//! frame's own data type (integers stay integers; an odd last row or column is dropped).

use pymecompress_codecs::pzf::DataFormat;

/// A frame in native-endian bytes, C order of (y, x).
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// The pixels' data type.
    pub format: DataFormat,
    /// Rows (y).
    pub rows: usize,
    /// Columns (x).
    pub cols: usize,
    /// `rows × cols` pixels, native-endian.
    pub bytes: Vec<u8>,
}

impl Plane {
    /// PYME's frame (little-endian bytes, C order of (Width, Height): x slowest) as (y, x) in
    /// native byte order. `xy.len()` must be `width × height × itemsize`; a shorter buffer
    /// gives a plane of zeros past its end rather than a panic.
    #[must_use]
    pub fn from_pyme_xy(format: DataFormat, width: usize, height: usize, xy: &[u8]) -> Self {
        let item = format.itemsize();
        let mut bytes = vec![0u8; width * height * item];
        for x in 0..width {
            for y in 0..height {
                let from = (x * height + y) * item;
                let to = (y * width + x) * item;
                if let Some(pixel) = xy.get(from..from + item) {
                    bytes[to..to + item].copy_from_slice(pixel);
                    if cfg!(target_endian = "big") {
                        bytes[to..to + item].reverse();
                    }
                }
            }
        }
        Self {
            format,
            rows: height,
            cols: width,
            bytes,
        }
    }

    /// The next pyramid level: (rows / 2, cols / 2), each pixel the mean of its 2×2 block.
    #[must_use]
    pub fn halved(&self) -> Self {
        let (rows, cols) = (self.rows / 2, self.cols / 2);
        let item = self.format.itemsize();
        let mut bytes = vec![0u8; rows * cols * item];
        let at = |y: usize, x: usize| (y * self.cols + x) * item;
        for y in 0..rows {
            for x in 0..cols {
                let block = [
                    at(2 * y, 2 * x),
                    at(2 * y, 2 * x + 1),
                    at(2 * y + 1, 2 * x),
                    at(2 * y + 1, 2 * x + 1),
                ];
                let out = &mut bytes[(y * cols + x) * item..][..item];
                match self.format {
                    DataFormat::U8 => {
                        let sum = block.iter().map(|&i| u64::from(self.bytes[i])).sum();
                        out[0] = mean4(sum) as u8;
                    }
                    DataFormat::U16 => {
                        let sum = block
                            .iter()
                            .map(|&i| {
                                u64::from(u16::from_ne_bytes([self.bytes[i], self.bytes[i + 1]]))
                            })
                            .sum();
                        out.copy_from_slice(&(mean4(sum) as u16).to_ne_bytes());
                    }
                    DataFormat::F32 => {
                        // Four f32 values sum exactly in f64; one rounding, to f32, at the end.
                        let sum: f64 = block
                            .iter()
                            .map(|&i| {
                                let b = &self.bytes[i..i + 4];
                                f64::from(f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                            })
                            .sum();
                        out.copy_from_slice(&((sum / 4.0) as f32).to_ne_bytes());
                    }
                }
            }
        }
        Self {
            format: self.format,
            rows,
            cols,
            bytes,
        }
    }
}

/// `sum / 4` rounded half to even (numpy's `np.round` of the mean, then the cast back).
fn mean4(sum: u64) -> u64 {
    let (q, r) = (sum >> 2, sum & 3);
    match r {
        3 => q + 1,
        2 => q + (q & 1),
        _ => q,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_round_half_to_even() {
        // (sum, mean): 1/4 down, 2/4 to even, 3/4 up.
        for (sum, mean) in [
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 1),
            (4, 1),
            (6, 2),
            (10, 2),
            (14, 4),
        ] {
            assert_eq!(mean4(sum), mean, "sum {sum}");
        }
        assert_eq!(mean4(4 * 65535), 65535);
    }

    #[test]
    fn a_frame_is_transposed_then_halved() {
        // PYME's (x, y) frame of width 4, height 2: x slowest.
        let xy: Vec<u16> = vec![1, 2, 3, 4, 5, 6, 7, 8];
        let bytes: Vec<u8> = xy.iter().flat_map(|v| v.to_le_bytes()).collect();
        let plane = Plane::from_pyme_xy(DataFormat::U16, 4, 2, &bytes);
        let yx: Vec<u16> = plane
            .bytes
            .chunks_exact(2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(yx, [1, 3, 5, 7, 2, 4, 6, 8]);
        let half = plane.halved();
        assert_eq!((half.rows, half.cols), (1, 2));
        let means: Vec<u16> = half
            .bytes
            .chunks_exact(2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            .collect();
        // (1+3+2+4)/4 = 2.5 -> 2; (5+7+6+8)/4 = 6.5 -> 6.
        assert_eq!(means, [2, 6]);
    }
}
