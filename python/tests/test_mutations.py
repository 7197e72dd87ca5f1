"""Mutation test of the decoders of pymecompress_rs (issue 13): valid encoded outputs
(Huffman and quant16 chunks and streams, PZF frames of every version and compression) are
truncated, bit-flipped, overwritten, doubled and replaced by random or empty buffers, and fed
to every decoding entry point (the native module, ``bcl``, the numcodecs codecs, ``pzf``).
Each call raises CodecError (PZFError for ``pzf``) or returns the right answer: the original
data where the buffer is unchanged, its prefix where only the stream's end or the trailer
changed, and otherwise an array of the size the trailer or header states, on which every
entry point agrees. Seeded; each group runs in a fresh interpreter (mutation_harness.py).
"""

import random

import numpy as np
import pytest

from mutation_harness import FIXTURES, SEED, call, raises, registry, returns, run_group, same

GROUPS, group = registry()

# --- mutations ----------------------------------------------------------------------------


def mutations(rng, original, n_flips, n_overwrites):
    """(name, bytes): truncations, bit flips, byte overwrites, an insertion, a duplication."""
    n = len(original)
    cuts = range(n) if n <= 40 else sorted(set(rng.randrange(n) for _ in range(40)) | {0, n - 1})
    for cut in cuts:
        yield f"cut{cut}", original[:cut]
    for _ in range(n_flips):
        pos = rng.randrange(max(n, 1) * 8)
        m = bytearray(original)
        if m:
            m[pos // 8] ^= 1 << (pos % 8)
        yield f"flip{pos}", bytes(m)
    for _ in range(n_overwrites):
        m = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            if m:
                m[rng.randrange(len(m))] = rng.randrange(256)
        yield "overwrite", bytes(m)
    yield "dup", original + original
    yield "zero_tail", original + bytes(8)
    yield "empty", b""


def random_buffers(rng, count):
    for i in range(count):
        yield f"random{i}", bytes(rng.randrange(256) for _ in range(rng.choice([1, 3, 4, 5, 9, 64, 300])))


def sample_arrays(rng):
    """Plain data of several entropies and sizes, as uint8."""
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    yield np.zeros(0, "u1")
    yield np.full(1, 7, "u1")
    yield np.full(333, 200, "u1")
    yield nrng.integers(0, 256, 257, dtype="u1")
    yield nrng.geometric(0.3, 1000).clip(0, 255).astype("u1")
    yield (np.arange(600) % 5).astype("u1")


def sample_u16(rng):
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    yield np.zeros(0, "u2")
    yield np.full(5, 1000, "u2")
    yield nrng.poisson(100, 400).astype("u2")
    yield nrng.integers(0, 65536, 300, dtype="u2")


# --- groups run in a fresh interpreter ------------------------------------------------------


@group
def huffman_chunks():
    from pymecompress_rs import _native, bcl, CodecError
    from pymecompress_rs.codecs import Huffman

    rng = random.Random(SEED)
    codec = Huffman()
    for i, data in enumerate(sample_arrays(rng)):
        original = bytes(_native.huffman_encode_chunk(data))
        stream = bytes(_native.huffman_encode_stream(data))
        same(returns(_native.huffman_decode_chunk, original, False), data, "round trip")

        def check_chunk(m, original=original, data=data):
            a = call(_native.huffman_decode_chunk, m, False)
            if m == original:
                same(a[1], data, "unchanged chunk")
            if a[0] == "err":
                assert isinstance(a[1], CodecError), repr(a[1])
            else:
                trailer = int.from_bytes(m[-4:], "little")
                assert a[1].dtype == np.uint8 and a[1].shape == (trailer,)
                # the stream untouched: the symbols it holds, as far as they go
                if m[:-4] == original[:-4]:
                    k = min(trailer, len(data))
                    same(a[1][:k], data[:k], "stream untouched")
                same(returns(bcl.huffman_decompress_buffer, m, None), a[1], "bcl")
                out = np.empty(trailer, "u1")
                # the sized decoder also wants the stream to end with the last code (the
                # prefix decode above ignores what follows): the same bytes, or CodecError
                c = call(_native.huffman_decode_chunk_into, m, out)
                if c[0] == "ok" or m == original:
                    same(out, a[1], "decode_into")
                else:
                    assert isinstance(c[1], CodecError), repr(c[1])
                same(returns(_native.huffman_decode_stream, m[:-4], trailer), a[1], "stream")
            b = call(codec.decode, m)
            if b[0] == "err":
                assert isinstance(b[1], CodecError), repr(b[1])
            else:
                trailer = int.from_bytes(m[-4:], "little")
                assert b[1].dtype == np.uint8 and len(b[1]) in {trailer * k for k in (1, 2, 4, 8)}
                if len(b[1]) == trailer and a[0] == "ok":
                    same(b[1], a[1], "codec")
            q = call(_native.Quant16(0.0, 1.0).decode, m)
            assert q[0] == "ok" or isinstance(q[1], CodecError), repr(q[1])
            # numcodecs' decode into the chunk's own size (zarr passes one)
            out = np.zeros(len(data), "u1")
            c = call(codec.decode, m, out)
            if c[0] == "err":
                assert isinstance(c[1], CodecError), repr(c[1])
            else:
                assert c[1] is out
                if a[0] == "ok" and len(a[1]) == len(data):
                    same(out, a[1], "codec into out")

        for name, m in mutations(rng, original, 150, 50):
            yield f"huffman chunk {i} {name}", lambda m=m: check_chunk(m)

        def check_stream_prefix(cut, stream=stream, data=data):
            for n in {len(data), len(data) // 2, 1, 0}:
                kind, value = call(_native.huffman_decode_stream, stream[:cut], n)
                if kind == "ok":
                    same(value, data[:n], f"prefix of {cut} bytes, {n} symbols")
                else:
                    assert isinstance(value, CodecError), repr(value)
                    # the whole stream holds them all
                    assert cut < len(stream) or n > len(data), repr(value)

        for cut in range(len(stream) + 1) if len(stream) < 80 else range(0, len(stream) + 1, 7):
            yield f"huffman stream {i} cut{cut}", lambda cut=cut: check_stream_prefix(cut)
    for name, m in random_buffers(rng, 300):
        yield f"huffman {name}", lambda m=m: check_chunk(m)


@group
def quant16_chunks():
    from pymecompress_rs import _native, bcl, CodecError
    from pymecompress_rs.codecs import HuffmanQuant16

    rng = random.Random(SEED + 1)
    for i, values in enumerate(sample_u16(rng)):
        offset, scale = [(0.0, 1.0), (100.0, 0.5), (3.0, 7.25)][i % 3]
        native = _native.Quant16(offset, scale)
        codec = HuffmanQuant16(offset, scale)
        original = bytes(native.encode(values))
        expected = returns(native.decode, original)
        assert expected.shape == values.shape
        same(returns(bcl.huffman_compress_quant_buffer, values, offset, scale), np.frombuffer(
            original, "u1"), "bcl encode")
        # every symbol once: the codec's whole dequantization table
        every = bytes(_native.huffman_encode_stream(np.arange(256, dtype="u1")))
        table = set(returns(native.decode, every + (256).to_bytes(4, "little")).tolist())

        def check(m, original=original, expected=expected, native=native, codec=codec, table=table):
            a = call(native.decode, m)
            if m == original:
                same(a[1], expected, "unchanged chunk")
            if a[0] == "err":
                assert isinstance(a[1], CodecError), repr(a[1])
            else:
                trailer = int.from_bytes(m[-4:], "little")
                assert a[1].dtype == np.uint16 and a[1].shape == (trailer,)
                assert set(a[1].tolist()) <= table, "values outside the dequantization table"
                if m[:-4] == original[:-4]:
                    k = min(trailer, len(expected))
                    same(a[1][:k], expected[:k], "stream untouched")
                out = np.empty(trailer, "u2")
                returns(native.decode_into, m, out)
                same(out, a[1], "decode_into")
                same(returns(codec.decode, m), a[1], "codec")
            if len(m) >= 4 and len(expected):
                out = np.empty(len(expected), "u2")
                kind, value = call(codec.decode, m, out)
                if kind == "err":
                    assert isinstance(value, CodecError), repr(value)

        for name, m in mutations(rng, original, 120, 40):
            yield f"quant16 chunk {i} {name}", lambda m=m: check(m)
    for name, m in random_buffers(rng, 200):
        yield f"quant16 {name}", lambda m=m: check(m)


def pzf_originals(rng):
    from pymecompress_rs import pzf

    small = sorted(p for p in (FIXTURES / "pzf").glob("*.pzf") if p.stat().st_size < 700)
    for p in small[::3]:
        yield p.name, p.read_bytes()
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    u16 = nrng.poisson(50, (6, 5)).astype("u2")
    yield "dumps u16 huff", pzf.dumps(u16, compression=pzf.DATA_COMP_HUFFCODE)
    yield "dumps u16 chunked", pzf.dumps(u16, compression=pzf.DATA_COMP_HUFFCODE_CHUNKS)
    yield "dumps u16 sqrt", pzf.dumps(u16, compression=pzf.DATA_COMP_HUFFCODE,
                                      quantization=pzf.DATA_QUANT_SQRT, quantizationScale=0.5)
    yield "dumps f32 F", pzf.dumps(np.asfortranarray(nrng.random((4, 3, 2), "f4")))
    yield "dumps u8 raw", pzf.dumps(nrng.integers(0, 256, (7, 3), dtype="u1"))


@group
def pzf_frames():
    from pymecompress_rs import _native, pzf
    from pymecompress_rs.codecs import PZFCodec

    rng = random.Random(SEED + 2)
    codec = PZFCodec()

    def check(m, baseline):
        a = call(pzf.loads, m)
        if baseline is not None:
            same(a[1][0], baseline, "unchanged frame")
        if a[0] == "err":
            assert isinstance(a[1], pzf.PZFError), repr(a[1])
            raises(ValueError, codec.decode, m)
            raises(_native.CodecError, _native.pzf_decode, m)
            return
        data, header = a[1]
        h = header[0]
        assert data.shape == (h["Width"], h["Height"], h["Depth"]), (data.shape, h)
        assert data.dtype == np.dtype(pzf.DATA_FMTS[h["DataFormat"]]), (data.dtype, h)
        same(returns(codec.decode, m), np.ascontiguousarray(data), "codec")
        flat, order, shape, version = returns(_native.pzf_decode, m)
        same(flat.reshape(shape, order=order), data, "native")
        assert version == h["Version"]

    for name, original in pzf_originals(rng):
        kind, value = call(pzf.loads, original)
        baseline = value[0] if kind == "ok" else None
        for mname, m in mutations(rng, original, 40, 15):
            yield f"pzf {name} {mname}", lambda m=m, b=baseline if m == original else None: check(m, b)
    for name, m in random_buffers(rng, 100):
        yield f"pzf {name}", lambda m=m: check(m, None)
    # a valid header over random payloads
    head = pzf.dumps(np.zeros((3, 3), "u2"), compression=pzf.DATA_COMP_HUFFCODE)[:64]
    for name, m in random_buffers(rng, 100):
        yield f"pzf header + {name}", lambda m=m: check(head + m, None)


# Fewest cases each group makes (about 5,700 in all).
MIN_CASES = {"huffman_chunks": 1800, "quant16_chunks": 900, "pzf_frames": 2900}


@pytest.mark.parametrize("name", list(GROUPS))
def test_mutated_buffers_raise_or_decode_right(name):
    run_group(__name__, name, MIN_CASES[name])
