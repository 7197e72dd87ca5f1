"""Abuse test of the configurations of pymecompress_rs (issue 13): quant16 offset/scale of
0, -1, NaN, infinities, 1e308, subnormals, huge integers, strings, None, lists; unknown,
missing and wrongly typed keys of every codec's ``from_config`` and the Zarr v3 wrappers'
``from_dict``; ``pzf.dumps`` of every dtype, layout and absurd header value. Each call raises
(TypeError or ValueError; CodecError / PZFError where documented) or, for a configuration
that was taken, encodes and decodes right. Each group runs in a fresh interpreter
(mutation_harness.py).
"""

import json

import numpy as np
import pytest

from mutation_harness import SEED, call, raises, registry, returns, run_group, same

GROUPS, group = registry()


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


MIN_CASES = {"configurations": 1500, "pzf_dumps": 100, "zarr3_configurations": 0}


@pytest.mark.parametrize("name", list(GROUPS))
def test_absurd_configurations_raise_or_answer_right(name):
    run_group(__name__, name, MIN_CASES[name])
