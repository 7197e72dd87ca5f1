"""Our CLI on PYME-written .h5 files against PYME's own HDFDataSource (python-microscopy 26.9.3).

    python h5.py DATA_DIR PYMECOMPRESS_BIN WORK_DIR

DATA_DIR holds files fresh from fixtures/pyme_h5/generate.py and its manifest.json. For every
file, read live with PYME's HDFDataSource (never the saved .npy):
- `info --json`: kind h5, the frame count, the missing frames;
- `export` to .npy: equal to PYME's getSlice stack; for the aggregate with a missing frame,
  refused without --allow-incomplete, and with it each frame at its own FrameNum, the missing
  one zeros (PYME's reader gives the frame after the gap twice and drops the last one: the
  difference is checked to be exactly that); an aggregate without /Events (unfinished) is
  refused without --allow-incomplete;
- `convert` (huffman or quant16 for aggregates, the frames moved as stored; zstd for raw
  frames), then `export` of the store: the same array again; its .zattrs `pyme_metadata` holds
  PYME's metadata entries (pickled lists and dicts as their pickle text) and `pyme_events`
  PYME's events;
- float64 frames (HDFBackend spools them; PZF has no float64): read as PyTables reads
  `/ImageData[:]` too, `info --json` says float64, convert to huffman and zstd round-trips
  them, and quant16 is refused naming the type.
Prints one line per check and `h5_interop: N passed, M failed`; exits non-zero on a failure.
"""
import json
import os
import subprocess
import sys

import numpy as np
import tables

from PYME.IO import PZFFormat
from PYME.IO.DataSources import HDFDataSource

DATA, BIN, WORK = sys.argv[1:4]
os.makedirs(WORK, exist_ok=True)
results = []


def check(ok, what):
    results.append(bool(ok))
    print(("ok: " if ok else "FAIL: ") + what, flush=True)


def cli(*args):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True)


def pyme_read(path):
    ds = HDFDataSource.DataSource(path)
    stack = np.stack([np.asarray(ds.getSlice(i)) for i in range(ds.getNumSlices())])
    mdh = ds.mdh
    metadata = {k: mdh.getEntry(k) for k in mdh.getEntryNames()}
    events = [[e["EventName"].decode(), e["EventDescr"].decode(), float(e["Time"])]
              for e in ds.getEvents()]
    ds.release()
    return stack, metadata, events


def by_frame_num(path, n_frames):
    """Our policy: each stored frame at its own FrameNum (PYME's loads), the rest zeros."""
    with tables.open_file(path) as h:
        rows = h.root.PZFImageData[:]
        index = h.root.PZFImageIndex[:]
    frames = {int(f): PZFFormat.loads(rows[p])[0].squeeze() for f, p in index}
    first = next(iter(frames.values()))
    out = np.zeros((n_frames,) + first.shape, first.dtype)
    for f, frame in frames.items():
        out[f] = frame
    return out, sorted(set(range(n_frames)) - set(frames))


def same_metadata(ours, theirs):
    for key, value in theirs.items():
        if key not in ours:
            return "missing " + key
        if isinstance(value, (list, dict, tuple)):
            # PyTables pickled it; we keep the pickle's text.
            if not isinstance(ours[key], str):
                return key + ": not the pickle's text"
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if ours[key] != value:
            return "%s: %r, PYME %r" % (key, ours[key], value)
    extra = set(ours) - set(theirs)
    return "extra keys %s" % sorted(extra) if extra else None


def float64_case(name, path, out, stack, info):
    """What float64 adds to the common checks: PyTables' own reading of the array, the dtype
    in info, a lossless Huffman round trip, and quant16 refused."""
    with tables.open_file(path) as h:
        direct = h.root.ImageData[:]
    check(direct.dtype == np.float64 and np.array_equal(direct, stack),
          "%s: PyTables' ImageData[:] is PYME's stack" % name)
    check(info.get("dtype") == "float64", "%s: info --json dtype float64 (%s)"
          % (name, info.get("dtype")))
    r = cli("export", path, out + ".direct.npy")
    ok = r.returncode == 0 and np.load(out + ".direct.npy").dtype == np.dtype("<f8") \
        and np.array_equal(np.load(out + ".direct.npy"), direct)
    check(ok, "%s: export is PyTables' ImageData[:], <f8 (%s)" % (name, r.stderr.strip()[:200]))
    r = cli("convert", path, out + ".quant16.zarr", "--codec", "quant16", "--offset", "0",
            "--scale", "1")
    check(r.returncode == 2 and "float64" in r.stderr and "quant16" in r.stderr
          and not os.path.exists(out + ".quant16.zarr"),
          "%s: quant16 refused naming float64 (%s)" % (name, r.stderr.strip()[:200]))
    r = cli("convert", path, out + ".huffman.zarr", "--codec", "huffman")
    r2 = cli("export", out + ".huffman.zarr", out + ".huffman.npy")
    ok = r.returncode == 0 and r2.returncode == 0 \
        and np.array_equal(np.load(out + ".huffman.npy"), direct)
    check(ok, "%s: convert --codec huffman round-trips the float64 bits (%s)"
          % (name, (r.stderr + r2.stderr).strip()[:200]))


def run_case(name, case):
    path = os.path.join(DATA, name + ".h5")
    stack, metadata, events = pyme_read(path)
    out = os.path.join(WORK, name)
    info = cli("info", "--json", path)
    check(info.returncode == 0, "%s: info --json (%s)" % (name, info.stderr.strip()[:200]))
    if info.returncode != 0:
        return
    info = json.loads(info.stdout)
    check(info.get("kind") == "h5", "%s: kind h5" % name)
    if case["dtype"] == "float64":
        float64_case(name, path, out, stack, info)
    gap = bool(case.get("skipped"))
    if gap:
        expected, missing = by_frame_num(path, case["n_meta"])
        check(info.get("missing") == missing, "%s: info lists missing %s" % (name, missing))
        r = cli("export", path, out + ".refused.npy")
        check(r.returncode != 0 and "incomplete" in r.stderr,
              "%s: export refused without --allow-incomplete" % name)
        # PYME returns one slice fewer (one per stored row): slice i looks frame i up with
        # searchsorted, so the slice at the gap holds the next frame (returned twice) and the
        # last frame is never returned.
        m = missing[0]
        check(stack.shape[0] == expected.shape[0] - 1
              and np.array_equal(stack[:m], expected[:m])
              and np.array_equal(stack[m], expected[m + 1])
              and np.array_equal(stack[m + 1:], expected[m + 1:-1]),
              "%s: PYME's reader gives frame %d twice and drops the last (ours do not)"
              % (name, m + 1))
        flags = ["--allow-incomplete"]
    else:
        expected, flags = stack, []
        check(info.get("frames") == stack.shape[0] and info.get("missing") == [],
              "%s: info --json: %s frames, none missing" % (name, stack.shape[0]))
    if case["layout"] == "pzf" and not events:
        # An aggregate gets /Events from events.json, written last: without it the
        # acquisition did not finish, refused as a series without events.json is.
        r = cli("export", path, out + ".refused.npy")
        check(r.returncode != 0 and "incomplete" in r.stderr,
              "%s: an aggregate without /Events refused without --allow-incomplete" % name)
        flags = ["--allow-incomplete"]
    r = cli("export", path, out + ".npy", *flags)
    ok = r.returncode == 0
    if ok:
        ours = np.load(out + ".npy")
        ok = ours.dtype == expected.dtype and np.array_equal(ours, expected)
    check(ok, "%s: export equals PYME's %s %s (%s)" % (name, expected.shape, expected.dtype,
                                                         r.stderr.strip()[:200]))
    codec = "zstd"
    if case["layout"] == "pzf" and case["dumps"].get("compression") == 1:
        codec = "quant16" if case.get("quant") else "huffman"
    store = out + ".zarr"
    r = cli("convert", path, store, "--codec", codec, *flags)
    moved = "moved as stored" in r.stdout + r.stderr
    check(r.returncode == 0 and (codec == "zstd" or moved),
          "%s: convert --codec %s%s (%s)" % (name, codec, ", payloads moved" if moved else "",
                                              r.stderr.strip()[:200]))
    if r.returncode != 0:
        return
    r = cli("export", store, out + ".back.npy")
    ok = r.returncode == 0 and np.array_equal(np.load(out + ".back.npy"), expected)
    check(ok, "%s: the converted store exports PYME's array again" % name)
    with open(os.path.join(store, ".zattrs")) as f:
        attrs = json.load(f)
    problem = same_metadata(attrs.get("pyme_metadata", {}), metadata)
    check(problem is None, "%s: pyme_metadata is PYME's metadata (%s)" % (name, problem))
    check(attrs.get("pyme_events", []) == events, "%s: pyme_events are PYME's" % name)
    if gap:
        check(attrs.get("pyme_missing_frames") == missing,
              "%s: pyme_missing_frames %s" % (name, missing))


def main():
    with open(os.path.join(DATA, "manifest.json")) as f:
        manifest = json.load(f)
    for name, case in sorted(manifest["cases"].items()):
        try:
            run_case(name, case)
        except Exception as e:  # a crash in one case is that case's failure
            check(False, "%s: %s: %s" % (name, type(e).__name__, e))
    passed = sum(results)
    failed = len(results) - passed
    print("h5_interop: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not results else 0)


main()
