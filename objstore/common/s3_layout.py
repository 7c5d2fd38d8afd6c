"""How s3api lays a bucket out in Swift, named once for s3api and for the
daemons that walk buckets (the tierer's lifecycle pass), which may not
import middleware (ARCHITECTURE.md).

* A multipart upload lives in ``<bucket>+segments``: its marker object
  ``<key>/<upload id>``, its parts ``<key>/<upload id>/<part number>``.
  An upload id is 32 hex digits, the first 16 the initiation time in
  nanoseconds.
* A completed multipart object is a manifest marked with
  ``MANIFEST_SYSMETA``; its JSON body lists its parts.
* An object's tags are kept in ``TAGGING_SYSMETA`` (a query string).
"""

from __future__ import annotations

import re

SEGMENTS_SUFFIX = "+segments"
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
#: an upload's marker in the segments container
UPLOAD_MARKER_RE = re.compile(r"^(?P<key>.+)/(?P<upload>[0-9a-f]{32})$")
MANIFEST_SYSMETA = "x-object-sysmeta-s3api-manifest"
TAGGING_SYSMETA = "x-object-transient-sysmeta-s3api-tagging"


def upload_initiated(upload_id: str) -> float:
    """The unix time an upload began, read from its id."""
    return int(upload_id[:16], 16) / 1e9
