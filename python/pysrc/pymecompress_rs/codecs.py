"""numcodecs codecs: ``pymecompress-huffman``, ``pymecompress-quant16`` and ``pyme-pzf``.

Same ids and configuration as the reference (``pymecompress.codecs``) and PYME
(``PYME.IO.zarr_compat.PZFCodec``); correct where they are wrong (see docs/python.md).

Registration: numcodecs finds these classes through the ``numcodecs.codecs`` entry points of
this package when nothing else has registered the ids. Importing this module registers them
for the ids nothing has registered yet; ``import pymecompress.codecs`` (the reference) or
``import PYME.IO.zarr_compat`` then replaces them, as numcodecs lets the last registration win.
:func:`pymecompress_rs.register` chooses ours explicitly (``override=False``: only free ids).
"""

import numpy as np
import numcodecs
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray, ndarray_copy

from . import _native, pzf as _pzf

__all__ = ["Huffman", "HuffmanQuant16", "PZFCodec"]


class _Picklable:
    # The native state is rebuilt from the configuration (dask ships codecs to workers).
    def __reduce__(self):
        return (_from_config, (type(self), self.get_config()))


def _from_config(cls, config):
    return cls.from_config(config)


def _decode_into(out, decoded):
    """Copy ``decoded`` into ``out`` (numcodecs semantics: ``out`` may be any array of the size)."""
    return ndarray_copy(decoded, out)


def _from_known_keys(cls, config):
    """``cls`` built from a configuration's keys other than ``id``: an unknown key raises
    TypeError (as numcodecs' own ``Codec.from_config`` and the Rust plugin, which refuses
    unknown fields), rather than being dropped without a word."""
    config = {k: v for k, v in config.items() if k != "id"}
    return cls(**config)


def _real(name, value, codec_id):
    """``value`` if it is a real number (int, float or a numpy scalar; a string is not one)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (int, float, np.integer,
                                                                 np.floating)):
        raise TypeError(f"{codec_id}: {name} {value!r} is not a number")
    return value


def _writable_contiguous(out):
    arr = np.asarray(out) if not isinstance(out, np.ndarray) else out
    return arr.flags.writeable and (arr.flags.c_contiguous or arr.flags.f_contiguous)


def _float32_ok(value, positive):
    with np.errstate(over="ignore"):
        f = np.float32(value)
    return bool(np.isfinite(f)) and (f > 0 or not positive)


class Huffman(_Picklable, Codec):
    """Lossless Huffman coding of a chunk's bytes (``{"id": "pymecompress-huffman"}``).

    Writes the byte count as trailer (the reference writes the element count, which its own
    decoder cannot read back for multi-byte types); reads both.
    """

    codec_id = "pymecompress-huffman"

    def encode(self, buf):
        return _native.huffman_encode_chunk(buf)

    def decode(self, buf, out=None):
        if out is not None and _writable_contiguous(out):
            _native.huffman_decode_chunk_into(buf, out)
            return out
        decoded = _native.huffman_decode_chunk(buf, True)
        if out is None:
            return decoded
        return _decode_into(out, decoded)

    def get_config(self):
        return {"id": self.codec_id}

    @classmethod
    def from_config(cls, config):
        return _from_known_keys(cls, config)

    def __repr__(self):
        return "Huffman()"


class HuffmanQuant16(_Picklable, Codec):
    """Square-root quantization of uint16 data + Huffman coding
    (``{"id": "pymecompress-quant16", "offset": ..., "scale": ...}``).

    Stores ``q = round(sqrt(x - offset) / scale)`` (exact, saturating at 255), exactly one
    symbol per value; restores ``(q * scale)**2 + offset`` truncated to uint16.
    """

    codec_id = "pymecompress-quant16"

    def __init__(self, offset=0, scale=1):
        self._offset = _real("offset", offset, self.codec_id)
        self._scale = _real("scale", scale, self.codec_id)
        self._native = _native.Quant16(float(offset), float(scale))

    @property
    def offset(self):
        return self._offset

    @property
    def scale(self):
        return self._scale

    def encode(self, buf):
        # the native encoder refuses any dtype but uint16 (TypeError) and raw bytes of an
        # odd length (CodecError): another type's bytes, quantized as uint16, decode to garbage
        return self._native.encode(buf)

    def decode(self, buf, out=None):
        if out is not None and _writable_contiguous(out):
            self._native.decode_into(buf, out)
            return out
        decoded = self._native.decode(buf)
        if out is None:
            return decoded
        return _decode_into(out, decoded)

    def get_config(self):
        return {"id": self.codec_id, "offset": self._offset, "scale": self._scale}

    @classmethod
    def from_config(cls, config):
        return _from_known_keys(cls, config)

    def __repr__(self):
        return f"HuffmanQuant16(offset={self._offset!r}, scale={self._scale!r})"


class PZFCodec(_Picklable, Codec):
    """A chunk stored as one whole PZF frame (``{"id": "pyme-pzf"}``, PYME's ``zarr_compat``).

    Decoding returns the frame's pixels in C order of its (Width, Height, Depth) array, which
    zarr reshapes to the chunk. Encoding (PYME's codec is read-only) writes a Version 3 frame
    of the chunk exactly as the Rust codec does (``zarr-plugin/src/pyme_pzf/layout.rs``): the
    chunk shape with leading 1s added up to three dimensions or removed down to three, then
    other 1s (a ``[1, T, T]`` tile chunk becomes a (1, T, T) frame, which zarr-python can
    broadcast into the chunk, unlike PYME's own (T, T, 1) tiles). The optional configuration,
    the same as the Rust codec's, is ``compression`` (``"raw"`` or ``"huffman"``, the
    default), ``quantization`` (``"none"``, the default, or ``"sqrt"``) and, with ``"sqrt"``
    only, ``offset`` and ``scale``; keys are written only when given, so the default
    configuration is PYME's ``{"id": "pyme-pzf"}``. Decoding needs none of them (the frame
    header says all).
    """

    codec_id = "pyme-pzf"
    _COMPRESSION = {"raw": _pzf.DATA_COMP_RAW, "huffman": _pzf.DATA_COMP_HUFFCODE}
    _QUANTIZATION = {"none": _pzf.DATA_QUANT_NONE, "sqrt": _pzf.DATA_QUANT_SQRT}

    def __init__(self, compression=None, quantization=None, offset=None, scale=None):
        if compression is not None and compression not in self._COMPRESSION:
            raise ValueError(f"pyme-pzf: compression {compression!r} is not 'raw' or 'huffman'")
        if quantization is not None and quantization not in self._QUANTIZATION:
            raise ValueError(f"pyme-pzf: quantization {quantization!r} is not 'none' or 'sqrt'")
        if quantization != "sqrt" and (offset is not None or scale is not None):
            raise ValueError("pyme-pzf: offset and scale need quantization 'sqrt'")
        if quantization == "sqrt" and compression == "raw":
            raise ValueError("pyme-pzf: sqrt quantization needs a Huffman payload")
        # the frame header holds them as float32: a value finite as a float64 may not be one
        if scale is not None and not _float32_ok(_real("scale", scale, self.codec_id), True):
            raise ValueError(f"pyme-pzf: scale {scale!r} must be a finite float32 above 0")
        if offset is not None and not _float32_ok(_real("offset", offset, self.codec_id), False):
            raise ValueError(f"pyme-pzf: offset {offset!r} must be a finite float32")
        self.compression = compression
        self.quantization = quantization
        self.offset = offset
        self.scale = scale

    @staticmethod
    def _frame_shape(chunk_shape):
        dims = list(chunk_shape)
        while len(dims) > 3 and dims[0] == 1:
            dims.pop(0)
        if len(dims) > 3:
            dims = [d for d in dims if d != 1]
        if len(dims) > 3:
            raise ValueError(
                f"pyme-pzf: chunk shape {tuple(chunk_shape)} has more than 3 dimensions "
                "longer than 1; a PZF frame holds 3"
            )
        return [1] * (3 - len(dims)) + dims

    def encode(self, buf):
        arr = np.ascontiguousarray(np.asarray(buf))
        arr = arr.reshape(self._frame_shape(arr.shape))
        return _pzf.dumps(
            arr,
            compression=self._COMPRESSION[self.compression or "huffman"],
            quantization=self._QUANTIZATION[self.quantization or "none"],
            quantizationOffset=0 if self.offset is None else self.offset,
            quantizationScale=1 if self.scale is None else self.scale,
        )

    def decode(self, buf, out=None):
        data, _header = _pzf.loads(ensure_contiguous_ndarray(buf))
        decoded = np.ascontiguousarray(data)
        if out is None:
            return decoded
        return _decode_into(out, decoded)

    def get_config(self):
        config = {"id": self.codec_id}
        for key in ("compression", "quantization", "offset", "scale"):
            value = getattr(self, key)
            if value is not None:
                config[key] = value
        return config

    @classmethod
    def from_config(cls, config):
        return _from_known_keys(cls, config)

    def __repr__(self):
        return "PZFCodec(%s)" % ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if k != "id"
        )


_CLASSES = {cls.codec_id: cls for cls in (Huffman, HuffmanQuant16, PZFCodec)}


def _register(override=True):
    from numcodecs.registry import codec_registry

    for codec_id, cls in _CLASSES.items():
        if override or codec_id not in codec_registry:
            numcodecs.register_codec(cls, codec_id)
    return {codec_id: codec_registry.get(codec_id) for codec_id in _CLASSES}


# Importing this module (numcodecs does, through the entry points, the first time a store
# names one of the ids) takes only the ids nothing has registered: it never displaces the
# reference's or PYME's classes behind the user's back. pymecompress_rs.register() does.
for _codec_id, _cls in _CLASSES.items():
    if _codec_id not in numcodecs.registry.codec_registry:
        numcodecs.register_codec(_cls, _codec_id)
