//! The codec of an OME image's levels ([`OmeCodec`]) and its choice from a codec name and
//! quant16 parameters ([`OmeCodec::choose`], for callers without the CLI's flags: Python).
//!
//! quant16's parameters are never made up: a quantized source keeps its own; any other source
//! needs an offset and a scale given, or the offset read from PYME's `Camera.ADOffset`.

use std::str::FromStr;

use pymecompress_codecs::pzf::{Compression, DataFormat};
use pymecompress_codecs::QuantParams;
use serde_json::{json, Number, Value};
use zarrs_pymecompress::{HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration};

use crate::to_zarr::PassThrough;
use crate::{FrameLayout, FrameQuant, FrameSource, PixelType};

/// quant16's camera offset: a number, or PYME's `Camera.ADOffset` from the source's metadata.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantOffset {
    /// This offset.
    Value(f64),
    /// `Camera.ADOffset` from the metadata.
    Auto,
}

/// The codec of an image's level 0 (levels below it: [`OmeCodec::below_level_0`]).
#[derive(Clone, Debug)]
pub enum OmeCodec {
    /// `pymecompress-quant16` with these parameters.
    Quant16(HuffmanQuant16CodecConfiguration),
    /// `pymecompress-huffman` (lossless).
    Huffman,
    /// zarr's zstd at this level.
    Zstd(i32),
    /// blosc (lz4, byte shuffle) over elements of this many bytes.
    Blosc {
        /// Bytes per element.
        itemsize: usize,
    },
    /// Uncompressed.
    None,
}

impl OmeCodec {
    /// The quant16 codec with a quantized source's own parameters, as their shortest decimals
    /// (`1.7`, not `1.7000000476837158`): what PYME's metadata and a reader expect to see.
    ///
    /// # Errors
    /// The parameters are not valid quant16 parameters (the message says why).
    pub fn frames_quant16(quant: &FrameQuant) -> Result<Self, String> {
        let number = |v: f32| {
            Number::from_str(&v.to_string()).map_err(|e| format!("quantization parameter {v}: {e}"))
        };
        HuffmanQuant16CodecConfiguration::from_numbers(number(quant.offset)?, number(quant.scale)?)
            .map(Self::Quant16)
            .map_err(|e| e.to_string())
    }

    /// The codec named `name` (`quant16`, `huffman`, `zstd`, `none`; `None`: the frames' own
    /// compression, quantized frames as quant16 with their parameters) for `source`'s frames.
    /// quant16 of a quantized source keeps its parameters (`offset`/`scale`, when given, must
    /// be those); of any other it takes `offset` and `scale` (both required). `zstd_level`:
    /// zstd's level.
    ///
    /// # Errors
    /// A message saying what is wrong: an unknown name, quant16 of data other than uint16,
    /// missing or conflicting parameters, `Camera.ADOffset` absent, parameters quant16 refuses.
    pub fn choose(
        source: &dyn FrameSource,
        layout: &FrameLayout,
        name: Option<&str>,
        offset: Option<QuantOffset>,
        scale: Option<f64>,
        zstd_level: i32,
    ) -> Result<Self, String> {
        let what = format!("{} {}", source.kind().word(), source.name());
        if name != Some("quant16") && (offset.is_some() || scale.is_some()) {
            return Err(format!(
                "offset and scale are quant16's; codec {:?} takes neither",
                name.unwrap_or("(the frames' own)")
            ));
        }
        let Some(name) = name else {
            return Ok(
                match (layout.quant, source.first_header().map(|h| h.compression)) {
                    (Some(q), _) => Self::frames_quant16(&q)?,
                    (None, Some(Compression::Raw)) => Self::None,
                    _ => Self::Huffman,
                },
            );
        };
        match name {
            "huffman" => Ok(Self::Huffman),
            "zstd" => Ok(Self::Zstd(zstd_level)),
            "none" => Ok(Self::None),
            "quant16" if layout.pixel != PixelType::Pzf(DataFormat::U16) => Err(format!(
                "codec quant16: {what} is {}; quant16 codes uint16 only (use huffman, lossless, \
                 or zstd)",
                layout.pixel.name()
            )),
            "quant16" => Self::quant16(source, layout, &what, offset, scale),
            other => Err(format!(
                "codec {other:?}: one of quant16, huffman, zstd, none (or none given: the \
                 frames' own)"
            )),
        }
    }

    fn quant16(
        source: &dyn FrameSource,
        layout: &FrameLayout,
        what: &str,
        offset: Option<QuantOffset>,
        scale: Option<f64>,
    ) -> Result<Self, String> {
        if let Some(own) = layout.quant {
            let codec = Self::frames_quant16(&own)?;
            let same = |given: Option<f64>, own: f32| given.is_none_or(|g| g == f64::from(own));
            let offset_same = match offset {
                None => true,
                Some(QuantOffset::Value(v)) => same(Some(v), own.offset),
                Some(QuantOffset::Auto) => false,
            };
            if !offset_same || !same(scale, own.scale) {
                return Err(format!(
                    "codec quant16: {what} is quantized (offset {}, scale {}): its frames keep \
                     their parameters (moved, not quantized twice); give no offset and scale, \
                     or those",
                    own.offset, own.scale
                ));
            }
            return Ok(codec);
        }
        let why = "quant16 takes the square root of (value - offset): with an offset other than \
                   the camera's dark level its error exceeds the photon noise";
        let offset = match offset {
            None => {
                return Err(format!(
                    "codec quant16: {what} is not quantized, so offset and scale are required \
                     ({why}); offset \"auto\" takes Camera.ADOffset from its metadata"
                ))
            }
            Some(QuantOffset::Value(v)) => v,
            Some(QuantOffset::Auto) => source
                .metadata()
                .get("Camera.ADOffset")
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!("offset auto: no Camera.ADOffset in the metadata of {what} ({why})")
                })?,
        };
        let Some(scale) = scale else {
            return Err(format!(
                "codec quant16: {what} is not quantized, so a scale is required too (1: \
                 quantization step = photon noise; larger: coarser)"
            ));
        };
        let params = QuantParams::new(offset, scale).map_err(|e| e.to_string())?;
        Ok(Self::Quant16(HuffmanQuant16CodecConfiguration::new(params)))
    }

    /// The name used in messages (the Zarr v2 id for ours).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Quant16(_) => zarrs_pymecompress::HUFFMAN_QUANT16_ID_V2,
            Self::Huffman => zarrs_pymecompress::HUFFMAN_ID_V2,
            Self::Zstd(_) => "zstd",
            Self::Blosc { .. } => "blosc",
            Self::None => "none",
        }
    }

    /// The codec of the levels below 0: Huffman for quant16 (see the module's notes), the same
    /// codec otherwise.
    #[must_use]
    pub fn below_level_0(&self) -> Self {
        match self {
            Self::Quant16(_) => Self::Huffman,
            other => other.clone(),
        }
    }

    /// How the frames' stored payloads become chunks of this codec without decoding: quantized
    /// ones into quant16 with their own parameters, unquantized Huffman ones into Huffman.
    #[must_use]
    pub fn pass_through(&self, layout: &FrameLayout) -> Option<PassThrough> {
        match self {
            Self::Quant16(config) => layout
                .quant
                .filter(|q| {
                    Self::frames_quant16(q).is_ok_and(
                        |own| matches!(own, Self::Quant16(c) if c.params() == config.params()),
                    )
                })
                .map(|_| PassThrough::Quant16(*config.params())),
            Self::Huffman if layout.quant.is_none() => Some(PassThrough::Huffman),
            _ => None,
        }
    }

    /// The Zarr v2 `compressor` entry (`null` only for [`OmeCodec::None`]).
    ///
    /// # Errors
    /// The quant16 entry cannot be serialized: never written as `null`, which would store the
    /// array uncompressed where a codec was asked for.
    pub fn v2(&self) -> Result<Value, serde_json::Error> {
        Ok(match self {
            Self::Quant16(config) => {
                let codec = HuffmanQuant16Codec::new_with_configuration(config.clone());
                serde_json::to_value(codec.compressor_v2())?
            }
            Self::Huffman => json!({"id": zarrs_pymecompress::HUFFMAN_ID_V2}),
            Self::Zstd(level) => json!({"id": "zstd", "level": level}),
            Self::Blosc { .. } => {
                json!({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0})
            }
            Self::None => Value::Null,
        })
    }

    /// The Zarr v3 codec chain, with zarr's `crc32c` codec last if `checksum`.
    #[must_use]
    pub fn v3(&self, checksum: bool) -> Vec<Value> {
        let bytes = json!({"name": "bytes", "configuration": {"endian": "little"}});
        let mut chain = match self {
            Self::Quant16(config) => vec![json!({
                "name": zarrs_pymecompress::HUFFMAN_QUANT16_NAME_V3,
                "configuration": config,
            })],
            Self::Huffman => vec![
                bytes,
                json!({"name": zarrs_pymecompress::HUFFMAN_NAME_V3, "configuration": {}}),
            ],
            Self::Zstd(level) => vec![
                bytes,
                json!({"name": "zstd", "configuration": {"level": level, "checksum": false}}),
            ],
            Self::Blosc { itemsize } => vec![
                bytes,
                json!({"name": "blosc", "configuration": {
                    "cname": "lz4", "clevel": 5, "shuffle": "shuffle",
                    "typesize": itemsize, "blocksize": 0,
                }}),
            ],
            Self::None => vec![bytes],
        };
        if checksum {
            chain.push(json!({"name": "crc32c"}));
        }
        chain
    }
}
