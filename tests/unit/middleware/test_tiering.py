"""The tiering middleware's decisions: what it counts, and how it answers
a tier pointer from its body (the storage below is a plain WSGI app here;
tests/functional/test_tiering.py runs it on the SAIO)."""

import pytest
from webob import Request, Response

from objstore.common.tiering import config as tconf
from objstore.common.tiering import journal
from objstore.common.versions import RAW_ENV
from objstore.middleware.tiering import TIERER_SOURCE, Tiering

BODY = b"0123456789" * 10
ETAG = "e" * 32
POINTER = {tconf.TIER_LOCATION: "ec21/abc/1700000000.00000", tconf.TIER_NAME: "bronze",
           tconf.TIER_SIZE: str(len(BODY)), "X-Object-Meta-Color": "blue",
           "Content-Type": "image/png", "Last-Modified": "Tue, 14 Nov 2023 22:13:21 GMT",
           "ETag": ETAG, "Content-Length": "0"}


class Storage:
    """Answers a pointer at /v1/AUTH_a/c/moved, its body under .tiers, and a
    plain object anywhere else; records what it was asked."""

    def __init__(self, body_status=200):
        self.seen = []
        #: container name -> policy index (0 by default)
        self.policies = {"ir": "1", "plain": "5"}
        self.body_status = body_status

    def __call__(self, env, start_response):
        req = Request(env)
        self.seen.append((req.method, req.path, req.headers.get("Range"),
                          env.get("swift.authorize_override")))
        if req.path == "/v1/AUTH_a/c/moved":
            resp = Response(status=200, headers=POINTER, body=b"")
        elif req.path.startswith("/v1/.tiers/"):
            if self.body_status != 200:
                resp = Response(status=self.body_status)
            elif req.range:
                resp = Response(status=206, body=BODY[10:20], content_type="image/png")
                resp.headers.update({"Content-Range": "bytes 10-19/%d" % len(BODY),
                                     "ETag": ETAG})
            else:
                resp = Response(status=200, body=BODY, content_type="image/png")
                resp.headers["ETag"] = ETAG
        elif req.method == "HEAD" and req.path.count("/") == 3:  # a container
            resp = Response(status=200 if req.path != "/v1/AUTH_a/gone" else 404,
                            headers={"X-Backend-Storage-Policy-Index": self.policies.get(
                                req.path.rsplit("/", 1)[1], "0")})
        elif req.path.endswith("/missing"):
            resp = Response(status=404)
        else:
            resp = Response(status=201 if req.method == "PUT" else 200, body=b"plain")
        return resp(env, start_response)


@pytest.fixture
def conf(tmp_path):
    tiers = [tconf.Tier("bronze", "ec21", 1, 0, "GLACIER_IR"),
             tconf.Tier("gold", "gold", 0, 5, "STANDARD")]
    return tconf.TieringConfig(tiers, window=60, bucket=5, flush_interval=3600,
                               journal_dir=str(tmp_path / "journal"))


def _counts(mw):
    mw.counter.flush_now()
    rows = []
    journal.collect(mw.conf.journal_dir, lambda n: False, lambda n, r: rows.extend(r))
    totals = {}
    for path, _bucket, n in rows:
        totals[path] = totals.get(path, 0) + n
    return totals


def test_object_gets_are_counted_and_puts_tracked_nothing_else(conf):
    mw = Tiering(Storage(), {}, conf)
    for _ in range(3):
        assert Request.blank("/v1/AUTH_a/c/o").get_response(mw).status_int == 200
    assert Request.blank("/v1/AUTH_a/c/new", method="PUT").get_response(mw).status_int == 201
    Request.blank("/v1/AUTH_a/c/o", method="HEAD").get_response(mw)
    Request.blank("/v1/AUTH_a/c/missing").get_response(mw)
    Request.blank("/v1/AUTH_a/c").get_response(mw)
    Request.blank("/v1/.hidden/c/o").get_response(mw)
    Request.blank("/v1/AUTH_a/c/o", environ={"swift.source": TIERER_SOURCE}).get_response(mw)
    assert _counts(mw) == {"/v1/AUTH_a/c/o": 3, "/v1/AUTH_a/c/new": 0}


def test_a_pointer_is_answered_from_its_body_with_the_pointer_s_metadata(conf):
    storage = Storage()
    mw = Tiering(storage, {}, conf)
    resp = Request.blank("/v1/AUTH_a/c/moved").get_response(mw)
    assert resp.status_int == 200 and resp.body == BODY
    assert resp.headers["X-Object-Meta-Color"] == "blue"
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["Content-Length"] == str(len(BODY))
    assert resp.headers["ETag"] == ETAG
    assert resp.headers[tconf.STORAGE_TIER] == "bronze"
    assert resp.headers[tconf.TIER_STORAGE_CLASS] == "GLACIER_IR"
    assert storage.seen[-1] == ("GET", "/v1/.tiers/ec21/abc/1700000000.00000", None, True)
    assert _counts(mw) == {"/v1/AUTH_a/c/moved": 1}
    # what a copy of the object would carry: the object, not the pointer
    assert not [h for h in resp.headers if h.lower().startswith("x-object-sysmeta-tier-")]


def test_a_ranged_read_of_a_pointer_reads_the_range_of_the_body(conf):
    storage = Storage()
    resp = Request.blank("/v1/AUTH_a/c/moved", headers={"Range": "bytes=10-19"}).get_response(
        Tiering(storage, {}, conf))
    assert resp.status_int == 206 and resp.body == BODY[10:20]
    assert resp.headers["Content-Range"] == "bytes 10-19/%d" % len(BODY)
    assert storage.seen[-1][2] == "bytes=10-19"


@pytest.mark.parametrize("status", [404, 503])
def test_a_pointer_whose_body_is_missing_answers_503_never_an_empty_200(conf, status):
    resp = Request.blank("/v1/AUTH_a/c/moved").get_response(
        Tiering(Storage(body_status=status), {}, conf))
    assert resp.status_int == 503
    assert resp.body != b"" and BODY not in resp.body


@pytest.mark.parametrize("container,tier,storage_class", [
    ("c", "gold", "STANDARD"), ("ir", "bronze", "GLACIER_IR")])
def test_an_object_at_home_tells_its_container_s_tier(conf, container, tier, storage_class):
    storage = Storage()
    mw = Tiering(storage, {}, conf)
    for method in ("GET", "HEAD"):
        resp = Request.blank("/v1/AUTH_a/%s/o" % container, method=method).get_response(mw)
        assert resp.status_int == 200
        assert resp.headers[tconf.STORAGE_TIER] == tier
        assert resp.headers[tconf.TIER_STORAGE_CLASS] == storage_class


def test_a_class_the_put_asked_for_is_told_until_the_object_is_placed(conf):
    class Asked(Storage):
        def __call__(self, env, start_response):
            if env["REQUEST_METHOD"] == "HEAD" and env["PATH_INFO"].count("/") == 3:
                return super().__call__(env, start_response)
            start_response("200 OK", [(tconf.S3_STORAGE_CLASS, "STANDARD_IA")])
            return [b""]
    resp = Request.blank("/v1/AUTH_a/c/o", method="HEAD").get_response(Tiering(Asked(), {}, conf))
    assert resp.headers[tconf.STORAGE_TIER] == "gold"
    assert resp.headers[tconf.TIER_STORAGE_CLASS] == "STANDARD_IA"


def test_the_tier_is_told_only_of_an_object_in_a_tier_s_policy(conf):
    storage = Storage()
    mw = Tiering(storage, {}, conf)
    for path in ("/v1/AUTH_a/plain/o", "/v1/AUTH_a/c/missing", "/v1/AUTH_a/gone/o"):
        resp = Request.blank(path, method="HEAD").get_response(mw)
        assert tconf.STORAGE_TIER not in resp.headers, path
        assert tconf.TIER_STORAGE_CLASS not in resp.headers, path
    raw = Request.blank("/v1/AUTH_a/c/o", environ={RAW_ENV: True}).get_response(mw)
    assert raw.status_int == 200 and tconf.STORAGE_TIER not in raw.headers


def test_the_container_info_the_proxy_cached_costs_no_request(conf):
    storage = Storage()
    mw = Tiering(storage, {}, conf)
    env = {"REQUEST_METHOD": "HEAD", "swift.infocache": {
        "container/AUTH_a/c": {"status": 200, "storage_policy": "1"}}}
    resp = Request.blank("/v1/AUTH_a/c/o", environ=env).get_response(mw)
    assert resp.headers[tconf.STORAGE_TIER] == "bronze"
    assert storage.seen == [("HEAD", "/v1/AUTH_a/c/o", None, None)]


def test_without_tiers_everything_passes_through(tmp_path):
    (tmp_path / "objstore.conf").write_text("[storage-policy:0]\nname = gold\ndefault = yes\n")
    storage = Storage()
    mw = Tiering(storage, {"swift_dir": str(tmp_path)})
    assert mw.conf is None
    resp = Request.blank("/v1/AUTH_a/c/moved").get_response(mw)
    assert resp.body == b"" and tconf.STORAGE_TIER not in resp.headers
    assert Request.blank("/tiering/queue").get_response(mw).status_int == 200  # not ours


def test_a_put_naming_a_tier_s_storage_class_is_a_placement(conf):
    mw = Tiering(Storage(), {}, conf)
    Request.blank("/v1/AUTH_a/c/ir", method="PUT",
                  headers={tconf.S3_STORAGE_CLASS: "GLACIER_IR"}).get_response(mw)
    Request.blank("/v1/AUTH_a/c/other", method="PUT",
                  headers={tconf.S3_STORAGE_CLASS: "DEEP_ARCHIVE"}).get_response(mw)
    mw.counter.flush_now()
    rows = []
    journal.collect(mw.conf.journal_dir, lambda n: False, lambda n, r: rows.extend(r))
    assert sorted((r[0], r[2]) + tuple(r[3:]) for r in rows) == [
        ("/v1/AUTH_a/c/ir", 0), ("/v1/AUTH_a/c/ir", 0, "bronze"), ("/v1/AUTH_a/c/other", 0)]


def test_a_read_as_stored_of_a_pointer_is_the_pointer_and_no_read(conf):
    """A versioning middleware keeping a version copies the object as
    stored: it gets the pointer (so its copy names the same body), and
    that copy is not a client's read."""
    storage = Storage()
    mw = Tiering(storage, {}, conf)
    resp = Request.blank("/v1/AUTH_a/c/moved", environ={RAW_ENV: True}).get_response(mw)
    assert resp.status_int == 200 and resp.body == b""
    assert resp.headers[tconf.TIER_LOCATION] == POINTER[tconf.TIER_LOCATION]
    assert [seen[1] for seen in storage.seen] == ["/v1/AUTH_a/c/moved"]
    Request.blank("/v1/AUTH_a/c/o", environ={RAW_ENV: True}).get_response(mw)
    assert _counts(mw) == {}
