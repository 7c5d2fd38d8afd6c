"""What ``GET /info`` reports: each part of the proxy registers its section.

Middlewares call ``register_info`` when they are built, so ``/info`` lists
exactly the features in the running pipeline. Sections whose names start
with ``admin:`` are hidden unless the request is signed with the admin key.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional

_INFO: Dict[str, Dict[str, Any]] = {}
_ADMIN_INFO: Dict[str, Dict[str, Any]] = {}


def register_info(name: str = "swift", admin: bool = False, **kwargs: Any) -> None:
    """Add (or extend) the ``/info`` section ``name`` with ``kwargs``."""
    target = _ADMIN_INFO if admin else _INFO
    target.setdefault(name, {}).update(kwargs)


def get_info(admin: bool = False, disallowed: Optional[list] = None) -> Dict[str, Any]:
    """A copy of the registered info; ``admin`` adds the hidden sections."""
    info = copy.deepcopy(_INFO)
    for name in disallowed or []:
        info.pop(name, None)
    if admin:
        info["admin"] = copy.deepcopy(_ADMIN_INFO)
    return info


def reset_info() -> None:
    """Forget everything (tests, and a proxy rebuilding its pipeline)."""
    _INFO.clear()
    _ADMIN_INFO.clear()
