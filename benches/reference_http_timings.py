"""The http_series_read row of benches/compare: our CLI's `export` of a series served by two of
PYME's own data servers on loopback, against PYME's own client reading the same series.

Usage (benches/compare runs it; PYME's package on PYTHONPATH, in fixtures/pyme_h5's venv,
with HOME and TMPDIR throwaway directories: the servers write ~/.PYME and their registry
there, and PYME's client finds the servers through that registry):
    python reference_http_timings.py WORK BIN RUNS ROUNDS [FRAMES]

Starts two `python -m PYME.cluster.HTTPDataServer -a local` (python-microscopy 26.9.3) on free
127.0.0.1 ports over roots under WORK, and PUTs to them, as PYME's spooler sends a series,
`bench_000.pcs`: metadata.json, FRAMES (default 500) frames of 512x512 uint16 Poisson(100)
(seed 12345) as Huffman PZF files by `PZFFormat.dumps`, the first half to server 0 and the rest
to server 1, then events.json. Then ROUNDS rounds, each PYME's side then ours, every figure the
best of RUNS (after one warm-up run) over all rounds:
- PYME: `PZFFormat.loads(clusterIO.get_file(name, serverfilter))` for every frame, in order,
  `use_file_cache=False` (what `ClusterPZFDataSource.getSlice` does, without the 100-file cache
  that only a second pass could hit): the files located through PYME's registry, one
  keep-alive session per server;
- ours: `BIN export http://127.0.0.1:P0/bench_000.pcs --node http://127.0.0.1:P1/bench_000.pcs
  OUT.npy` (the listings, then every frame, fetched in parallel and decoded), on the default
  pool (2 threads here) and on 1 thread (RAYON_NUM_THREADS=1; fetching stays parallel).
Our output goes to /dev/shm when there is one (export fsyncs it). Every server is killed on
the way out.

Prints JSON {"rows": [{op, label, reference_mb_s, ours_mb_s, ratio}], "info": {...}} on stdout;
MB/s are 10^6 bytes of decoded frames per second.
"""
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import best_of  # noqa: E402

# pymecompress's quantizer printf()s to fd 1: keep our JSON apart.
sys.stdout.flush()
_saved = os.dup(1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)
os.close(_devnull)
OUT = os.fdopen(_saved, "w")

from PYME.IO import PZFFormat  # noqa: E402

SIDE = 512
SERIES = "bench_000.pcs"
servers = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(work, name):
    root = os.path.join(work, name)
    os.makedirs(root, exist_ok=True)
    port = free_port()
    log = open(os.path.join(work, name + ".log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "PYME.cluster.HTTPDataServer", "-a", "local",
         "-p", str(port), "-r", root], stdout=log, stderr=subprocess.STDOUT, cwd=root)
    servers.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/__status" % port, timeout=2) as r:
                if json.loads(r.read()).get("Port") == port:
                    return port
        except (OSError, ValueError):
            time.sleep(0.2)
    raise SystemExit("PYME's data server %s did not come up (see %s.log)" % (name, name))


def put(port, path, data):
    req = urllib.request.Request("http://127.0.0.1:%d/%s" % (port, path), data=data,
                                 method="PUT")
    with urllib.request.urlopen(req, timeout=30) as r:
        if r.status != 200:
            raise SystemExit("PUT %s: %d" % (path, r.status))


def main():
    work, bin_path = sys.argv[1], sys.argv[2]
    runs, rounds = int(sys.argv[3]), int(sys.argv[4])
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 500
    ports = [start_server(work, "server%d" % k) for k in (0, 1)]
    md = {"DimOrder": "XYCZT", "SizeC": 1, "SizeZ": 1, "SizeT": n, "Camera.ADOffset": 100.0}
    put(ports[0], SERIES + "/metadata.json", json.dumps(md).encode())
    rng = np.random.default_rng(12345)
    stored = 0
    last = None
    for i in range(n):
        last = rng.poisson(100, (SIDE, SIDE)).astype("<u2")
        blob = PZFFormat.dumps(last, sequenceID=0, frameNum=i,
                               compression=PZFFormat.DATA_COMP_HUFFCODE)
        stored += len(blob)
        put(ports[0 if i < n // 2 else 1], "%s/frame%05d.pzf" % (SERIES, i), blob)
    put(ports[0], SERIES + "/events.json", b"[]")

    from PYME.IO import clusterIO  # after the servers registered: it starts its discovery
    serverfilter = clusterIO.local_serverfilter
    names = ["%s/frame%05d.pzf" % (SERIES, i) for i in range(n)]
    # PYME's first lookup waits for its name service (up to 8 s): done here, untimed.
    first = PZFFormat.loads(clusterIO.get_file(names[0], serverfilter))[0].squeeze()

    def pyme():
        for name in names:
            PZFFormat.loads(clusterIO.get_file(name, serverfilter, use_file_cache=False))
        return len(names)

    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    out_dir = tempfile.mkdtemp(prefix="http-bench-", dir=shm)
    out = os.path.join(out_dir, "out.npy")
    urls = ["http://127.0.0.1:%d/%s" % (p, SERIES) for p in ports]

    def ours(threads):
        env = dict(os.environ)
        if threads:
            env["RAYON_NUM_THREADS"] = str(threads)

        def run():
            if os.path.exists(out):
                os.remove(out)
            subprocess.run([bin_path, "export", urls[0], "--node", urls[1], out], check=True,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return run

    timed = {"pyme": pyme, "ours": ours(None), "ours_1t": ours(1)}
    best = {}
    try:
        for _ in range(rounds):
            for key, f in timed.items():
                secs, _ = best_of(runs, f)
                best[key] = min(best.get(key, float("inf")), secs)
        ours(None)()
        exported = np.load(out, mmap_mode="r")
        if exported.shape != (n, SIDE, SIDE) or not np.array_equal(exported[0], first) \
                or not np.array_equal(exported[n - 1], last):
            raise SystemExit("our export differs from the frames PUT")
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    mb = n * SIDE * SIDE * 2 / 1e6

    def row(op, label, key):
        r, o = mb / best["pyme"], mb / best[key]
        return {"op": op, "label": label, "reference_mb_s": round(r, 1),
                "ours_mb_s": round(o, 1), "ratio": round(o / r, 2)}

    rows = [
        row("http_series_read", "2-server series over HTTP: export vs clusterIO.get_file + "
            "loads", "ours"),
        row("http_series_read_1t", "2-server series over HTTP: export, decoding on 1 thread",
            "ours_1t"),
    ]
    info = {"frames": n, "side": SIDE, "runs": runs, "rounds": rounds, "stored_bytes": stored}
    OUT.write(json.dumps({"rows": rows, "info": info}) + "\n")
    OUT.flush()


status = 1
try:
    main()
    status = 0
except BaseException:  # printed here: os._exit below skips the interpreter's report
    import traceback
    traceback.print_exc()
finally:
    for proc in servers:
        proc.kill()
        proc.wait(timeout=10)
    # PYME's client leaves its discovery threads running: do not wait for them.
    sys.stderr.flush()
    os._exit(status)
