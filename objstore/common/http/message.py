"""Reading an HTTP message's header block, without the ``email`` package.

``http.client.parse_headers`` (used by ``http.client`` for answers and by
``http.server``, hence eventlet's WSGI server, for requests) reads the
header lines and hands them to ``email.parser``, which builds a whole MIME
parser for a dozen ``Name: value`` lines (docs/performance.md, session
8). Every backend request pays it twice: the server reads the request,
the proxy the answer.

``parse_headers`` here gives the same ``HTTPMessage`` for a plain header
block (each line ``name:value``, a name of the characters ``email`` allows)
straight from the lines, and hands any other block (a bare CR inside a
line, a folded line, a line that is not a header) to the stdlib parser,
so its answer is the stdlib's in every case. ``install()`` makes it the one ``http.client`` and ``http.server``
call, in servers (``common/wsgi``).
"""

from __future__ import annotations

import http.client
import re
from typing import Any, List, Optional, Tuple

#: a header line as ``email``'s parser reads it: a name of the characters
#: it allows, ``:``, the value without its leading blanks (kept after it),
#: from the start of a line to its end (``email`` ends lines at a bare CR
#: too: such a line matches nothing)
_HEADER_LINE = re.compile(r"^([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*)\r?\n", re.M)


def read_header_lines(fp: Any) -> List[bytes]:
    """The header lines up to and with the empty line that ends them (or
    end of input), bounded as ``http.client`` bounds them."""
    lines: List[bytes] = []
    max_line = http.client._MAXLINE  # type: ignore[attr-defined]
    max_headers = http.client._MAXHEADERS  # type: ignore[attr-defined]
    while True:
        line = fp.readline(max_line + 1)
        if len(line) > max_line:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > max_headers:
            raise http.client.HTTPException("got more than %d headers" % max_headers)
        if line in (b"\r\n", b"\n", b""):
            return lines


def _plain_headers(lines: List[bytes]) -> Optional[List[Tuple[str, str]]]:
    """The ``(name, value)`` pairs ``email`` would give, or ``None`` for a
    block it would read some other way."""
    # the last line is the empty one (or end of input)
    return plain_header_pairs(b"".join(lines), len(lines) - 1)


def plain_header_pairs(block: bytes, lines: int) -> Optional[List[Tuple[str, str]]]:
    """The ``(name, value)`` pairs of a header block of ``lines`` lines (the
    empty line that ends it left out) as ``email`` would give them, or
    ``None`` for a block it would read some other way."""
    headers = _HEADER_LINE.findall(block.decode("iso-8859-1"))
    # One match per line: a line that is not a header, holds a bare CR or
    # is cut off has none.
    return headers if len(headers) == lines else None


def parse_headers(fp: Any, _class: Any = http.client.HTTPMessage) -> Any:
    """``http.client.parse_headers``, the same message, faster."""
    lines = read_header_lines(fp)
    headers = _plain_headers(lines)
    if headers is None:
        import email.parser

        text = b"".join(lines).decode("iso-8859-1")
        return _recover_header_lines(email.parser.Parser(_class=_class).parsestr(text))
    msg = _class()
    msg._headers = headers
    msg._payload = ""
    return msg


def _recover_header_lines(msg: Any) -> Any:
    """``email`` stops reading headers at the first line it cannot take for
    one (``X-Foo : bar``, a space before the colon) and keeps the rest of
    the block as a body: every header after it (``Content-Length``,
    ``Connection``, a token) would be lost, and a request's body then read
    as the next request. The lines of that "body" that have a colon (up
    to the first that has none or starts with a blank) are headers again,
    as Swift 2.38.3 reads them (its proxy re-reads them the same way)."""
    payload = msg.get_payload()
    if not isinstance(payload, str) or not payload:
        return msg
    for line in payload.rstrip("\r\n").split("\n"):
        if ":" not in line or line[:1] in " \t":
            break
        name, value = line.split(":", 1)
        msg[name] = value.strip(" \t\r\n")
    msg.set_payload("")
    return msg


def install(max_headers: int = 256) -> None:
    """Make ``parse_headers`` the one ``http.client`` (answers) and
    ``http.server`` (requests) use in this process, reading up to
    ``max_headers`` header lines per message: every process that reads
    backend answers (servers, daemons, the internal client) calls it, or a
    header with a UTF-8 name (``X-Object-Meta-Färg``) would end ``email``'s
    header block and lose every header after it, ``X-Timestamp`` among
    them; and 90 metadata items plus the usual headers exceed
    ``http.client``'s default of 100."""
    http.client.parse_headers = parse_headers  # type: ignore[assignment]
    http.client._MAXHEADERS = max(http.client._MAXHEADERS,  # type: ignore[attr-defined]
                                  max_headers)
