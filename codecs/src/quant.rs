//! The square-root quantizer: photon-counting values are stored as
//! `q = round(sqrt(x - offset) / scale)`, which keeps the quantization step below the shot
//! noise, and restored as `(q * scale)^2 + offset`.

use crate::endian::Endian;
use crate::Error;

/// Validated quantization parameters: `offset` finite, `scale` finite and positive.
///
/// Deserializing checks the same conditions, so a bad configuration never becomes a codec.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawQuantParams")]
pub struct QuantParams {
    offset: f64,
    scale: f64,
}

/// The unvalidated form of [`QuantParams`], as it appears in JSON.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuantParams {
    /// Camera offset subtracted before the square root.
    #[serde(default)]
    offset: f64,
    /// Quantization step in units of sqrt(counts).
    #[serde(default = "one")]
    scale: f64,
}

fn one() -> f64 {
    1.0
}

impl TryFrom<RawQuantParams> for QuantParams {
    type Error = Error;
    fn try_from(raw: RawQuantParams) -> Result<Self, Error> {
        Self::new(raw.offset, raw.scale)
    }
}

impl Default for QuantParams {
    /// The reference's defaults: offset 0, scale 1.
    fn default() -> Self {
        Self {
            offset: 0.0,
            scale: 1.0,
        }
    }
}

impl QuantParams {
    /// Checks and wraps the parameters.
    ///
    /// # Errors
    /// - [`Error::InvalidConfig`] naming `offset` if it is NaN or infinite, or `scale` if it is
    ///   NaN, infinite, zero or negative.
    pub fn new(offset: f64, scale: f64) -> Result<Self, Error> {
        if !offset.is_finite() {
            return Err(Error::InvalidConfig {
                field: "offset",
                value: offset,
                reason: "must be a finite number",
            });
        }
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::InvalidConfig {
                field: "scale",
                value: scale,
                reason: "must be a finite number greater than 0",
            });
        }
        Ok(Self { offset, scale })
    }

    /// The offset subtracted before the square root.
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// The quantization step, in units of sqrt(counts).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// `round(sqrt(x - offset) / scale)`, 0 for `x <= offset`, saturating at 255.
    ///
    /// An exact tie (`sqrt(x - offset) / scale = k + 1/2`, e.g. x = 81 at scale 2) rounds down
    /// to `k`: `(k + 1/2)^2` lies closer to `k^2` than to `(k + 1)^2`, so the restored value is
    /// nearer the original, and the reference's approximate square root lands below the tie
    /// and rounds down as well in almost every case.
    pub fn quantize(&self, x: u16) -> u8 {
        let above = f64::from(x) - self.offset;
        if above <= 0.0 {
            return 0;
        }
        let q = (above.sqrt() / self.scale - 0.5).ceil();
        if q >= 255.0 {
            255
        } else {
            q as u8
        }
    }

    /// `trunc((q * scale)^2 + offset)`, clamped to the `u16` range.
    pub fn dequantize(&self, q: u8) -> u16 {
        let step = f64::from(q) * self.scale;
        let value = (step * step + self.offset).trunc();
        // `as` saturates at both ends of the u16 range.
        value as u16
    }

    /// The value above which the 8-bit symbol saturates: `offset + (255.5 * scale)^2`. A value
    /// `x` above it is stored as symbol 255 and comes back as `dequantize(255)`, further off
    /// than the square-root bound of [`Self::max_error`] allows for unsaturated values (at
    /// offset 100, scale 1: 65535 comes back as 65125, 410 off, where `sqrt(x - offset) + 1/4`
    /// would be 256).
    pub fn saturation_limit(&self) -> f64 {
        let top = 255.5 * self.scale;
        self.offset + top * top
    }

    /// The largest difference between `x` and what it comes back as
    /// (`dequantize(quantize(x))`), by the value's range:
    /// - `x <= offset`: every such value is stored as symbol 0 and comes back as
    ///   `dequantize(0)` (the offset, truncated and clamped to `u16`): exactly `|x - that|`;
    /// - `x` above [`Self::saturation_limit`]: exactly `|x - dequantize(255)|`;
    /// - between: `scale * sqrt(x - offset) + scale^2 / 4`, plus 1 when `(q * scale)^2 +
    ///   offset` need not be a whole number (a fractional offset, or a scale whose square is
    ///   fractional), for the truncation to `u16`. The first part holds because the symbol `q`
    ///   is within 1/2 of `r = sqrt(x - offset) / scale`, so `|q^2 - r^2| * scale^2 =
    ///   |q - r| (q + r) scale^2 <= (r + 1/4) scale^2`.
    ///
    /// ```
    /// use pymecompress_codecs::QuantParams;
    ///
    /// let p = QuantParams::new(100.0, 1.0)?;
    /// let x = 1050u16;
    /// let back = p.dequantize(p.quantize(x));
    /// assert!(f64::from(x.abs_diff(back)) <= p.max_error(x));
    /// assert!(p.max_error(x) < 31.1); // sqrt(950) + 1/4
    /// // Saturated: 65535 comes back 410 off, and max_error says so.
    /// assert_eq!(p.max_error(65535), 410.0);
    /// // Below the offset: everything comes back as the offset.
    /// assert_eq!(p.dequantize(p.quantize(40)), 100);
    /// # Ok::<(), pymecompress_codecs::Error>(())
    /// ```
    pub fn max_error(&self, x: u16) -> f64 {
        let value = f64::from(x);
        if value <= self.offset {
            return value.abs_sub_f64(self.dequantize(0));
        }
        if value > self.saturation_limit() {
            return value.abs_sub_f64(self.dequantize(255));
        }
        let whole = self.offset.fract() == 0.0 && (self.scale * self.scale).fract() == 0.0;
        let truncation = if whole { 0.0 } else { 1.0 };
        // A relative 1e-12 covers the rounding of the square root and of the products.
        let bound = self.scale * (value - self.offset).sqrt() + self.scale * self.scale / 4.0;
        bound * (1.0 + 1e-12) + truncation
    }
}

/// `|a - b|` of a value and a restored `u16`, in `f64`.
trait AbsSub {
    fn abs_sub_f64(self, restored: u16) -> f64;
}

impl AbsSub for f64 {
    fn abs_sub_f64(self, restored: u16) -> f64 {
        (self - f64::from(restored)).abs()
    }
}

/// The quantizer as a 64 Ki-entry table, built once per configuration.
#[derive(Clone)]
pub struct QuantTable {
    symbols: Box<[u8; 1 << 16]>,
}

impl std::fmt::Debug for QuantTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantTable").finish_non_exhaustive()
    }
}

impl QuantTable {
    /// Tabulates [`QuantParams::quantize`] for every `u16`.
    pub fn new(params: &QuantParams) -> Self {
        let mut symbols = Box::new([0u8; 1 << 16]);
        for (x, q) in (0..=u16::MAX).zip(symbols.iter_mut()) {
            *q = params.quantize(x);
        }
        Self { symbols }
    }

    /// The symbol of one value.
    #[inline(always)]
    pub fn quantize(&self, x: u16) -> u8 {
        self.symbols[usize::from(x)]
    }

    /// Quantizes `values` into `out` (same length) and counts the symbols. Eight interleaved
    /// count tables keep runs of equal symbols (most of a quantized frame) from serialising
    /// on one counter's store-to-load latency.
    ///
    /// Generic over how a value is stored (`u16`, or two bytes in either order at any
    /// alignment), so that byte buffers are quantized in place.
    pub(crate) fn quantize_counted<V: Copy>(
        &self,
        values: &[V],
        to_u16: impl Fn(V) -> u16,
        out: &mut [u8],
    ) -> [u64; 256] {
        debug_assert_eq!(values.len(), out.len());
        let mut tables = [[0u32; 256]; 8];
        let mut groups = values.chunks_exact(8);
        let mut outs = out.chunks_exact_mut(8);
        for (v, q) in (&mut groups).zip(&mut outs) {
            let s: [u8; 8] = std::array::from_fn(|j| self.quantize(to_u16(v[j])));
            q.copy_from_slice(&s);
            for (t, &x) in tables.iter_mut().zip(&s) {
                t[usize::from(x)] += 1;
            }
        }
        for (q, &v) in outs.into_remainder().iter_mut().zip(groups.remainder()) {
            *q = self.quantize(to_u16(v));
            tables[0][usize::from(*q)] += 1;
        }
        crate::tree::sum_tables(&tables)
    }
}

/// The dequantizer as a 256-entry table, built once per configuration.
#[derive(Clone, Debug)]
pub struct DequantTable {
    values: [u16; 256],
    /// `values` as little- and big-endian bytes, for decoding into byte buffers of any
    /// alignment.
    le_bytes: [[u8; 2]; 256],
    be_bytes: [[u8; 2]; 256],
}

impl DequantTable {
    /// Tabulates [`QuantParams::dequantize`] for every symbol.
    pub fn new(params: &QuantParams) -> Self {
        let mut values = [0u16; 256];
        for (q, v) in (0..=u8::MAX).zip(values.iter_mut()) {
            *v = params.dequantize(q);
        }
        Self {
            values,
            le_bytes: values.map(u16::to_le_bytes),
            be_bytes: values.map(u16::to_be_bytes),
        }
    }

    /// The value of every symbol, indexed by symbol.
    pub fn values(&self) -> &[u16; 256] {
        &self.values
    }

    /// The value of every symbol as bytes in `order`, indexed by symbol.
    pub fn bytes(&self, order: Endian) -> &[[u8; 2]; 256] {
        match order {
            Endian::Little => &self.le_bytes,
            Endian::Big => &self.be_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_follows_the_formula_at_its_edges() {
        let p = QuantParams::new(100.0, 1.0).unwrap();
        assert_eq!(p.quantize(0), 0);
        assert_eq!(p.quantize(100), 0);
        assert_eq!(p.quantize(101), 1);
        // sqrt(2.25) = 1.5 is a tie and rounds down; just above it rounds up.
        let p = QuantParams::new(97.75, 1.0).unwrap();
        assert_eq!(p.quantize(100), 1);
        assert_eq!(p.quantize(101), 2);
        let p = QuantParams::new(0.0, 2.0).unwrap();
        assert_eq!((p.quantize(80), p.quantize(81), p.quantize(82)), (4, 4, 5));
        let p = QuantParams::new(0.0, 1.0).unwrap();
        assert_eq!(p.quantize(254 * 254), 254);
        assert_eq!(p.quantize(65535), 255);
        let p = QuantParams::new(0.0, 2.0).unwrap();
        assert_eq!(p.quantize(400), 10);
    }

    #[test]
    fn dequantize_is_the_inverse_on_squares_and_clamps() {
        let p = QuantParams::new(0.0, 1.0).unwrap();
        for q in 0..=255u8 {
            assert_eq!(p.quantize(p.dequantize(q)), q);
        }
        assert_eq!(QuantParams::new(0.0, 2.0).unwrap().dequantize(10), 400);
        assert_eq!(QuantParams::new(0.5, 1.0).unwrap().dequantize(3), 9);
        assert_eq!(QuantParams::new(-50.0, 1.0).unwrap().dequantize(2), 0);
        assert_eq!(QuantParams::new(0.0, 10.0).unwrap().dequantize(255), 65535);
    }

    #[test]
    fn invalid_parameters_name_the_field() {
        for (offset, scale, field) in [
            (0.0, 0.0, "scale"),
            (0.0, -1.0, "scale"),
            (0.0, f64::NAN, "scale"),
            (0.0, f64::INFINITY, "scale"),
            (f64::NAN, 1.0, "offset"),
            (f64::NEG_INFINITY, 1.0, "offset"),
        ] {
            match QuantParams::new(offset, scale) {
                Err(Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
                other => panic!("({offset}, {scale}) gave {other:?}"),
            }
        }
    }

    #[test]
    fn json_defaults_validation_and_unknown_fields() {
        let p: QuantParams = serde_json::from_str("{}").unwrap();
        assert_eq!(p, QuantParams::default());
        let p: QuantParams = serde_json::from_str(r#"{"offset": 100, "scale": 1.5}"#).unwrap();
        assert_eq!((p.offset(), p.scale()), (100.0, 1.5));
        let err = serde_json::from_str::<QuantParams>(r#"{"scale": 0}"#).unwrap_err();
        assert!(err.to_string().contains("scale = 0"), "{err}");
        assert!(serde_json::from_str::<QuantParams>(r#"{"scale": "1"}"#).is_err());
        let err = serde_json::from_str::<QuantParams>(r#"{"scale": 1, "gain": 2}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `gain`"), "{err}");
    }

    /// `max_error` against the actual round trip, for every `u16`.
    fn check_max_error(p: QuantParams) {
        let mut tightest = f64::INFINITY;
        for x in 0..=u16::MAX {
            let back = p.dequantize(p.quantize(x));
            let error = f64::from(x.abs_diff(back));
            let bound = p.max_error(x);
            assert!(
                error <= bound,
                "{p:?}: x = {x} comes back as {back}, bound {bound}"
            );
            if f64::from(x) > p.offset() && f64::from(x) <= p.saturation_limit() {
                tightest = tightest.min(bound - error);
            }
            if f64::from(x) <= p.offset() {
                assert_eq!(back, p.dequantize(0), "{p:?}: x = {x}");
            }
        }
        // Not a vacuous bound: somewhere the error comes within the truncation's 1 and
        // scale^2 / 2 of it.
        let slack = 1.0 + p.scale() * p.scale() / 2.0;
        assert!(
            tightest <= slack,
            "{p:?}: bound never within {tightest} of the error"
        );
    }

    #[test]
    fn max_error_holds_for_every_value() {
        for (offset, scale) in [
            (0.0, 1.0),
            (100.0, 1.0),
            (100.0, 2.0),
            (100.0, 0.5),
            (12.5, 0.7),
            (-3.0, 1.5),
            (97.75, 1.0),
            (1000.0, 0.25),
        ] {
            check_max_error(QuantParams::new(offset, scale).unwrap());
        }
    }

    #[test]
    fn saturation_breaks_the_square_root_bound() {
        let p = QuantParams::new(100.0, 1.0).unwrap();
        assert_eq!(p.saturation_limit(), 100.0 + 255.5 * 255.5);
        assert_eq!(p.dequantize(p.quantize(65535)), 65125);
        let sqrt_bound = (65535.0f64 - 100.0).sqrt() + 0.25;
        assert!(410.0 > sqrt_bound);
        assert_eq!(p.max_error(65535), 410.0);
        // Just below the limit the square-root bound still holds.
        assert!(p.max_error(65380) < 256.0);
    }

    #[test]
    fn tables_match_the_formula() {
        let p = QuantParams::new(12.5, 0.7).unwrap();
        let qt = QuantTable::new(&p);
        for x in (0..=u16::MAX).step_by(97) {
            assert_eq!(qt.quantize(x), p.quantize(x));
        }
        let dt = DequantTable::new(&p);
        for q in 0..=255u8 {
            assert_eq!(dt.values()[usize::from(q)], p.dequantize(q));
        }
    }
}
