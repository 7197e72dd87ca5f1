"""pymecompress_rs.ome.to_ome_zarr: a PYME series as an OME-Zarr image, in-process.

The result must be what ``pymecompress convert SOURCE OUT --ome`` writes (the same arrays'
metadata, values and group attributes, NGFF block included), and its level 0 must be PYME's
``loads`` of the frames (fixtures/pyme_series/data/*/expected.npy) transposed to (y, x), so a
mistake shared by the CLI and the binding still fails. Refusals: a bad codec or parameters, a
frame of PZF Depth above 1, an existing output, and a failed write leaves nothing at ``out``.
"""

import json
import shutil
import subprocess

import numpy as np
import pytest

from conftest import CLI, FIXTURES, ZARR_MAJOR, requires_cli, requires_zarr

from pymecompress_rs import ome
from pymecompress_rs._native import PymeSourceError

DATA = FIXTURES / "pyme_series" / "data"
COMPLETE = DATA / "complete" / "server0" / "scan_000.pcs"
COMPLETE_NODES = [DATA / "complete" / "server1" / "scan_000.pcs"]
QUANT = DATA / "quantized" / "server0" / "scan_002.pcs"


def cli_convert(source, out, nodes=(), extra=()):
    argv = [str(CLI), "convert", str(source)]
    for n in nodes:
        argv += ["--node", str(n)]
    argv += [str(out), "--ome", *extra]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def read_json(path):
    with open(path) as f:
        return json.load(f)


def group_attributes(store, fmt):
    if fmt == 2:
        return read_json(store / ".zattrs")
    return read_json(store / "zarr.json")["attributes"]


def array_metadata(store, level, fmt):
    meta = read_json(store / str(level) / (".zarray" if fmt == 2 else "zarr.json"))
    return meta


def expected_yx(which):
    frames = np.load(DATA / which / "expected.npy")  # PYME's loads: (n, x, y)
    return frames.transpose(0, 2, 1)


CASES = [
    # name, source, nodes, kwargs of to_ome_zarr, the CLI's flags, zarr format, levels
    ("v2_own_pyramid", COMPLETE, COMPLETE_NODES, {"levels": 3, "pixel_size": 9.0},
     ["--levels", "3", "--pixel-size", "9"], 2, 3),
    ("v3_quant16", QUANT, [], {"zarr_format": 3, "levels": 2},
     ["--zarr-format", "3", "--levels", "2"], 3, 2),
    ("v2_zstd", COMPLETE, COMPLETE_NODES, {"codec": "zstd", "frame_interval": 0.02},
     ["--codec", "zstd", "--frame-interval", "0.02"], 2, 1),
    ("v3_huffman", QUANT, [], {"codec": "huffman", "zarr_format": 3},
     ["--codec", "huffman", "--zarr-format", "3"], 3, 1),
]


@requires_cli
@requires_zarr
@pytest.mark.parametrize("name,source,nodes,kwargs,flags,fmt,levels", CASES,
                         ids=[c[0] for c in CASES])
def test_to_ome_zarr_writes_what_the_cli_writes(tmp_path, name, source, nodes, kwargs, flags,
                                                fmt, levels):
    import zarr

    if fmt == 3 and ZARR_MAJOR < 3:
        pytest.skip("zarr-python 2 reads Zarr v2 only")
    ours, theirs = tmp_path / "py.zarr", tmp_path / "cli.zarr"
    info = ome.to_ome_zarr(source, ours, nodes=nodes, **kwargs)
    cli_convert(source, theirs, nodes, flags)

    assert info["levels"] == levels and info["zarr_format"] == fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.zarr", "py.zarr"], \
        "no temporary left next to the output"
    # The group: NGFF block, PYME's metadata and events, all as the CLI writes them. The CLI
    # adds its completion record (`pymecompress`: what `verify` checks a finished write by);
    # to_ome_zarr has no resume, so none.
    cli_attributes = group_attributes(theirs, fmt)
    assert "chunks" in cli_attributes.pop("pymecompress")
    assert group_attributes(ours, fmt) == cli_attributes
    block = group_attributes(ours, fmt)
    multiscales = block["ome"]["multiscales"] if fmt == 3 else block["multiscales"]
    assert [a["name"] for a in multiscales[0]["axes"]] == list(info["axes"])
    assert len(multiscales[0]["datasets"]) == levels
    assert multiscales[0]["datasets"][0]["coordinateTransformations"][0]["scale"] \
        == pytest.approx(info["scale"])

    group_ours = zarr.open_group(str(ours), mode="r")
    group_theirs = zarr.open_group(str(theirs), mode="r")
    for level in range(levels):
        assert array_metadata(ours, level, fmt) == array_metadata(theirs, level, fmt), level
        a, b = group_ours[str(level)][...], group_theirs[str(level)][...]
        assert a.dtype == b.dtype and np.array_equal(a, b), level
    which = "complete" if source == COMPLETE else "quantized"
    assert np.array_equal(group_ours["0"][...], expected_yx(which))


@requires_zarr
def test_ome_zarr_py_reads_the_image(tmp_path):
    reader = pytest.importorskip("ome_zarr.reader")
    from ome_zarr.io import parse_url

    if ZARR_MAJOR < 3:
        pytest.skip("this check reads Zarr v3 (NGFF 0.5)")
    out = tmp_path / "q.ome.zarr"
    ome.to_ome_zarr(QUANT, out, zarr_format=3, levels=2)
    nodes = list(reader.Reader(parse_url(str(out)))())
    images = [n for n in nodes if any(isinstance(s, reader.Multiscales) for s in n.specs)]
    assert len(images) == 1
    data = images[0].data
    want = expected_yx("quantized")
    assert np.array_equal(np.asarray(data[0]), want)
    blocks = want.astype(np.float64).reshape(4, 16, 2, 16, 2).mean(axis=(2, 4))
    assert np.array_equal(np.asarray(data[1]), np.round(blocks).astype(np.uint16))


def test_a_series_with_size_z_gets_a_z_axis(tmp_path):
    copy = tmp_path / "scan.pcs"
    shutil.copytree(QUANT, copy)
    meta = read_json(copy / "metadata.json")
    meta.update({"SizeZ": 2, "SizeT": 2, "DimOrder": "XYZTC", "voxelsize.z": 0.3,
                 "Camera.CycleTime": 0.1})
    (copy / "metadata.json").write_text(json.dumps(meta))
    info = ome.to_ome_zarr(copy, tmp_path / "z.zarr", codec="zstd")
    assert tuple(info["axes"]) == ("t", "z", "y", "x")
    assert list(info["shape"]) == [2, 2, 32, 32]
    assert info["scale"] == pytest.approx([0.1, 0.3, 0.1, 0.1])


def test_refusals_leave_nothing_behind(tmp_path):
    out = tmp_path / "x.zarr"
    with pytest.raises(ValueError, match="codec \"bogus\""):
        ome.to_ome_zarr(QUANT, out, codec="bogus")
    with pytest.raises(ValueError, match="at most 6 levels"):
        ome.to_ome_zarr(QUANT, out, levels=7)
    with pytest.raises(ValueError, match="offset and scale are quant16's"):
        ome.to_ome_zarr(QUANT, out, codec="zstd", offset=100)
    with pytest.raises(ValueError, match="is not quantized, so offset and scale are required"):
        ome.to_ome_zarr(COMPLETE, out, nodes=COMPLETE_NODES, codec="quant16")
    with pytest.raises(ValueError, match="is quantized"):
        ome.to_ome_zarr(QUANT, out, codec="quant16", offset=12345, scale=1)
    with pytest.raises(ValueError, match="frames of depth 3"):
        ome.to_ome_zarr(FIXTURES / "pzf" / "f32_huff_C_3d.pzf", out)
    with pytest.raises(ValueError, match="not a PYME source"):
        ome.to_ome_zarr(tmp_path, out)
    assert list(tmp_path.iterdir()) == []
    # A series missing a server's frames: refused unless allowed.
    with pytest.raises(PymeSourceError):
        ome.to_ome_zarr(COMPLETE, out)
    assert list(tmp_path.iterdir()) == []
    info = ome.to_ome_zarr(COMPLETE, out, allow_incomplete=True)
    assert info["incomplete"]
    # An existing output is never overwritten.
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(PymeSourceError, match="exists"):
        ome.to_ome_zarr(QUANT, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
