"""``/healthcheck``: lets a load balancer ask "is this proxy up?".

Answers ``200 OK`` with body ``OK`` without touching the rest of the
pipeline, so a dead storage cluster does not take proxies out of rotation.
If ``disable_path`` names a file that exists, the answer is ``503 DISABLED
BY FILE`` instead: an operator drains a proxy by touching that file.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable

from webob import Request, Response

HEALTHCHECK_PATH = "/healthcheck"


class HealthCheckMiddleware:
    """Answer ``/healthcheck`` itself; pass everything else on."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.disable_path = conf.get("disable_path", "").strip()

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if env.get("PATH_INFO") != HEALTHCHECK_PATH:
            return self.app(env, start_response)
        req = Request(env)
        if self.disable_path and os.path.exists(self.disable_path):
            resp = Response(status=503, body=b"DISABLED BY FILE")
        else:
            resp = Response(status=200, body=b"OK")
        resp.headers["Content-Type"] = "text/plain"  # as Swift: no charset
        return resp(req.environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: HealthCheckMiddleware(app, conf)
