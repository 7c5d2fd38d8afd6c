"""ListObjects (v1, v2) and ListObjectVersions from Swift container listings.

Pure conversion: the request's query becomes Swift listing parameters, and
the Swift JSON listing (one entry more than asked, to know whether it is
truncated) becomes the S3 XML. Completed multipart objects carry their S3
ETag in a ``s3_etag`` content-type parameter and their real size in
``swift_bytes`` (see ``manifest.py``), so listings show what S3 would.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from objstore.middleware.s3api.context import iso8601, parse_swift_time
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import split_content_type, storage_class_param
from objstore.middleware.s3api.xml import Node, render


@dataclass
class ListParams:
    """What the client asked for, validated."""

    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    max_keys: int = 1000
    url_encode: bool = False
    fetch_owner: bool = False
    continuation_token: Optional[str] = None
    start_after: Optional[str] = None  # None: not sent; S3 echoes even an empty one
    v2: bool = False


def parse_params(query: Dict[str, str], limit: int) -> ListParams:
    """Validate ListObjects query parameters (``InvalidArgument`` when wrong)."""
    v2 = query.get("list-type") == "2"
    if "list-type" in query and query["list-type"] not in ("1", "2"):
        raise S3Error("InvalidArgument", "list-type must be 1 or 2.", ArgumentName="list-type")
    max_keys = limit
    if "max-keys" in query:
        try:
            max_keys = int(query["max-keys"])
        except ValueError:
            raise S3Error("InvalidArgument", "max-keys must be an integer.",
                          ArgumentName="max-keys") from None
        if max_keys < 0:
            raise S3Error("InvalidArgument", "max-keys must not be negative.",
                          ArgumentName="max-keys")
        max_keys = min(max_keys, limit)
    encoding = query.get("encoding-type")
    if encoding not in (None, "url"):
        raise S3Error("InvalidArgument", "encoding-type must be url.",
                      ArgumentName="encoding-type")
    params = ListParams(prefix=query.get("prefix", ""), delimiter=query.get("delimiter", ""),
                        max_keys=max_keys, url_encode=encoding == "url", v2=v2,
                        fetch_owner=query.get("fetch-owner", "").lower() == "true")
    if v2:
        params.start_after = query.get("start-after")
        token = query.get("continuation-token")
        if token is not None:
            params.continuation_token = token
            params.marker = decode_token(token)
        else:
            params.marker = params.start_after or ""
    else:
        params.marker = query.get("marker", "")
    return params


def encode_token(name: str) -> str:
    """An opaque continuation token for ``name``."""
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise S3Error("InvalidArgument", "The continuation token is not valid.",
                      ArgumentName="continuation-token") from None


def swift_query(params: ListParams) -> List[Tuple[str, str]]:
    """The Swift listing query: one entry more than ``max_keys`` to see truncation."""
    query = [("format", "json"), ("limit", str(params.max_keys + 1))]
    if params.prefix:
        query.append(("prefix", params.prefix))
    if params.delimiter:
        query.append(("delimiter", params.delimiter))
    if params.marker:
        query.append(("marker", params.marker))
    return query


def entry_facts(entry: Dict[str, Any]) -> Tuple[str, int, str]:
    """``(etag, size, content_type)`` of a Swift listing entry, as S3 shows them."""
    ctype, s3_etag = split_content_type(entry.get("content_type", ""))
    etag = entry.get("s3_etag", "").strip('"') or s3_etag or entry.get("hash", "")
    return '"%s"' % etag, int(entry.get("bytes", 0)), ctype


def _enc(value: str, params: ListParams) -> str:
    return quote(value, safe="/") if params.url_encode else value


def _owner(owner: str) -> Node:
    return ("Owner", [("ID", owner), ("DisplayName", owner)])


def _contents(entry: Dict[str, Any], params: ListParams, owner: Optional[str]
              ) -> List[Optional[Node]]:
    etag, size, _ = entry_facts(entry)
    storage_class = storage_class_param(entry.get("content_type", ""))
    return [("Key", _enc(entry["name"], params)),
            ("LastModified", iso8601(parse_swift_time(entry.get("last_modified", "")))),
            ("ETag", etag), ("Size", size),
            _owner(owner) if owner else None,
            ("StorageClass", storage_class)]


def render_objects(bucket: str, params: ListParams, entries: List[Dict[str, Any]],
                   owner: str) -> bytes:
    """The ``ListBucketResult`` for v1 or v2 (``params.v2``)."""
    truncated = len(entries) > params.max_keys
    entries = entries[:params.max_keys]
    show_owner = owner if (not params.v2 or params.fetch_owner) else None
    children: List[Optional[Node]] = [("Name", bucket),
                                      ("Prefix", _enc(params.prefix, params))]
    if params.v2:
        if params.continuation_token is not None:
            children.append(("ContinuationToken", params.continuation_token))
        if params.start_after is not None:
            children.append(("StartAfter", _enc(params.start_after, params)))
        children.append(("KeyCount", len(entries)))
    else:
        children.append(("Marker", _enc(params.marker, params)))
    last = entries[-1] if entries else None
    last_name = (last.get("subdir") or last.get("name", "")) if last else ""
    if truncated and params.v2:
        children.append(("NextContinuationToken", encode_token(last_name)))
    elif truncated and params.delimiter:
        children.append(("NextMarker", _enc(last_name, params)))
    children.append(("MaxKeys", params.max_keys))
    if params.delimiter:
        children.append(("Delimiter", _enc(params.delimiter, params)))
    if params.url_encode:
        children.append(("EncodingType", "url"))
    children.append(("IsTruncated", truncated))
    for entry in entries:
        if "subdir" in entry:
            children.append(("CommonPrefixes", [("Prefix", _enc(entry["subdir"], params))]))
        else:
            children.append(("Contents", _contents(entry, params, show_owner)))
    return render("ListBucketResult", children)
