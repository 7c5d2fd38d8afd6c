"""Keeps clients out of the system's private headers.

Backend headers (``X-Backend-*``) and system metadata
(``X-{Account,Container,Object}-Sysmeta-*``, ``X-Object-Transient-Sysmeta-*``)
are how the proxy and middlewares talk to the storage servers and to each
other; a client that could send them could, say, forge a symlink target or
an encryption key id, and one that could read them could learn internals.
So they are removed from client requests on the way in and from responses
on the way out. The backend protocol's own headers
(:data:`BACKEND_ONLY_HEADERS`: ``X-Account-Override-Deleted``, the
container/account/expirer update targets...) are removed from requests.
``X-If-Delete-At`` is not one of them: as in Swift, a client may make a
DELETE conditional on the object's expiry (400 for a value that is no
integer, 412 when it does not match); the expirer sends it too, and marks
its own requests with a backend header. A client-sent ``X-Timestamp`` is
dropped too (``shunt_inbound_x_timestamp``), because timestamps decide
every conflict.
Middlewares to the right of this one may set these headers freely.

The headers of an object GET/HEAD answer leave here in Swift 2.38.3's
order (``common/http/answer_order``): the one place that sees the answer
after every middleware that adds to it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Tuple

from objstore.common.config import config_true_value
from objstore.common.http.answer_order import object_answer_order
from objstore.common.http.paths import split_swift_path
from objstore.common.sync_realms import INBOUND_X_TIMESTAMP_ENV

PRIVATE_PREFIXES = ("x-backend-", "x-account-sysmeta-", "x-container-sysmeta-",
                    "x-object-sysmeta-", "x-object-transient-sysmeta-")
#: Headers of the backend protocol between the proxy, the storage servers
#: and the daemons. A client that could send them could make an object
#: server report to a host of its choosing, or act on a deleted account.
BACKEND_ONLY_HEADERS = frozenset((
    "x-account-override-deleted",
    "x-container-host", "x-container-partition", "x-container-device",
    "x-account-host", "x-account-partition", "x-account-device",
    "x-delete-at-host", "x-delete-at-partition", "x-delete-at-device",
    "x-delete-at-container", "x-put-timestamp", "x-delete-timestamp",
    "x-data-timestamp", "x-ssync-phase", "x-objstore-spill"))
_ENV_PREFIXES = tuple("HTTP_" + p.upper().replace("-", "_") for p in PRIVATE_PREFIXES)
_ENV_BACKEND_ONLY = frozenset("HTTP_" + h.upper().replace("-", "_")
                              for h in BACKEND_ONLY_HEADERS)


def is_private_header(name: str) -> bool:
    """Whether ``name`` is a header only the system may set or see."""
    return name.lower().startswith(PRIVATE_PREFIXES)


class GatekeeperMiddleware:
    """Strip private headers from requests and responses."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.shunt_x_timestamp = config_true_value(
            conf.get("shunt_inbound_x_timestamp", "true"))

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for key in [k for k in env if k.startswith(_ENV_PREFIXES) or k in _ENV_BACKEND_ONLY]:
            del env[key]
        if self.shunt_x_timestamp:
            # set aside: a signed container sync request gets it back
            # (middleware/container_sync.py); nobody else sees it
            env.pop(INBOUND_X_TIMESTAMP_ENV, None)
            shunted = env.pop("HTTP_X_TIMESTAMP", None)
            if shunted is not None:
                env[INBOUND_X_TIMESTAMP_ENV] = shunted

        method = env.get("REQUEST_METHOD")
        target = split_swift_path(env) if method in ("GET", "HEAD") else None
        object_read = target is not None and target[2] is not None
        query = env.get("QUERY_STRING", "")

        def filtered_start_response(status: str, headers: List[Tuple[str, str]],
                                    exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not is_private_header(k)]
            if object_read:
                kept = object_answer_order(kept, str(method), int(status[:3]), query)
            return start_response(status, kept, exc_info)
        return self.app(env, filtered_start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: GatekeeperMiddleware(app, conf)
