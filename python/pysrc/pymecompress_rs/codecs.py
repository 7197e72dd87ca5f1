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


def _writable_contiguous(out):
    arr = np.asarray(out) if not isinstance(out, np.ndarray) else out
    return arr.flags.writeable and (arr.flags.c_contiguous or arr.flags.f_contiguous)


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
        return cls()

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
        self._offset = offset
        self._scale = scale
        self._native = _native.Quant16(float(offset), float(scale))

    @property
    def offset(self):
        return self._offset

    @property
    def scale(self):
        return self._scale

    def encode(self, buf):
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
        return cls(offset=config.get("offset", 0), scale=config.get("scale", 1))

    def __repr__(self):
        return f"HuffmanQuant16(offset={self._offset!r}, scale={self._scale!r})"


class PZFCodec(_Picklable, Codec):
    """A chunk stored as one whole PZF frame (``{"id": "pyme-pzf"}``, PYME's ``zarr_compat``).

    Decoding returns the frame's pixels in C order of its (Width, Height, Depth) array, which
    zarr reshapes to the chunk. Encoding (PYME's codec is read-only) writes a Version 3 frame
    of the chunk: leading length-1 axes dropped (a ``[1, T, T]`` tile chunk becomes a T x T
    frame, as PYME's tile pyramids store them), more than 3 remaining axes merged into the
    first; lossless Huffman unless configured otherwise. The optional configuration keys
    (``compression``, ``quantization``, ``quantizationOffset``, ``quantizationScale``, as in
    ``PZFFormat.dumps``) are written only when not the defaults, so a default configuration is
    PYME's ``{"id": "pyme-pzf"}``; decoding needs none of them (the frame header says all).
    """

    codec_id = "pyme-pzf"

    def __init__(
        self,
        compression=_pzf.DATA_COMP_HUFFCODE,
        quantization=_pzf.DATA_QUANT_NONE,
        quantizationOffset=0,
        quantizationScale=1,
    ):
        self.compression = int(compression)
        self.quantization = int(quantization)
        self.quantizationOffset = quantizationOffset
        self.quantizationScale = quantizationScale

    def encode(self, buf):
        arr = np.asarray(buf)
        shape = list(arr.shape)
        while len(shape) > 2 and shape[0] == 1:
            shape.pop(0)
        if len(shape) > 3:
            shape = [int(np.prod(shape[:-2]))] + shape[-2:]
        while len(shape) < 2:
            shape.append(1)
        arr = np.ascontiguousarray(arr).reshape(shape)
        return _pzf.dumps(
            arr,
            compression=self.compression,
            quantization=self.quantization,
            quantizationOffset=self.quantizationOffset,
            quantizationScale=self.quantizationScale,
        )

    def decode(self, buf, out=None):
        data, _header = _pzf.loads(ensure_contiguous_ndarray(buf))
        decoded = np.ascontiguousarray(data)
        if out is None:
            return decoded
        return _decode_into(out, decoded)

    def get_config(self):
        config = {"id": self.codec_id}
        defaults = type(self)()
        for key in ("compression", "quantization", "quantizationOffset", "quantizationScale"):
            value = getattr(self, key)
            if value != getattr(defaults, key):
                config[key] = value
        return config

    @classmethod
    def from_config(cls, config):
        config = {k: v for k, v in config.items() if k != "id"}
        return cls(**config)

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
    try:
        from . import zarr3
    except ImportError:
        pass
    else:
        zarr3._register(override=override)
    return {codec_id: codec_registry.get(codec_id) for codec_id in _CLASSES}


# Importing this module (numcodecs does, through the entry points, the first time a store
# names one of the ids) takes only the ids nothing has registered: it never displaces the
# reference's or PYME's classes behind the user's back. pymecompress_rs.register() does.
for _codec_id, _cls in _CLASSES.items():
    if _codec_id not in numcodecs.registry.codec_registry:
        numcodecs.register_codec(_cls, _codec_id)
