"""The functions of ``pymecompress.bcl`` (pymecompress 0.3.6), same names and signatures.

Changing ``from pymecompress import bcl`` to ``from pymecompress_rs import bcl`` is all a caller
does. Every function takes any object with the buffer protocol, of any dtype and alignment,
reads it in place when it is contiguous (a non-contiguous one is copied once, in C order), and
releases the GIL while coding. Results are uint8 numpy arrays, as in the reference.

Deliberate differences from the reference are listed in docs/python.md; in short: the exact
quantizer, exactly one symbol per value, byte-count trailers, both trailer conventions read,
and damaged input raises :class:`pymecompress_rs.CodecError` (a ``ValueError``) instead of
reading past buffers.
"""

from . import _native

__all__ = [
    "HuffmanCompress",
    "HuffmanCompressOrig",
    "HuffmanCompressQuant",
    "HuffmanDecompress",
    "huffman_compress_buffer",
    "huffman_compress_quant_buffer",
    "huffman_decompress_buffer",
]


def HuffmanCompress(data):
    """Huffman stream of the bytes of ``data`` (in memory order), byte-identical to the reference."""
    return _native.huffman_encode_stream(data)


def HuffmanCompressOrig(data):
    """The original BCL writer of the reference: the same stream as :func:`HuffmanCompress`."""
    return _native.huffman_encode_stream(data)


def HuffmanDecompress(data, outsize):
    """Decode ``outsize`` bytes from a Huffman stream; a stream too short for them raises."""
    return _native.huffman_decode_stream(data, outsize)


def HuffmanCompressQuant(data, offset, scale):
    """Square-root quantize uint16 ``data`` (exact quantizer) and Huffman code one symbol per value.

    Raises RuntimeError for data that is not uint16, as the reference does.
    """
    return _native.quant16_encode(data, offset, scale, False, True)


def huffman_compress_buffer(data):
    """A ``pymecompress-huffman`` chunk: the stream of the bytes, then their count (uint32 LE)."""
    return _native.huffman_encode_chunk(data)


def huffman_compress_quant_buffer(data, offset, scale):
    """A ``pymecompress-quant16`` chunk: exactly one symbol per uint16 value, then the value count."""
    return _native.quant16_encode(data, offset, scale, True, False)


def huffman_decompress_buffer(data, out):
    """Decode a ``pymecompress-huffman`` chunk.

    With ``out`` None, returns a uint8 array of as many bytes as the trailer says (as the
    reference). With ``out`` a writable contiguous buffer, decodes ``out.nbytes`` bytes into
    it and returns it; the trailer may count bytes or (the reference's multi-byte chunks)
    2-, 4- or 8-byte elements.
    """
    if out is None:
        return _native.huffman_decode_chunk(data, False)
    _native.huffman_decode_chunk_into(data, out)
    return out
