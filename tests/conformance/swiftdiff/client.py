"""Raw HTTP to a Swift-API proxy, one request per connection.

http.client refuses to send what some clients do send (raw UTF-8 bytes or
control characters in the request line), so requests are written to the
socket byte for byte and only the response is parsed by http.client.
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

http.client._MAXHEADERS = 1000  # responses may carry 90 metadata headers and more

#: tempauth users of both clusters: key -> (user, password)
USERS: Dict[str, Tuple[str, str]] = {
    "admin": ("test:tester", "testing"),
    "nonadmin": ("test:tester3", "testing3"),
    "other": ("test2:tester2", "testing2"),
    "service": ("test5:tester5", "testing5"),
    "reseller": ("admin:admin", "admin"),
}

HeaderValue = Union[str, bytes, None]


def _all_headers(resp: http.client.HTTPResponse) -> List[Tuple[str, str]]:
    """Every header of an answer. ``email`` (under ``http.client``) stops
    at a name that is not ASCII (a UTF-8 metadata name) and keeps the lines
    after it as a "payload"; they are headers, read here as such."""
    headers = list(resp.getheaders())
    payload = resp.msg.get_payload()
    if isinstance(payload, str):
        for line in payload.split("\n"):  # not splitlines(): 0x85 ends no line
            name, sep, value = line.rstrip("\r").partition(":")
            if sep and name and name[:1] not in " \t":
                headers.append((name, value.strip(" \t")))
    return headers


@dataclass
class Response:
    status: int
    reason: str
    headers: List[Tuple[str, str]]
    body: bytes

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


@dataclass
class Target:
    """One cluster: where its proxy listens and how its policies are named."""

    name: str
    url: str
    #: value to send as X-Storage-Policy for an erasure-coded container, or
    #: None when the cluster has no EC policy (the header is then left out)
    ec_policy: Optional[str] = None
    #: the default policy's name and every policy name and alias (from /info)
    default_policy: str = ""
    policy_names: List[str] = field(default_factory=list)
    _tokens: Dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80

    @property
    def netloc(self) -> str:
        return "%s:%d" % (self.host, self.port)

    def send(self, method: str, path: Union[str, bytes],
             headers: Sequence[Tuple[str, HeaderValue]] = (), body: Optional[bytes] = None,
             timeout: float = 60.0) -> Response:
        """Send one request exactly as given (``path`` unquoted bytes stay raw)."""
        raw_path = path if isinstance(path, bytes) else path.encode("utf-8")
        names = {k.lower() for k, _ in headers}
        lines = [method.encode("ascii") + b" " + raw_path + b" HTTP/1.1"]
        if "host" not in names:
            lines.append(b"Host: " + self.netloc.encode("ascii"))
        for k, v in headers:
            if v is None:  # named only to suppress a default header
                continue
            lines.append(k.encode("latin-1") + b": " +
                         (v if isinstance(v, bytes) else v.encode("utf-8")))
        if body is not None and "content-length" not in names and \
                "transfer-encoding" not in names:
            lines.append(b"Content-Length: %d" % len(body))
        elif body is None and method in ("PUT", "POST") and "content-length" not in names \
                and "transfer-encoding" not in names:
            lines.append(b"Content-Length: 0")
        lines.append(b"Connection: close")
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        try:
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + (body or b""))
            resp = http.client.HTTPResponse(sock, method=method)
            resp.begin()
            data = resp.read()
            return Response(resp.status, resp.reason, _all_headers(resp), data)
        finally:
            sock.close()

    def token(self, user: str) -> str:
        """A tempauth token for one of ``USERS``, fetched once."""
        if user not in self._tokens:
            name, key = USERS[user]
            resp = self.send("GET", "/auth/v1.0", [("X-Auth-User", name), ("X-Auth-Key", key)])
            if resp.status != 200 or not resp.header("X-Auth-Token"):
                raise RuntimeError("%s: auth as %s failed: %s %r"
                                   % (self.name, name, resp.status, resp.body[:200]))
            self._tokens[user] = resp.header("X-Auth-Token") or ""
        return self._tokens[user]

    def discover_policies(self, ec_name: str) -> None:
        """Read the policies from /info; ``ec_name`` is used if the cluster has it."""
        resp = self.send("GET", "/info")
        if resp.status != 200:
            raise RuntimeError("%s: GET /info answered %s" % (self.name, resp.status))
        names: List[str] = []
        for pol in json.loads(resp.body).get("swift", {}).get("policies", []):
            names.append(pol["name"])
            names.extend(a.strip() for a in pol.get("aliases", "").split(",") if a.strip())
            if pol.get("default"):
                self.default_policy = pol["name"]
        self.policy_names = sorted(set(names))
        self.ec_policy = ec_name if ec_name in names else None

    def healthy(self) -> bool:
        try:
            return self.send("GET", "/healthcheck", timeout=3).status == 200
        except OSError:
            return False
