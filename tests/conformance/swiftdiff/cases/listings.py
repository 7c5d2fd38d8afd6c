"""Container and account listings: formats, Accept, prefix, delimiter, markers,
reverse, limit, path."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Listings"

_NAMES = ["a", "a/b", "a/c", "a/c/d", "b", "b-c", "b-c-d", "c/d/e", "d", "%C3%A9t%C3%A9"]
_FILLED = [setup("PUT", "{a}/{c}")] + [
    setup("PUT", "{a}/{c}/" + n, b"x" * i, Content_Type="text/x-%d" % i) for i, n in enumerate(_NAMES)]

_QUERIES = [
    ("plain", ""), ("json", "format=json"), ("xml", "format=xml"), ("format-plain", "format=plain"),
    ("format-txt", "format=txt"), ("format-bad", "format=yaml"), ("format-upper", "format=JSON"),
    ("prefix", "prefix=a/&format=json"), ("prefix-none", "prefix=zz&format=json"),
    ("prefix-utf8", "prefix=%C3%A9&format=json"),
    ("delimiter", "delimiter=/&format=json"), ("delimiter-plain", "delimiter=/"),
    ("delimiter-xml", "delimiter=/&format=xml"),
    ("delimiter-prefix", "prefix=a/&delimiter=/&format=json"),
    ("delimiter-multichar", "delimiter=-c&format=json"),
    ("delimiter-multichar-prefix", "prefix=b&delimiter=-c&format=json"),
    ("delimiter-empty", "delimiter=&format=json"),
    ("marker", "marker=a/c&format=json"), ("marker-past-end", "marker=zzz&format=json"),
    ("end-marker", "end_marker=b&format=json"), ("marker-and-end-marker", "marker=a&end_marker=b-c"),
    ("reverse", "reverse=true&format=json"), ("reverse-plain", "reverse=on"),
    ("reverse-false", "reverse=false"), ("reverse-marker", "reverse=true&marker=b"),
    ("reverse-end-marker", "reverse=true&end_marker=b"),
    ("reverse-delimiter", "reverse=true&delimiter=/"),
    ("reverse-prefix", "reverse=true&prefix=a/"),
    ("limit", "limit=2&format=json"), ("limit-zero", "limit=0"), ("limit-float", "limit=5000.0"),
    ("limit-float-small", "limit=2.0"), ("limit-negative", "limit=-1"),
    ("limit-text", "limit=abc"), ("limit-over-max", "limit=10001"), ("limit-at-max", "limit=10000"),
    ("limit-marker", "limit=2&marker=a/b"),
    ("path", "path=a&format=json"), ("path-root", "path=&format=json"),
    ("path-with-prefix", "path=a&prefix=a/b"),
    ("prefix-delimiter-utf8", "prefix=%C3%A9&delimiter=t"),
    ("unknown-param", "foo=bar"),
]

_ACCEPTS = [("accept-json", "application/json"), ("accept-xml", "application/xml"),
            ("accept-text-xml", "text/xml"), ("accept-plain", "text/plain"),
            ("accept-any", "*/*"), ("accept-unknown", "image/png"),
            ("accept-json-q", "application/xml;q=0.5, application/json;q=0.9"),
            # ties of q go to the more specific range, then to the client's order
            ("accept-order", "application/xml, application/json"),
            ("accept-specific-over-wildcard", "text/*, application/json"),
            ("accept-wildcard-tie", "*/*;q=0.5, application/xml;q=0.5"),
            ("accept-app-wildcard", "application/*"),
            ("accept-type-wildcard", "*/json"),
            ("accept-q-zero", "application/json;q=0"),
            ("accept-q-over-one", "text/xml, application/json;q=2"),
            ("accept-params", "text/xml;charset=utf-8;q=0.5, application/json;q=0.6"),
            # not a list of media ranges: 400 Invalid Accept header
            ("accept-invalid", "garbage;;"), ("accept-empty-element", "text/xml,"),
            ("accept-bad-q", "application/json;q=abc"),
            ("accept-param-no-value", "application/json;x")]

CASES = [case("listing-container-%s" % n, *_FILLED, check("GET", "{a}/{c}?" + q) if q else
              check("GET", "{a}/{c}"))
         for n, q in _QUERIES]
CASES += [case("listing-container-%s" % n, *_FILLED, check("GET", "{a}/{c}", Accept=v))
          for n, v in _ACCEPTS]
# names under a leading "/" (as Swift's TestContainerPaths has them): path=/
# lists the names directly under "/", an empty path the root's
_SLASHED = [setup("PUT", "{a}/{c}")] + [
    setup("PUT", "{a}/{c}/" + n, b"x") for n in ["/f", "/d/", "/d/g", "/e/h/i", "f2", "d2/"]]
CASES += [case("listing-container-path-%s" % n, *_SLASHED, check("GET", "{a}/{c}?" + q))
          for n, q in [("slash", "path=/&format=json"), ("slashes", "path=//&format=json"),
                       ("slash-dir", "path=/d&format=json"), ("slashed-root", "path=")]]
CASES += [
    case("listing-container-format-overrides-accept", *_FILLED,
         check("GET", "{a}/{c}?format=xml", Accept="application/json")),
    case("listing-container-head-json", *_FILLED, check("HEAD", "{a}/{c}?format=json")),
    case("listing-container-head-accept-invalid", *_FILLED,
         check("HEAD", "{a}/{c}", Accept="garbage;;")),
    case("listing-container-format-beats-invalid-accept", *_FILLED,
         check("GET", "{a}/{c}?format=json", Accept="garbage;;")),
    case("listing-account-accept-invalid", setup("PUT", "{a}/{c}"),
         check("GET", "{a}", Accept="text/xml,", ignore=("x-account-container-count",
                                                         "x-account-object-count",
                                                         "x-account-bytes-used"))),
    case("listing-container-head-xml", *_FILLED, check("HEAD", "{a}/{c}?format=xml")),
    case("listing-container-empty-accept-json", setup("PUT", "{a}/{c}"),
         check("GET", "{a}/{c}", Accept="application/json")),
    case("listing-container-content-types", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/o", b"x", Content_Type="text/plain;charset=utf-8"),
         setup("PUT", "{a}/{c}/p", b"x", Content_Type="application/x-foo; swift_bytes=3"),
         check("GET", "{a}/{c}?format=json"), check("GET", "{a}/{c}?format=xml")),
    case("listing-container-after-post", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", b"x"),
         setup("POST", "{a}/{c}/o", Content_Type="text/x-posted"),
         check("GET", "{a}/{c}?format=json")),
    case("listing-container-after-delete", *_FILLED, setup("DELETE", "{a}/{c}/a"),
         check("GET", "{a}/{c}")),
]

# account listings: the case's own containers, found by their common prefix
_ACCOUNT = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c3}"),
            setup("PUT", "{a}/{c}/o", b"12345"), setup("PUT", "{a}/{c2}/o", b"1")]
_ACCOUNT_QUERIES = [
    ("json", "format=json"), ("xml", "format=xml"), ("plain", ""),
    ("delimiter", "delimiter=-&format=json"), ("marker", "marker={c}&format=json"),
    ("end-marker", "end_marker={c3}"), ("reverse", "reverse=true"), ("limit", "limit=1"),
    ("limit-float", "limit=5000.0"), ("limit-over-max", "limit=10001"),
    ("limit-text", "limit=x"), ("format-bad", "format=yaml"),
]
CASES += [case("listing-account-%s" % n, *_ACCOUNT,
               check("GET", "{a}?prefix={base}" + ("&" + q if q else "")))
          for n, q in _ACCOUNT_QUERIES]
CASES += [case("listing-account-accept-json", *_ACCOUNT,
               check("GET", "{a}?prefix={base}", Accept="application/json")),
          case("listing-account-accept-xml", *_ACCOUNT,
               check("GET", "{a}?prefix={base}", Accept="application/xml"))]

# names beyond ASCII (two-, three- and four-byte UTF-8) under every format
# and paging parameter
_Q = {"e": "%C3%A9", "ja": "%E6%97%A5", "u": "%C3%BC", "smile": "%F0%9F%98%80"}
_UTF8_NAMES = ["a{e}/1", "a{e}/2", "b{ja}/x", "b{ja}y", "c{u}", "{smile}/z", "plain"]
_UTF8 = [setup("PUT", "{a}/{c}")] + [setup("PUT", "{a}/{c}/" + n.format(**_Q), b"x")
                                     for n in _UTF8_NAMES]
_UTF8_QUERIES = [("delimiter", "delimiter=/"), ("prefix", "prefix=a{e}/"),
                 ("marker", "marker=b{ja}"), ("end-marker", "end_marker=c{u}"),
                 ("reverse-delimiter", "reverse=on&delimiter=/"),
                 ("multibyte-delimiter", "delimiter={ja}"),
                 ("four-byte-prefix", "prefix={smile}&delimiter=/"),
                 ("reverse-markers", "reverse=true&marker=c{u}&end_marker=a{e}/2")]
CASES += [case("listing-utf8-%s-%s" % (fmt, n), *_UTF8,
               check("GET", "{a}/{c}?format=%s&%s" % (fmt, q.format(**_Q))))
          for fmt in ("json", "xml", "plain") for n, q in _UTF8_QUERIES]


# an object POST updates its listing row: the type a POST sets, the data's
# size and hash, and a PUT after the POST resets them
_POSTED = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", b"hello", Content_Type="text/plain")]
CASES += [
    case("listing-after-post-meta", *_POSTED, setup("POST", "{a}/{c}/o", X_Object_Meta_A="1"),
         check("GET", "{a}/{c}?format=json"), check("GET", "{a}/{c}?format=xml")),
    case("listing-after-post-content-type", *_POSTED,
         setup("POST", "{a}/{c}/o", Content_Type="image/png"),
         check("GET", "{a}/{c}?format=json"), check("GET", "{a}/{c}?format=xml")),
    case("listing-after-post-content-type-then-meta", *_POSTED,
         setup("POST", "{a}/{c}/o", Content_Type="image/png"),
         setup("POST", "{a}/{c}/o", X_Object_Meta_A="2"), check("GET", "{a}/{c}?format=json")),
    case("listing-after-post-then-put", *_POSTED,
         setup("POST", "{a}/{c}/o", Content_Type="image/png"),
         setup("PUT", "{a}/{c}/o", b"longer body", Content_Type="text/x-new"),
         check("GET", "{a}/{c}?format=json")),
]
