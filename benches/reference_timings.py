"""The reference side of benches/compare: times pymecompress 0.3.6 on one frame file.

Usage: python reference_timings.py FRAME.u16 RUNS

Prints JSON: best-of-RUNS MB/s (10^6 bytes of uncompressed data) for
- huffman_encode: bcl.HuffmanCompress of the frame's raw bytes
- huffman_decode: bcl.HuffmanDecompress of that stream
- quant16_encode: bcl.HuffmanCompressQuant(frame, 0, 1)
- quant16_decode: bcl.HuffmanDecompress of that stream, then the numpy dequantization the
  numcodecs HuffmanQuant16.decode does (q*q/scale + offset, as uint16)
and the compressed sizes, plus zstd level 3 on the raw bytes (python `zstandard`).
"""
import contextlib
import io
import json
import os
import sys

import numpy as np
from timing import best_of

with contextlib.redirect_stdout(io.StringIO()):
    from pymecompress import bcl


def quiet(f):
    """The quantizer prints "Using AVX optimsed code" on the C side's stdout: drop fd 1."""

    def run():
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            return f()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)

    return run


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    values = np.fromfile(path, dtype="<u2")
    raw = values.view(np.uint8)
    n_bytes = raw.nbytes
    rows = []

    def row(op, secs):
        rows.append({"op": op, "mb_s": n_bytes / secs / 1e6})

    t, stream = best_of(runs, lambda: bcl.HuffmanCompress(raw))
    row("huffman_encode", t)
    stream = np.asarray(stream, dtype=np.uint8).copy()
    huffman_size = stream.nbytes + 4
    t, decoded = best_of(runs, lambda: bcl.HuffmanDecompress(stream, n_bytes))
    assert np.array_equal(np.asarray(decoded), raw), "reference Huffman round trip failed"
    row("huffman_decode", t)

    offset, scale = 0, 1
    t, qstream = best_of(runs, quiet(lambda: bcl.HuffmanCompressQuant(values, offset, scale)))
    row("quant16_encode", t)
    qstream = np.asarray(qstream, dtype=np.uint8).copy()
    quant16_size = qstream.nbytes + 4

    def quant_decode():
        q = np.asarray(bcl.HuffmanDecompress(qstream, values.size)).astype("uint16")
        return ((q * q) / scale + offset).astype("uint16")

    t, restored = best_of(runs, quant_decode)
    row("quant16_decode", t)
    expected = np.round(np.sqrt(values.astype(np.float64))).astype(np.uint16) ** 2
    mismatch = int(np.count_nonzero(restored != expected))

    sizes = {"huffman": huffman_size, "quant16": quant16_size, "raw": n_bytes}
    try:
        import zstandard

        sizes["zstd3"] = len(zstandard.ZstdCompressor(level=3).compress(raw.tobytes()))
    except ImportError:
        pass
    report = {"rows": rows, "sizes": sizes, "quant16_values_off_by_rounding": mismatch}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
