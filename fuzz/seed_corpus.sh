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

for t in sorted(os.listdir("corpus")):
    print(f"corpus/{t}: {len(os.listdir(os.path.join('corpus', t)))} seeds")
PY
