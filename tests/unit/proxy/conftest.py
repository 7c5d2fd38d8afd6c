import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("cluster")))
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def _heal_relays(request):
    yield
    if "cluster" in request.fixturenames:
        for relay in request.getfixturevalue("cluster").relays:
            relay.reset()
