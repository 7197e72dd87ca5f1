//! What `convert` writes for each array, decided for all arrays before anything is written, so
//! that a missing or conflicting flag stops the command with nothing on disk.
//!
//! The rule for quant16: its parameters are never made up. A quant16 source keeps its own; any
//! other source needs them given, or read from the camera metadata with `--offset auto`.
//! Without `--codec`, every array keeps its own codec; one the tool cannot write as it is (its
//! parameters would change) is refused rather than changed.

use serde_json::{json, Map, Value};
use zarrs::array::{Array, ArrayMetadata};
use zarrs_pymecompress::{HuffmanQuant16Codec, HuffmanQuant16CodecConfiguration};

use crate::cli::{ConvertArgs, ConvertCodec, ConvertQuantArgs, Offset};
use crate::failure::{At, Failure, Place, Result};
use crate::store::{self, InArray};
use pymecompress_codecs::QuantParams;
use pymecompress_pyme::attributes::METADATA as PYME_METADATA;

/// The codec one output array gets.
#[derive(Clone, Debug)]
pub enum OutCodec {
    Quant16(HuffmanQuant16CodecConfiguration),
    Huffman,
    Zstd(i32),
    Blosc { itemsize: usize },
    None,
}

/// Everything decided about one output array.
pub struct ArrayPlan {
    pub codec: OutCodec,
    /// The output's chunk shape.
    pub chunks: Vec<u64>,
    pub zarr_format: u8,
    /// The stored chunks are quant16 streams with the output's parameters and chunk shape:
    /// they are moved across without decoding, so nothing is quantized twice.
    pub transfer_streams: bool,
    /// Said on stderr before writing (how parameters were chosen).
    pub notes: Vec<String>,
}

/// Why the offset must be right: said whenever quant16 parameters are missing (stores and
/// series alike).
pub const WHY_OFFSET: &str = "quant16 takes the square root of (value - offset), so that its step \
    follows the photon noise; that holds only if the offset is the camera's real dark level: \
    with a wrong one the error exceeds the noise, and nothing in the output shows it";

/// Decides the output of the array at `in_path` (source `source`, attributes of the groups
/// above it in `ancestors`, nearest last).
pub fn plan_array(
    o: &ConvertArgs,
    in_path: &str,
    source: &InArray,
    ancestors: &[(String, Map<String, Value>)],
    in_place: &Place,
) -> Result<ArrayPlan> {
    let format = o
        .zarr_format
        .unwrap_or(store::zarr_format(source.metadata()));
    if o.checksum && format != 3 {
        return Err(Failure::usage(format!(
            "--checksum needs Zarr v3 output (zarr's crc32c codec); array {in_path} is Zarr v2: \
             add --zarr-format 3"
        )));
    }
    let default_chunks: Vec<u64> = source
        .chunk_shape(&vec![0; source.dimensionality()])
        .map_err(|e| in_place.fail(e))?
        .iter()
        .map(|d| d.get())
        .collect();
    let chunks = o.chunks.clone().unwrap_or_else(|| default_chunks.clone());
    let itemsize = source
        .data_type()
        .fixed_size()
        .ok_or_else(|| in_place.fail("variable-size data types are not handled"))?;
    let dtype_name = store::dtype_name(source);
    let mut notes = Vec::new();
    let codec = match o.codec {
        Some(ConvertCodec::Quant16) if dtype_name != "uint16" => {
            return Err(Failure::usage(format!(
                "convert --codec quant16: array {in_path} has dtype {dtype_name}, not uint16: \
                 quant16 codes uint16 only (use --codec huffman, lossless, or zstd; or convert \
                 the uint16 arrays alone, as STORE/ARRAY)"
            )))
        }
        None if source_quant16(source).is_none() => own_codec(source, in_path, itemsize, in_place)?,
        Some(ConvertCodec::Quant16) | None => {
            let (config, note) = quant16_config(o, in_path, source, ancestors)?;
            notes.extend(note);
            OutCodec::Quant16(config)
        }
        Some(ConvertCodec::Huffman) => OutCodec::Huffman,
        Some(ConvertCodec::Zstd) => OutCodec::Zstd(o.level),
        Some(ConvertCodec::Blosc) => OutCodec::Blosc { itemsize },
        Some(ConvertCodec::None) => OutCodec::None,
    };
    if o.codec.is_none() && !o.checksum && store::has_crc32c(source.metadata()) {
        notes.push(format!(
            "{in_path}: its crc32c checksums are not written again (add --checksum to keep them)"
        ));
    }
    let transfer_streams = match &codec {
        OutCodec::Quant16(config) => {
            chunks == default_chunks
                && o.shards.is_none()
                && source.codecs().array_to_array_codecs().is_empty()
                && source_quant16(source).is_some_and(|c| c.params() == config.params())
                && source_is_stream_of_chunks(source)
        }
        _ => false,
    };
    Ok(ArrayPlan {
        codec,
        chunks,
        zarr_format: format,
        transfer_streams,
        notes,
    })
}

/// The source's quant16 configuration, if its array-to-bytes codec is quant16.
pub fn source_quant16<T: ?Sized>(source: &Array<T>) -> Option<HuffmanQuant16CodecConfiguration> {
    source
        .codecs()
        .array_to_bytes_codec()
        .as_any()
        .downcast_ref::<HuffmanQuant16Codec>()
        .map(|c| c.configuration().clone())
}

/// The codec of a source that is not quant16, for `convert` without `--codec`: its one
/// compressor (besides `bytes`, and `crc32c`, which `--checksum` decides), if this tool
/// writes it with the same parameters; else refused, since writing another would be a choice
/// made for the user.
fn own_codec(
    source: &InArray,
    in_path: &str,
    itemsize: usize,
    in_place: &Place,
) -> Result<OutCodec> {
    let chain = match source.metadata() {
        ArrayMetadata::V3(m) => m.codecs.clone(),
        ArrayMetadata::V2(m) => {
            zarrs_pymecompress::array_metadata_v2_to_v3(m)
                .at(in_place)?
                .codecs
        }
    };
    let rest: Vec<_> = chain
        .iter()
        .filter(|c| !matches!(c.name(), "bytes" | "crc32c"))
        .collect();
    let config = |c: &zarrs::metadata::v3::MetadataV3, key: &str| {
        c.configuration().and_then(|m| m.get(key)).cloned()
    };
    let kept = match rest.as_slice() {
        [] => Some(OutCodec::None),
        [c] if c.name() == zarrs_pymecompress::HUFFMAN_NAME_V3 => Some(OutCodec::Huffman),
        [c] if c.name() == "zstd" => config(c, "level")
            .and_then(|l| l.as_i64())
            .and_then(|l| i32::try_from(l).ok())
            .map(OutCodec::Zstd),
        [c] if c.name() == "blosc" => {
            let ours = OutCodec::Blosc { itemsize };
            let wanted = ours.v3(false).pop().unwrap_or_default();
            let same = ["cname", "clevel", "shuffle"]
                .iter()
                .all(|k| config(c, k) == Some(wanted["configuration"][k].clone()));
            same.then_some(ours)
        }
        _ => None,
    };
    kept.ok_or_else(|| {
        Failure::usage(format!(
            "convert without --codec keeps each array's codec, but array {in_path} has codecs \
             {}, which convert does not write with these parameters; give --codec (quant16, \
             huffman, zstd, blosc or none)",
            store::codec_names(source.metadata())
        ))
    })
}

/// A regular grid whose chunks are stored one per key (not inside shards).
fn source_is_stream_of_chunks<T: ?Sized>(source: &Array<T>) -> bool {
    match source.metadata() {
        ArrayMetadata::V2(_) => true,
        ArrayMetadata::V3(m) => m.chunk_grid.name() == "regular",
    }
}

fn quant16_config(
    o: &ConvertArgs,
    in_path: &str,
    source: &InArray,
    ancestors: &[(String, Map<String, Value>)],
) -> Result<(HuffmanQuant16CodecConfiguration, Option<String>)> {
    let q = &o.quant;
    if let Some(own) = source_quant16(source) {
        let what = format!("array {in_path} is quant16");
        return keep_own_quant16(q, own, &what, in_path, "its chunks are then copied");
    }
    let codecs = store::codec_names(source.metadata());
    let (offset, note) = match q.offset {
        None => {
            return Err(Failure::usage(format!(
                "convert --codec quant16: array {in_path} is not quant16 (codecs {codecs}), so \
                 --offset and --scale are required. {WHY_OFFSET}. Give --offset N --scale S \
                 (scale 1: step = photon noise), or --offset auto to take the offset from \
                 Camera.ADOffset in the store's metadata"
            )))
        }
        Some(Offset::Value(v)) => (v, None),
        Some(Offset::Auto) => {
            let (value, holder) = camera_offset(source, in_path, ancestors).ok_or_else(|| {
                Failure::usage(format!(
                    "--offset auto: no Camera.ADOffset in the attributes of array {in_path} or \
                     of the groups above it (as \"Camera.ADOffset\" or \"Camera\": \
                     {{\"ADOffset\": N}}, at the top or inside \"{PYME_METADATA}\"); give \
                     --offset N. {WHY_OFFSET}"
                ))
            })?;
            let note = format!(
                "{in_path}: --offset auto: offset {value} from Camera.ADOffset in {holder}"
            );
            (value, Some(note))
        }
    };
    let Some(scale) = q.scale else {
        return Err(Failure::usage(format!(
            "convert --codec quant16: array {in_path} is not quant16 (codecs {codecs}), so --scale \
             is required too (1: quantization step = photon noise; larger: coarser)"
        )));
    };
    let params = QuantParams::new(offset, scale).map_err(Failure::usage)?;
    Ok((HuffmanQuant16CodecConfiguration::new(params), note))
}

/// The parameters for a source quantized already with `own`: kept when `--offset`/`--scale`
/// are left out or equal; others only with `--requantize`, since quantizing already-quantized
/// values again adds error. The one rule for stores and series: `what` says what the source
/// is ("array /a is quant16"), `name` labels the note, `kept` says what keeping does.
///
/// # Errors
/// Invalid parameters, or parameters that differ without `--requantize` (exit 2).
pub fn keep_own_quant16(
    q: &ConvertQuantArgs,
    own: HuffmanQuant16CodecConfiguration,
    what: &str,
    name: &str,
    kept: &str,
) -> Result<(HuffmanQuant16CodecConfiguration, Option<String>)> {
    let offset = match q.offset {
        None | Some(Offset::Auto) => own.params().offset(),
        Some(Offset::Value(v)) => v,
    };
    let scale = q.scale.unwrap_or(own.params().scale());
    let params = QuantParams::new(offset, scale).map_err(Failure::usage)?;
    if params == *own.params() {
        return Ok((own, None));
    }
    if !q.requantize {
        return Err(Failure::usage(format!(
            "{what} already, with offset {} and scale {}; --offset {offset} --scale {scale} \
             would decode its values and quantize them a second time, adding error. Leave out \
             --offset and --scale to keep its parameters ({kept} unchanged), or add \
             --requantize to quantize again",
            own.offset_number(),
            own.scale_number()
        )));
    }
    let note = format!(
        "{name}: re-quantizing (--requantize): offset {} scale {} -> offset {offset} scale {scale}",
        own.offset_number(),
        own.scale_number()
    );
    Ok((HuffmanQuant16CodecConfiguration::new(params), Some(note)))
}

/// PYME's camera offset from the array's attributes or its groups', nearest first, as
/// `"Camera.ADOffset": N` or `"Camera": {"ADOffset": N}`, at the top of the attributes or
/// inside `pyme_metadata` (where `convert` of a PYME series keeps the series' `metadata.json`,
/// flat with dotted keys); with where it was found (`the attributes of /`).
fn camera_offset(
    source: &InArray,
    in_path: &str,
    ancestors: &[(String, Map<String, Value>)],
) -> Option<(f64, String)> {
    fn in_map(attributes: &Map<String, Value>) -> Option<f64> {
        attributes
            .get("Camera.ADOffset")
            .or_else(|| attributes.get("Camera")?.get("ADOffset"))
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
    }
    let own = (in_path.to_string(), source.attributes().clone());
    std::iter::once(&own)
        .chain(ancestors.iter().rev())
        .find_map(|(path, attributes)| {
            if let Some(v) = in_map(attributes) {
                return Some((v, format!("the attributes of {path}")));
            }
            match attributes.get(PYME_METADATA) {
                Some(Value::Object(metadata)) => in_map(metadata)
                    .map(|v| (v, format!("{PYME_METADATA} in the attributes of {path}"))),
                _ => None,
            }
        })
}

impl OutCodec {
    /// The name used in messages (the V2 id for ours).
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Quant16(_) => zarrs_pymecompress::HUFFMAN_QUANT16_ID_V2,
            Self::Huffman => zarrs_pymecompress::HUFFMAN_ID_V2,
            Self::Zstd(_) => "zstd",
            Self::Blosc { .. } => "blosc",
            Self::None => "none",
        }
    }

    /// The Zarr v2 `compressor` entry (`null` only for [`OutCodec::None`]).
    ///
    /// # Errors
    /// The quant16 entry cannot be serialized: never written as `null`, which would store the
    /// array uncompressed where a codec was asked for.
    pub fn v2(&self) -> std::result::Result<Value, serde_json::Error> {
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
