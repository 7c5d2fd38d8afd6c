"""The proxy app without storage servers: routing, /info, header checks."""

import json
import time

import pytest
from webob import Request

from objstore.proxy.admin_info import info_signature
from objstore.proxy.controllers.base import pair_nodes, update_headers
from objstore.proxy.server import Application, app_factory


class NoRing:
    replica_count = 3

    def get_part(self, *args):
        raise AssertionError("no backend request expected")


@pytest.fixture
def app(tmp_path):
    return Application({"swift_dir": str(tmp_path), "admin_key": "sekrit",
                        "log_level": "ERROR"},
                       account_ring=NoRing(), container_ring=NoRing(), object_rings={0: NoRing()})


def _call(app, path, method="GET", **headers):
    return Request.blank(path, method=method, headers=headers).get_response(app)


def test_app_factory_merges_local_over_global_conf(tmp_path):
    app = app_factory({"swift_dir": str(tmp_path), "node_timeout": "3"}, node_timeout="7")
    assert app.node_timeout == 7.0


def test_recoverable_node_timeout_defaults_to_node_timeout(tmp_path):
    app = app_factory({"swift_dir": str(tmp_path)}, node_timeout="7")
    assert app.recoverable_node_timeout == 7.0
    app = app_factory({"swift_dir": str(tmp_path)}, node_timeout="7",
                      recoverable_node_timeout="2")
    assert (app.node_timeout, app.recoverable_node_timeout) == (7.0, 2.0)


def test_info_is_json_with_the_swift_section(app):
    resp = _call(app, "/info")
    assert resp.status_int == 200
    assert resp.content_type == "application/json"
    assert "max_file_size" in json.loads(resp.body)["swift"]


def test_admin_info_needs_a_valid_unexpired_signature(app):
    expires = str(int(time.time()) + 60)
    sig = info_signature("sekrit", "GET", expires)
    ok = _call(app, "/info?swiftinfo_sig=%s&swiftinfo_expires=%s" % (sig, expires))
    assert ok.status_int == 200 and "admin" in json.loads(ok.body)
    bad = _call(app, "/info?swiftinfo_sig=%s&swiftinfo_expires=%s" % ("0" * 40, expires))
    assert bad.status_int == 401
    old = str(int(time.time()) - 1)
    expired = _call(app, "/info?swiftinfo_sig=%s&swiftinfo_expires=%s"
                    % (info_signature("sekrit", "GET", old), old))
    assert expired.status_int == 401


def test_info_can_be_hidden(tmp_path):
    app = Application({"swift_dir": str(tmp_path), "expose_info": "false"})
    assert _call(app, "/info").status_int == 403


def test_unknown_api_version_is_400(app):
    assert _call(app, "/v9/AUTH_a").status_int == 400


def test_path_without_account_is_412_bad_url_as_swift(app):
    assert _call(app, "/v1").status_int == 412
    assert _call(app, "/foo").status_int == 412
    assert _call(app, "/").status_int == 404


def test_path_that_is_not_utf8_is_412(app):
    req = Request.blank("/v1/AUTH_a/c")
    req.environ["PATH_INFO"] = "/v1/AUTH_a/\xff\xfe"
    assert req.get_response(app).status_int == 412


def test_method_not_allowed_lists_the_allowed_ones(app):
    resp = _call(app, "/v1/AUTH_a/c/o", method="PATCH")
    assert resp.status_int == 405
    # COPY is the copy middleware's, not the proxy's.
    assert resp.headers["Allow"] == "HEAD, PUT, POST, DELETE, OPTIONS, GET"  # Swift's order


def test_denied_account_request_is_returned_without_asking_backends(app):
    from webob import Response
    req = Request.blank("/v1/AUTH_a", environ={
        "swift.authorize": lambda r: Response(status=403)})
    assert req.get_response(app).status_int == 403


def test_long_account_name_is_400(app):
    assert _call(app, "/v1/" + "a" * 257).status_int == 400


def test_each_container_server_is_told_by_some_object_server():
    nodes = [{"ip": "10.0.0.%d" % i, "port": 6201, "device": "d%d" % i} for i in range(3)]
    assert pair_nodes(3, nodes) == [[nodes[0]], [nodes[1]], [nodes[2]]]
    assert pair_nodes(2, nodes) == [[nodes[0], nodes[2]], [nodes[1]]]
    assert pair_nodes(4, nodes[:2]) == [[nodes[0]], [nodes[1]], [nodes[0]], [nodes[1]]]
    headers = update_headers("Container", 5, pair_nodes(2, nodes)[0])
    assert headers == {"X-Container-Host": "10.0.0.0:6201,10.0.0.2:6201",
                       "X-Container-Partition": "5", "X-Container-Device": "d0,d2"}
