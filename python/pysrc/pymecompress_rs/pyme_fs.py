"""``pyme://``: PYME tile pyramids as zarr stores, read-only, without PYME installed.

A pyramid that PYME's ``ImagePyramid`` writes (python-microscopy >= 26.9) is a directory of
PZF tiles named by a key schema, with zarr v2 metadata beside them (``.zgroup``, ``.zattrs``
holding ``pyme: {key_schema, suffix, extension, ...}``, one ``.zarray`` per level with chunks
``[1, T, T]``, separator ``/`` and the ``pyme-pzf`` codec). zarr asks for chunk ``level/z/x/y``;
this filesystem answers with the tile file the schema names::

    import zarr
    g = zarr.open_group("pyme://path/to/pyramid", mode="r")
    level0 = g["0"][...]

It is found through this package's ``fsspec.specs`` entry point, so nothing needs importing
(importing PYME's ``PYME.IO.zarr_compat`` registers PYME's own class under the same name).
Paths that exist as files are read as they are, so ``pyme://`` also opens ordinary stores;
a chunk key whose tile does not exist is missing (zarr gives the fill value).

The schema is a Python format string; as PYME fills it with ``str.format(level=, z=, x=, y=,
suff=, ext=)``, so do we, after checking that it uses only those fields, with no conversion or
attribute access and integer specs ``d`` or ``0Nd`` only, and that no resulting path component
is empty, ``.`` or ``..`` (the same rule as the Rust tile store,
``zarr-plugin/src/tile_store/key_schema.rs``).
"""

import json
import os
import re
import string

from fsspec.implementations.local import LocalFileSystem
from fsspec.spec import AbstractFileSystem

__all__ = ["PymeTileFileSystem", "UnsupportedKeySchema", "DEFAULT_KEY_SCHEMA"]

DEFAULT_KEY_SCHEMA = "{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}"
_INT_FIELDS = ("level", "z", "x", "y")
_INT_SPEC = re.compile(r"(d|0[0-9]+d)?")


class UnsupportedKeySchema(ValueError):
    """A pyramid's ``key_schema`` that this reader does not fill (it names the reason)."""


class _Schema:
    """A checked key schema with its suffix and extension."""

    def __init__(self, schema, suffix, extension):
        def refuse(reason):
            return UnsupportedKeySchema(f"pyme:// key schema {schema!r}: {reason}")

        if not all(isinstance(v, str) for v in (schema, suffix, extension)):
            raise refuse("key_schema, suffix and extension must be strings")
        try:
            fields = list(string.Formatter().parse(schema))
        except ValueError as e:
            raise refuse(str(e)) from None
        for _literal, name, spec, conversion in fields:
            if name is None:
                continue
            if conversion:
                raise refuse(f"conversion !{conversion} on {name!r}")
            if name in ("suff", "ext"):
                if spec:
                    raise refuse(f"format spec {spec!r} on the string field {name!r}")
            elif name in _INT_FIELDS:
                if not _INT_SPEC.fullmatch(spec):
                    raise refuse(f"format spec {spec!r} of {name!r}; supported: none, d, 0Nd")
            else:
                raise refuse(f"field {name!r}; known: level, z, x, y, suff, ext")
        self._schema, self._suffix, self._extension = schema, suffix, extension
        probe = self.format(0, 0, 0, 0)
        if os.path.isabs(probe) or any(c in ("", ".", "..") for c in probe.split("/")):
            raise refuse(f"path {probe!r} has an absolute, empty, '.' or '..' component")

    def format(self, level, z, x, y):
        return self._schema.format(level=level, z=z, x=x, y=y, suff=self._suffix,
                                   ext=self._extension)


def _pyme_attributes(zattrs):
    """The ``pyme`` dict of a ``.zattrs`` file, or None (no file, not JSON, no such dict)."""
    try:
        with open(zattrs, "rb") as fh:
            attrs = json.load(fh)
    except (OSError, ValueError):
        return None
    spec = attrs.get("pyme") if isinstance(attrs, dict) else None
    return spec if isinstance(spec, dict) else None


class PymeTileFileSystem(AbstractFileSystem):
    """Read-only local filesystem that maps a PYME pyramid's chunk keys to its tile files."""

    protocol = "pyme"
    root_marker = "/"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = LocalFileSystem()
        # directory -> (store root, schema or None), so a chunk costs no walk after the first
        self._roots = {}

    @classmethod
    def _strip_protocol(cls, path):
        if isinstance(path, (list, tuple)):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        if path.startswith("pyme://"):
            path = path[len("pyme://"):]
        return LocalFileSystem._strip_protocol(path)

    def _root_of(self, directory):
        """The nearest directory at or above ``directory`` whose ``.zattrs`` holds ``pyme``
        attributes, and the key schema they give; (None, None) outside any pyramid."""
        found = self._roots.get(directory)
        if found is not None:
            return found
        root, schema = None, None
        d = directory
        while True:
            spec = _pyme_attributes(os.path.join(d, ".zattrs"))
            if spec is not None:
                root = d
                schema = _Schema(spec.get("key_schema", DEFAULT_KEY_SCHEMA),
                                 spec.get("suffix", "img"), spec.get("extension", ".pzf"))
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        self._roots[directory] = (root, schema)
        return root, schema

    def _local_path(self, path):
        """The file behind ``path``: itself if it exists, else the tile a chunk key
        ``level/z/x/y`` below a pyramid's root names, else itself (missing)."""
        path = self._strip_protocol(path)
        if os.path.lexists(path):
            return path
        root, schema = self._root_of(os.path.dirname(path))
        if schema is None:
            return path
        parts = os.path.relpath(path, root).replace(os.sep, "/").split("/")
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            return path
        rel = schema.format(*(int(p) for p in parts))
        return os.path.join(root, *rel.split("/"))

    def _open(self, path, mode="rb", **kwargs):
        if mode != "rb":
            raise PermissionError(f"pyme:// is read-only (mode {mode!r})")
        return self._local._open(self._local_path(path), mode=mode, **kwargs)

    def cat_file(self, path, start=None, end=None, **kwargs):
        return self._local.cat_file(self._local_path(path), start=start, end=end, **kwargs)

    def info(self, path, **kwargs):
        info = self._local.info(self._local_path(path), **kwargs)
        return dict(info, name=self._strip_protocol(path))

    def ls(self, path, detail=True, **kwargs):
        return self._local.ls(self._local_path(path), detail=detail, **kwargs)
