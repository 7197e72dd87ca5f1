"""The .h5 rows of benches/compare: our CLI's `export` of PYME-written .h5 files against PYME's
own reading of the same files (python-microscopy 26.9.3, PyTables), on this machine.

Usage (benches/compare runs it; PYME's package on PYTHONPATH, in fixtures/pyme_h5's venv):
    python reference_h5_timings.py DIR BIN RUNS ROUNDS [FRAMES]

Writes once, into DIR (kept between runs; FRAMES frames of 512x512 uint16 Poisson(100),
seed 12345, default 200), with PYME's own writers:
- h5_pzf_huffman.h5, h5_pzf_quant.h5: PZF aggregates by `H5File.put_file` (the data server's
  `__aggregate_h5`), one `PZFFormat.dumps` file per frame, Huffman, and sqrt-quantized at
  offset 100 scale 1; metadata.json first and events.json last, as a series arrives;
- h5_imagedata_l2.h5: a raw spool by `acquisition_backends.HDFBackend` at zlib level 2
  (+ shuffle; chunk shape chosen by PyTables).

Then ROUNDS rounds, each PYME's side then ours, every figure the best of RUNS (after one warm-up
run) over all rounds:
- h5_pzf_read / h5_pzf_quant_read: PYME: `HDFDataSource.DataSource(path)` and `getSlice(i)` for
  every slice (PyTables + PZFFormat.loads; the quantized one dequantizes to float32, as PYME
  does); ours: `BIN export FILE OUT.npy`, on 1 thread (RAYON_NUM_THREADS=1) and on 2;
- h5_imagedata_read: PYME: PyTables `open_file(...).root.ImageData[:]` (the whole array at
  once) and `ImageData[i]` per frame (how HDFDataSource reads); ours the same export, 1 and 2
  threads. The ratio row takes PyTables' faster way.
Our output goes to a tmpfs directory (/dev/shm) when there is one: export fsyncs its output,
which would time the disk, not the reader.

Prints JSON {"rows": [{op, label, reference_mb_s, ours_mb_s, ratio}], "info": {...}} on stdout;
MB/s are 10^6 bytes of decoded frames (FRAMES x 512 x 512 x 2) per second.
"""
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import tables  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import best_of  # noqa: E402

# pymecompress's quantizer printf()s to fd 1: keep our JSON apart.
sys.stdout.flush()
_saved = os.dup(1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)
os.close(_devnull)
OUT = os.fdopen(_saved, "w")

from PYME.IO import PZFFormat, acquisition_backends, h5File  # noqa: E402
from PYME.IO.DataSources import HDFDataSource  # noqa: E402
import warnings  # noqa: E402

# PYME's modules reset the filters -W gave: h5rFile warns once per row otherwise.
warnings.simplefilter("ignore")

SIDE = 512


def frames(n):
    rng = np.random.default_rng(12345)
    for _ in range(n):
        yield rng.poisson(100, (SIDE, SIDE)).astype("<u2")


def drain(f):
    """put_file only queues rows: wait for H5File's thread to append them all, then close
    (closing at once drops queued rows; fixtures/pyme_h5/generate.py)."""
    for _ in range(6000):
        with f.appendQueueLock:
            waiting = sum(len(q) for q in f.appendQueues.values())
        if waiting == 0:
            break
        time.sleep(0.05)
    time.sleep(0.5)
    f.wait_close()


def write_aggregate(path, n, quant):
    kwargs = {"compression": PZFFormat.DATA_COMP_HUFFCODE}
    if quant:
        kwargs.update(quantization=PZFFormat.DATA_QUANT_SQRT, quantizationOffset=100.0,
                      quantizationScale=1.0)
    md = {"DimOrder": "XYCZT", "SizeC": 1, "SizeZ": 1, "SizeT": n, "Camera.ADOffset": 100.0,
          "voxelsize.x": 0.1, "voxelsize.y": 0.1, "voxelsize.units": "um"}
    order = list(range(n))
    random.Random(1).shuffle(order)  # arrival order is not frame order on a real cluster
    blobs = {}
    for i, frame in enumerate(frames(n)):
        blobs[i] = PZFFormat.dumps(frame, sequenceID=0, frameNum=i, **kwargs)
    tmp = path + ".part"
    f = h5File.openH5(tmp, "a")
    with f:
        f.put_file("metadata.json", json.dumps(md).encode())
        for i in order:
            f.put_file("frame%05d.pzf" % i, blobs[i])
        f.put_file("events.json", json.dumps([["StartAq", "0", 1700000000.0]]).encode())
    drain(f)
    os.replace(tmp, path)


def write_imagedata(path, n):
    tmp = path + ".part.h5"
    b = acquisition_backends.HDFBackend(tmp, dim_order="XYCZT", shape=[-1, -1, n, 1, 1],
                                        complevel=2, dtype="uint16")
    b.mdh["Camera.ADOffset"] = 100.0
    b.initialise()
    for i, frame in enumerate(frames(n)):
        b.store_frame(i, frame)
    b.finalise()
    os.replace(tmp, path)


def pyme_slices(path):
    ds = HDFDataSource.DataSource(path)
    try:
        for i in range(ds.getNumSlices()):
            ds.getSlice(i)
        return ds.getNumSlices()
    finally:
        ds.release()


def tables_whole(path):
    with tables.open_file(path) as h:
        return h.root.ImageData[:].shape[0]


def tables_per_frame(path):
    with tables.open_file(path) as h:
        d = h.root.ImageData
        for i in range(d.shape[0]):
            d[i]
        return d.shape[0]


def ours(bin_path, path, out, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))

    def run():
        if os.path.exists(out):
            os.remove(out)
        subprocess.run([bin_path, "export", path, out], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return run


def main():
    data, bin_path = sys.argv[1], sys.argv[2]
    runs, rounds = int(sys.argv[3]), int(sys.argv[4])
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    os.makedirs(data, exist_ok=True)
    files = {"huffman": os.path.join(data, "h5_pzf_huffman_%d.h5" % n),
             "quant": os.path.join(data, "h5_pzf_quant_%d.h5" % n),
             "image": os.path.join(data, "h5_imagedata_l2_%d.h5" % n)}
    if not os.path.exists(files["huffman"]):
        write_aggregate(files["huffman"], n, quant=False)
    if not os.path.exists(files["quant"]):
        write_aggregate(files["quant"], n, quant=True)
    if not os.path.exists(files["image"]):
        write_imagedata(files["image"], n)
    for key, f in files.items():
        found = tables_per_frame(f) if key == "image" else pyme_slices(f)
        if found != n:
            raise SystemExit("%s: PYME reads %d frames, not %d" % (f, found, n))
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    out_dir = tempfile.mkdtemp(prefix="h5-bench-", dir=shm)
    out = os.path.join(out_dir, "out.npy")
    timed = {
        "pyme_pzf_huffman": lambda: pyme_slices(files["huffman"]),
        "pyme_pzf_quant": lambda: pyme_slices(files["quant"]),
        "tables_whole": lambda: tables_whole(files["image"]),
        "tables_per_frame": lambda: tables_per_frame(files["image"]),
    }
    for name in ("huffman", "quant", "image"):
        for t in (1, 2):
            timed["ours_%s_%dt" % (name, t)] = ours(bin_path, files[name], out, t)
    best = {}
    try:
        for _ in range(rounds):
            for key, f in timed.items():
                secs, _ = best_of(runs, f)
                best[key] = min(best.get(key, float("inf")), secs)
        # One check that ours exported the same array PYME reads (not timed).
        ds = HDFDataSource.DataSource(files["huffman"])
        first = np.asarray(ds.getSlice(n - 1))
        ds.release()
        ours(bin_path, files["huffman"], out, 2)()
        if not np.array_equal(np.load(out, mmap_mode="r")[n - 1], first):
            raise SystemExit("our export of %s differs from PYME's getSlice" % files["huffman"])
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    mb = n * SIDE * SIDE * 2 / 1e6

    def row(op, label, ref_key, ours_key):
        r, o = mb / best[ref_key], mb / best[ours_key]
        return {"op": op, "label": label, "reference_mb_s": round(r, 1),
                "ours_mb_s": round(o, 1), "ratio": round(o / r, 2)}

    ref_image = min(("tables_whole", "tables_per_frame"), key=lambda k: best[k])
    rows = [
        row("h5_pzf_read", "h5 PZF aggregate, Huffman: export vs getSlice loop, 1 thread",
            "pyme_pzf_huffman", "ours_huffman_1t"),
        row("h5_pzf_read_2t", "h5 PZF aggregate, Huffman: export on 2 threads",
            "pyme_pzf_huffman", "ours_huffman_2t"),
        row("h5_pzf_quant_read", "h5 PZF aggregate, quantized: export vs getSlice, 1 thread",
            "pyme_pzf_quant", "ours_quant_1t"),
        row("h5_pzf_quant_read_2t", "h5 PZF aggregate, quantized: export on 2 threads",
            "pyme_pzf_quant", "ours_quant_2t"),
        row("h5_imagedata_read", "h5 /ImageData zlib 2: export vs PyTables (%s), 1 thread"
            % ("[:]" if ref_image == "tables_whole" else "per frame"), ref_image,
            "ours_image_1t"),
        row("h5_imagedata_read_2t", "h5 /ImageData zlib 2: export on 2 threads", ref_image,
            "ours_image_2t"),
    ]
    info = {"frames": n, "side": SIDE, "runs": runs, "rounds": rounds,
            "pytables_whole_mb_s": round(mb / best["tables_whole"], 1),
            "pytables_per_frame_mb_s": round(mb / best["tables_per_frame"], 1),
            "file_bytes": {k: os.path.getsize(v) for k, v in files.items()},
            "tables": tables.__version__}
    OUT.write(json.dumps({"rows": rows, "info": info}) + "\n")
    OUT.flush()


main()
