"""cors: cross-origin requests to the Swift API, as the container allows.

A page served from another origin may call the API from a browser only if
the container says so: ``X-Container-Meta-Access-Control-Allow-Origin``
(space-separated origins, or ``*``), ``-Max-Age`` (how long a browser may
cache a preflight) and ``-Expose-Headers`` (extra response headers the
page's script may read). ``cors_allow_origin`` in this filter's config
adds origins allowed for every container.

* Preflight: ``OPTIONS`` with ``Origin`` and
  ``Access-Control-Request-Method`` on a container or object. The proxy's
  own ``OPTIONS`` answer (its ``Allow`` list) is asked first, so the methods
  are written in one place; an allowed origin gets ``200`` with the
  ``Access-Control-Allow-*`` headers, anything else ``401``. An ``OPTIONS``
  without ``Origin`` (or on an account) is the proxy's plain answer.
* Actual requests with ``Origin``: the answer (whatever its status, so a
  script can read an error) gets ``Access-Control-Allow-Origin`` and
  ``Access-Control-Expose-Headers`` if the origin is allowed. With
  ``strict_cors_mode = false`` (Swift's legacy behaviour) an origin is
  echoed for any container that has CORS settings.

S3 requests (not under ``/v1/``) are left alone: s3api owns S3 bucket CORS.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import registry
from objstore.common.config import config_true_value
from objstore.common.http.errors import swift_error
from objstore.common.info import get_container_info
from objstore.common.utils import drain_and_close, split_path

StartResponse = Callable[..., Any]
# Response headers a cross-origin script may always read.
DEFAULT_EXPOSE = ("cache-control", "content-language", "content-type", "expires",
                  "last-modified", "pragma", "etag", "x-timestamp", "x-trans-id",
                  "x-openstack-request-id")


def allowed_origin(origin: str, container_origins: Optional[str],
                   operator_origins: List[str]) -> Optional[str]:
    """The ``Access-Control-Allow-Origin`` value for ``origin``: ``*`` for a
    container open to all, ``origin`` when listed, else ``None``."""
    listed = (container_origins or "").split()
    if "*" in listed:
        return "*"
    if origin in listed or origin in operator_origins:
        return origin
    return None


def expose_headers(resp_headers: List[Tuple[str, str]], extra: Optional[str]) -> str:
    """The default readable headers, the container's extra ones, and the
    metadata headers of this very answer."""
    names: List[str] = list(DEFAULT_EXPOSE)
    for name in (extra or "").split():
        names.append(name.lower())
    for key, _value in resp_headers:
        low = key.lower()
        if low.startswith(("x-object-meta-", "x-container-meta-")):
            names.append(low)
    seen: List[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return ", ".join(seen)


class CORS:
    """Answers preflights and marks cross-origin answers."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.allow_origins = conf.get("cors_allow_origin", "").replace(",", " ").split()
        self.strict = config_true_value(conf.get("strict_cors_mode", "true"))
        self.expose = conf.get("cors_expose_headers", "").replace(",", " ").split()
        registry.register_info("swift", strict_cors_mode=self.strict)

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        origin = env.get("HTTP_ORIGIN")
        if not origin:
            return self.app(env, start_response)
        try:
            version, account, container, _obj = split_path(env.get("PATH_INFO", ""), 2, 4, True)
        except ValueError:
            return self.app(env, start_response)
        if version != "v1" or not container:
            return self.app(env, start_response)
        if env["REQUEST_METHOD"] == "OPTIONS":
            return self._preflight(env, start_response, origin, account, container)
        return self.app(env, self._marking(env, start_response, origin, account, container))

    # ---------------------------------------------------------- preflight
    def _preflight(self, env: Dict[str, Any], start_response: StartResponse, origin: str,
                   account: str, container: str) -> Iterable[bytes]:
        plain = dict(env)
        for key in ("HTTP_ORIGIN", "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
                    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"):
            plain.pop(key, None)
        captured: List[Any] = []

        def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> None:
            captured[:] = [status, headers]
        body = self.app(plain, capture)
        drain_and_close(body)
        status, headers = captured if captured else ("500 Internal Server Error", [])
        allow = next((v for k, v in headers if k.lower() == "allow"), "")
        methods = [m.strip() for m in allow.split(",") if m.strip()]
        info = get_container_info(env, self.app, account, container)
        cors = info.get("cors") or {}
        value = None
        if 200 <= info["status"] < 300:
            value = allowed_origin(origin, cors.get("allow_origin"), self.allow_origins)
        wanted = env.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
        if not status.startswith("2") or value is None or wanted not in methods:
            # A refused preflight lists the methods without COPY, as Swift's does.
            refused = ", ".join(m for m in methods if m != "COPY")
            return swift_error(401, headers={"Allow": refused})(env, start_response)
        out = [("Allow", allow), ("Access-Control-Allow-Origin", value),
               ("Access-Control-Allow-Methods", allow)]
        vary = []
        if value != "*":
            vary.append("Origin")
        asked = env.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
        if asked:
            names = sorted({h.strip().lower() for h in asked.split(",") if h.strip()})
            out.append(("Access-Control-Allow-Headers", ", ".join(names)))
            if value != "*":
                vary.append("Access-Control-Request-Headers")
        if vary:
            out.append(("Vary", ", ".join(vary)))
        if cors.get("max_age"):
            out.append(("Access-Control-Max-Age", cors["max_age"]))
        out.append(("Content-Length", "0"))
        start_response("200 OK", out)
        return [b""]

    # ------------------------------------------------------ actual requests
    def _marking(self, env: Dict[str, Any], start_response: StartResponse, origin: str,
                 account: str, container: str) -> StartResponse:
        def wrapped(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(k.lower() == "access-control-allow-origin" for k, _v in headers):
                headers = list(headers)
                headers += self._cors_headers(env, origin, account, container, headers)
            return start_response(status, headers, exc_info)
        return wrapped

    def _cors_headers(self, env: Dict[str, Any], origin: str, account: str, container: str,
                      headers: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
        info = get_container_info(env, self.app, account, container)
        cors = info.get("cors") or {}
        value = allowed_origin(origin, cors.get("allow_origin"), self.allow_origins)
        if value is None and not self.strict and cors.get("allow_origin"):
            value = origin
        if value is None:
            return []
        extra = " ".join(filter(None, [cors.get("expose_headers")] + self.expose))
        out = [("Access-Control-Expose-Headers", expose_headers(headers, extra)),
               ("Access-Control-Allow-Origin", value)]
        if value != "*":
            vary = [v for k, v in headers if k.lower() == "vary"]
            out.append(("Vary", "Origin") if not vary else ("Vary", "Origin, " + vary[0]))
            headers[:] = [(k, v) for k, v in headers if k.lower() != "vary"]
        return out


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: CORS(app, conf)
