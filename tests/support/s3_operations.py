"""Every operation of the S3 API (botocore's service model, the source of
the AWS API reference's "Amazon S3" section) as one raw signed request, and
the ``docs/s3.md`` operations table it is checked against."""

import os
import re
from typing import Dict, List, Tuple
from urllib.parse import parse_qsl

import botocore.loaders

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(REPO, "docs", "s3.md")
HEADING = "## S3 operations"
_ROW = re.compile(r"^\| (\w+) \| `([A-Z]+) ([^`]*)` \| ([^|]+) \|$", re.M)
# Dummy values for the members an operation requires (by shape type).
_DUMMY = {"integer": "1", "long": "1", "boolean": "false", "timestamp":
          "Wed, 01 Jan 2020 00:00:00 GMT"}
_HEADER_DUMMY = {"x-amz-copy-source": "{bucket}/no-such-key",
                 "x-amz-rename-source": "/{bucket}/no-such-key"}


def model() -> Dict:
    return botocore.loaders.Loader().load_service_model("s3", "service-2")


def operations() -> Dict[str, Dict]:
    return model()["operations"]


def request_of(name: str, bucket: str, key: str) -> Tuple[str, str, Dict[str, str],
                                                           Dict[str, str]]:
    """``(method, path, query, headers)`` of operation ``name`` on ``bucket``/``key``
    with every required member given a harmless value."""
    spec = model()
    op = spec["operations"][name]
    uri = op["http"]["requestUri"]
    path, _, query_text = uri.partition("?")
    path = path.replace("{Bucket}", bucket).replace("{Key+}", key)
    query = dict(parse_qsl(query_text, keep_blank_values=True))
    headers: Dict[str, str] = {}
    shape = spec["shapes"].get(op.get("input", {}).get("shape", ""), {})
    for member_name in shape.get("required", []):
        member = shape["members"][member_name]
        location, wire = member.get("location"), member.get("locationName", member_name)
        kind = spec["shapes"][member["shape"]]["type"]
        value = _DUMMY.get(kind, "x")
        if wire == "uploadId":
            value = "0" * 32
        if location == "querystring":
            query[wire] = value
        elif location == "header":
            headers[wire] = _HEADER_DUMMY.get(wire.lower(), value).format(bucket=bucket)
    return op["http"]["method"], path, query, headers


def table() -> List[Tuple[str, str, str, str]]:
    """``(operation, method, request URI, answer)`` rows of the docs table."""
    with open(DOC, encoding="utf-8") as fp:
        text = fp.read()
    start = text.index(HEADING)
    end = text.find("\n## ", start + 1)
    return [(m.group(1), m.group(2), m.group(3), m.group(4).strip())
            for m in _ROW.finditer(text[start:end if end != -1 else len(text)])]
