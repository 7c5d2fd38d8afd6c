"""controllers/obj_put: what decides the one-send path of a small PUT, and
the footer document it sends whole."""

from __future__ import annotations

import hashlib
import io

from objstore.common import footers
from objstore.proxy.controllers.obj_put import (WHOLE_BODY_BYTES, _footer_document,
                                                _sends_whole)

BODY = b"ciphertext of a small object"


def _env_with_footers(extra: dict) -> dict:
    env: dict = {}
    footers.add_footer_callback(env, lambda out: out.update(extra))
    return env


def _document_headers(length: int) -> tuple:
    boundary, extra = footers.footer_headers(length)
    headers = {"X-Timestamp": "1.00000", "Content-Type": "text/plain"}
    headers.update(extra)
    return boundary, [dict(headers), dict(headers)]


def test_the_document_goes_whole_and_names_the_data_part_md5():
    boundary, headers_list = _document_headers(len(BODY))
    sysmeta = {"X-Object-Transient-Sysmeta-Crypto-Etag": "sealed"}
    document, sent = _footer_document(_env_with_footers(sysmeta), boundary, BODY,
                                      headers_list)
    md5 = hashlib.md5(BODY).hexdigest()
    for headers in sent:
        assert "Transfer-Encoding" not in headers
        assert headers["Content-Length"] == str(len(document))
        assert headers[footers.OBJ_CONTENT_LENGTH] == str(len(BODY))
        assert headers["ETag"] == md5
    # a server that did not read footer documents would store the document
    # as the object and judge its MD5 by the ETag: it refuses it
    assert hashlib.md5(document).hexdigest() != md5
    reader = footers.FooterDocument(io.BytesIO(document), boundary)
    assert reader.body.read(1 << 16) == BODY
    assert reader.body.read(1 << 16) == b""
    assert reader.footers() == sysmeta


def test_a_client_etag_is_sent_as_it_came():
    boundary, headers_list = _document_headers(len(BODY))
    headers_list = [dict(h, Etag="0" * 32) for h in headers_list]
    _document, sent = _footer_document(_env_with_footers({}), boundary, BODY, headers_list)
    assert [h["Etag"] for h in sent] == ["0" * 32] * 2
    assert all("ETag" not in h for h in sent)


def test_a_small_body_with_footers_is_sent_whole_and_a_large_or_conditional_one_streams():
    headers = {"X-Timestamp": "1.00000"}
    assert _sends_whole(_env_with_footers({}), headers, WHOLE_BODY_BYTES)
    assert not _sends_whole(_env_with_footers({}), headers, WHOLE_BODY_BYTES + 1)
    assert not _sends_whole(_env_with_footers({}), headers, None)
    assert not _sends_whole(_env_with_footers({}), dict(headers, **{"If-None-Match": "*"}), 10)
    assert not _sends_whole(dict(_env_with_footers({}), HTTP_EXPECT="100-continue"),
                            headers, 10)
