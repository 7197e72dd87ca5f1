//! PyO3 bindings of `pymecompress-codecs`: the native half of the Python package
//! `pymecompress_rs` (`pymecompress_rs._native`).
//!
//! Kept thin: every function takes Python buffers (any object with the buffer protocol, any
//! data type but Python objects, any alignment, 0-d included), reads them in place when they
//! are contiguous, releases the GIL while coding, and hands back numpy arrays that own the
//! `Vec` the core produced (no copy). Errors of the core become `CodecError` (a `ValueError`)
//! with the core's message; no input reaches a panic (tests/test_mutations.py and
//! tests/test_abuse.py try them).
//!
//! The Python package puts the reference's names on top (`bcl`, `codecs`, `zarr3`, `pzf`).
//!
//! What a chunk's trailer says, how big an output may be and where a stream must end are the
//! core's decisions (`pymecompress_codecs::{huffman, quant16, stream}`): nothing here reads a
//! trailer or a code tree.

mod buffers;
mod errors;
mod ome;
mod pyme;

use std::sync::Mutex;

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use pymecompress_codecs::pzf::{
    self, Compression, DimOrder, PzfData, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_codecs::{huffman, stream, Endian, Quant16Codec, QuantParams};

use buffers::{read_into, read_with, ByteView};
use errors::{codec_err, CodecError};

/// A Python function from a buffer's bytes (and further arguments) to new bytes: the four
/// Huffman functions below differ only in what they do with the bytes.
macro_rules! bytes_function {
    ($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),*) = |$bytes:ident| $body:expr) => {
        #[pyfunction]
        $(#[$attr])*
        fn $name<'py>(
            py: Python<'py>,
            data: &Bound<'py, PyAny>,
            $($arg: $ty),*
        ) -> PyResult<Bound<'py, PyArray1<u8>>> {
            read_with(py, data, |$bytes| $body)
        }
    };
}

bytes_function!(
    /// The raw Huffman stream of a buffer's bytes (`bcl.HuffmanCompress`).
    fn huffman_encode_stream() = |bytes| stream::encode(bytes).map_err(codec_err)
);

bytes_function!(
    /// A `pymecompress-huffman` chunk of a buffer's bytes, with the byte count as trailer.
    fn huffman_encode_chunk() = |bytes| huffman::encode(bytes).map_err(codec_err)
);

bytes_function!(
    /// Decodes `n` bytes from a raw stream (`bcl.HuffmanDecompress`), `n` bounded by what the
    /// stream can hold before anything is allocated.
    fn huffman_decode_stream(n: usize) = |bytes| {
        stream::check_symbols(bytes.len(), n)
            .and_then(|()| stream::decode(bytes, n))
            .map_err(codec_err)
    }
);

/// Decodes a `pymecompress-huffman` chunk into the bytes of `out` (a writable contiguous
/// buffer whose size is the decoded size); the trailer may be the byte count or the element
/// count the reference writes.
#[pyfunction]
fn huffman_decode_chunk_into(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
) -> PyResult<()> {
    read_into(py, data, out, |chunk, dest, _format| {
        huffman::decode_into(chunk, dest).map_err(codec_err)
    })
}

bytes_function!(
    /// Decodes a `pymecompress-huffman` chunk of unknown size. With `infer_itemsize` false, as
    /// many bytes as the trailer says (what `bcl.huffman_decompress_buffer(data, None)`
    /// returns: a prefix of the reference's multi-byte chunks); with it true, the whole chunk,
    /// its trailer a byte count or (the reference's multi-byte chunks) a count of 2-, 4- or
    /// 8-byte elements, recognised by the codes filling the stream exactly.
    #[pyo3(signature = (data, infer_itemsize = true))]
    fn huffman_decode_chunk(infer_itemsize: bool) = |chunk| {
        if infer_itemsize {
            huffman::decode_unsized(chunk, usize::MAX)
        } else {
            huffman::decode_by_trailer(chunk, usize::MAX)
        }
        .map_err(codec_err)
    }
);

/// Byte order of the uint16 values a buffer holds: its format's, or this machine's for a
/// buffer whose format is not uint16 (raw bytes).
fn u16_order(format: &str) -> Option<Endian> {
    let (prefix, code) = match format.as_bytes().first() {
        Some(b'<' | b'>' | b'!' | b'=' | b'@') => format.split_at(1),
        _ => ("", format),
    };
    if code != "H" {
        return None;
    }
    Some(match prefix {
        "<" => Endian::Little,
        ">" | "!" => Endian::Big,
        _ => Endian::NATIVE,
    })
}

/// The `pymecompress-quant16` codec of one configuration, holding its tables.
#[pyclass(module = "pymecompress_rs._native", frozen)]
struct Quant16 {
    codec: Quant16Codec,
}

#[pymethods]
impl Quant16 {
    #[new]
    #[pyo3(signature = (offset = 0.0, scale = 1.0))]
    fn new(offset: f64, scale: f64) -> PyResult<Self> {
        let params = QuantParams::new(offset, scale).map_err(codec_err)?;
        Ok(Self {
            codec: Quant16Codec::new(params),
        })
    }

    #[getter]
    fn offset(&self) -> f64 {
        self.codec.params().offset()
    }

    #[getter]
    fn scale(&self) -> f64 {
        self.codec.params().scale()
    }

    /// Quantizes the uint16 values of a buffer (byte order from its format; raw bytes, of an
    /// even length, are taken as this machine's order) and codes exactly one symbol per value.
    /// With `trailer` the value count follows (a zarr chunk), without it the raw stream
    /// (`bcl.HuffmanCompressQuant`). Any other data type is refused with a `TypeError` naming
    /// it: its bytes quantized as uint16 would decode to garbage.
    #[pyo3(signature = (data, trailer = true))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        trailer: bool,
    ) -> PyResult<Bound<'py, PyArray1<u8>>> {
        quant16_encode_with(py, &self.codec, data, trailer, Accept::U16OrBytes)
    }

    /// Decodes a chunk into a new uint16 array of the trailer's value count.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<u16>>> {
        let codec = &self.codec;
        read_with(py, data, |chunk| {
            codec.decode_unsized(chunk, usize::MAX).map_err(codec_err)
        })
    }

    /// Decodes a chunk into the bytes of `out`: its size in bytes / 2 values, in its format's
    /// byte order (this machine's for a buffer that is not uint16).
    fn decode_into(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        out: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let codec = &self.codec;
        read_into(py, data, out, |chunk, dest, format| {
            let order = u16_order(format).unwrap_or(Endian::NATIVE);
            codec
                .decode_into_bytes(chunk, dest, order)
                .map_err(codec_err)
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Quant16(offset={}, scale={})",
            self.codec.params().offset(),
            self.codec.params().scale()
        )
    }
}

type CachedCodec = Option<((u64, u64), Quant16Codec)>;

/// The codec of the last (offset, scale) the `bcl` functions used: building the tables costs
/// more than coding a small frame.
static LAST_CODEC: Mutex<CachedCodec> = Mutex::new(None);

fn codec_for(offset: f64, scale: f64) -> PyResult<Quant16Codec> {
    let key = (offset.to_bits(), scale.to_bits());
    let mut last = LAST_CODEC.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, codec)) = last.as_ref() {
        if *k == key {
            return Ok(codec.clone());
        }
    }
    let codec = Quant16Codec::new(QuantParams::new(offset, scale).map_err(codec_err)?);
    *last = Some((key, codec.clone()));
    Ok(codec)
}

/// Quantizes and codes the uint16 values of a buffer with a cached codec: the chunk
/// (`trailer`) or the raw stream. With `require_u16`, a buffer whose format is not uint16 is
/// refused with the reference's RuntimeError (`bcl.HuffmanCompressQuant`); without it, any
/// buffer's bytes are taken as uint16 values (`bcl.huffman_compress_quant_buffer`, as the
/// reference).
#[pyfunction]
#[pyo3(signature = (data, offset, scale, trailer, require_u16))]
fn quant16_encode<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    offset: f64,
    scale: f64,
    trailer: bool,
    require_u16: bool,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    let codec = codec_for(offset, scale)?;
    let accept = if require_u16 {
        Accept::U16
    } else {
        Accept::AnyBuffer
    };
    quant16_encode_with(py, &codec, data, trailer, accept)
}

/// What a quant16 encoder takes.
#[derive(Clone, Copy)]
enum Accept {
    /// uint16 only, else the reference's RuntimeError.
    U16,
    /// uint16, or raw bytes (no dtype, a byte format): else a TypeError naming the type.
    U16OrBytes,
    /// Any buffer's bytes.
    AnyBuffer,
}

/// The data type of `data` if it is not uint16, as numpy names it (a buffer without a dtype:
/// by its struct format, of which the byte formats count as raw bytes).
fn not_u16(data: &Bound<'_, PyAny>, format: &str) -> PyResult<Option<String>> {
    if let Ok(dtype) = data.getattr("dtype") {
        let kind: String = dtype.getattr("kind")?.extract()?;
        let itemsize: usize = dtype.getattr("itemsize")?.extract()?;
        let is_u16 = kind == "u" && itemsize == 2;
        return Ok((!is_u16).then(|| dtype.to_string()));
    }
    let code = format.trim_start_matches(['<', '>', '!', '=', '@']);
    let is_ok = matches!(code, "H" | "B" | "b" | "c");
    Ok((!is_ok).then(|| format!("buffer format {format:?}")))
}

/// The one body of [`Quant16::encode`] and [`quant16_encode`].
fn quant16_encode_with<'py>(
    py: Python<'py>,
    codec: &Quant16Codec,
    data: &Bound<'py, PyAny>,
    trailer: bool,
    accept: Accept,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    let view = ByteView::new(data)?;
    let format = view.format();
    let order = match (u16_order(&format), accept) {
        (Some(order), _) => order,
        (None, Accept::U16) => {
            return Err(PyRuntimeError::new_err(
                "Expected unsigned short input data",
            ))
        }
        (None, Accept::U16OrBytes | Accept::AnyBuffer) => Endian::NATIVE,
    };
    if let Accept::U16OrBytes = accept {
        if let Some(name) = not_u16(data, &format)? {
            return Err(PyTypeError::new_err(format!(
                "pymecompress-quant16 codes uint16 data only, not {name}"
            )));
        }
    }
    let bytes = view.bytes();
    let out = py
        .detach(|| {
            if trailer {
                codec.encode_bytes(bytes, order)
            } else {
                codec.encode_stream_bytes(bytes, order)
            }
        })
        .map_err(codec_err)?;
    Ok(PyArray1::from_vec(py, out))
}

fn frame_array<'py>(py: Python<'py>, data: PzfData) -> Bound<'py, PyAny> {
    match data {
        PzfData::U8(v) => PyArray1::from_vec(py, v).into_any(),
        PzfData::U16(v) => PyArray1::from_vec(py, v).into_any(),
        PzfData::F32(v) => PyArray1::from_vec(py, v).into_any(),
    }
}

/// Reads a PZF frame: (pixels as a flat array in DimOrder, DimOrder "C"/"F", (Width, Height,
/// Depth), Version).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn pzf_decode<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, &'static str, (usize, usize, usize), u8)> {
    let view = ByteView::new(data)?;
    let bytes = view.bytes();
    let frame = py.detach(|| pzf::decode(bytes)).map_err(codec_err)?;
    let [w, h, d] = frame.shape();
    let order = match frame.order() {
        DimOrder::C => "C",
        DimOrder::F => "F",
    };
    let version = frame.header.version;
    Ok((frame_array(py, frame.data), order, (w, h, d), version))
}

/// Writes a Version 3 PZF frame of `data` (a flat uint8, uint16 or float32 array holding the
/// pixels in `order`), with the arguments of `PZFFormat.dumps`.
#[pyfunction]
#[pyo3(signature = (data, shape, order, sequence_id, frame_num, frame_timestamp, compression, quantization, quant_offset, quant_scale))]
#[allow(clippy::too_many_arguments)]
fn pzf_encode<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    shape: (usize, usize, usize),
    order: &str,
    sequence_id: i64,
    frame_num: u32,
    frame_timestamp: u64,
    compression: u8,
    quantization: u8,
    quant_offset: f32,
    quant_scale: f32,
) -> PyResult<Bound<'py, PyBytes>> {
    let order = match order {
        "C" => DimOrder::C,
        "F" => DimOrder::F,
        _ => return Err(PyValueError::new_err("order must be 'C' or 'F'")),
    };
    let options = PzfWriteOptions {
        sequence_id,
        frame_num,
        frame_timestamp,
        compression: Compression::try_from(compression).map_err(codec_err)?,
        quantization: Quantization::try_from(quantization).map_err(codec_err)?,
        quant_offset,
        quant_scale,
        ..PzfWriteOptions::default()
    };
    let shape = [shape.0, shape.1, shape.2];
    let encoded = if let Ok(a) = data.extract::<PyReadonlyArray1<'py, u8>>() {
        let s = a.as_slice()?;
        py.detach(|| pzf::encode(PzfSlice::U8(s), shape, order, &options))
    } else if let Ok(a) = data.extract::<PyReadonlyArray1<'py, u16>>() {
        let s = a.as_slice()?;
        py.detach(|| pzf::encode(PzfSlice::U16(s), shape, order, &options))
    } else if let Ok(a) = data.extract::<PyReadonlyArray1<'py, f32>>() {
        let s = a.as_slice()?;
        py.detach(|| pzf::encode(PzfSlice::F32(s), shape, order, &options))
    } else {
        return Err(PyValueError::new_err(
            "PZF data must be a 1-D uint8, uint16 or float32 array",
        ));
    };
    let encoded = encoded.map_err(codec_err)?;
    Ok(PyBytes::new(py, &encoded))
}

/// The native half of `pymecompress_rs`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CodecError", m.py().get_type::<CodecError>())?;
    m.add_class::<Quant16>()?;
    m.add_function(wrap_pyfunction!(huffman_encode_stream, m)?)?;
    m.add_function(wrap_pyfunction!(huffman_decode_stream, m)?)?;
    m.add_function(wrap_pyfunction!(huffman_encode_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(huffman_decode_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(huffman_decode_chunk_into, m)?)?;
    m.add_function(wrap_pyfunction!(quant16_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pzf_decode, m)?)?;
    m.add_function(wrap_pyfunction!(pzf_encode, m)?)?;
    ome::register(m)?;
    pyme::register(m)?;
    Ok(())
}
