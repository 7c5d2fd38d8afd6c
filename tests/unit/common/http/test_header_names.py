import collections.abc

import pytest
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


# webob's own answers: EnvironHeaders inherits get from Mapping and items from
# ItemsView; call those on the same headers to compare with install()'s.
def _webob_get(headers, name, *default):
    return collections.abc.Mapping.get(headers, name, *default)


def _webob_items(headers):
    return list(collections.abc.ItemsView(headers))


_ODD_ENVIRONS = [
    {},
    {"REQUEST_METHOD": "PUT", "wsgi.input": object(), "PATH_INFO": "/v1/a/c/o"},
    {"HTTP_X_TIMESTAMP": "1.0", "CONTENT_LENGTH": "4", "CONTENT_TYPE": "text/plain",
     "HTTP_X_EMPTY": "", "HTTP_X_OBJECT_META_" + THUMB: THUMB, "wsgi.errors": None},
    # a name with an underscore reaches webob as HTTP_CONTENT_TYPE: Content_Type
    {"HTTP_CONTENT_TYPE": "a/b", "CONTENT_TYPE": "c/d", "HTTP_CONTENT_LENGTH": "7"},
    # keys whose name maps back to another key: webob reads that other key
    {"HTTP_x_lower": "1", "HTTP_X_LOWER": "2", "HTTP_X-DASH": "3", "HTTP_X_DASH": "4"},
    {"HTTP_": "empty name", "HTTP__": "dash", "HTTP_HTTP_X": "prefix twice",
     "http_x_lower_prefix": "not a header", "CONTENT_MD5": "not a header either"},
    {b"HTTP_BYTES": "not a header", 5: "nor this", "HTTP_X_Y_Z": "x"},
    {"HTTP_X_OBJECT_META_\u00e9A": "\u00e9", "HTTP_X_OBJECT_META_A1B": "v"},
]
_NAMES = ["X-Timestamp", "x-timestamp", "Content-Length", "content-type", "Content_Type",
          "Content_Length", "X-Empty", "X-Missing", "x_lower", "X-Lower", "X-Dash",
          "X-Object-Meta-" + THUMB, "x-object-meta-\u00e9a", "", "-", "Http-X", "Bytes"]


@pytest.mark.parametrize("environ", _ODD_ENVIRONS)
def test_get_and_items_answer_as_webobs_own(environ):
    for _round in range(2):  # the second round reads what the first remembered
        headers = webob.Request(dict(environ)).headers
        for name in _NAMES:
            assert headers.get(name) == _webob_get(headers, name)
            assert headers.get(name, "dflt") == _webob_get(headers, name, "dflt")
            assert type(headers.get(name, 0)) is type(_webob_get(headers, name, 0))
        got = list(headers.items())
        assert got == _webob_items(headers)
        assert [type(v) for _k, v in got] == [type(v) for _k, v in _webob_items(headers)]
        assert dict(headers.items()) == dict(collections.abc.ItemsView(headers))
        view = headers.items()
        assert isinstance(view, collections.abc.ItemsView) and len(view) == len(headers)
        for item in got:
            assert item in view


def test_items_of_a_name_without_its_key_fail_as_webobs():
    # HTTP_CONTENT_TYPE's name Content_Type maps back to it; a key whose
    # name maps to an absent key is a KeyError in webob's walk and in ours
    environ = {"HTTP_x_only_lower": "1"}
    headers = webob.Request(environ).headers
    with pytest.raises(KeyError):
        _webob_items(headers)
    with pytest.raises(KeyError):
        list(headers.items())


def test_items_walk_reads_the_environ_as_it_goes():
    environ = {"HTTP_A": "1", "HTTP_B": "2"}
    walk = iter(webob.Request(environ).headers.items())
    assert next(walk) == ("A", "1")
    environ["HTTP_B"] = "changed"
    assert next(walk) == ("B", "changed")


def test_remembered_item_names_stay_bounded():
    from objstore.common.http import header_names as hn

    environ = {"HTTP_X_N%d" % i: str(i) for i in range(hn._MEMO_MAX + 50)}
    environ["HTTP_" + "A" * (hn._MEMO_NAME_MAX + 1)] = "long"
    for _round in range(2):
        items = list(webob.Request(environ).headers.items())
        assert items == _webob_items(webob.Request(environ).headers)
    assert len(hn._ITEM_NAME) <= hn._MEMO_MAX
