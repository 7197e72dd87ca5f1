//! Configuration parsing: any text given to serde_json as `QuantParams` either fails or
//! yields valid parameters that survive a JSON round trip (to within one unit in the last
//! place; see the note at the assertion).

use pymecompress_codecs::QuantParams;

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(params) = serde_json::from_str::<QuantParams>(text) else {
        return;
    };
    assert!(params.offset().is_finite());
    assert!(params.scale().is_finite() && params.scale() > 0.0);
    assert_eq!(
        QuantParams::new(params.offset(), params.scale()),
        Ok(params)
    );
    let json = serde_json::to_string(&params).expect("valid params serialize");
    let again: QuantParams = serde_json::from_str(&json).expect("serialized params parse");
    // serde_json's default float parser is not correctly rounded: a value written and read
    // back can move by a few units in the last place (found by this target:
    // `[2222222220042877324]`, `[1E-28,2E-21]`; the `float_roundtrip` feature fixes it; see
    // docs/robustness.md). Anything more is a bug.
    assert!(close(again.offset(), params.offset()), "{json}");
    assert!(close(again.scale(), params.scale()), "{json}");
}

/// Equal, or of the same sign and at most 4 units in the last place apart.
fn close(a: f64, b: f64) -> bool {
    a == b || (a.signum() == b.signum() && a.to_bits().abs_diff(b.to_bits()) <= 4)
}
