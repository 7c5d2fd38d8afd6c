"""The Swift middlewares of a SAIO pipeline: TempURL, FormPost, CORS,
symlinks and bulk operations (StaticWeb has its own module). Keys live on
the case's own container (never on the shared account), so other users of
the reference are not disturbed."""
import hashlib
import hmac
import io
import tarfile
from typing import Any, Callable, Dict

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Middlewares (tempurl, formpost, staticweb, cors, symlink, bulk)"

_KEY = "conformance-key"
_UKEY = "k\u00e9y \u2603"
_FUTURE = 4000000000
_PAST = 1000000000


def _tempurl(method: str, obj: str = "o", expires: int = _FUTURE, digest=hashlib.sha256,
             extra: str = "", key: str = _KEY,
             container: str = "{c}") -> Callable[[Dict[str, str]], str]:
    def path(v: Dict[str, str]) -> str:
        target = "%s/%s/%s" % (v["a"], container.replace("{c}", v["c"]), obj)
        sig = hmac.new(key.encode(), ("%s\n%d\n%s" % (method, expires, target)).encode(),
                       digest).hexdigest()
        return "%s?temp_url_sig=%s&temp_url_expires=%d%s" % (target, sig, expires, extra)
    path.__doc__ = "{a}/{c}/%s?temp_url_sig=<%s %s>&temp_url_expires=%d%s" % (
        obj, digest().name, method, expires, extra)
    return path


def _form(fields=(), files=(("file1", "a.txt", b"aaa"),), redirect="", max_size=100,
          max_count=2, expires=_FUTURE, key=_KEY, signature=None,
          edit: Callable[[bytes], bytes] = lambda b: b) -> Callable[[Dict[str, str]], bytes]:
    """A FormPost body for {a}/{c}/, signed with ``key`` (``edit`` spoils it)."""
    def body(v: Dict[str, str]) -> bytes:
        path = "%s/%s/" % (v["a"], v["c"])
        sig = hmac.new(key.encode(), ("%s\n%s\n%s\n%s\n%s" % (
            path, redirect, max_size, max_count, expires)).encode(), hashlib.sha256).hexdigest()
        out = b""
        for name, value in [("redirect", redirect), ("max_file_size", str(max_size)),
                            ("max_file_count", str(max_count)), ("expires", str(expires)),
                            ("signature", sig if signature is None else signature)] + list(fields):
            out += (b'--B0UND\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                    % (name.encode(), value.encode()))
        for name, filename, data in files:
            out += (b'--B0UND\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                    b"Content-Type: text/plain\r\n\r\n%s\r\n" % (name.encode(),
                                                                 filename.encode(), data))
        return edit(out + b"--B0UND--\r\n")
    return body


_FORM_TYPE = "multipart/form-data; boundary=B0UND"
_FORMPOST = [setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_KEY)]


def formpost(case_id: str, body: Callable[[Dict[str, str]], bytes], *steps: Any,
             content_type: str = _FORM_TYPE):
    return case(case_id, *_FORMPOST, check("POST", "{a}/{c}/", body, user=None,
                                           Content_Type=content_type), *steps)


_TEMPURL = [setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_KEY),
            setup("PUT", "{a}/{c}/o", b"tempurl body", Content_Type="text/x-tu",
                  X_Object_Meta_Secret="s")]


def _tar(files: Dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


_CORS = [setup("PUT", "{a}/{c}", X_Container_Read=".r:*",
               X_Container_Meta_Access_Control_Allow_Origin="http://good.example.com",
               X_Container_Meta_Access_Control_Expose_Headers="X-Object-Meta-Color",
               X_Container_Meta_Access_Control_Max_Age="600"),
         setup("PUT", "{a}/{c}/o", b"cors", X_Object_Meta_Color="red")]

_LINK = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/target", b"target body",
                                        Content_Type="text/x-target"),
         setup("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/target")]

CASES = [
    # TempURL
    case("tempurl-get", *_TEMPURL, check("GET", _tempurl("GET"), user=None)),
    # a link's request keeps only the link's own parameters: others added to
    # it select nothing (a version, the link itself, the manifest)
    case("tempurl-get-ignores-other-parameters",
         setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_KEY, X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/o", b"v1"), setup("PUT", "{a}/{c}/o", b"v2"),
         setup("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/o"),
         check("GET", _tempurl("GET", extra="&version-id=null"), user=None),
         check("GET", _tempurl("GET", obj="link", extra="&symlink=get"), user=None)),
    # a key that is not ASCII signs as its UTF-8 bytes
    case("tempurl-get-utf8-key", setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_UKEY),
         setup("PUT", "{a}/{c}/o", b"tempurl body", Content_Type="text/x-tu"),
         check("GET", _tempurl("GET", key=_UKEY), user=None),
         check("GET", _tempurl("GET", key=_UKEY.encode("utf-8").decode("latin-1")), user=None)),
    # a container's key on a container whose name is not ASCII
    case("tempurl-container-key-utf8-container",
         setup("PUT", "{a}/{c}\u00e9", X_Container_Meta_Temp_URL_Key=_KEY),
         setup("PUT", "{a}/{c}\u00e9/o", b"tempurl body", Content_Type="text/x-tu"),
         check("GET", _tempurl("GET", container="{c}\u00e9"), user=None),
         setup("DELETE", "{a}/{c}\u00e9/o"), setup("DELETE", "{a}/{c}\u00e9")),
    case("formpost-utf8-key", setup("PUT", "{a}/{c}", X_Container_Meta_Temp_URL_Key=_UKEY),
         check("POST", "{a}/{c}/", _form(key=_UKEY), user=None, Content_Type=_FORM_TYPE),
         check("GET", "{a}/{c}/a.txt")),
    case("tempurl-head", *_TEMPURL, check("HEAD", _tempurl("HEAD"), user=None)),
    case("tempurl-get-sha1", *_TEMPURL, check("GET", _tempurl("GET", digest=hashlib.sha1),
                                               user=None)),
    case("tempurl-get-sha512", *_TEMPURL, check("GET", _tempurl("GET", digest=hashlib.sha512),
                                                 user=None)),
    case("tempurl-get-signed-for-put", *_TEMPURL, check("GET", _tempurl("PUT"), user=None)),
    case("tempurl-bad-signature", *_TEMPURL, check("GET", _tempurl("GET", key="wrong"), user=None)),
    case("tempurl-expired", *_TEMPURL, check("GET", _tempurl("GET", expires=_PAST), user=None)),
    case("tempurl-filename", *_TEMPURL, check("GET", _tempurl("GET", extra="&filename=my%20file.txt"),
                                               user=None)),
    case("tempurl-inline", *_TEMPURL, check("GET", _tempurl("GET", extra="&inline"), user=None)),
    case("tempurl-put", *_TEMPURL, check("PUT", _tempurl("PUT", obj="new"), b"put by url", user=None),
         check("GET", "{a}/{c}/new")),
    case("tempurl-other-object", *_TEMPURL, check("GET", _tempurl("GET", obj="nothing"), user=None)),
    case("tempurl-no-key", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", b"x"),
         check("GET", _tempurl("GET"), user=None)),
    case("tempurl-errors", *_TEMPURL,
         check("GET", "{a}/{c}/o?temp_url_sig=abc&temp_url_expires=notanumber", user=None),
         check("GET", "{a}/{c}/o?temp_url_sig=abc", user=None),
         check("GET", "{a}/{c}/o?temp_url_expires=4000000000", user=None),
         check("GET", _tempurl("GET", digest=hashlib.md5), user=None),
         check("DELETE", _tempurl("DELETE"), user=None),
         check("POST", _tempurl("POST"), user=None),
         check("HEAD", _tempurl("GET"), user=None),
         check("GET", _tempurl("GET", extra="&temp_url_ip_range=10.0.0.0/8"), user=None),
         check("PUT", _tempurl("PUT", obj="new"), b"x", user=None, X_Object_Manifest="{c}/x")),
    # a POST or DELETE through a temp URL may not point elsewhere either
    case("tempurl-post-delete-reaching-out", *_TEMPURL,
         check("POST", _tempurl("POST"), user=None, X_Object_Manifest="{c}/x"),
         check("POST", _tempurl("POST"), user=None, X_Symlink_Target="{c}/x"),
         check("DELETE", _tempurl("DELETE"), user=None, X_Copy_From="{c}/x"),
         check("HEAD", "{a}/{c}/o")),
    # a container's key reaches that container only: a DLO link whose
    # segments live elsewhere fails, one whose segments are beside it works;
    # an account's key reaches the whole account
    case("tempurl-container-key-dlo-segments-elsewhere", *_TEMPURL,
         setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c2}/seg1", b"one "),
         setup("PUT", "{a}/{c}/seg1", b"here "),
         setup("PUT", "{a}/{c}/out", b"", X_Object_Manifest="{c2}/seg"),
         setup("PUT", "{a}/{c}/in", b"", X_Object_Manifest="{c}/seg"),
         check("GET", _tempurl("GET", obj="out"), user=None),
         check("HEAD", _tempurl("HEAD", obj="out"), user=None),
         check("GET", _tempurl("GET", obj="in"), user=None)),
    # FormPost
    formpost("formpost-upload", _form(), check("GET", "{a}/{c}/a.txt")),
    formpost("formpost-redirect", _form(redirect="http://example.com/done?x=1")),
    formpost("formpost-expired", _form(expires=_PAST)),
    formpost("formpost-bad-signature", _form(signature="bad")),
    formpost("formpost-wrong-key", _form(key="wrong")),
    formpost("formpost-file-too-large", _form(max_size=2)),
    formpost("formpost-too-many-files", _form(max_count=1, files=(("f1", "a", b"a"),
                                                                  ("f2", "b", b"b")))),
    formpost("formpost-error-redirected", _form(redirect="http://example.com/x", signature="b")),
    formpost("formpost-no-files", _form(files=())),
    formpost("formpost-bad-delete-after", _form(fields=(("x_delete_after", "abc"),))),
    formpost("formpost-no-boundary-in-type", _form(), content_type="multipart/form-data"),
    formpost("formpost-other-boundary", _form(),
             content_type="multipart/form-data; boundary=OTHER"),
    formpost("formpost-preamble", _form(edit=lambda b: b"preamble\r\n" + b)),
    formpost("formpost-leading-blank-line", _form(edit=lambda b: b"\r\n" + b)),
    formpost("formpost-closing-boundary-first", lambda v: b"--B0UND--\r\n"),
    formpost("formpost-empty-body", lambda v: b""),
    formpost("formpost-not-multipart", _form(), content_type="text/plain"),
    formpost("formpost-form-broken-off", _form(edit=lambda b: b[:-len(b"--B0UND--\r\n")])),
    case("formpost-no-key", setup("PUT", "{a}/{c}"),
         check("POST", "{a}/{c}/", _form(), user=None, Content_Type=_FORM_TYPE)),
    # CORS
    case("cors-preflight-allowed", *_CORS,
         check("OPTIONS", "{a}/{c}/o", user=None, Origin="http://good.example.com",
               Access_Control_Request_Method="GET")),
    case("cors-preflight-other-origin", *_CORS,
         check("OPTIONS", "{a}/{c}/o", user=None, Origin="http://evil.example.org",
               Access_Control_Request_Method="GET")),
    case("cors-preflight-with-headers", *_CORS,
         check("OPTIONS", "{a}/{c}/o", user=None, Origin="http://good.example.com",
               Access_Control_Request_Method="PUT",
               Access_Control_Request_Headers="x-object-meta-color, content-type")),
    case("cors-get-with-origin", *_CORS,
         check("GET", "{a}/{c}/o", user=None, Origin="http://good.example.com")),
    case("cors-get-other-origin", *_CORS,
         check("GET", "{a}/{c}/o", user=None, Origin="http://evil.example.org")),
    # symlinks
    case("symlink-put", *_LINK[:2], check("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/target")),
    case("symlink-get", *_LINK, check("GET", "{a}/{c}/link")),
    case("symlink-head", *_LINK, check("HEAD", "{a}/{c}/link")),
    case("symlink-get-symlink-get", *_LINK, check("GET", "{a}/{c}/link?symlink=get")),
    case("symlink-head-symlink-get", *_LINK, check("HEAD", "{a}/{c}/link?symlink=get")),
    case("symlink-listing", *_LINK, check("GET", "{a}/{c}?format=json")),
    case("symlink-post-listing", *_LINK, check("POST", "{a}/{c}/link", X_Object_Meta_A="1"),
         check("GET", "{a}/{c}?format=json")),
    case("symlink-dangling", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/nothing"),
         check("GET", "{a}/{c}/link"), check("HEAD", "{a}/{c}/link")),
    case("symlink-bad-target", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}/link", b"", X_Symlink_Target="no-slash")),
    case("symlink-with-body", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}/link", b"body", X_Symlink_Target="{c}/target")),
    case("symlink-static-etag-mismatch", *_LINK[:2],
         check("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/target",
               X_Symlink_Target_Etag="0" * 32)),
    case("symlink-static-etag", *_LINK[:2],
         check("PUT", "{a}/{c}/link", b"", X_Symlink_Target="{c}/target",
               X_Symlink_Target_Etag=hashlib.md5(b"target body").hexdigest()),
         check("GET", "{a}/{c}/link"), check("HEAD", "{a}/{c}/link?symlink=get")),
    case("symlink-post", *_LINK, check("POST", "{a}/{c}/link", X_Object_Meta_A="1")),
    case("symlink-range", *_LINK, check("GET", "{a}/{c}/link", Range="bytes=2-5")),
    case("symlink-copy", *_LINK, check("COPY", "{a}/{c}/link", Destination="{c}/plain-copy"),
         check("HEAD", "{a}/{c}/plain-copy"),
         check("COPY", "{a}/{c}/link?symlink=get", Destination="{c}/link-copy"),
         check("HEAD", "{a}/{c}/link-copy?symlink=get"), check("GET", "{a}/{c}/link-copy"),
         check("GET", "{a}/{c}?format=json")),
    case("symlink-conditional", *_LINK,
         check("GET", "{a}/{c}/link", If_None_Match='"%s"' % hashlib.md5(b"target body").hexdigest()),
         check("GET", "{a}/{c}/link", If_Match='"nope"'), check("HEAD", "{a}/{c}/link", If_Match='"nope"'),
         check("GET", "{a}/{c}/link?symlink=get", If_Match='"nope"'),
         check("GET", "{a}/{c}/link", If_Modified_Since="Sat, 01 Jan 2050 00:00:00 GMT")),
    case("symlink-loop", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/l1", b"", X_Symlink_Target="{c}/l2"),
         setup("PUT", "{a}/{c}/l2", b"", X_Symlink_Target="{c}/l3"),
         setup("PUT", "{a}/{c}/l3", b"", X_Symlink_Target="{c}/l1"),
         check("GET", "{a}/{c}/l1")),
    # bulk
    case("bulk-delete-json", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o1", b"1"),
         setup("PUT", "{a}/{c}/o2", b"2"),
         check("POST", "{a}?bulk-delete", b"/{c}/o1\n/{c}/o2\n/{c}/missing\n",
               Content_Type="text/plain", Accept="application/json"),
         check("GET", "{a}/{c}")),
    case("bulk-delete-plain", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o1", b"1"),
         check("POST", "{a}?bulk-delete", b"/{c}/o1\n", Content_Type="text/plain")),
    *[case("bulk-delete-accept-%s" % name, setup("PUT", "{a}/{c}"),
           check("POST", "{a}?bulk-delete", b"/{c}/missing\n", Content_Type="text/plain",
                 Accept=accept))
      for name, accept in [("text-xml", "text/xml"), ("app-wildcard", "application/*"),
                           ("order", "application/xml, application/json"),
                           ("unknown", "text/html"), ("invalid", "garbage;;"),
                           ("q-zero", "application/json;q=0")]],
    case("bulk-delete-names-are-quoted", setup("PUT", "{a}/{c}%C3%A9"),
         setup("PUT", "{a}/{c}%C3%A9/x%20y", b"x"),
         check("POST", "{a}?bulk-delete", "/{c}\u00e9\n".encode(), Content_Type="text/plain",
               Accept="application/json"),
         check("POST", "{a}?bulk-delete", b"/{c}%C3%A9\n", Content_Type="text/plain",
               Accept="text/plain")),
    *[case("bulk-delete-%s" % n, setup("PUT", "{a}/{c}"),
           check("POST", "{a}?bulk-delete", body, Content_Type="text/plain",
                 Accept="application/json"))
      for n, body in [("the-account", b"/\n"), ("the-account-twice-slashed", b"//\n"),
                      ("the-account-quoted", b"%2F\n"), ("container-slash", b"/{c}/\n"),
                      ("not-utf8", b"/%ff%fe\n"), ("nul", b"/{c}/a%00b\n"),
                      ("blank-lines", b"\n\n/{c}/missing\n\n")]],
    case("bulk-delete-container", setup("PUT", "{a}/{c}"),
         check("POST", "{a}?bulk-delete", b"/{c}\n", Content_Type="text/plain",
               Accept="application/json"), check("HEAD", "{a}/{c}")),
    case("bulk-extract-archive", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}?extract-archive=tar", _tar({"x.txt": b"x", "d/y.txt": b"yy"}),
               Accept="application/json"),
         check("GET", "{a}/{c}?format=json")),
    case("bulk-extract-archive-bad", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}?extract-archive=tar", b"not a tar", Accept="application/json")),
]
