"""Every conformance case, by area (one module per area of the Swift API)."""
from __future__ import annotations

from typing import Dict, List

from ..case import Case
from . import (accounts, acls, answer_order, auth, conditional, containers, copy, dlo, info,
               listings, middlewares, names, object_versioning, objects, ranges, s3_objects, slo,
               static_links, staticweb, versioned_links, versioning)

ALL: List[Case] = []
#: case id -> its section of docs/swift-differences.md
AREA_OF: Dict[str, str] = {}
for _module in (auth, info, accounts, containers, objects, names, conditional, ranges,
                listings, copy, slo, dlo, versioning, object_versioning, versioned_links, acls,
                middlewares, static_links, staticweb, s3_objects, answer_order):
    ALL.extend(_module.CASES)
    AREA_OF.update((c.id, _module.AREA) for c in _module.CASES)

_ids = [c.id for c in ALL]
_dupes = sorted({i for i in _ids if _ids.count(i) > 1})
if _dupes:
    raise ValueError("conformance case ids must be unique: %s" % _dupes)
