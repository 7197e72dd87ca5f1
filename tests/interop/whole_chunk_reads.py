"""Which reads of quant16 stores zarr-python 2.18 + pymecompress 0.3.6 can do (docs/compatibility.md,
"Whole-chunk reads in the reference's Python decoder").

    INTEROP_VENV/bin/python tests/interop/whole_chunk_reads.py WORKDIR [OUR_STORE ...]

Writes small quant16 stores with the reference into WORKDIR (each in its own process: the
reference's encoder reads past its buffer and can crash), then tries whole-array, whole-frame and
partial reads on them and on the stores given (e.g. `pymecompress demo --out` stores). Prints one
OK/FAIL line per read, and CRASH for a write that killed its process.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import zarr
import pymecompress.codecs  # noqa: F401  registers the codecs with numcodecs

CASES = [  # (shape, chunks)
    ((4, 64, 64), (1, 64, 64)),
    ((4, 128, 128), (1, 128, 128)),
    ((4, 64, 64), (2, 64, 64)),
    ((4, 256, 256), (1, 128, 128)),
    ((64, 64), (64, 64)),
    ((256, 256), (128, 128)),
    ((4, 256, 256), (1, 256, 256)),
]

WRITE = """
import sys, numpy as np, zarr
from pymecompress.codecs import HuffmanQuant16
path, shape, chunks = sys.argv[1], eval(sys.argv[2]), eval(sys.argv[3])
data = (100 + np.random.default_rng(0).poisson(20, size=shape)).astype("<u2")
z = zarr.open(path, mode="w", shape=shape, chunks=chunks, dtype="<u2",
              compressor=HuffmanQuant16(offset=100, scale=1))
z[:] = data
"""


def attempt(label, read):
    try:
        print(f"  OK    {label}: shape {np.asarray(read()).shape}", flush=True)
    except Exception as e:  # the failures are what this script reports
        print(f"  FAIL  {label}: {type(e).__name__}: {e}", flush=True)


def probe(path):
    z = zarr.open(str(path), mode="r")
    print(f"{path}: shape {z.shape}, chunks {z.chunks}", flush=True)
    attempt("z[:] (whole array)", lambda: z[:])
    if len(z.shape) == 3:
        attempt("z[0] (one whole frame)", lambda: z[0])
        attempt("z[0:2] (two frames)", lambda: z[0:2])
        attempt("z[0, :10, :10] (part of a frame)", lambda: z[0, :10, :10])
        attempt("z[:, :, :-1] (all but the last column)", lambda: z[:, :, :-1])
    else:
        attempt("z[:10, :10] (part)", lambda: z[:10, :10])
        attempt("z[:, :-1] (all but the last column)", lambda: z[:, :-1])


def main():
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    for shape, chunks in CASES:
        name = "x".join(map(str, shape)) + "_c" + "x".join(map(str, chunks))
        path = work / f"ref_{name}.zarr"
        done = subprocess.run([sys.executable, "-c", WRITE, str(path), repr(shape), repr(chunks)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode != 0:
            print(f"{path}: CRASH writing with the reference (exit {done.returncode})", flush=True)
            continue
        probe(path)
    for path in sys.argv[2:]:
        probe(Path(path))


if __name__ == "__main__":
    main()
