"""The codecs for Zarr v3 arrays in zarr-python >= 3.1.3.

Names ``numcodecs.pymecompress-huffman`` (bytes to bytes), ``numcodecs.pymecompress-quant16``
(array to bytes, uint16; it replaces the ``bytes`` codec) and ``numcodecs.pyme-pzf`` (array to
bytes), as the Rust plugin (zarrs-pymecompress) writes them. Built like zarr's own wrappers of
numcodecs codecs (``zarr.codecs.numcodecs``), but bound to this package's classes directly:
a Zarr v3 array written with these names is always coded by pymecompress_rs, whatever
another package registered under the numcodecs ids.

zarr finds these classes through this package's ``zarr.codecs`` entry points with no import.
If another package registers a class under the same names, zarr asks for a choice in its
configuration; :func:`pymecompress_rs.register` makes it (``codecs.<name>`` set to ours).
"""

from functools import cached_property

from zarr.codecs.numcodecs import _NumcodecsArrayBytesCodec, _NumcodecsBytesBytesCodec

from . import codecs as _codecs

__all__ = ["Huffman", "HuffmanQuant16", "PZFCodec"]


class _Bound:
    _numcodecs_class = None

    def __init__(self, **codec_config):
        super().__init__(**codec_config)
        # a bad configuration raises here, where the array is opened or created, not at the
        # first chunk coded
        self._codec  # noqa: B018

    @classmethod
    def from_dict(cls, data):
        # Zarr v3 makes "configuration" optional; zarrs writes {"name": ...} alone for a codec
        # without parameters, which zarr's numcodecs wrappers refuse.
        data = dict(data)
        data.setdefault("configuration", {})
        return super().from_dict(data)

    @cached_property
    def _codec(self):
        return self._numcodecs_class.from_config(dict(self.codec_config))


class Huffman(_Bound, _NumcodecsBytesBytesCodec, codec_name="pymecompress-huffman"):
    _numcodecs_class = _codecs.Huffman

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        raise NotImplementedError


class HuffmanQuant16(_Bound, _NumcodecsArrayBytesCodec, codec_name="pymecompress-quant16"):
    _numcodecs_class = _codecs.HuffmanQuant16

    def validate(self, *, shape, dtype, chunk_grid):
        # zarr calls this when it builds the array's metadata, before anything is written:
        # the codec quantizes uint16 values only (of either byte order)
        super().validate(shape=shape, dtype=dtype, chunk_grid=chunk_grid)
        native = dtype.to_native_dtype()
        if native.kind != "u" or native.itemsize != 2:
            raise TypeError(
                f"{self.codec_name}: codes uint16 data only, not {native} (data type {dtype})"
            )


class PZFCodec(_Bound, _NumcodecsArrayBytesCodec, codec_name="pyme-pzf"):
    _numcodecs_class = _codecs.PZFCodec


_CLASSES = (Huffman, HuffmanQuant16, PZFCodec)


def _register(override=True):
    """Register the classes with zarr; with ``override``, also choose them in zarr's
    configuration (``codecs.<name>``), which decides when several packages provide a name."""
    import zarr
    from zarr.registry import register_codec

    chosen = dict(zarr.config.get("codecs", {}))
    for cls in _CLASSES:
        register_codec(cls.codec_name, cls)
        chosen[cls.codec_name] = f"{cls.__module__}.{cls.__qualname__}"
    if override:
        # "codecs" is a flat mapping whose keys contain dots: set it whole
        zarr.config.set({"codecs": chosen})
