import logging

import pytest
from webob import Request, Response
from webob.exc import HTTPConflict, HTTPNotFound

from objstore.common.storage_server import HTTPError, StorageServer, check_device, split_target


class _Server(StorageServer):
    server_type = "test"
    allowed_methods = ("GET", "PUT")

    def __init__(self, logger):
        self.logger = logger

    def GET(self, req):
        segs = split_target(req, 3, 5, rest_with_last=True)
        if segs[2] == "raise":
            raise HTTPError(409, "A newer version exists")
        if segs[2] == "webob":
            raise HTTPNotFound()
        if segs[2] == "webob-text":
            raise HTTPConflict(body=b"Container exists with another storage policy")
        if segs[2] == "bug":
            raise RuntimeError("a bug")
        return Response(body="/".join(s or "" for s in segs).encode("utf-8"))

    def PUT(self, req):
        return Response(status=201)


@pytest.fixture
def server(caplog):
    logger = logging.getLogger("objstore.test-storage-server")
    logger.setLevel(logging.INFO)
    return _Server(logger)


def _get(server, path, method="GET", headers=None):
    req = Request.blank("/")
    req.environ["PATH_INFO"] = path
    req.method = method
    for k, v in (headers or {}).items():
        req.headers[k] = v
    resp = req.get_response(server)
    return resp


def test_a_utf8_path_reaches_the_handler_as_text(server):
    resp = _get(server, "/sda/1/a/c/caf\xc3\xa9/x")
    assert resp.status_int == 200 and resp.body.decode("utf-8") == "sda/1/a/c/caf\u00e9/x"


@pytest.mark.parametrize("path", ["/sda/1/a\xff", "/sda/1/a/c/o\x00", "/sda/1/\xc3"])
def test_invalid_utf8_or_nul_in_the_path_is_412_with_swifts_text(server, path):
    resp = _get(server, path)
    assert (resp.status_int, resp.body) == (412, b"Invalid UTF8 or contains NULL")
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"


@pytest.mark.parametrize("path, body", [("/sda/x/a", b"Invalid partition: x"),
                                        ("/sda/1", b"Invalid path: /sda/1")])
def test_a_malformed_path_or_partition_is_400_naming_it(server, path, body):
    resp = _get(server, path)
    assert (resp.status_int, resp.body) == (400, body)


def test_errors_raised_by_handlers_become_swift_answers_and_bugs_a_logged_500(server, caplog):
    resp = _get(server, "/sda/1/raise")
    assert (resp.status_int, resp.body, resp.headers["Content-Type"]) == (
        409, b"A newer version exists", "text/plain")
    resp = _get(server, "/sda/1/webob")
    assert resp.status_int == 404 and resp.body.startswith(b"<html><h1>Not Found</h1>")
    resp = _get(server, "/sda/1/webob-text")
    assert (resp.status_int, resp.body) == (409, b"Container exists with another storage policy")
    with caplog.at_level(logging.ERROR, logger="objstore.test-storage-server"):
        resp = _get(server, "/sda/1/bug")
    assert resp.status_int == 500 and resp.body.startswith(b"<html><h1>Internal Error</h1>")
    assert "RuntimeError: a bug" in caplog.text


def test_unknown_verbs_are_405_with_allow_and_healthcheck_answers(server):
    resp = _get(server, "/sda/1/a", method="DELETE")
    assert resp.status_int == 405 and resp.headers["Allow"] == "GET, PUT"
    assert _get(server, "/healthcheck").body == b"OK"


def test_the_txn_id_is_echoed_and_one_access_line_logged_after_the_body(server, caplog):
    req = Request.blank("/", headers={"X-Trans-Id": "txABC", "User-Agent": "ua"})
    req.environ["PATH_INFO"] = "/sda/1/a/c/caf\xc3\xa9"
    started = []
    with caplog.at_level(logging.INFO, logger="objstore.test-storage-server"):
        body = server(req.environ, lambda status, headers, exc=None: started.append(headers))
        assert b"".join(body) == "sda/1/a/c/caf\u00e9".encode("utf-8")
        assert not [r for r in caplog.records if "txABC" in r.getMessage()]  # not before close
        body.close()
    assert ("X-Trans-Id", "txABC") in started[0]
    [line] = [r.getMessage() for r in caplog.records if "txABC" in r.getMessage()]
    assert '"GET /sda/1/a/c/caf%C3%A9" 200 15 "ua"' in line


def test_a_request_without_txn_id_gets_a_fresh_one(server):
    assert _get(server, "/sda/1/a").headers["X-Trans-Id"].startswith("tx")


def test_check_device_is_507_for_a_missing_device(tmp_path):
    (tmp_path / "sda").mkdir()
    assert check_device(str(tmp_path), "sda", False) == str(tmp_path / "sda")
    with pytest.raises(HTTPError) as err:
        check_device(str(tmp_path), "sdz", False)
    assert err.value.status == 507
