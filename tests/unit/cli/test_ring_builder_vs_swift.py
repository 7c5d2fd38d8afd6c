"""objstore-ring-builder against the real swift-ring-builder 2.38.3, where
their output must be identical: the summary and search tables of the same
devices before any rebalance (no placement involved yet).

Runs only where a Swift is installed (``.swift-venv`` of the checkout, or
``OBJSTORE_SWIFT_VENV``); skipped otherwise.
"""
import contextlib
import io
import os
import subprocess

import pytest

from objstore.cli.ring_builder import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SWIFT_RB = os.path.join(os.environ.get('OBJSTORE_SWIFT_VENV',
                                       os.path.join(REPO, '.swift-venv')),
                        'bin', 'swift-ring-builder')

pytestmark = pytest.mark.skipif(not os.path.exists(SWIFT_RB),
                                reason='no swift-ring-builder in .swift-venv')

DEVICES = ['r1z1-127.0.0.1:6010/sdb1', '100',
           'r1z10-10.100.200.123:6010R192.168.100.101:60000/verylongdevicename_some-meta',
           '1000.5',
           'r12z1-[fe80::1:2:3:4]:6010/d', '1',
           'r2z3-10.0.0.3:6030R[::1]:6031/sdc_"snet: 5.6.7.8"', '3']


def swift(builder, *args):
    proc = subprocess.run([SWIFT_RB, builder, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60,
                          env=dict(os.environ, PYTHONWARNINGS='ignore'))
    return proc.returncode, proc.stdout


def objstore(builder, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([builder, *args])
    return code, out.getvalue()


@pytest.fixture(scope='module')
def both(tmp_path_factory):
    """The same builder made by each tool; returns a runner giving both
    answers (commands run on it must not change it)."""
    tmp_path = tmp_path_factory.mktemp('vs_swift')
    paths = {}
    for name, tool in (('swift', swift), ('objstore', objstore)):
        os.makedirs(tmp_path / name)
        path = str(tmp_path / name / 'object.builder')
        assert tool(path, 'create', '6', '3', '1')[0] == 0
        assert tool(path, 'add', *DEVICES)[0] == 0
        assert tool(path, 'remove', 'd2')[0] == 0
        paths[name] = (tool, path)

    def run(*args):
        out = {}
        for name, (tool, path) in paths.items():
            code, text = tool(path, *args)
            out[name] = (code, text.replace(os.path.dirname(path), 'DIR'))
        return out['swift'], out['objstore']
    return run


def test_summary_matches_swift_line_for_line_but_the_builder_id(both):
    (s_code, s_out), (o_code, o_out) = both()
    assert s_code == o_code == 0
    s_lines, o_lines = s_out.splitlines(), o_out.splitlines()
    assert s_lines[0].rsplit(' ', 1)[0] == o_lines[0].rsplit(' ', 1)[0]
    assert s_lines[1:] == o_lines[1:]


def test_search_table_matches_swift(both):
    swift_says, objstore_says = both('search', '--region', '1')
    assert swift_says == objstore_says


def test_errors_match_swift(both):
    for args in (['remove', 'd99'], ['bogus'], ['set_weight', 'd0', '-1']):
        (s_code, s_out), (o_code, o_out) = both(*args)
        assert s_code == o_code
        assert s_out.splitlines()[-1].replace('swift-ring-builder', 'objstore-ring-builder') \
            == o_out.splitlines()[-1]
