//! `pymecompress compress` / `decompress`: one `.npy` array <-> one framed chunk, byte for byte
//! what a pymecompress zarr chunk holds (the stream, then a 4-byte little-endian trailer).

use std::path::Path;
use std::process::ExitCode;

use crate::npy::{NpyArray, NpyDtype};
use pymecompress_codecs::{huffman, quant16, Error, QuantParams};

use crate::cli::{ChunkCodec, DecompressArgs, FileOutputArgs, QuantArgs};
use crate::durable::atomic::PartialFile;
use crate::failure::{At, Failure, Place, Result};

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
    flags: &FileOutputArgs,
) -> Result<ExitCode> {
    let QuantArgs { offset, scale } = quant;
    let in_place = Place::file(input.display()).codec(codec_name(codec));
    let array = NpyArray::read_file(input).at(&in_place)?;
    let mut out_file = PartialFile::create(output, flags)?;
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
    out_file.write_all(&chunk)?;
    out_file.commit()?;
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
    let place = Place::file(o.input.display()).codec(codec_name(o.codec));
    let (dtype, _) =
        NpyDtype::parse(&o.dtype).map_err(|e| Failure::usage(format!("--dtype: {e}")))?;
    if o.codec == ChunkCodec::Quant16 && dtype != NpyDtype::U2 {
        return Err(Failure::usage(format!(
            "--codec quant16 decodes to uint16, not --dtype {}",
            dtype.name()
        )));
    }
    let elements = o
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
        .ok_or_else(|| {
            place.fail(format!(
                "--shape {:?} has more values than this machine can address",
                o.shape
            ))
        })?;
    let chunk = std::fs::read(&o.input).at(&place)?;
    let data = match o.codec {
        ChunkCodec::Quant16 => {
            let params = QuantParams::new(o.quant.offset, o.quant.scale).at(&place)?;
            quant16::decode(&chunk, elements, &params)
                .map_err(|e| chunk_failure(&e, o, &place))?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect()
        }
        ChunkCodec::Huffman => {
            let bytes = elements.checked_mul(dtype.itemsize()).ok_or_else(|| {
                place.fail(format!(
                    "--shape {:?} of {} has more bytes than this machine can address",
                    o.shape,
                    dtype.name()
                ))
            })?;
            huffman::decode(&chunk, bytes).map_err(|e| chunk_failure(&e, o, &place))?
        }
    };
    let array = NpyArray::new(dtype, o.shape.clone(), data).at(&place)?;
    let mut out_file = PartialFile::create(&o.output, &o.out_flags)?;
    array
        .write(out_file.writer())
        .map_err(|e| Failure::msg(format!("output {}: {e}", o.output.display())))?;
    out_file.commit()?;
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

/// The failure for a chunk that does not decode. A trailer that disagrees with
/// `--shape`/`--dtype` but fits the stream (the core tells the two apart) is a wrong flag, not
/// damage, and is said so; every other error is the chunk's own.
fn chunk_failure(error: &Error, o: &DecompressArgs, place: &Place) -> Failure {
    let shape = o
        .shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let message = match *error {
        Error::ValueCountMismatch { trailer, expected } => {
            format!("chunk holds {trailer} values, --shape {shape} gives {expected}")
        }
        Error::TrailerMismatch {
            trailer,
            decoded_bytes,
        } => format!(
            "chunk holds {trailer} bytes (or {trailer} elements, if the reference wrote it), \
             --shape {shape} of {} gives {decoded_bytes} bytes",
            o.dtype
        ),
        // The core's message says what is damaged.
        _ => error.to_string(),
    };
    place.fail(message)
}
