"""The numcodecs codecs in zarr-python (2.18 or 3.1): every fixture store the real reference
wrote reads exactly; stores we write are read by the real reference (in a separate process)
and by us; the choice between ours and other packages' classes for the same ids."""

import pickle
import shutil

import numpy as np
import pytest

from conftest import (
    FIXTURES, HAVE_REFERENCE, ZARR_MAJOR, fixture_path, load_manifest, read_u8, read_u16,
    requires_reference, requires_zarr, requires_zarr2, run_python,
)

pytestmark = requires_zarr

import numcodecs  # noqa: E402
import zarr  # noqa: E402

from pymecompress_rs import CodecError  # noqa: E402
from pymecompress_rs.codecs import Huffman, HuffmanQuant16, PZFCodec  # noqa: E402

STORES = load_manifest()["stores"]


def open_array(path, array_path=""):
    if ZARR_MAJOR >= 3:
        return zarr.open_array(store=str(path), path=array_path or "", mode="r")
    return zarr.open_array(str(path), mode="r", path=array_path or None)


def write_v2(path, data, chunks, codec, fill_value=0):
    """A Zarr v2 array at ``path`` holding ``data`` with ``codec`` as its compressor."""
    if ZARR_MAJOR >= 3:
        a = zarr.create_array(store=str(path), shape=data.shape, chunks=chunks, dtype=data.dtype,
                              compressors=codec, zarr_format=2, fill_value=fill_value, filters=None)
    else:
        a = zarr.open_array(str(path), mode="w", shape=data.shape, chunks=chunks, dtype=data.dtype,
                            compressor=codec, fill_value=fill_value)
    a[...] = data
    return a


@pytest.mark.parametrize("store", STORES, ids=[s["name"] for s in STORES])
def test_reads_every_fixture_store_exactly(store):
    a = open_array(FIXTURES / store["path"], store["array_path"])
    expected = np.load(FIXTURES / store["expected"])
    got = a[...]
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)
    # partial reads (zarr passes no output buffer) give the same values
    assert np.array_equal(a[3:41, 5:30] if a.ndim == 2 else a[:, 3:41], 
                          expected[3:41, 5:30] if a.ndim == 2 else expected[:, 3:41])
    for other in store.get("other_arrays_in_store", []):
        b = open_array(FIXTURES / store["path"], other["array_path"])
        assert np.array_equal(b[...], (np.arange(400).reshape(20, 20) % 3).astype("u1"))


def test_a_fresh_interpreter_finds_our_codecs_by_entry_point():
    store = next(s for s in STORES if s["codec"] == "pymecompress-quant16")
    out = run_python(
        "import sys, numpy as np, zarr, numcodecs\n"
        "from numcodecs.registry import codec_registry\n"
        "assert 'pymecompress_rs' not in sys.modules\n"
        f"a = zarr.open_array(store={str(FIXTURES / store['path'])!r}, path={store['array_path']!r}, mode='r')\n"
        f"assert np.array_equal(a[...], np.load({str(FIXTURES / store['expected'])!r}))\n"
        "print(codec_registry['pymecompress-quant16'].__module__)\n"
        "print(numcodecs.get_codec({'id': 'pymecompress-huffman'}).__class__.__module__)\n"
        "print(numcodecs.get_codec({'id': 'pyme-pzf'}).__class__.__module__)\n"
    )
    assert out.split() == ["pymecompress_rs.codecs"] * 3


@requires_reference
def test_codec_choice_when_the_reference_is_imported():
    out = run_python(
        "import numcodecs, pymecompress_rs\n"
        "from numcodecs.registry import codec_registry as r\n"
        "import pymecompress.codecs\n"  # the reference registers its classes on import
        "print(r['pymecompress-quant16'].__module__)\n"
        "pymecompress_rs.register(override=False)\n"  # keeps whatever is registered
        "print(r['pymecompress-quant16'].__module__, r['pyme-pzf'].__module__)\n"
        "chosen = pymecompress_rs.register()\n"  # ours, explicitly
        "print(r['pymecompress-quant16'].__module__, r['pymecompress-huffman'].__module__)\n"
        "print(sorted(c.__module__ for c in chosen.values()))\n"
        "import importlib; importlib.reload(pymecompress.codecs)\n"  # registers the reference again
        "print(numcodecs.get_codec({'id': 'pymecompress-huffman'}).__class__.__module__)\n"
    )
    lines = out.splitlines()
    assert lines[0] == "pymecompress.codecs"
    assert lines[1] == "pymecompress.codecs pymecompress_rs.codecs"
    assert lines[2] == "pymecompress_rs.codecs pymecompress_rs.codecs"
    assert lines[3] == str(["pymecompress_rs.codecs"] * 3)
    assert lines[4] == "pymecompress.codecs"


@requires_reference
def test_importing_ours_never_displaces_the_reference():
    out = run_python(
        "import numcodecs\n"
        "from numcodecs.registry import codec_registry as r\n"
        "import pymecompress.codecs\n"
        "import pymecompress_rs.codecs\n"  # implicit: takes the free id pyme-pzf only
        "print(r['pymecompress-huffman'].__module__, r['pymecompress-quant16'].__module__, r['pyme-pzf'].__module__)\n"
    )
    assert out.split() == ["pymecompress.codecs", "pymecompress.codecs", "pymecompress_rs.codecs"]


@pytest.mark.parametrize("dtype", ["u1", "<u2", "<f4", "<i4", ">u2"])
def test_huffman_store_roundtrip(tmp_path, dtype):
    rng = np.random.default_rng(1)
    data = (rng.poisson(40, (50, 70)) - (20 if dtype == "<i4" else 0)).astype(dtype)
    write_v2(tmp_path / "a.zarr", data, (32, 40), Huffman())
    a = open_array(tmp_path / "a.zarr")
    assert np.array_equal(a[...], data)
    assert np.array_equal(a[10:45, 33:61], data[10:45, 33:61])


@pytest.mark.parametrize("offset,scale", [(0, 1), (100, 1), (0.5, 1), (0, 2), (50, 1.5)])
def test_quant16_store_roundtrip(tmp_path, offset, scale):
    rng = np.random.default_rng(2)
    data = (rng.poisson(400, (50, 70)) + int(offset)).astype("u2")
    data[0, :5] = [0, 65535, int(offset), 1, 60000]
    codec = HuffmanQuant16(offset=offset, scale=scale)
    write_v2(tmp_path / "q.zarr", data, (32, 40), codec)
    a = open_array(tmp_path / "q.zarr")
    got = a[...]
    # the right inverse of the stored step: (q * scale)^2 + offset, truncated
    q = np.minimum(np.round(np.sqrt(np.maximum(data.astype(float) - offset, 0)) / scale), 255)
    expected = np.clip(np.trunc((q * scale) ** 2 + offset), 0, 65535).astype("u2")
    ok = np.isclose(np.sqrt(np.maximum(data.astype(float) - offset, 0)) / scale % 1, 0.5, atol=1e-9)
    assert np.array_equal(got[~ok], expected[~ok])
    assert np.array_equal(a[7:44, 39:41], got[7:44, 39:41])
    assert codec.get_config() == {"id": "pymecompress-quant16", "offset": offset, "scale": scale}


_REFERENCE_READ = """
import sys, numpy as np
import pymecompress.codecs  # the reference's classes, registered on import
import zarr, numcodecs
path, out = sys.argv[1:3]
a = zarr.open_array(path, mode="r")
assert type(a.compressor).__module__ == "pymecompress.codecs", type(a.compressor)
np.save(out, a[...])
np.save(out + ".part.npy", a[3:41, 5:30])
"""


@requires_reference
@requires_zarr2
@pytest.mark.parametrize("kind", ["q16_o0", "q16_o100", "q16_o7p5", "huff_u1", "huff_u2", "huff_f4", "huff_i4"])
def test_the_reference_reads_stores_we_write(tmp_path, kind):
    rng = np.random.default_rng(3)
    if kind.startswith("q16"):
        offset = {"q16_o0": 0, "q16_o100": 100, "q16_o7p5": 7.5}[kind]
        data = (rng.poisson(300, (50, 70)) + int(offset)).astype("u2")
        codec = HuffmanQuant16(offset=offset, scale=1)
    else:
        dtype = {"huff_u1": "u1", "huff_u2": "<u2", "huff_f4": "<f4", "huff_i4": "<i4"}[kind]
        data = rng.normal(100, 30, (50, 70)).astype(dtype)
        codec = Huffman()
    path = tmp_path / "s.zarr"
    write_v2(path, data, (32, 40), codec)
    ours = open_array(path)[...]
    run_python(_REFERENCE_READ, path, tmp_path / "ref.npy")
    theirs = np.load(tmp_path / "ref.npy")
    assert theirs.dtype == data.dtype
    assert np.array_equal(theirs, ours)
    assert np.array_equal(np.load(tmp_path / "ref.npy.part.npy"), ours[3:41, 5:30])
    if kind.startswith("huff"):
        assert np.array_equal(ours, data)
    else:
        assert np.abs(ours.astype(float) - data).max() <= 2 * np.sqrt(data.max()) + 1


def test_codecs_pickle_and_compare():
    for codec in (Huffman(), HuffmanQuant16(100, 2.5), PZFCodec(), PZFCodec(compression="raw")):
        clone = pickle.loads(pickle.dumps(codec))
        assert type(clone) is type(codec) and clone.get_config() == codec.get_config()
        assert clone == codec
        assert numcodecs.get_codec(codec.get_config()).get_config() == codec.get_config()
    assert PZFCodec().get_config() == {"id": "pyme-pzf"}
    x = np.arange(1000, dtype="u2")
    q = pickle.loads(pickle.dumps(HuffmanQuant16(0, 1)))
    assert np.array_equal(q.decode(q.encode(x)), HuffmanQuant16(0, 1).decode(HuffmanQuant16(0, 1).encode(x)))


def test_codecs_read_the_reference_chunks(tmp_path):
    manifest = load_manifest()
    for case in manifest["quant16_chunks"]:
        codec = HuffmanQuant16(case["offset"], case["scale"])
        chunk = read_u8(case["chunk"])
        expected = read_u16(case["expected"])
        assert np.array_equal(codec.decode(chunk), expected), case["name"]
        out = np.zeros(case["n"], "u2")
        assert codec.decode(chunk, out=out) is out and np.array_equal(out, expected)
    for case in manifest["huffman_chunks"]:
        chunk = read_u8(case["chunk"])
        data = read_u8(case["input"])
        # no output buffer: the element-count trailer of multi-byte chunks is recognised
        assert Huffman().decode(chunk).tobytes() == data.tobytes(), case["name"]
        out = np.zeros(case["shape"], case["dtype"])
        assert Huffman().decode(chunk, out=out) is out and out.tobytes() == data.tobytes()


def test_damaged_chunks_raise_value_error(tmp_path):
    store = next(s for s in STORES if s["name"].startswith("q16_o0_s1_edge@"))
    path = tmp_path / "damaged.zarr"
    shutil.copytree(FIXTURES / store["path"], path)
    chunk_file = path / store["array_path"] / "0.0"
    raw = chunk_file.read_bytes()
    chunk_file.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError):
        open_array(path, store["array_path"])[...]
    codec = HuffmanQuant16()
    for bad in (b"", b"\x01\x02", raw[:-4] + b"\xff\xff\xff\xff", raw[:10] + raw[-4:]):
        with pytest.raises(CodecError):
            codec.decode(bad)
        with pytest.raises(CodecError):
            Huffman().decode(bad)
    with pytest.raises(CodecError):
        codec.decode(raw, out=np.zeros(3, "u2"))
    with pytest.raises(ValueError):
        HuffmanQuant16(scale=0)
    with pytest.raises(ValueError):
        HuffmanQuant16(offset=float("nan"))


def test_pzf_codec_reads_pyme_frames():
    import json
    cases = json.loads((FIXTURES / "pzf" / "manifest.json").read_text())["cases"]
    n = 0
    for case in cases:
        npy = FIXTURES / "pzf" / (case["name"] + ".npy")
        # v3_huff_trailing_bytes: refused (bytes after the last code; test_pzf.py)
        if not npy.exists() or case["name"] == "v3_huff_trailing_bytes":
            continue
        blob = (FIXTURES / "pzf" / (case["name"] + ".pzf")).read_bytes()
        expected = np.load(npy)
        got = PZFCodec().decode(blob)
        assert got.flags.c_contiguous and got.dtype == expected.dtype
        got = got.reshape(expected.shape)
        # PYME wraps dequantized values outside 0..65535; we saturate (docs/python.md)
        differ = got != expected
        assert differ.sum() == case.get("quant", {}).get("wrapped_pixels", 0), case["name"]
        assert np.all(np.isin(got[differ], [0, 65535])), case["name"]
        out = np.zeros(expected.shape, expected.dtype)
        PZFCodec().decode(np.frombuffer(blob, "u1"), out=out)
        assert np.array_equal(out, got), case["name"]
        n += 1
    assert n >= 60


@pytest.mark.parametrize("dtype", ["u1", "u2", "f4"])
def test_pzf_codec_store_roundtrip(tmp_path, dtype):
    rng = np.random.default_rng(4)
    data = rng.poisson(90, (3, 40, 50)).astype(dtype)
    write_v2(tmp_path / "p.zarr", data, (1, 16, 16), PZFCodec())
    a = open_array(tmp_path / "p.zarr")
    assert np.array_equal(a[...], data)
    assert np.array_equal(a[1:3, 5:37, 7:49], data[1:3, 5:37, 7:49])
    # a [1, T, T] chunk is stored as a (1, T, T) frame, as the Rust codec stores it
    from pymecompress_rs import pzf
    frame = (tmp_path / "p.zarr" / "0.0.0").read_bytes()
    tile, header = pzf.loads(frame)
    assert (header["Width"][0], header["Height"][0], header["Depth"][0]) == (1, 16, 16)
    assert header["DataCompression"][0] == pzf.DATA_COMP_HUFFCODE
    assert np.array_equal(tile[0], data[0, :16, :16])


def test_pzf_codec_quantized(tmp_path):
    data = np.random.default_rng(6).poisson(200, (1, 32, 32)).astype("u2")
    codec = PZFCodec(quantization="sqrt", offset=0, scale=1)
    assert codec.get_config() == {"id": "pyme-pzf", "quantization": "sqrt", "offset": 0, "scale": 1}
    for bad in ({"compression": 1}, {"quantization": "log"}, {"offset": 3},
                {"quantization": "sqrt", "compression": "raw"},
                {"quantization": "sqrt", "scale": 0}, {"gain": 2}):
        with pytest.raises((ValueError, TypeError)):
            PZFCodec(**bad)
    got = codec.decode(codec.encode(data)).reshape(data.shape)
    assert np.array_equal(got, (np.round(np.sqrt(data.astype(float))) ** 2).astype("u2"))
    with pytest.raises(ValueError):
        PZFCodec().encode(np.zeros((4, 4), "i8"))


_REFERENCE_READ_FRAMES = """
import sys, numpy as np
import pymecompress.codecs
import zarr
a = zarr.open_array(sys.argv[1], mode="r")
try:
    a[...]
except ValueError as e:
    print("reference failed:", e)
"""


@requires_reference
@requires_zarr2
def test_whole_frame_chunks_the_reference_cannot_read_back(tmp_path):
    """zarr 2 decodes a chunk straight into the result when the chunk is contiguous there (e.g.
    whole frames); the reference's quant16 decode then fails (``out[:] = ret`` with a flat
    ``ret``). Ours fills any output buffer."""
    data = np.random.default_rng(8).poisson(100, (3, 16, 24)).astype("u2")
    write_v2(tmp_path / "f.zarr", data, (1, 16, 24), HuffmanQuant16(0, 1))
    ours = open_array(tmp_path / "f.zarr")[...]
    assert np.abs(ours.astype(int) - data).max() <= 11
    out = run_python(_REFERENCE_READ_FRAMES, tmp_path / "f.zarr")
    assert "reference failed: could not broadcast" in out
