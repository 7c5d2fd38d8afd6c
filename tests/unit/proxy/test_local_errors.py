"""A failure of the proxy's own making (a header it cannot encode, an
erasure code that fails to encode) is never counted against the storage
nodes it was talking to: the tierer's in-process proxy error-limited every
EC node when one object's name could not be encoded, and then answered
503 to everything. Only what says a node is failing (a timeout, a refused
or broken connection, an answer that is not HTTP) counts."""

import errno
import http.client
import uuid

import pytest
from webob import Request

from cluster import Cluster
from objstore.common import concurrency
from objstore.common.ec import Codec, ECError
from objstore.proxy.nodes import node_to_blame
from objstore.proxy.server import app_factory

ACCOUNT = "AUTH_local"
SEG = 65536
EC_POLICY = ("[storage-policy:2]\nname = ec42\npolicy_type = erasure_coding\n"
             "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 4\n"
             "ec_num_parity_fragments = 2\nec_object_segment_size = %d\n" % SEG)


@pytest.mark.parametrize("err", [
    concurrency.Timeout(), concurrency.ConnectionTimeout(), ConnectionRefusedError(),
    BrokenPipeError(), ConnectionResetError(), http.client.RemoteDisconnected(),
    http.client.IncompleteRead(b"", 10), http.client.BadStatusLine("x")],
    ids=lambda e: type(e).__name__)
def test_what_a_node_did_counts_against_it(err):
    assert node_to_blame(err)


@pytest.mark.parametrize("err", [
    UnicodeEncodeError("latin-1", "\u2603", 0, 1, "x"), ValueError("Invalid header value"),
    TypeError("not bytes"), ECError("cannot encode"), http.client.InvalidURL("bad target"),
    OSError(errno.EMFILE, "Too many open files"), KeyError("bug")],
    ids=lambda e: type(e).__name__)
def test_what_this_process_did_does_not(err):
    assert not node_to_blame(err)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("local")), object_servers=6,
                extra_policies=EC_POLICY, extra_rings={"object-2": 6})
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def app(cluster):
    """A proxy in this process, as the tierer has (its own error limiter)."""
    return app_factory({"swift_dir": cluster.swift_dir, "log_level": "CRITICAL",
                        "conn_timeout": "0.5", "node_timeout": "10",
                        "error_suppression_limit": "0"})


def _call(app, method, path, headers=None, body=None):
    req = Request.blank(path, method=method, headers=headers or {})
    if body is not None:
        req.body = body
    resp = req.get_response(app)
    return resp.status_int, resp.body


def _container(app, policy):
    path = "/v1/%s/c-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
    assert _call(app, "PUT", path, {"X-Storage-Policy": policy})[0] in (201, 202)
    return path


def _errors(app, cluster):
    return {port: app.error_limiter.errors({"ip": "127.0.0.1", "port": port,
                                            "device": "sdb%d" % i})
            for i, port in enumerate((r.port for r in cluster.relays), 1)}


def _no_errors(app, cluster):
    return all(count == 0 for count in _errors(app, cluster).values())


@pytest.mark.parametrize("policy", ["gold", "ec42"])
@pytest.mark.parametrize("size", [10, 3 * SEG + 1], ids=["one send", "streamed"])
def test_a_header_the_proxy_cannot_encode_error_limits_no_node(app, cluster, policy, size):
    path = _container(app, policy) + "/o"
    # WSGI text never holds this; a caller inside the process can
    status, _ = _call(app, "PUT", path, {"X-Object-Meta-Origin": "snow \u2603"},
                      b"x" * size)
    assert status >= 500
    assert _no_errors(app, cluster), _errors(app, cluster)
    assert _call(app, "PUT", path, {}, b"y" * size)[0] == 201
    assert _call(app, "GET", path) == (200, b"y" * size)


@pytest.mark.parametrize("size", [10, 3 * SEG + 1], ids=["one segment", "streamed"])
def test_an_erasure_encode_that_fails_error_limits_no_node(app, cluster, monkeypatch, size):
    path = _container(app, "ec42") + "/o"

    def failing_encode(self, segment):
        raise ECError("liberasurecode: out of memory")

    with monkeypatch.context() as patch:
        patch.setattr(Codec, "encode", failing_encode)
        try:
            status = _call(app, "PUT", path, {}, b"x" * size)[0]
        except ECError:
            status = 500  # no catch_errors in front of this app
    assert status >= 500
    assert _no_errors(app, cluster), _errors(app, cluster)
    assert _call(app, "PUT", path, {}, b"y" * size)[0] == 201


def test_a_node_that_is_down_is_still_counted(app, cluster):
    path = _container(app, "gold") + "/o"
    for relay in cluster.relays:
        relay.mode = "down"
    try:
        _call(app, "PUT", path, {}, b"x" * 10)
    finally:
        for relay in cluster.relays:
            relay.reset()
    assert not _no_errors(app, cluster)
