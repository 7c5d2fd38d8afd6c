"""Symlinks in versioned containers (X-Versions-Enabled and
X-Versions-Location): a version that is a link is kept, restored and
deleted as the link itself, whatever its target has become."""
import hashlib

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "versioned_writes"

_ETAG = hashlib.md5(b"target").hexdigest()
_STATIC = {"X_Symlink_Target": "{c}/t", "X_Symlink_Target_Etag": _ETAG}
#: a versioned container holding a target and a static link to it
_LINKED = [setup("PUT", "{a}/{c}", X_Versions_Enabled="true"),
           setup("PUT", "{a}/{c}/t", b"target"), setup("PUT", "{a}/{c}/link", b"", **_STATIC)]
_STACK = [setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c}", X_Versions_Location="{c2}"),
          setup("PUT", "{a}/{c}/t", b"target"), setup("PUT", "{a}/{c}/link", b"", **_STATIC)]

CASES = [
    case("versioned-static-link-overwritten", *_LINKED,
         check("PUT", "{a}/{c}/link", b"", **_STATIC), check("GET", "{a}/{c}/link"),
         check("GET", "{a}/{c}?versions")),
    # its target changed, the link is stale (409 to read) yet still a version
    # to keep (Swift words that 409 by how it keeps versions: not compared)
    case("versioned-stale-static-link-deleted", *_LINKED,
         setup("PUT", "{a}/{c}/t", b"changed"), setup("GET", "{a}/{c}/link"),
         check("DELETE", "{a}/{c}/link"), check("GET", "{a}/{c}?versions")),
    case("versioned-static-link-deleted-suspended", *_LINKED,
         setup("POST", "{a}/{c}", X_Versions_Enabled="false"),
         check("DELETE", "{a}/{c}/link"), check("GET", "{a}/{c}/link"),
         check("GET", "{a}/{c}?versions")),
    case("versioned-dangling-link-overwritten", setup("PUT", "{a}/{c}", X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/nothing"),
         check("PUT", "{a}/{c}/link", b"data"), check("GET", "{a}/{c}?versions")),
    case("versions-location-static-link-overwritten", *_STACK,
         check("PUT", "{a}/{c}/link", b"data"),
         check("GET", "{a}/{c2}?format=json"), check("DELETE", "{a}/{c}/link"),
         check("GET", "{a}/{c}/link?symlink=get")),
    # a link takes its static target's type as a client sees it
    case("versioned-static-link-default-type", *_LINKED[:1],
         setup("PUT", "{a}/{c}/t", b"target", Content_Type="text/jibberish01"),
         setup("PUT", "{a}/{c2}"), check("PUT", "{a}/{c2}/link", b"", **_STATIC),
         check("PUT", "{a}/{c}/link", b"", **_STATIC),
         check("GET", "{a}/{c2}?format=json"), check("GET", "{a}/{c}?versions"),
         check("GET", "{a}/{c}/link")),
]
