"""Fixtures of every test session."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from tierer_pause import tierer_paused  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def tierer_held():
    """The SAIO's continuous tierer waits while tests run: tiering tests run
    passes themselves, and no other test's objects move under it."""
    saio = os.environ.get("SAIO_DIR", os.path.join(os.path.dirname(HERE), ".saio"))
    with tierer_paused(saio):
        yield
