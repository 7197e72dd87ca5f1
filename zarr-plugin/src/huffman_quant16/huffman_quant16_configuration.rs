use pymecompress_codecs::QuantParams;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use zarrs::metadata::ConfigurationSerialize;

/// The JSON configuration of `pymecompress-quant16`: `{"offset": number, "scale": number}`.
///
/// The numbers are kept as written, so that `100` is written back as `100` and not `100.0`:
/// other readers (and diffs of `.zarray` files) see the metadata they wrote. Deserializing
/// validates them as [`QuantParams`] does (`offset` finite, `scale` finite and positive), so an
/// invalid configuration never becomes a codec.
///
/// Unknown fields are refused rather than ignored: a field this codec does not know would change
/// how the data decodes in whatever writer added it, and decoding it anyway would silently give
/// wrong values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawConfiguration")]
pub struct HuffmanQuant16CodecConfiguration {
    /// Camera offset subtracted before the square root, as written in the metadata.
    offset: Number,
    /// Quantization step in units of sqrt(counts), as written in the metadata.
    scale: Number,
    /// The validated parameters the numbers stand for.
    #[serde(skip)]
    params: QuantParams,
}

impl ConfigurationSerialize for HuffmanQuant16CodecConfiguration {}

/// The configuration as it appears in JSON, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfiguration {
    /// Camera offset; 0 when absent, as in the reference.
    #[serde(default = "zero")]
    offset: Number,
    /// Quantization step; 1 when absent, as in the reference.
    #[serde(default = "one")]
    scale: Number,
}

fn zero() -> Number {
    Number::from(0)
}

fn one() -> Number {
    Number::from(1)
}

impl TryFrom<RawConfiguration> for HuffmanQuant16CodecConfiguration {
    type Error = pymecompress_codecs::Error;

    fn try_from(raw: RawConfiguration) -> Result<Self, Self::Error> {
        Self::from_numbers(raw.offset, raw.scale)
    }
}

impl Default for HuffmanQuant16CodecConfiguration {
    /// Offset 0 and scale 1, written as the integers `0` and `1`.
    fn default() -> Self {
        Self {
            offset: zero(),
            scale: one(),
            params: QuantParams::default(),
        }
    }
}

impl HuffmanQuant16CodecConfiguration {
    /// A configuration from the parameters. Whole numbers are written as JSON integers, as
    /// numcodecs writes the parameters of `HuffmanQuant16(offset=100, scale=1)`.
    #[must_use]
    pub fn new(params: QuantParams) -> Self {
        Self {
            offset: json_number(params.offset()),
            scale: json_number(params.scale()),
            params,
        }
    }

    /// A configuration from JSON numbers, kept as given.
    ///
    /// # Errors
    /// - [`pymecompress_codecs::Error::InvalidConfig`] naming `offset` or `scale` if a value is
    ///   out of range, as [`QuantParams::new`].
    pub fn from_numbers(offset: Number, scale: Number) -> Result<Self, pymecompress_codecs::Error> {
        // Without serde_json's `arbitrary_precision`, every Number has an f64 value.
        let as_f64 = |n: &Number| n.as_f64().unwrap_or(f64::NAN);
        let params = QuantParams::new(as_f64(&offset), as_f64(&scale))?;
        Ok(Self {
            offset,
            scale,
            params,
        })
    }

    /// The configuration of the `pymecompress-quant16` codec of `array`: its array-to-bytes
    /// codec, or one nested in it (the inner chain of a sharding codec); `None` if the array
    /// has none. Read from the codecs' metadata, so it needs no feature of zarrs.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use zarrs::array::{data_type, Array, ArrayBuilder};
    /// use zarrs::storage::store::MemoryStore;
    /// use zarrs_pymecompress::{HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration};
    /// use zarrs_pymecompress::pymecompress_codecs::QuantParams;
    ///
    /// let store = Arc::new(MemoryStore::new());
    /// let codec = HuffmanQuant16Codec::new(QuantParams::new(100.0, 0.5)?);
    /// ArrayBuilder::new(vec![64], vec![16], data_type::uint16(), 0u16)
    ///     .array_to_bytes_codec(Arc::new(codec))
    ///     .build(store.clone(), "/a")?
    ///     .store_metadata()?;
    ///
    /// let opened = Array::open(store, "/a")?;
    /// let found = HuffmanQuant16CodecConfiguration::of_array(&opened).expect("a quant16 array");
    /// assert_eq!((found.params().offset(), found.params().scale()), (100.0, 0.5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn of_array<TStorage: ?Sized>(array: &zarrs::array::Array<TStorage>) -> Option<Self> {
        let chain = array.codecs();
        let a2b = chain.array_to_bytes_codec();
        if let Some(codec) = a2b.as_any().downcast_ref::<crate::HuffmanQuant16Codec>() {
            return Some(codec.configuration().clone());
        }
        let metadata = a2b.configuration(
            zarrs::plugin::ZarrVersion::V3,
            &zarrs::array::codec::api::CodecMetadataOptions::default(),
        )?;
        find_nested(&serde_json::Value::Object(metadata.into()))
    }

    /// The validated parameters.
    #[must_use]
    pub fn params(&self) -> &QuantParams {
        &self.params
    }

    /// The offset as written in the metadata.
    #[must_use]
    pub fn offset_number(&self) -> &Number {
        &self.offset
    }

    /// The scale as written in the metadata.
    #[must_use]
    pub fn scale_number(&self) -> &Number {
        &self.scale
    }
}

/// The configuration of the first quant16 codec named anywhere inside `value`.
fn find_nested(value: &serde_json::Value) -> Option<HuffmanQuant16CodecConfiguration> {
    match value {
        serde_json::Value::Object(map) => {
            let named = map.get("name").and_then(serde_json::Value::as_str);
            if named == Some(crate::HUFFMAN_QUANT16_NAME_V3) {
                let configuration = map.get("configuration").cloned().unwrap_or_default();
                return serde_json::from_value(configuration).ok();
            }
            map.values().find_map(find_nested)
        }
        serde_json::Value::Array(items) => items.iter().find_map(find_nested),
        _ => None,
    }
}

/// `value` as a JSON integer when it is a whole number an `i64` holds exactly, else as a float.
fn json_number(value: f64) -> Number {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() <= EXACT_LIMIT {
        Number::from(value as i64)
    } else {
        Number::from_f64(value).unwrap_or_else(zero)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<HuffmanQuant16CodecConfiguration, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_are_written_back_as_read() {
        for json in [
            r#"{"offset":100,"scale":1}"#,
            r#"{"offset":0.5,"scale":1.5}"#,
            r#"{"offset":100.0,"scale":2}"#,
            r#"{"offset":-3,"scale":0.25}"#,
        ] {
            assert_eq!(serde_json::to_string(&parse(json).unwrap()).unwrap(), json);
        }
    }

    #[test]
    fn absent_fields_take_the_reference_defaults() {
        let c = parse("{}").unwrap();
        assert_eq!(*c.params(), QuantParams::default());
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"offset":0,"scale":1}"#
        );
        let c = parse(r#"{"scale":2}"#).unwrap();
        assert_eq!((c.params().offset(), c.params().scale()), (0.0, 2.0));
    }

    #[test]
    fn invalid_values_and_unknown_fields_are_refused() {
        let err = parse(r#"{"scale":0}"#).unwrap_err().to_string();
        assert!(err.contains("scale"), "{err}");
        let err = parse(r#"{"scale":-1}"#).unwrap_err().to_string();
        assert!(err.contains("scale"), "{err}");
        let err = parse(r#"{"offset":1,"gain":2}"#).unwrap_err().to_string();
        assert!(err.contains("unknown field `gain`"), "{err}");
        assert!(parse(r#"{"offset":"1"}"#).is_err());
    }

    #[test]
    fn new_writes_whole_numbers_as_integers() {
        let c = HuffmanQuant16CodecConfiguration::new(QuantParams::new(100.0, 1.0).unwrap());
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"offset":100,"scale":1}"#
        );
        let c = HuffmanQuant16CodecConfiguration::new(QuantParams::new(0.5, 1.5).unwrap());
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"offset":0.5,"scale":1.5}"#
        );
    }
}
