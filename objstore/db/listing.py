"""Container and account listings as pure functions: no SQL, no sockets.

The listing rules (prefix, delimiter, marker, end_marker, limit, reverse,
path) are subtle enough to deserve their own module: the brokers only know
how to fetch a sorted run of names between two bounds, and everything a
client can observe about paging is decided here, where it can be tested
against a simple model. The renderers turn the JSON-shaped items into the
three formats the Swift API documents, so the proxy can re-render a backend
JSON listing without re-implementing any of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union
from xml.sax.saxutils import escape

from webob.acceptparse import create_accept_header

from objstore.common.timestamp import Timestamp

MAX_CODE_POINT = 0x10FFFF
_SURROGATES = (0xD800, 0xDFFF)

JSON_TYPE = "application/json"
XML_TYPES = ("application/xml", "text/xml")
PLAIN_TYPE = "text/plain"
# Order matters: a client that accepts anything (*/*) gets plain text.
_OFFERS = [PLAIN_TYPE, JSON_TYPE, "application/xml", "text/xml"]
_FORMAT_TYPES = {"json": JSON_TYPE, "xml": "application/xml", "plain": PLAIN_TYPE}


@dataclass(frozen=True)
class ObjectEntry:
    """One live object row as a container listing shows it."""
    name: str
    created_at: str
    size: int
    content_type: str
    etag: str


@dataclass(frozen=True)
class ContainerEntry:
    """One live container row as an account listing shows it."""
    name: str
    object_count: int
    bytes_used: int
    put_timestamp: str


@dataclass(frozen=True)
class Subdir:
    """A pseudo-directory: every name sharing this prefix up to the delimiter."""
    name: str


Entry = Union[ObjectEntry, ContainerEntry, Subdir]


@dataclass(frozen=True)
class Bounds:
    """The slice of names a broker must return, in order, at most ``limit``.

    ``None`` means unbounded. Names are compared by code point, which is
    what SQLite's BINARY collation does on UTF-8 text.
    """
    lower: Optional[str] = None
    lower_inclusive: bool = False
    upper: Optional[str] = None
    upper_inclusive: bool = False
    reverse: bool = False
    limit: int = 10000

    def admits(self, name: str) -> bool:
        """True if ``name`` lies inside the bounds (for in-memory fetchers)."""
        if self.lower is not None:
            if name < self.lower or (name == self.lower and not self.lower_inclusive):
                return False
        if self.upper is not None:
            if name > self.upper or (name == self.upper and not self.upper_inclusive):
                return False
        return True


Fetcher = Callable[[Bounds], Sequence[Union[ObjectEntry, ContainerEntry]]]


@dataclass(frozen=True)
class ListingParams:
    """What a client asked for; validated by ``parse_listing_params``."""
    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    end_marker: str = ""
    limit: int = 10000
    reverse: bool = False
    path: Optional[str] = None


class ListingParamError(ValueError):
    """A listing query parameter is invalid; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_listing_params(query: Dict[str, str], max_limit: int,
                         allow_path: bool = True) -> ListingParams:
    """Validate the listing parameters of a request's query string.

    Swift answers 412 for a limit it will not honour and for a delimiter
    longer than one character; names that are not UTF-8 are a 400.
    """
    for key in ("prefix", "delimiter", "marker", "end_marker", "path"):
        value = query.get(key)
        if value is not None and not _valid_text(value):
            raise ListingParamError(400, "%s must be valid UTF-8 without NUL" % key)
    limit = max_limit
    raw_limit = query.get("limit")
    if raw_limit not in (None, ""):
        try:
            limit = int(raw_limit)  # type: ignore[arg-type]
        except ValueError:
            raise ListingParamError(412, "Value of limit must be a positive integer") from None
        if limit < 0:
            raise ListingParamError(412, "Value of limit must be a positive integer")
        if limit > max_limit:
            raise ListingParamError(412, "Maximum limit is %d" % max_limit)
    delimiter = query.get("delimiter") or ""
    if len(delimiter) > 1:
        raise ListingParamError(412, "Bad delimiter: it must be a single character")
    path = query.get("path") if allow_path else None
    reverse = str(query.get("reverse", "")).strip().lower() in ("true", "1", "yes", "on", "t", "y")
    return ListingParams(prefix=query.get("prefix") or "", delimiter=delimiter,
                         marker=query.get("marker") or "",
                         end_marker=query.get("end_marker") or "",
                         limit=limit, reverse=reverse, path=path)


def _valid_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def prefix_upper_bound(prefix: str) -> Optional[str]:
    """The smallest string greater than every string starting with ``prefix``.

    ``None`` when there is none (empty prefix, or only U+10FFFF chars).
    Surrogates are skipped because they cannot be stored as UTF-8.
    """
    chars = list(prefix)
    while chars:
        point = ord(chars[-1])
        if point < MAX_CODE_POINT:
            point += 1
            if _SURROGATES[0] <= point <= _SURROGATES[1]:
                point = _SURROGATES[1] + 1
            chars[-1] = chr(point)
            return "".join(chars)
        chars.pop()
    return None


def _max_lower(a: Tuple[Optional[str], bool], b: Tuple[Optional[str], bool]) -> Tuple[Optional[str], bool]:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] == b[0]:
        return a[0], a[1] and b[1]
    return a if a[0] > b[0] else b


def _min_upper(a: Tuple[Optional[str], bool], b: Tuple[Optional[str], bool]) -> Tuple[Optional[str], bool]:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] == b[0]:
        return a[0], a[1] and b[1]
    return a if a[0] < b[0] else b


def build_listing(fetch: Fetcher, params: ListingParams) -> List[Entry]:
    """The entries a listing request returns, in the order it returns them.

    ``fetch`` is asked repeatedly for the next run of names; each pseudo
    directory costs one extra fetch, which is how a container with a
    million objects under ``photos/`` lists in one step with a delimiter.
    """
    prefix, delimiter, path_mode = params.prefix, params.delimiter, False
    if params.path is not None:
        path_mode = True
        prefix = params.path.rstrip("/") + "/" if params.path.rstrip("/") else ""
        delimiter = "/"
    if params.limit <= 0:
        return []
    pfx_lower = (prefix, True) if prefix else (None, False)
    pfx_upper = (prefix_upper_bound(prefix), False) if prefix else (None, False)
    if params.reverse:
        lower = _max_lower((params.end_marker or None, False), pfx_lower)
        upper = _min_upper((params.marker or None, False), pfx_upper)
    else:
        lower = _max_lower((params.marker or None, False), pfx_lower)
        upper = _min_upper((params.end_marker or None, False), pfx_upper)
    out: List[Entry] = []
    while len(out) < params.limit:
        if lower[0] is not None and upper[0] is not None and (
                lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1]))):
            break
        bounds = Bounds(lower[0], lower[1], upper[0], upper[1], params.reverse,
                        params.limit - len(out))
        rows = fetch(bounds)
        if not rows:
            break
        refetch = False
        for row in rows:
            name = row.name
            if prefix and not name.startswith(prefix):
                return out  # only reachable past an unbounded prefix
            if params.reverse:
                upper = (name, False)
            else:
                lower = (name, False)
            cut = name.find(delimiter, len(prefix)) if delimiter else -1
            if cut < 0 or (path_mode and cut == len(name) - 1):
                if not (path_mode and name == prefix):
                    out.append(row)
            else:
                group = name[:cut + len(delimiter)]
                if not path_mode and group != params.marker:
                    out.append(Subdir(group))
                if params.reverse:
                    # A path-mode directory marker equals the group name
                    # and sorts first in it, so keep it inside the bounds.
                    upper = (group, path_mode)
                else:
                    after = prefix_upper_bound(group)
                    if after is None:
                        return out
                    lower = (after, True)
                refetch = True
            if len(out) >= params.limit or refetch:
                break
        if not refetch and len(rows) < bounds.limit:
            break
    return out


# ------------------------------------------------------------------ render

def choose_content_type(format_param: Optional[str], accept: Optional[str]) -> Optional[str]:
    """The listing's media type, or ``None`` when the client accepts none (406).

    ``?format=`` wins over ``Accept``; an unknown format means plain text,
    as Swift does.
    """
    if format_param:
        return _FORMAT_TYPES.get(format_param.strip().lower(), PLAIN_TYPE)
    if not accept:
        return PLAIN_TYPE
    try:
        offers = create_accept_header(accept).acceptable_offers(_OFFERS)
    except (ValueError, TypeError):
        return PLAIN_TYPE
    if not offers:
        return None
    best_q = offers[0][1]
    # Among equally good offers keep our preference order (plain first).
    for offer in _OFFERS:
        if (offer, best_q) in offers:
            return offer
    return offers[0][0]


def split_swift_bytes(content_type: str) -> Tuple[str, Optional[int]]:
    """Strip a ``;swift_bytes=N`` parameter (set for manifests) from a type.

    Large-object middleware stores the real size there so listings can
    show the size of the whole object instead of the manifest's.
    """
    if "swift_bytes=" not in content_type:
        return content_type, None
    kept, size = [], None
    for part in content_type.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == "swift_bytes":
            try:
                size = int(value)
            except ValueError:
                size = None
            continue
        kept.append(part)
    return ";".join(kept).rstrip(), size


def object_item(entry: Union[ObjectEntry, Subdir]) -> Dict[str, object]:
    """The JSON form of one container listing entry."""
    if isinstance(entry, Subdir):
        return {"subdir": entry.name}
    ctype, real_size = split_swift_bytes(entry.content_type)
    return {"hash": entry.etag,
            "last_modified": Timestamp(entry.created_at).isoformat,
            "bytes": entry.size if real_size is None else real_size,
            "name": entry.name, "content_type": ctype}


def container_item(entry: Union[ContainerEntry, Subdir]) -> Dict[str, object]:
    """The JSON form of one account listing entry."""
    if isinstance(entry, Subdir):
        return {"subdir": entry.name}
    return {"name": entry.name, "count": entry.object_count, "bytes": entry.bytes_used,
            "last_modified": Timestamp(entry.put_timestamp).isoformat}


_XML_FIELDS = {
    "container": ("object", ("name", "hash", "bytes", "content_type", "last_modified")),
    "account": ("container", ("name", "count", "bytes", "last_modified")),
}


def render_listing(items: Sequence[Dict[str, object]], content_type: str,
                   kind: str, name: str) -> bytes:
    """Render JSON-shaped listing items as ``content_type``.

    ``kind`` is ``container`` (items are objects) or ``account`` (items are
    containers); ``name`` is the listed container or account.
    """
    if content_type == JSON_TYPE:
        return json.dumps(list(items)).encode("utf-8")
    if content_type in XML_TYPES:
        tag, fields = _XML_FIELDS[kind]
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<%s name=%s>'
                 % (kind, _xml_attr(name))]
        for item in items:
            if "subdir" in item:
                sub = str(item["subdir"])
                parts.append('<subdir name=%s><name>%s</name></subdir>'
                             % (_xml_attr(sub), escape(sub)))
                continue
            parts.append("<%s>" % tag)
            for field in fields:
                parts.append("<%s>%s</%s>" % (field, escape(str(item.get(field, ""))), field))
            parts.append("</%s>" % tag)
        parts.append("</%s>" % kind)
        return "".join(parts).encode("utf-8")
    return "".join("%s\n" % (item.get("subdir") or item.get("name")) for item in items).encode("utf-8")


def _xml_attr(value: str) -> str:
    return '"%s"' % escape(value, {'"': "&quot;"})
