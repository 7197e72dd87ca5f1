"""PYME's image data as OME-Zarr images, in-process: what ``pymecompress convert SOURCE OUT
--ome`` writes, from a notebook, without a subprocess::

    from pymecompress_rs import ome

    info = ome.to_ome_zarr("scan_000.pcs", "scan_000.ome.zarr", nodes=["/data2/scan_000.pcs"],
                           levels=3)
    info["axes"], info["shape"], info["scale"]   # ('t', 'y', 'x'), [frames, Y, X], [s, um, um]

The image is (t, [c], [z], y, x): PYME's (x, y) frames transposed so every viewer shows them
the right way round, axes and scales from PYME's metadata (``voxelsize.*``, ``Camera.CycleTime``,
``SizeC``/``SizeZ``/``DimOrder``), PYME's metadata and events next to the NGFF block, and
``levels - 1`` further levels of 2x2 means. NGFF 0.4 on Zarr v2, 0.5 on Zarr v3. The conversion
is the Rust crate ``pymecompress-pyme``'s, the code the CLI runs: same arrays, same metadata,
frames' payloads moved without decoding where the codec allows, with the GIL released.

The image is written into a temporary directory next to ``out`` (``.NAME.partial-PID``) and
renamed to ``out`` when complete: a failed write leaves nothing at ``out``. Unlike the CLI there
is no resume of a killed write; ``out`` must not exist.
"""

import os

from ._native import PymeSourceError, ome_to_ome_zarr as _native_to_ome_zarr

__all__ = ["to_ome_zarr", "PymeSourceError"]


def to_ome_zarr(source, out, *, nodes=(), levels=1, codec=None, zarr_format=2, offset=None,
                scale=None, zstd_level=3, pixel_size=None, frame_interval=None,
                allow_incomplete=False):
    """Converts a PYME source into an OME-Zarr image at ``out``, every frame.

    Parameters
    ----------
    source : str or os.PathLike
        A ``.pzf`` file, a ``.h5`` file, a series directory (``NAME.pcs``) or a series URL
        ``http://HOST:PORT/PATH/NAME.pcs`` on a PYME data server.
    out : str or os.PathLike
        The image's directory (must not exist).
    nodes : sequence of str or os.PathLike
        The same series' directories (or URLs) on the other data servers.
    levels : int
        Pyramid levels, each the 2x2 mean of the one above, rounded half to even (1: the image
        alone).
    codec : None or str
        None: the frames' own compression (quantized frames stay quant16 with their parameters,
        Huffman stays Huffman, raw stays uncompressed). ``"quant16"`` (uint16 only; a quantized
        source keeps its parameters, any other needs ``offset`` and ``scale``), ``"huffman"``
        (lossless), ``"zstd"`` (readable by every zarr reader), ``"none"``. Levels below 0 of
        quant16 data are Huffman (lossless).
    zarr_format : int
        2 (NGFF 0.4) or 3 (NGFF 0.5).
    offset : None, float or "auto"
        quant16 of an unquantized source: the camera offset (dark level); ``"auto"`` takes
        ``Camera.ADOffset`` from its metadata.
    scale : None or float
        quant16 of an unquantized source: the quantization step in units of the photon noise.
    zstd_level : int
        zstd's compression level.
    pixel_size, frame_interval : None or float
        Micrometres per pixel and seconds between frames where the metadata has no
        ``voxelsize.x``/``voxelsize.y`` or ``Camera.CycleTime``.
    allow_incomplete : bool
        Convert a series with missing frames (left as absent chunks, read as zeros) instead of
        raising.

    Returns
    -------
    dict
        ``name``, ``axes``, ``shape`` and ``scale`` (level 0), ``levels``, ``zarr_format``,
        ``codec`` (level 0's), ``moved`` (frames moved as stored), ``notes`` (where a scale was
        not found, why frames were not split into c/z), ``incomplete`` (what the source lacks,
        or None).

    Raises
    ------
    ValueError
        Arguments that do not fit the source (an unknown codec, quant16 parameters missing,
        too many levels, frames of PZF Depth above 1).
    PymeSourceError
        The source cannot be read, is incomplete without ``allow_incomplete``, or ``out``
        exists or cannot be written.
    """
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels: a positive int, not {levels!r}")
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format: 2 or 3, not {zarr_format!r}")
    return _native_to_ome_zarr(
        os.fspath(source) if not isinstance(source, str) else source,
        os.fspath(out),
        [os.fspath(n) if not isinstance(n, str) else n for n in nodes],
        levels,
        codec,
        zarr_format,
        offset,
        None if scale is None else float(scale),
        int(zstd_level),
        None if pixel_size is None else float(pixel_size),
        None if frame_interval is None else float(frame_interval),
        bool(allow_incomplete),
    )
