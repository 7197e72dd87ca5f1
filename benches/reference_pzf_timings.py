"""The reference side of the PZF rows of benches/compare: times PYME's PZFFormat.dumps and
.loads (python-microscopy 26.9.3 with pymecompress 0.3.6) on one frame.

Usage: PYTHONPATH=DIR_HOLDING_PYME python reference_pzf_timings.py FRAME.u16 SIDE RUNS
(benches/compare gets DIR from fixtures/pzf/pyme_env.sh; the GPL module is never committed).

Prints JSON: best-of-RUNS MB/s (10^6 bytes of uncompressed frame) for
- pzf_huffman_write / pzf_huffman_read: dumps(frame, compression=HUFFMAN) / loads of it
- pzf_quant_write / pzf_quant_read: the same with quantization=SQRT, offset 0, scale 1
(loads of a quantized frame includes its float32 dequantization), and the file sizes.
"""
import json
import os
import sys

import numpy as np
from timing import best_of

# pymecompress's quantizer printf()s "Using AVX optimsed code" to fd 1: keep our JSON apart.
sys.stdout.flush()
_saved = os.dup(1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)
os.close(_devnull)
OUT = os.fdopen(_saved, "w")

from PYME.IO import PZFFormat  # noqa: E402


def main():
    path, side, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    frame = np.fromfile(path, dtype="<u2").reshape(side, side)
    n_bytes = frame.nbytes
    rows, sizes = [], {}
    for name, quant in (("huffman", PZFFormat.DATA_QUANT_NONE), ("quant", PZFFormat.DATA_QUANT_SQRT)):
        def dumps():
            return PZFFormat.dumps(frame, compression=PZFFormat.DATA_COMP_HUFFCODE,
                                   quantization=quant, quantizationOffset=0,
                                   quantizationScale=1)
        secs, data = best_of(runs, dumps)
        rows.append({"op": f"pzf_{name}_write", "mb_s": n_bytes / secs / 1e6})
        secs, _ = best_of(runs, lambda: PZFFormat.loads(data))
        rows.append({"op": f"pzf_{name}_read", "mb_s": n_bytes / secs / 1e6})
        sizes[f"pzf_{name}"] = len(data)
    OUT.write(json.dumps({"rows": rows, "sizes": sizes}) + "\n")
    OUT.flush()


main()
