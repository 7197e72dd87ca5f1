"""One test per fault the mutation and abuse tests found (issue 13), each failing on the code
before its fix (but the last: see its comment); test_mutations.py and test_abuse.py hold the
systematic cases."""

import numpy as np
import pytest

from conftest import requires_zarr, requires_zarr3, run_python

from pymecompress_rs import _native, bcl, pzf, CodecError


def test_decoding_into_an_object_array_raises_instead_of_crashing():
    # the decoded bytes were written over the array's object pointers: a segfault when the
    # array was next read (here, in a fresh interpreter, so that a crash fails only this test)
    out = run_python(
        "import numpy as np\n"
        "from pymecompress_rs import _native\n"
        "chunk = _native.huffman_encode_chunk(np.arange(48, dtype='u1'))\n"
        "for fn in (_native.huffman_decode_chunk_into, _native.Quant16(0.0, 1.0).decode_into):\n"
        "    out = np.empty(6, object)\n"
        "    try:\n"
        "        fn(chunk, out)\n"
        "    except TypeError as e:\n"
        "        print('TypeError', e)\n"
        "    print(repr(out))\n"
    )
    assert out.count("TypeError") == 2 and "holds Python objects" in out


@pytest.mark.parametrize("fn", [_native.huffman_encode_chunk, _native.huffman_encode_stream,
                                _native.Quant16(0.0, 1.0).encode, _native.pzf_decode])
def test_object_arrays_are_refused_as_input(fn):
    # their bytes are pointers: they were coded as data
    with pytest.raises(TypeError, match="Python objects"):
        fn(np.array([1, "a", None], dtype=object))
    with pytest.raises(TypeError, match="Python objects"):
        fn(np.zeros(3, [("a", "u1"), ("o", "O")]))


def test_zero_dimensional_arrays_are_coded():
    # pyo3 refused numpy's 0-d buffers ("BufferError: shape is null")
    x = np.array(513, "u2")
    assert bytes(_native.huffman_decode_chunk(_native.huffman_encode_chunk(x), False)) == (
        x.tobytes())
    assert _native.Quant16(0.0, 1.0).decode(_native.Quant16(0.0, 1.0).encode(x)).shape == (1,)
    assert bcl.HuffmanCompressQuant(x, 0, 1).dtype == np.uint8
    out = np.array(0, "u2")
    _native.Quant16(0.0, 1.0).decode_into(_native.Quant16(0.0, 1.0).encode(np.array([4], "u2")),
                                          out)
    assert out == 4


def test_quant16_offset_and_scale_must_be_numbers():
    # "1" was taken through float(): a configuration the Rust plugin refuses
    for offset, scale in [("1", 1), (0, "1"), (0, None), (0, [1])]:
        with pytest.raises(TypeError):
            bcl.HuffmanCompressQuant(np.zeros(3, "u2"), offset, scale)
        with pytest.raises(TypeError):
            bcl.huffman_compress_quant_buffer(np.zeros(3, "u2"), offset, scale)
    assert bcl.HuffmanCompressQuant(np.zeros(3, "u2"), np.float32(1), np.int64(2)).size


@requires_zarr
def test_codec_configurations_refuse_unknown_keys_and_strings():
    from pymecompress_rs.codecs import Huffman, HuffmanQuant16, PZFCodec

    # unknown keys were dropped without a word (a misspelt "sclae" silently meant scale 1)
    with pytest.raises(TypeError):
        HuffmanQuant16.from_config({"id": "pymecompress-quant16", "sclae": 2})
    with pytest.raises(TypeError):
        Huffman.from_config({"id": "pymecompress-huffman", "level": 9})
    with pytest.raises(TypeError):
        HuffmanQuant16(offset="1")
    with pytest.raises(TypeError):
        PZFCodec(quantization="sqrt", scale="2")
    assert HuffmanQuant16.from_config({"id": "pymecompress-quant16"}).get_config() == {
        "id": "pymecompress-quant16", "offset": 0, "scale": 1}


@requires_zarr
@pytest.mark.parametrize("config", [{"scale": 1e308}, {"scale": 1e-300}, {"offset": -1e39}])
def test_pyme_pzf_refuses_parameters_beyond_float32_when_built(config):
    # 1e308 passed the check (as float32 it is inf, and inf > 0) and failed at every encode
    from pymecompress_rs.codecs import PZFCodec

    with pytest.raises(ValueError, match="float32"):
        PZFCodec(quantization="sqrt", **config)


def test_dumps_takes_arrays_of_negative_strides():
    # reshape(-1) of a reversed array is a view of negative stride, which the native writer
    # refused with "The given array is not contiguous or is misaligned"
    a = (np.arange(30, dtype="u2") * 7).reshape(6, 5)[::-1, ::-1]
    data, _ = pzf.loads(pzf.dumps(a, compression=pzf.DATA_COMP_HUFFCODE))
    assert np.array_equal(data[:, :, 0], a)


@requires_zarr3
@pytest.mark.filterwarnings("ignore:Numcodecs codecs are not in the Zarr version 3")
def test_zarr3_codecs_refuse_a_bad_configuration_when_built():
    # the configuration was checked only when the first chunk was coded
    from pymecompress_rs import zarr3

    with pytest.raises(CodecError):
        zarr3.HuffmanQuant16.from_dict({"name": zarr3.HuffmanQuant16.codec_name,
                                        "configuration": {"offset": 0, "scale": 0}})
    with pytest.raises(TypeError):
        zarr3.Huffman.from_dict({"name": zarr3.Huffman.codec_name,
                                 "configuration": {"level": 3}})


@pytest.mark.parametrize("offset", [0, 1, 10, 48])
def test_decoding_into_the_inputs_own_memory_gives_the_data(offset):
    # the input and the output were a shared and a mutable slice of the same bytes: undefined
    # behaviour in Rust, though the decoder happened to give these bytes; now the input is
    # copied first
    data = (np.arange(48) * 5).astype("u1")
    chunk = bytes(_native.huffman_encode_chunk(data))
    buf = np.zeros(256, "u1")
    buf[offset:offset + len(chunk)] = np.frombuffer(chunk, "u1")
    _native.huffman_decode_chunk_into(buf[offset:offset + len(chunk)], buf[:48])
    assert np.array_equal(buf[:48], data)
