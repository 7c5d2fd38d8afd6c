"""What account_quotas and container_quotas share: reading a quota value,
the size an upload adds, and the 413 an over-quota upload gets.

Quotas are judged against the account/container stats the proxy already
caches (``objstore.common.info``), which trail the truth: a container's
bytes are updated when its object servers report a PUT, an account's when
the container updater runs, and either is cached by the proxy for
``recheck_*_existence`` seconds. So a quota is a ceiling a client reaches
soon after crossing it, not an exact one; docs/quotas.md says by how much.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Mapping, Optional

from webob import Request, Response

from objstore.common.http.errors import swift_error

# Set by a middleware below the client (s3api's CompleteMultipartUpload) to
# the size the listing will show for the object: that is what it costs.
SIZE_OVERRIDE_ENV = "HTTP_X_OBJECT_SYSMETA_CONTAINER_UPDATE_OVERRIDE_SIZE"
OVER_QUOTA = "Upload exceeds quota."
OVER_POLICY_QUOTA = "Upload exceeds policy quota."
StartResponse = Callable[..., Any]


def parse_quota(value: Optional[str]) -> Optional[int]:
    """A quota header's value: ``None`` when unset or empty (no quota),
    else a non-negative integer; ``ValueError`` for anything else
    (``-1``, ``1.5``, ``ten``)."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError("quota must be a non-negative integer, not %r" % value)
    return int(text)


def stored_quota(values: Mapping[str, str], key: str) -> Optional[int]:
    """A quota already stored in metadata; one that is not a valid number
    (set before the middleware was there) counts as no quota."""
    try:
        return parse_quota(values.get(key))
    except ValueError:
        return None


def upload_size(env: Mapping[str, Any]) -> int:
    """The bytes an object PUT adds: its Content-Length (0 when chunked,
    which is why a chunked upload can pass a nearly full quota), or the
    size a manifest's listing will show when a middleware said so."""
    for key in (SIZE_OVERRIDE_ENV, "CONTENT_LENGTH"):
        try:
            return max(0, int(env[key]))
        except (KeyError, TypeError, ValueError):
            continue
    return 0


def refuse(env: Dict[str, Any], start_response: StartResponse, text: str) -> Iterable[bytes]:
    """413 ``text`` -- unless the client may not write here at all, in
    which case it gets the auth middleware's 401/403 and learns nothing
    about the quota (as Swift does)."""
    authorize = env.get("swift.authorize")
    if authorize is not None and not env.get("swift.authorize_override"):
        denied: Optional[Response] = authorize(Request(env))
        if denied is not None:
            return denied(env, start_response)
    return swift_error(413, text)(env, start_response)


def bad_request(env: Dict[str, Any], start_response: StartResponse,
                text: Optional[str] = None) -> Iterable[bytes]:
    """400 with Swift's text (or its default page)."""
    return swift_error(400, text)(env, start_response)
