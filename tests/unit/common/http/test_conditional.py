"""Conditional requests: Swift's order for object GET/HEAD (measured against
Swift 2.38.3), RFC 7232's for S3, and the headers of 304 and 412."""

import pytest
from hypothesis import given, strategies as st

from objstore.common.http.conditional import (Preconditions, etag_matches, if_range_allows,
                                              not_modified_headers, precondition_failed_headers,
                                              resolve_etag, rfc_verdict, swift_verdict)

ETAG = "5d41402abc4b2a76b9719d911017c592"
LM = 1700000000.0  # Tue, 14 Nov 2023 22:13:20 GMT
BEFORE = "Tue, 14 Nov 2023 22:13:19 GMT"
AT = "Tue, 14 Nov 2023 22:13:20 GMT"
AFTER = "Tue, 14 Nov 2023 22:13:21 GMT"


def swift(headers):
    return swift_verdict(Preconditions.from_headers(headers), ETAG, LM)


def rfc(headers, **kw):
    return rfc_verdict(Preconditions.from_headers(headers), ETAG, LM, **kw)


def test_etags_match_quoted_bare_listed_or_star():
    assert etag_matches('"%s"' % ETAG, ETAG)
    assert etag_matches(ETAG, ETAG)
    assert etag_matches('"%s"' % ETAG, '"%s"' % ETAG)
    assert etag_matches('"nope", "%s"' % ETAG, ETAG)
    assert etag_matches("%s,other" % ETAG, ETAG)
    assert etag_matches("*", ETAG)
    assert not etag_matches('"nope"', ETAG)


def test_weak_tags_never_match_as_in_swift():
    assert not etag_matches('W/"%s"' % ETAG, ETAG)
    assert swift({"If-Match": 'W/"%s"' % ETAG}) == 412
    assert swift({"If-None-Match": 'W/"%s"' % ETAG}) is None


@pytest.mark.parametrize("headers,expected", [
    ({}, None),
    ({"If-Match": '"%s"' % ETAG}, None),
    ({"If-Match": '"other"'}, 412),
    ({"If-None-Match": '"%s"' % ETAG}, 304),
    ({"If-None-Match": '"other"'}, None),
    ({"If-None-Match": "*"}, 304),
    ({"If-Match": "*"}, None),
    ({"If-Modified-Since": AT}, 304),
    ({"If-Modified-Since": AFTER}, 304),
    ({"If-Modified-Since": BEFORE}, None),
    ({"If-Unmodified-Since": BEFORE}, 412),
    ({"If-Unmodified-Since": AT}, None),
    ({"If-Modified-Since": "garbage"}, None),
    ({"If-Unmodified-Since": "garbage"}, None),
    ({"if-none-match": ETAG}, 304),  # any case of the header name
    ({"If-Modified-Since": "Tuesday, 14-Nov-23 22:13:20 GMT"}, 304),  # RFC 850
    ({"If-Modified-Since": "Tue Nov 14 22:13:20 2023"}, 304),  # asctime
])
def test_single_conditions_in_both_orders(headers, expected):
    assert swift(headers) == expected
    assert rfc(headers) == expected


@pytest.mark.parametrize("headers,swift_answer,rfc_answer", [
    # a matching If-None-Match wins over everything in Swift
    ({"If-Match": '"other"', "If-None-Match": ETAG}, 304, 412),
    ({"If-None-Match": ETAG, "If-Unmodified-Since": BEFORE}, 304, 412),
    # Swift honours If-Modified-Since even beside a non-matching If-None-Match
    ({"If-None-Match": '"other"', "If-Modified-Since": AFTER}, 304, None),
    # If-Modified-Since's 304 comes before If-Unmodified-Since's 412
    ({"If-Modified-Since": AFTER, "If-Unmodified-Since": BEFORE}, 304, 412),
    # If-Match before If-Modified-Since in both
    ({"If-Match": '"other"', "If-Modified-Since": AFTER}, 412, 412),
    # a matching If-Match makes the RFC skip If-Unmodified-Since; Swift does not
    ({"If-Match": ETAG, "If-Unmodified-Since": BEFORE}, 412, None),
    ({"If-Match": ETAG, "If-Modified-Since": AFTER}, 304, 304),
])
def test_combinations_where_swift_and_the_rfc_differ(headers, swift_answer, rfc_answer):
    assert swift(headers) == swift_answer
    assert rfc(headers) == rfc_answer


def test_copy_source_conditions_fail_with_412_and_read_the_prefixed_headers():
    pre = Preconditions.from_headers({"x-amz-copy-source-if-none-match": ETAG},
                                     prefix="x-amz-copy-source-")
    assert rfc_verdict(pre, ETAG, LM, not_modified=412) == 412
    assert not Preconditions.from_headers({"If-Match": ETAG}, prefix="x-amz-").present


def test_a_requests_headers_are_read_from_its_environ_as_from_a_plain_mapping():
    from webob import Request
    sent = {"If-Match": '"%s"' % ETAG, "if-none-match": '"other"', "If-Modified-Since": AT,
            "IF-UNMODIFIED-SINCE": "not a date", "X-Amz-Copy-Source-If-Match": "x"}
    req = Request.blank("/", headers=sent)
    assert Preconditions.from_headers(req.headers) == Preconditions.from_headers(dict(sent)) \
        == Preconditions('"%s"' % ETAG, '"other"', LM, None)
    assert Preconditions.from_headers(req.headers, prefix="x-amz-copy-source-") == \
        Preconditions.from_headers(dict(sent), prefix="x-amz-copy-source-") == Preconditions("x")


def test_if_range_allows_the_range_only_while_the_object_is_unchanged():
    assert if_range_allows({}, ETAG, LM)
    assert if_range_allows({"If-Range": '"%s"' % ETAG}, ETAG, LM)
    assert not if_range_allows({"If-Range": '"other"'}, ETAG, LM)
    assert not if_range_allows({"If-Range": 'W/"%s"' % ETAG}, ETAG, LM)
    assert if_range_allows({"If-Range": AT}, ETAG, LM)
    assert not if_range_allows({"If-Range": BEFORE}, ETAG, LM)


def test_the_etag_is_at_the_first_named_metadata_key_present():
    meta = {"ETag": "frag", "X-Object-Sysmeta-Ec-Etag": "client", "X-Object-Sysmeta-Slo-Etag": "slo"}
    assert resolve_etag(meta, None) == "frag"
    assert resolve_etag(meta, "X-Object-Sysmeta-Ec-Etag") == "client"
    assert resolve_etag(meta, "x-object-sysmeta-nope, X-Object-Sysmeta-Slo-Etag") == "slo"
    assert resolve_etag(meta, "x-object-sysmeta-nope") == "frag"


def test_304_and_412_carry_the_objects_headers_as_swift_sends_them():
    headers = {"Content-Type": "text/plain", "ETag": ETAG, "Last-Modified": AT,
               "X-Timestamp": "1700000000.00000", "X-Object-Meta-Color": "red",
               "Accept-Ranges": "bytes", "Content-Length": "5"}
    assert not_modified_headers(headers) == dict(headers, **{"Content-Length": "0"})
    failed = precondition_failed_headers(headers)
    assert failed == {"Content-Type": "text/html; charset=UTF-8", "ETag": ETAG,
                      "Last-Modified": AT, "X-Timestamp": "1700000000.00000",
                      "X-Object-Meta-Color": "red", "Content-Length": "0"}


_tag = st.text(alphabet="0123456789abcdef", min_size=1, max_size=8)


@given(_tag, st.lists(_tag, max_size=4))
def test_an_etag_matches_a_list_exactly_when_it_is_in_it(etag, others):
    header = ", ".join('"%s"' % t for t in others)
    assert etag_matches(header, etag) == (etag in others)
    verdict = rfc_verdict(Preconditions(if_match=header), etag, LM) if others else None
    assert verdict == (None if etag in others or not others else 412)


@given(st.integers(-5, 5), st.integers(-5, 5))
def test_dates_decide_by_whole_seconds(ims_delta, ius_delta):
    import email.utils
    ims = email.utils.formatdate(LM + ims_delta, usegmt=True)
    ius = email.utils.formatdate(LM + ius_delta, usegmt=True)
    expected = 304 if ims_delta >= 0 else (412 if ius_delta < 0 else None)
    assert swift({"If-Modified-Since": ims, "If-Unmodified-Since": ius}) == expected


def test_if_match_star_on_a_missing_object_is_412_other_conditions_stay_404():
    from objstore.common.http.conditional import missing_verdict
    assert missing_verdict({"If-Match": "*"}) == 412
    assert missing_verdict({"if-match": '"x", *'}) == 412
    assert missing_verdict({"If-Match": '"x"'}) is None
    assert missing_verdict({"If-None-Match": "*"}) is None
    assert missing_verdict({}) is None
