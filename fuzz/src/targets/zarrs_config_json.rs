//! The zarrs plugin's `pymecompress-quant16` configuration: any text parsed as
//! `HuffmanQuant16CodecConfiguration` either fails or yields valid parameters, agrees with
//! the core `QuantParams` parser, and survives a JSON round trip.

use pymecompress_codecs::QuantParams;
use zarrs_pymecompress::HuffmanQuant16CodecConfiguration;

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plugin = serde_json::from_str::<HuffmanQuant16CodecConfiguration>(text);
    let core = serde_json::from_str::<QuantParams>(text);
    let Ok(config) = plugin else {
        return;
    };
    let params = *config.params();
    assert!(params.offset().is_finite());
    assert!(params.scale().is_finite() && params.scale() > 0.0);
    if let Ok(core) = core {
        assert_eq!(
            core, params,
            "the plugin and the core read {text} differently"
        );
    }
    let json = serde_json::to_string(&config).expect("valid configurations serialize");
    let again: HuffmanQuant16CodecConfiguration =
        serde_json::from_str(&json).expect("serialized configurations parse");
    // The plugin keeps the numbers as written, but serde_json's default float parser is not
    // correctly rounded, so a value written and read back can move by a few units in the last
    // place (see config_json.rs and docs/robustness.md). Anything more is a bug.
    let close = |a: f64, b: f64| {
        a == b || (a.signum() == b.signum() && a.to_bits().abs_diff(b.to_bits()) <= 4)
    };
    assert!(close(again.params().offset(), params.offset()), "{json}");
    assert!(close(again.params().scale(), params.scale()), "{json}");
}
