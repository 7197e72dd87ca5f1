"""Abuse test of every entry point of pymecompress_rs (issue 13): inputs of wrong dtypes
(int8, float64, bool, complex, structured, object, strings), misaligned, non-contiguous,
0-d and empty; output buffers read-only, of the wrong size or dtype, non-contiguous or
sharing the input's memory; absurd scalar arguments (counts, flags, PZF header fields).
Configurations are in test_abuse_config.py. Each call raises (the documented type where there is one) or
gives exactly the answer the same data gives in its plain form. Each group runs in a fresh
interpreter (mutation_harness.py); test_abuse_regressions.py holds one test per finding.
"""

import numpy as np
import pytest

from mutation_harness import call, raises, readonly, registry, returns, run_group, same

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


def q16_refuses(x):
    """Whether the quant16 codec refuses ``x`` with a TypeError: anything with a dtype but
    uint16, and a buffer without one whose format is neither uint16 nor bytes."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return not (dtype.kind == "u" and dtype.itemsize == 2)
    try:
        fmt = memoryview(x).format
    except TypeError:
        return True
    return fmt.lstrip("<>!=@") not in ("H", "B", "b", "c")


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

    strict_q16 = {"Quant16.encode", "codecs.HuffmanQuant16.encode"}

    def check_q16(enc, x, strict=False):
        # the codec refuses any data type but uint16 (naming it) and takes raw bytes as
        # uint16 values; the bcl functions code any buffer's bytes, as the reference
        if strict and q16_refuses(x):
            raises(TypeError, enc, x)
            return
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
            yield f"{ename}({name})", lambda enc=enc, x=x, s=ename in strict_q16: check_q16(enc, x, s)
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


# --- scalar arguments ---------------------------------------------------------------------


@group
def arguments():
    from pymecompress_rs import _native, bcl, CodecError

    data = np.arange(40, dtype="u1")
    stream = bytes(_native.huffman_encode_stream(data))
    chunk = bytes(_native.huffman_encode_chunk(data))
    counts = [(-1, OverflowError), (2**64, OverflowError), (2**63, CodecError),
              (10**6, CodecError), ("4", TypeError), (None, TypeError), (1.5, TypeError),
              ([4], TypeError)]
    for n, error in counts:
        yield f"huffman_decode_stream(n={n!r})", lambda n=n, e=error: raises(
            e, _native.huffman_decode_stream, stream, n)
        yield f"bcl.HuffmanDecompress(outsize={n!r})", lambda n=n, e=error: raises(
            e, bcl.HuffmanDecompress, stream, n)
    for n in (0, 1, 39, 40):
        yield f"huffman_decode_stream(n={n})", lambda n=n: same(
            returns(_native.huffman_decode_stream, stream, n), data[:n], "prefix")
    for flag in ("yes", None, 2, [True]):
        yield f"huffman_decode_chunk(infer_itemsize={flag!r})", lambda f=flag: raises(
            TypeError, _native.huffman_decode_chunk, chunk, f)
        yield f"Quant16.encode(trailer={flag!r})", lambda f=flag: raises(
            TypeError, _native.Quant16().encode, np.zeros(3, "u2"), f)
        yield f"quant16_encode(require_u16={flag!r})", lambda f=flag: raises(
            TypeError, _native.quant16_encode, np.zeros(3, "u2"), 0.0, 1.0, True, f)
    u16 = np.arange(6, dtype="u2")
    good = dict(data=u16, shape=(2, 3, 1), order="C", sequence_id=0, frame_num=0,
                frame_timestamp=0, compression=1, quantization=0, quant_offset=0.0,
                quant_scale=1.0)
    absurd = {"shape": [(2, 3), (2, 3, 1, 1), None, (2, "3", 1), (-2, -3, 1), (2**64, 1, 1)],
              "order": [None, "c", "", "CF", 1], "sequence_id": [2**63, -2**63 - 1, None],
              "frame_num": [-1, 2**32, 1.5], "frame_timestamp": [-1, 2**64],
              "compression": [3, 255, 256, -1], "quantization": [2, 256, -1],
              "quant_offset": [float("nan")], "quant_scale": [0.0, float("inf"), "1"]}
    for key, values in absurd.items():
        for value in values:
            def check(key=key, value=value):
                kwargs = dict(good, **{key: value})
                if key == "quant_offset" or key == "quant_scale" and value != "1":
                    # without quantization the parameters are not written: the frame is valid
                    frame = returns(_native.pzf_encode, **kwargs)
                    same(_native.pzf_decode(frame)[0], u16, "frame")
                    kwargs["quantization"] = 1
                raises((TypeError, ValueError, OverflowError), _native.pzf_encode, **kwargs)
            yield f"pzf_encode({key}={value!r})", check
    yield "pzf_encode(good)", lambda: same(
        _native.pzf_decode(returns(_native.pzf_encode, **good))[0], u16, "frame")


MIN_CASES = {"arguments": 60, "inputs": 550, "outputs": 110}


@pytest.mark.parametrize("name", list(GROUPS))
def test_abused_entry_points_raise_or_answer_right(name):
    run_group(__name__, name, MIN_CASES[name])
