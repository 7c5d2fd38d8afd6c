"""Raw SigV4-signed HTTP requests for S3 functional tests that must see the
exact wire form (XML elements boto3 would decode, headers it drops)."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Dict, Optional
from urllib.parse import quote, urlencode, urlsplit
import xml.etree.ElementTree as ET

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.functional.conftest import PROXY
from tests.unit.middleware.s3api.botocore_requests import signed_request

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@dataclass
class Raw:
    status: int
    headers: Dict[str, str]
    body: bytes

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def texts(self, path: str) -> list:
        """Texts of every element matching ``path`` (tags without namespace, ``/``-separated)."""
        xpath = "./" + "/".join(NS + part for part in path.split("/"))
        return [e.text or "" for e in self.xml().findall(xpath)]


def aws_chunked_with_trailer(data: bytes, trailer: str, value: str,
                             chunk: int = 65536) -> bytes:
    """``data`` framed as an unsigned aws-chunked body ending in one trailer."""
    out = b""
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return out + b"0\r\n%s:%s\r\n\r\n" % (trailer.encode(), value.encode())


def s3_raw(method: str, path: str, query: Optional[Dict[str, str]] = None,
           headers: Optional[Dict[str, str]] = None, body: bytes = b"",
           access_key: str = "test:tester", secret: str = "testing",
           trailer: bool = False) -> Raw:
    """Send one signed request to ``path`` (``/bucket/key``, unquoted) and read it all.

    ``trailer``: ``body`` is aws-chunked with an unsigned trailer
    (``STREAMING-UNSIGNED-PAYLOAD-TRAILER``, what SDKs send over TLS).
    """
    qs = urlencode(sorted((query or {}).items()), quote_via=quote)
    url = "%s%s%s" % (PROXY, quote(path), "?" + qs if qs else "")
    if trailer:
        req = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
        req.context["checksum"] = {"request_algorithm": {"in": "trailer"}}
        S3SigV4Auth(Credentials(access_key, secret), "s3", "us-east-1").add_auth(req)
    else:
        req = signed_request(method, url, headers=headers, body=body, access_key=access_key,
                             secret=secret)
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""),
                     body=body, headers=dict(req.headers.items()))
        resp = conn.getresponse()
        data = resp.read()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()
