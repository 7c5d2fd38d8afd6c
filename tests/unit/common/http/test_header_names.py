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


def test_remembered_mappings_stay_bounded_and_agree_with_the_rule():
    from objstore.common.http import header_names as hn

    names = ["X-Object-Meta-N%d-" % i + THUMB for i in range(hn._MEMO_MAX + 50)]
    long_name = "X-Object-Meta-" + "a" * (hn._MEMO_NAME_MAX + 1)
    for _round in range(2):  # the second round reads what the first remembered
        for name in names + [long_name]:
            key = webob.headers._trans_name(name)
            assert key == "HTTP_" + hn.ascii_upper(name).replace("-", "_")
            assert webob.headers._trans_key(key) == hn.ascii_title(name)
    assert len(hn._NAME_TO_KEY) <= hn._MEMO_MAX
    assert len(hn._KEY_TO_NAME) <= hn._MEMO_MAX
    assert long_name not in hn._NAME_TO_KEY
    # not header keys, remembered or not
    for _round in range(2):
        assert webob.headers._trans_key("wsgi.input") is None
        assert webob.headers._trans_key(b"HTTP_X") is None
    assert webob.headers._trans_key("CONTENT_TYPE") == "Content-Type"
    assert webob.headers._trans_name("content-length") == "CONTENT_LENGTH"
