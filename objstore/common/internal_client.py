"""A daemon's way to the cluster: the proxy's own code, in process.

The tierer (moving whole objects in any policy, replicated or EC,
encrypted or not) and the container sync daemon (reading what it sends)
do what the proxy does, so they load a pipeline from the proxy's config
(``[pipeline:tierer]``, typically ``catch_errors cache keymaster
encryption proxy-server``; ``[pipeline:container-sync]``) and send their
requests through it, as Swift's internal clients do. There is no
gatekeeper in it: the daemon may set ``X-Timestamp`` and ``X-Backend-*``,
and a path holding a reserved name (``common/reserved.py``, such as an
object_versioning versions container) is sent with the header that lets
it through.

Two entry points: ``request`` through the whole pipeline (bodies and user
metadata in plaintext, re-encrypted under the path they are written to),
and ``raw`` straight to the proxy app (metadata exactly as stored, for a
pointer that must carry the object's encrypted metadata unchanged).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional
from urllib.parse import quote

from webob import Request, Response

from objstore.common.http import message
from objstore.common.pipeline import load_pipeline
from objstore.common.reserved import ALLOW_HEADER, RESERVED

#: swift.source of every request (the tiering middleware never counts it)
SOURCE = "TIER"


class InternalClient:
    def __init__(self, proxy_conf: str, pipeline: str = "tierer") -> None:
        message.install()  # backend answers read as the proxy server reads them
        self.app = load_pipeline(proxy_conf, pipeline)
        raw = self.app
        while hasattr(raw, "app"):
            raw = raw.app
        self.raw_app = raw

    def request(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                body: Any = b"", content_length: Optional[int] = None,
                raw: bool = False, query: str = "",
                extra_env: Optional[Mapping[str, Any]] = None) -> Response:
        """``method path`` (a ``/v1/...`` path as text); the answer's body is
        not read: iterate ``app_iter`` or call ``close``."""
        env: Dict[str, Any] = {"REQUEST_METHOD": method, "swift.source": SOURCE}
        env.update(extra_env or {})
        headers = dict(headers or {})
        if RESERVED in path:
            headers[ALLOW_HEADER] = "true"
        req = Request.blank(quote(path) + ("?" + query if query else ""), environ=env,
                            headers=headers)
        if isinstance(body, bytes):
            req.body = body
        else:
            req.body_file = body
            if content_length is not None:
                req.content_length = content_length
            else:
                req.headers["Transfer-Encoding"] = "chunked"
        return req.get_response(self.raw_app if raw else self.app)

