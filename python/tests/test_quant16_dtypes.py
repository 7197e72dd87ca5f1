"""quant16 codes uint16 values only: any other dtype is refused with a TypeError naming it, in
the native encoder, the numcodecs codec (Zarr v2) and the Zarr v3 serializer, the last when
the array is created (before its metadata is written). Raw bytes are uint16 values in this
machine's order, and must come in whole pairs. Before, float32 [1.0, 2.5, 1000, 3e4] coded
its bytes as uint16 values and decoded to garbage, and a Zarr v3 float32 array wrote its
zarr.json before failing at the first chunk."""

import ast
from pathlib import Path

import numpy as np
import pytest

from conftest import ZARR_MAJOR, requires_zarr, requires_zarr3

import pymecompress_rs
from pymecompress_rs import CodecError, _native
from pymecompress_rs.codecs import HuffmanQuant16

PYSRC = Path(pymecompress_rs.__file__).resolve().parent
REFUSED = ["float32", "uint8", "int32", "int16", "float64", "uint32"]


@pytest.mark.parametrize("dtype", REFUSED)
@pytest.mark.parametrize("encode", [
    lambda x: HuffmanQuant16(0, 1).encode(x),
    lambda x: _native.Quant16(0.0, 1.0).encode(x),
    lambda x: _native.Quant16(0.0, 1.0).encode(x, False),
], ids=["codec", "native chunk", "native stream"])
def test_any_dtype_but_uint16_is_refused_naming_it(dtype, encode):
    x = np.array([1.0, 2.5, 1000, 3e4]).astype(dtype)
    with pytest.raises(TypeError, match=dtype):
        encode(x)


@pytest.mark.parametrize("dtype", ["<u2", ">u2", "=u2"])
def test_uint16_of_either_byte_order_and_whole_raw_pairs_are_coded(dtype):
    x = np.array([0, 1, 100, 1000, 30000, 65535], dtype=dtype)
    codec = HuffmanQuant16(0, 1)
    expected = codec.decode(codec.encode(x.astype("=u2")))
    assert np.array_equal(codec.decode(codec.encode(x)), expected)
    raw = x.astype("=u2").tobytes()
    assert np.array_equal(codec.decode(codec.encode(raw)), expected)
    assert np.array_equal(codec.decode(codec.encode(bytearray(raw))), expected)


@pytest.mark.parametrize("data", [b"\x01", b"\x01\x02\x03", bytearray(5), memoryview(b"abcde")])
def test_raw_bytes_of_an_odd_length_are_refused(data):
    with pytest.raises(CodecError):
        HuffmanQuant16(0, 1).encode(data)


def test_a_buffer_of_another_format_is_refused_naming_it():
    import array

    with pytest.raises(TypeError, match='format "f"'):
        HuffmanQuant16(0, 1).encode(array.array("f", [1.0, 2.0]))
    # bcl.HuffmanCompressQuant refuses as the reference does (RuntimeError)
    from pymecompress_rs import bcl

    with pytest.raises(RuntimeError, match="Expected unsigned short"):
        bcl.HuffmanCompressQuant(np.zeros(4, "f4"), 0, 1)


@requires_zarr
def test_a_zarr_v2_float32_array_refuses_the_codec(tmp_path):
    import zarr

    data = np.array([[1.0, 2.5], [1000, 3e4]], dtype="f4")
    with pytest.raises(TypeError, match="float32"):
        if ZARR_MAJOR >= 3:
            a = zarr.create_array(store=str(tmp_path / "a.zarr"), shape=data.shape, chunks=(2, 2),
                                  dtype="f4", compressors=HuffmanQuant16(0, 1), zarr_format=2,
                                  filters=None, fill_value=0)
        else:
            a = zarr.open_array(str(tmp_path / "a.zarr"), mode="w", shape=data.shape,
                                chunks=(2, 2), dtype="f4", compressor=HuffmanQuant16(0, 1))
        a[...] = data


@requires_zarr3
@pytest.mark.parametrize("dtype", ["float32", "uint8", "int32"])
def test_a_zarr_v3_array_of_another_dtype_is_refused_before_its_metadata_is_written(
        tmp_path, dtype):
    import zarr
    from pymecompress_rs import zarr3

    path = tmp_path / "a.zarr"
    with pytest.raises(TypeError, match=dtype):
        zarr.create_array(store=str(path), shape=(4, 4), chunks=(2, 2), dtype=dtype,
                          serializer=zarr3.HuffmanQuant16(offset=0, scale=1), compressors=None)
    assert not (path / "zarr.json").exists()
    # uint16 of either byte order is what it codes
    for ok in ["<u2", ">u2"]:
        a = zarr.create_array(store=str(tmp_path / f"{ok[0] == '<'}.zarr"), shape=(4, 4),
                              chunks=(2, 2), dtype=ok, compressors=None,
                              serializer=zarr3.HuffmanQuant16(offset=0, scale=1))
        a[...] = np.arange(16, dtype=ok).reshape(4, 4) ** 2
        assert np.array_equal(a[...], np.arange(16).reshape(4, 4) ** 2)


def _imports(module):
    tree = ast.parse((PYSRC / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names.update([node.module] if node.module else [a.name for a in node.names])
    return names


def test_the_package_exports_no_stray_names_and_its_modules_import_no_circle():
    assert not hasattr(pymecompress_rs, "PackageNotFoundError")
    assert not {n for n in vars(pymecompress_rs) if not n.startswith("_")} - {
        "bcl", "register", "CodecError", "CODEC_IDS", "codecs", "pzf", "zarr3", "pyme_fs", "pyme",
        "ome"}
    assert "codecs" in _imports("zarr3")
    assert "zarr3" not in _imports("codecs")
