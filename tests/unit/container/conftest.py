"""Real container and account server processes for the server tests."""

import pytest

from tests.unit.db.db_servers import Server, make_root


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """An account server and a container server sharing one devices dir."""
    root = make_root(tmp_path_factory)
    account = Server("account", root)
    try:
        container = Server("container", root, "node_timeout = 2\nconn_timeout = 1")
    except Exception:
        account.stop()
        raise
    yield account, container
    container.stop()
    account.stop()
