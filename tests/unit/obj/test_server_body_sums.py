"""Object PUTs whose body is followed by the proxy's MD5 and CRC of it
(objstore.common.body_sums): the server keeps that MD5 once the CRC is the
one its writer took of what it stored, and a trailer that is forged, cut
short or malformed stores nothing."""

import hashlib
import io
import os

import pytest
from webob import Request

from objstore.common import body_sums, footers
from objstore.common.timestamp import Timestamp
from objstore.obj.metadata import read_metadata

PATH = "/sda1/7/a/c/o"
DATA = b"0123456789" * 20000


def _trailer(data):
    sums = body_sums.BodySums()
    sums.update(data)
    return sums.trailer()


def _put(app, data, trailer, length=None, etag=None):
    body = data + trailer
    headers = {"X-Timestamp": Timestamp.now().internal, "Content-Type": "text/plain",
               body_sums.TRAILER: body_sums.TRAILER_KIND,
               footers.OBJ_CONTENT_LENGTH: str(len(data) if length is None else length)}
    if etag:
        headers["ETag"] = etag
    req = Request.blank(PATH, method="PUT", headers=headers)
    req.environ["CONTENT_LENGTH"] = str(len(body))
    req.environ["wsgi.input"] = io.BytesIO(body)
    return req.get_response(app)


def _stored(app):
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    if not os.path.isdir(df.datadir):
        return None
    names = [n for n in os.listdir(df.datadir) if n.endswith(".data")]
    return [read_metadata(os.path.join(df.datadir, n), df.datadir) for n in names]


def test_the_proxys_md5_is_kept_once_the_crc_matches_and_the_trailer_is_not_stored(app):
    resp = _put(app, DATA, _trailer(DATA), etag=hashlib.md5(DATA).hexdigest())
    assert resp.status_int == 201
    assert resp.headers["ETag"] == hashlib.md5(DATA).hexdigest()
    [meta] = _stored(app)
    assert meta["ETag"] == hashlib.md5(DATA).hexdigest()
    assert meta["Content-Length"] == str(len(DATA))
    assert Request.blank(PATH).get_response(app).body == DATA


@pytest.mark.parametrize("trailer, status", [
    (_trailer(DATA[:-1] + b"X"), 400),           # bytes damaged on the way
    (_trailer(DATA)[:32] + b"0" * 16, 400),       # a CRC that is not the body's
    (_trailer(DATA)[:-1], 400),                   # cut short
    (_trailer(DATA).upper(), 400),                # not lower-case hex
    (b"z" * body_sums.TRAILER_BYTES, 400),
])
def test_a_bad_trailer_stores_nothing(app, trailer, status):
    assert _put(app, DATA, trailer).status_int == status
    assert not _stored(app)


def test_a_body_whose_md5_is_not_the_clients_etag_is_422(app):
    assert _put(app, DATA, _trailer(DATA), etag=hashlib.md5(b"other").hexdigest()
                ).status_int == 422
    assert not _stored(app)


def test_the_object_length_must_leave_room_for_the_trailer_exactly(app):
    assert _put(app, DATA, _trailer(DATA), length=len(DATA) - 1).status_int == 400
    assert not _stored(app)
