"""Static symlinks (X-Symlink-Target-Etag): what a PUT checks, through
chains of static links; how a link whose target changed answers; a link
copied as itself."""
import hashlib

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Middlewares (tempurl, formpost, staticweb, cors, symlink, bulk)"

_ETAG = hashlib.md5(b"target").hexdigest()
_LINKED = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/t", b"target", Content_Type="text/x"),
           setup("PUT", "{a}/{c}/l1", b"", X_Symlink_Target="{c}/t", X_Symlink_Target_Etag=_ETAG)]
#: ... and its target changed since
_STALE = _LINKED + [setup("PUT", "{a}/{c}/t", b"changed")]

CASES = [
    case("static-link-stale-conditional-get", *_STALE,
         check("GET", "{a}/{c}/l1", If_Match="nope"), check("GET", "{a}/{c}/l1", If_Match=_ETAG),
         check("HEAD", "{a}/{c}/l1", If_None_Match=_ETAG)),
    case("static-link-stale-post", *_STALE, check("POST", "{a}/{c}/l1", X_Object_Meta_A="b")),
    case("static-link-post", *_LINKED, check("POST", "{a}/{c}/l1", X_Object_Meta_A="b")),
    # a static link to a static link answers for the ETag it names
    case("static-link-chain", *_LINKED,
         check("PUT", "{a}/{c}/l2", b"", X_Symlink_Target="{c}/l1", X_Symlink_Target_Etag=_ETAG),
         check("PUT", "{a}/{c}/l3", b"", X_Symlink_Target="{c}/l2", X_Symlink_Target_Etag=_ETAG),
         check("PUT", "{a}/{c}/bad", b"", X_Symlink_Target="{c}/l2",
               X_Symlink_Target_Etag="not-the-etag"),
         check("GET", "{a}/{c}/l2"), check("GET", "{a}/{c}?format=json")),
    case("static-link-chain-stale", *_LINKED,
         setup("PUT", "{a}/{c}/l2", b"", X_Symlink_Target="{c}/l1", X_Symlink_Target_Etag=_ETAG),
         setup("PUT", "{a}/{c}/t", b"changed"),
         check("PUT", "{a}/{c}/l3", b"", X_Symlink_Target="{c}/l2", X_Symlink_Target_Etag=_ETAG)),
    # a dynamic link is the final object: its own (empty) ETag
    case("static-link-to-dynamic-link", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/t", b"target"),
         setup("PUT", "{a}/{c}/soft", b"", X_Symlink_Target="{c}/t"),
         check("PUT", "{a}/{c}/l", b"", X_Symlink_Target="{c}/soft", X_Symlink_Target_Etag=_ETAG),
         check("PUT", "{a}/{c}/l", b"", X_Symlink_Target="{c}/soft",
               X_Symlink_Target_Etag=hashlib.md5(b"").hexdigest()),
         check("GET", "{a}/{c}?format=json")),
    # a link copied as itself, told which account its copy points into
    case("symlink-copy-with-target-account", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         setup("PUT", "{a}/{c}/l1", b"", X_Symlink_Target="{c}/t"),
         check("PUT", "{a}/{c2}/copy?symlink=get", b"", X_Copy_From="{c}/l1",
               X_Symlink_Target_Account="{acct2}"),
         check("HEAD", "{a}/{c2}/copy?symlink=get"), check("GET", "{a}/{c2}?format=json"),
         check("PUT", "{a}/{c2}/copy2?symlink=get", b"", X_Copy_From="{c}/l1",
               X_Symlink_Target_Account="a/b")),
]
