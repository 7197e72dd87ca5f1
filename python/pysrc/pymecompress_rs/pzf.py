"""PYME's PZF frame format: ``loads``, ``dumps``, ``load_header`` and the constants of
``PYME.IO.PZFFormat`` (python-microscopy 26.9.3), with the same signatures.

``dumps`` writes the same bytes as PYME for raw and lossless Huffman frames; quantized frames
use the exact quantizer. ``loads`` reads Versions 1 to 3, all compressions, and raises
:class:`PZFError` (a ``ValueError`` and a ``RuntimeError``) on damaged or truncated input where
PYME returns garbage or reads past its buffers. Differences: docs/python.md.
"""

import numpy as np

from . import _native

__all__ = [
    "FILE_FORMAT_ID", "FORMAT_VERSION",
    "DATA_FMT_UINT8", "DATA_FMT_UINT16", "DATA_FMT_FLOAT32", "DATA_FMTS", "DATA_FMTS_SIZES",
    "DATA_COMP_RAW", "DATA_COMP_HUFFCODE", "DATA_COMP_HUFFCODE_CHUNKS",
    "DATA_QUANT_NONE", "DATA_QUANT_SQRT",
    "header_dtype", "header_dtype_v3", "HEADER_LENGTH", "HEADER_LENGTH_V3",
    "PZFError", "dumps", "loads", "load_header",
]


class PZFError(_native.CodecError, RuntimeError):
    """A frame that cannot be read or written (``ValueError``; also ``RuntimeError``, which is
    what PYME raises for a bad magic number or an unsupported data type)."""


FILE_FORMAT_ID = b"BD"
FORMAT_VERSION = 3

DATA_FMT_UINT8 = 0
DATA_FMT_UINT16 = 1
DATA_FMT_FLOAT32 = 2
DATA_FMTS = ["u1", "u2", "f4"]
DATA_FMTS_SIZES = [1, 2, 4]

DATA_COMP_RAW = 0
DATA_COMP_HUFFCODE = 1
DATA_COMP_HUFFCODE_CHUNKS = 2

DATA_QUANT_NONE = 0
DATA_QUANT_SQRT = 1

# The header layouts (docs/format.md, PZF): Versions 1 and 2 (48 bytes) and Version 3 (64 bytes).
header_dtype = [
    ("ID", "S2"), ("Version", "u1"), ("DataFormat", "u1"), ("DataCompression", "u1"),
    ("DataQuantization", "u1"), ("DimOrder", "S1"), ("RESERVED0", "S1"), ("SequenceID", "i8"),
    ("FrameNum", "u4"), ("Width", "u4"), ("Height", "u4"), ("Depth", "u4"),
    ("FrameTimestamp", "u8"), ("QuantOffset", "f4"), ("QuantScale", "f4"),
]
header_dtype_v3 = header_dtype + [("DataOffset", "u4"), ("RESERVED1", "S12")]

HEADER_LENGTH = np.dtype(header_dtype).itemsize
HEADER_LENGTH_V3 = np.dtype(header_dtype_v3).itemsize


def _as_bytes_view(datastring):
    view = memoryview(datastring)
    if view.ndim != 1 or view.itemsize != 1:
        view = memoryview(np.ascontiguousarray(datastring)).cast("B")
    return view


def load_header(datastring):
    """The frame header as a numpy record array (shape (1,)) of :data:`header_dtype_v3` for
    Version 3 and later, :data:`header_dtype` before."""
    view = _as_bytes_view(datastring)
    if len(view) < 3:
        raise PZFError(f"PZF header needs at least 3 bytes, the input has {len(view)}")
    dtype = header_dtype_v3 if view[2] >= 3 else header_dtype
    length = np.dtype(dtype).itemsize
    if len(view) < length:
        raise PZFError(f"PZF header needs {length} bytes, the input has {len(view)}")
    return np.frombuffer(view[:length], dtype)


def loads(datastring):
    """Load a PZF frame: returns ``(data, header)``, ``data`` of shape (Width, Height, Depth)
    in the frame's DimOrder, ``header`` as :func:`load_header` returns it."""
    try:
        flat, order, shape, _version = _native.pzf_decode(datastring)
    except _native.CodecError as e:
        raise PZFError(str(e)) from None
    return flat.reshape(shape, order=order), load_header(datastring)


def dumps(data, sequenceID=0, frameNum=0, frameTimestamp=0, compression=DATA_COMP_RAW,
          quantization=DATA_QUANT_NONE, quantizationOffset=0, quantizationScale=1):
    """Dump a 2-D or 3-D uint8, uint16 or float32 array into a Version 3 PZF frame (bytes).

    Width, Height, Depth are ``data.shape`` (Depth 1 for 2-D). The frame records DimOrder F
    when the array is Fortran-contiguous (as PYME), C otherwise. ``quantization`` =
    :data:`DATA_QUANT_SQRT` stores ``round(sqrt(x - quantizationOffset) / quantizationScale)``
    (uint16 data, Huffman payloads only).
    """
    data = np.asarray(data)
    if data.dtype.kind not in "uf" or data.dtype.itemsize not in (1, 2, 4) or (
            data.dtype.kind == "f" and data.dtype.itemsize != 4) or (
            data.dtype.kind == "u" and data.dtype.itemsize == 4):
        raise PZFError("Unsupported data type: %s" % data.dtype)
    if data.ndim not in (2, 3):
        raise PZFError(f"PZF frames are 2-D or 3-D arrays, got {data.ndim} dimensions")
    if compression not in (DATA_COMP_RAW, DATA_COMP_HUFFCODE, DATA_COMP_HUFFCODE_CHUNKS):
        raise PZFError(f"unknown compression {compression!r}")
    if quantization not in (DATA_QUANT_NONE, DATA_QUANT_SQRT):
        raise PZFError(f"unknown quantization {quantization!r}")
    shape = tuple(data.shape) + (1,) * (3 - data.ndim)
    order = "F" if data.flags.f_contiguous else "C"
    native = data.dtype.newbyteorder("=")
    if data.dtype != native or not data.flags.aligned or not (
            data.flags.c_contiguous or data.flags.f_contiguous):
        # the native writer reads a flat slice: aligned, native and contiguous (an array of
        # negative strides reshapes to a view of negative stride, not a copy)
        data = data.astype(native, order=order)
    flat = data.reshape(-1, order=order)
    try:
        return _native.pzf_encode(
            flat, shape, order, int(sequenceID), int(frameNum), int(frameTimestamp),
            int(compression), int(quantization), float(quantizationOffset),
            float(quantizationScale),
        )
    except _native.CodecError as e:
        raise PZFError(str(e)) from None
