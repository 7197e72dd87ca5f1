//! Dequantization as `PZFFormat.loads` does it: in float32, then truncated to uint16.

/// The uint16 value of every symbol: `trunc((f32(q) * scale)² + offset)` computed in float32
/// (one rounding per operation, no fused multiply-add, like numpy's separate ufuncs), then
/// clamped to `0..=65535`.
///
/// PYME casts the float32 with numpy's `astype('u2')`, which on x86 truncates and then wraps
/// modulo 65536: 65536 becomes 0, -1.5 becomes 65535. Both ends saturate here instead.
pub fn dequant_table(offset: f32, scale: f32) -> [u16; 256] {
    std::array::from_fn(|q| {
        let step = q as f32 * scale;
        let value = step * step + offset;
        // `as` truncates toward zero and saturates at both ends of the u16 range.
        value as u16
    })
}

/// What PYME's `loads` returns for each symbol (truncation, then wrapping modulo 65536), for
/// documenting and testing the difference. `None` where the float32 value is not finite.
pub fn pyme_dequant_table(offset: f32, scale: f32) -> [Option<u16>; 256] {
    std::array::from_fn(|q| {
        let step = q as f32 * scale;
        let value = (step * step + offset).trunc();
        value
            .is_finite()
            .then(|| (value as i64).rem_euclid(1 << 16) as u16)
    })
}
