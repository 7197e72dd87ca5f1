#!/usr/bin/env python3
"""Live PZF cross-check: PYME's PZFFormat (python-microscopy 26.9.3) against our reader/writer.

Run by tests/interop/pzf.sh, which makes the venv and puts PZFFormat.py on PYTHONPATH.

For random frames (seed printed; PZF_INTEROP_SEED to repeat), every dtype (u1, u2, f4), C/F
order, 2-D/3-D and tiny shapes, raw/Huffman, sqrt quantization of u2 at random offset/scale:
  1. PYME dumps -> our decode: the array equals loads' exactly (shape, dtype, values), except
     quantized pixels whose float32 value lies outside 0..65536, where PYME wraps and we
     saturate (checked to be exactly those);
  2. our encode -> PYME loads: the array equals the input (lossless), and the file is
     byte-identical to dumps' for raw and Huffman frames; for quantized frames the header is
     identical and the symbols differ from the reference's only by its rsqrt (+-1) and its
     wrapping tail (counted);
  3. our chunked frames -> PYME loads (with the Python-2 `range` shim, see
     fixtures/pzf/generate_pzf.py) equal the input.
Then PYME's own tests/PYME/IO/test_pzf.py runs with pytest against PYME's module.
Closing line: "pzf_interop: N passed, M failed".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.stdout.flush()
_saved_stdout = os.dup(1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)  # pymecompress's C quantizer printf()s to fd 1
os.close(_devnull)
OUT = os.fdopen(_saved_stdout, "w", buffering=1)

import logging  # noqa: E402

from pymecompress import bcl  # noqa: E402
from PYME.IO import PZFFormat  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)


def say(*a):
    print(*a, file=OUT, flush=True)


def loads(data):
    """PZFFormat.loads; for chunked payloads through the Python-2 `range` shim."""
    if data[4] != 2:
        return PZFFormat.loads(data)
    PZFFormat.range = lambda n: range(int(np.ravel(n)[0]))
    try:
        return PZFFormat.loads(data)
    finally:
        del PZFFormat.range


def random_case(rng, i):
    dtype = ["u1", "u2", "f4"][i % 3]
    kind = rng.integers(0, 6)
    if kind == 0:
        shape = tuple(int(x) for x in rng.integers(0, 3, 2))
    elif kind == 1:
        shape = (1, int(rng.integers(1, 3000)))
    elif kind == 2:
        shape = tuple(int(x) for x in rng.integers(1, 12, 3))
    else:
        shape = tuple(int(x) for x in rng.integers(1, 300, 2))
    if dtype == "f4":
        a = rng.normal(0, 10 ** rng.uniform(-3, 6), shape).astype("f4")
    elif dtype == "u1":
        a = rng.integers(0, 1 << int(rng.integers(1, 9)), shape).astype("u1")
    else:
        a = np.minimum(rng.poisson(10 ** rng.uniform(0, 4.8), shape), 65535).astype("u2")
        if rng.integers(0, 8) == 0:
            a = (65535 - a // 64).astype("u2")  # near the top: saturation and wrap-around
    if rng.integers(0, 2):
        a = np.asfortranarray(a)
    quant = dtype == "u2" and rng.integers(0, 3) == 0
    comp = 1 if quant else int(rng.integers(0, 2))
    args = dict(compression=comp,
                sequenceID=int(rng.integers(-2 ** 63, 2 ** 63 - 1)),
                frameNum=int(rng.integers(0, 2 ** 32)),
                frameTimestamp=int(rng.integers(0, 2 ** 63)))
    if quant:
        args.update(quantization=1,
                    # negative offsets give values below 0 (PYME wraps them, we saturate)
                    quantizationOffset=float(np.float32(rng.uniform(-1000, 500))),
                    quantizationScale=float(np.float32(10 ** rng.uniform(-1.5, 1))))
    return a, args


class Ours:
    """Runs the Rust example in batch mode: one process for many commands."""

    def __init__(self, binary):
        self.binary = binary

    def batch(self, commands, tmp):
        path = os.path.join(tmp, "batch.txt")
        with open(path, "w") as f:
            f.write("\n".join(" ".join(map(str, c)) for c in commands) + "\n")
        out = subprocess.run([self.binary, "batch", path], check=True, capture_output=True,
                             text=True).stdout.splitlines()
        assert len(out) == len(commands), out
        return out


def same_field(key, ours, header):
    """Our header JSON field against loads' record (floats as float32: we print the shortest
    float32 text)."""
    theirs = header[key][0]
    if key == "DimOrder":
        return ours == theirs.decode()
    if key in ("QuantOffset", "QuantScale"):
        return np.float32(ours) == theirs or (np.isnan(theirs) and ours is None)
    return ours == theirs.item()


def exact_symbols(flat, offset, scale):
    above = flat.astype(np.float64) - float(np.float32(offset))
    q = np.ceil(np.sqrt(np.maximum(above, 0)) / float(np.float32(scale)) - 0.5)
    q[above <= 0] = 0
    return np.minimum(q, 255).astype("u1"), q


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--cases", type=int, default=int(os.environ.get("PZF_INTEROP_CASES", 300)))
    p.add_argument("--seed", type=int,
                   default=int(os.environ.get("PZF_INTEROP_SEED", np.random.SeedSequence().entropy % 2 ** 32)))
    p.add_argument("--pyme-tests", required=True, help="tests/PYME/IO/test_pzf.py")
    a = p.parse_args()
    say(f"pzf_interop: seed {a.seed} (PZF_INTEROP_SEED={a.seed} to repeat), {a.cases} cases")
    rng = np.random.default_rng(a.seed)
    ours = Ours(a.bin)
    passed = failed = 0
    stats = {"rsqrt": 0, "tail": 0, "wrapped": 0, "quantized": 0, "chunked": 0}

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            say(f"FAIL {what}")

    with tempfile.TemporaryDirectory() as tmp:
        cases = [random_case(rng, i) for i in range(a.cases)]
        commands = []
        for i, (arr, args) in enumerate(cases):
            ref = os.path.join(tmp, f"{i}.ref.pzf")
            with open(ref, "wb") as f:
                f.write(PZFFormat.dumps(arr, **args))
            np.save(os.path.join(tmp, f"{i}.in.npy"), arr)
            commands.append(["decode", ref, os.path.join(tmp, f"{i}.ours_read.npy")])
            commands.append(["encode", os.path.join(tmp, f"{i}.in.npy"), os.path.join(tmp, f"{i}.ours.pzf"),
                             args["compression"], args.get("quantization", 0),
                             args.get("quantizationOffset", 0.0), args.get("quantizationScale", 1.0),
                             args["sequenceID"], args["frameNum"], args["frameTimestamp"]])
            if not args.get("quantization"):
                commands.append(["encode", os.path.join(tmp, f"{i}.in.npy"), os.path.join(tmp, f"{i}.chunked.pzf"),
                                 2, 0, 0.0, 1.0, args["sequenceID"], args["frameNum"],
                                 args["frameTimestamp"], int(rng.integers(1, 5))])
        results = iter(ours.batch(commands, tmp))

        for i, (arr, args) in enumerate(cases):
            what = f"case {i}: {arr.dtype} {arr.shape} {'F' if arr.flags['F_CONTIGUOUS'] else 'C'} {args}"
            ref_bytes = open(os.path.join(tmp, f"{i}.ref.pzf"), "rb").read()
            expect, header = PZFFormat.loads(ref_bytes)
            # 1. PYME dumps -> our decode
            r = next(results)
            if not r.startswith("ok "):
                check(False, f"{what}: our decode: {r}")
                next(results)
                if not args.get("quantization"):
                    next(results)
                continue
            got = np.load(os.path.join(tmp, f"{i}.ours_read.npy"))
            our_header = json.loads(r[3:])
            same_header = all(same_field(k, our_header[k], header) for k in our_header)
            if args.get("quantization"):
                stats["quantized"] += 1
                sym = bcl.HuffmanDecompress(np.frombuffer(ref_bytes[64:], "u1").copy(), arr.size)
                f = (sym.astype("f") * header["QuantScale"]) ** 2 + header["QuantOffset"]
                saturated = np.clip(np.trunc(f), 0, 65535).astype("u2")
                order = header["DimOrder"][0].decode()
                wrapped = (f >= 65536) | (f <= -1)
                stats["wrapped"] += int(wrapped.sum())
                ok = (got.shape == expect.shape and got.dtype == expect.dtype
                      and (got.ravel(order=order) == saturated).all()
                      and (got.ravel(order=order)[~wrapped] == expect.ravel(order=order)[~wrapped]).all())
            else:
                ok = (got.shape == expect.shape and got.dtype == expect.dtype
                      and got.tobytes(order="A") == expect.tobytes(order="A")
                      and got.flags["F_CONTIGUOUS"] == expect.flags["F_CONTIGUOUS"])
            check(ok and same_header, f"{what}: PYME dumps -> our decode differs")

            # 2. our encode -> PYME loads
            r = next(results)
            if not r.startswith("ok "):
                check(False, f"{what}: our encode: {r}")
                if not args.get("quantization"):
                    next(results)
                continue
            our_bytes = open(os.path.join(tmp, f"{i}.ours.pzf"), "rb").read()
            back, back_header = PZFFormat.loads(our_bytes)
            if args.get("quantization"):
                check(our_bytes[:64] == ref_bytes[:64], f"{what}: quantized header differs from dumps'")
                ours_sym = bcl.HuffmanDecompress(np.frombuffer(our_bytes[64:], "u1").copy(), arr.size)
                flat = arr.ravel(order="F" if arr.flags["F_CONTIGUOUS"] else "C")
                exact, _ = exact_symbols(flat, args["quantizationOffset"], args["quantizationScale"])
                tail_start = arr.size - arr.size % 16
                diff = np.nonzero(ours_sym != sym)[0]
                body = diff[diff < tail_start]
                tail = diff[diff >= tail_start]
                stats["rsqrt"] += len(body)
                stats["tail"] += len(tail)
                check((ours_sym == exact).all()
                      and (np.abs(ours_sym[body].astype(int) - sym[body].astype(int)) == 1).all()
                      and (ours_sym[tail] == 255).all(),
                      f"{what}: our symbols are not the exact quantizer's, or differ from the reference's "
                      f"by more than its rsqrt and tail")
            else:
                check(our_bytes == ref_bytes, f"{what}: our file differs from dumps'")
                check(back.shape[:arr.ndim] == arr.shape and back.dtype == arr.dtype
                      and back.reshape(arr.shape).tobytes() == arr.tobytes(),
                      f"{what}: PYME loads of our file differs from the input")
                # 3. our chunked encode -> PYME loads
                r = next(results)
                if not r.startswith("ok "):
                    check(False, f"{what}: our chunked encode: {r}")
                    continue
                stats["chunked"] += 1
                back, _ = loads(open(os.path.join(tmp, f"{i}.chunked.pzf"), "rb").read())
                check(back.shape[:arr.ndim] == arr.shape and back.dtype == arr.dtype
                      and back.reshape(arr.shape).tobytes() == arr.tobytes(),
                      f"{what}: PYME loads of our chunked file differs from the input")

    say(f"pzf_interop: {stats['quantized']} quantized frames: {stats['rsqrt']} rsqrt symbol "
        f"differences, {stats['tail']} tail wraps, {stats['wrapped']} pixels PYME wraps and we saturate; "
        f"{stats['chunked']} chunked frames read by PYME")

    # PYME's own tests against PYME's module
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", a.pyme_tests],
                       capture_output=True, text=True)
    last = (r.stdout.strip().splitlines() or [""])[-1]
    say(f"pzf_interop: PYME's test_pzf.py: {last}")
    check(r.returncode == 0 and " passed" in last and "failed" not in last, "PYME's test_pzf.py")

    say(f"pzf_interop: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
