"""A streaming ``multipart/form-data`` reader (RFC 7578) in bounded memory.

Browsers upload files in HTML forms as ``multipart/form-data``: parts
separated by ``--<boundary>`` lines, each with its own headers. A file can
be gigabytes, so the body is never held: :class:`FormDataReader` yields the
parts in order, and a part's bytes are read with ``part.read(n)`` straight
from the client's stream. At most one chunk plus a boundary's length is
buffered. A part must be read (or skipped) before the next one is asked
for; ``parts()`` skips what the caller left unread.
"""

from __future__ import annotations

from typing import Dict, Iterator, Optional, Protocol

DEFAULT_CHUNK = 65536
MAX_HEADER_BYTES = 8192


class FormDataError(ValueError):
    """The body is not well-formed ``multipart/form-data``."""


class FormDataStartError(FormDataError):
    """A body that must start with its first part does not (something else
    first, another boundary, nothing, or the closing boundary at once)."""


class _Readable(Protocol):
    def read(self, size: int = -1) -> bytes: ...


def boundary_of(content_type: str) -> Optional[str]:
    """The ``boundary`` parameter of a ``multipart/form-data`` type, else
    ``None`` (another type, or no boundary)."""
    kind, _sep, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        name, _eq, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return value or None
    return None


def _params(value: str) -> Dict[str, str]:
    """``form-data; name="a"; filename="b"`` -> ``{"name": "a", "filename": "b"}``."""
    out: Dict[str, str] = {}
    for piece in value.split(";")[1:]:
        key, eq, val = piece.strip().partition("=")
        if not eq:
            continue
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"')
        out[key.strip().lower()] = val
    return out


class Part:
    """One part: its headers, field name, file name (``None`` for a plain
    field) and a ``read`` that stops at the part's end."""

    def __init__(self, reader: "FormDataReader", headers: Dict[str, str]) -> None:
        self._reader = reader
        self.headers = headers
        disposition = _params(headers.get("content-disposition", ""))
        self.name = disposition.get("name", "")
        self.filename = disposition.get("filename")
        self.content_type = headers.get("content-type", "")
        self.done = False

    def read(self, size: int = DEFAULT_CHUNK) -> bytes:
        """Up to ``size`` bytes of this part; ``b""`` at its end."""
        if self.done:
            return b""
        data, ended = self._reader._read_part(size)
        if ended:
            self.done = True
        return data

    def read_all(self, limit: int) -> bytes:
        """The whole part (a form field), cut at ``limit`` bytes; the rest is
        read and dropped so the next part can be reached."""
        kept = b""
        while True:
            data = self.read()
            if not data:
                return kept
            if len(kept) < limit:
                kept += data[:limit - len(kept)]


class FormDataReader:
    """The parts of one ``multipart/form-data`` body, read from ``stream``."""

    def __init__(self, stream: _Readable, boundary: str, chunk_size: int = DEFAULT_CHUNK,
                 require_start: bool = False) -> None:
        """``require_start``: the body must begin with its first part (blank
        lines aside), with no preamble, as Swift's FormPost requires
        (RFC 2046 allows a preamble; browsers never send one)."""
        self._stream = stream
        self._require_start = require_start
        self._delim = b"\r\n--" + boundary.encode("latin-1")
        self._chunk = max(chunk_size, len(self._delim) + 4)
        # A leading CRLF lets the first boundary match the same delimiter.
        self._buf = b"\r\n"
        self._eof = False
        self._finished = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._stream.read(self._chunk)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    def _read_part(self, size: int) -> "tuple[bytes, bool]":
        """Bytes of the current part up to the next delimiter."""
        while True:
            index = self._buf.find(self._delim)
            if index >= 0:
                if index > 0:
                    take = min(size, index)
                    data, self._buf = self._buf[:take], self._buf[take:]
                    return data, False
                self._buf = self._buf[len(self._delim):]
                return b"", True
            # Keep a tail that may be the start of a delimiter.
            safe = len(self._buf) - len(self._delim) + 1
            if safe > 0:
                take = min(size, safe)
                data, self._buf = self._buf[:take], self._buf[take:]
                return data, False
            if not self._fill():
                raise FormDataError("the body ended inside a part (no closing boundary)")

    def _skip_to_first(self) -> None:
        while True:
            try:
                data, ended = self._read_part(self._chunk)
            except FormDataError:
                if self._require_start:
                    raise FormDataStartError("no boundary found in the body") from None
                raise
            if ended:
                break
            if self._require_start and data.strip():
                raise FormDataStartError("the body does not start with its boundary")
            if not data and self._eof:
                raise FormDataError("no boundary found in the body")
        if self._require_start:
            while len(self._buf) < 2 and self._fill():
                pass
            if self._buf.startswith(b"--"):
                raise FormDataStartError("the body has no part")

    def _after_delimiter(self) -> bool:
        """After a delimiter: ``True`` if a part follows, ``False`` at ``--``."""
        while len(self._buf) < 2 and self._fill():
            pass
        if self._buf.startswith(b"--"):
            self._finished = True
            return False
        while True:
            end = self._buf.find(b"\r\n")
            if end >= 0:
                if self._buf[:end].strip(b" \t"):
                    raise FormDataError("garbage after a boundary")
                self._buf = self._buf[end + 2:]
                return True
            if len(self._buf) > MAX_HEADER_BYTES or not self._fill():
                raise FormDataError("a boundary line does not end")

    def _headers(self) -> Dict[str, str]:
        while True:
            if self._buf.startswith(b"\r\n"):
                self._buf = self._buf[2:]
                return {}
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(self._buf) > MAX_HEADER_BYTES:
                raise FormDataError("part headers longer than %d bytes" % MAX_HEADER_BYTES)
            if not self._fill():
                raise FormDataError("the body ended inside part headers")
        block, self._buf = self._buf[:end], self._buf[end + 4:]
        headers: Dict[str, str] = {}
        for line in block.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        return headers

    def parts(self) -> Iterator[Part]:
        """Each part in order; an unread rest of a part is skipped."""
        self._skip_to_first()
        while self._after_delimiter():
            part = Part(self, self._headers())
            yield part
            while part.read():
                pass
