"""Object PUTs carrying metadata footers (objstore.common.footers): the
footer metadata is stored with the data in one atomic write, and a
document that is cut short, malformed or forged stores nothing."""

import base64
import hashlib
import io
import json
import os

from webob import Request

from objstore.common import footers
from objstore.common.timestamp import Timestamp
from objstore.obj.metadata import read_metadata

PATH = "/sda1/7/a/c/o"
SYSMETA = {"X-Object-Transient-Sysmeta-Crypto-Etag": "sealed",
           "X-Object-Sysmeta-Other": "kept"}


def _document(data, footer_meta, boundary="b0undary"):
    return (footers.body_head(boundary) + data
            + footers.footer_tail(boundary, footer_meta)), boundary


def _put(app, body, boundary, length=None, ts=None):
    headers = {"X-Timestamp": (ts or Timestamp.now()).internal, "Content-Type": "text/plain",
               footers.METADATA_FOOTER: "yes", footers.MIME_BOUNDARY: boundary,
               "Transfer-Encoding": "chunked"}
    if length is not None:
        headers[footers.OBJ_CONTENT_LENGTH] = str(length)
    req = Request.blank(PATH, method="PUT", headers=headers)
    req.environ.pop("CONTENT_LENGTH", None)
    req.environ["wsgi.input"] = io.BytesIO(body)
    return req.get_response(app)


def _files(app):
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    return df.datadir, (sorted(os.listdir(df.datadir)) if os.path.isdir(df.datadir) else [])


def test_footer_metadata_is_stored_in_the_data_files_own_metadata(app):
    data = b"ciphertext " * 10000
    body, boundary = _document(data, dict(SYSMETA, Etag=hashlib.md5(data).hexdigest(),
                                          **{"X-Object-Meta-Sneaky": "no"}))
    resp = _put(app, body, boundary, len(data))
    assert resp.status_int == 201
    assert resp.headers["ETag"] == hashlib.md5(data).hexdigest()
    datadir, names = _files(app)
    assert len(names) == 1 and names[0].endswith(".data")  # no .meta: one atomic write
    stored = read_metadata(os.path.join(datadir, names[0]), datadir)
    assert {k: stored[k] for k in SYSMETA} == SYSMETA
    assert "X-Object-Meta-Sneaky" not in stored  # footers carry system metadata only
    assert stored["Content-Length"] == str(len(data))
    get = Request.blank(PATH).get_response(app)
    assert get.body == data and get.headers["X-Object-Transient-Sysmeta-Crypto-Etag"] == "sealed"


def test_a_document_cut_before_its_footer_stores_nothing(app):
    body, boundary = _document(b"abc", SYSMETA)
    cut = body[:body.index(b"X-Document: object metadata")]
    assert _put(app, cut, boundary, 3).status_int == 400
    assert _files(app)[1] == []
    assert os.listdir(os.path.join(app.mgr.devices, "sda1", "tmp")) == []


def test_a_footer_not_matching_its_content_md5_is_400_and_stores_nothing(app):
    body, boundary = _document(b"abc", SYSMETA)
    forged = body.replace(b'"sealed"', b'"forged"')
    assert _put(app, forged, boundary, 3).status_int == 400
    assert _files(app)[1] == []


def test_data_not_matching_the_footers_etag_is_422(app):
    body, boundary = _document(b"abc", {"Etag": hashlib.md5(b"abd").hexdigest()})
    assert _put(app, body, boundary, 3).status_int == 422
    assert _files(app)[1] == []


def test_data_shorter_than_announced_is_499(app):
    body, boundary = _document(b"abc", SYSMETA)
    assert _put(app, body, boundary, 10).status_int == 499
    assert _files(app)[1] == []


def test_a_body_that_is_not_a_footer_document_is_400(app):
    assert _put(app, b"plain bytes, no boundary", "b0undary").status_int == 400
    doc = b"--b0undary\r\nX-Document: object metadata\r\n\r\n{}\r\n--b0undary--\r\n"
    assert _put(app, doc, "b0undary").status_int == 400
    assert _files(app)[1] == []


def test_a_footer_that_is_not_an_object_of_strings_is_400(app):
    raw = json.dumps({"X-Object-Sysmeta-A": 1}).encode()
    md5 = base64.b64encode(hashlib.md5(raw).digest())
    doc = (footers.body_head("bb") + b"abc\r\n--bb\r\nX-Document: object metadata\r\n"
           b"Content-MD5: " + md5 + b"\r\n\r\n" + raw + b"\r\n--bb--\r\n")
    assert _put(app, doc, "bb").status_int == 400
    assert _files(app)[1] == []


def test_an_empty_object_with_footers_is_stored(app):
    body, boundary = _document(b"", SYSMETA)
    assert _put(app, body, boundary, 0).status_int == 201
    get = Request.blank(PATH).get_response(app)
    assert get.status_int == 200 and get.body == b""
    assert get.headers["X-Object-Sysmeta-Other"] == "kept"
