"""A proxy pipeline inside a daemon, for daemons that read their cluster
as a client would (the container sync daemon reads the objects it sends).

Reading through the proxy rather than from the object servers gets the
proxy's node choice, read failover, EC decoding and -- with keymaster and
encryption in the pipeline -- decrypted bytes, without a second copy of
any of it. The pipeline comes from its own config
(``internal-client.conf``: no auth middleware, no gatekeeper, so system
metadata is visible, and no SLO/DLO, so manifests read as stored).
Nothing listens on a socket: requests are WSGI calls in this process.
"""

from __future__ import annotations

from typing import Mapping, Optional
from urllib.parse import quote

from webob import Request, Response

from objstore.common.pipeline import load_pipeline


class InternalClient:
    """Send ``/v1/...`` requests through an in-process proxy pipeline."""

    def __init__(self, conf_path: str, user_agent: str) -> None:
        self.conf_path = conf_path
        self.user_agent = user_agent
        self.app = load_pipeline(conf_path)

    def request(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                query: str = "") -> Response:
        """The response to ``method path`` (``path`` as text, quoted here).
        The body is not read: iterate ``app_iter`` or ``close()`` it."""
        req = Request.blank(quote(path), environ={"REQUEST_METHOD": method,
                                                  "QUERY_STRING": query})
        req.headers["User-Agent"] = self.user_agent
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

