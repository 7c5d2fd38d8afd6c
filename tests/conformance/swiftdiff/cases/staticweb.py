"""StaticWeb: containers served as web sites, to anonymous browsers and to
token holders asking for web mode (``X-Web-Mode: true``).

What makes a container a site (an index or any Web-Listings value; an
error page alone does not), who may see its directories (the listing
ACL, checked before anything else), directory redirects and markers,
the listing page (sizes, classes, links, label, style sheet), the
"Web Listing Disabled" page, error pages keeping the status, and HEAD
against GET."""
import hashlib
import hmac
from urllib.parse import quote

from ..case import case, check, setup
from . import middlewares as _middlewares

#: the section of docs/swift-differences.md these cases belong to
AREA = _middlewares.AREA

_PUBLIC = ".r:*,.rlistings"
_PAGES_ONLY = ".r:*"  # objects readable, container not listable


def _site(acl, **meta):
    """The container with its ACL and web metadata, and a small site in it."""
    headers = dict(meta)
    if acl:
        headers["X_Container_Read"] = acl
    return [setup("PUT", "{a}/{c}", **headers),
            setup("PUT", "{a}/{c}/index.html", b"<p>index</p>", Content_Type="text/html"),
            setup("PUT", "{a}/{c}/404error.html", b"<p>not here</p>", Content_Type="text/html"),
            setup("PUT", "{a}/{c}/401error.html", b"<p>who</p>", Content_Type="text/html"),
            setup("PUT", "{a}/{c}/sub/index.html", b"<p>sub</p>", Content_Type="text/html"),
            setup("PUT", "{a}/{c}/sub/file.txt", b"file", Content_Type="text/plain"),
            setup("PUT", "{a}/{c}/noidx/f.txt", b"f", Content_Type="text/plain"),
            setup("PUT", "{a}/{c}/dm", b"", Content_Type="application/directory"),
            setup("PUT", "{a}/{c}/dm/x.txt", b"x", Content_Type="text/plain")]


_INDEX = dict(X_Container_Meta_Web_Index="index.html")
_ERROR = dict(X_Container_Meta_Web_Error="error.html")
_LISTINGS = dict(X_Container_Meta_Web_Listings="true")
_WEB = _site(_PUBLIC, **_INDEX, **_ERROR)
_INDEX_MD5 = hashlib.md5(b"<p>index</p>").hexdigest()

_TU_KEY = "sw-tempurl-key"


def _prefix_link(path: str, prefix: str, extra: str = "", expires: str = "4000000000"):
    """``{a}/{c}/<path>`` with a GET temp URL for ``prefix`` of {c}
    (``expires`` as the link shows it; signed as 4000000000)."""
    def link(v):
        signed = "prefix:%s/%s/%s" % (v["a"], v["c"], prefix)
        sig = hmac.new(_TU_KEY.encode(), ("GET\n4000000000\n%s" % signed).encode(),
                       hashlib.sha256).hexdigest()
        return "%s/%s/%s?temp_url_prefix=%s&temp_url_expires=%s&temp_url_sig=%s%s" % (
            v["a"], v["c"], path, quote(prefix), quote(expires), sig, extra)
    link.__doc__ = "{a}/{c}/%s?<GET temp URL of prefix %r>%s" % (path, prefix, extra)
    return link


_TU_SITE = [setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_TU_KEY, **_LISTINGS),
            setup("PUT", "{a}/{c}/top", b"t"), setup("PUT", "{a}/{c}/d/x", b"x"),
            setup("PUT", "{a}/{c}/d/e/y", b"y")]

CASES = [
    # a prefix temp URL lets a browser walk the listings it reaches, every
    # link carrying the URL's parameters and no way up out of the prefix
    case("staticweb-tempurl-whole-container", *_TU_SITE,
         check("GET", _prefix_link("", ""), user=None),
         check("HEAD", _prefix_link("", ""), user=None),
         check("GET", _prefix_link("d/", ""), user=None),
         check("GET", _prefix_link("d/", "", "&inline"), user=None),
         check("GET", _prefix_link("d/", "", expires="2096-10-02T07:06:40Z"), user=None),
         check("GET", _prefix_link("top", ""), user=None)),
    case("staticweb-tempurl-root-redirect-and-site-off", *_TU_SITE,
         check("GET", lambda v: _prefix_link("", "")(v).replace("/?", "?", 1), user=None),
         setup("POST", "{a}/{c}", X_Remove_Container_Meta_Web_Listings="x"),
         check("GET", _prefix_link("", ""), user=None),
         check("GET", _prefix_link("d/", ""), user=None)),
    case("staticweb-tempurl-limited-prefix", *_TU_SITE,
         check("GET", _prefix_link("d/", "d/"), user=None),
         check("GET", _prefix_link("d/e/", "d/"), user=None),
         check("GET", _prefix_link("", "d/"), user=None)),
    # a site with an index page and error pages
    case("staticweb-index", *_WEB, check("GET", "{a}/{c}/", user=None)),
    case("staticweb-redirect-to-slash", *_WEB, check("GET", "{a}/{c}", user=None)),
    case("staticweb-sub-index", *_WEB, check("GET", "{a}/{c}/sub/", user=None)),
    case("staticweb-sub-redirect", *_WEB, check("GET", "{a}/{c}/sub", user=None)),
    case("staticweb-error-page", *_WEB, check("GET", "{a}/{c}/missing.html", user=None)),
    case("staticweb-file", *_WEB, check("GET", "{a}/{c}/sub/file.txt", user=None)),
    case("staticweb-owner-gets-listing", *_WEB, check("GET", "{a}/{c}")),
    case("staticweb-web-mode-for-owner", *_WEB, check("GET", "{a}/{c}/", X_Web_Mode="true"),
         check("GET", "{a}/{c}", X_Web_Mode="true"), check("GET", "{a}/{c}/sub", X_Web_Mode="true"),
         check("GET", "{a}/{c}/missing", X_Web_Mode="true")),
    case("staticweb-unknown-token-is-anonymous", *_WEB,
         check("GET", "{a}/{c}/", user=None, X_Auth_Token="not-a-tempauth-token")),
    case("staticweb-head-redirects-have-no-body", *_WEB,
         check("HEAD", "{a}/{c}", user=None), check("HEAD", "{a}/{c}/sub", user=None),
         check("HEAD", "{a}/{c}/", user=None), check("HEAD", "{a}/{c}/sub/", user=None)),
    # a directory with no index page: found by its listing (listings on or
    # not), then 404 "Web Listing Disabled" naming the missing index page
    case("staticweb-directory-without-index", *_site(_PUBLIC, **_INDEX),
         check("GET", "{a}/{c}/noidx", user=None), check("GET", "{a}/{c}/noidx/", user=None),
         check("GET", "{a}/{c}/nothing", user=None), check("GET", "{a}/{c}/nothing/", user=None),
         check("HEAD", "{a}/{c}/noidx/", user=None), check("HEAD", "{a}/{c}/noidx", user=None)),
    case("staticweb-double-slashes", *_site(_PUBLIC, **_INDEX),
         check("GET", "{a}/{c}//", user=None), check("GET", "{a}/{c}/sub//", user=None),
         check("GET", "{a}/{c}/sub/index.html/", user=None)),
    # directory markers: a 0- or 1-byte object of the directory type is missing
    case("staticweb-directory-marker", *_site(_PUBLIC, **_INDEX),
         check("GET", "{a}/{c}/dm", user=None), check("GET", "{a}/{c}/dm/", user=None),
         check("HEAD", "{a}/{c}/dm", user=None)),
    case("staticweb-directory-marker-not-listable", *_site(_PAGES_ONLY, **_LISTINGS),
         check("GET", "{a}/{c}/dm", user=None), check("GET", "{a}/{c}/sub", user=None)),
    case("staticweb-directory-type",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, X_Container_Meta_Web_Listings="true",
               X_Container_Meta_Web_Directory_Type="text/dir"),
         setup("PUT", "{a}/{c}/m0", b"", Content_Type="text/dir"),
         setup("PUT", "{a}/{c}/m1", b"x", Content_Type="text/dir"),
         setup("PUT", "{a}/{c}/m2", b"xy", Content_Type="text/dir"),
         setup("PUT", "{a}/{c}/m3", b"", Content_Type="application/directory"),
         setup("PUT", "{a}/{c}/m3/f", b"f"),
         check("GET", "{a}/{c}/m0", user=None), check("GET", "{a}/{c}/m1", user=None),
         check("GET", "{a}/{c}/m2", user=None), check("GET", "{a}/{c}/m3", user=None),
         check("GET", "{a}/{c}/m0/", user=None)),
    case("staticweb-directory-type-with-parameters", setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC,
                                                         X_Container_Meta_Web_Listings="true"),
         setup("PUT", "{a}/{c}/m", b"", Content_Type="application/directory;x=y"),
         setup("PUT", "{a}/{c}/m/f", b"f"), check("GET", "{a}/{c}/m", user=None)),
    # the index page answers conditionals and ranges itself; its errors
    # get the site's page for their status
    case("staticweb-index-conditional-and-ranged",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_INDEX, **_ERROR),
         setup("PUT", "{a}/{c}/index.html", b"<p>index</p>", Content_Type="text/html"),
         setup("PUT", "{a}/{c}/412error.html", b"<p>412</p>", Content_Type="text/html"),
         setup("PUT", "{a}/{c}/416error.html", b"<p>416</p>", Content_Type="text/html"),
         setup("PUT", "{a}/{c}/s/index.html", b"<p>s</p>", Content_Type="text/html"),
         check("GET", "{a}/{c}/", user=None, If_None_Match='"%s"' % _INDEX_MD5),
         check("GET", "{a}/{c}/", user=None, If_Match='"nope"'),
         check("GET", "{a}/{c}/", user=None, Range="bytes=1-2"),
         check("GET", "{a}/{c}/", user=None, Range="bytes=100-"),
         check("GET", "{a}/{c}/index.html", user=None, If_Match='"nope"'),
         check("GET", "{a}/{c}/s", user=None, If_None_Match="*"),
         check("GET", "{a}/{c}/s/", user=None, Range="bytes=0-1")),
    # listings
    case("staticweb-listings", setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_LISTINGS),
         setup("PUT", "{a}/{c}/a.txt", b"a"), setup("PUT", "{a}/{c}/d/b.txt", b"bb"),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}/d/", user=None),
         check("GET", "{a}/{c}/nothing/", user=None), check("HEAD", "{a}/{c}/nothing/", user=None),
         check("HEAD", "{a}/{c}/", user=None), check("GET", "{a}/{c}/?format=json", user=None)),
    case("staticweb-listing-sizes-types-and-links",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_LISTINGS,
               X_Container_Meta_Web_Listings_CSS="https://css.example/s.css"),
         setup("PUT", "{a}/{c}/k", b"k" * 2000), setup("PUT", "{a}/{c}/m", b"m" * 1500000),
         setup("PUT", "{a}/{c}/t", b"t", Content_Type="Text/Plain; charset=UTF-8"),
         setup("PUT", "{a}/{c}/q", b"q", Content_Type='image/png;x="a b"'),
         setup("PUT", "{a}/{c}/d.e/f", b"f"),
         setup("PUT", "{a}/{c}/caf\u00e9 & <x>.txt", "h\u00e9".encode()),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}/d.e/", user=None)),
    case("staticweb-listing-stylesheets",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_LISTINGS,
               X_Container_Meta_Web_Listings_CSS="css/s.css"),
         setup("PUT", "{a}/{c}/d/e/x", b"x"),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}/d/e/", user=None),
         setup("POST", "{a}/{c}", X_Container_Meta_Web_Listings_CSS="/abs/s.css"),
         check("GET", "{a}/{c}/d/", user=None)),
    # settings that are not ASCII: the text the owner set, links URL-quoted
    case("staticweb-utf8-settings",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_LISTINGS,
               X_Container_Meta_Web_Listings_CSS="st\u00efle \u2603.css",
               X_Container_Meta_Web_Listings_Label="S\u00eete \u2603",
               X_Container_Meta_Web_Index="ind\u00e9x.html"),
         setup("PUT", "{a}/{c}/d/ind\u00e9x.html", b"<p>index</p>", Content_Type="text/html"),
         setup("PUT", "{a}/{c}/e/x", b"x"),
         check("GET", "{a}/{c}/d/", user=None), check("GET", "{a}/{c}/e/", user=None),
         setup("POST", "{a}/{c}", X_Container_Meta_Web_Listings_CSS="/\u00e1bs/s t.css"),
         check("GET", "{a}/{c}/e/", user=None)),
    case("staticweb-listing-label",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_LISTINGS,
               X_Container_Meta_Web_Listings_Label="My <Site>"),
         setup("PUT", "{a}/{c}/d/x", b"x"),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}/d/", user=None)),
    # Web-Listings: false still makes a site, whose directories are 404
    case("staticweb-listings-false",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, X_Container_Meta_Web_Listings="false",
               X_Container_Meta_Web_Listings_Label="Lbl"),
         setup("PUT", "{a}/{c}/a.txt", b"a"), setup("PUT", "{a}/{c}/d/x", b"x"),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}", user=None),
         check("HEAD", "{a}/{c}/", user=None), check("GET", "{a}/{c}/d", user=None),
         check("GET", "{a}/{c}/d/", user=None), check("GET", "{a}/{c}/", X_Web_Mode="true"),
         check("GET", "{a}/{c}/")),
    # a container that is no site (no index, no Web-Listings)
    case("staticweb-web-mode-without-a-site", setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC),
         setup("PUT", "{a}/{c}/a.txt", b"a"),
         check("GET", "{a}/{c}", X_Web_Mode="true"), check("GET", "{a}/{c}/", X_Web_Mode="true"),
         check("HEAD", "{a}/{c}", X_Web_Mode="true"),
         check("GET", "{a}/{c}/a.txt", X_Web_Mode="true"),
         check("GET", "{a}/{c}/", user="other", X_Web_Mode="true"),
         check("GET", "{a}/{c}/", user=None), check("GET", "{a}/{c}/", user=None, X_Web_Mode="true")),
    case("staticweb-error-page-alone-makes-no-site", *_site(_PUBLIC, **_ERROR),
         check("GET", "{a}/{c}", user=None), check("GET", "{a}/{c}/nothing", user=None),
         check("GET", "{a}/{c}/dm", user=None), check("GET", "{a}/{c}/", X_Web_Mode="true")),
    # who may see a site's directories: its listing ACL, asked first
    case("staticweb-site-not-listable", *_site(_PAGES_ONLY, **_INDEX),
         check("GET", "{a}/{c}", user=None), check("GET", "{a}/{c}/", user=None),
         check("HEAD", "{a}/{c}/", user=None), check("GET", "{a}/{c}/sub/", user=None),
         check("GET", "{a}/{c}/index.html", user=None)),
    case("staticweb-refusal-gets-the-error-page", *_site(_PAGES_ONLY, **_INDEX, **_ERROR),
         check("GET", "{a}/{c}", user=None), check("GET", "{a}/{c}/", user=None)),
    case("staticweb-refusal-of-a-container-that-is-no-site", *_site(_PAGES_ONLY, **_ERROR),
         check("GET", "{a}/{c}", user=None), check("GET", "{a}/{c}/", user=None)),
    case("staticweb-private-site", *_site(None, **_INDEX, **_ERROR),
         check("GET", "{a}/{c}", user=None), check("GET", "{a}/{c}/", user=None),
         check("GET", "{a}/{c}/sub/", user=None), check("GET", "{a}/{c}/sub/file.txt", user=None),
         check("HEAD", "{a}/{c}", user=None)),
    case("staticweb-web-mode-for-other-users", *_site(_PAGES_ONLY, **_INDEX),
         check("GET", "{a}/{c}/", user="other", X_Web_Mode="true"),
         check("GET", "{a}/{c}", user="nonadmin", X_Web_Mode="true"),
         check("GET", "{a}/{c}/index.html", user="other", X_Web_Mode="true"),
         check("GET", "{a}/{c}/", user="nonadmin"),
         check("GET", "{a}/{c}/", X_Web_Mode="false")),
    case("staticweb-missing-container", check("GET", "{a}/{c}/", user=None),
         check("GET", "{a}/{c}", X_Web_Mode="true"), check("GET", "{a}/{c}/x", X_Web_Mode="true")),
    # Swift 2.38.3 answers 500 to these (see known_differences.py)
    case("staticweb-head-of-an-error-page", *_WEB, check("HEAD", "{a}/{c}/missing", user=None)),
    case("staticweb-head-of-a-refused-listing", *_site(_PAGES_ONLY, **_LISTINGS),
         check("HEAD", "{a}/{c}/sub/", user=None)),
    case("staticweb-subdirectory-index-error",
         setup("PUT", "{a}/{c}", X_Container_Read=_PUBLIC, **_INDEX),
         setup("PUT", "{a}/{c}/s/index.html", b"<p>s</p>", Content_Type="text/html"),
         check("GET", "{a}/{c}/s/", user=None, Range="bytes=100-")),
]
