"""Checks `convert --ome` stores with ome-zarr-py's Reader and zarr-python (tests/interop/ome.sh).

    python ome.py WORK CASES_JSON

Each case: [store name, zarr format, PYME's expected.npy (loads of every frame, (n, x, y)),
axis names, level-0 scale, levels]. Expected pixels: expected.npy transposed to (n, y, x),
reshaped to the image's frame axes (the series' frames are in DimOrder XYZTC: z fastest, so a
C-order reshape to (t, z) holds); level k+1 = np.round of the 2x2 mean of level k (numpy
rounds half to even), cast back to the dtype. Appends "passed failed" to WORK/counts.

Where installed (ome.sh puts them in the zarr-python 3 venv): ome-zarr-models validates the
NGFF block against its models of the 0.4 and 0.5 specifications (the group's attributes and
the arrays they name), and napari-ome-zarr's reader function (`napari_get_reader`, as napari
calls it, with no display) must give one image layer whose levels equal the expected pixels,
with the level-0 scale and the axis labels we wrote.
"""
import json
import os
import sys
from importlib.metadata import version

import numpy as np
import zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Multiscales, Reader

try:
    from ome_zarr_models.v04.image import Image as ModelV04
    from ome_zarr_models.v05.image import Image as ModelV05
except ImportError:  # zarr-python 2's venv (ome-zarr 0.10 does not bring it)
    ModelV04 = ModelV05 = None
try:
    from napari_ome_zarr._reader import napari_get_reader
except ImportError:  # zarr-python 2's venv: napari-ome-zarr needs zarr >= 3.1.5
    napari_get_reader = None

# No `import pymecompress_rs`: a viewer (napari-ome-zarr) does not import it either; the
# installed package's numcodecs and zarr.codecs entry points must be enough.

WORK, CASES = sys.argv[1], sys.argv[2]
ZARR3 = zarr.__version__.startswith("3")
WHO = f"zarr-python {zarr.__version__} / ome-zarr {version('ome-zarr')}"
if ModelV04 is not None:
    WHO += f" / ome-zarr-models {version('ome-zarr-models')}"
if napari_get_reader is not None:
    WHO += f" / napari-ome-zarr {version('napari-ome-zarr')}"

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL [{WHO}] {name}: {detail}", flush=True)


def halved(a):
    *lead, y, x = a.shape
    a = a[..., : y // 2 * 2, : x // 2 * 2].astype(np.float64)
    blocks = a.reshape(*lead, y // 2, 2, x // 2, 2)
    return np.round(blocks.mean(axis=(-1, -3)))


for store, fmt, expected, axes, scale0, levels in json.load(open(CASES)):
    if fmt == 3 and not ZARR3:
        continue  # zarr-python 2 reads Zarr v2 only
    path = os.path.join(WORK, store)
    frames = np.load(expected)
    want = [frames.transpose(0, 2, 1)]
    if axes == "tzyx":
        n, y, x = want[0].shape
        want[0] = want[0].reshape(n // 4, 4, y, x)
    for _ in range(1, levels):
        want.append(halved(want[-1]).astype(frames.dtype))

    try:
        nodes = list(Reader(parse_url(path))())
    except Exception as e:  # noqa: BLE001 - any reader error is a failed check
        check(f"{store}: ome-zarr Reader", False, repr(e))
        continue
    images = [n for n in nodes if any(isinstance(s, Multiscales) for s in n.specs)]
    check(f"{store}: one multiscales image", len(images) == 1, [n.specs for n in nodes])
    if not images:
        continue
    node = images[0]
    names = "".join(a["name"] if isinstance(a, dict) else a for a in node.metadata["axes"])
    check(f"{store}: axes", names == axes, names)
    units = {a["name"]: a.get("unit") for a in node.metadata["axes"]}
    check(f"{store}: units", units.get("x") == "micrometer" and units.get("t") == "second", units)
    transforms = node.metadata.get("coordinateTransformations", [])
    check(f"{store}: levels", len(node.data) == levels and len(transforms) == levels,
          (len(node.data), len(transforms)))
    for k, (data, want_k) in enumerate(zip(node.data, want)):
        scale = next(t["scale"] for t in transforms[k] if t["type"] == "scale")
        want_scale = [s * (2**k if i >= len(scale0) - 2 else 1) for i, s in enumerate(scale0)]
        check(f"{store}: level {k} scale", np.allclose(scale, want_scale), (scale, want_scale))
        check(f"{store}: level {k} shape", tuple(data.shape) == want_k.shape,
              (data.shape, want_k.shape))
        got = np.asarray(data)
        check(f"{store}: level {k} pixels", got.dtype == want_k.dtype
              and np.array_equal(got, want_k), f"{int((got != want_k).sum())} differ")
        exported = os.path.join(WORK, f"{store}.level{k}.npy")
        if os.path.exists(exported):  # `pymecompress export STORE OUT --level k`
            ours = np.load(exported)
            check(f"{store}: export --level {k} equals ome-zarr's level {k}",
                  ours.dtype == got.dtype and np.array_equal(ours, got), ours.shape)

    group = zarr.open_group(path, mode="r")
    check(f"{store}: zarr-python level 0", np.array_equal(group["0"][...], want[0]))
    attrs = dict(group.attrs)
    check(f"{store}: PYME metadata next to the NGFF block",
          "pyme_metadata" in attrs and ("multiscales" in attrs or "ome" in attrs), list(attrs))
    if fmt == 3:
        check(f"{store}: NGFF 0.5", attrs.get("ome", {}).get("version") == "0.5")
        check(f"{store}: dimension_names",
              list(group["0"].metadata.dimension_names) == list(axes))
    else:
        check(f"{store}: NGFF 0.4", attrs["multiscales"][0].get("version") == "0.4")

    if ModelV04 is not None:
        model = ModelV05 if fmt == 3 else ModelV04
        try:
            image = model.from_zarr(zarr.open_group(path, mode="r"))
            multiscales = image.ome_attributes.multiscales
            check(f"{store}: ome-zarr-models {model.__module__}",
                  len(multiscales) == 1 and "".join(a.name for a in multiscales[0].axes) == axes
                  and len(multiscales[0].datasets) == levels,
                  multiscales)
        except Exception as e:  # noqa: BLE001 - a validation error is a failed check
            check(f"{store}: ome-zarr-models {model.__module__}", False, repr(e)[:2000])

    if napari_get_reader is not None:
        try:
            reader = napari_get_reader(path)
            layers = reader(path) if reader is not None else []
        except Exception as e:  # noqa: BLE001
            check(f"{store}: napari-ome-zarr reader", False, repr(e)[:2000])
            layers = []
        images = [layer for layer in layers if layer[2] == "image"]
        check(f"{store}: napari-ome-zarr: one image layer", len(images) == 1,
              [(type(d), k.keys(), kind) for d, k, kind in layers])
        if images:
            data, kwargs, _ = images[0]
            data = data if isinstance(data, list) else [data]
            check(f"{store}: napari-ome-zarr: levels", len(data) == levels, len(data))
            for k, (level, want_k) in enumerate(zip(data, want)):
                got = np.asarray(level)
                check(f"{store}: napari-ome-zarr: level {k} pixels",
                      got.dtype == want_k.dtype and np.array_equal(got, want_k),
                      f"{got.shape} {got.dtype} vs {want_k.shape} {want_k.dtype}")
            check(f"{store}: napari-ome-zarr: scale",
                  np.allclose(kwargs.get("scale", []), scale0), kwargs.get("scale"))
            labels = kwargs.get("axis_labels")
            check(f"{store}: napari-ome-zarr: axis labels",
                  labels is not None and "".join(labels) == axes, labels)

print(f"ome_interop [{WHO}]: {passed} passed, {failed} failed", flush=True)
with open(os.path.join(WORK, "counts"), "a") as f:
    f.write(f"{passed} {failed}\n")
sys.exit(1 if failed else 0)
