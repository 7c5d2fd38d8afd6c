"""Requests signed by botocore (the real client's signer is the oracle) as WSGI environs."""

from __future__ import annotations

import datetime
import email.utils
import io
from typing import Dict, Optional
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import HmacV1Auth, HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "test:tester"
SECRET = "testing"


def signed_request(method: str, url: str, headers: Optional[Dict[str, str]] = None,
                   body: bytes = b"", auth: str = "v4", secret: str = SECRET,
                   access_key: str = ACCESS_KEY, when: Optional[datetime.datetime] = None,
                   expires: int = 3600, payload: Optional[str] = None) -> AWSRequest:
    """A botocore request signed with SigV4/V2 (header or query) at time ``when``."""
    creds = Credentials(access_key, secret)
    req = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
    if payload == "UNSIGNED-PAYLOAD":
        req.context["has_streaming_input"] = True
    when = when or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    signer = {"v4": lambda: S3SigV4Auth(creds, "s3", "us-east-1"),
              "v4-query": lambda: S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=expires),
              "v2": lambda: HmacV1Auth(creds),
              "v2-query": lambda: HmacV1QueryAuth(creds, expires=expires)}[auth]()
    with mock.patch("botocore.auth.get_current_datetime", return_value=when), \
            mock.patch("botocore.auth.formatdate",
                       return_value=email.utils.format_datetime(
                           when.replace(tzinfo=datetime.timezone.utc), usegmt=True)), \
            mock.patch("botocore.auth.datetime") as dt, mock.patch("botocore.auth.time") as tm:
        dt.datetime.utcnow.return_value = when
        dt.datetime.now.return_value = when
        tm.time.return_value = when.replace(tzinfo=datetime.timezone.utc).timestamp()
        tm.gmtime.side_effect = lambda *a: datetime.datetime.utctimetuple(when) if not a \
            else __import__("time").gmtime(*a)
        tm.strftime.side_effect = __import__("time").strftime
        signer.add_auth(req)
    return req


def environ_of(req: AWSRequest, body: Optional[bytes] = None) -> Dict[str, object]:
    """The WSGI environ a server would build for ``req``."""
    from urllib.parse import unquote
    parts = urlsplit(req.url)
    data = req.body if body is None else body
    if data is None:
        data = b""
    if isinstance(data, str):
        data = data.encode()
    if hasattr(data, "read"):
        data = data.read()
    env: Dict[str, object] = {
        "REQUEST_METHOD": req.method,
        "PATH_INFO": unquote(parts.path),
        "RAW_PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname,
        "SERVER_PORT": str(parts.port or 80),
        "HTTP_HOST": parts.netloc,
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": parts.scheme,
        "CONTENT_LENGTH": str(len(data)),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    for name, value in req.headers.items():
        if isinstance(value, bytes):
            value = value.decode()
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            env["CONTENT_TYPE"] = value
        elif key == "CONTENT_LENGTH":
            env["CONTENT_LENGTH"] = value
        else:
            env["HTTP_" + key] = value
    return env
