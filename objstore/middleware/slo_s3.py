"""An object an S3 multipart upload completed, read through the Swift API.

s3api stores such an object as a manifest of its own (``MANIFEST_SYSMETA``,
a JSON list of the parts; ``objstore/common/s3_layout.py``) and resolves it
for S3 requests itself. A Swift API client (``swift download``, a temp URL,
staticweb) gets what Swift 2.38.3 gives for it, since Swift stores it as a
static large object: the parts' bytes, the SLO ETag (the MD5 of the parts'
ETags, quoted), the whole Content-Length and the Content-Type without
s3api's parameters (as for any object s3api wrote: a storage class it
keeps in the Content-Type). s3api's own subrequests (``swift.source`` ``S3``) and
``?multipart-manifest=get`` still see the manifest as stored.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Mapping, MutableMapping

from objstore.common import s3_layout
from objstore.middleware import slo_manifest as sm

#: what s3api's subrequests carry in ``swift.source``
S3_SOURCE = "S3"


def applies(env: Dict[str, Any], headers: Mapping[str, str]) -> bool:
    """Whether this answer is an S3 multipart manifest a Swift API client
    asked for (and so must get as the whole object)."""
    return env.get("swift.source") != S3_SOURCE and \
        bool(headers.get(s3_layout.MANIFEST_SYSMETA))


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


def clean_content_type(env: Dict[str, Any], headers: MutableMapping[str, str]) -> None:
    """Take the storage class an S3 write kept in an object's Content-Type
    (``s3_sc``) out of it for a Swift API client; any other parameter, even
    one s3api also uses (``swift_bytes``), is the writer's and stays."""
    stored = headers.get("Content-Type")
    if stored and s3_layout.STORAGE_CLASS_PARAM in stored and \
            env.get("swift.source") != S3_SOURCE:
        shown = s3_layout.without_params(stored, (s3_layout.STORAGE_CLASS_PARAM,))
        if shown != stored:
            headers["Content-Type"] = shown
