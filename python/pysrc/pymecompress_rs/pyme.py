"""PYME's image data as numpy and dask arrays, without PYME (and without PyTables).

:func:`open` takes a ``.pzf`` file, a cluster series (a ``NAME.pcs`` directory, or its URL
``http://HOST:PORT/PATH/NAME.pcs`` on one of PYME's data servers, with ``nodes=`` naming the
series' copies on the other servers) or a PYME ``.h5`` file, and returns a :class:`PymeImage`:
shape, dtype, metadata, events, the missing frames, numpy indexing, and :meth:`PymeImage.to_dask`,
a lazy dask array of one task per frame (or block of frames) whose tasks reopen the source by
its path or URL in the process that runs them::

    import dask.array as da
    from pymecompress_rs import pyme

    img = pyme.open("http://10.0.0.1:15348/2026_1_1/scan_000.pcs",
                    nodes=["http://10.0.0.2:15348/2026_1_1/scan_000.pcs"])
    img.shape, img.dtype       # (frames, X, Y), uint16: as PYME's readers and our CLI give it
    frame = img[10]            # one frame, numpy
    da.to_zarr(img.to_dask(), "s3://bucket/scan_000.zarr", ...)   # on any dask cluster

Which file is which source, how frames decode and what is missing are the Rust crate
``pymecompress-pyme``'s (the CLI's) decisions; this module only indexes. Errors raise
:class:`PymeSourceError` (a ``ValueError``) with the crate's message, naming the source, file or
server and frame.

Gaps, as the CLI's policy: opening always works and :attr:`PymeImage.missing` lists the frame
slots the source lacks; reading one raises :class:`PymeSourceError` unless the image was opened
with ``allow_incomplete=True``, when it reads as zeros (the fill value the CLI writes).
"""

import collections
import json
import operator
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._native import PymeSourceError, pyme_open as _native_open

__all__ = ["open", "PymeImage", "PymeSourceError", "Event"]

Event = collections.namedtuple("Event", ["name", "description", "time"])
Event.__doc__ = "One PYME event: EventName, EventDescr and Time (seconds since the epoch)."

# Frames read at once by a multi-frame index: decoding and HTTP both release the GIL.
_READ_THREADS = min(8, os.cpu_count() or 1)


def open(path_or_url, nodes=(), allow_incomplete=False):  # noqa: A001 - the module's verb
    """Opens a PYME source.

    Parameters
    ----------
    path_or_url : str or os.PathLike
        A ``.pzf`` file, a ``.h5`` file, a series directory (``NAME.pcs``) or a series URL
        ``http://HOST:PORT/PATH/NAME.pcs`` on a PYME data server.
    nodes : sequence of str or os.PathLike
        The same series' directories (or URLs) on the other data servers.
    allow_incomplete : bool
        Read missing frames as zeros instead of raising.

    Raises
    ------
    PymeSourceError
        The source cannot be opened (not found, not PYME's, damaged, a server not answering),
        with the crate's message.
    """
    return PymeImage(path_or_url, nodes, allow_incomplete)


class PymeImage:
    """An open PYME source: see :func:`open`. Pickles as its path, nodes and flag (reopened)."""

    def __init__(self, path_or_url, nodes=(), allow_incomplete=False):
        self._path = os.fspath(path_or_url)
        self._nodes = tuple(os.fspath(n) for n in nodes)
        self._allow_incomplete = bool(allow_incomplete)
        self._native = _native_open(self._path, list(self._nodes))
        self._metadata = None

    # -- what it is -------------------------------------------------------------------------

    @property
    def path(self):
        """The path or URL it was opened with."""
        return self._path

    @property
    def nodes(self):
        """The other data servers' copies it was opened with."""
        return self._nodes

    @property
    def allow_incomplete(self):
        return self._allow_incomplete

    @property
    def kind(self):
        """``"pzf"``, ``"series"`` or ``"h5"``."""
        return self._native.kind

    @property
    def shape(self):
        """(frames, X, Y), plus Z when a frame has depth; a ``.pzf`` file: (X, Y, Z)."""
        return tuple(self._native.shape)

    @property
    def dtype(self):
        return np.dtype(self._native.dtype)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def frame_shape(self):
        """The shape of one frame as indexing returns it (a ``.pzf`` file: the whole array)."""
        return self.shape[1:] if self._native.is_stack else self.shape

    @property
    def is_stack(self):
        """Whether the first axis is frames (a series, an ``.h5``); a ``.pzf`` is one frame."""
        return self._native.is_stack

    @property
    def finished(self):
        """Whether the acquisition finished (``events.json`` present, ``/Events`` in an .h5)."""
        return self._native.finished

    @property
    def missing(self):
        """The frame slots the source lacks, ascending."""
        return self._native.missing

    @property
    def quant(self):
        """(offset, scale) of sqrt-quantized frames, else None."""
        return self._native.quant

    @property
    def locations(self):
        """Where the frames live: a series' directory or URL on each data server."""
        return self._native.locations

    @property
    def metadata(self):
        """PYME's metadata (``metadata.json``, ``/MetaData``) as a dict of flat dotted keys."""
        if self._metadata is None:
            self._metadata = json.loads(self._native.metadata_json())
        return self._metadata

    @property
    def final_metadata(self):
        """``final_metadata.json`` as a dict, or None."""
        text = self._native.final_metadata_json()
        return None if text is None else json.loads(text)

    @property
    def events(self):
        """The events as a list of :class:`Event` (name, description, time), or None."""
        events = self._native.events()
        return None if events is None else [Event(*e) for e in events]

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return (f"<PymeImage {self.kind} {self._path!r} shape={self.shape} "
                f"dtype={self.dtype} missing={len(self.missing)}>")

    def __reduce__(self):
        return (PymeImage, (self._path, self._nodes, self._allow_incomplete))

    # -- reading ----------------------------------------------------------------------------

    def read_frame(self, i, out=None):
        """Frame ``i`` as a numpy array of :attr:`frame_shape`, decoded with the GIL released.

        ``out``, if given, is a writable C-contiguous array of that shape and dtype, written in
        place and returned. A missing frame raises :class:`PymeSourceError`, or reads as zeros
        with ``allow_incomplete``.
        """
        n = self._native.frames
        i = operator.index(i)
        if self._native.is_stack:
            if not -n <= i < n:
                raise IndexError(f"frame {i} out of range for {n} frames")
            i %= n
        elif i not in (0, -1):
            raise IndexError(f"frame {i} out of range: a .pzf file is one frame")
        else:
            i = 0
        shape = self.frame_shape
        if out is None:
            out = np.empty(shape, self.dtype)
        elif (out.shape != shape or out.dtype != self.dtype
              or not out.flags.c_contiguous or not out.flags.writeable):
            raise ValueError(f"out must be a writable C-contiguous {self.dtype} array of shape "
                             f"{shape}, not {out.dtype} {out.shape}")
        if not self._native.read_frame_into(i, out):
            if not self._allow_incomplete:
                raise PymeSourceError(self._missing_message(i))
            out[...] = 0
        return out

    def _missing_message(self, i):
        lack, hint = self._native.incomplete() or ("", None)
        return (f"{self.kind} {self._path}, frame {i}: missing (incomplete: {lack}); "
                + (f"{hint}; " if hint else "")
                + "open with allow_incomplete=True to read missing frames as zeros")

    def _read_frames(self, indices):
        """The frames at ``indices`` (a 1-D integer array), stacked."""
        out = np.empty((len(indices),) + self.frame_shape, self.dtype)
        if len(indices) <= 1:
            for j, i in enumerate(indices):
                self.read_frame(int(i), out[j])
            return out
        with ThreadPoolExecutor(min(_READ_THREADS, len(indices))) as pool:
            list(pool.map(lambda j: self.read_frame(int(indices[j]), out[j]),
                          range(len(indices))))
        return out

    def __getitem__(self, key):
        """numpy indexing; the first axis chooses the frames read, the rest slice them after."""
        if not self._native.is_stack:
            return self.read_frame(0)[key]
        key = key if isinstance(key, tuple) else (key,)
        if not key:
            return self._read_frames(np.arange(len(self)))
        first, rest = key[0], key[1:]
        if first is Ellipsis or first is None:
            # the frame axis is not the first index: read everything, index as numpy
            return self._read_frames(np.arange(len(self)))[key]
        if not isinstance(first, (bool, np.bool_)):
            try:
                i = operator.index(first)
            except TypeError:
                pass
            else:
                frame = self.read_frame(i)
                return frame[rest] if rest else frame
        indices = np.arange(len(self))[first]
        frames = self._read_frames(indices.reshape(-1))
        frames = frames.reshape(indices.shape + self.frame_shape)
        return frames[(slice(None),) * indices.ndim + rest] if rest else frames

    def __array__(self, dtype=None, copy=None):
        a = self[...] if self._native.is_stack else self.read_frame(0)
        return a if dtype is None else a.astype(dtype, copy=False)

    # -- dask -------------------------------------------------------------------------------

    def to_dask(self, frames_per_block=1):
        """A lazy dask array of the whole source: one task per ``frames_per_block`` frames.

        Each task holds only the path or URL, the nodes and the flag, and reopens the source in
        the process that runs it (once per process: the open source is cached), so the graph
        pickles and runs on any cluster whose workers can reach the files or servers.
        Missing frames raise here, before anything runs, unless ``allow_incomplete``.
        """
        import dask.array as da
        from dask.base import tokenize
        from dask.highlevelgraph import HighLevelGraph

        k = operator.index(frames_per_block)
        if k < 1:
            raise ValueError(f"frames_per_block must be at least 1, not {k}")
        if self.missing and not self._allow_incomplete:
            lack, hint = self._native.incomplete()
            raise PymeSourceError(
                f"{self.kind} {self._path}: incomplete: {lack}; " + (f"{hint}; " if hint else "")
                + "open with allow_incomplete=True to read missing frames as zeros")
        shape = self.shape
        args = (self._path, self._nodes, self._allow_incomplete)
        name = "pyme-open-" + tokenize(*args, shape, str(self.dtype), k)
        rest = tuple((s,) for s in shape[1:])
        zeros = (0,) * (len(shape) - 1)
        if self._native.is_stack:
            n = shape[0]
            starts = range(0, n, k)
            chunks = (tuple(min(k, n - s) for s in starts),) + rest
            dsk = {(name, b) + zeros: (_read_block, *args, s, min(s + k, n))
                   for b, s in enumerate(starts)}
        else:
            chunks = ((shape[0],),) + rest
            dsk = {(name, 0) + zeros: (_read_block, *args, None, None)}
        graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
        return da.Array(graph, name, chunks, dtype=self.dtype,
                        meta=np.empty((0,) * len(shape), self.dtype))

    # -- OME-Zarr ---------------------------------------------------------------------------

    def to_ome_zarr(self, out, levels=1, codec=None, zarr_format=2, **kwargs):
        """Writes the source as an OME-Zarr image: :func:`pymecompress_rs.ome.to_ome_zarr` of
        this path with these nodes, and this image's ``allow_incomplete`` unless given (see
        there for the arguments)."""
        from . import ome

        kwargs.setdefault("allow_incomplete", self._allow_incomplete)
        return ome.to_ome_zarr(self._path, out, nodes=list(self._nodes), levels=levels,
                               codec=codec, zarr_format=zarr_format, **kwargs)


# -- in dask's worker processes ---------------------------------------------------------------

_OPEN = {}
_OPEN_LOCK = threading.Lock()
# Frames this process has read through _read_block: a worker's share of a dask computation.
_FRAMES_READ = [0]


def _opened(path, nodes, allow_incomplete):
    """The source opened once per process (a series over HTTP costs a listing and headers)."""
    key = (path, tuple(nodes), allow_incomplete)
    with _OPEN_LOCK:
        image = _OPEN.get(key)
        if image is None:
            image = _OPEN[key] = PymeImage(path, nodes, allow_incomplete)
        return image


def _read_block(path, nodes, allow_incomplete, start, stop):
    """A dask task: frames ``start:stop`` (a ``.pzf`` file: the whole array when None)."""
    image = _opened(path, nodes, allow_incomplete)
    if start is None:
        block = image.read_frame(0)
        n = 1
    else:
        block = image._read_frames(np.arange(start, stop))
        n = stop - start
    with _OPEN_LOCK:
        _FRAMES_READ[0] += n
    return block


def frames_read():
    """How many frames this process has read as dask tasks (for tests and monitoring)."""
    return _FRAMES_READ[0]
