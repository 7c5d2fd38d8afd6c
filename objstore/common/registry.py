"""What ``GET /info`` reports: each part of the proxy registers its section.

This is the one way a feature appears in ``/info``. A middleware calls
``register_info`` in its constructor, with the section name Swift uses
for it and the settings a client may rely on::

    class BulkMiddleware:
        def __init__(self, app, conf):
            self.max_deletes = int(conf.get("max_deletes_per_request", 10000))
            registry.register_info("bulk_delete", max_deletes_per_request=self.max_deletes)

The pipeline loader (``common.pipeline.load_pipeline``) clears the registry
before it builds the filters, so ``/info`` lists exactly the features of
the running pipeline, with their configured values -- a middleware that is
removed from the pipeline disappears from ``/info`` by itself, and one that
is added needs no other change. ``register_info("swift", key=value)``
extends the core section (e.g. ``strict_cors_mode``); ``admin=True``
registers a section shown only to requests signed with the admin key.
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
