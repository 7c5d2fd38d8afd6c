"""Names and paths: non-ASCII (quoted and raw), invalid UTF-8, NUL, bad paths."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Names and paths"

_PUT = setup("PUT", "{a}/{c}")
_E = "%C3%A9"            # é, quoted
_SNOW = "%E2%98%83"      # ☃, quoted

CASES = [
    case("name-utf8-quoted-object", _PUT, check("PUT", "{a}/{c}/%s%s" % (_E, _SNOW), b"x"),
         check("GET", "{a}/{c}/%s%s" % (_E, _SNOW)), check("HEAD", "{a}/{c}/%s%s" % (_E, _SNOW)),
         check("GET", "{a}/{c}"), check("GET", "{a}/{c}?format=json"), check("GET", "{a}/{c}?format=xml")),
    case("name-utf8-quoted-container", check("PUT", "{a}/{c}" + _E), check("HEAD", "{a}/{c}" + _E),
         check("PUT", "{a}/{c}%s/o" % _E, b"x"), check("GET", "{a}/{c}%s/o" % _E),
         check("GET", "{a}?prefix={base}"), check("GET", "{a}?prefix={base}&format=json"),
         check("GET", "{a}?prefix={base}&format=xml")),
    case("name-utf8-raw-request-line-object", _PUT,
         check("PUT", "{a}/{c}/\u00e9\u2603".encode("utf-8"), b"x"),
         check("GET", "{a}/{c}/\u00e9\u2603".encode("utf-8")),
         check("HEAD", "{a}/{c}/%s%s" % (_E, _SNOW)), check("GET", "{a}/{c}?format=json")),
    case("name-utf8-raw-request-line-container", check("PUT", "{a}/{c}\u00e9".encode("utf-8")),
         check("GET", "{a}?prefix={base}&format=json")),
    case("name-utf8-prefix-query", _PUT, setup("PUT", "{a}/{c}/%s1" % _E, b"x"),
         setup("PUT", "{a}/{c}/e1", b"x"), check("GET", "{a}/{c}?prefix=%s" % _E)),
    case("name-invalid-utf8-object", _PUT, check("PUT", "{a}/{c}/%FF", b"x"),
         check("GET", "{a}/{c}/%FF"), check("HEAD", "{a}/{c}/%FF"), check("DELETE", "{a}/{c}/%FF")),
    case("name-invalid-utf8-container", check("PUT", "{a}/%FF{c}"), check("GET", "{a}/%FF{c}")),
    case("name-invalid-utf8-raw-request-line", _PUT, check("PUT", b"{a}/{c}/\xff", b"x")),
    case("name-invalid-utf8-in-query", _PUT, check("GET", "{a}/{c}?prefix=%FF")),
    case("name-invalid-utf8-in-marker", _PUT, check("GET", "{a}/{c}?marker=%FF&format=json")),
    case("name-nul-quoted-object", _PUT, check("PUT", "{a}/{c}/a%00b", b"x")),
    case("name-nul-quoted-container", check("PUT", "{a}/{c}%00")),
    case("name-nul-raw-request-line", _PUT, check("PUT", b"{a}/{c}/a\x00b", b"x")),
    case("name-nul-in-query", _PUT, check("GET", "{a}/{c}?prefix=%00")),
    # request lines whose words are not separated by single spaces (the
    # client writes "<method> <path> HTTP/1.1"): split on SP only
    case("request-line-two-spaces", check("GET", b" /info", user=None),
         check("GET", b"/info ", user=None), check("GET", b"{a}/{c} ")),
    # raw high bytes in the version word (the path's own CRLF ends the
    # line; the client's " HTTP/1.1" goes into a header): judged as sent,
    # read as latin-1 (0x85 and 0xA0 are blanks int() takes), named so
    case("request-line-high-bytes-in-version",
         check("GET", b"/info HTTP/1.\xff1\r\nX-Rest:", user=None),
         check("GET", b"/info HTTP/\xc3\xa91.1\r\nX-Rest:", user=None),
         check("GET", b"/info \xa0HTTP/1.1\r\nX-Rest:", user=None),
         check("GET", b"/a\xff b HTTP/1.1\r\nX-Rest:", user=None),
         check("HEAD", b"{a} HTTP/1.1\xa0\r\nX-Rest:"),
         check("HEAD", b"{a} HTTP/1\x85.1\r\nX-Rest:"),
         check("HEAD", b"{a} HTTP/\xa01.1\r\nX-Rest:"),
         check("HEAD", b"{a} HTTP/1.1\xc2\xa0\r\nX-Rest:")),
    case("name-tab-raw-request-line", _PUT, check("PUT", b"{a}/{c}/a\tb\x1fc", b"x"),
         check("GET", "{a}/{c}/a%09b%1Fc"), check("GET", "{a}/{c}?format=json")),
    case("name-utf8-meta-value-raw", _PUT,
         check("PUT", "{a}/{c}/o", b"x", X_Object_Meta_Name="\u00e9t\u00e9"), check("HEAD", "{a}/{c}/o")),
    case("name-utf8-meta-value-quoted", _PUT,
         check("PUT", "{a}/{c}/o", b"x", X_Object_Meta_Name="%C3%A9t%C3%A9"), check("HEAD", "{a}/{c}/o")),
    case("name-utf8-content-type", _PUT,
         check("PUT", "{a}/{c}/o", b"x", Content_Type="text/plain; name=\u00e9"),
         check("HEAD", "{a}/{c}/o")),
    # bad paths
    case("path-v1-alone", check("GET", "/v1")),
    case("path-v1-slash", check("GET", "/v1/")),
    case("path-v1-alone-no-token", check("GET", "/v1", user=None)),
    case("path-root", check("GET", "/", user=None)),
    case("path-unknown-version", check("GET", "/v2/{acct}")),
    case("path-unknown-version-no-token", check("GET", "/v2/{acct}", user=None)),
    case("path-unknown-top", check("GET", "/nothing/here", user=None)),
    # a container-shaped path under an unknown version: staticweb's turn first
    # (a browser without an identity is refused, 401), then the proxy's 400
    case("path-unknown-version-container-no-token", check("GET", "/nothing/here/too", user=None),
         check("HEAD", "/v2/{acct}/{c}", user=None), check("GET", "/v2/{acct}/{c}/", user=None)),
    case("path-unknown-version-container-unknown-token",
         check("GET", "/nothing/here/too", user=None, X_Auth_Token="bogus"),
         check("GET", "/v2/{acct}/{c}", user=None, X_Auth_Token="AUTH_tk0123456789abcdef")),
    case("path-unknown-version-container", check("GET", "/nothing/here/too"),
         check("HEAD", "/v2/{acct}/{c}")),
    case("path-unknown-version-container-web-mode",
         check("GET", "/nothing/here/too", X_Web_Mode="true"),
         check("GET", "/v2/{acct}/{c}", X_Web_Mode="true")),
    case("path-unknown-version-container-write-no-token",
         check("PUT", "/v2/{acct}/{c}", user=None), check("POST", "/nothing/here/too", user=None)),
    case("path-unknown-version-object-no-token", check("GET", "/nothing/here/too/far", user=None),
         check("GET", "/v2/{acct}/{c}/o", user=None)),
    case("path-account-trailing-slash", check("HEAD", "{a}/")),
    case("path-empty-container-with-object", check("PUT", "{a}//o", b"x")),
    case("path-double-slash-before-account", check("GET", "/v1//{acct}")),
    case("path-options-star", check("OPTIONS", "*", user=None)),
    case("path-absolute-uri", _PUT, setup("PUT", "{a}/{c}/o", b"hello"),
         check("GET", "http://127.0.0.1{a}/{c}/o")),
    # the case's own container: the shared account is never empty (200, not 204)
    case("path-query-only", _PUT, check("GET", "{a}?", ignore=("x-account-container-count",
                                                         "x-account-object-count",
                                                         "x-account-bytes-used"),
                                  shape=lambda body: "<listing>")),
    case("path-percent-bad-escape", _PUT, check("GET", "{a}/{c}/%zz")),
    case("path-percent-truncated", _PUT, check("GET", "{a}/{c}/%4")),
    case("path-dot-segments", _PUT, check("GET", "{a}/{c}/../{c}")),
    # a type, a disposition beyond ASCII: the same bytes in headers and listings
    case("name-utf8-content-type-in-listings", _PUT,
         check("PUT", "{a}/{c}/o", b"x", Content_Type="text/plain; name=caf\u00e9",
               Content_Disposition='attachment; filename="caf\u00e9.txt"'),
         check("HEAD", "{a}/{c}/o"), check("GET", "{a}/{c}?format=json"),
         check("GET", "{a}/{c}?format=xml"), check("POST", "{a}/{c}/o", Content_Type="x/\u00e9"),
         check("GET", "{a}/{c}?format=json")),
    # name lengths count characters, not bytes
    case("name-length-in-characters", _PUT,
         check("PUT", "{a}/{c}/" + _E * 513, b"x"), check("PUT", "{a}/{c}/" + _E * 1025, b"x"),
         check("PUT", "{a}/{c}-" + _E * 200), check("PUT", "{a}/{c}-" + _E * 255)),
]

