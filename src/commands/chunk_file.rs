//! `pymecompress compress` / `decompress`: one `.npy` array <-> one framed chunk, byte for byte
//! what a pymecompress zarr chunk holds (the stream, then a 4-byte little-endian trailer).

use std::path::Path;
use std::process::ExitCode;

use pymecompress::npy::{NpyArray, NpyDtype};
use pymecompress_codecs::{huffman, quant16, QuantParams};

use crate::cli::{ChunkCodec, DecompressArgs, QuantArgs};
use crate::failure::{At, Place, Result};

fn codec_name(codec: ChunkCodec) -> &'static str {
    match codec {
        ChunkCodec::Quant16 => "pymecompress-quant16",
        ChunkCodec::Huffman => "pymecompress-huffman",
    }
}

pub fn compress(
    input: &Path,
    output: &Path,
    codec: ChunkCodec,
    quant: QuantArgs,
) -> Result<ExitCode> {
    let QuantArgs { offset, scale } = quant;
    let in_place = Place::store(input.display()).codec(codec_name(codec));
    let array = NpyArray::read_file(input).at(&in_place)?;
    let chunk = match codec {
        ChunkCodec::Quant16 => {
            let params = QuantParams::new(offset, scale).at(&in_place)?;
            let values = array.to_u16().map_err(|e| {
                in_place.fail(format!(
                    "{e}: quant16 codes uint16 only (use --codec huffman)"
                ))
            })?;
            quant16::encode(&values, &params).at(&in_place)?
        }
        ChunkCodec::Huffman => huffman::encode(&array.data).at(&in_place)?,
    };
    std::fs::write(output, &chunk).at(&Place::store(output.display()))?;
    let shape = array
        .shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    println!(
        "{} -> {}: {} bytes -> {} bytes ({:.2}x), codec {}",
        input.display(),
        output.display(),
        array.data.len(),
        chunk.len(),
        array.data.len() as f64 / chunk.len().max(1) as f64,
        codec_name(codec)
    );
    let params = match codec {
        ChunkCodec::Quant16 => format!(" --offset {offset} --scale {scale}"),
        ChunkCodec::Huffman => String::new(),
    };
    println!(
        "to decompress: pymecompress decompress {} OUT.npy --codec {} --dtype {} --shape {shape}{params}",
        output.display(),
        match codec {
            ChunkCodec::Quant16 => "quant16",
            ChunkCodec::Huffman => "huffman",
        },
        array.dtype.name(),
    );
    Ok(ExitCode::SUCCESS)
}

pub fn decompress(o: &DecompressArgs) -> Result<ExitCode> {
    let place = Place::store(o.input.display()).codec(codec_name(o.codec));
    let (dtype, _) = NpyDtype::parse(&o.dtype).at(&place)?;
    let elements = o
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
        .ok_or_else(|| place.fail(format!("shape {:?} is too large", o.shape)))?;
    let chunk = std::fs::read(&o.input).at(&place)?;
    // Every coded symbol costs at least one bit, so a chunk of n bytes holds at most 8n symbols:
    // a shape beyond that is refused before anything is allocated for it.
    let max_symbols = chunk.len().saturating_mul(8);
    let data = match o.codec {
        ChunkCodec::Quant16 => {
            if dtype != NpyDtype::U2 {
                return Err(place.fail(format!("quant16 decodes to uint16, not {}", dtype.name())));
            }
            if elements > max_symbols {
                return Err(place.fail(format!(
                    "a {}-byte chunk cannot hold {elements} values",
                    chunk.len()
                )));
            }
            let params = QuantParams::new(o.quant.offset, o.quant.scale).at(&place)?;
            quant16::decode(&chunk, elements, &params)
                .at(&place)?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect()
        }
        ChunkCodec::Huffman => {
            let bytes = elements
                .checked_mul(dtype.itemsize())
                .filter(|&b| b <= max_symbols)
                .ok_or_else(|| {
                    place.fail(format!(
                        "a {}-byte chunk cannot hold {elements} elements of {}",
                        chunk.len(),
                        dtype.name()
                    ))
                })?;
            huffman::decode(&chunk, bytes).at(&place)?
        }
    };
    let array = NpyArray::new(dtype, o.shape.clone(), data).at(&place)?;
    let out_place = Place::store(o.output.display());
    let mut file = std::io::BufWriter::new(std::fs::File::create(&o.output).at(&out_place)?);
    array.write(&mut file).at(&out_place)?;
    std::io::Write::flush(&mut file).at(&out_place)?;
    println!(
        "{} -> {}: {} bytes -> {} bytes of {}",
        o.input.display(),
        o.output.display(),
        chunk.len(),
        array.data.len(),
        dtype.name()
    );
    Ok(ExitCode::SUCCESS)
}
