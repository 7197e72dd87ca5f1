//! What several fuzz targets share.

use std::sync::Mutex;

use pymecompress_codecs::{Quant16Codec, QuantParams};

/// Counts and sizes up to this are used as given by [`take_count`] (every fixture seed is
/// below it).
pub const MAX_EXACT: usize = 1 << 20;

/// Splits a count or size, a `u32 LE`, off the front of the input, or `None` if the input is
/// shorter. Random counts are mostly huge, so those above [`MAX_EXACT`] are folded into
/// 0..=4096, which keeps most executions cheap while seeds keep their exact counts.
pub fn take_count(data: &[u8]) -> Option<(usize, &[u8])> {
    let (raw, rest) = data.split_first_chunk::<4>()?;
    let raw = u32::from_le_bytes(*raw) as usize;
    let count = if raw <= MAX_EXACT { raw } else { raw % 4097 };
    Some((count, rest))
}

/// The quant16 codec for `params`, kept from the previous call when the parameters are the
/// same: `Quant16Codec::new` quantizes all 65536 inputs, and mutations mostly keep the
/// parameter bytes, so reusing the last codec saves most of that work.
pub fn codec_for(params: QuantParams) -> Quant16Codec {
    static LAST: Mutex<Option<Quant16Codec>> = Mutex::new(None);
    // A target that panicked while holding the lock left a whole codec or none: still usable.
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    match &*last {
        Some(codec) if *codec.params() == params => codec.clone(),
        _ => {
            let codec = Quant16Codec::new(params);
            *last = Some(codec.clone());
            codec
        }
    }
}
