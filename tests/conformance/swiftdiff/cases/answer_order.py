"""The order of an object GET/HEAD answer's header lines (what ``curl -i``
and ``swift stat`` show): plain, erasure-coded, ranged, conditional, with
metadata and stored headers, after a POST, SLO and DLO manifests, a
versioned object, a symlink, a TempURL."""
import hashlib
import json

from ..case import case, check, setup
from .middlewares import _KEY, _tempurl

#: the section of docs/swift-differences.md these cases belong to
AREA = "Names and paths"

_PUT = setup("PUT", "{a}/{c}")
# metadata in an order that is not sorted: Swift answers in the client's
_OBJ = setup("PUT", "{a}/{c}/o", b"hello world", Content_Type="text/plain",
             X_Object_Meta_Zed="z", X_Object_Meta_Color="red", X_Object_Meta_Alpha="a")


def _ordered(method, path, **kw):
    return check(method, path, order=True, **kw)


def _reads(path, **kw):
    """A GET and a HEAD of ``path``."""
    return [_ordered("GET", path, **kw), _ordered("HEAD", path, **kw)]


_SEG1, _SEG2 = b"aaaaaaaaaa", b"bbbbbbbbbb"
_SEGS = [setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c2}/seg/1", _SEG1),
         setup("PUT", "{a}/{c2}/seg/2", _SEG2)]
_SLO = setup("PUT", "{a}/{c}/m?multipart-manifest=put", json.dumps([
    {"path": "/{c2}/seg/1", "etag": hashlib.md5(_SEG1).hexdigest()},
    {"path": "/{c2}/seg/2", "etag": hashlib.md5(_SEG2).hexdigest()}]).encode(),
    X_Object_Meta_Kind="slo")
_DLO = setup("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c2}/seg/", X_Object_Meta_Kind="dlo")

CASES = [
    case("object-header-order-get-head", _PUT, _OBJ, *_reads("{a}/{c}/o")),
    # an erasure-coded object (objstore's EC policy; the reference's one policy)
    case("object-header-order-ec", setup("PUT", "{a}/{c}", X_Storage_Policy="{ec}"), _OBJ,
         *_reads("{a}/{c}/o"), _ordered("GET", "{a}/{c}/o", Range="bytes=0-1"),
         _ordered("GET", "{a}/{c}/o", If_None_Match="*")),
    case("object-header-order-ranges", _PUT, _OBJ,
         _ordered("GET", "{a}/{c}/o", Range="bytes=0-1"),
         _ordered("GET", "{a}/{c}/o", Range="bytes=0-1,3-4"),
         _ordered("GET", "{a}/{c}/o", Range="bytes=100-200"),
         _ordered("HEAD", "{a}/{c}/o", Range="bytes=0-1")),
    case("object-header-order-conditional", _PUT, _OBJ,
         _ordered("GET", "{a}/{c}/o", If_None_Match="*"),
         _ordered("HEAD", "{a}/{c}/o", If_None_Match="*"),
         _ordered("GET", "{a}/{c}/o", If_Match="nope"),
         _ordered("HEAD", "{a}/{c}/o", If_Match="nope"),
         _ordered("GET", "{a}/{c}/o", If_Modified_Since="Sat, 01 Jan 2100 00:00:00 GMT")),
    case("object-header-order-stored-headers", _PUT,
         setup("PUT", "{a}/{c}/o", b"x", X_Object_Meta_M="1", Content_Disposition="inline",
               Content_Encoding="gzip", X_Delete_At="9999999999", Cache_Control="no-cache",
               Content_Language="en", X_Robots_Tag="none"),
         *_reads("{a}/{c}/o"), _ordered("GET", "{a}/{c}/o", Range="bytes=0-0")),
    case("object-header-order-after-post", _PUT, _OBJ,
         setup("POST", "{a}/{c}/o", X_Object_Meta_Beta="2", X_Object_Meta_Alpha="1",
               Content_Disposition="attachment"),
         *_reads("{a}/{c}/o")),
    case("object-header-order-slo", _PUT, *_SEGS, _SLO, *_reads("{a}/{c}/m"),
         _ordered("GET", "{a}/{c}/m", Range="bytes=5-14"),
         _ordered("GET", "{a}/{c}/m", If_None_Match="*"),
         # the stored manifest's MD5: it names the segments' dates, which
         # differ between two clusters by nature (its place is compared)
         *_reads("{a}/{c}/m?multipart-manifest=get", ignore=("etag",))),
    case("object-header-order-dlo", _PUT, *_SEGS, _DLO, *_reads("{a}/{c}/m"),
         _ordered("GET", "{a}/{c}/m", Range="bytes=5-14"),
         *_reads("{a}/{c}/m?multipart-manifest=get")),
    case("object-header-order-versioned", setup("PUT", "{a}/{c}", X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/o", b"v1", X_Object_Meta_V="1"),
         setup("PUT", "{a}/{c}/o", b"v2", X_Object_Meta_V="2"),
         *_reads("{a}/{c}/o"), _ordered("GET", "{a}/{c}/o", Range="bytes=0-0")),
    case("object-header-order-symlink", _PUT, _OBJ,
         setup("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/o"),
         *_reads("{a}/{c}/link"), *_reads("{a}/{c}/link?symlink=get"),
         _ordered("GET", "{a}/{c}/link", Range="bytes=0-0")),
    # TempURL's own Content-Disposition and Expires come after the object's headers
    case("object-header-order-tempurl", setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_KEY),
         setup("PUT", "{a}/{c}/o", b"hello", X_Object_Meta_A="1", Content_Disposition="inline"),
         _ordered("GET", _tempurl("GET"), user=None),
         _ordered("GET", _tempurl("GET", extra="&filename=x.txt"), user=None),
         _ordered("HEAD", _tempurl("HEAD", extra="&inline"), user=None)),
]
