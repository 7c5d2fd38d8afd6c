"""Conditional GET/HEAD (If-Match, If-None-Match, If-(Un)Modified-Since, If-Range),
on a replicated and on an erasure-coded object."""
import hashlib

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Conditional and ranged requests"

_BODY = b"conditional body"
_MD5 = hashlib.md5(_BODY).hexdigest()
_PAST = "Thu, 01 Jan 1970 00:00:01 GMT"
_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"

_CONDITIONS = [
    ("if-match-same", {"If-Match": _MD5}),
    ("if-match-same-quoted", {"If-Match": '"%s"' % _MD5}),
    ("if-match-other", {"If-Match": "0" * 32}),
    ("if-match-star", {"If-Match": "*"}),
    ("if-match-list", {"If-Match": '"%s", "%s"' % ("0" * 32, _MD5)}),
    ("if-none-match-same", {"If-None-Match": _MD5}),
    ("if-none-match-same-quoted", {"If-None-Match": '"%s"' % _MD5}),
    ("if-none-match-other", {"If-None-Match": "0" * 32}),
    ("if-none-match-star", {"If-None-Match": "*"}),
    ("if-none-match-weak", {"If-None-Match": 'W/"%s"' % _MD5}),
    ("if-modified-since-past", {"If-Modified-Since": _PAST}),
    ("if-modified-since-future", {"If-Modified-Since": _FUTURE}),
    ("if-modified-since-invalid", {"If-Modified-Since": "yesterday"}),
    ("if-unmodified-since-past", {"If-Unmodified-Since": _PAST}),
    ("if-unmodified-since-future", {"If-Unmodified-Since": _FUTURE}),
    ("if-unmodified-since-invalid", {"If-Unmodified-Since": "soon"}),
    ("if-match-other-and-if-none-match-other", {"If-Match": "0" * 32, "If-None-Match": "1" * 32}),
    ("if-none-match-same-and-if-modified-since-past",
     {"If-None-Match": _MD5, "If-Modified-Since": _PAST}),
    ("if-match-same-and-if-unmodified-since-past",
     {"If-Match": _MD5, "If-Unmodified-Since": _PAST}),
    ("if-match-same-with-range", {"If-Match": _MD5, "Range": "bytes=0-3"}),
    ("if-none-match-same-with-range", {"If-None-Match": _MD5, "Range": "bytes=0-3"}),
    ("if-range-etag-same", {"If-Range": '"%s"' % _MD5, "Range": "bytes=0-3"}),
    ("if-range-etag-other", {"If-Range": '"%s"' % ("0" * 32), "Range": "bytes=0-3"}),
    ("if-range-date-future", {"If-Range": _FUTURE, "Range": "bytes=0-3"}),
    ("if-range-date-past", {"If-Range": _PAST, "Range": "bytes=0-3"}),
]

CASES = []
for _policy, _header in (("", None), ("-ec", "{ec}")):
    _container = setup("PUT", "{a}/{c}", X_Storage_Policy=_header) if _header else setup("PUT", "{a}/{c}")
    for _name, _conds in _CONDITIONS:
        for _method in ("GET", "HEAD"):
            CASES.append(case("cond-%s-%s%s" % (_method.lower(), _name, _policy), _container,
                              setup("PUT", "{a}/{c}/o", _BODY, Content_Type="text/x-cond",
                                    X_Object_Meta_Kind="cond"),
                              check(_method, "{a}/{c}/o", headers=list(_conds.items()))))
CASES += [
    case("cond-get-if-match-star-missing-object", setup("PUT", "{a}/{c}"),
         check("GET", "{a}/{c}/o", If_Match="*")),
    case("cond-get-if-none-match-star-missing-object", setup("PUT", "{a}/{c}"),
         check("GET", "{a}/{c}/o", If_None_Match="*")),
    case("cond-delete-if-match-other", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", _BODY),
         check("DELETE", "{a}/{c}/o", If_Match="0" * 32), check("HEAD", "{a}/{c}/o")),
    case("cond-post-if-match-other", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", _BODY),
         check("POST", "{a}/{c}/o", If_Match="0" * 32, X_Object_Meta_A="1")),
    case("cond-container-get-if-none-match", setup("PUT", "{a}/{c}"),
         check("GET", "{a}/{c}", If_None_Match="*")),
]
