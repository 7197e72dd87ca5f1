//! The PZF parser on any bytes: `pzf::decode` and `pzf::decode_symbols` must agree.
//!
//! Input: a whole PZF file (header, then payload). Checks: no panic; a decoded frame has exactly
//! Width × Height × Depth pixels; `decode_symbols` succeeds exactly when `decode` does on a
//! quantized frame (with the same header), refuses unquantized ones with `NotQuantized`, and
//! the frame's values are the dequantization table applied to those symbols.

use pymecompress_codecs::pzf::{self, PzfData, PzfError, Quantization};

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let frame = pzf::decode(data);
    let symbols = pzf::decode_symbols(data);
    if let Ok(frame) = &frame {
        let [w, h, d] = frame.shape();
        assert_eq!(
            frame.data.len(),
            w * h * d,
            "pixel count differs from the header"
        );
    }
    match (&frame, &symbols) {
        (Ok(frame), Ok((header, symbols))) => {
            assert_eq!(&frame.header, header);
            assert_eq!(frame.header.quantization, Quantization::Sqrt);
            let table = pzf::dequant_table(header.quant_offset, header.quant_scale);
            let PzfData::U16(values) = &frame.data else {
                panic!(
                    "a quantized frame decoded to {:?}",
                    frame.header.data_format
                );
            };
            assert_eq!(values.len(), symbols.len());
            assert!(values
                .iter()
                .zip(symbols)
                .all(|(v, s)| *v == table[*s as usize]));
        }
        (Ok(frame), Err(e)) => {
            assert_ne!(frame.header.quantization, Quantization::Sqrt, "{e}");
            assert!(matches!(e, PzfError::NotQuantized), "{e}");
        }
        (Err(e), Ok(_)) => panic!("symbols decode but the frame does not: {e}"),
        (Err(_), Err(_)) => {}
    }
}
