"""How s3api lays a bucket out in Swift, named once for s3api and for the
daemons that walk buckets (the tierer's lifecycle pass), which may not
import middleware (ARCHITECTURE.md).

* A multipart upload lives in ``<bucket>+segments``: its marker object
  ``<key>/<upload id>``, its parts ``<key>/<upload id>/<part number>``.
  An upload id is 32 hex digits, the first 16 the initiation time in
  nanoseconds.
* A completed multipart object is a manifest marked with
  ``MANIFEST_SYSMETA``; its JSON body lists its parts. Since session 12 it
  is a static large object as Swift's s3api writes it (``X-Static-Large-
  Object``, the ``slo`` middleware's stored form: ``name``, ``hash``,
  ``bytes``, ``content_type``, ``last_modified``); an object completed
  before is s3api's own list of ``path``, ``etag``, ``size_bytes`` (and
  maybe ``checksum``), still read (``manifest_parts`` reads both).
  ``swift.source`` ``S3`` subrequests get either form as stored: s3api
  reads the parts itself (S3 ranges, part numbers, SSE-C keys).
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


#: a part's checksum in its Content-Type (``s3_checksum=<ALG>:<value>``)
PART_CHECKSUM_PARAM = "s3_checksum"


def manifest_parts(body: bytes) -> List[Dict[str, Any]]:
    """The parts a completed upload's manifest lists, in order, each a dict
    with ``path`` (``<container>/<object>``), ``etag``, ``size_bytes`` and
    maybe ``checksum`` (in the SLO form from the part's content type, in
    the upload's algorithm), in either form (see above); ValueError if the
    body is no such list."""
    try:
        items = json.loads(body.decode("utf-8"))
        parts = [_slo_part(item) if "name" in item else
                 dict(item, path=str(item["path"]), etag=str(item["etag"]),
                      size_bytes=int(item["size_bytes"])) for item in items]
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as err:
        raise ValueError("damaged manifest: %s" % err) from None
    return parts


def _slo_part(item: Dict[str, Any]) -> Dict[str, Any]:
    part = {"path": str(item["name"]).lstrip("/"), "etag": str(item["hash"]),
            "size_bytes": int(item["bytes"])}
    checksum = param_of(str(item.get("content_type", "")), PART_CHECKSUM_PARAM)
    if checksum:
        part["checksum"] = checksum.partition(":")[2]
    return part


def param_of(content_type: str, name: str) -> str:
    """The value of parameter ``name`` in ``content_type`` (``""`` if none)."""
    if name not in content_type:
        return ""
    for part in content_type.split(";")[1:]:
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return ""


def parts_owned_by(key: str, paths: List[str], bucket: str) -> List[str]:
    """Of a manifest's part ``paths`` (``<container>/<object>``), those an
    upload of ``bucket/key`` made: in ``<bucket>+segments`` under
    ``<key>/<upload id>/``. A manifest copied to another key (a Swift API
    copy with ``?multipart-manifest=get``) names the parts of the upload
    that made the source; deleting or replacing the copy must not take
    them (the source still needs them)."""
    prefix = "%s%s/%s/" % (bucket, SEGMENTS_SUFFIX, key)
    owned = []
    for path in paths:
        rest = path[len(prefix):] if path.startswith(prefix) else ""
        upload, _sep, number = rest.partition("/")
        if UPLOAD_ID_RE.match(upload) and number.isdigit():
            owned.append(path)
    return owned


def without_params(content_type: str, names: tuple = CONTENT_TYPE_PARAMS) -> str:
    """``content_type`` without the parameters s3api keeps in it (``names``)."""
    if ";" not in content_type:
        return content_type
    kept = [part for part in content_type.split(";")
            if part.split("=", 1)[0].strip() not in names]
    return ";".join(kept)
