"""The ``/v1/<account>[/<container>[/<object>]]`` path of a proxy request,
as real text: the one way a middleware learns what a request names."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.utils import split_path

Target = Tuple[str, Optional[str], Optional[str]]


def split_swift_path(env: Mapping[str, Any]) -> Optional[Target]:
    """``(account, container, obj)`` of a ``/v1/...`` request (container
    and obj ``None`` when absent or empty), or ``None`` for any other path:
    another version, no account, or a name that is not UTF-8 (the proxy
    answers those itself)."""
    try:
        version, account, container, obj = split_path(
            wsgi_to_str(env.get("PATH_INFO", "")), 2, 4, True)
    except (ValueError, UnicodeDecodeError):
        return None
    if version != "v1":
        return None
    return account, container or None, obj or None
