import webob

import objstore.common.http  # noqa: F401  (installs the mapping)
from objstore.common.http.header_names import ascii_title, ascii_upper

THUMB = "\U0001f44d".encode("utf-8").decode("latin-1")  # as WSGI gives it


def test_only_ascii_letters_change_case():
    assert ascii_upper("x-meta-" + THUMB + "-a\u00e9") == "X-META-" + THUMB + "-A\u00e9"
    assert ascii_upper(THUMB).encode("latin-1") == "\U0001f44d".encode("utf-8")
    # as bytes.title(): a non-ASCII byte ends a word
    raw = "x-object-meta-\u00e9a-\u00ffb".encode("utf-8")
    assert ascii_title(raw.decode("latin-1")).encode("latin-1") == raw.title()
    assert ascii_title("x-object-meta-ab1c") == "X-Object-Meta-Ab1C"


def test_webob_headers_keep_a_utf8_name_byte_for_byte():
    req = webob.Request.blank("/", headers={"X-Object-Meta-" + THUMB: THUMB})
    assert ("HTTP_X_OBJECT_META_" + THUMB) in req.environ
    items = [(k, v) for k, v in req.headers.items() if k.startswith("X-Object-Meta-")]
    assert items == [("X-Object-Meta-" + THUMB, THUMB)]
    assert req.headers["x-object-meta-" + THUMB] == THUMB


def test_ascii_names_map_as_before():
    req = webob.Request.blank("/", headers={"x-object-meta-color": "red",
                                            "Content-Type": "text/plain"})
    assert req.environ["HTTP_X_OBJECT_META_COLOR"] == "red"
    assert req.environ["CONTENT_TYPE"] == "text/plain"
    assert dict(req.headers)["X-Object-Meta-Color"] == "red"
