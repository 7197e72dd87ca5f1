"""Driver of python/tests/dask_s3.sh: a PYME series on PYME's own data servers, converted to a
quant16 zarr store in an S3 bucket (moto) by a 2-worker dask.distributed LocalCluster.

    python dask_s3.py REPO WORK PYME_PYTHON

Runs in the venv with pymecompress_rs, zarr 3.1, s3fs, moto[server] and dask[distributed].
PYME_PYTHON is the interpreter of the venv that runs PYME's HTTPDataServer and the reference
pymecompress 0.3.6 (with PYME_TREE on its PYTHONPATH, PYME_HOME as its HOME). Every server is
started here on 127.0.0.1 and killed on the way out. Prints one line per check and ends with
"dask_s3: PASS (N checks)" or "dask_s3: FAIL (M of N checks failed)"; exits 1 on failure.

The checks:
- the store's values equal quant16's rule (q = round(sqrt(x - offset) / scale), decoded as
  (q * scale)^2 + offset) applied in numpy to the frames PYME reads (the fixture's
  expected.npy, PZFFormat.loads of every frame), at the offset the series' metadata gives
  (Camera.ADOffset) and scale 1; and agree with pymecompress 0.3.6's own HuffmanQuant16 codec
  (encode then decode) on the same frames up to its documented +-1 symbol (AVX rsqrt);
- each worker process read frames (its pymecompress_rs.pyme.frames_read() > 0, the two
  adding up to the series), this process none; each PYME server answered frame GETs;
- the store is Zarr v3 with the numcodecs.pymecompress-quant16 serializer, one object per frame.
"""

import json
import os
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

import numpy as np

REPO, WORK, PYME_PYTHON = sys.argv[1:4]
FIXTURE = os.path.join(REPO, "fixtures", "pyme_series", "data", "complete")
SERIES = "scan_000.pcs"
FRAMES = 120
procs = []
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def start(name, argv, ready_url, env=None, cwd=None):
    """Starts a server, its output in WORK/NAME.log; waits (60 s at most) for ready_url."""
    log_path = os.path.join(WORK, f"{name}.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    procs.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            get(ready_url, timeout=2)
            return log_path
        except (OSError, ValueError):
            time.sleep(0.2)
    log.close()
    with open(log_path, errors="replace") as f:
        sys.stderr.write(f.read()[-3000:])
    raise SystemExit(f"dask_s3: FAIL ({name} did not come up)")


def start_pyme(i):
    """PYME's data server over a temporary root; gets server i's share of the fixture by HTTP
    PUT, in the order PYME's HTTPSpooler_v2 sends it (metadata, frames, events last)."""
    root = os.path.join(WORK, f"root{i}")
    os.makedirs(root)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.environ["PYME_TREE"], HOME=os.environ["PYME_HOME"],
               TMPDIR=os.path.join(WORK, "tmp"))
    log = start(f"pyme_server{i}",
                [PYME_PYTHON, "-W", "ignore", "-m", "PYME.cluster.HTTPDataServer",
                 "-a", "local", "-p", str(port), "-r", root, "--log-requests"],
                f"http://127.0.0.1:{port}/__status", env=env, cwd=root)
    src = os.path.join(FIXTURE, f"server{i}", SERIES)
    names = sorted(os.listdir(src))
    order = [n for n in names if n == "metadata.json"]
    order += [n for n in names if n.startswith("frame")]
    order += [n for n in ("final_metadata.json", "events.json") if n in names]
    bad = {}
    for n in order:
        with open(os.path.join(src, n), "rb") as f:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/{SERIES}/{n}",
                                         data=f.read(), method="PUT")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        if status != 200:
            bad[n] = status
    check(f"PUT server{i}'s {len(order)} files to PYME's data server", not bad, bad)
    return f"http://127.0.0.1:{port}/{SERIES}", log


def reference_quant16(offset, scale):
    """pymecompress 0.3.6's HuffmanQuant16 codec (its encode, then its decode) on every frame of
    expected.npy, in PYME's venv. Its module imports numcodecs only to subclass Codec and
    register; in a venv without numcodecs a stand-in module provides those two names."""
    out = os.path.join(WORK, "reference.npy")
    code = (
        "import sys, types, numpy as np\n"
        "try:\n"
        "    import numcodecs\n"
        "except ImportError:\n"
        "    nc = types.ModuleType('numcodecs'); nc.register_codec = lambda cls: None\n"
        "    nc_abc = types.ModuleType('numcodecs.abc'); nc_abc.Codec = object\n"
        "    nc.abc = nc_abc; sys.modules['numcodecs'] = nc; sys.modules['numcodecs.abc'] = nc_abc\n"
        "from pymecompress.codecs import HuffmanQuant16\n"
        "frames = np.load(sys.argv[1])\n"
        "codec = HuffmanQuant16(offset=float(sys.argv[3]), scale=float(sys.argv[4]))\n"
        "ref = np.stack([codec.decode(codec.encode(np.ascontiguousarray(f))).reshape(f.shape)"
        " for f in frames])\n"
        "np.save(sys.argv[2], ref)\n")
    subprocess.run([PYME_PYTHON, "-c", code, os.path.join(FIXTURE, "expected.npy"), out,
                    str(offset), str(scale)], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)  # the reference prints a line per frame
    return np.load(out)


def frame_gets(log):
    with open(log, errors="replace") as f:
        return sum(1 for line in f if "GET /" + SERIES + "/frame" in line)


def main():
    os.makedirs(os.path.join(WORK, "tmp"))
    url0, log0 = start_pyme(0)
    url1, log1 = start_pyme(1)
    s3_port = free_port()
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    start("moto", [moto, "-H", "127.0.0.1", "-p", str(s3_port)],
          f"http://127.0.0.1:{s3_port}/")
    endpoint = f"http://127.0.0.1:{s3_port}"
    # moto accepts any credentials; the workers get them from the storage options in the graph
    # and, for anything that looks in the environment, from the environment they inherit.
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL=endpoint)
    # no region_name here: s3fs would send it as the bucket's LocationConstraint, which S3
    # refuses for us-east-1
    opts = {"key": "testing", "secret": "testing", "endpoint_url": endpoint}

    import dask.array as da
    import s3fs
    import zarr
    from dask.distributed import Client, LocalCluster

    from pymecompress_rs import pyme
    from pymecompress_rs.zarr3 import HuffmanQuant16

    s3fs.S3FileSystem(**opts).mkdir("pyme-bucket")
    img = pyme.open(url0, nodes=[url1])
    check("pyme.open of the series URL with nodes=: 120 frames (120, 32, 32) uint16, complete",
          img.shape == (FRAMES, 32, 32) and img.dtype == np.uint16 and not img.missing
          and img.finished, (img.shape, img.dtype, img.missing, img.finished))
    offset, scale = float(img.metadata["Camera.ADOffset"]), 1.0
    reference = reference_quant16(offset, scale)
    expected = np.load(os.path.join(FIXTURE, "expected.npy"))
    check("the reference's quant16 is lossy on this series (so the check below can fail)",
          not np.array_equal(reference, expected))

    started = time.monotonic()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        da.to_zarr(img.to_dask(), "s3://pyme-bucket/scan_000.zarr", storage_options=opts,
                   zarr_format=3, serializer=HuffmanQuant16(offset=offset, scale=scale),
                   compressors=None)
        reads = client.run(lambda: __import__("pymecompress_rs.pyme").pyme.frames_read())
    took = time.monotonic() - started
    print(f"     da.to_zarr on 2 workers: {took:.1f} s, frames read per worker {reads}")
    check("each of the 2 worker processes read frames, 120 in all",
          len(reads) == 2 and min(reads.values()) > 0 and sum(reads.values()) == FRAMES, reads)
    check("this process read no frame (only the metadata)", pyme.frames_read() == 0,
          pyme.frames_read())
    gets = frame_gets(log0), frame_gets(log1)
    check(f"both PYME data servers answered frame GETs ({gets[0]} and {gets[1]}: the frames "
          "and the headers each process reads when it opens the series)", min(gets) > 0, gets)

    back = zarr.open_array("s3://pyme-bucket/scan_000.zarr", mode="r", storage_options=opts)
    codecs = [c.to_dict() for c in back.metadata.codecs]
    check("Zarr v3, serializer numcodecs.pymecompress-quant16 at the metadata's offset",
          back.metadata.zarr_format == 3 and len(codecs) == 1
          and codecs[0]["name"] == "numcodecs.pymecompress-quant16"
          and codecs[0]["configuration"].get("offset") == offset
          and codecs[0]["configuration"].get("scale") == scale, codecs)
    fs = s3fs.S3FileSystem(**opts)
    chunks = [p for p in fs.find("pyme-bucket/scan_000.zarr") if "/c/" in p]
    check("one chunk object per frame in the bucket", len(chunks) == FRAMES, len(chunks))
    got = back[...]
    spec = spec_quant16(expected, offset, scale)
    check("the bucket's array equals the quant16 rule (docs/format.md 2.) applied to what PYME "
          "reads", got.shape == spec.shape and np.array_equal(got, spec),
          f"{int((got != spec).sum()) if got.shape == spec.shape else got.shape} values differ")
    # pymecompress 0.3.6 quantizes with an approximate reciprocal square root (AVX): its
    # symbol may be 1 off the exact one near a rounding boundary, never more.
    if got.shape == reference.shape:
        q_got, q_ref = symbols(got, offset, scale), symbols(reference, offset, scale)
        differ = int((q_got != q_ref).sum())
        print(f"     pymecompress 0.3.6 differs in {differ} of {got.size} symbols "
              f"(max |dq| {int(np.abs(q_got - q_ref).max())})")
        check("pymecompress 0.3.6's quant16 of the same frames: every symbol within 1, "
              "under 1% differ", np.abs(q_got - q_ref).max() <= 1 and differ < got.size / 100,
              differ)


def spec_quant16(frames, offset, scale):
    """quant16 as docs/format.md section 2 states it, in float64: Q(x) = 0 for x <= offset, else
    min(255, round(sqrt(x - offset) / scale)) with ties down; D(q) = trunc((q * scale)^2 +
    offset) clamped to 0..=65535."""
    q = symbols(frames, offset, scale)
    return np.trunc((q * scale) ** 2 + offset).clip(0, 65535).astype(np.uint16)


def symbols(values, offset, scale):
    d = np.maximum(values.astype(np.float64) - offset, 0)
    return np.minimum(np.ceil(np.sqrt(d) / scale - 0.5), 255).clip(0, None)

if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001 - a crash is a failed check, reported with its trace
        traceback.print_exc()
        check("the run completed", False, "exception above")
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(timeout=10)
    failed = results.count(False)
    if failed or not results:
        print(f"dask_s3: FAIL ({failed} of {len(results)} checks failed)")
        sys.exit(1)
    print(f"dask_s3: PASS ({len(results)} checks)")
