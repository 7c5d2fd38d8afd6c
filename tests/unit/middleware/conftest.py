"""A real proxy with the large-object middlewares (``copy slo dlo
versioned_writes``) in front of real storage servers, shared by the
middleware tests that need one (see tests/unit/proxy/cluster.py)."""

import json
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

ACCOUNT = "AUTH_test"
FILTERS = ("[filter:copy]\nuse = egg:objstore#copy\n"
           "[filter:slo]\nuse = egg:objstore#slo\n"
           "[filter:dlo]\nuse = egg:objstore#dlo\n"
           "[filter:versioned_writes]\nuse = egg:objstore#versioned_writes\n")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("large-objects")),
                pipeline="catch_errors copy slo dlo versioned_writes proxy-server",
                filters=FILTERS)
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def base(cluster):
    """``/v1/AUTH_test/<fresh container>``, emptied and deleted afterwards."""
    name = "lo-" + uuid.uuid4().hex[:8]
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, name))[0] == 201
    yield "/v1/%s/%s" % (ACCOUNT, name)
    _status, _h, body = cluster.request("GET", "/v1/%s/%s?format=json" % (ACCOUNT, name))
    for row in json.loads(body or b"[]"):
        cluster.request("DELETE", "/v1/%s/%s/%s" % (ACCOUNT, name, row["name"]))
    cluster.request("DELETE", "/v1/%s/%s" % (ACCOUNT, name))
