"""``pyme://`` (pymecompress_rs.pyme_fs): the tile pyramid PYME's own ImagePyramid wrote
(fixtures/pyme_series/data/pyramid, tile size 16, 3 levels, some tiles never written) reads
through zarr as PYME's zarr_compat read it (``pyramid_level{0,1,2}.expected.npy``), without
PYME installed and without importing anything; other key schemas map as ``str.format`` fills
them; schemas that could leave the store or that PYME would not fill are refused."""

import json
import os
import shutil

import numpy as np
import pytest

from conftest import FIXTURES, ZARR_MAJOR, requires_zarr, run_python

pytest.importorskip("fsspec")
pytestmark = requires_zarr

PYRAMID = FIXTURES / "pyme_series" / "data" / "pyramid"
EXPECTED = [FIXTURES / "pyme_series" / "data" / f"pyramid_level{i}.expected.npy" for i in range(3)]


def _open_group(url):
    import zarr

    if ZARR_MAJOR >= 3:
        return zarr.open_group(url, mode="r", zarr_format=2)
    return zarr.open_group(url, mode="r")


def _read_levels(url):
    g = _open_group(url)
    # zarr 2.18 reads a level of one chunk into F-ordered memory fine; C order too with our
    # pyme-pzf codec (PYME's fails there: fixtures/pyme_series/README.md)
    return [g[str(i)][...] for i in range(3)]


def test_a_fresh_interpreter_reads_pymes_pyramid_through_the_entry_point():
    code = (
        "import sys, numpy as np, zarr\n"
        "major = int(zarr.__version__.split('.')[0])\n"
        "kw = {'zarr_format': 2} if major >= 3 else {}\n"
        "g = zarr.open_group('pyme://' + sys.argv[1], mode='r', **kw)\n"
        "for i, path in enumerate(sys.argv[2:]):\n"
        "    got, want = g[str(i)][...], np.load(path)\n"
        "    assert got.dtype == want.dtype and np.array_equal(got, want), i\n"
        "assert 'pymecompress_rs.pyme_fs' in sys.modules\n"
        "assert 'PYME' not in sys.modules\n"
        "print('ok')\n"
    )
    assert run_python(code, PYRAMID, *EXPECTED).strip() == "ok"


def test_levels_equal_what_pymes_reader_returned_and_missing_tiles_are_fill_values():
    levels = _read_levels(f"pyme://{PYRAMID}")
    tiles = 0
    for level, want_path in zip(levels, EXPECTED):
        want = np.load(want_path)
        assert level.shape == want.shape and level.dtype == np.float32
        assert np.array_equal(level, want)
    for root, _dirs, files in os.walk(PYRAMID / "0"):
        tiles += sum(f.endswith("_img.pzf") for f in files)
    g = _open_group(f"pyme://{PYRAMID}")
    chunks = np.prod([-(-s // c) for s, c in zip(g["0"].shape, g["0"].chunks)])
    assert tiles < chunks, "the fixture has tiles PYME never wrote"


@pytest.mark.parametrize("schema,name", [
    ("{level}/{x}_{y}_{z:02d}{ext}", lambda level, z, x, y: f"{level}/{x}_{y}_{z:02d}.pzf"),
    ("t{{{level:d}}}/{suff}-{x:04d}-{y:04d}{ext}",
     lambda level, z, x, y: f"t{{{level}}}/img-{x:04d}-{y:04d}.pzf"),
])
def test_another_key_schema_maps_as_str_format_fills_it(tmp_path, schema, name):
    store = tmp_path / "pyramid"
    shutil.copytree(PYRAMID, store)
    attrs = json.loads((store / ".zattrs").read_text())
    default = attrs["pyme"]["key_schema"]
    moved = 0
    for level in range(3):
        for tile in list((store / str(level)).rglob("*_img.pzf")):
            rel = tile.relative_to(store).as_posix()
            lvl, z, x, rest = rel.split("/")
            y = int(rest.split("_")[0])
            assert default.format(level=int(lvl), z=int(z), x=int(x), y=y, suff="img",
                                  ext=".pzf") == rel
            target = store / name(int(lvl), int(z), int(x), y)
            target.parent.mkdir(parents=True, exist_ok=True)
            tile.rename(target)
            moved += 1
    assert moved > 3
    attrs["pyme"]["key_schema"] = schema
    (store / ".zattrs").write_text(json.dumps(attrs))
    for got, want in zip(_read_levels(f"pyme://{store}"), EXPECTED):
        assert np.array_equal(got, np.load(want))


@pytest.mark.parametrize("schema", [
    "{level}/{z}/{x}/{y}/{name}", "{level!r}/{z}/{x}/{y}", "{level:x}/{z}/{x}/{y}",
    "{level.real}/{z}/{x}/{y}", "../{level}/{z}/{x}/{y}", "{level}//{z}/{x}/{y}",
    "/{level}/{z}/{x}/{y}", "{level}/{z}/{x}/{y}{ext:>5}", "{level}/{z}/{x}/{y", 7,
])
def test_schemas_it_would_not_fill_like_pyme_or_that_leave_the_store_are_refused(tmp_path, schema):
    from pymecompress_rs.pyme_fs import PymeTileFileSystem, UnsupportedKeySchema

    (tmp_path / ".zattrs").write_text(json.dumps({"pyme": {"key_schema": schema}}))
    fs = PymeTileFileSystem(skip_instance_cache=True)
    with pytest.raises(UnsupportedKeySchema):
        fs.cat_file(f"pyme://{tmp_path}/0/0/0/0")


def test_plain_keys_pass_through_and_writes_are_refused(tmp_path):
    from pymecompress_rs.pyme_fs import PymeTileFileSystem

    fs = PymeTileFileSystem(skip_instance_cache=True)
    assert json.loads(fs.cat_file(f"pyme://{PYRAMID}/.zgroup")) == {"zarr_format": 2}
    # a chunk key: the tile file's bytes; a key of a tile never written: missing
    tile = (PYRAMID / "0" / "000" / "000" / "001_img.pzf").read_bytes()
    assert fs.cat_file(f"pyme://{PYRAMID}/0/0/0/1") == tile
    assert fs.exists(f"pyme://{PYRAMID}/0/0/0/1") and not fs.exists(f"pyme://{PYRAMID}/0/0/9/9")
    with pytest.raises(FileNotFoundError):
        fs.cat_file(f"pyme://{PYRAMID}/0/0/9/9")
    # outside any pyramid nothing is mapped
    (tmp_path / "a").write_bytes(b"x")
    assert fs.cat_file(f"pyme://{tmp_path}/a") == b"x"
    assert not fs.exists(f"pyme://{tmp_path}/0/0/0/0")
    with pytest.raises(PermissionError):
        fs.open(f"pyme://{tmp_path}/b", "wb")
