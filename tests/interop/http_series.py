"""Driver of tests/interop/http_series.sh: a PYME series over HTTP, PYME's data servers live.

    python http_series.py REPO BIN WORK

Runs with PYME (the sdist's PYME/ on PYTHONPATH) importable. Every server is started here on
127.0.0.1, every wait and every CLI run is bounded, and every server is killed on the way out.
Prints one line per check (tests/interop/checks.py) and "http_series: N passed, M failed";
exits 1 on any failure.
"""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

REPO, BIN, WORK = sys.argv[1:4]
FIXTURE = os.path.join(REPO, "fixtures", "pyme_series", "data", "complete")
SERIES = "scan_000.pcs"
CLI_TIMEOUT = 120  # seconds for one CLI run; each fault below must end far sooner

servers = []


def expect(name, ok, detail="", said=""):
    """checks.check on a condition already computed; `said` (the CLI's message) is shown."""
    def test():
        if not ok:
            raise AssertionError(detail)
    check(name, test)
    if ok and said:
        print(f"        {said.strip()}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def start_pyme(name, root, *extra):
    """PYME's data server on a free loopback port over `root`; waits for /__status."""
    os.makedirs(root, exist_ok=True)
    port = free_port()
    log = open(os.path.join(WORK, f"{name}.log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "PYME.cluster.HTTPDataServer",
         "-a", "local", "-p", str(port), "-r", root, *extra],
        stdout=log, stderr=subprocess.STDOUT, cwd=root)
    servers.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status = json.loads(get(f"http://127.0.0.1:{port}/__status", timeout=2))
            if status.get("Port") == port:
                return port, proc
        except (OSError, ValueError):
            time.sleep(0.2)
    log.close()
    with open(os.path.join(WORK, f"{name}.log"), errors="replace") as f:
        sys.stderr.write(f.read()[-3000:])
    raise SystemExit(f"http_series: PYME's data server {name} did not come up")


def put(port, path, data):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/{path}", data=data, method="PUT")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def spool(port, src):
    """PUTs a fixture copy of the series as HTTPSpooler_v2 sends it: metadata.json first, the
    frames in order, final_metadata.json, events.json last. Returns the statuses."""
    names = sorted(os.listdir(src))
    frames = [n for n in names if n.startswith("frame")]
    order = [n for n in ["metadata.json"] if n in names] + frames
    order += [n for n in ["final_metadata.json", "events.json"] if n in names]
    statuses = {}
    for n in order:
        with open(os.path.join(src, n), "rb") as f:
            statuses[n] = put(port, f"{SERIES}/{n}", f.read())
    return statuses


def cli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    started = time.monotonic()
    try:
        r = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=CLI_TIMEOUT,
                           env=env)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {CLI_TIMEOUT} s", CLI_TIMEOUT
    return r.returncode, r.stdout, r.stderr, time.monotonic() - started


def leftovers(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def live_series():
    roots = [os.path.join(WORK, f"root{i}") for i in (0, 1)]
    (p0, _), (p1, _) = start_pyme("server0", roots[0]), start_pyme("server1", roots[1])
    for i, port in enumerate((p0, p1)):
        statuses = spool(port, os.path.join(FIXTURE, f"server{i}", SERIES))
        bad = {n: s for n, s in statuses.items() if s != 200}
        expect(f"PUT server{i}'s {len(statuses)} files to PYME's data server", not bad, bad)
    expect("PYME's server is write-once (a second PUT: 405)",
          put(p0, f"{SERIES}/metadata.json", b"{}") == 405)
    url = f"http://127.0.0.1:{p0}/{SERIES}"
    node = f"http://127.0.0.1:{p1}/{SERIES}"
    both = [url, "--node", node]

    rc, out, err, _ = cli("info", "--json", *both)
    info = json.loads(out) if rc == 0 else {}
    expect("info --json: a complete series of 120 frames on both servers",
          rc == 0 and info.get("kind") == "series" and info.get("frames") == 120
          and info.get("complete") is True and info["series"]["dirs"] == [url, node]
          and info["series"]["finished"] is True, (rc, err, out[:500]))

    out_npy = os.path.join(WORK, "out", "series.npy")
    os.makedirs(os.path.dirname(out_npy))
    rc, out, err, _ = cli("export", *both, out_npy)
    expected = np.load(os.path.join(FIXTURE, "expected.npy"))
    same = rc == 0 and np.array_equal(np.load(out_npy), expected)
    expect("export equals expected.npy (what PYME reads)", same, (rc, err))

    store = os.path.join(WORK, "out", "series.zarr")
    rc, out, err, _ = cli("convert", *both, store, "--codec", "huffman")
    expect("convert --codec huffman", rc == 0, (rc, err))
    back = os.path.join(WORK, "out", "back.npy")
    rc2, _, err2, _ = cli("export", store, back)
    expect("the converted store exports as expected.npy",
          rc == 0 and rc2 == 0 and np.array_equal(np.load(back), expected), (rc2, err2))
    rc, out, err, _ = cli("verify", *both)
    expect("verify over HTTP", rc == 0 and "complete" in out, (rc, out, err))
    rc, out, err, _ = cli("verify", url, "--node", f"http://127.0.0.1:{p1}/")
    expect("a --node that is the server's root is refused, saying so",
          rc == 1 and "series' directory" in err and f"127.0.0.1:{p1}/:" in err, (rc, err),
          said=err)
    rc, out, err, _ = cli("verify", url, "--node", f"http://127.0.0.1:{p1}/LOGS")
    expect("a --node holding no part of the series is refused, saying so",
          rc == 1 and "series' own directory" in err and f"127.0.0.1:{p1}/LOGS" in err,
          (rc, err), said=err)
    return p0, p1


def big_frames(p0, p1):
    """Frames over 8 KiB, as a camera's are: PYME's server lists the first frame file a server
    gets of a series at twice its size (PYME/IO/clusterListing.py `update_cache` fills the
    directory's cache from disk after the write, then adds the write's size; a file of at most
    8 KiB is still in Python's write buffer then). The listed size is a bound, not the length."""
    from PYME.IO import PZFFormat
    name = "big_000.pcs"
    rng = np.random.default_rng(7)
    n = 4
    md = {"DimOrder": "XYCZT", "SizeC": 1, "SizeZ": 1, "SizeT": n, "Camera.ADOffset": 100.0}
    statuses = [put(p0, f"{name}/metadata.json", json.dumps(md).encode())]
    blobs = [PZFFormat.dumps(rng.poisson(100, (128, 128)).astype("<u2"), sequenceID=0,
                             frameNum=i, compression=PZFFormat.DATA_COMP_HUFFCODE)
             for i in range(n)]
    for i, blob in enumerate(blobs):
        statuses.append(put(p0 if i < n // 2 else p1, f"{name}/frame{i:05d}.pzf", blob))
    statuses.append(put(p0, f"{name}/events.json", b"[]"))
    listed = json.loads(get(f"http://127.0.0.1:{p1}/{name}/"))
    first = f"frame{n // 2:05d}.pzf"
    expect(f"PYME lists {first}, the first frame server1 got, at twice its {len(blobs[2])} bytes",
           statuses == [200] * len(statuses) and len(blobs[2]) > 8192
           and listed.get(first, [0, 0])[1] == 2 * len(blobs[2]), (statuses, listed))
    out = os.path.join(WORK, "out", "big.npy")
    rc, _, err, _ = cli("export", f"http://127.0.0.1:{p0}/{name}", "--node",
                        f"http://127.0.0.1:{p1}/{name}", out)
    expected = np.stack([PZFFormat.loads(b)[0].squeeze() for b in blobs])
    expect("export of 128x128 frames over HTTP equals what PYME reads",
           rc == 0 and np.array_equal(np.load(out), expected), (rc, err))


def followed_live_series():
    """`convert --follow` against two fresh PYME data servers while the series is PUT frame by
    frame, each frame to the server PYME's spooler sent it to; events.json last."""
    roots = [os.path.join(WORK, f"live{i}") for i in (0, 1)]
    (p0, _), (p1, _) = start_pyme("live0", roots[0]), start_pyme("live1", roots[1])
    url = f"http://127.0.0.1:{p0}/{SERIES}"
    node = f"http://127.0.0.1:{p1}/{SERIES}"
    out_dir = os.path.join(WORK, "follow")
    os.makedirs(out_dir)
    store = os.path.join(out_dir, "live.zarr")
    log = open(os.path.join(WORK, "follow.log"), "w+")
    proc = subprocess.Popen([BIN, "convert", url, "--node", node, store, "--follow",
                             "--poll-interval", "0.2", "--follow-timeout", "60"],
                            stdout=log, stderr=subprocess.STDOUT)
    srcs = [os.path.join(FIXTURE, f"server{i}", SERIES) for i in (0, 1)]
    statuses = {}
    time.sleep(0.5)  # started before the acquisition: it waits for metadata.json
    for i, (port, src) in enumerate(zip((p0, p1), srcs)):
        if os.path.exists(os.path.join(src, "metadata.json")):
            with open(os.path.join(src, "metadata.json"), "rb") as f:
                statuses[f"{i}/metadata.json"] = put(port, f"{SERIES}/metadata.json", f.read())
    chunks_before_end = 0
    for n in range(120):
        name = f"frame{n:05d}.pzf"
        (i, port, src), = [(i, p, s) for i, (p, s) in enumerate(zip((p0, p1), srcs))
                           if os.path.exists(os.path.join(s, name))]
        with open(os.path.join(src, name), "rb") as f:
            statuses[f"{i}/{name}"] = put(port, f"{SERIES}/{name}", f.read())
        time.sleep(0.01)
    # Frames are written while following, before events.json exists.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        temps = [d for d in leftovers(out_dir) if d.startswith(".live.zarr.partial-")]
        chunks_before_end = max([len([n for n in leftovers(os.path.join(out_dir, t))
                                      if not n.startswith(".")]) for t in temps] + [0])
        if chunks_before_end >= 100:
            break
        time.sleep(0.1)
    for name in ("final_metadata.json", "events.json"):
        for i, (port, src) in enumerate(zip((p0, p1), srcs)):
            if os.path.exists(os.path.join(src, name)):
                with open(os.path.join(src, name), "rb") as f:
                    statuses[f"{i}/{name}"] = put(port, f"{SERIES}/{name}", f.read())
    bad = {n: s for n, s in statuses.items() if s != 200}
    expect(f"PUT {len(statuses)} files frame by frame to two PYME data servers", not bad, bad)
    try:
        rc = proc.wait(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    log.seek(0)
    said = log.read()
    expect(f"convert --follow wrote {chunks_before_end} chunks before events.json",
          chunks_before_end >= 100, (chunks_before_end, said))
    expect("convert --follow ends with exit 0 once events.json is there",
          rc == 0 and "120 frames" in said, (rc, said))
    back = os.path.join(out_dir, "live.npy")
    rc2, _, err2, _ = cli("export", store, back)
    expected = np.load(os.path.join(FIXTURE, "expected.npy"))
    expect("the followed store exports as expected.npy (what PYME reads)",
          rc2 == 0 and np.array_equal(np.load(back), expected), (rc2, err2))
    rc3, out3, err3, _ = cli("verify", store)
    expect("verify: the followed store is complete", rc3 == 0 and "complete" in out3,
          (rc3, out3, err3))
    with open(os.path.join(store, ".zattrs")) as f:
        attrs = json.load(f)
    with open(os.path.join(srcs[0], "events.json")) as f:
        events = json.load(f)
    expect("its attributes hold PYME's events.json and final metadata",
          attrs.get("pyme_events") == events and "pyme_final_metadata" in attrs,
          (attrs.get("pyme_events"), events))


def killed_mid_read(p0):
    """A third PYME server, slowed by its own --timeout-test (each request waits 0.3 s),
    serving server1's frames; killed while export reads."""
    root = os.path.join(WORK, "root_slow")
    shutil.copytree(os.path.join(FIXTURE, "server1", SERIES), os.path.join(root, SERIES))
    port, proc = start_pyme("slow", root, "--timeout-test", "0.3")
    out_dir = os.path.join(WORK, "out_killed")
    os.makedirs(out_dir)
    url, node = f"http://127.0.0.1:{p0}/{SERIES}", f"http://127.0.0.1:{port}/{SERIES}"
    result = {}
    reader = threading.Thread(target=lambda: result.update(
        r=cli("export", url, "--node", node, os.path.join(out_dir, "s.npy"),
              env_extra={"PYMECOMPRESS_HTTP_TIMEOUT": "2"})))
    reader.start()
    # Opening fetches a listing and a JSON file from it (0.3 s each), no frame file of it;
    # reading its 50 frames at 0.3 s, 4 at once, takes about 4 s more: killed mid-read.
    time.sleep(2)
    proc.kill()
    proc.wait(timeout=10)
    reader.join(timeout=CLI_TIMEOUT + 10)
    rc, _, err, took = result.get("r", (None, "", "no result", 0))
    expect("a data server killed mid-read: exit 1 naming it, no output left",
          rc == 1 and f"127.0.0.1:{port}/{SERIES}/frame000" in err and not leftovers(out_dir),
          (rc, err, leftovers(out_dir), took), said=f"({took:.1f} s) {err}")


def pzf_numbered(path, n):
    """A PZF file PYME wrote (a fixture), its header's FrameNum (bytes 16..20) made `n`."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[16:20] = n.to_bytes(4, "little")
    return bytes(data)


class Fake(http.server.BaseHTTPRequestHandler):
    """A data server gone wrong, by the first path component: /notjson, /short, /missing,
    /hang, /huge, /renumbered (frame00007.pzf holds frame 5), /reshaped (frame00007.pzf is a
    17x3 frame); otherwise it serves server0's copy of the fixture as PYME would."""

    protocol_version = "HTTP/1.1"
    src = os.path.join(FIXTURE, "server0", SERIES)

    @classmethod
    def body_of(cls, mode, name):
        """The bytes served as `name` in `mode`, or None for a file the fixture lacks."""
        if name == "frame00007.pzf" and mode == "renumbered":
            name = "frame00005.pzf"
        if name == "frame00007.pzf" and mode == "reshaped":
            return pzf_numbered(os.path.join(REPO, "fixtures", "pzf", "u16_huff_17x3.pzf"), 7)
        path = os.path.join(cls.src, name)
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def log_message(self, *args):
        pass

    def answer(self, body, status=200, length=None, close=False):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = close

    def do_GET(self):
        mode, _, rest = self.path.lstrip("/").partition("/")
        if rest == f"{SERIES}/":
            if mode == "notjson":
                return self.answer(b"<html><body>Directory listing</body></html>")
            if mode == "hang":
                time.sleep(30)
                return self.answer(b"{}")
            if mode == "huge":
                return self.answer(b"{}", length=10**15, close=True)
            listing = {n: [0, len(self.body_of(mode, n))] for n in os.listdir(self.src)}
            return self.answer(json.dumps(listing).encode())
        name = rest[len(SERIES) + 1:]
        body = self.body_of(mode, name) if rest.startswith(SERIES + "/") else None
        if body is None or (mode == "missing" and name == "frame00007.pzf"):
            return self.answer(b"not found", status=404)
        if mode == "short" and name.startswith("frame"):
            return self.answer(body[:200], length=len(body), close=True)
        return self.answer(body)


def fake_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cases = [
        ("notjson", f"{base}/notjson/{SERIES}/", "not JSON"),
        ("short", f"{base}/short/{SERIES}/frame00000.pzf", "broke off"),
        ("missing", f"{base}/missing/{SERIES}/frame00007.pzf", "listing has it"),
        ("hang", f"{base}/hang/{SERIES}/", "no answer in time"),
        ("huge", f"{base}/huge/{SERIES}/", "above the bound"),
        # Opening fetches no frame file but frame 0: these are found when frame 7 is read.
        ("renumbered", f"{base}/renumbered/{SERIES}/frame00007.pzf",
         "the file name says frame 7, the header's FrameNum is 5"),
        ("reshaped", f"{base}/reshaped/{SERIES}/frame00007.pzf", "frame 7 has shape"),
    ]
    for mode, names, says in cases:
        out_dir = os.path.join(WORK, f"out_{mode}")
        os.makedirs(out_dir)
        # server0's copy alone: --allow-incomplete, so that export reaches frame 7.
        rc, _, err, took = cli("export", f"{base}/{mode}/{SERIES}", "--allow-incomplete",
                               os.path.join(out_dir, "s.npy"),
                               env_extra={"PYMECOMPRESS_HTTP_TIMEOUT": "1"})
        expect(f"fake server, {mode}: exit 1 naming {names.split('/', 3)[3]}, "
              f"in {took:.1f} s, no output",
              rc == 1 and names in err and says in err and took < 30
              and not leftovers(out_dir), (rc, err, took, leftovers(out_dir)), said=err)
        if mode in ("missing", "renumbered", "reshaped"):
            # verify reads every frame: it finds the frame opening did not fetch.
            rc, _, err, _ = cli("verify", f"{base}/{mode}/{SERIES}", "--allow-incomplete",
                                env_extra={"PYMECOMPRESS_HTTP_TIMEOUT": "1"})
            expect(f"fake server, {mode}: verify finds frame 7, exit 1",
                   rc == 1 and "error: frame 7: " in err and names in err and says in err, (rc, err),
                   said=err)
    server.shutdown()


def main():
    try:
        p0, p1 = live_series()
        big_frames(p0, p1)
        followed_live_series()
        killed_mid_read(p0)
        fake_server()
    finally:
        for proc in servers:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
    finish("http_series")


if __name__ == "__main__":
    main()
