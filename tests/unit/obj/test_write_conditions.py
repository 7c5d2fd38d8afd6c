"""Conditional PUTs on the object server: judged on arrival (412) and again
under the hash dir's lock at the rename (409 when a write landed between)."""

import io
import threading

from webob import Request

from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj import write_conditions
from tests.unit.obj.test_server import PATH, call, files_of, put


class _RacingBody(io.RawIOBase):
    """A request body that lets ``during()`` run after its first half was read:
    another write lands while the conditional PUT is receiving its body."""

    def __init__(self, data, during):
        self.data, self.during, self.pos = data, during, 0

    def readable(self):
        return True

    def read(self, size=-1):
        if self.pos and self.during:
            self.during()
            self.during = None
        size = len(self.data) - self.pos if size is None or size < 0 else size
        chunk = self.data[self.pos:self.pos + max(1, min(size, len(self.data) // 2))]
        self.pos += len(chunk)
        return chunk


def _racing_put(app, body, headers, during, ts=None):
    headers = dict(headers, **{"Content-Type": "text/plain",
                               "X-Timestamp": (ts or Timestamp.now()).internal,
                               "Content-Length": str(len(body))})
    req = Request.blank(PATH, method="PUT", headers=headers)
    req.environ["wsgi.input"] = _RacingBody(body, during)
    return req.get_response(app)


def test_if_match_overwrites_only_the_named_etag(app):
    put(app, b"v1")
    resp = put(app, b"v2", headers={write_conditions.IF_MATCH: '"%s"' % md5_hex(b"no")})
    assert resp.status_int == 412
    assert call(app, "GET").body == b"v1"
    resp = put(app, b"v2", headers={write_conditions.IF_MATCH: '"%s"' % md5_hex(b"v1")})
    assert resp.status_int == 201
    assert call(app, "GET").body == b"v2"


def test_if_match_on_a_missing_or_deleted_object_is_412(app):
    assert put(app, b"x", headers={write_conditions.IF_MATCH: "*"}).status_int == 412
    assert files_of(app) == []
    put(app, b"v1")
    call(app, "DELETE")
    assert put(app, b"x", headers={write_conditions.IF_MATCH: "*"}).status_int == 412
    assert call(app, "GET").status_int == 404


def test_if_match_compares_the_etag_named_by_etag_is_at(app):
    put(app, b"manifest", headers={"X-Object-Sysmeta-S3api-Etag": "abc-2"})
    where = {"X-Backend-Etag-Is-At": "X-Object-Sysmeta-S3api-Etag"}
    assert put(app, b"x", headers=dict(where, **{write_conditions.IF_MATCH: '"%s"'
                                                 % md5_hex(b"manifest")})).status_int == 412
    assert put(app, b"new", headers=dict(where, **{
        write_conditions.IF_MATCH: '"abc-2"'})).status_int == 201
    assert call(app, "GET").body == b"new"


def test_a_write_landing_during_an_if_none_match_put_makes_it_409(app):
    def other_write():
        assert put(app, b"other").status_int == 201
    resp = _racing_put(app, b"conditional" * 100, {"If-None-Match": "*"}, other_write)
    assert resp.status_int == 409
    assert resp.headers[write_conditions.CONFLICT] == "true"
    assert call(app, "GET").body == b"other"
    assert len([n for n in files_of(app) if n.endswith(".data")]) == 1


def test_a_write_landing_during_an_if_match_put_makes_it_409(app):
    put(app, b"v1")

    def other_write():
        assert put(app, b"v1-changed").status_int == 201
    resp = _racing_put(app, b"v2" * 500, {write_conditions.IF_MATCH: md5_hex(b"v1")},
                       other_write)
    assert resp.status_int == 409
    assert call(app, "GET").body == b"v1-changed"


def test_a_delete_landing_during_an_if_match_put_makes_it_409(app):
    put(app, b"v1")

    def delete():
        assert call(app, "DELETE").status_int == 204
    resp = _racing_put(app, b"v2" * 500, {write_conditions.IF_MATCH: md5_hex(b"v1")}, delete)
    assert resp.status_int == 409
    assert call(app, "GET").status_int == 404


def test_an_unconditional_put_is_not_judged_only_ordered_by_timestamp(app):
    put(app, b"v1")
    resp = _racing_put(app, b"v2" * 500, {}, lambda: put(app, b"between"))
    assert resp.status_int == 201
    assert call(app, "GET").body == b"between"  # the newer timestamp


def test_concurrent_if_none_match_puts_store_exactly_one(app):
    results, bodies = [], [b"writer-%d" % i * 200 for i in range(8)]
    barrier = threading.Barrier(len(bodies))

    def writer(body):
        barrier.wait()
        results.append((put(app, body, headers={"If-None-Match": "*"}).status_int, body))
    threads = [threading.Thread(target=writer, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [body for status, body in results if status == 201]
    assert len(winners) == 1
    assert sorted(status for status, _ in results)[1:] and all(
        status in (409, 412) for status, _ in results if status != 201)
    assert call(app, "GET").body == winners[0]


# ---------------------------------------------- X-Backend-If-Timestamp (tier moves)

def test_a_move_write_loses_to_anything_newer_than_the_version_it_read(tmp_path):
    from objstore.common.storage_server import HTTPError
    t = Timestamp("1700000000.00000")
    write_conditions.refuse_if_newer_than({"X-Backend-If-Timestamp": t.internal}, t)
    write_conditions.refuse_if_newer_than({"X-Backend-If-Timestamp": t.internal},
                                          Timestamp("1699999999.00000"))
    write_conditions.refuse_if_newer_than({}, Timestamp("1800000000.00000"))
    newer = Timestamp("1700000000.00001")
    try:
        write_conditions.refuse_if_newer_than({"X-Backend-If-Timestamp": t.internal}, newer)
    except HTTPError as err:
        assert err.status == 409
        assert err.response.headers["X-Backend-Timestamp"] == newer.internal
    else:
        raise AssertionError("a newer version must refuse the move's write")


def test_the_object_server_refuses_a_move_pointer_after_a_client_overwrite(app):
    first = Timestamp.now()
    assert put(app, b"old", ts=first).status_int == 201
    client = Timestamp(float(first) + 1)
    assert put(app, b"client", ts=client).status_int == 201
    moved = Timestamp(first, offset=1)
    resp = put(app, b"", ts=moved, headers={"X-Backend-If-Timestamp": first.internal})
    assert resp.status_int == 409
    assert resp.headers["X-Backend-Timestamp"] == client.internal
    # the version the mover read, and its switch one offset later, go through
    resp = put(app, b"", ts=Timestamp(client, offset=1),
               headers={"X-Backend-If-Timestamp": client.internal})
    assert resp.status_int == 201


def test_a_delete_with_if_match_deletes_only_the_named_etag(app):
    put(app, b"v1")
    wrong = {write_conditions.IF_MATCH: '"%s"' % md5_hex(b"other")}
    assert call(app, "DELETE", headers=wrong).status_int == 412
    assert call(app, "GET").body == b"v1"
    right = {write_conditions.IF_MATCH: '"%s"' % md5_hex(b"v1")}
    assert call(app, "DELETE", headers=right).status_int == 204
    assert call(app, "GET").status_int == 404


def test_a_delete_with_if_match_of_a_missing_object_is_412_and_writes_no_tombstone(app):
    assert call(app, "DELETE", headers={write_conditions.IF_MATCH: "*"}).status_int == 412
    assert files_of(app) == []


def test_a_delete_with_if_match_follows_etag_is_at(app):
    put(app, b"manifest", headers={"X-Object-Sysmeta-S3api-Etag": "abc-2"})
    where = {"X-Backend-Etag-Is-At": "X-Object-Sysmeta-S3api-Etag"}
    assert call(app, "DELETE", headers=dict(where, **{
        write_conditions.IF_MATCH: '"%s"' % md5_hex(b"manifest")})).status_int == 412
    assert call(app, "DELETE", headers=dict(where, **{
        write_conditions.IF_MATCH: '"abc-2"'})).status_int == 204


def test_a_swift_delete_ignores_a_clients_if_match_and_if_none_match(app):
    put(app, b"v1")
    assert call(app, "DELETE", headers={"If-Match": '"nope"',
                                        "If-None-Match": "*"}).status_int == 204
