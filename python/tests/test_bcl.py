"""pymecompress_rs.bcl against the reference: fixtures the real pymecompress 0.3.6 produced
(both venvs) and, where it is installed, the reference itself on fresh data."""

import inspect
import threading
import time

import numpy as np
import pytest

from conftest import HAVE_REFERENCE, fixture_path, read_u8, read_u16, requires_reference
from pymecompress_rs import CodecError, bcl

REFERENCE_FUNCTIONS = [
    "HuffmanCompress", "HuffmanCompressOrig", "HuffmanCompressQuant", "HuffmanDecompress",
    "huffman_compress_buffer", "huffman_compress_quant_buffer", "huffman_decompress_buffer",
]


def _params(fn):
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover - a Cython function without one
        return None


@requires_reference
def test_same_functions_and_signatures_as_the_reference():
    from pymecompress import bcl as ref

    exported = sorted(n for n in dir(ref) if callable(getattr(ref, n)) and not n.startswith("_")
                      and getattr(getattr(ref, n), "__module__", "") != "numpy")
    assert exported == sorted(REFERENCE_FUNCTIONS)
    for name in REFERENCE_FUNCTIONS:
        ours, theirs = getattr(bcl, name), getattr(ref, name)
        assert _params(ours) == _params(theirs), name


def test_signatures_are_the_reference_ones():
    # As read from pymecompress 0.3.6's bcl.pyx (checked live by the test above).
    expected = {
        "HuffmanCompress": ["data"], "HuffmanCompressOrig": ["data"],
        "HuffmanCompressQuant": ["data", "offset", "scale"], "HuffmanDecompress": ["data", "outsize"],
        "huffman_compress_buffer": ["data"], "huffman_compress_quant_buffer": ["data", "offset", "scale"],
        "huffman_decompress_buffer": ["data", "out"],
    }
    assert {n: _params(getattr(bcl, n)) for n in REFERENCE_FUNCTIONS} == expected


def _streams(manifest):
    return [s for s in manifest["streams"]]


def test_huffman_compress_is_byte_identical_to_reference_fixtures(manifest):
    checked = 0
    for case in _streams(manifest):
        data = read_u8(case["input"])
        ref_stream = read_u8(case["stream"])
        ours = bcl.HuffmanCompress(data)
        assert ours.dtype == np.uint8
        if case["reference_roundtrip_ok"]:
            assert ours.tobytes() == ref_stream.tobytes(), case["name"]
            checked += 1
        # every stream, including where the reference's own output is corrupt, decodes back
        assert bcl.HuffmanDecompress(ours, case["n"]).tobytes() == data.tobytes(), case["name"]
        assert bcl.HuffmanCompressOrig(data).tobytes() == ours.tobytes()
    assert checked >= 20


def test_huffman_decompress_reads_reference_streams(manifest):
    for case in _streams(manifest):
        if not case["reference_roundtrip_ok"]:
            continue
        out = bcl.HuffmanDecompress(read_u8(case["stream"]), case["n"])
        assert out.tobytes() == read_u8(case["input"]).tobytes(), case["name"]


def test_huffman_compress_quant_codes_reference_symbols_identically(manifest):
    """The coding half of HuffmanCompressQuant: given the reference's symbols, HuffmanCompress
    writes the reference's stream to the byte; the quantizer half differs only where the
    reference's approximate rsqrt (or its wrapping tail) is wrong, by one step."""
    for case in manifest["quant_streams"]:
        values = read_u16(case["input"])
        ref_symbols = read_u8(case["symbols"])
        assert bcl.HuffmanCompress(ref_symbols).tobytes() == read_u8(case["stream"]).tobytes()
        ours = bcl.HuffmanCompressQuant(values, case["offset"], case["scale"])
        ours_symbols = bcl.HuffmanDecompress(ours, values.size)
        prefix = case["avx_prefix"]
        diff = ours_symbols[:prefix].astype(int) - ref_symbols[:prefix]
        assert np.abs(diff, dtype=float).max(initial=0) <= 1, case["name"]
        # ours is the nearest step; the reference differs only next to a rounding boundary
        exact = np.minimum(np.sqrt(np.maximum(values.astype(float) - case["offset"], 0)) / case["scale"], 255)
        assert np.abs(ours_symbols - exact).max(initial=0) <= 0.5 + 1e-9, case["name"]
        near = np.abs(exact[:prefix] - np.floor(exact[:prefix]) - 0.5) < 0.06  # rsqrt error grows with the value
        assert np.all(near[diff != 0]), case["name"]


def test_quantizer_matches_reference_up_to_its_rsqrt_error(manifest):
    values = np.arange(65536, dtype="<u2")
    for case in manifest["quantizer"]:
        ref_symbols = read_u8(case["symbols"])
        stream = bcl.HuffmanCompressQuant(values, case["offset"], case["scale"])
        ours = bcl.HuffmanDecompress(stream, values.size)
        diff = ours.astype(int) - ref_symbols
        assert np.abs(diff).max() <= case["max_abs_diff_from_exact"], case["name"]
        # the reference differs from the exact quantizer where the manifest says it does
        assert (diff != 0).sum() <= case["differs_from_exact_round_half_up"] + 2, case["name"]


def test_huffman_buffer_reads_every_reference_chunk(manifest):
    for case in manifest["huffman_chunks"]:
        chunk = read_u8(case["chunk"])
        expected = read_u8(case["input"])
        out = np.zeros(case["n_bytes"], "u1")
        assert bcl.huffman_decompress_buffer(chunk, out) is out
        assert out.tobytes() == expected.tobytes(), case["name"]
        # into an array of the chunk's own dtype too (the reference asserts and fails there)
        typed = np.zeros(case["shape"], case["dtype"])
        bcl.huffman_decompress_buffer(chunk, typed)
        assert typed.tobytes() == expected.tobytes(), case["name"]
        # ours writes the same stream, with the byte count as trailer
        ours = bcl.huffman_compress_buffer(expected.view(case["dtype"]))
        assert ours[:-4].tobytes() == chunk[:-4].tobytes(), case["name"]
        assert int(ours[-4:].view("<u4")[0]) == case["n_bytes"]


def test_quant_buffer_codes_exactly_n_symbols(manifest):
    for case in manifest["quant16_chunks"]:
        values = read_u16(case["input"])[: case["n"]]
        chunk = bcl.huffman_compress_quant_buffer(values, case["offset"], case["scale"])
        assert int(chunk[-4:].view("<u4")[0]) == values.size
        # exactly N symbols: the stream is N symbols long to the byte
        syms = bcl.huffman_decompress_buffer(chunk, None)
        assert syms.size == values.size
        assert bcl.HuffmanCompress(syms).tobytes() == chunk[:-4].tobytes()


@requires_reference
@pytest.mark.parametrize("dtype", ["u1", "<u2", ">u2", "<i4", "<f4", "<f8"])
def test_live_reference_byte_identity(dtype):
    from pymecompress import bcl as ref

    rng = np.random.default_rng(7)
    for shape in [(0,), (1,), (7,), (100, 37), (300, 301)]:
        x = (rng.poisson(30, shape) * 3).astype(dtype)
        for arr in (x, np.asfortranarray(x)):
            assert bcl.HuffmanCompress(arr).tobytes() == ref.HuffmanCompress(arr).tobytes()
        if x.size:
            ours = bcl.huffman_compress_buffer(x)
            theirs = ref.huffman_compress_buffer(x)
            assert ours[:-4].tobytes() == theirs[:-4].tobytes()
            assert int(ours[-4:].view("<u4")[0]) == x.nbytes


@requires_reference
def test_live_reference_reads_what_we_write():
    from pymecompress import bcl as ref

    rng = np.random.default_rng(3)
    x = rng.poisson(100, (200, 300)).astype("u2")
    ours = bcl.HuffmanCompress(x)
    assert ref.HuffmanDecompress(ours, x.nbytes).tobytes() == x.tobytes()
    q = bcl.HuffmanCompressQuant(x, 0, 1)
    sym = ref.HuffmanDecompress(q, x.size)
    assert np.abs(np.sqrt(x.ravel()) - sym).max() <= 0.5
    # the reference's chunk reader reads our uint8 chunks, and our uint16 ones into uint8 out
    chunk = bcl.huffman_compress_buffer(x)
    out = np.zeros(x.nbytes, "u1")
    ref.huffman_decompress_buffer(chunk, out)
    assert out.tobytes() == x.tobytes()


def test_misaligned_and_non_contiguous_input():
    rng = np.random.default_rng(5)
    x = rng.poisson(100, 4097).astype("<u2")
    raw = b"\x00" + x.tobytes()
    misaligned = np.frombuffer(raw, "<u2", offset=1)
    assert misaligned.ctypes.data % 2 == 1
    assert bcl.HuffmanCompressQuant(misaligned, 0, 1).tobytes() == bcl.HuffmanCompressQuant(x, 0, 1).tobytes()
    assert bcl.HuffmanCompress(misaligned).tobytes() == bcl.HuffmanCompress(x).tobytes()
    assert (bcl.huffman_compress_quant_buffer(misaligned, 0, 1).tobytes()
            == bcl.huffman_compress_quant_buffer(x, 0, 1).tobytes())
    # big-endian values quantize as their values
    assert (bcl.HuffmanCompressQuant(x.astype(">u2"), 0, 1).tobytes()
            == bcl.HuffmanCompressQuant(x, 0, 1).tobytes())
    # strided: coded as its C-order copy
    m = rng.poisson(50, (64, 64)).astype("u2")
    assert bcl.HuffmanCompress(m[:, ::3]).tobytes() == bcl.HuffmanCompress(np.ascontiguousarray(m[:, ::3])).tobytes()
    # bytes, bytearray and memoryview objects
    assert bcl.HuffmanCompress(x.tobytes()).tobytes() == bcl.HuffmanCompress(x).tobytes()
    assert bcl.HuffmanCompress(bytearray(x.tobytes())).tobytes() == bcl.HuffmanCompress(x).tobytes()
    # decoding into a misaligned output
    chunk = bcl.huffman_compress_buffer(x)
    buf = bytearray(x.nbytes + 1)
    out = np.frombuffer(buf, "<u2", offset=1)
    bcl.huffman_decompress_buffer(chunk, out)
    assert np.array_equal(out, x)


def test_huffman_compress_quant_refuses_non_uint16_like_the_reference():
    with pytest.raises(RuntimeError, match="Expected unsigned short"):
        bcl.HuffmanCompressQuant(np.zeros(4, "f4"), 0, 1)
    with pytest.raises(ValueError):
        bcl.HuffmanCompressQuant(np.zeros(4, "u2"), 0, 0)
    with pytest.raises(ValueError):
        bcl.huffman_compress_quant_buffer(np.zeros(3, "u1"), 0, 1)


def test_damaged_input_raises_instead_of_reading_past_buffers():
    x = np.random.default_rng(1).poisson(100, 10000).astype("u2")
    stream = bcl.HuffmanCompress(x)
    for cut in (0, 1, 10, stream.size // 2, stream.size - 1):
        with pytest.raises(CodecError):
            bcl.HuffmanDecompress(stream[:cut], x.nbytes)
    # an outsize the stream cannot hold is refused before anything is allocated
    with pytest.raises(CodecError):
        bcl.HuffmanDecompress(stream, 2**40)
    chunk = bcl.huffman_compress_buffer(x)
    with pytest.raises(CodecError):
        bcl.huffman_decompress_buffer(chunk[:-1], None)
    with pytest.raises(CodecError):
        bcl.huffman_decompress_buffer(chunk, np.zeros(x.nbytes + 2, "u1"))
    with pytest.raises(ValueError):
        bcl.huffman_decompress_buffer(chunk, np.zeros(x.nbytes, "u1")[::2])
    with pytest.raises(ValueError):
        bcl.huffman_decompress_buffer(chunk, b"\x00" * x.nbytes)
    hostile = np.concatenate([stream[:20], np.frombuffer(np.uint32(2**32 - 1).tobytes(), "u1")])
    with pytest.raises(CodecError):
        bcl.huffman_decompress_buffer(hostile, None)
    rng = np.random.default_rng(11)
    for _ in range(300):
        junk = rng.integers(0, 256, rng.integers(0, 64), dtype="u1")
        for call in (lambda: bcl.HuffmanDecompress(junk, 1000),
                     lambda: bcl.huffman_decompress_buffer(junk, None)):
            try:
                call()
            except ValueError:
                pass


def _largest_stall_while(fn):
    """Runs ``fn`` in a thread; returns (its duration, the longest this thread went without
    running Python meanwhile)."""
    gaps, done = [], threading.Event()

    def work():
        fn()
        done.set()

    t = threading.Thread(target=work)
    start = last = time.perf_counter()
    t.start()
    while not done.is_set():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    t.join()
    return time.perf_counter() - start, max(gaps, default=0.0)


def test_the_gil_is_released_while_coding():
    x = np.random.default_rng(2).integers(0, 40, 48 * 2**20, dtype="u1")
    stream = bcl.HuffmanCompress(x)
    # With the GIL held, this thread stalls for the whole call, every time; released, it keeps
    # running. A busy machine can stall it too, so the best of three tries counts.
    results = [_largest_stall_while(lambda: bcl.HuffmanDecompress(stream, x.size)) for _ in range(3)]
    duration, stall = min(results, key=lambda r: r[1] / r[0])
    assert duration > 0.05
    assert stall < duration / 3, results
