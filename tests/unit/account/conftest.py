"""A real account server process for the server tests."""

import time

import pytest

from tests.unit.db.db_servers import Server, make_root


@pytest.fixture(scope="module")
def account_server(tmp_path_factory):
    server = Server("account", make_root(tmp_path_factory))
    yield server
    server.stop()


def wait_for(predicate, deadline=5.0):
    """Poll ``predicate`` until true or the deadline passes."""
    end = time.time() + deadline
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
