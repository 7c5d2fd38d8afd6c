"""Raw SigV4-signed HTTP requests for S3 functional tests that must see the
exact wire form (XML elements boto3 would decode, headers it drops)."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Dict, Optional
from urllib.parse import quote, urlencode, urlsplit
import xml.etree.ElementTree as ET

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


def s3_raw(method: str, path: str, query: Optional[Dict[str, str]] = None,
           headers: Optional[Dict[str, str]] = None, body: bytes = b"",
           access_key: str = "test:tester", secret: str = "testing") -> Raw:
    """Send one signed request to ``path`` (``/bucket/key``, unquoted) and read it all."""
    qs = urlencode(sorted((query or {}).items()), quote_via=quote)
    url = "%s%s%s" % (PROXY, quote(path), "?" + qs if qs else "")
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
