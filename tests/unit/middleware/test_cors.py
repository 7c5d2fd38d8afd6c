"""cors: which origin is allowed and which headers a script may read."""
from objstore.middleware import cors


def test_allowed_origin_star_listed_operator_or_none():
    assert cors.allowed_origin("http://a", "*", []) == "*"
    assert cors.allowed_origin("http://a", "http://b http://a", []) == "http://a"
    assert cors.allowed_origin("http://a", None, ["http://a"]) == "http://a"
    assert cors.allowed_origin("http://a", "http://ab", []) is None
    assert cors.allowed_origin("http://a", None, []) is None


def test_expose_headers_add_container_extras_and_metadata_once():
    got = cors.expose_headers([("X-Object-Meta-Color", "red"), ("Content-Type", "x")],
                              "X-Foo x-object-meta-color")
    names = got.split(", ")
    assert names[:len(cors.DEFAULT_EXPOSE)] == list(cors.DEFAULT_EXPOSE)
    assert names[len(cors.DEFAULT_EXPOSE):] == ["x-foo", "x-object-meta-color"]
