"""The `pymecompress` CLI on tile pyramids PYME's own `ImagePyramid` writes
(python-microscopy 26.9.3): `info` finds every tile, `export` of every level equals PYME's
reader (zarr 2 through `PYME.IO.zarr_compat`'s `pyme://`), `verify` passes, and the levels of a
`convert`ed pyramid export the same.

    cli_stores_pyme.py BIN WORK

Prints one line per check and `cli_stores_pyme: N passed, M failed`; exits 1 on a failure.
"""
from checks import check, finish  # noqa: E402  (tests/interop/checks.py)
import json
import logging
import os
import subprocess
import sys

logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import zarr  # noqa: E402

from PYME.IO import zarr_compat  # noqa: E402,F401  (registers pyme-pzf and pyme://)
from PYME.Analysis import tile_pyramid  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)


def cli(*args):
    return subprocess.run([BIN] + list(args), check=True, capture_output=True, text=True).stdout


def make_pyramid(name, tile, frames, seed):
    base = os.path.join(WORK, name)
    P = tile_pyramid.ImagePyramid(base, pyramid_tile_size=tile)
    rng = np.random.default_rng(seed)
    for x, y, w, h in frames:
        P.update_base_tiles_from_frame(x, y, rng.poisson(80, (w, h)).astype('f4'))
    P.update_pyramid()
    P.save_zarr_metadata()
    return base


def pyme_level(base, level):
    a = zarr.open_group('pyme://' + base, mode='r')[str(level)]
    # PYME's codec fails zarr's whole-chunk path for its own (T, T, 1) tiles; an F-ordered
    # destination takes the other path.
    out = np.zeros(a.shape, a.dtype, order='F')
    a.get_basic_selection(Ellipsis, out=out)
    return out


def tile_files(base, level):
    n = 0
    for _, _, files in os.walk(os.path.join(base, str(level))):
        n += sum(1 for f in files if f.endswith('.pzf'))
    return n


def pyramid_checks(name, tile, frames, seed):
    base = make_pyramid(name, tile, frames, seed)
    levels = sorted(int(k) for k in zarr.open_group('pyme://' + base, mode='r').array_keys())
    info = {}

    def run_info():
        report = json.loads(cli('info', '--json', base))
        assert 'pyme_tiles' in report['layout'], report.get('layout')
        found = {a['path']: a['chunks_present'] for a in report['arrays']}
        want = {'/%d' % level: tile_files(base, level) for level in levels}
        assert found == want, (found, want)
        info.update(found)
    check('%s: info finds every tile' % name, run_info)

    for level in levels:
        def run(level=level):
            expected = pyme_level(base, level)
            assert expected.any()
            out = os.path.join(WORK, '%s-%d.npy' % (name, level))
            cli('export', os.path.join(base, str(level)), out)
            ours = np.load(out)
            assert ours.shape == expected.shape, (ours.shape, expected.shape)
            assert np.array_equal(ours, expected), 'level %d differs' % level
        check('%s: export of level %d equals PYME\'s reader' % (name, level), run)

    def run_verify():
        report = json.loads(cli('verify', '--json', base))
        assert report['bad'] == 0 and report['chunks_checked'] == sum(info.values()), report
    check('%s: verify decodes every tile' % name, run_verify)

    def run_convert():
        out = os.path.join(WORK, name + '.zarr')
        cli('convert', base, out, '--codec', 'zstd', '--zarr-format', '3')
        for level in levels:
            npy = os.path.join(WORK, '%s-c%d.npy' % (name, level))
            cli('export', os.path.join(out, str(level)), npy)
            assert np.array_equal(np.load(npy), pyme_level(base, level)), level
    check('%s: convert keeps every level' % name, run_convert)


def main():
    pyramid_checks('p32', 32, [(0, 0, 50, 40), (70, 10, 30, 20), (10, 75, 40, 30),
                               (120, 90, 20, 20)], 11)
    pyramid_checks('p16', 16, [(3, 5, 70, 20), (40, 40, 17, 33)], 12)
    finish('cli_stores_pyme')


if __name__ == '__main__':
    main()
