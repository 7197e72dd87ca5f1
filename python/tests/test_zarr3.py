"""zarr-python 3.1: Zarr v3 arrays with our codecs, both ways with the Rust CLI
(zarrs-pymecompress), and a dask.distributed read on two worker processes."""

import json
import subprocess
import warnings

import numpy as np
import pytest

from conftest import CLI, FIXTURES, load_manifest, requires_cli, requires_dask, requires_zarr3, run_python

pytestmark = [requires_zarr3, pytest.mark.filterwarnings("ignore::UserWarning")]

zarr = pytest.importorskip("zarr")


def quant16_reference_values(x, offset=0.0, scale=1.0):
    from pymecompress_rs.codecs import HuffmanQuant16

    codec = HuffmanQuant16(offset, scale)
    return codec.decode(codec.encode(x)).reshape(x.shape)


def write_v3(path, data, chunks, kind, **config):
    from pymecompress_rs import zarr3

    if kind == "quant16":
        return _fill(zarr.create_array(store=str(path), shape=data.shape, chunks=chunks, dtype=data.dtype,
                                       serializer=zarr3.HuffmanQuant16(**config), compressors=None), data)
    if kind == "pzf":
        return _fill(zarr.create_array(store=str(path), shape=data.shape, chunks=chunks, dtype=data.dtype,
                                       serializer=zarr3.PZFCodec(**config), compressors=None), data)
    return _fill(zarr.create_array(store=str(path), shape=data.shape, chunks=chunks, dtype=data.dtype,
                                   compressors=[zarr3.Huffman()]), data)


def _fill(a, data):
    a[...] = data
    return a


def poisson(shape, dtype="u2", lam=100, seed=0):
    return np.random.default_rng(seed).poisson(lam, shape).astype(dtype)


@pytest.mark.parametrize("offset,scale", [(0, 1), (100, 1), (0, 2.5)])
def test_v3_quant16_roundtrip_and_metadata(tmp_path, offset, scale):
    x = poisson((50, 70)) + offset
    x = x.astype("u2")
    write_v3(tmp_path / "q.zarr", x, (32, 40), "quant16", offset=offset, scale=scale)
    meta = json.loads((tmp_path / "q.zarr" / "zarr.json").read_text())
    assert meta["codecs"] == [{"name": "numcodecs.pymecompress-quant16",
                               "configuration": {"offset": offset, "scale": scale}}]
    got = zarr.open_array(str(tmp_path / "q.zarr"), mode="r")[...]
    assert np.array_equal(got, quant16_reference_values(x, offset, scale))


@pytest.mark.parametrize("dtype", ["u1", "<u2", "<f4", ">i4"])
def test_v3_huffman_and_pzf_roundtrip(tmp_path, dtype):
    x = poisson((3, 50, 70), dtype, lam=60)
    write_v3(tmp_path / "h.zarr", x, (2, 32, 40), "huffman")
    assert np.array_equal(zarr.open_array(str(tmp_path / "h.zarr"), mode="r")[...], x)
    if dtype in ("u1", "<u2", "<f4"):
        write_v3(tmp_path / "p.zarr", x, (1, 32, 40), "pzf")
        assert np.array_equal(zarr.open_array(str(tmp_path / "p.zarr"), mode="r")[...], x)


def test_v3_name_choice_when_another_package_provides_it():
    out = run_python(
        "import warnings; warnings.simplefilter('ignore')\n"
        "import zarr\n"
        "from zarr.registry import get_codec_class, register_codec\n"
        "from zarr.codecs.numcodecs import _NumcodecsArrayBytesCodec\n"
        "print(get_codec_class('numcodecs.pymecompress-quant16').__module__)\n"
        "class Other(_NumcodecsArrayBytesCodec, codec_name='pymecompress-quant16'): pass\n"
        "register_codec('numcodecs.pymecompress-quant16', Other)\n"
        "print(get_codec_class('numcodecs.pymecompress-quant16').__name__)\n"
        "import pymecompress_rs; pymecompress_rs.register()\n"
        "print(get_codec_class('numcodecs.pymecompress-quant16').__module__)\n"
    )
    assert out.split() == ["pymecompress_rs.zarr3", "Other", "pymecompress_rs.zarr3"]


def _cli(*args):
    proc = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@requires_cli
def test_rust_cli_writes_v3_that_zarr_python_reads(tmp_path):
    x = poisson((3, 60, 90), seed=1)
    m = (np.arange(400).reshape(20, 20) % 7).astype("u1")
    root = zarr.open_group(str(tmp_path / "raw.zarr"), mode="w", zarr_format=2)
    root.create_array("movie", shape=x.shape, chunks=(1, 32, 40), dtype="u2", compressors=None)[...] = x
    root.create_array("mask", shape=m.shape, chunks=(10, 10), dtype="u1", compressors=None)[...] = m
    # quant16 codes uint16 only: the CLI refuses the store's uint8 mask, so the movie alone
    _cli("convert", tmp_path / "raw.zarr" / "movie", tmp_path / "q.zarr", "--codec", "quant16",
         "--offset", 0, "--scale", 1, "--zarr-format", 3)
    meta = json.loads((tmp_path / "q.zarr" / "zarr.json").read_text())
    assert meta["zarr_format"] == 3
    assert any(c["name"] == "numcodecs.pymecompress-quant16" for c in meta["codecs"])
    got = zarr.open_array(str(tmp_path / "q.zarr"), mode="r")[...]
    assert np.array_equal(got, quant16_reference_values(x))
    _cli("convert", tmp_path / "raw.zarr", tmp_path / "h.zarr", "--codec", "huffman", "--zarr-format", 3)
    assert np.array_equal(zarr.open_array(str(tmp_path / "h.zarr"), path="movie", mode="r")[...], x)
    assert np.array_equal(zarr.open_array(str(tmp_path / "h.zarr"), path="mask", mode="r")[...], m)


@requires_cli
@pytest.mark.parametrize("kind", ["quant16", "huffman"])
def test_zarr_python_writes_v3_that_the_rust_cli_reads(tmp_path, kind):
    x = poisson((2, 50, 70), seed=2)
    write_v3(tmp_path / "s.zarr", x, (1, 32, 40), kind)
    ours = zarr.open_array(str(tmp_path / "s.zarr"), mode="r")[...]
    _cli("export", tmp_path / "s.zarr", tmp_path / "out.npy")
    assert np.array_equal(np.load(tmp_path / "out.npy"), ours)
    _cli("export", tmp_path / "s.zarr", tmp_path / "part.npy", "--region", "1:2,10:45,33:61")
    assert np.array_equal(np.load(tmp_path / "part.npy"), ours[1:2, 10:45, 33:61])
    # and converts it to a plain store whose bytes zarr-python reads without our codecs
    _cli("convert", tmp_path / "s.zarr", tmp_path / "plain.zarr", "--codec", "none", "--zarr-format", 3)
    assert np.array_equal(zarr.open_array(str(tmp_path / "plain.zarr"), mode="r")[...], ours)


@requires_dask
def test_dask_distributed_reads_a_quant16_store(tmp_path):
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    x = poisson((8, 128, 96), seed=3)
    write_v3(tmp_path / "q.zarr", x, (1, 64, 48), "quant16", offset=0, scale=1)
    single = zarr.open_array(str(tmp_path / "q.zarr"), mode="r")[...]
    v2 = next(s for s in load_manifest()["stores"] if s["name"] == "q16_o0_s2_stack@zarr3")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, timeout=60) as cluster, Client(cluster, timeout=60) as client:
        assert all(addr.startswith("tcp://127.0.0.1:") for addr in client.scheduler_info()["workers"])
        arr = da.from_zarr(str(tmp_path / "q.zarr"))
        assert arr.numblocks == (8, 2, 2)
        got = client.compute(arr).result(timeout=120)
        pids = client.run(lambda: __import__("os").getpid())
        assert len(set(pids.values())) == 2
        fixture = da.from_zarr(str(FIXTURES / v2["path"]), component=v2["array_path"] or None)
        got_v2 = client.compute(fixture).result(timeout=120)
    assert np.array_equal(got, single)
    assert np.array_equal(got_v2, np.load(FIXTURES / v2["expected"]))
