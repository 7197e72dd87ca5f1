use pymecompress_codecs::pzf::{Compression, PzfError, PzfWriteOptions, Quantization};
use pymecompress_codecs::QuantParams;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use zarrs::metadata::ConfigurationSerialize;

/// How our writer codes a chunk's PZF payload (`DataCompression`).
///
/// Chunked Huffman (DataCompression 2) is read but never written: PYME's own writer for that
/// mode crashes, so no PYME reader expects it from a writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PymePzfCompression {
    /// DataCompression 0: the pixel bytes as they are (what PYME's tile pyramids hold).
    Raw,
    /// DataCompression 1: one Huffman stream (the default, as `ClusterBackend`'s).
    Huffman,
}

/// Whether our writer square-root quantizes `uint16` chunks (`DataQuantization`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PymePzfQuantization {
    /// DataQuantization 0: lossless.
    None,
    /// DataQuantization 1: `round(sqrt(x - offset) / scale)`, `uint16` chunks only.
    Sqrt,
}

/// The JSON configuration of `pyme-pzf`:
/// `{"compression": "raw"|"huffman", "quantization": "none"|"sqrt", "offset": number, "scale": number}`.
///
/// Every field is optional; `{}` is lossless Huffman, and is what PYME's `get_config` writes
/// (PYME's codec is read-only and its `from_config` ignores any field, so these fields only
/// steer our writer: the PZF header of each chunk says how it was coded). Fields are written
/// back only where they were given, numbers as written.
///
/// Checked on deserializing, so an invalid configuration never becomes a codec: unknown
/// fields are refused (a writer's field we do not know could change how chunks were coded);
/// `offset`/`scale` are refused without `"quantization": "sqrt"` (they would be silently
/// ignored); sqrt quantization needs `"huffman"` (PYME cannot read a quantized raw payload);
/// `offset` must be finite and `scale` a finite number above 0, both as the float32 the PZF
/// header records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawConfiguration")]
pub struct PymePzfCodecConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    compression: Option<PymePzfCompression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantization: Option<PymePzfQuantization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<Number>,
    /// The header fields these stand for, checked.
    #[serde(skip)]
    options: PzfWriteOptions,
}

impl ConfigurationSerialize for PymePzfCodecConfiguration {}

/// The configuration as it appears in JSON, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfiguration {
    #[serde(default)]
    compression: Option<PymePzfCompression>,
    #[serde(default)]
    quantization: Option<PymePzfQuantization>,
    #[serde(default)]
    offset: Option<Number>,
    #[serde(default)]
    scale: Option<Number>,
}

/// Why a `pyme-pzf` configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PymePzfConfigurationError {
    /// `offset` or `scale` given without `"quantization": "sqrt"`.
    #[error("pyme-pzf: `{field}` is only meaningful with \"quantization\": \"sqrt\"")]
    ParameterWithoutQuantization {
        /// The field given.
        field: &'static str,
    },
    /// Sqrt quantization asked for a raw payload.
    #[error(
        "pyme-pzf: \"quantization\": \"sqrt\" needs \"compression\": \"huffman\", not \"raw\""
    )]
    QuantizedRaw,
    /// Offset or scale out of range; the source says which.
    #[error("pyme-pzf: `offset`/`scale`")]
    InvalidParams(#[from] PzfError),
}

/// A refused configuration as serde reports it: serde keeps only an error's text, so the text
/// is the whole chain ("pyme-pzf: `offset`/`scale`: PZF quantization parameters ...").
#[derive(Debug)]
struct ChainText(String);

impl std::fmt::Display for ChainText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<PymePzfConfigurationError> for ChainText {
    fn from(err: PymePzfConfigurationError) -> Self {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        Self(text)
    }
}

impl TryFrom<RawConfiguration> for PymePzfCodecConfiguration {
    type Error = ChainText;

    fn try_from(raw: RawConfiguration) -> Result<Self, Self::Error> {
        Ok(Self::from_parts(
            raw.compression,
            raw.quantization,
            raw.offset,
            raw.scale,
        )?)
    }
}

impl Default for PymePzfCodecConfiguration {
    /// `{}`: lossless Huffman.
    fn default() -> Self {
        Self {
            compression: None,
            quantization: None,
            offset: None,
            scale: None,
            options: lossless_huffman(),
        }
    }
}

fn lossless_huffman() -> PzfWriteOptions {
    PzfWriteOptions {
        compression: Compression::Huffman,
        ..PzfWriteOptions::default()
    }
}

impl PymePzfCodecConfiguration {
    /// A configuration from its fields, as they would appear in JSON (`None` for an absent
    /// field).
    ///
    /// # Errors
    /// - [`PymePzfConfigurationError::ParameterWithoutQuantization`] for `offset` or `scale`
    ///   without sqrt quantization.
    /// - [`PymePzfConfigurationError::QuantizedRaw`] for sqrt quantization of a raw payload.
    /// - [`PymePzfConfigurationError::InvalidParams`] for an offset that is not finite or a
    ///   scale that is not a finite number above 0 (as float32).
    pub fn from_parts(
        compression: Option<PymePzfCompression>,
        quantization: Option<PymePzfQuantization>,
        offset: Option<Number>,
        scale: Option<Number>,
    ) -> Result<Self, PymePzfConfigurationError> {
        let mut options = lossless_huffman();
        if compression == Some(PymePzfCompression::Raw) {
            options.compression = Compression::Raw;
        }
        if quantization == Some(PymePzfQuantization::Sqrt) {
            if options.compression == Compression::Raw {
                return Err(PymePzfConfigurationError::QuantizedRaw);
            }
            // Without serde_json's `arbitrary_precision`, every Number has an f64 value.
            let value = |n: &Option<Number>, default: f32| {
                n.as_ref()
                    .map_or(default, |n| n.as_f64().unwrap_or(f64::NAN) as f32)
            };
            options.quantization = Quantization::Sqrt;
            options.quant_offset = value(&offset, 0.0);
            options.quant_scale = value(&scale, 1.0);
            QuantParams::new(
                f64::from(options.quant_offset),
                f64::from(options.quant_scale),
            )
            .map_err(|_| PzfError::InvalidQuantParams {
                offset: options.quant_offset,
                scale: options.quant_scale,
            })?;
        } else if offset.is_some() {
            return Err(PymePzfConfigurationError::ParameterWithoutQuantization {
                field: "offset",
            });
        } else if scale.is_some() {
            return Err(PymePzfConfigurationError::ParameterWithoutQuantization { field: "scale" });
        }
        Ok(Self {
            compression,
            quantization,
            offset,
            scale,
            options,
        })
    }

    /// The PZF header fields our writer records (sequence, frame number and timestamp 0, as
    /// PYME's tile writer leaves them).
    #[must_use]
    pub fn write_options(&self) -> &PzfWriteOptions {
        &self.options
    }

    /// True when chunks are square-root quantized (which needs a `uint16` array).
    #[must_use]
    pub fn is_quantized(&self) -> bool {
        self.options.quantization == Quantization::Sqrt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<PymePzfCodecConfiguration, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn empty_is_lossless_huffman_and_is_written_back_empty() {
        let c = parse("{}").unwrap();
        assert_eq!(c.write_options().compression, Compression::Huffman);
        assert_eq!(c.write_options().quantization, Quantization::None);
        assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
        assert_eq!(c, PymePzfCodecConfiguration::default());
    }

    #[test]
    fn fields_are_written_back_as_given() {
        for json in [
            r#"{"compression":"raw"}"#,
            r#"{"quantization":"sqrt","offset":100,"scale":1}"#,
            r#"{"compression":"huffman","quantization":"sqrt","scale":0.5}"#,
            r#"{"quantization":"none"}"#,
        ] {
            assert_eq!(serde_json::to_string(&parse(json).unwrap()).unwrap(), json);
        }
        let c = parse(r#"{"quantization":"sqrt","offset":100.5,"scale":2}"#).unwrap();
        let o = c.write_options();
        assert_eq!((o.quant_offset, o.quant_scale), (100.5, 2.0));
        assert!(c.is_quantized());
    }

    #[test]
    fn invalid_parameters_keep_the_pzf_error_as_source() {
        let err = PymePzfCodecConfiguration::from_parts(
            None,
            Some(PymePzfQuantization::Sqrt),
            None,
            Some(Number::from(0)),
        )
        .unwrap_err();
        assert_eq!(
            crate::find_source::<PzfError>(&err),
            Some(&PzfError::InvalidQuantParams {
                offset: 0.0,
                scale: 0.0
            })
        );
        assert!(!err.to_string().contains("QuantScale"), "{err}");
    }

    #[test]
    fn invalid_configurations_are_refused_with_the_reason() {
        let cases = [
            (r#"{"offset":1}"#, "`offset` is only meaningful"),
            (
                r#"{"quantization":"none","scale":2}"#,
                "`scale` is only meaningful",
            ),
            (
                r#"{"compression":"raw","quantization":"sqrt"}"#,
                "needs \"compression\": \"huffman\"",
            ),
            (r#"{"quantization":"sqrt","scale":0}"#, "QuantScale 0"),
            (r#"{"quantization":"sqrt","scale":-1}"#, "QuantScale -1"),
            // Non-zero as f64, zero as the float32 the header holds.
            (r#"{"quantization":"sqrt","scale":1e-50}"#, "QuantScale 0"),
            (
                r#"{"quantization":"sqrt","offset":1e300}"#,
                "QuantOffset inf",
            ),
            (r#"{"compression":"chunked"}"#, "unknown variant `chunked`"),
            (r#"{"id":"pyme-pzf2"}"#, "unknown field `id`"),
            (r#"{"gain":2}"#, "unknown field `gain`"),
        ];
        for (json, expected) in cases {
            let err = parse(json).unwrap_err().to_string();
            assert!(err.contains(expected), "{json}: {err}");
        }
    }
}
