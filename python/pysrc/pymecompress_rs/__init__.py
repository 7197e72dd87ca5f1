"""pymecompress_rs: a correct, fast, drop-in replacement of pymecompress, in Rust.

- :mod:`pymecompress_rs.bcl`: the functions of ``pymecompress.bcl``, same names and signatures.
- :mod:`pymecompress_rs.codecs`: the numcodecs codecs ``pymecompress-huffman``,
  ``pymecompress-quant16`` and ``pyme-pzf`` (zarr-python 2 and Zarr v2 arrays).
- :mod:`pymecompress_rs.zarr3`: the same codecs for Zarr v3 arrays in zarr-python >= 3.1.3,
  as ``numcodecs.pymecompress-huffman``, ``numcodecs.pymecompress-quant16``, ``numcodecs.pyme-pzf``.
- :mod:`pymecompress_rs.pzf`: ``loads``/``dumps`` and the constants of ``PYME.IO.PZFFormat``.
- :mod:`pymecompress_rs.pyme_fs`: the fsspec filesystem ``pyme://`` that opens PYME tile
  pyramids as zarr stores (read-only; found through an entry point).
- :mod:`pymecompress_rs.pyme`: ``open`` of a ``.pzf`` file, a series (directory or data-server
  URL) or a ``.h5`` file as numpy and lazy dask arrays, without PYME or PyTables.

Installed, the codecs are found through entry points with no import. When the reference
``pymecompress.codecs`` or PYME's ``PYME.IO.zarr_compat`` has been imported, it has registered
its own classes under the same ids; :func:`register` puts ours back (see docs/python.md).
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError, version as _version

from . import bcl
from ._native import CodecError

try:
    __version__ = _version("pymecompress-rs")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

CODEC_IDS = ("pymecompress-huffman", "pymecompress-quant16", "pyme-pzf")


def register(override=True):
    """Register our codecs with numcodecs (and, with zarr-python >= 3.1.3, with zarr's v3 registry).

    Parameters
    ----------
    override : bool
        True (default): our classes serve the three ids even if another package (the reference
        ``pymecompress.codecs``, PYME's ``zarr_compat``) registered them. False: only ids that
        nothing has registered yet.

    Returns
    -------
    dict
        codec id -> the class numcodecs now uses for it.
    """
    from . import codecs

    chosen = codecs._register(override=override)
    # zarr3 imports codecs (its classes wrap them); codecs never imports zarr3
    try:
        from . import zarr3
    except ImportError:  # zarr-python 2, or no zarr
        pass
    else:
        zarr3._register(override=override)
    return chosen


__all__ = ["bcl", "register", "CodecError", "CODEC_IDS", "__version__"]
