"""The ``/v1/<account>[/<container>[/<object>]]`` path of a proxy request,
as real text: the one way a middleware learns what a request names."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.utils import split_path

Target = Tuple[str, Optional[str], Optional[str]]

#: the environ's ``PATH_INFO`` last split here, and what it gave
_PARSED_KEY = "objstore.swift_path"


def split_swift_path(env: Mapping[str, Any]) -> Optional[Target]:
    """``(account, container, obj)`` of a ``/v1/...`` request (container
    and obj ``None`` when absent or empty), or ``None`` for any other path:
    another version, no account, or a name that is not UTF-8 (the proxy
    answers those itself)."""
    raw = env.get("PATH_INFO", "")
    known = env.get(_PARSED_KEY)
    if known is not None and known[0] == raw:
        return known[1]  # a dozen middlewares ask, for the same path
    target = _split(raw)
    try:
        env[_PARSED_KEY] = (raw, target)  # type: ignore[index]
    except TypeError:  # a read-only mapping: nothing kept
        pass
    return target


def _split(raw: str) -> Optional[Target]:
    try:
        version, account, container, obj = split_path(wsgi_to_str(raw), 2, 4, True)
    except (ValueError, UnicodeDecodeError):
        return None
    if version != "v1":
        return None
    return account, container or None, obj or None
