"""Static large objects: manifests, reads (whole, ranged, multi-range, part
numbers), the manifest itself, listings, POST, copies and deletes."""
import hashlib
import json
import re

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Static and dynamic large objects"

_SEGS = {"s1": b"aaaaa", "s2": b"bbbbbbb", "s3": b"ccc"}


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _manifest(*entries) -> bytes:
    return json.dumps(list(entries)).encode()


def _seg(name: str, **extra) -> dict:
    entry = {"path": "/{c2}/" + name, "etag": _md5(_SEGS[name]), "size_bytes": len(_SEGS[name])}
    entry.update(extra)
    return entry


_MANIFEST = _manifest(_seg("s1"), _seg("s2"), _seg("s3"))
_SETUP = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}")] + [
    setup("PUT", "{a}/{c2}/" + n, d) for n, d in _SEGS.items()]
_PUT_MANIFEST = setup("PUT", "{a}/{c}/m?multipart-manifest=put", _MANIFEST,
                      Content_Type="text/x-slo", X_Object_Meta_Kind="slo")


def _manifest_hash(body):
    """An XML listing with the manifest's row hash (its stored JSON's MD5,
    which names segment dates) left out."""
    return re.sub(r"(<name>(m|copy|outer)</name><hash>)[0-9a-f]{32}", r"\1<manifest-md5>", body) \
        if isinstance(body, str) else body


#: a manifest's own ETag is the MD5 of its stored JSON, which records the
#: segments' dates: it differs between two clusters by nature
_OWN_ETAG = ("etag",)


def slo(case_id, *steps):
    """A case with segments s1..s3 in {c2} and manifest {c}/m over them."""
    return case(case_id, *_SETUP, _PUT_MANIFEST, *steps)


def _errors_in_any_order(body):
    """A segment report with its errors sorted: Swift checks the segments
    side by side and lists their errors as the checks end, in no fixed order."""
    if isinstance(body, dict) and isinstance(body.get("Errors"), list):
        return dict(body, Errors=sorted(body["Errors"]))
    if not isinstance(body, str):
        return body
    if "<errors>" in body:
        head, _, rest = body.partition("<errors>\n")
        items, _, tail = rest.partition("</errors>")
        return head + "<errors>\n" + "".join(sorted(items.splitlines(True))) + "</errors>" + tail
    head, sep, rest = body.partition("Errors:\n")
    return head + sep + "".join(sorted(rest.splitlines(True)))


def slo_put(case_id, body, *steps, query="?multipart-manifest=put", user="admin",
            shape=None, **headers):
    return case(case_id, *_SETUP, check("PUT", "{a}/{c}/m" + query, body, user=user,
                                        shape=shape, **headers), *steps)


_HEARTBEAT = "?multipart-manifest=put&heartbeat=on"
#: a wrong ETag, a missing segment named without the leading slash, an
#: unsatisfiable range
_BAD_SEGMENTS = _manifest(_seg("s1", etag="0" * 32), {"path": "{c2}/nothing"},
                          {"path": "/{c2}/s2", "range": "70-80"})


_RANGES = [("first-segment", "bytes=0-4"), ("across-segments", "bytes=3-7"),
           ("suffix", "bytes=-2"), ("open-ended", "bytes=12-"), ("unsatisfiable", "bytes=15-"),
           ("multi", "bytes=0-1,6-8"), ("multi-across", "bytes=3-6,10-14"),
           ("whole", "bytes=0-14"), ("past-end", "bytes=10-99")]

CASES = [
    slo_put("slo-put-manifest", _MANIFEST, check("GET", "{a}/{c}/m"), check("HEAD", "{a}/{c}/m")),
    slo("slo-get", check("GET", "{a}/{c}/m")),
    slo("slo-head", check("HEAD", "{a}/{c}/m")),
    slo("slo-get-manifest", check("GET", "{a}/{c}/m?multipart-manifest=get", ignore=_OWN_ETAG)),
    slo("slo-get-manifest-raw", check("GET", "{a}/{c}/m?multipart-manifest=get&format=raw",
                                      ignore=_OWN_ETAG)),
    slo("slo-head-manifest", check("HEAD", "{a}/{c}/m?multipart-manifest=get", ignore=_OWN_ETAG)),
    slo("slo-post-meta", check("POST", "{a}/{c}/m", X_Object_Meta_Added="1"),
        check("HEAD", "{a}/{c}/m")),
    slo("slo-listing-after-post-content-type", check("POST", "{a}/{c}/m", Content_Type="a/b"),
        check("GET", "{a}/{c}?format=json")),
    slo("slo-listing-slo-etag", check("GET", "{a}/{c}?format=json"),
        check("GET", "{a}/{c}?format=xml", shape=_manifest_hash)),
    slo("slo-container-totals", check("HEAD", "{a}/{c}")),
    slo("slo-part-number-1", check("GET", "{a}/{c}/m?part-number=1")),
    slo("slo-part-number-3-head", check("HEAD", "{a}/{c}/m?part-number=3")),
    slo("slo-part-number-out-of-range", check("GET", "{a}/{c}/m?part-number=4")),
    slo("slo-part-number-bad", check("GET", "{a}/{c}/m?part-number=x")),
    slo("slo-part-number-on-plain-object", check("GET", "{a}/{c2}/s1?part-number=1")),
    slo("slo-delete-manifest-only", check("DELETE", "{a}/{c}/m"), check("GET", "{a}/{c2}?format=json")),
    slo("slo-delete-with-segments", check("DELETE", "{a}/{c}/m?multipart-manifest=delete"),
        check("GET", "{a}/{c2}?format=json"), check("HEAD", "{a}/{c}/m")),
    slo("slo-delete-with-segments-json", check("DELETE", "{a}/{c}/m?multipart-manifest=delete",
                                               Accept="application/json")),
    slo("slo-delete-with-segments-xml", check("DELETE", "{a}/{c}/m?multipart-manifest=delete",
                                              Accept="text/xml")),
    slo("slo-delete-with-segments-accept-unknown",
        check("DELETE", "{a}/{c}/m?multipart-manifest=delete", Accept="text/html")),
    slo("slo-delete-not-a-manifest", check("DELETE", "{a}/{c2}/s1?multipart-manifest=delete")),
    slo("slo-delete-missing", check("DELETE", "{a}/{c}/nothing?multipart-manifest=delete")),
    # async: the manifest goes now, the segments to the expirer (their
    # reads in between differ by design: see docs)
    slo("slo-delete-async", check("DELETE", "{a}/{c}/m?multipart-manifest=delete&async=yes"),
        check("HEAD", "{a}/{c}/m")),
    slo("slo-delete-async-off", check("DELETE", "{a}/{c}/m?multipart-manifest=delete&async=no"),
        check("GET", "{a}/{c2}?format=json")),
    slo("slo-delete-async-not-a-manifest",
        check("DELETE", "{a}/{c2}/s1?multipart-manifest=delete&async=yes")),
    slo("slo-delete-async-missing",
        check("DELETE", "{a}/{c}/nothing?multipart-manifest=delete&async=yes")),
    slo("slo-delete-async-nested",
        setup("PUT", "{a}/{c}/outer?multipart-manifest=put", _manifest({"path": "/{c}/m"})),
        check("DELETE", "{a}/{c}/outer?multipart-manifest=delete&async=yes")),
    slo("slo-delete-async-two-containers", setup("PUT", "{a}/{c}/x", b"xx"),
        setup("PUT", "{a}/{c}/two?multipart-manifest=put",
              _manifest({"path": "/{c}/x"}, {"path": "/{c2}/s1"})),
        # Swift names the containers in no fixed order
        check("DELETE", "{a}/{c}/two?multipart-manifest=delete&async=yes",
              shape=lambda body: (body.partition('"')[0], sorted(re.findall(r'"[^"]*"', body)))
              if isinstance(body, str) else body),
        check("HEAD", "{a}/{c}/two", ignore=_OWN_ETAG + ("x-manifest-etag",))),
    slo("slo-missing-segment-on-get", setup("DELETE", "{a}/{c2}/s2"), check("GET", "{a}/{c}/m")),
    slo("slo-overwrite-segment-with-referencing-manifest",
        check("PUT", "{a}/{c2}/s1?multipart-manifest=put", _manifest(_seg("s1"), _seg("s2")))),
    slo("slo-copy-assembled", check("COPY", "{a}/{c}/m", Destination="{c}/copy"),
        check("GET", "{a}/{c}/copy"), check("HEAD", "{a}/{c}/copy")),
    slo("slo-copy-manifest", check("COPY", "{a}/{c}/m?multipart-manifest=get", Destination="{c}/copy",
                                   ignore=_OWN_ETAG),
        check("GET", "{a}/{c}/copy"), check("HEAD", "{a}/{c}/copy"),
        check("GET", "{a}/{c}/copy?multipart-manifest=get", ignore=_OWN_ETAG)),
    slo("slo-x-copy-from-assembled", check("PUT", "{a}/{c}/copy", b"", X_Copy_From="{c}/m"),
        check("GET", "{a}/{c}/copy")),
    slo("slo-x-copy-from-range", check("PUT", "{a}/{c}/copy", b"", X_Copy_From="{c}/m",
                                       Range="bytes=3-9"), check("GET", "{a}/{c}/copy")),
    # bad manifests
    slo_put("slo-put-bad-etag", _manifest(_seg("s1", etag="0" * 32), _seg("s2"))),
    slo_put("slo-put-bad-size", _manifest(_seg("s1", size_bytes=99), _seg("s2"))),
    slo_put("slo-put-missing-segment", _manifest(_seg("s1"), {"path": "/{c2}/nothing"})),
    slo_put("slo-put-not-json", b"not json"),
    slo_put("slo-put-empty-list", b"[]"),
    slo_put("slo-put-not-a-list", b'{"path": "/{c2}/s1"}'),
    slo_put("slo-put-bad-path", _manifest({"path": "no-container-slash"})),
    slo_put("slo-put-unknown-key", _manifest(_seg("s1", colour="blue"))),
    slo_put("slo-put-etag-null-size-null", _manifest({"path": "/{c2}/s1", "etag": None,
                                                      "size_bytes": None}),
            check("HEAD", "{a}/{c}/m")),
    slo_put("slo-put-segment-range", _manifest(_seg("s1", range="1-3"), _seg("s3", range="-1")),
            check("GET", "{a}/{c}/m"), check("GET", "{a}/{c}/m?multipart-manifest=get",
                                              ignore=_OWN_ETAG)),
    slo_put("slo-put-segment-bad-range", _manifest(_seg("s1", range="7-9"))),
    slo_put("slo-put-segment-range-invalid", _manifest({"path": "/{c2}/s1", "range": "3-1"})),
    slo_put("slo-put-segment-range-bytes-prefix",
            _manifest({"path": "/{c2}/s1", "range": "bytes=1-2"})),
    slo_put("slo-put-segment-multi-range", _manifest({"path": "/{c2}/s1", "range": "0-1,3-4"})),
    slo_put("slo-put-segment-range-and-mismatches", _manifest(
        {"path": "/{c2}/s1", "etag": "0" * 32, "size_bytes": 99, "range": "50-60"})),
    slo_put("slo-put-manifest-etag-header-wrong", _MANIFEST, ETag="0" * 32),
    slo_put("slo-put-heartbeat", _MANIFEST, query=_HEARTBEAT),
    slo_put("slo-put-heartbeat-json", _MANIFEST, query=_HEARTBEAT, Accept="application/json"),
    slo_put("slo-put-heartbeat-yes", _MANIFEST, query="?multipart-manifest=put&heartbeat=yes"),
    slo_put("slo-put-heartbeat-off", _MANIFEST, query="?multipart-manifest=put&heartbeat=off"),
    slo_put("slo-put-heartbeat-bad-segments", _BAD_SEGMENTS, query=_HEARTBEAT,
            Accept="application/xml", shape=_errors_in_any_order),
    slo_put("slo-put-heartbeat-bad-segments-json", _BAD_SEGMENTS, query=_HEARTBEAT,
            Accept="application/json", shape=_errors_in_any_order),
    slo_put("slo-put-heartbeat-etag-header-wrong", _MANIFEST, query=_HEARTBEAT, ETag="0" * 32),
    slo_put("slo-put-heartbeat-not-json", b"not json", query=_HEARTBEAT),
    slo_put("slo-put-heartbeat-bad-key", _manifest(_seg("s1", colour="blue")), query=_HEARTBEAT),
    case("slo-put-heartbeat-no-container", *_SETUP,
         check("PUT", "{a}/{c3}/m" + _HEARTBEAT, _MANIFEST)),
    slo_put("slo-put-heartbeat-not-allowed", _MANIFEST, query=_HEARTBEAT, user="nonadmin",
            shape=_errors_in_any_order),
    # errors name each path as the manifest wrote it, in the format Accept picks
    slo_put("slo-put-errors-paths-as-given", _BAD_SEGMENTS,
            shape=_errors_in_any_order),
    slo_put("slo-put-errors-text-xml", _BAD_SEGMENTS, Accept="text/xml",
            shape=_errors_in_any_order),
    slo_put("slo-put-errors-accept-q", _BAD_SEGMENTS,
            Accept="application/json;q=0.5, application/xml",
            shape=_errors_in_any_order),
    slo_put("slo-put-errors-accept-wildcard", _BAD_SEGMENTS, Accept="application/*",
            shape=_errors_in_any_order),
    slo_put("slo-put-errors-accept-unknown", _BAD_SEGMENTS, Accept="text/html",
            shape=_errors_in_any_order),
    slo_put("slo-put-errors-accept-invalid", _BAD_SEGMENTS, Accept="garbage;;",
            shape=_errors_in_any_order),
    slo_put("slo-put-too-many-segments", _manifest(*[{"path": "{c2}/s1"}] * 1001)),
    slo_put("slo-put-inline-data-only", _manifest({"data": "aGVsbG8="}, {"data": "aGk="})),
    slo_put("slo-put-client-swift-bytes", _MANIFEST, check("HEAD", "{a}/{c}/m"),
            Content_Type="text/x-slo; swift_bytes=99"),
    slo_put("slo-put-no-length", None, Content_Length=None),
    slo_put("slo-put-content-type-params", _MANIFEST, check("GET", "{a}/{c}?format=json"),
            check("HEAD", "{a}/{c}/m"), Content_Type="application/x; a=b"),
    slo_put("slo-put-data-segment", _manifest({"data": "aGVsbG8="}, _seg("s1")),
            check("GET", "{a}/{c}/m")),
    case("slo-nested", *_SETUP, _PUT_MANIFEST,
         setup("PUT", "{a}/{c}/outer?multipart-manifest=put",
               _manifest({"path": "/{c}/m"}, _seg("s3"))),
         check("GET", "{a}/{c}/outer"), check("GET", "{a}/{c}/outer", Range="bytes=13-16"),
         check("GET", "{a}/{c}/outer?multipart-manifest=get", ignore=_OWN_ETAG)),
    case("slo-ec-segments", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}", X_Storage_Policy="{ec}"),
         *[setup("PUT", "{a}/{c2}/" + n, d) for n, d in _SEGS.items()],
         _PUT_MANIFEST, check("GET", "{a}/{c}/m", Range="bytes=3-7"), check("GET", "{a}/{c}/m")),
] + [slo("slo-range-%s" % n, check("GET", "{a}/{c}/m", Range=r)) for n, r in _RANGES]
_SLO_ETAG = '"%s"' % hashlib.md5("".join(_md5(d) for d in _SEGS.values()).encode()).hexdigest()
_FUTURE_DATE, _PAST_DATE = "Sat, 01 Jan 2050 00:00:00 GMT", "Sat, 01 Jan 2000 00:00:00 GMT"
# 304 and 412 of an SLO carry its ETag, its type without the stored
# parameters and the manifest's ETag, whichever condition failed
CASES += [slo("slo-conditional-%s" % n, check(m, "{a}/{c}/m", **h)) for n, m, h in [
    ("if-none-match", "GET", {"If-None-Match": _SLO_ETAG}),
    ("if-none-match-head", "HEAD", {"If-None-Match": _SLO_ETAG}),
    ("if-match-other", "GET", {"If-Match": '"nope"'}),
    ("if-match-with-range", "GET", {"If-Match": _SLO_ETAG, "Range": "bytes=3-6"}),
    ("if-modified-since", "GET", {"If-Modified-Since": _FUTURE_DATE}),
    ("if-unmodified-since", "GET", {"If-Unmodified-Since": _PAST_DATE}),
]]

CASES += [
    # a first segment gone or changed: Swift's plain Conflict page (the
    # reason is only logged), before any byte is sent
    slo("slo-get-first-segment-gone", setup("DELETE", "{a}/{c2}/s1"), check("GET", "{a}/{c}/m")),
    slo("slo-get-first-segment-changed", setup("PUT", "{a}/{c2}/s1", b"zzzzz"),
        check("GET", "{a}/{c}/m"), check("GET", "{a}/{c}/m", Range="bytes=0-2")),
]
CASES += [
    slo("slo-part-number-out-of-range-head", check("HEAD", "{a}/{c}/m?part-number=4"),
        check("HEAD", "{a}/{c}/m?part-number=10001")),
    # a copy of one part: COPY, or PUT with X-Copy-From (the PUT's own
    # part-number names the source's part)
    slo("slo-copy-part-number", check("COPY", "{a}/{c}/m?part-number=2", Destination="{c}/p2"),
        check("GET", "{a}/{c}/p2"),
        check("PUT", "{a}/{c}/p3?part-number=3", b"", X_Copy_From="{c}/m"),
        check("GET", "{a}/{c}/p3")),
]
