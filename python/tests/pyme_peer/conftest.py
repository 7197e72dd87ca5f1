"""Runs PYME's own tests/PYME/IO/test_pzf.py (python-microscopy 26.9.3), unmodified, against
pymecompress_rs: ``PYME.IO.PZFFormat`` resolves to :mod:`pymecompress_rs.pzf` and
``pymecompress.bcl`` to :mod:`pymecompress_rs.bcl`, through sys.modules, before the test
module imports them. python/tests/run.sh copies test_pzf.py from the sdist next to this file.
"""

import sys
import types

import pytest

import pymecompress_rs.bcl
import pymecompress_rs.pzf


def _package(name, **children):
    module = types.ModuleType(name)
    module.__path__ = []  # a package: submodules come from sys.modules only
    for key, value in children.items():
        setattr(module, key, value)
    return module


for _name in [n for n in sys.modules if n == "PYME" or n.startswith("PYME.")
              or n == "pymecompress" or n.startswith("pymecompress.")]:
    del sys.modules[_name]

_io = _package("PYME.IO", PZFFormat=pymecompress_rs.pzf)
sys.modules["PYME"] = _package("PYME", IO=_io)
sys.modules["PYME.IO"] = _io
sys.modules["PYME.IO.PZFFormat"] = pymecompress_rs.pzf
sys.modules["pymecompress"] = _package("pymecompress", bcl=pymecompress_rs.bcl)
sys.modules["pymecompress.bcl"] = pymecompress_rs.bcl


@pytest.fixture(autouse=True)
def _modules_are_ours():
    from pymecompress import bcl
    from PYME.IO import PZFFormat

    assert bcl is pymecompress_rs.bcl and PZFFormat is pymecompress_rs.pzf
    yield
    assert sys.modules["pymecompress.bcl"] is pymecompress_rs.bcl
    assert sys.modules["PYME.IO.PZFFormat"] is pymecompress_rs.pzf
