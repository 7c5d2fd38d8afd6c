"""``GET /info``: the cluster's capabilities, and a signed admin view.

The admin view (hidden sections such as ``admin:*``) is shown only to a
request signed with ``admin_key``: ``?swiftinfo_sig=<hmac>&swiftinfo_expires
=<unix time>`` where the HMAC-SHA1 covers ``"<METHOD>\\n<expires>\\n/info"``.
Signing with a key instead of a token keeps ``/info`` usable by tools
that never authenticate. A signature without an ``admin_key`` configured
(or half a signature) is 403, a wrong or expired one 401.
"""

from __future__ import annotations

import hmac
import json
import time
from hashlib import sha1
from typing import Any

from webob import Request, Response

from objstore.common import registry
from objstore.common.http import errors

#: the methods /info answers, in the order Swift 2.38.3 lists them in an
#: OPTIONS answer and in a 405 (they differ there)
ALLOW = "HEAD, GET, OPTIONS"
ALLOW_405 = "HEAD, OPTIONS, GET"


def info_signature(key: str, method: str, expires: str, path: str = "/info") -> str:
    """The signature a client sends to see the admin sections."""
    message = "%s\n%s\n%s" % (method, expires, path)
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), sha1).hexdigest()


def _signed_admin(app: Any, req: Request) -> Any:
    """True/False for a valid/missing signature; a Response for a bad one."""
    sig = req.GET.get("swiftinfo_sig")
    expires = req.GET.get("swiftinfo_expires")
    if sig is None and expires is None:
        return False
    if not app.admin_key or not sig or not expires:
        return errors.swift_error(403)
    try:
        expired = int(expires) < time.time()
    except ValueError:
        expired = True
    method = "GET" if req.method == "HEAD" else req.method
    valid = any(hmac.compare_digest(sig, info_signature(app.admin_key, m, expires))
                for m in {method, "GET", "HEAD"})
    if expired or not valid:
        return errors.swift_error(401)
    return True


def handle_info(app: Any, req: Request) -> Response:
    """Answer ``/info`` (GET, HEAD, OPTIONS)."""
    if req.method == "OPTIONS":
        return Response(status=200, headerlist=[("Content-Type", errors.HTML),
                                                ("Allow", ALLOW), ("Content-Length", "0")])
    if req.method not in ("GET", "HEAD"):
        return errors.swift_error(405, headers={"Allow": ALLOW_405})
    if not app.expose_info:
        return errors.swift_error(403)
    admin = _signed_admin(app, req)
    if isinstance(admin, Response):
        return admin
    data = registry.get_info(admin=bool(admin), disallowed=app.disallowed_sections)
    body = json.dumps(data, sort_keys=True).encode("utf-8")
    return Response(status=200, body=body, headerlist=[
        ("Content-Type", "application/json; charset=UTF-8")])
