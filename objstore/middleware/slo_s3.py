"""Objects an S3 multipart upload completed, between s3api and ``slo``.

s3api stores such an object as Swift's s3api does, as a static large
object (``MANIFEST_SYSMETA`` marks it as s3api's; ``objstore/common/
s3_layout.py``): it PUTs the manifest in slo's stored form with
``X-Static-Large-Object`` and ``S3_WRITE_ENV`` in the environ (a client
cannot send that header), and slo adds what it adds to any manifest (the
SLO ETag and size sysmeta, ``swift_bytes`` and ``slo_etag`` in the
Content-Type) plus ``s3_etag``, so container listings show Swift's row.
Swift API clients then get an SLO in every respect; s3api's own
subrequests (``swift.source`` ``S3``) get the manifest as stored, since
s3api reads the parts itself (S3's ranges and part numbers, SSE-C keys).

An object completed before that is s3api's older manifest (no
``X-Static-Large-Object``): ``applies`` tells slo to serve it to a Swift
API client as Swift would serve the SLO (the parts' bytes, the SLO ETag,
the whole Content-Length, the Content-Type without s3api's parameters).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, MutableMapping

from objstore.common import s3_layout
from objstore.common.config import config_true_value
from objstore.middleware import slo_manifest as sm

#: what s3api's subrequests carry in ``swift.source``
S3_SOURCE = "S3"
#: set by s3api on the PUT of a completed upload's manifest
S3_WRITE_ENV = "objstore.slo.s3_manifest"
#: s3api's sysmeta of the multipart ETag (``<md5>-<parts>``), listed as ``s3_etag``
S3_ETAG_SYSMETA = "X-Object-Sysmeta-S3api-Etag"


def _is_slo(headers: Mapping[str, str]) -> bool:
    return config_true_value(headers.get("X-Static-Large-Object", ""))


def applies(env: Dict[str, Any], headers: Mapping[str, str]) -> bool:
    """Whether this answer is an S3 multipart manifest in s3api's older form
    that a Swift API client asked for (and so must get as the whole object)."""
    return env.get("swift.source") != S3_SOURCE and \
        bool(headers.get(s3_layout.MANIFEST_SYSMETA)) and not _is_slo(headers)


def read_as_stored(env: Dict[str, Any], headers: Mapping[str, str]) -> bool:
    """Whether this answer is a completed upload's manifest s3api asked for
    (which it resolves itself, so it gets the manifest as stored)."""
    return env.get("swift.source") == S3_SOURCE and \
        bool(headers.get(s3_layout.MANIFEST_SYSMETA))


def stored_manifest(parts: List[Dict[str, Any]], container: str) -> bytes:
    """The SLO manifest (slo's stored form) of a completed upload's
    ``parts``, rows of the ``container`` listing in order, as slo would
    store it from a manifest PUT naming them: each part's type as its HEAD
    shows it (without the checksum s3api keeps in it: ``shown_type``), and
    its Last-Modified, whole seconds rounded up."""
    return sm.encode_stored([
        sm.Entry("/%s/%s" % (container, row["name"]), row["hash"], int(row["bytes"]),
                 shown_type(sm.strip_swift_bytes(row.get("content_type", ""))),
                 _whole_seconds(row.get("last_modified", ""))) for row in parts])


def _whole_seconds(listed: str) -> str:
    """A listing's ``last_modified`` as a Last-Modified header has it."""
    try:
        when = datetime.strptime(listed, "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        return listed
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


def writes_manifest(env: Dict[str, Any]) -> bool:
    """Whether this PUT is s3api storing a completed upload as an SLO."""
    return env.get("swift.source") == S3_SOURCE and bool(env.get(S3_WRITE_ENV))


def entries(body: bytes) -> List[sm.Entry]:
    """The manifest's parts as SLO entries; ``ManifestError`` if damaged."""
    try:
        return [sm.Entry("/" + part["path"], part["etag"], part["size_bytes"])
                for part in s3_layout.manifest_parts(body)]
    except ValueError:
        raise sm.ManifestError("The stored multipart manifest is damaged.") from None


def slo_etag(parts: List[sm.Entry]) -> str:
    """The ETag Swift shows for it: the MD5 of the parts' ETags."""
    return hashlib.md5("".join(part.hash for part in parts).encode("ascii")).hexdigest()


def content_type(stored: str) -> str:
    return s3_layout.without_params(stored)


#: what s3api keeps in a stored Content-Type that Swift's does not:
#: the storage class an object was written with, a part's checksum
HIDDEN_PARAMS = (s3_layout.STORAGE_CLASS_PARAM, s3_layout.PART_CHECKSUM_PARAM)


def shown_type(stored: str) -> str:
    """``stored`` without ``HIDDEN_PARAMS``, as a Swift API client sees it."""
    if ";" not in stored or not any(name in stored for name in HIDDEN_PARAMS):
        return stored
    return s3_layout.without_params(stored, HIDDEN_PARAMS)


def clean_content_type(env: Dict[str, Any], headers: MutableMapping[str, str]) -> None:
    """Take what an S3 write kept in an object's Content-Type
    (``HIDDEN_PARAMS``) out of it for a Swift API client; any other
    parameter, even one s3api also uses (``swift_bytes``), is the writer's
    and stays."""
    stored = headers.get("Content-Type")
    if stored and env.get("swift.source") != S3_SOURCE:
        shown = shown_type(stored)
        if shown != stored:
            headers["Content-Type"] = shown
