"""Live cross-check of our pyme-pzf codec and tile store against PYME's zarr_compat.

    pyme_zarr.py OURS_DIR WORK_DIR READER
      OURS_DIR  arrays our `pyme_zarr_interop_driver write` made (with NAME.input/decoded.npy)
      WORK_DIR  scratch directory for a fresh PYME pyramid
      READER    command prefix that runs `read-pyramid DIR LEVEL OUT.npy`

Prints one line per check and `pyme_zarr: N passed, M failed`; exits non-zero on a failure.
"""
from checks import check, finish  # noqa: E402  (tests/interop/checks.py)
import logging
import os
import subprocess
import sys

logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import zarr  # noqa: E402

from PYME.IO import PZFFormat, zarr_compat  # noqa: E402,F401  (registers pyme-pzf and pyme://)
from PYME.Analysis import tile_pyramid  # noqa: E402

OURS, WORK, READER = sys.argv[1], sys.argv[2], sys.argv[3].split()


def pyme_reads_ours(name):
    def run():
        a = zarr.open_array(os.path.join(OURS, name), mode='r')
        assert a.compressor.codec_id == 'pyme-pzf', a.compressor
        assert isinstance(a.compressor, zarr_compat.PZFCodec)
        decoded = np.load(os.path.join(OURS, name + '.decoded.npy'))
        inp = np.load(os.path.join(OURS, name + '.input.npy'))
        # Whole array (zarr's write-into-destination path where a chunk is whole) ...
        whole = a[:]
        assert np.array_equal(whole, decoded), 'whole read differs from ours'
        # ... and partial chunk reads (zarr's reshape path).
        part = np.concatenate([a[..., :5], a[..., 5:]], axis=-1)
        assert np.array_equal(part, decoded), 'partial reads differ from ours'
        if a.compressor.get_config() == {'id': 'pyme-pzf'} and 'quant' not in name:
            assert np.array_equal(whole, inp), 'lossless array differs from its input'
        # Every chunk file is a frame PZFFormat.loads reads, its values those of the chunk.
        nchunks = 0
        for root, _, files in os.walk(os.path.join(OURS, name)):
            for f in files:
                if f.startswith('.'):
                    continue
                with open(os.path.join(root, f), 'rb') as fh:
                    data, header = PZFFormat.loads(fh.read())
                assert data.dtype == a.dtype, (data.dtype, a.dtype)
                nchunks += 1
        assert nchunks > 0
    return run


def quantized_within_step():
    a = zarr.open_array(os.path.join(OURS, 'u16_quant'), mode='r')
    inp = np.load(os.path.join(OURS, 'u16_quant.input.npy')).astype('f8')
    got = a[:].astype('f8')
    s = np.maximum(inp - 100, 0)
    assert (np.abs(got - np.maximum(inp, 100)) <= 1.5 * np.sqrt(s) + 1.5 ** 2 + 1).all()


def pyramid_checks():
    base = os.path.join(WORK, 'pyramid')
    P = tile_pyramid.ImagePyramid(base, pyramid_tile_size=32)
    rng = np.random.default_rng(11)
    for x, y, w, h in [(0, 0, 50, 40), (70, 10, 30, 20), (10, 75, 40, 30), (120, 90, 20, 20)]:
        P.update_base_tiles_from_frame(x, y, rng.poisson(80, (w, h)).astype('f4'))
    P.update_pyramid()
    P.save_zarr_metadata()
    g = zarr.open_group('pyme://' + base, mode='r')
    for level in sorted(int(k) for k in g.array_keys()):
        def run(level=level):
            a = g[str(level)]
            # PYME's codec fails zarr's whole-chunk path for its own (T, T, 1) tiles; an
            # F-ordered destination takes the other path.
            expected = np.zeros(a.shape, a.dtype, order='F')
            a.get_basic_selection(Ellipsis, out=expected)
            assert expected.any()
            out = os.path.join(WORK, 'level%d.npy' % level)
            subprocess.run(READER + ['read-pyramid', base, str(level), out], check=True)
            ours = np.load(out)
            assert ours.shape == expected.shape, (ours.shape, expected.shape)
            assert np.array_equal(ours, expected), 'level %d differs' % level
        check('our tile store reads PYME pyramid level %d' % level, run)


def main():
    names = sorted(n for n in os.listdir(OURS) if os.path.isdir(os.path.join(OURS, n)))
    assert names, 'no arrays in ' + OURS
    for name in names:
        check('PYME zarr_compat reads our %s' % name, pyme_reads_ours(name))
    check('PYME dequantizes our u16_quant within the step', quantized_within_step)
    pyramid_checks()
    finish('pyme_zarr')


if __name__ == '__main__':
    main()
