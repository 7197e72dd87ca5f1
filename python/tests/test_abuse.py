"""Abuse test of every entry point of pymecompress_rs (issue 13): inputs of wrong dtypes
(int8, float64, bool, complex, structured, object, strings), misaligned, non-contiguous,
0-d and empty; output buffers read-only, of the wrong size or dtype, non-contiguous or
sharing the input's memory; configurations with absurd, unknown, missing and wrongly typed
values. Each call raises (the documented type where there is one) or gives exactly the answer
the same data gives in its plain form. Each group runs in a fresh interpreter
(mutation_harness.py); the regressions of what the test found follow.
"""

import json

import numpy as np
import pytest

from mutation_harness import SEED, call, raises, readonly, registry, returns, \
    run_group, same

GROUPS, group = registry()

# --- abuse of the inputs ------------------------------------------------------------------


def abused_inputs():
    """(name, array-like) in every form the entry points must take or refuse."""
    base = np.arange(60, dtype="u1") * 7
    raw = bytes(range(256)) * 2
    u16 = np.arange(30, dtype="u2") * 997
    yield "bytes", raw[:61]
    yield "bytearray", bytearray(raw[:64])
    yield "memoryview", memoryview(raw[:64])
    yield "memoryview strided", memoryview(raw)[::3]
    for dt in ("i1", "u1", "<u2", ">u2", "<i2", "f4", ">f8", "f8", "?", "c16", "S3", "U2"):
        yield f"dtype {dt}", np.frombuffer(raw[:96], dt) if dt != "?" else base % 2 == 1
    yield "structured", np.zeros(4, [("a", "u1"), ("b", "<u2")])
    yield "packed structured", np.frombuffer(raw[:30], np.dtype([("a", "u1"), ("b", ">u2")]))
    yield "uint16 at odd offset", np.frombuffer(raw, "<u2", count=20, offset=1)
    yield ">uint16 at odd offset", np.frombuffer(raw, ">u2", count=20, offset=3)
    yield "float32 at offset 2", np.frombuffer(raw, "f4", count=9, offset=2)
    yield "strided u1", base[::3]
    yield "reversed u1", base[::-1]
    yield "strided u2", u16[::2]
    yield "transposed u2", u16.reshape(5, 6).T
    yield "F-order u2", np.asfortranarray(u16.reshape(6, 5))
    yield "column slice u2", u16.reshape(6, 5)[:, 1:4]
    yield "3-D strided u2", np.arange(120, dtype="u2").reshape(4, 5, 6)[::2, :, ::3]
    yield "misaligned strided u2", np.frombuffer(raw, "<u2", count=200, offset=1)[::7]
    yield "0-d u2", np.array(513, "u2")
    yield "0-d u1", np.array(9, "u1")
    yield "empty u2", np.zeros(0, "u2")
    yield "empty 2-D u2", np.zeros((0, 3), "u2")
    yield "empty 2-D u2 F", np.zeros((3, 0), "u2", order="F")
    yield "read-only u2", readonly(u16.copy())


def refused_inputs():
    """(name, object, exception) that no entry point may take."""
    yield "object", np.array([1, "a", None], dtype=object), TypeError
    yield "object 0-d", np.array(None, dtype=object), TypeError
    yield "object structured", np.zeros(3, [("a", "u1"), ("o", "O")]), TypeError
    yield "list", [1, 2, 3], TypeError
    yield "str", "abc", TypeError
    yield "None", None, TypeError
    yield "int", 7, TypeError
    yield "datetime", np.zeros(3, "M8[s]"), (TypeError, ValueError)


def plain_bytes(x):
    """The bytes an entry point codes: memory order of a contiguous buffer, C order of another."""
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    a = np.asarray(x)
    if not a.flags.c_contiguous and a.flags.f_contiguous:
        return a.tobytes(order="F")
    return np.ascontiguousarray(a).tobytes()


def plain_u16(x):
    """The uint16 values a quant16 entry point codes: a uint16 array's own byte order, this
    machine's for any other buffer (None: an odd number of bytes)."""
    a = np.asarray(x) if not isinstance(x, (bytes, bytearray, memoryview)) else None
    if a is not None and a.dtype.kind == "u" and a.dtype.itemsize == 2 and a.dtype.fields is None:
        order = "F" if (not a.flags.c_contiguous and a.flags.f_contiguous) else "C"
        return a.astype("=u2").reshape(-1, order=order)
    b = plain_bytes(x)
    return None if len(b) % 2 else np.frombuffer(b, "=u2")


@group
def inputs():
    from pymecompress_rs import _native, bcl, CodecError
    from pymecompress_rs.codecs import Huffman, HuffmanQuant16

    byte_encoders = {
        "huffman_encode_chunk": _native.huffman_encode_chunk,
        "bcl.huffman_compress_buffer": bcl.huffman_compress_buffer,
        "codecs.Huffman.encode": Huffman().encode,
    }
    stream_encoders = {
        "huffman_encode_stream": _native.huffman_encode_stream,
        "bcl.HuffmanCompress": bcl.HuffmanCompress,
        "bcl.HuffmanCompressOrig": bcl.HuffmanCompressOrig,
    }
    q16 = _native.Quant16(10.0, 0.75)
    q16_encoders = {
        "Quant16.encode": q16.encode,
        "codecs.HuffmanQuant16.encode": HuffmanQuant16(10, 0.75).encode,
        "bcl.huffman_compress_quant_buffer": lambda x: bcl.huffman_compress_quant_buffer(
            x, 10, 0.75),
        "quant16_encode": lambda x: _native.quant16_encode(x, 10.0, 0.75, True, False),
    }
    all_encoders = {**byte_encoders, **stream_encoders, **q16_encoders,
                    "bcl.HuffmanCompressQuant": lambda x: bcl.HuffmanCompressQuant(x, 10, 0.75)}

    def check_bytes(enc, x, stream=False):
        out = returns(enc, x)
        expected = plain_bytes(x)
        if stream:
            got = returns(_native.huffman_decode_stream, out, len(expected))
        else:
            got = returns(_native.huffman_decode_chunk, out, False)
            same(returns(Huffman().decode, out), got, "codec decode")
        same(got, np.frombuffer(expected, "u1"), "decoded bytes")

    def check_q16(enc, x):
        values = plain_u16(x)
        if values is None:
            raises(CodecError, enc, x)
            return
        out = bytes(returns(enc, x))
        same(np.frombuffer(out, "u1"), q16.encode(np.ascontiguousarray(values)), "chunk")

    def check_q16_stream(x):
        a = np.asarray(x) if not isinstance(x, (bytes, bytearray, memoryview)) else None
        if a is None or a.dtype.kind != "u" or a.dtype.itemsize != 2 or a.dtype.fields:
            raises(RuntimeError, bcl.HuffmanCompressQuant, x, 10, 0.75)
            return
        out = returns(bcl.HuffmanCompressQuant, x, 10, 0.75)
        same(out, q16.encode(np.ascontiguousarray(plain_u16(x)), False), "stream")

    for name, x in abused_inputs():
        for ename, enc in byte_encoders.items():
            yield f"{ename}({name})", lambda enc=enc, x=x: check_bytes(enc, x)
        for ename, enc in stream_encoders.items():
            yield f"{ename}({name})", lambda enc=enc, x=x: check_bytes(enc, x, True)
        for ename, enc in q16_encoders.items():
            yield f"{ename}({name})", lambda enc=enc, x=x: check_q16(enc, x)
        yield f"bcl.HuffmanCompressQuant({name})", lambda x=x: check_q16_stream(x)
    decoders = {
        "huffman_decode_chunk": lambda x: _native.huffman_decode_chunk(x, False),
        "huffman_decode_chunk inferred": _native.huffman_decode_chunk,
        "huffman_decode_stream": lambda x: _native.huffman_decode_stream(x, 0),
        "huffman_decode_chunk_into": lambda x: _native.huffman_decode_chunk_into(x, bytearray(0)),
        "Quant16.decode": q16.decode,
        "Quant16.decode_into": lambda x: q16.decode_into(x, bytearray(0)),
        "pzf_decode": _native.pzf_decode,
        "codecs.Huffman.decode": Huffman().decode,
        "codecs.HuffmanQuant16.decode": HuffmanQuant16().decode,
        "bcl.huffman_decompress_buffer": lambda x: bcl.huffman_decompress_buffer(x, None),
        "bcl.HuffmanDecompress": lambda x: bcl.HuffmanDecompress(x, 0),
    }
    for name, x, error in refused_inputs():
        for ename, fn in {**all_encoders, **decoders}.items():
            yield f"{ename}({name})", lambda fn=fn, x=x, error=error: raises(error, fn, x)
    # a valid chunk in every form: decoded as its bytes (of an even length, for the 2-byte views)
    data = next(np.arange(n, dtype="u1") for n in range(50, 60)
                if len(_native.huffman_encode_chunk(np.arange(n, dtype="u1"))) % 2 == 0)
    chunk = bytes(_native.huffman_encode_chunk(data))
    forms = {
        "bytes": chunk, "bytearray": bytearray(chunk), "memoryview": memoryview(chunk),
        "u1 at odd offset": np.frombuffer(b"\0" + chunk, "u1", offset=1),
        "strided": np.frombuffer(bytes(b for c in chunk for b in (c, 0)), "u1")[::2],
        "reversed twice": np.frombuffer(chunk[::-1], "u1")[::-1],
        "2-D F": np.frombuffer(chunk, "u1").reshape(2, -1).T,
        "u2 misaligned": np.frombuffer(b"\0" + chunk, "=u2", offset=1),
        "f8 0-d": np.frombuffer(chunk[:8], "f8").reshape(()) if len(chunk) == 8 else chunk,
    }
    for fname, form in forms.items():
        yield f"decode chunk as {fname}", lambda form=form, fname=fname: same(
            returns(_native.huffman_decode_chunk, form, False), data, fname)


# --- output buffers -----------------------------------------------------------------------


@group
def outputs():
    from pymecompress_rs import _native, bcl, CodecError
    from pymecompress_rs.codecs import Huffman, HuffmanQuant16

    data = (np.arange(48) * 5).astype("u1")
    chunk = bytes(_native.huffman_encode_chunk(data))
    values = (np.arange(24) * 300).astype("u2")
    q16 = _native.Quant16(0.0, 1.0)
    qchunk = bytes(q16.encode(values))
    qexpected = q16.decode(qchunk)

    def sized(dtype, nbytes, **kw):
        return np.zeros(nbytes // np.dtype(dtype).itemsize, dtype, **kw)

    good = {  # right size, any layout the native decode_into writes in place
        "u1": sized("u1", 48), "u2": sized("u2", 48), ">u2": sized(">u2", 48),
        "f8": sized("f8", 48), "c16": sized("c16", 48), "?": sized("?", 48),
        "i1": sized("i1", 48), "2-D u2 C": np.zeros((4, 6), "u2"),
        "2-D u2 F": np.zeros((4, 6), "u2", order="F"),
        "bytearray": bytearray(48),
        "u2 at odd offset": np.frombuffer(bytearray(49), "u2", offset=1),
        "structured": np.zeros(16, [("a", "u1"), ("b", "<u2")]),
    }
    bad = {  # native decode_into must refuse these
        "read-only": (readonly(np.zeros(48, "u1")), ValueError),
        "bytes": (bytes(48), (TypeError, ValueError)),
        "strided": (np.zeros(96, "u1")[::2], ValueError),
        "transposed strided": (np.zeros((8, 12), "u1")[::2].T, ValueError),
        "too small": (np.zeros(47, "u1"), CodecError),
        "too large": (np.zeros(49, "u1"), CodecError),
        "empty": (np.zeros(0, "u1"), CodecError),
        "0-d": (np.array(0, "u2"), CodecError),
        "object": (np.empty(6, object), TypeError),
        "object structured": (np.zeros(3, [("a", "u8"), ("o", "O")]), TypeError),
        "list": ([0] * 48, TypeError),
        "None": (None, TypeError),
    }

    def check_huffman_into(out):
        returns(_native.huffman_decode_chunk_into, chunk, out)
        assert bytes(memoryview(out).cast("B") if isinstance(out, bytearray) else
                     np.asarray(out).tobytes(order="A")) == data.tobytes()

    def check_q16_into(out):
        returns(q16.decode_into, qchunk, out)
        got = np.asarray(out)
        if got.dtype.kind == "u" and got.dtype.itemsize == 2 and got.dtype.fields is None:
            same(got.reshape(-1, order="A").astype("=u2"), qexpected, "values")
        else:
            same(np.frombuffer(bytes(np.asarray(out).tobytes(order="A")), "=u2"), qexpected, "bytes")

    for name, out in good.items():
        yield f"huffman_decode_chunk_into(out={name})", lambda n=name: check_huffman_into(
            _fresh(good[n]))
        yield f"Quant16.decode_into(out={name})", lambda n=name: check_q16_into(_fresh(good[n]))
        yield f"Huffman.decode(out={name})", lambda n=name: _check_codec_out(
            Huffman().decode, chunk, _fresh(good[n]), data.tobytes())
        yield f"HuffmanQuant16.decode(out={name})", lambda n=name: _check_codec_out(
            HuffmanQuant16().decode, qchunk, _fresh(good[n]), qexpected)
        yield f"bcl.huffman_decompress_buffer(out={name})", lambda n=name: _check_codec_out(
            lambda c, o: bcl.huffman_decompress_buffer(c, o), chunk, _fresh(good[n]),
            data.tobytes())
    for name, (out, error) in bad.items():
        yield f"huffman_decode_chunk_into(out={name})", lambda out=out, error=error: raises(
            error, _native.huffman_decode_chunk_into, chunk, out)
        qerror = ValueError if error is CodecError else error
        yield f"Quant16.decode_into(out={name})", lambda out=out, error=qerror: raises(
            error, q16.decode_into, qchunk, out)
        if name not in ("strided", "transposed strided", "None"):  # None: no out
            yield f"Huffman.decode(out={name})", lambda out=out: raises(
                (TypeError, ValueError), Huffman().decode, chunk, out)
            yield f"HuffmanQuant16.decode(out={name})", lambda out=out: raises(
                (TypeError, ValueError), HuffmanQuant16().decode, qchunk, out)
    # numcodecs semantics: a non-contiguous out is filled through a copy
    for name in ("strided", "transposed strided"):
        yield f"Huffman.decode(out={name})", lambda n=name: _check_codec_out(
            Huffman().decode, chunk, _fresh(bad[n][0]), data.tobytes())

    # the output is the input's own memory (or overlaps it)
    def check_aliased(offset):
        buf = bytearray(256)
        buf[offset:offset + len(chunk)] = chunk
        arr = np.frombuffer(buf, "u1")
        kind, value = call(_native.huffman_decode_chunk_into, arr[offset:offset + len(chunk)],
                           arr[:48])
        if kind == "ok":
            same(arr[:48], data, f"aliased at {offset}")
        else:
            assert isinstance(value, ValueError), repr(value)

    for offset in (0, 1, 10, 47, 48, 100):
        yield f"huffman_decode_chunk_into aliased at {offset}", lambda o=offset: check_aliased(o)

    def check_q16_aliased(offset):
        buf = bytearray(256)
        buf[offset:offset + len(qchunk)] = qchunk
        arr = np.frombuffer(buf, "u1")
        kind, value = call(q16.decode_into, arr[offset:offset + len(qchunk)], arr[:48])
        if kind == "ok":
            same(arr[:48].view("=u2"), qexpected, f"aliased at {offset}")
        else:
            assert isinstance(value, ValueError), repr(value)

    for offset in (0, 3, 30, 48):
        yield f"Quant16.decode_into aliased at {offset}", lambda o=offset: check_q16_aliased(o)


def _fresh(out):
    return bytearray(len(out)) if isinstance(out, bytearray) else np.zeros_like(out)


def _check_codec_out(decode, chunk, out, expected):
    """``decode(chunk, out)`` fills ``out``: with the uint16 values ``expected`` (in ``out``'s
    byte order) where both are uint16, else with the bytes ``expected`` (in its memory order)."""
    got = returns(decode, chunk, out)
    assert got is out or np.shares_memory(np.asarray(got), np.asarray(out))
    arr = np.frombuffer(out, "u1") if isinstance(out, bytearray) else np.asarray(out)
    if isinstance(expected, np.ndarray) and arr.dtype.kind == "u" and arr.dtype.itemsize == 2 \
            and arr.dtype.fields is None:
        same(arr.reshape(-1, order="A").astype("=u2"), expected, "values")
        return
    expected = expected.tobytes() if isinstance(expected, np.ndarray) else expected
    assert arr.tobytes(order="A") == expected


# --- configurations -----------------------------------------------------------------------

ABSURD_FLOATS = [0, -1, -0.0, float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324,
                 1e-300, 2**70, "1", "x", None, [1], {}, 1j, True]


def _number_ok(value, positive):
    """Whether ``value`` is a valid offset (or, ``positive``, scale) of the quant16 codec: a
    real number (Python's int, bool or float; a string is not one), finite, and for the scale
    above 0."""
    if not isinstance(value, (int, float)):
        return False
    f = float(value)
    return bool(np.isfinite(f)) and (f > 0 or not positive)


@group
def configurations():
    from pymecompress_rs import _native, bcl, CodecError
    from pymecompress_rs.codecs import Huffman, HuffmanQuant16, PZFCodec

    values = np.array([0, 1, 99, 1000, 40000, 65535], "u2")

    def check_quant(make, offset, scale):
        ok = _number_ok(offset, False) and _number_ok(scale, True)
        if not ok:
            raises((CodecError, TypeError, ValueError), make, offset, scale)
            return
        codec = returns(make, offset, scale)
        decoded = returns(codec.decode, returns(codec.encode, values))
        assert decoded.dtype == np.uint16 and decoded.shape == values.shape
        if hasattr(codec, "get_config"):
            config = codec.get_config()
            again = returns(HuffmanQuant16.from_config, json.loads(json.dumps(config)))
            same(again.decode(again.encode(values)), decoded, "from its own config")

    for offset in ABSURD_FLOATS + [0.5]:
        for scale in ABSURD_FLOATS + [0.5]:
            yield f"Quant16({offset!r}, {scale!r})", lambda o=offset, s=scale: check_quant(
                _native.Quant16, o, s)
            yield f"HuffmanQuant16({offset!r}, {scale!r})", lambda o=offset, s=scale: check_quant(
                HuffmanQuant16, o, s)
            yield f"from_config(offset={offset!r}, scale={scale!r})", (
                lambda o=offset, s=scale: check_quant(
                    lambda o, s: HuffmanQuant16.from_config(
                        {"id": "pymecompress-quant16", "offset": o, "scale": s}), o, s))
            yield f"bcl quant({offset!r}, {scale!r})", lambda o=offset, s=scale: (
                raises((CodecError, TypeError, ValueError), bcl.HuffmanCompressQuant, values, o, s)
                if not (_number_ok(o, False) and _number_ok(s, True))
                else returns(bcl.HuffmanCompressQuant, values, o, s))
    yield "HuffmanQuant16 missing keys", lambda: same(
        HuffmanQuant16.from_config({"id": "pymecompress-quant16"}).encode(values),
        HuffmanQuant16(0, 1).encode(values), "defaults")
    for cls, config in [
        (HuffmanQuant16, {"id": "pymecompress-quant16", "offset": 0, "scale": 1, "bogus": 1}),
        (HuffmanQuant16, {"id": "pymecompress-quant16", "sclae": 2}),
        (Huffman, {"id": "pymecompress-huffman", "level": 9}),
        (PZFCodec, {"id": "pyme-pzf", "bogus": 1}),
    ]:
        yield f"{cls.__name__} unknown key {config}", lambda cls=cls, config=config: raises(
            TypeError, cls.from_config, config)
    yield "Huffman missing id", lambda: same(
        Huffman.from_config({}).encode(values), Huffman().encode(values), "no id")
    pzf_configs = [
        {}, {"compression": "raw"}, {"compression": "huffman"}, {"quantization": "none"},
        {"quantization": "sqrt"}, {"quantization": "sqrt", "offset": 3, "scale": 0.5},
        {"compression": "zstd"}, {"compression": 1}, {"compression": None, "quantization": None},
        {"quantization": "sqrt", "compression": "raw"}, {"quantization": "log"},
        {"offset": 1}, {"scale": 2}, {"quantization": "none", "scale": 2},
    ] + [{"quantization": "sqrt", "scale": s} for s in ABSURD_FLOATS] + [
        {"quantization": "sqrt", "offset": o} for o in ABSURD_FLOATS]
    frame = np.arange(20, dtype="u2").reshape(4, 5) * 50

    def check_pzf(config):
        kind, codec = call(PZFCodec.from_config, {"id": "pyme-pzf", **config})
        if kind == "err":
            assert isinstance(codec, (TypeError, ValueError)), repr(codec)
            return
        # a configuration the codec took must encode and decode
        encoded = returns(codec.encode, frame)
        decoded = returns(codec.decode, encoded).reshape(frame.shape)
        if config.get("quantization") != "sqrt":
            same(decoded, frame, f"lossless {config}")
        again = returns(PZFCodec.from_config, json.loads(json.dumps(codec.get_config())))
        assert again.get_config() == codec.get_config()

    for config in pzf_configs:
        yield f"PZFCodec {config}", lambda config=config: check_pzf(config)


# --- PZF writing --------------------------------------------------------------------------


@group
def pzf_dumps():
    from pymecompress_rs import _native, pzf

    nrng = np.random.default_rng(SEED)
    u16 = nrng.poisson(40, (6, 5)).astype("u2")
    raw = u16.tobytes() + bytes(3)
    arrays = {
        "u16": u16, "u16 F": np.asfortranarray(u16), "u16 T": u16.T, "u16 strided": u16[::2, ::2],
        ">u2": u16.astype(">u2"), "u16 at odd offset": np.frombuffer(b"\0" + raw, "<u2", count=30,
                                                                      offset=1).reshape(6, 5),
        "u8": u16.astype("u1"), "f32": u16.astype("f4"), "f32 3-D": nrng.random((2, 3, 4), "f4"),
        ">f4 F": np.asfortranarray(u16.astype(">f4")), "empty": np.zeros((0, 4), "u2"),
        "empty 3-D": np.zeros((3, 0, 2), "u1"), "1x1": np.ones((1, 1), "u2"),
        "reversed": u16[::-1, ::-1],
    }
    refused = {
        "i1": u16.astype("i1"), "i2": u16.astype("i2"), "u4": u16.astype("u4"),
        "f8": u16.astype("f8"), "f2": u16.astype("f2"), "bool": u16 > 40, "c8": u16.astype("c8"),
        "object": u16.astype(object), "structured": np.zeros((2, 2), [("a", "u1")]),
        "S2": np.zeros((2, 2), "S2"), "0-d": np.array(3, "u2"), "1-D": np.arange(5, dtype="u2"),
        "4-D": np.zeros((2, 2, 2, 2), "u2"), "list": [[1, 2], [3, 4]], "None": None,
    }

    def check(a, kwargs):
        kind, encoded = call(pzf.dumps, a, **kwargs)
        if kind == "err":
            # only a sqrt frame of non-uint16 data is refused among the good arrays
            assert isinstance(encoded, pzf.PZFError), repr(encoded)
            assert kwargs.get("quantization") == pzf.DATA_QUANT_SQRT and a.dtype.itemsize != 2
            return
        data, header = returns(pzf.loads, encoded)
        assert data.shape == a.shape + (1,) * (3 - a.ndim)
        if kwargs.get("quantization") != pzf.DATA_QUANT_SQRT:
            same(data.reshape(a.shape), a.astype(a.dtype.newbyteorder("=")), "lossless")

    for name, a in arrays.items():
        for kwargs in ({}, {"compression": pzf.DATA_COMP_HUFFCODE},
                       {"compression": pzf.DATA_COMP_HUFFCODE_CHUNKS},
                       {"compression": pzf.DATA_COMP_HUFFCODE, "quantization": pzf.DATA_QUANT_SQRT,
                        "quantizationOffset": 2, "quantizationScale": 0.5}):
            yield f"dumps({name}, {kwargs})", lambda a=a, k=kwargs: check(a, k)
    for name, a in refused.items():
        yield f"dumps({name})", lambda a=a: raises((pzf.PZFError, TypeError), pzf.dumps, a)
    absurd = [{"compression": 3}, {"compression": -1}, {"compression": "huffman"},
              {"compression": None}, {"quantization": 2}, {"quantization": 1.5},
              {"sequenceID": 2**64}, {"sequenceID": -1}, {"frameNum": -1}, {"frameNum": 2**32},
              {"frameTimestamp": -5}, {"frameTimestamp": 2**64}, {"sequenceID": "x"},
              {"frameNum": 1.5}, {"sequenceID": None}]
    absurd += [{"compression": pzf.DATA_COMP_HUFFCODE, "quantization": pzf.DATA_QUANT_SQRT,
                "quantizationOffset": o, "quantizationScale": s}
               for o, s in [(0, 0), (0, -1), (0, float("nan")), (0, float("inf")), (0, 1e308),
                            (0, 1e-300), (float("nan"), 1), (1e308, 1), (-1e39, 1), ("x", 1),
                            (None, 1), (0, [1])]]
    absurd += [{"compression": pzf.DATA_COMP_RAW, "quantization": pzf.DATA_QUANT_SQRT}]

    def check_absurd(kwargs):
        kind, value = call(pzf.dumps, u16, **kwargs)
        if kind == "err":
            assert isinstance(value, (pzf.PZFError, TypeError, ValueError, OverflowError)), repr(
                value)
            return
        data, header = returns(pzf.loads, value)  # what it took, it must read back
        assert data.shape == (6, 5, 1)

    for kwargs in absurd:
        yield f"dumps(u16, {kwargs})", lambda k=kwargs: check_absurd(k)
    # the native writer takes only a flat aligned native array that fits the shape
    flat = u16.reshape(-1)
    native_cases = {
        "shape too large": (flat, (7, 5, 1), "C"),
        "shape product overflows": (flat, (2**40, 2**40, 2**40), "C"),
        "dimension over 32 bits": (np.zeros(0, "u2"), (2**33, 0, 1), "C"),
        "order X": (flat, (6, 5, 1), "X"),
        "2-D data": (u16, (6, 5, 1), "C"),
        "strided": (flat[::2], (3, 5, 1), "C"),
        "misaligned": (np.frombuffer(b"\0" + raw, "<u2", count=30, offset=1), (6, 5, 1), "C"),
        "big-endian": (flat.astype(">u2"), (6, 5, 1), "C"),
        "i2": (flat.astype("i2"), (6, 5, 1), "C"),
        "bytes": (flat.tobytes(), (60, 1, 1), "C"),
        "negative shape": (flat, (-6, -5, 1), "C"),
    }
    for name, (a, shape, order) in native_cases.items():
        yield f"pzf_encode({name})", lambda a=a, shape=shape, order=order: raises(
            (ValueError, TypeError, OverflowError), _native.pzf_encode, a, shape, order, 0, 0, 0,
            1, 0, 0.0, 1.0)


# --- zarr v3 wrappers ----------------------------------------------------------------------


@group
def zarr3_configurations():
    try:
        from pymecompress_rs import zarr3
    except ImportError:
        return
    configs = [
        (zarr3.HuffmanQuant16, {"offset": 0, "scale": 0}),
        (zarr3.HuffmanQuant16, {"offset": float("nan"), "scale": 1}),
        (zarr3.HuffmanQuant16, {"scale": "x"}),
        (zarr3.HuffmanQuant16, {"scale": 1, "bogus": 2}),
        (zarr3.PZFCodec, {"compression": "zstd"}),
        (zarr3.PZFCodec, {"quantization": "sqrt", "scale": 1e308}),
        (zarr3.Huffman, {"level": 3}),
    ]
    for cls, config in configs:
        yield f"zarr3 {cls.__name__} {config}", lambda cls=cls, config=config: raises(
            (TypeError, ValueError), cls.from_dict,
            {"name": cls.codec_name, "configuration": config})
    for cls, config in [(zarr3.HuffmanQuant16, {"offset": 5, "scale": 0.5}), (zarr3.Huffman, {}),
                        (zarr3.PZFCodec, {"quantization": "sqrt", "scale": 2})]:
        yield f"zarr3 {cls.__name__} {config} round trip", lambda cls=cls, config=config: (
            returns(cls.from_dict, {"name": cls.codec_name, "configuration": config}))


MIN_CASES = {"inputs": 550, "outputs": 110, "configurations": 1500, "pzf_dumps": 100,
             "zarr3_configurations": 0}


@pytest.mark.parametrize("name", list(GROUPS))
def test_abused_entry_points_raise_or_answer_right(name):
    run_group(__name__, name, MIN_CASES[name])
