"""A real account server process for the server tests."""

import pytest

from tests.unit.db.db_servers import Server, make_root


@pytest.fixture(scope="module")
def account_server(tmp_path_factory):
    server = Server("account", make_root(tmp_path_factory))
    yield server
    server.stop()
