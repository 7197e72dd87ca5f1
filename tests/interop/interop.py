#!/usr/bin/env python3
"""Live interop cross-check: the Rust codecs (examples/interop_codecs_driver.rs) against the real
pymecompress 0.3.6. Driven by tests/interop/run.sh, which makes the venv and builds the
Rust side; run directly as

    python interop.py --bin target/debug/examples/interop [--seed N] [--cases N]

Checks (each counted once in the closing "interop: N passed, N failed" line):
  stream cases   (1) our stream::encode == reference HuffmanCompress, byte for byte
                 (2) reference HuffmanDecompress(our stream) == input
                 (3) our stream::decode(reference stream) == input
  quant16 cases  (4a) our quantizer vs the reference's symbols: max diff <= 1 (the
                      reference's scalar-tail wrap-around is counted and excluded); the
                      agreement over all quant16 cases must be >= 99.9 %
                 (4b) the reference's low-level HuffmanDecompress of our chunk's stream gives
                      our symbols, and the trailer is N
                 (4c) scale 1: the reference numcodecs decode of our chunk == our decode
                 (4d) our quant16::decompress(reference numcodecs chunk) == correct
                      dequantization of the reference's first N symbols
  huffman chunks (5a) our chunk's stream == reference chunk's stream
                 (5b) our huffman::decompress(reference chunk) == input
                 (5c) the reference numcodecs decode of our chunk == input bytes
Plus one 2048x2048 Poisson(100) frame: quantizer agreement and max diff are printed.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

# The reference's C quantizer printf()s "Using AVX optimsed code" on every call: keep our
# own stdout on a duplicate and point fd 1 at /dev/null before the library loads.
sys.stdout.flush()
_OUT = os.fdopen(os.dup(1), "w", buffering=1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)
os.close(_devnull)

import numpy as np  # noqa: E402
from pymecompress import bcl  # noqa: E402
import pymecompress.codecs as pmc  # noqa: E402


def say(*a):
    print(*a, file=_OUT, flush=True)


# ---------------------------------------------------------------------------
# the reference
# ---------------------------------------------------------------------------

def ref_compress(data: np.ndarray) -> bytes:
    return bytes(bcl.HuffmanCompress(np.ascontiguousarray(data)))


def ref_decompress(stream: bytes, n: int) -> np.ndarray:
    return bcl.HuffmanDecompress(np.frombuffer(stream, np.uint8).copy(), n)


def ref_quant_symbols(values: np.ndarray, offset: float, scale: float) -> np.ndarray:
    s = bcl.HuffmanCompressQuant(np.ascontiguousarray(values, np.uint16), offset, scale)
    return ref_decompress(bytes(s), values.size)


def ref_quant16_chunk(values: np.ndarray, offset: float, scale: float) -> bytes:
    """numcodecs encode. The reference reads 2N values from an N-value buffer; hand it a view
    of a zero-padded 2N buffer so that the over-read stays in memory we own."""
    n = values.size
    backing = np.zeros(2 * n + 16, np.uint16)
    backing[:n] = values.ravel()
    return bytes(pmc.HuffmanQuant16(offset=offset, scale=scale).encode(backing[:n]))


def dequant(symbols: np.ndarray, offset: float, scale: float) -> np.ndarray:
    v = np.trunc((symbols.astype(np.float64) * scale) ** 2 + offset)
    return np.clip(v, 0, 65535).astype("<u2")


# ---------------------------------------------------------------------------
# case generation
# ---------------------------------------------------------------------------

DISTS = ["uniform", "poisson", "poisson_u16", "geometric", "constant", "two_valued", "sparse",
         "few_symbols", "skewed_tail"]


def random_length(rng, max_len):
    r = rng.random()
    if r < 0.08:
        return int(rng.integers(0, 3))
    if r < 0.45:
        return int(rng.integers(0, 2000))
    return int(np.exp(rng.uniform(np.log(2000), np.log(max_len))))


def make_bytes(rng, dist, n):
    if dist == "uniform":
        return rng.integers(0, 256, n).astype(np.uint8)
    if dist == "poisson":
        return np.minimum(rng.poisson(rng.uniform(0.5, 120), n), 255).astype(np.uint8)
    if dist == "poisson_u16":
        v = rng.poisson(rng.uniform(5, 3000), (n + 1) // 2).astype("<u2")
        return np.frombuffer(v.tobytes(), np.uint8)[:n].copy()
    if dist == "geometric":
        return np.minimum(rng.geometric(rng.uniform(0.05, 0.95), n) - 1, 255).astype(np.uint8)
    if dist == "constant":
        return np.full(n, rng.integers(0, 256), np.uint8)
    if dist == "two_valued":
        a, b = rng.choice(256, 2, replace=False)
        return np.where(rng.random(n) < rng.uniform(0.01, 0.99), a, b).astype(np.uint8)
    if dist == "sparse":
        v = np.zeros(n, np.uint8)
        k = rng.random(n) < rng.uniform(0.0005, 0.05)
        v[k] = rng.integers(1, 256, int(k.sum()))
        return v
    if dist == "few_symbols":
        syms = rng.choice(256, int(rng.integers(3, 12)), replace=False)
        p = rng.dirichlet(np.ones(syms.size) * 0.5)
        return rng.choice(syms, n, p=p).astype(np.uint8)
    if dist == "skewed_tail":  # Zipf-like: long codes
        return np.minimum(rng.zipf(rng.uniform(1.3, 3.0), n) - 1, 255).astype(np.uint8)
    raise ValueError(dist)


def make_u16(rng, n):
    kind = rng.choice(["poisson", "poisson_bg", "saturating", "constant", "dark"], p=[.4, .3, .1, .1, .1])
    if kind == "poisson":
        v = rng.poisson(np.exp(rng.uniform(np.log(1), np.log(1000))), n)
    elif kind == "poisson_bg":
        v = rng.poisson(np.exp(rng.uniform(np.log(1), np.log(500))), n) + rng.integers(0, 300)
    elif kind == "saturating":
        v = np.where(rng.random(n) < 0.5, rng.integers(60000, 65536, n), rng.poisson(100, n))
    elif kind == "constant":
        v = np.full(n, rng.integers(0, 65536))
    else:
        v = rng.poisson(2, n)
    return np.clip(v, 0, 65535).astype("<u2"), str(kind)


# The reference quantizes with an approximate rsqrt (vrsqrtps, ~2^-12 relative error), so an
# exact quantizer disagrees with it by 1 near rounding boundaries. How often depends on the
# data: constant or near-saturation data, fractional offsets and non-unit scales can put many
# values systematically close to a boundary (up to several % seen). Every disagreement is
# checked to lie within that error band; the >= 99.9 % agreement bound is gated on photon-like
# data at integer offset and scale 1 (the reference's default), exact ties excluded.
PHOTON_KINDS = ("poisson", "poisson_bg", "dark")


def gated(c):
    return c["kind"] in PHOTON_KINDS and c["sc"] == 1.0 and float(c["off"]).is_integer()


def random_quant_params(rng):
    r = rng.random()
    if r < 0.25:
        return 0.0, 1.0
    off = float(rng.choice([0.0, float(rng.integers(0, 300)), round(float(rng.uniform(0, 300)), 2)]))
    sc = float(rng.choice([1.0, 2.0, 0.5, round(float(rng.uniform(0.3, 4)), 3)]))
    return off, sc


# ---------------------------------------------------------------------------

class Batch:
    def __init__(self):
        self.blob = bytearray()
        self.jobs = []

    def add(self, jid, op, data: bytes, **kw):
        self.jobs.append(dict(id=jid, op=op, input=[len(self.blob), len(data)], **kw))
        self.blob += data
        return jid


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(what)
            if len(self.failures) <= 40:
                say(f"FAIL {what}")


def first_diff(a: bytes, b: bytes):
    n = min(len(a), len(b))
    aa = np.frombuffer(a[:n], np.uint8)
    bb = np.frombuffer(b[:n], np.uint8)
    d = np.nonzero(aa != bb)[0]
    i = int(d[0]) if d.size else n
    return f"len {len(a)} vs {len(b)}, first difference at byte {i}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the built examples/interop_codecs_driver binary")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--stream-cases", type=int, default=int(os.environ.get("INTEROP_STREAM_CASES", 240)))
    ap.add_argument("--quant-cases", type=int, default=int(os.environ.get("INTEROP_QUANT_CASES", 60)))
    ap.add_argument("--chunk-cases", type=int, default=int(os.environ.get("INTEROP_CHUNK_CASES", 40)))
    ap.add_argument("--max-len", type=int, default=200_000)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    seed = args.seed
    if seed is None:
        env = os.environ.get("INTEROP_SEED")
        seed = int(env) if env else int.from_bytes(os.urandom(4), "little")
    say(f"interop: seed {seed} (rerun with INTEROP_SEED={seed})")
    rng = np.random.default_rng(seed)
    t0 = time.time()

    batch = Batch()
    streams, quants, chunks = [], [], []

    # (1)-(3) raw streams
    for i in range(args.stream_cases):
        dist = DISTS[i % len(DISTS)]
        n = random_length(rng, args.max_len)
        data = make_bytes(rng, dist, n)
        raw = data.tobytes()
        ref = ref_compress(data)
        c = dict(name=f"s{i}_{dist}_n{n}", data=raw, ref=ref)
        c["enc"] = batch.add(c["name"] + ":encode", "stream_encode", raw)
        c["dec"] = batch.add(c["name"] + ":decode", "stream_decode", ref, n=n)
        streams.append(c)

    # (4) quant16
    for i in range(args.quant_cases):
        n = random_length(rng, args.max_len // 2)
        values, kind = make_u16(rng, n)
        off, sc = random_quant_params(rng)
        raw = values.tobytes()
        c = dict(name=f"q{i}_{kind}_n{n}_o{off}_s{sc}", values=values, off=off, sc=sc, kind=kind,
                 ref_sym=ref_quant_symbols(values, off, sc), ref_chunk=ref_quant16_chunk(values, off, sc))
        c["q"] = batch.add(c["name"] + ":quantize", "quantize", raw, offset=off, scale=sc)
        c["comp"] = batch.add(c["name"] + ":compress", "quant16_compress", raw, offset=off, scale=sc)
        c["dec"] = batch.add(c["name"] + ":decompress_ref", "quant16_decompress", c["ref_chunk"],
                             n_values=n, offset=off, scale=sc)
        quants.append(c)

    # (5) huffman framed chunks
    dtypes = ["<u1", "<u2", "<i4", "<f4"]
    for i in range(args.chunk_cases):
        dt = np.dtype(dtypes[i % len(dtypes)])
        n = random_length(rng, args.max_len // dt.itemsize)
        if dt.kind == "f":
            arr = (rng.poisson(rng.uniform(1, 500), n) * rng.choice([1.0, 0.5, 0.1])).astype(dt)
        elif dt.kind == "i":
            arr = (rng.poisson(rng.uniform(1, 500), n) - rng.integers(0, 600)).astype(dt)
        elif dt.itemsize == 2:
            arr = make_u16(rng, n)[0]
        else:
            arr = make_bytes(rng, DISTS[int(rng.integers(len(DISTS)))], n)
        raw = arr.tobytes()
        ref_chunk = bytes(pmc.Huffman().encode(arr))
        c = dict(name=f"h{i}_{dt.str}_n{n}", arr=arr, raw=raw, ref_chunk=ref_chunk, itemsize=dt.itemsize)
        c["comp"] = batch.add(c["name"] + ":compress", "huffman_compress", raw)
        c["dec"] = batch.add(c["name"] + ":decompress_ref", "huffman_decompress", ref_chunk,
                             decoded_len=len(raw))
        chunks.append(c)

    # the big frame
    frng = np.random.default_rng(seed ^ 0x5EED)
    frame = frng.poisson(100, (2048, 2048)).astype("<u2")
    frame_ref = ref_quant_symbols(frame, 0.0, 1.0)
    batch.add("frame2048:quantize", "quantize", frame.tobytes(), offset=0.0, scale=1.0)
    t_gen = time.time() - t0

    # run the Rust side once
    work = tempfile.mkdtemp(prefix="interop-")
    try:
        with open(os.path.join(work, "in.bin"), "wb") as f:
            f.write(batch.blob)
        with open(os.path.join(work, "jobs.json"), "w") as f:
            json.dump({"input": "in.bin", "jobs": batch.jobs}, f)
        t1 = time.time()
        subprocess.run([args.bin, work], check=True)
        t_rust = time.time() - t1
        res = json.load(open(os.path.join(work, "results.json")))
        out = open(os.path.join(work, "out.bin"), "rb").read()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"interop: work directory kept at {work}")
    results = {r["id"]: r for r in res}

    def output(jid):
        r = results.get(jid)
        if r is None or not r["ok"]:
            return None, (r or {}).get("error", "missing result")
        o, ln = r["out"]
        return out[o:o + ln], None

    T = Tally()
    for c in streams:
        n = len(c["data"])
        ours, e = output(c["enc"])
        if ours is None:
            T.check(False, f"{c['name']}: (1) our encoder failed: {e}")
            T.check(False, f"{c['name']}: (2) no stream to hand to the reference")
        else:
            T.check(ours == c["ref"], f"{c['name']}: (1) stream differs from the reference: "
                    f"{first_diff(ours, c['ref'])}")
            back = ref_decompress(ours, n).tobytes() if n else b""
            T.check(back == c["data"], f"{c['name']}: (2) reference decode of our stream differs")
        dec, e = output(c["dec"])
        T.check(dec == c["data"], f"{c['name']}: (3) our decode of the reference stream: "
                f"{e or first_diff(dec, c['data'])}")

    agree_total = agree_n = all_agree = all_n = ties = ties_agree = 0
    tail_wraps = 0
    for c in quants:
        n = c["values"].size
        off, sc = c["off"], c["sc"]
        ref_sym = c["ref_sym"]
        sym, e = output(c["q"])
        if sym is None:
            T.check(False, f"{c['name']}: (4a) our quantizer failed: {e}")
        else:
            ours = np.frombuffer(sym, np.uint8)
            d = np.abs(ours.astype(np.int64) - ref_sym.astype(np.int64))
            # the reference's scalar loop for the last n % 16 values wraps mod 256 instead of
            # saturating: exclude those, they are a reference defect
            avx = 16 * (n // 16)
            wrap = np.zeros(n, bool)
            wrap[avx:] = (ours[avx:] == 255) & (ref_sym[avx:] != 255)
            tail_wraps += int(wrap.sum())
            ok = ~wrap
            # exact ties (sqrt(x - offset) / scale = k + 1/2 exactly, e.g. odd squares at scale 2)
            # are rounded by the sign of the reference's rsqrt error: about half each way
            qf = np.sqrt(np.maximum(c["values"].astype(np.float64) - float(np.float32(off)), 0)) / sc
            dist = np.abs(qf - (np.floor(qf) + 0.5))
            tie = ok & (dist <= 1e-9 * np.maximum(qf, 1.0))
            ties += int(tie.sum())
            ties_agree += int(np.count_nonzero(tie & (d == 0)))
            counted = ok & ~tie
            all_agree += int(np.count_nonzero((d == 0) & counted))
            all_n += int(counted.sum())
            if gated(c):
                agree_total += int(np.count_nonzero((d == 0) & counted))
                agree_n += int(counted.sum())
            md = int(d[ok].max()) if ok.any() else 0
            if os.environ.get("INTEROP_VERBOSE"):
                say(f"  {c['name']}: {int(np.count_nonzero((d != 0) & counted))} of {int(counted.sum())} "
                    f"differ, {int(tie.sum())} ties, median q {float(np.median(qf)) if n else 0:.1f}")
            T.check(md <= 1, f"{c['name']}: (4a) quantizer max diff {md} vs the reference")
            # every disagreement must sit within the reference's rsqrt error of a rounding
            # boundary: |frac(q) - 1/2| <= q * 2^-11 (vrsqrtps is good to 1.5 * 2^-12)
            unexplained = (d != 0) & ok & (dist > qf * 2.0 ** -11 + 1e-6) & (qf < 255.5)
            k = int(unexplained.sum())
            if k:
                j = int(np.argmax(unexplained))
                T.check(False, f"{c['name']}: (4a) {k} quantizer disagreements far from a rounding "
                        f"boundary, e.g. value {int(c['values'][j])} at index {j}: ours {int(ours[j])}, "
                        f"reference {int(ref_sym[j])}, exact sqrt(x-offset)/scale = {qf[j]:.6f}")
            else:
                T.check(True, "")
        chunk, e = output(c["comp"])
        if chunk is None:
            T.check(False, f"{c['name']}: (4b) our quant16 compress failed: {e}")
        else:
            trailer = struct.unpack("<I", chunk[-4:])[0] if len(chunk) >= 4 else None
            our_sym = np.frombuffer(sym, np.uint8) if sym is not None else None
            got = ref_decompress(chunk[:-4], n) if n else np.zeros(0, np.uint8)
            T.check(trailer == n and our_sym is not None and np.array_equal(got, our_sym),
                    f"{c['name']}: (4b) reference low-level decode of our chunk (trailer {trailer})")
            if sc == 1.0:
                refdec = np.asarray(pmc.HuffmanQuant16(offset=off, scale=sc).decode(chunk)).astype("<u2")
                expect = dequant(our_sym, off, sc) if our_sym is not None else None
                T.check(expect is not None and np.array_equal(refdec.ravel(), expect),
                        f"{c['name']}: (4c) reference numcodecs decode of our chunk != our decode")
        dec, e = output(c["dec"])
        expect = dequant(ref_decompress(c["ref_chunk"][:-4], n) if n else np.zeros(0, np.uint8), off, sc)
        T.check(dec is not None and np.array_equal(np.frombuffer(dec, "<u2"), expect),
                f"{c['name']}: (4d) our decode of the reference chunk: {e or 'values differ'}")
    agreement = 100.0 * agree_total / agree_n if agree_n else 100.0
    T.check(agreement >= 99.9, f"(4a) quantizer agreement over the photon-like, integer-offset, "
            f"scale-1 quant16 cases {agreement:.4f}% < 99.9%")
    n_gated = sum(gated(c) for c in quants)
    say(f"interop: quantizer agreement: {agreement:.4f}% of {agree_n} values in {n_gated} photon-like "
        f"integer-offset scale-1 cases; {100.0 * all_agree / max(all_n, 1):.4f}% of {all_n} in all {len(quants)} quant16 cases "
        f"; excluded: {ties} exact rounding ties (reference agreed on {ties_agree}), {tail_wraps} values "
        f"of the reference's scalar-tail wrap-around")

    pm = pmc.Huffman()
    for c in chunks:
        ours, e = output(c["comp"])
        if ours is None:
            T.check(False, f"{c['name']}: (5a) our huffman compress failed: {e}")
        else:
            T.check(ours[:-4] == c["ref_chunk"][:-4],
                    f"{c['name']}: (5a) stream differs: {first_diff(ours[:-4], c['ref_chunk'][:-4])}")
            try:
                back = np.asarray(pm.decode(ours)).tobytes()
            except Exception as ex:  # noqa: BLE001
                back = f"raised {ex}"
            T.check(back == c["raw"], f"{c['name']}: (5c) reference decode of our chunk "
                    f"(our trailer {struct.unpack('<I', ours[-4:])[0]})")
        dec, e = output(c["dec"])
        T.check(dec == c["raw"], f"{c['name']}: (5b) our decode of the reference chunk: {e or 'differs'}")

    sym, e = output("frame2048:quantize")
    if sym is None:
        T.check(False, f"frame2048: our quantizer failed: {e}")
    else:
        ours = np.frombuffer(sym, np.uint8)
        d = np.abs(ours.astype(np.int64) - frame_ref.astype(np.int64))
        pct = 100.0 * np.count_nonzero(d == 0) / d.size
        say(f"interop: 2048x2048 Poisson(100) frame, offset 0, scale 1: quantizer agreement "
            f"{pct:.4f}% ({int(np.count_nonzero(d))} of {d.size} symbols differ), max diff {int(d.max())}")
        T.check(int(d.max()) <= 1, f"frame2048: quantizer max diff {int(d.max())}")

    rust_us = sum(r.get("micros", 0) for r in res)
    say(f"interop: {len(streams)} stream, {len(quants)} quant16, {len(chunks)} huffman-chunk cases; "
        f"{len(batch.blob) / 2**20:.1f} MiB of job input; python {t_gen:.1f} s, rust {t_rust:.1f} s "
        f"({rust_us / 1e6:.1f} s in codec calls), total {time.time() - t0:.1f} s")
    if T.failed:
        say(f"interop: seed {seed}; first failures above ({T.failed} in all)")
    say(f"interop: {T.passed} passed, {T.failed} failed")
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
