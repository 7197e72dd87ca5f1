#!/usr/bin/env python3
"""pymecompress_rs against the reference pymecompress 0.3.6, in one process, under zarr-python 2.18.

    target/py-venv-zarr2/bin/python benches/python_compare.py [--runs 5] [--store-mib 256]
        [--frame 2048] [--threads 1] [--json FILE] [--dir DIR]

Needs a venv with both packages (python/tests/run.sh makes target/py-venv-zarr2 and installs
the wheel there). Rows:

- py_bcl_huffman_compress / _decompress: ``bcl.HuffmanCompress`` / ``bcl.HuffmanDecompress``
  of one frame of uint16 Poisson(100) pixels (its bytes), MB/s of raw bytes;
- py_bcl_quant16_compress: ``bcl.HuffmanCompressQuant`` (offset 0, scale 1), MB/s of uint16 input;
- py_codec_quant16_decompress: the numcodecs codec's ``decode`` of a quant16 chunk (the
  reference's decodes symbols with bcl, then dequantizes with numpy), MB/s of uint16 output;
- py_codec_huffman_compress / _decompress: the numcodecs ``pymecompress-huffman`` codec;
- py_zarr_write / py_zarr_read: a quant16 zarr v2 store of ``--store-mib`` MiB of uint16
  (frames of 2048 x 2048 in chunks of 2048 x 1024, 4 MiB), written with ``a[...] = data`` and
  read with ``a[...]`` by zarr-python 2.18, the codec class switched in numcodecs' registry.
  Chunks are half frames because the reference's quant16 ``decode`` cannot fill the output
  buffer zarr 2 hands it for a chunk that is contiguous in the result (``out[:] = ret`` with a
  flat ``ret``: "could not broadcast"), so it cannot read whole-frame chunks with ``a[...]``.

Every figure is the median of ``--runs`` runs (>= 5), reference and ours interleaved (the
order alternating), in this one process. MB/s = 10^6 bytes of uncompressed data per second.
By default both run on one thread (ours: RAYON_NUM_THREADS=1, set before the import);
``--threads N`` lets ours code large chunks in slices on N threads. The machine is shared and
noisy: read the ratio column, not the absolute figures.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--store-mib", type=int, default=256)
    p.add_argument("--frame", type=int, default=2048, help="frame side in pixels")
    p.add_argument("--threads", type=int, default=1, help="rayon threads of ours")
    p.add_argument("--json", help="also write the rows as JSON")
    p.add_argument("--dir", help="where the stores go (default: /dev/shm if present, else a temp dir)")
    return p.parse_args()


ARGS = parse_args()
if ARGS.runs < 5:
    sys.exit("--runs must be at least 5")
os.environ["RAYON_NUM_THREADS"] = str(ARGS.threads)

import contextlib  # noqa: E402
import io  # noqa: E402

# The reference prints "Using AVX optimsed code" from C on every quantizing call: send file
# descriptor 1 to /dev/null and print the table on a duplicate of it.
OUT = os.fdopen(os.dup(1), "w", buffering=1)
sys.stdout.flush()
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)

import numpy as np  # noqa: E402
import numcodecs  # noqa: E402
import zarr  # noqa: E402

with contextlib.redirect_stdout(io.StringIO()):  # "Using AVX optimsed code"
    import pymecompress.bcl as ref_bcl  # noqa: E402
    import pymecompress.codecs as ref_codecs  # noqa: E402
import pymecompress_rs  # noqa: E402
import pymecompress_rs.bcl as our_bcl  # noqa: E402
import pymecompress_rs.codecs as our_codecs  # noqa: E402


def quiet(fn):
    def run(*a):
        with contextlib.redirect_stdout(io.StringIO()):
            return fn(*a)
    return run


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(op, nbytes, ref_fn, our_fn, runs=ARGS.runs):
    ref_t, our_t = [], []
    for i in range(runs):
        pair = [(ref_t, ref_fn), (our_t, our_fn)]
        for times, fn in (pair if i % 2 == 0 else pair[::-1]):
            times.append(timed(fn))
    ref_mb_s = nbytes / statistics.median(ref_t) / 1e6
    our_mb_s = nbytes / statistics.median(our_t) / 1e6
    row = {"op": op, "reference_mb_s": round(ref_mb_s, 1), "ours_mb_s": round(our_mb_s, 1),
           "ratio": round(our_mb_s / ref_mb_s, 2)}
    print(f"| {op:<30} | {row['reference_mb_s']:>10.1f} | {row['ours_mb_s']:>10.1f} | {row['ratio']:>6.2f}x |",
          file=OUT)
    return row


def main():
    side = ARGS.frame
    rng = np.random.default_rng(12345)
    frame = rng.poisson(100, (side, side)).astype("u2")
    raw = frame.view("u1").reshape(-1)
    print(f"pymecompress_rs {pymecompress_rs.__version__} vs pymecompress 0.3.6; zarr {zarr.__version__}, "
          f"numcodecs {numcodecs.__version__}, numpy {np.__version__}; median of {ARGS.runs} interleaved runs; "
          f"ours on {ARGS.threads} thread(s)", file=OUT)
    print(f"| {'operation':<30} | {'ref MB/s':>10} | {'ours MB/s':>10} | {'ratio':>7} |", file=OUT)
    print(f"|{'-' * 32}|{'-' * 12}|{'-' * 12}|{'-' * 9}|", file=OUT)
    rows = []

    stream = ref_bcl.HuffmanCompress(raw)
    assert our_bcl.HuffmanCompress(raw).tobytes() == stream.tobytes()
    rows.append(compare("py_bcl_huffman_compress", raw.nbytes,
                        lambda: ref_bcl.HuffmanCompress(raw), lambda: our_bcl.HuffmanCompress(raw)))
    rows.append(compare("py_bcl_huffman_decompress", raw.nbytes,
                        lambda: ref_bcl.HuffmanDecompress(stream, raw.nbytes),
                        lambda: our_bcl.HuffmanDecompress(stream, raw.nbytes)))
    rows.append(compare("py_bcl_quant16_compress", frame.nbytes,
                        quiet(lambda: ref_bcl.HuffmanCompressQuant(frame, 0, 1)),
                        lambda: our_bcl.HuffmanCompressQuant(frame, 0, 1)))

    ref_q, our_q = ref_codecs.HuffmanQuant16(0, 1), our_codecs.HuffmanQuant16(0, 1)
    our_chunk = our_q.encode(frame)
    assert np.array_equal(ref_q.decode(our_chunk), our_q.decode(our_chunk))
    rows.append(compare("py_codec_quant16_decompress", frame.nbytes,
                        lambda: ref_q.decode(our_chunk), lambda: our_q.decode(our_chunk)))
    ref_h, our_h = ref_codecs.Huffman(), our_codecs.Huffman()
    rows.append(compare("py_codec_huffman_compress", frame.nbytes,
                        lambda: ref_h.encode(frame), lambda: our_h.encode(frame)))
    h_chunk = our_h.encode(frame)
    out = np.empty_like(frame)
    rows.append(compare("py_codec_huffman_decompress", frame.nbytes,
                        lambda: ref_h.decode(h_chunk, out.view("u1").reshape(-1)),
                        lambda: our_h.decode(h_chunk, out)))

    n_frames = max(1, ARGS.store_mib * 2**20 // frame.nbytes)
    base = ARGS.dir or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    work = tempfile.mkdtemp(prefix="pymecompress-bench-", dir=base)
    try:
        movie = np.stack([np.roll(frame, i * 7, axis=1) for i in range(n_frames)])
        size = movie.nbytes
        print(f"(store: {n_frames} frames of {side}x{side} uint16 = {size / 2**20:.0f} MiB decoded, in {work})", file=OUT)
        stores = {"ref": os.path.join(work, "ref.zarr"), "ours": os.path.join(work, "ours.zarr")}
        classes = {"ref": ref_codecs.HuffmanQuant16, "ours": our_codecs.HuffmanQuant16}

        def write(who):
            numcodecs.register_codec(classes[who])
            a = zarr.open_array(stores[who], mode="w", shape=movie.shape, chunks=(1, side, side // 2),
                                dtype="u2", compressor=classes[who](0, 1))
            with contextlib.redirect_stdout(io.StringIO()):
                a[...] = movie

        def read(who):
            numcodecs.register_codec(classes[who])
            a = zarr.open_array(stores[who], mode="r")
            assert type(a.compressor) is classes[who]
            return a[...]

        rows.append(compare("py_zarr_write_quant16", size, lambda: write("ref"), lambda: write("ours")))
        # both read the store we wrote (the reference reads it; its own holds 2N symbols a chunk)
        shutil.rmtree(stores["ref"])
        shutil.copytree(stores["ours"], stores["ref"])
        assert np.array_equal(read("ref"), read("ours"))
        rows.append(compare("py_zarr_read_quant16", size, lambda: read("ref"), lambda: read("ours")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        pymecompress_rs.register()

    if ARGS.json:
        with open(ARGS.json, "w") as f:
            json.dump(rows, f, indent=1)
    worst = min(rows, key=lambda r: r["ratio"])
    print(f"lowest ratio: {worst['op']} {worst['ratio']}x", file=OUT)


if __name__ == "__main__":
    main()
