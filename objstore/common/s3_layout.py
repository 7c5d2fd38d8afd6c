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

import json
import re
from typing import Any, Dict, List

SEGMENTS_SUFFIX = "+segments"
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
#: an upload's marker in the segments container
UPLOAD_MARKER_RE = re.compile(r"^(?P<key>.+)/(?P<upload>[0-9a-f]{32})$")
MANIFEST_SYSMETA = "x-object-sysmeta-s3api-manifest"
#: parameters s3api keeps in a stored Content-Type, which no answer shows:
#: a completed upload's multipart ETag and whole size (for listings), an
#: object's S3 version id and the storage class it was written with
ETAG_PARAM = "s3_etag"
SIZE_PARAM = "swift_bytes"
VERSION_PARAM = "s3_vid"
STORAGE_CLASS_PARAM = "s3_sc"
CONTENT_TYPE_PARAMS = (ETAG_PARAM, SIZE_PARAM, VERSION_PARAM, STORAGE_CLASS_PARAM)
TAGGING_SYSMETA = "x-object-transient-sysmeta-s3api-tagging"


def upload_initiated(upload_id: str) -> float:
    """The unix time an upload began, read from its id."""
    return int(upload_id[:16], 16) / 1e9


def manifest_parts(body: bytes) -> List[Dict[str, Any]]:
    """The parts a completed upload's manifest lists, in order, each a dict
    with ``path`` (``<container>/<object>``), ``etag``, ``size_bytes`` and
    maybe ``checksum``; ValueError if the body is no such list."""
    try:
        items = json.loads(body.decode("utf-8"))
        parts = [dict(item, path=str(item["path"]), etag=str(item["etag"]),
                      size_bytes=int(item["size_bytes"])) for item in items]
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as err:
        raise ValueError("damaged manifest: %s" % err) from None
    return parts


def without_params(content_type: str, names: tuple = CONTENT_TYPE_PARAMS) -> str:
    """``content_type`` without the parameters s3api keeps in it (``names``)."""
    if ";" not in content_type:
        return content_type
    kept = [part for part in content_type.split(";")
            if part.split("=", 1)[0].strip() not in names]
    return ";".join(kept)
