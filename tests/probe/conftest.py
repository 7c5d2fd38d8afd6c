"""Fixtures of the probe tests (helpers and docs in ``probe_helpers``)."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from leftovers import SessionCheck  # noqa: E402
from probe_helpers import PROXY, SAIO, conn, container, saio  # noqa: E402,F401


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind(saio):
    """At the end of the session, no container, bucket name, account header
    or account the probes made may remain (tests/support/leftovers.py)."""
    check = SessionCheck.shared(PROXY, SAIO)
    check.start()
    yield
    left = check.finish()
    assert left == [], "the probe tests left these behind:\n  " + "\n  ".join(left)
