//! `pymecompress compress` / `decompress`: one `.npy` array <-> one framed chunk, byte for byte
//! what a pymecompress zarr chunk holds (the stream, then a 4-byte little-endian trailer).

use std::path::Path;
use std::process::ExitCode;

use pymecompress::npy::{NpyArray, NpyDtype};
use pymecompress_codecs::{huffman, quant16, split_trailer, QuantParams};

use crate::atomic::PartialFile;
use crate::cli::{ChunkCodec, DecompressArgs, QuantArgs};
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
    force: bool,
) -> Result<ExitCode> {
    let QuantArgs { offset, scale } = quant;
    let in_place = Place::file(input.display()).codec(codec_name(codec));
    let array = NpyArray::read_file(input).at(&in_place)?;
    let mut out_file = PartialFile::create(output, force)?;
    let chunk = match codec {
        ChunkCodec::Quant16 => {
            let params = QuantParams::new(offset, scale).at(&in_place)?;
            let values = array.to_u16().map_err(|e| {
                in_place.fail(format!(
                    "{e}: quant16 codes uint16 only (use --codec huffman)"
                ))
            })?;
            quant16::compress(&values, &params).at(&in_place)?
        }
        ChunkCodec::Huffman => huffman::compress(&array.data).at(&in_place)?,
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
            check_count(&chunk, elements, 2, o, &place)?;
            let params = QuantParams::new(o.quant.offset, o.quant.scale).at(&place)?;
            quant16::decompress(&chunk, elements, &params)
                .map_err(|e| damaged(&place, &e))?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect()
        }
        ChunkCodec::Huffman => {
            check_count(&chunk, elements, dtype.itemsize(), o, &place)?;
            huffman::decompress(&chunk, elements * dtype.itemsize(), dtype.itemsize())
                .map_err(|e| damaged(&place, &e))?
        }
    };
    let array = NpyArray::new(dtype, o.shape.clone(), data).at(&place)?;
    let mut out_file = PartialFile::create(&o.output, o.force)?;
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

fn damaged(place: &Place, error: &impl std::fmt::Display) -> Failure {
    place.fail(format!("damaged or truncated chunk: {error}"))
}

/// Compares what the chunk's trailer says it holds with what --shape and --dtype ask for,
/// before anything is allocated. quant16 trailers count values; Huffman trailers count bytes,
/// or elements where the reference wrote multi-byte data.
fn check_count(
    chunk: &[u8],
    elements: usize,
    itemsize: usize,
    o: &DecompressArgs,
    place: &Place,
) -> Result<()> {
    let (stream, trailer) = split_trailer(chunk).map_err(|e| damaged(place, &e))?;
    let trailer = trailer as usize;
    // Every coded symbol (one per value, or per byte) costs at least one bit: a trailer beyond
    // that is garbage, not a size.
    if trailer > stream.len().saturating_mul(8) {
        return Err(damaged(
            place,
            &format!(
                "its trailer says {trailer} values, more than its {}-byte stream can hold",
                stream.len()
            ),
        ));
    }
    let shape = o
        .shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let fits = if o.codec == ChunkCodec::Quant16 {
        trailer == elements
    } else {
        trailer == elements.saturating_mul(itemsize) || trailer == elements
    };
    if fits {
        return Ok(());
    }
    let holds = if o.codec == ChunkCodec::Quant16 || itemsize == 1 {
        format!("{trailer} values")
    } else if trailer.is_multiple_of(itemsize) {
        format!(
            "{trailer} bytes = {} values of {} (or {trailer} values, if written by the reference)",
            trailer / itemsize,
            o.dtype
        )
    } else {
        format!("{trailer} bytes (or {trailer} values, if written by the reference)")
    };
    Err(place.fail(format!(
        "chunk holds {holds}, --shape {shape} gives {elements}"
    )))
}
