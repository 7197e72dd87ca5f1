#!/bin/sh
# Regenerates fuzz/corpus/<target>/ from the fixtures the real pymecompress wrote
# (fixtures/manifest.json). Each seed is the target's input format: a small header (see the
# doc comment of each target) followed by a stream or chunk. Needs python3 (standard library).
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
import json, os, struct, hashlib

FIX = "../fixtures"
manifest = json.load(open(os.path.join(FIX, "manifest.json")))

def put(target, data):
    d = os.path.join("corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def read(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()

MAX = 1 << 20
counts = {}

for s in manifest["streams"] + manifest["quant_streams"]:
    stream = read(s["stream"])
    if s["n"] <= MAX and len(stream) <= 64 * 1024:
        put("stream_decode", struct.pack("<I", s["n"]) + stream)
        data = read(s["input"]) if s["input"].endswith(".in") else b""
        if len(data) <= 64 * 1024:
            put("roundtrip", b"\x00\x00" + data)

for c in manifest["huffman_chunks"]:
    chunk = read(c["chunk"])
    put("huffman_decompress", struct.pack("<I", c["n_bytes"]) + chunk)
    put("stream_decode", struct.pack("<I", c["n_bytes"]) + chunk[:-4])
    put("roundtrip", b"\x00\x1f" + read(c["input"])[:64 * 1024])

for c in manifest["quant16_chunks"]:
    chunk = read(c["chunk"])
    header = struct.pack("<ddI", float(c["offset"]), float(c["scale"]), c["n"])
    put("quant16_decompress", header + chunk)
    put("stream_decode", struct.pack("<I", c["n"]) + chunk[:-4])
    put("roundtrip", bytes([int(c["offset"]) // 4 % 256, 24]) + read(c["input"])[:64 * 1024])

# The sliced decoder: every stream seed behind an options byte (slices - 1 in bits 0-2,
# align in bit 3, probe in bit 4), the options cycling so that each count and switch is seen.
SLICE_OPTIONS = [0x1f, 0x19, 0x0b, 0x13, 0x07, 0x1d, 0x00, 0x16, 0x1a, 0x0c, 0x11, 0x1e]
for i, name in enumerate(sorted(os.listdir("corpus/stream_decode"))):
    with open(os.path.join("corpus/stream_decode", name), "rb") as f:
        seed = f.read()
    put("sliced_decode", bytes([SLICE_OPTIONS[i % len(SLICE_OPTIONS)]]) + seed)
    put("sliced_decode", bytes([0x1f - (i % 8)]) + seed)

configs = set()
for s in manifest["stores"]:
    config = {k: v for k, v in s["codec_config"].items() if k != "id"}
    configs.add(json.dumps(config, sort_keys=True))
for c in manifest["quant16_chunks"]:
    configs.add(json.dumps({"offset": c["offset"], "scale": c["scale"]}))
for text in sorted(configs) + [
    "{}", '{"offset": 1e999}', '{"scale": -0.0}', '{"scale": "1"}',
    '{"offset": 0, "scale": 1, "gain": 2}', '{"offset": null}', "[0, 1]",
]:
    put("config_json", text.encode())

# The zarrs-level targets: the same chunks behind their own header, and the same configs.
for c in manifest["huffman_chunks"]:
    put("zarrs_decode", bytes([0]) + struct.pack("<I", c["n_bytes"]) + read(c["chunk"]))
for c in manifest["quant16_chunks"]:
    header = bytes([1]) + struct.pack("<Idd", c["n"], float(c["offset"]), float(c["scale"]))
    put("zarrs_decode", header + read(c["chunk"]))
for name in os.listdir("corpus/config_json"):
    with open(os.path.join("corpus/config_json", name), "rb") as f:
        put("zarrs_config_json", f.read())

# PZF frames (fixtures/pzf/ and the series frames): whole files for the parser; for the
# pyme-pzf codec a header of data type and chunk shape, in the orders a chunk may take.
def pzf_files():
    for d, _, names in sorted(os.walk(FIX)):
        for n in sorted(names):
            if n.endswith(".pzf"):
                yield os.path.join(d, n)
for path in pzf_files():
    frame = open(path, "rb").read()
    put("pzf_decode", frame)
    if len(frame) < 32 or frame[3] > 2:
        continue
    w, h, depth = struct.unpack_from("<III", frame, 20)
    for shape in {(w, h, depth), (depth, h, w), (1, w, h), (w, h, 1)}:
        if all(1 <= s <= 1024 for s in shape):
            dims = [(s - 1) for s in shape]
            put("zarrs_pyme_pzf", bytes([frame[3]]) + struct.pack("<HHH", *dims) + frame)
# Series JSON and file names: kind byte (0 metadata, 1 events, 2 file name), then the text.
for d, _, names in sorted(os.walk(os.path.join(FIX, "pyme_series"))):
    for n in sorted(names):
        if n in ("metadata.json", "final_metadata.json"):
            put("series_metadata", b"\x00" + open(os.path.join(d, n), "rb").read())
        elif n == "events.json":
            put("series_metadata", b"\x01" + open(os.path.join(d, n), "rb").read())
        elif n.endswith(".pzf"):
            put("series_metadata", b"\x02" + n.encode())
for text in [b"\x00{}", b'\x00{"DimOrder": "XYTZC", "SizeZ": 2, "SizeT": -1, "SizeC": 1}',
             b'\x00{"SizeT": 1e300}', b"\x00[]", b"\x01[]", b'\x01[["a", "b", 1]]',
             b'\x01[["a", "b"]]', b"\x02frame123456.pzf", b"\x02frame0001.pzf", b"\x02x.txt"]:
    put("series_metadata", text)

# PYME's .h5 files (fixtures/pyme_h5, stored gzipped): whole files, as PYME's code wrote them
# and the hostile copies.
import gzip
H5 = os.path.join(FIX, "pyme_h5", "data")
for n in sorted(os.listdir(H5)):
    if n.endswith(".h5.gz"):
        put("h5_open", gzip.decompress(read(os.path.join("pyme_h5", "data", n))))
put("h5_open", b"\x89HDF\r\n\x1a\n")

for t in sorted(os.listdir("corpus")):
    print(f"corpus/{t}: {len(os.listdir(os.path.join('corpus', t)))} seeds")
PY
