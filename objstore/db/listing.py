"""Container and account listings as pure functions: no SQL, no sockets.

The listing rules (prefix, delimiter, marker, end_marker, limit, reverse,
path) are subtle enough to deserve their own module: the brokers only know
how to fetch a sorted run of names between two bounds, and everything a
client can observe about paging is decided here, where it can be tested
against a simple model. Parsing the client's parameters and rendering the
answer (json, xml, plain) is ``objstore.common.http.listing``, shared with
the proxy.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

import json
from json.encoder import encode_basestring_ascii as _json_str  # what json.dumps uses

from objstore.common.http import listing as http_listing
from objstore.common.http.listing import ListingParams
from objstore.common.timestamp import isoformat

MAX_CODE_POINT = 0x10FFFF
_SURROGATES = (0xD800, 0xDFFF)


# Entries are named tuples: a listing makes one per row, and a tuple is
# several times cheaper to build than a (frozen) dataclass.

class ObjectEntry(NamedTuple):
    """One live object row as a container listing shows it."""
    name: str
    created_at: str
    size: int
    content_type: str
    etag: str


class ContainerEntry(NamedTuple):
    """One live container row as an account listing shows it."""
    name: str
    object_count: int
    bytes_used: int
    put_timestamp: str
    storage_policy_index: int = 0


class Subdir(NamedTuple):
    """A pseudo-directory: every name sharing this prefix up to the delimiter."""
    name: str


Entry = Union[ObjectEntry, ContainerEntry, Subdir]


class Bounds(NamedTuple):
    """The slice of names a broker must return, in order, at most ``limit``.

    ``None`` means unbounded. Names are compared by code point, which is
    what SQLite's BINARY collation does on UTF-8 text. (A named tuple: a
    delimiter listing makes one per pseudo-directory.)
    """
    lower: Optional[str] = None
    lower_inclusive: bool = False
    upper: Optional[str] = None
    upper_inclusive: bool = False
    reverse: bool = False
    limit: int = 10000
    # A fetcher that can (``build_listing(skips=True)``) answers with the
    # first row of each pseudo-directory only, jumping past the rest of
    # it, until the first row that starts none (the last it answers):
    # ``(len(prefix), delimiter, after)``, where a group's rows all sort
    # below ``group[:-1] + after`` (``after``: one character).
    skip: Optional[Tuple[int, str, str]] = None

    def admits(self, name: str) -> bool:
        """True if ``name`` lies inside the bounds (for in-memory fetchers)."""
        if self.lower is not None:
            if name < self.lower or (name == self.lower and not self.lower_inclusive):
                return False
        if self.upper is not None:
            if name > self.upper or (name == self.upper and not self.upper_inclusive):
                return False
        return True


# A run of rows within the bounds; each row's first item is its name (an
# entry, or a raw database row that ``build_listing``'s ``make`` turns
# into one).
Fetcher = Callable[[Bounds], Iterable[Any]]


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


def build_listing(fetch: Fetcher, params: ListingParams,
                  make: Optional[Callable[[Any], Entry]] = None,
                  skips: bool = False) -> List[Entry]:
    """The entries a listing request returns, in the order it returns them.

    ``fetch`` is asked for the run of names inside some bounds and may
    answer lazily (a cursor): rows are read only until the listing is full
    or a pseudo-directory starts. A pseudo-directory then costs one new
    fetch whose lower bound lies past the whole group, so a container with
    a million objects under ``photos/`` lists that group in one step, and
    a delimiter listing reads about as many rows as it returns. ``make``
    turns a fetched row into the entry listed (rows skipped as part of a
    pseudo-directory are never made into entries).

    With ``skips`` the fetcher honours ``Bounds.skip``: after two
    pseudo-directories in a row the next fetch jumps from group to group
    by itself (one query for a run of them, not one each) and stops at
    the first row that starts no group, from which a plain fetch steps on.
    """
    prefix, delimiter, path_mode = params.prefix, params.delimiter, False
    if params.path is not None:
        # the names directly under ``path`` (made to end in one "/"; path=/
        # is the names starting with "/", an empty path the root's)
        path_mode = True
        prefix = params.path.rstrip("/") + "/" if params.path else ""
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
    skip = None
    if skips and delimiter and not path_mode and not params.reverse:
        after = prefix_upper_bound(delimiter[-1])
        if after is not None and len(after) == 1:
            skip = (len(prefix), delimiter, after)
    # Pseudo-directories read one after the other: from the second on, the
    # next fetch skips (where objects and groups alternate, a skipping
    # fetch would answer one row and cost a query more).
    groups_in_row, skipping = 0, False
    out: List[Entry] = []
    while len(out) < params.limit:
        if lower[0] is not None and upper[0] is not None and (
                lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1]))):
            break
        bounds = Bounds(lower[0], lower[1], upper[0], upper[1], params.reverse,
                        params.limit - len(out), skip if skipping else None)
        rows = fetch(bounds)
        try:
            seen, refetch = 0, False
            for row in rows:
                seen += 1
                name = row[0]
                if prefix and not name.startswith(prefix):
                    return out  # only reachable past an unbounded prefix
                if params.reverse:
                    upper = (name, False)
                else:
                    lower = (name, False)
                cut = name.find(delimiter, len(prefix)) if delimiter else -1
                if cut < 0 or (path_mode and cut == len(name) - 1):
                    if not (path_mode and name == prefix):
                        out.append(make(row) if make is not None else row)
                    groups_in_row = 0
                    if bounds.skip is not None:
                        # the skipping fetch's last row: step on from it
                        skipping, refetch = False, True
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
                    if bounds.skip is None:
                        groups_in_row += 1
                        skipping, refetch = skip is not None and groups_in_row > 1, True
                if len(out) >= params.limit or refetch:
                    break
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()  # a cursor left half read is released now
        if not refetch and seen < bounds.limit:
            break
    return out


# ------------------------------------------------------------------ items

def object_item(entry: Union[ObjectEntry, Subdir]) -> Dict[str, Any]:
    """The JSON form of one container listing entry."""
    if isinstance(entry, Subdir):
        return http_listing.subdir_item(entry.name)
    return http_listing.object_item(entry.name, entry.created_at, entry.size,
                                    entry.content_type, entry.etag)


def object_json(entry: Union[ObjectEntry, Subdir]) -> str:
    """``json.dumps(object_item(entry))``, written straight for the common
    row (a content type without parameters: nothing to take out of it),
    without the dict: a page renders 10,000 of them. Strings are escaped
    by the encoder ``json.dumps`` uses, so the text is the same."""
    if type(entry) is Subdir:
        return '{"subdir": %s}' % _json_str(entry.name)
    name, created_at, size, content_type, etag = entry  # type: ignore[misc]
    if type(size) is not int or type(etag) is not str or type(name) is not str \
            or type(content_type) is not str or ";" in content_type:
        return json.dumps(object_item(entry))
    return '{"bytes": %d, "hash": %s, "name": %s, "content_type": %s, "last_modified": %s}' % (
        size, _json_str(etag), _json_str(name), _json_str(content_type),
        _json_str(isoformat(created_at)))


def json_listing(entries: Iterable[Entry], to_json: Callable[[Any], str]) -> bytes:
    """The JSON body of a listing, as ``json.dumps`` of its items renders it."""
    return ("[%s]" % ", ".join([to_json(e) for e in entries])).encode("utf-8")


def container_item(entry: Union[ContainerEntry, Subdir],
                   policy_name: Optional[Callable[[int], Optional[str]]] = None
                   ) -> Dict[str, Any]:
    """The JSON form of one account listing entry; ``policy_name`` maps a
    storage policy index to the name listings show."""
    if isinstance(entry, Subdir):
        return http_listing.subdir_item(entry.name)
    return http_listing.container_item(
        entry.name, entry.object_count, entry.bytes_used, entry.put_timestamp,
        policy_name(entry.storage_policy_index) if policy_name else None)


def container_json(entry: Union[ContainerEntry, Subdir],
                   policy_name: Optional[Callable[[int], Optional[str]]] = None) -> str:
    """``json.dumps(container_item(entry, policy_name))``, written straight
    (an account page renders 10,000 of them), as ``object_json`` does."""
    if type(entry) is Subdir:
        return '{"subdir": %s}' % _json_str(entry.name)
    name, count, used, put_timestamp, policy = entry  # type: ignore[misc]
    if type(name) is not str or type(count) is not int or type(used) is not int:
        return json.dumps(container_item(entry, policy_name))
    text = '{"name": %s, "count": %d, "bytes": %d, "last_modified": %s' % (
        _json_str(name), count, used, _json_str(isoformat(put_timestamp)))
    shown = policy_name(policy) if policy_name else None
    if shown is None:
        return text + "}"
    return '%s, "storage_policy": %s}' % (
        text, _json_str(shown) if type(shown) is str else json.dumps(shown))
