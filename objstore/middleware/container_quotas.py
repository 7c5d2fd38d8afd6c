"""container_quotas: a container's owner caps what it may hold.

``X-Container-Meta-Quota-Bytes`` caps the bytes, ``X-Container-Meta-Quota-Count``
the number of objects; both are ordinary container metadata the owner sets
with a PUT or POST (an empty value, or ``X-Remove-...``, lifts the cap).
A value that is not a non-negative integer is refused with 400 ``Invalid
bytes quota.`` / ``Invalid count quota.``.

An object PUT that would take the container past either cap answers 413
``Upload exceeds quota.``: the bytes test adds the request's
Content-Length to the container's bytes used, the count test adds one
object (an overwrite counts too, as in Swift). The middleware sits after
``copy`` in the pipeline, so a COPY or ``X-Copy-From`` is judged by the PUT
it turns into (the source's length), and after ``bulk``, so every member
of an extracted archive is judged on its own. An SLO manifest PUT is
judged by the manifest's own length, as Swift does; an S3 multipart
completion by the object's total size (see ``quota.upload_size``).

The bytes of a container with ``X-Versions-Enabled`` (now or once) count
its kept versions too, as in Swift, where every version's data lives in
the versions container and the container shows their sum: a quota caps
what a versioned container holds, not just its current versions.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from objstore.common import registry
from objstore.common.info import get_container_info
from objstore.common.http.paths import split_swift_path
from objstore.common.versions import stored_location
from objstore.middleware.quota import (OVER_QUOTA, StartResponse, bad_request, parse_quota,
                                       refuse, stored_quota, upload_size)

BYTES_ENV = "HTTP_X_CONTAINER_META_QUOTA_BYTES"
COUNT_ENV = "HTTP_X_CONTAINER_META_QUOTA_COUNT"


class ContainerQuotaMiddleware:
    """Validate container quota metadata; refuse uploads past it."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        registry.register_info("container_quotas")

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        target = split_swift_path(env) if method in ("PUT", "POST") else None
        if target is None or target[1] is None:
            return self.app(env, start_response)
        account, container, obj = target
        if obj is None:
            for key, what in ((BYTES_ENV, "bytes"), (COUNT_ENV, "count")):
                try:
                    parse_quota(env.get(key))
                except ValueError:
                    return bad_request(env, start_response, "Invalid %s quota." % what)
            return self.app(env, start_response)
        if method != "PUT":
            return self.app(env, start_response)
        info = get_container_info(env, self.app, account, container)
        if not 200 <= info["status"] < 300:
            return self.app(env, start_response)  # the proxy answers the 404
        meta = info.get("meta") or {}
        quota_bytes = stored_quota(meta, "quota-bytes")
        if quota_bytes is not None and \
                self._bytes_held(env, account, info) + upload_size(env) > quota_bytes:
            return refuse(env, start_response, OVER_QUOTA)
        quota_count = stored_quota(meta, "quota-count")
        if quota_count is not None and info["object_count"] + 1 > quota_count:
            return refuse(env, start_response, OVER_QUOTA)
        return self.app(env, start_response)

    def _bytes_held(self, env: Dict[str, Any], account: str, info: Dict[str, Any]) -> int:
        """The container's bytes plus its kept versions' (object_versioning's
        versions container, named in the container's sysmeta), if any."""
        held = int(info.get("bytes") or 0)
        location = stored_location((info.get("sysmeta") or {}).get("versions-container"))
        if location:
            kept = get_container_info(env, self.app, account, location)
            if 200 <= kept["status"] < 300:
                held += int(kept.get("bytes") or 0)
        return held


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ContainerQuotaMiddleware(app, conf)
