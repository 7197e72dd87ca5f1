"""pymecompress_rs.pyme.open: every PYME source kind as numpy and dask arrays.

Expected values are PYME's (python-microscopy 26.9.3), from the committed fixtures its own code
made: fixtures/pyme_series/data/{complete,quantized}/expected.npy (PZFFormat.loads of every
frame), fixtures/pzf/*.npy (loads of each .pzf), fixtures/pyme_h5/data/*.expected.npy
(HDFDataSource.getSlice of every slice) and pyme_h5's manifest (metadata, events as
HDFDataSource returns them). Where PYME has no answer (a frame a series lacks) the CLI's
`export --allow-incomplete` of the same source is compared, itself checked against PYME.
Series over HTTP from PYME's own data servers: python/tests/dask_s3.sh.
"""

import gzip
import json
import pickle
import shutil
import subprocess

import numpy as np
import pytest

from conftest import CLI, FIXTURES, requires_cli, requires_dask, run_python

from pymecompress_rs import pyme
from pymecompress_rs.pyme import PymeSourceError

SERIES = FIXTURES / "pyme_series" / "data"
COMPLETE = [SERIES / "complete" / f"server{i}" / "scan_000.pcs" for i in (0, 1)]
INCOMPLETE = [SERIES / "incomplete" / f"server{i}" / "scan_001.pcs" for i in (0, 1)]
QUANTIZED = SERIES / "quantized" / "server0" / "scan_002.pcs"
H5 = FIXTURES / "pyme_h5" / "data"
H5_MANIFEST = json.loads((H5 / "manifest.json").read_text())["cases"]
PZF_MANIFEST = {c["name"]: c for c in json.loads((FIXTURES / "pzf" / "manifest.json")
                                                 .read_text())["cases"]}
# 3 bytes the fixture script appended to a Huffman payload: PYME's loads ignores them, we refuse
# them (docs/python.md, deliberate differences)
TRAILING_BYTES = "v3_huff_trailing_bytes"
PZF_CASES = sorted(p.stem for p in (FIXTURES / "pzf").glob("*.pzf")
                   if (FIXTURES / "pzf" / f"{p.stem}.npy").exists() and p.stem != TRAILING_BYTES)


@pytest.fixture(scope="module")
def expected():
    return np.load(SERIES / "complete" / "expected.npy")


@pytest.fixture(scope="module")
def complete():
    return pyme.open(COMPLETE[0], nodes=[COMPLETE[1]])


def gunzip(name, tmp_path):
    out = tmp_path / f"{name}.h5"
    with gzip.open(H5 / f"{name}.h5.gz", "rb") as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g)
    return out


def series_json(name):
    """A JSON file of the complete series, from whichever server PYME put it on."""
    for d in COMPLETE:
        if (d / name).exists():
            return json.loads((d / name).read_text())
    raise AssertionError(name)


# -- every source kind against PYME ------------------------------------------------------------

def test_series_on_two_servers_is_what_pyme_reads(complete, expected):
    assert complete.kind == "series" and complete.is_stack
    assert complete.shape == expected.shape == (120, 32, 32)
    assert complete.dtype == expected.dtype == np.uint16
    assert len(complete) == 120 and complete.ndim == 3
    assert complete.missing == [] and complete.finished
    np.testing.assert_array_equal(complete[:], expected)
    np.testing.assert_array_equal(np.asarray(complete), expected)
    assert complete.metadata == series_json("metadata.json")
    assert complete.final_metadata == series_json("final_metadata.json")
    events = series_json("events.json")
    assert len(complete.events) == len(events) > 0
    for ours, (name, description, time) in zip(complete.events, events):
        assert (ours.name, ours.description) == (name, description)
        assert ours.time == pytest.approx(float(time))


def test_series_quantized_is_what_pyme_reads():
    img = pyme.open(QUANTIZED)
    expected = np.load(SERIES / "quantized" / "expected.npy")
    assert img.shape == expected.shape and img.quant == (100.0, 1.0)
    np.testing.assert_array_equal(img[:], expected)


@pytest.mark.parametrize("name", PZF_CASES)
def test_pzf_file_is_what_pyme_loads(name):
    expected = np.load(FIXTURES / "pzf" / f"{name}.npy")
    img = pyme.open(FIXTURES / "pzf" / f"{name}.pzf")
    assert img.kind == "pzf" and not img.is_stack
    assert img.shape == expected.shape and img.dtype == expected.dtype
    data = img[...]
    differ = data != expected
    # PYME wraps dequantized values outside 0..65535 modulo 65536; we saturate (as pzf.loads)
    assert differ.sum() == PZF_MANIFEST[name].get("quant", {}).get("wrapped_pixels", 0)
    assert np.all(np.isin(data[differ], [0, 65535]))
    np.testing.assert_array_equal(img.read_frame(0), data)
    if expected.size:
        np.testing.assert_array_equal(img[0, ..., -1], data[0, ..., -1])


def test_pzf_trailing_bytes_refused_naming_the_file():
    img = pyme.open(FIXTURES / "pzf" / f"{TRAILING_BYTES}.pzf")
    with pytest.raises(PymeSourceError, match=f"{TRAILING_BYTES}.pzf.*codes end at bit 324"):
        img[...]


H5_CASES = sorted(n for n in H5_MANIFEST
                  if (H5 / f"{n}.expected.npy").exists() and n != "pzf_gap")


@pytest.mark.parametrize("name", H5_CASES)
def test_h5_is_what_pyme_reads(name, tmp_path):
    case = H5_MANIFEST[name]
    expected = np.load(H5 / f"{name}.expected.npy")
    img = pyme.open(gunzip(name, tmp_path))
    assert img.kind == "h5" and img.shape == expected.shape == tuple(case["shape"])
    assert img.dtype == expected.dtype
    np.testing.assert_array_equal(img[:], expected)
    events = [list(e) for e in img.events or []]
    assert events == [[n, d, pytest.approx(t)] for n, d, t in case.get("events", [])]
    for key, value in case["metadata"].items():
        if not isinstance(value, dict):  # pickled values are listed by type only
            assert img.metadata[key] == pytest.approx(value), key


def test_h5_opens_without_pytables(tmp_path):
    path = gunzip("pzf_huffman_u16", tmp_path)
    out = run_python(
        "import sys; sys.modules['tables'] = None; sys.modules['h5py'] = None\n"
        "import numpy as np; from pymecompress_rs import pyme\n"
        "img = pyme.open(sys.argv[1])\n"
        "assert np.array_equal(img[:], np.load(sys.argv[2])), 'differs'\n"
        "print(img.shape)", path, H5 / "pzf_huffman_u16.expected.npy")
    assert out.strip() == "(10, 16, 12)"


# -- gaps ---------------------------------------------------------------------------------------

def test_h5_gap_refused_on_access_or_zeros_at_its_own_index(tmp_path):
    path = gunzip("pzf_gap", tmp_path)
    img = pyme.open(path)
    assert img.missing == [3] and len(img) == 8
    with pytest.raises(PymeSourceError, match=r"frame 3: missing.*allow_incomplete=True"):
        img[3]
    with pytest.raises(PymeSourceError, match="allow_incomplete"):
        img[:]
    with pytest.raises(PymeSourceError, match="1 frame missing"):
        img.to_dask() if _have_dask() else img[2:4]
    np.testing.assert_array_equal(img[4], np.load(H5 / "pzf_gap.ours.npy")[4])
    filled = pyme.open(path, allow_incomplete=True)
    np.testing.assert_array_equal(filled[:], np.load(H5 / "pzf_gap.ours.npy"))


def test_series_missing_a_server_says_so_and_fills_with_zeros(complete, expected):
    one = pyme.open(COMPLETE[0])
    assert one.missing == list(range(50, 100)) and len(one) == 120
    with pytest.raises(PymeSourceError, match=r"frame 60: missing .*data servers"):
        one[60]
    np.testing.assert_array_equal(one[49], expected[49])
    filled = pyme.open(COMPLETE[0], allow_incomplete=True)
    got = filled[:]
    np.testing.assert_array_equal(got[50:100], 0)
    np.testing.assert_array_equal(got[:50], expected[:50])
    np.testing.assert_array_equal(got[100:], expected[100:])


def test_series_incomplete_matches_the_cli_fill(tmp_path):
    img = pyme.open(INCOMPLETE[0], nodes=[INCOMPLETE[1]])
    assert img.missing == [57, 115, 116, 117, 118, 119] and len(img) == 120
    assert not img.finished
    with pytest.raises(PymeSourceError, match="frame 57: missing"):
        img[50:60]
    filled = pyme.open(INCOMPLETE[0], nodes=[INCOMPLETE[1]], allow_incomplete=True)[:]
    assert not filled[57].any() and not filled[115:].any() and filled[56].any()
    if not CLI.is_file():
        pytest.skip(f"needs the pymecompress CLI at {CLI} for the comparison")
    out = tmp_path / "cli.npy"
    subprocess.run([CLI, "export", INCOMPLETE[0], "--node", INCOMPLETE[1], out,
                    "--allow-incomplete"], check=True, capture_output=True, timeout=120)
    np.testing.assert_array_equal(filled, np.load(out))


# -- indexing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    0, 119, -1, -120, np.int64(7), slice(None), slice(3, 17), slice(None, None, -7),
    slice(5, 5), [1, 5, 1], np.array([[0, 1], [2, 3]]), np.arange(120) % 3 == 0,
    (4, slice(2, 5), slice(None, None, 2)), ([1, 5], slice(None), 0), (slice(0, 3), 0, 0),
    (slice(None), Ellipsis, -1), (Ellipsis, 3), (10, Ellipsis), (None, 3), (), Ellipsis,
])
def test_indexing_is_numpys(complete, expected, key):
    got = complete[key]
    want = expected[key]
    assert isinstance(got, np.ndarray) and got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("key", [120, -121, [0, 120], (0, 32)])
def test_indexing_out_of_range(complete, key):
    with pytest.raises(IndexError):
        complete[key]


def test_read_frame_into_out(complete, expected):
    out = np.full((32, 32), 7, np.uint16)
    assert complete.read_frame(-2, out=out) is out
    np.testing.assert_array_equal(out, expected[118])
    for bad in (np.empty((32, 31), np.uint16), np.empty((32, 32), np.float32),
                np.empty((32, 64), np.uint16)[:, ::2]):
        with pytest.raises(ValueError):
            complete.read_frame(0, out=bad)
    readonly = np.empty((32, 32), np.uint16)
    readonly.flags.writeable = False
    with pytest.raises(ValueError):
        complete.read_frame(0, out=readonly)


def test_image_pickles_by_path(complete, expected):
    back = pickle.loads(pickle.dumps(complete))
    assert back.path == complete.path and back.nodes == complete.nodes
    np.testing.assert_array_equal(back[7], expected[7])


# -- errors -------------------------------------------------------------------------------------

def test_missing_file_names_it(tmp_path):
    for name in ("gone.pzf", "gone.h5", "gone.pcs"):
        with pytest.raises(PymeSourceError, match=name):
            pyme.open(tmp_path / name)


def test_not_pyme_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(PymeSourceError, match="not a PYME source"):
        pyme.open(tmp_path / "notes.txt")
    assert issubclass(PymeSourceError, ValueError)


def test_damaged_frame_names_file_and_frame(tmp_path, expected):
    copies = []
    for d in COMPLETE:
        copies.append(tmp_path / d.parent.name / d.name)
        shutil.copytree(d, copies[-1])
    frame = copies[0] / "frame00005.pzf"
    frame.write_bytes(frame.read_bytes()[:80])  # header whole, Huffman payload cut
    img = pyme.open(copies[0], nodes=[copies[1]])
    np.testing.assert_array_equal(img[4], expected[4])
    with pytest.raises(PymeSourceError, match="frame00005.pzf|frame 5"):
        img[5]
    with pytest.raises(PymeSourceError):
        img[:10]


def test_a_data_server_not_running_is_named():
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PymeSourceError, match=f"127.0.0.1:{port}/scan_000.pcs"):
        pyme.open(f"http://127.0.0.1:{port}/scan_000.pcs")


def test_damaged_pzf_file(tmp_path):
    bad = tmp_path / "bad.pzf"
    bad.write_bytes(b"BD" + b"\x00" * 10)
    with pytest.raises(PymeSourceError, match="bad.pzf"):
        pyme.open(bad)


# -- dask ---------------------------------------------------------------------------------------

def _have_dask():
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return False
    return True


requires_dask_array = pytest.mark.skipif(not _have_dask(), reason="needs dask.array")


@requires_dask_array
@pytest.mark.parametrize("k", [1, 7, 120, 500])
def test_to_dask_blocks_and_values(complete, expected, k):
    arr = complete.to_dask(frames_per_block=k)
    assert arr.shape == expected.shape and arr.dtype == expected.dtype
    assert arr.numblocks[0] == -(-120 // k) and arr.chunks[1:] == ((32,), (32,))
    assert sum(arr.chunks[0]) == 120 and max(arr.chunks[0]) == min(k, 120)
    np.testing.assert_array_equal(arr.compute(scheduler="sync"), expected)
    np.testing.assert_array_equal(arr[5:9, 3].compute(scheduler="threads"), expected[5:9, 3])


@requires_dask_array
def test_to_dask_graph_pickles_small_and_holds_no_source(complete, expected):
    arr = complete.to_dask()
    graph = dict(arr.__dask_graph__())
    assert len(graph) == 120
    blob = pickle.dumps(graph)
    assert b"PymeSource" not in blob and b"PymeImage" not in blob
    assert len(blob) < 120 * 400, len(blob)  # paths and numbers, no pixels
    import dask
    back = pickle.loads(pickle.dumps(arr))
    np.testing.assert_array_equal(dask.compute(back, scheduler="sync")[0], expected)


@requires_dask_array
def test_to_dask_of_a_pzf_file_and_of_an_h5(tmp_path):
    expected = np.load(FIXTURES / "pzf" / "u16_huff_C_3d.npy")
    arr = pyme.open(FIXTURES / "pzf" / "u16_huff_C_3d.pzf").to_dask()
    assert arr.numblocks == (1, 1, 1)
    np.testing.assert_array_equal(arr.compute(scheduler="sync"), expected)
    h5 = pyme.open(gunzip("pzf_quant_o3p5_s2", tmp_path)).to_dask(frames_per_block=2)
    np.testing.assert_array_equal(h5.compute(scheduler="sync"),
                                  np.load(H5 / "pzf_quant_o3p5_s2.expected.npy"))


@requires_dask_array
def test_to_dask_refuses_gaps_before_running(complete):
    with pytest.raises(PymeSourceError, match="50 frames missing"):
        pyme.open(COMPLETE[0]).to_dask()
    arr = pyme.open(COMPLETE[0], allow_incomplete=True).to_dask(frames_per_block=50)
    assert not arr[50:100].any().compute(scheduler="sync")
    with pytest.raises(ValueError):
        complete.to_dask(frames_per_block=0)


@requires_dask
def test_to_dask_on_two_worker_processes(complete, expected):
    """Each worker process reopens the series and reads its own share of the frames."""
    from dask.distributed import Client, LocalCluster

    before = pyme.frames_read()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        got = complete.to_dask(frames_per_block=4).compute()
        reads = client.run(lambda: __import__("pymecompress_rs.pyme").pyme.frames_read())
    np.testing.assert_array_equal(got, expected)
    assert len(reads) == 2 and sum(reads.values()) == 120 and min(reads.values()) > 0, reads
    assert pyme.frames_read() == before  # nothing was read in this process


def test_to_ome_zarr_delegates_with_path_nodes_and_flag(monkeypatch, tmp_path):
    """Only the delegation: pymecompress_rs.ome's own tests check what it writes."""
    import sys
    import types

    import pymecompress_rs

    calls = []
    fake = types.ModuleType("pymecompress_rs.ome")
    fake.to_ome_zarr = lambda *args, **kwargs: calls.append((args, kwargs)) or "written"
    monkeypatch.setitem(sys.modules, "pymecompress_rs.ome", fake)
    monkeypatch.setattr(pymecompress_rs, "ome", fake, raising=False)
    img = pyme.open(COMPLETE[0], nodes=[COMPLETE[1]], allow_incomplete=True)
    assert img.to_ome_zarr(tmp_path / "o.zarr", levels=2, codec="quant16", offset="auto",
                           scale=1.0) == "written"
    assert calls == [((str(COMPLETE[0]), tmp_path / "o.zarr"),
                      {"nodes": [str(COMPLETE[1])], "levels": 2, "codec": "quant16",
                       "zarr_format": 2, "offset": "auto", "scale": 1.0,
                       "allow_incomplete": True})]
