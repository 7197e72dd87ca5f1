"""pymecompress_rs.pzf against frames PYME's PZFFormat wrote and read (fixtures/pzf)."""

import json

import numpy as np
import pytest

from conftest import FIXTURES
from pymecompress_rs import pzf

PZF = FIXTURES / "pzf"
CASES = json.loads((PZF / "manifest.json").read_text())["cases"]


def _case_ids(cases):
    return [c["name"] for c in cases]


# 3 bytes the fixture script appended to a Huffman payload dumps wrote: PYME's loads ignores
# them, we refuse them (a valid stream ends with its last code; docs/python.md)
TRAILING_BYTES = "v3_huff_trailing_bytes"
READABLE = [c for c in CASES
            if (PZF / (c["name"] + ".npy")).exists() and c["name"] != TRAILING_BYTES]
HASHED = [c for c in CASES if "values_sha256" in c]
DUMPS = [c for c in CASES if c["kind"] == "dumps"]


def _values_digest(data, order):
    import hashlib

    return hashlib.sha256(data.astype(data.dtype.newbyteorder("<")).tobytes(order=order)).hexdigest()


@pytest.mark.parametrize("case", HASHED, ids=_case_ids(HASHED))
def test_loads_large_frames_match_pyme_values(case):
    data, header = pzf.loads((PZF / (case["name"] + ".pzf")).read_bytes())
    assert list(data.shape) == case["shape"]
    if case.get("quant", {}).get("wrapped_pixels", 0):
        # PYME wraps values above 65535 to small ones; ours saturate, so the digests differ
        assert data.max() == 65535
        return
    assert _values_digest(data, case["header"]["DimOrder"]) == case["values_sha256"]


def _dumps_input(case):
    if case.get("input") == "arange":
        w, h, d = case["shape"]
        arr = np.arange(w * h * d, dtype=case["dtype"])
        return arr.reshape((w, h) if d == 1 else (w, h, d))
    for suffix in (".input.npy", ".npy"):
        if (PZF / (case["name"] + suffix)).exists():
            return np.load(PZF / (case["name"] + suffix))
    data, _ = pzf.loads((PZF / (case["name"] + ".pzf")).read_bytes())
    assert _values_digest(data, case["header"]["DimOrder"]) == case["values_sha256"]
    return data[:, :, 0] if data.shape[2] == 1 else data


def test_a_huffman_payload_that_goes_on_after_its_codes_is_refused():
    blob = (PZF / (TRAILING_BYTES + ".pzf")).read_bytes()
    with pytest.raises(pzf.PZFError, match="codes end at bit 324"):
        pzf.loads(blob)
    data, _ = pzf.loads(blob[:-3])
    assert np.array_equal(data, np.load(PZF / (TRAILING_BYTES + ".npy")))


@pytest.mark.parametrize("case", READABLE, ids=_case_ids(READABLE))
def test_loads_reads_pyme_frames(case):
    blob = (PZF / (case["name"] + ".pzf")).read_bytes()
    expected = np.load(PZF / (case["name"] + ".npy"))
    data, header = pzf.loads(blob)
    assert data.shape == expected.shape and data.dtype == expected.dtype
    assert data.flags.f_contiguous == expected.flags.f_contiguous or data.size <= 1
    differ = data != expected
    # PYME wraps dequantized values outside 0..65535 modulo 65536; we saturate
    assert differ.sum() == case.get("quant", {}).get("wrapped_pixels", 0)
    assert np.all(np.isin(data[differ], [0, 65535]))
    for key, value in case["header"].items():
        got = header[key][0]
        if isinstance(got, bytes):
            got = got.decode()
        assert got == value, key


@pytest.mark.parametrize("case", DUMPS, ids=_case_ids(DUMPS))
def test_dumps_writes_pyme_bytes(case):
    blob = (PZF / (case["name"] + ".pzf")).read_bytes()
    data = _dumps_input(case)
    ours = pzf.dumps(data, **case["dumps_args"])
    if case["rewrite_identical"]:
        assert ours == blob
    else:  # quantized: the exact quantizer; PYME's rsqrt and wrapping tail differ
        assert ours[:64] == blob[:64]
        q = case["quant"]
        got, _ = pzf.loads(ours)
        ref, _ = pzf.loads(blob)
        mismatches = (got != ref).sum()
        assert mismatches <= q["rsqrt_differences"] + q["tail_wrap_differences"] + q["wrapped_pixels"]


def test_constants_and_signatures():
    import inspect

    assert pzf.FILE_FORMAT_ID == b"BD" and pzf.FORMAT_VERSION == 3
    assert (pzf.DATA_FMT_UINT8, pzf.DATA_FMT_UINT16, pzf.DATA_FMT_FLOAT32) == (0, 1, 2)
    assert pzf.DATA_FMTS == ["u1", "u2", "f4"] and pzf.DATA_FMTS_SIZES == [1, 2, 4]
    assert (pzf.DATA_COMP_RAW, pzf.DATA_COMP_HUFFCODE, pzf.DATA_COMP_HUFFCODE_CHUNKS) == (0, 1, 2)
    assert (pzf.DATA_QUANT_NONE, pzf.DATA_QUANT_SQRT) == (0, 1)
    assert (pzf.HEADER_LENGTH, pzf.HEADER_LENGTH_V3) == (48, 64)
    assert str(inspect.signature(pzf.dumps)) == (
        "(data, sequenceID=0, frameNum=0, frameTimestamp=0, compression=0, quantization=0, "
        "quantizationOffset=0, quantizationScale=1)")
    assert list(inspect.signature(pzf.loads).parameters) == ["datastring"]


def test_damaged_frames_raise():
    data = np.random.default_rng(1).poisson(100, (64, 64)).astype("u2")
    blob = pzf.dumps(data, compression=pzf.DATA_COMP_HUFFCODE)
    for cut in (0, 2, 10, 63, 64, 100, len(blob) - 1):
        with pytest.raises(pzf.PZFError):
            pzf.loads(blob[:cut])
    with pytest.raises(RuntimeError):  # what PYME raises for a bad magic number
        pzf.loads(b"XX" + blob[2:])
    with pytest.raises(RuntimeError):
        pzf.dumps(np.zeros((3, 3), "i4"))
    with pytest.raises(ValueError):
        pzf.dumps(np.zeros((3, 3), "f4"), compression=pzf.DATA_COMP_HUFFCODE, quantization=pzf.DATA_QUANT_SQRT)
    rng = np.random.default_rng(2)
    for _ in range(500):
        junk = bytearray(blob[: rng.integers(0, 200)])
        for _ in range(3):
            if junk:
                junk[rng.integers(0, len(junk))] = rng.integers(0, 256)
        try:
            pzf.loads(bytes(junk))
        except ValueError:
            pass


def test_roundtrips_all_formats_and_orders():
    rng = np.random.default_rng(3)
    for dtype in ("u1", "u2", "f4", ">u2"):
        for shape in ((5, 7), (4, 3, 2), (1, 9), (0, 3)):
            x = rng.poisson(50, shape).astype(dtype)
            for arr in (x, np.asfortranarray(x), x[::-1]):
                for comp in (0, 1, 2):
                    got, header = pzf.loads(pzf.dumps(arr, compression=comp))
                    assert np.array_equal(got.reshape(arr.shape), arr)
                    assert header["DataCompression"][0] == comp
