import pytest

from objstore.obj.conditional import etag_matches, evaluate, if_range_allows

ETAG = "5d41402abc4b2a76b9719d911017c592"
LM = 1700000000.0  # Tue, 14 Nov 2023 22:13:20 GMT
BEFORE = "Tue, 14 Nov 2023 22:13:19 GMT"
AT = "Tue, 14 Nov 2023 22:13:20 GMT"
AFTER = "Tue, 14 Nov 2023 22:13:21 GMT"


def test_etags_match_quoted_bare_listed_or_star():
    assert etag_matches('"%s"' % ETAG, ETAG, weak=False)
    assert etag_matches(ETAG, ETAG, weak=False)
    assert etag_matches('"nope", "%s"' % ETAG, ETAG, weak=False)
    assert etag_matches("*", ETAG, weak=False)
    assert not etag_matches('"nope"', ETAG, weak=True)


def test_weak_tags_match_only_in_weak_comparison():
    assert etag_matches('W/"%s"' % ETAG, ETAG, weak=True)
    assert not etag_matches('W/"%s"' % ETAG, ETAG, weak=False)


@pytest.mark.parametrize("headers,method,expected", [
    ({}, "GET", None),
    ({"If-Match": '"%s"' % ETAG}, "GET", None),
    ({"If-Match": '"other"'}, "GET", 412),
    ({"If-Match": '"other"'}, "HEAD", 412),
    ({"If-None-Match": '"%s"' % ETAG}, "GET", 304),
    ({"If-None-Match": '"%s"' % ETAG}, "HEAD", 304),
    ({"If-None-Match": '"other"'}, "GET", None),
    ({"If-None-Match": "*"}, "GET", 304),
    ({"If-Modified-Since": AT}, "GET", 304),
    ({"If-Modified-Since": AFTER}, "GET", 304),
    ({"If-Modified-Since": BEFORE}, "GET", None),
    ({"If-Unmodified-Since": BEFORE}, "GET", 412),
    ({"If-Unmodified-Since": AT}, "GET", None),
    ({"If-Modified-Since": "garbage"}, "GET", None),
    ({"If-Unmodified-Since": "garbage"}, "GET", None),
])
def test_single_conditions(headers, method, expected):
    assert evaluate(method, headers, ETAG, LM) == expected


def test_if_match_takes_precedence_over_if_unmodified_since():
    headers = {"If-Match": ETAG, "If-Unmodified-Since": BEFORE}
    assert evaluate("GET", headers, ETAG, LM) is None


def test_if_none_match_takes_precedence_over_if_modified_since():
    headers = {"If-None-Match": '"other"', "If-Modified-Since": AFTER}
    assert evaluate("GET", headers, ETAG, LM) is None


def test_a_failed_if_match_beats_a_matching_if_none_match():
    headers = {"If-Match": '"other"', "If-None-Match": ETAG}
    assert evaluate("GET", headers, ETAG, LM) == 412


def test_if_range_allows_the_range_only_while_the_object_is_unchanged():
    assert if_range_allows({}, ETAG, LM)
    assert if_range_allows({"If-Range": '"%s"' % ETAG}, ETAG, LM)
    assert not if_range_allows({"If-Range": '"other"'}, ETAG, LM)
    assert not if_range_allows({"If-Range": 'W/"%s"' % ETAG}, ETAG, LM)
    assert if_range_allows({"If-Range": AT}, ETAG, LM)
    assert not if_range_allows({"If-Range": BEFORE}, ETAG, LM)
