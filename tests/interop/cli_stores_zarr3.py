"""Plain zarr-python 3 (without our package) reads the Zarr v3 stores `pymecompress convert`
writes with zarr's own codecs, and writes the same metadata for the same array.

    cli_stores_zarr3.py BIN STORES WORK
      BIN     the pymecompress binary
      STORES  fixtures/stores/zarr2 (each NAME.zarr beside NAME.expected.npy)
      WORK    scratch directory

Prints one line per check and `cli_stores_zarr3: N passed, M failed`; exits 1 on a failure.
"""
from checks import check, finish  # noqa: E402  (tests/interop/checks.py)
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import zarr
from zarr.codecs import BloscCodec, Crc32cCodec, ZstdCodec

BIN, STORES, WORK = sys.argv[1:4]
os.makedirs(WORK, exist_ok=True)

# (name, convert flags besides --codec, zarr-python's compressors, sharded)
LAYOUTS = [
    ('zstd', ['--codec', 'zstd', '--level', '5'], lambda t: [ZstdCodec(level=5)], False),
    ('blosc', ['--codec', 'blosc'],
     lambda t: [BloscCodec(cname='lz4', clevel=5, shuffle='shuffle', typesize=t, blocksize=0)],
     False),
    ('none', ['--codec', 'none'], lambda t: None, False),
    ('checksum', ['--codec', 'zstd', '--checksum'],
     lambda t: [ZstdCodec(level=3), Crc32cCodec()], False),
    ('sharded', ['--codec', 'zstd'], lambda t: [ZstdCodec(level=3)], True),
    ('sharded_checksum', ['--codec', 'zstd', '--checksum'],
     lambda t: [ZstdCodec(level=3), Crc32cCodec()], True),
]
# Root arrays of several data types, a 3-D stack, and a store with missing chunks.
SOURCES = ['huff_u2', 'huff_f4', 'huff_i4', 'huff_u1_stack_slash_missing', 'q16_o0_s2_stack',
           'q16_o100_s1_missing_fill']
# Keys zarr-python writes that we leave out (both optional in the v3 spec).
OPTIONAL = {'storage_transformers', 'attributes', 'dimension_names'}


def without_one_byte_endian(document, itemsize):
    """The metadata with `bytes`' endian dropped for 1-byte data types: the v3 spec makes it
    optional there; zarr-python leaves it out, we write `little` (both read alike)."""
    def chain(codecs):
        for codec in codecs:
            if codec.get('name') == 'bytes' and itemsize == 1:
                codec.pop('configuration', None)
            for key in ('codecs', 'index_codecs'):
                inner = codec.get('configuration', {}).get(key)
                if inner is not None and key == 'codecs':
                    chain(inner)
    chain(document.get('codecs', []))
    return document


def no_package_of_ours():
    assert importlib.util.find_spec('pymecompress') is None, 'our package is installed'
    assert zarr.__version__ == '3.1.6', zarr.__version__


def case(source, layout, flags, compressors, sharded):
    def run():
        src = os.path.join(STORES, source + '.zarr')
        zarray = json.load(open(os.path.join(src, '.zarray')))
        chunks = zarray['chunks']
        out = os.path.join(WORK, '%s-%s.zarr' % (source, layout))
        args = [BIN, 'convert', src, out, '--zarr-format', '3'] + flags
        if sharded:
            args += ['--shards', ','.join(str(2 * c) for c in chunks)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        # Values: zarr-python alone reads what the source holds.
        a = zarr.open_array(out, mode='r')
        want = np.load(os.path.join(STORES, source + '.expected.npy'))
        got = a[...]
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert np.array_equal(got, want), 'values differ'
        # Metadata: what zarr-python writes for the same array.
        ref = os.path.join(WORK, '%s-%s.ref.zarr' % (source, layout))
        zarr.create_array(
            ref, shape=a.shape, dtype=a.dtype, fill_value=a.fill_value,
            chunks=chunks, shards=[2 * c for c in chunks] if sharded else None,
            compressors=compressors(a.dtype.itemsize), filters=None, overwrite=True)
        size = a.dtype.itemsize
        ours = without_one_byte_endian(json.load(open(os.path.join(out, 'zarr.json'))), size)
        theirs = without_one_byte_endian(json.load(open(os.path.join(ref, 'zarr.json'))), size)
        for key in sorted(set(ours) | set(theirs)):
            if key in OPTIONAL:
                continue
            assert ours.get(key) == theirs.get(key), \
                '%s: ours %s, zarr-python %s' % (key, ours.get(key), theirs.get(key))
    return run


def group_store():
    """A store with groups (raw frames and a uint8 mask) opens as a zarr-python 3 group."""
    src = os.path.join(STORES, 'q16_o0_s1_edge.zarr')
    out = os.path.join(WORK, 'groups.zarr')
    subprocess.run([BIN, 'convert', src, out, '--codec', 'zstd', '--zarr-format', '3',
                    '--checksum'], check=True, stdout=subprocess.DEVNULL)
    g = zarr.open_group(out, mode='r')
    want = np.load(os.path.join(STORES, 'q16_o0_s1_edge.expected.npy'))
    assert np.array_equal(g['images/raw'][...], want), 'raw differs'
    mask = g['images/mask'][...]
    assert np.array_equal(mask.ravel(), np.arange(mask.size) % 3), 'mask differs'
    assert g.attrs['pymecompress']['complete'] is True, dict(g.attrs)


def main():
    check('zarr-python 3.1.6 without our package', no_package_of_ours)
    check('zarr-python 3 opens a converted store with groups', group_store)
    for source in SOURCES:
        for layout, flags, compressors, sharded in LAYOUTS:
            check('zarr-python 3 opens %s converted to %s' % (source, layout),
                  case(source, layout, flags, compressors, sharded))
    finish('cli_stores_zarr3')


if __name__ == '__main__':
    main()
