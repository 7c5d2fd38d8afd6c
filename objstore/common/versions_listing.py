"""The ``?versions`` listing of an object_versioning container (pure: the
listings come from a ``fetch`` callback, so s3api can merge the same way).

Two listings are merged: the container's own (each object's current
version) and its versions container's (the kept versions, named
``<object>\\x01<inverted id>``, so they come in the objects' order and
newest first per object). Forward, an object's current version comes
first (``is_latest``), then its kept versions newest first; an object
without a current version is ``is_latest`` only through a delete marker on
top. ``reverse`` is that order exactly backwards, as Swift sends it.

The client's ``prefix`` and ``reverse`` go to both listings;
``delimiter`` to the container's only (a version's name holds its id,
which a delimiter could cut): kept versions are folded here, and a folded
pseudo-directory is jumped over, not read. ``marker`` (with
``version_marker``: only that object's versions older than it; ``null``:
all of them) starts both. Each listing is read a page at a time, so memory
is bounded by the page size and the client's ``limit``, whatever the
container holds.

The markers as Swift 2.38.3 applies them (measured): they bound which
current versions are ``is_latest``, not which versions are listed, so
versions past ``end_marker`` are listed (current ones there not latest),
and in reverse the ``marker`` object's own versions are too.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from objstore.common.timestamp import Timestamp

SEPARATOR = "\x01"
NULL_ID = "null"
DELETE_MARKER_TYPE = "application/x-deleted;swift_versions_deleted=1"
_MAX_RAW = 10 ** 15 - 1
#: past every name that starts with a given prefix (no code point is larger)
_PAST = "\U0010ffff"
PAGE = 1000

Row = Dict[str, Any]
#: ``fetch(container_kind, query) -> rows``: one JSON listing page
Fetch = Callable[[str, Dict[str, str]], Optional[List[Row]]]


def invert(version_id: str) -> str:
    """The inverted (newest sorts first) form of a version id."""
    raw = _MAX_RAW - Timestamp(version_id).raw
    return "%010d.%05d" % divmod(raw, 100000)


def uninvert(inverted: str) -> str:
    """The version id of an inverted form."""
    raw = _MAX_RAW - Timestamp(inverted).raw
    return Timestamp("%d.%05d" % divmod(raw, 100000)).normal


def version_name(obj: str, version_id: str) -> str:
    """Where version ``version_id`` of ``obj`` is kept in the versions container."""
    return obj + SEPARATOR + invert(version_id)


def split_version_name(name: str) -> Tuple[str, str]:
    """``(object, version id)`` of a versions container entry."""
    obj, _, inverted = name.rpartition(SEPARATOR)
    return obj, uninvert(inverted)


class _Pages:
    """One container's listing, a page at a time, that can jump ahead."""

    def __init__(self, fetch: Fetch, kind: str, query: Dict[str, str], marker: str,
                 size: int = 0) -> None:
        self.fetch, self.kind, self.query = fetch, kind, query
        self.size = size or PAGE
        self.rows: List[Row] = []
        self.marker = marker
        self.done = False

    def peek(self) -> Optional[Row]:
        if not self.rows and not self.done:
            query = dict(self.query, limit=str(self.size))
            if self.marker:
                query["marker"] = self.marker
            page = self.fetch(self.kind, query) or []
            self.rows = page
            self.done = len(page) < self.size
            if page:
                self.marker = page[-1].get("name") or page[-1].get("subdir", "")
        return self.rows[0] if self.rows else None

    def pop(self) -> Optional[Row]:
        row = self.peek()
        if row is not None:
            self.rows.pop(0)
        return row

    def jump(self, marker: str, reverse: bool) -> None:
        """Drop every row up to ``marker`` (in listing order)."""
        def before(name: str) -> bool:
            return name >= marker if reverse else name <= marker
        while self.rows and before(self.rows[0].get("name", "")):
            self.rows.pop(0)
        if not self.rows and not self.done and (
                marker < self.marker if reverse else marker > self.marker):
            self.marker = marker


def _before(name: str) -> str:
    """A marker just before ``name``: a listing after it starts with ``name``."""
    last = name[-1]
    return name[:-1] + (chr(ord(last) - 1) + _PAST if ord(last) > 1 else "")


def _rank(row: Row) -> int:
    """Where a version stands among its object's: its id's time; ``null``
    (written before versioning) after every id, i.e. first, newest-first."""
    version_id = row["version_id"]
    return _MAX_RAW + 1 if version_id == NULL_ID else Timestamp(version_id).raw


def _key(row: Row) -> str:
    return row["subdir"] if "subdir" in row else row.get("name", "")


class VersionsListing:
    """Every version of a container's objects, in the client's order."""

    def __init__(self, fetch: Fetch, current_id: Callable[[Row], str],
                 query: Dict[str, str], versioned: bool, limit: int = 0) -> None:
        self.current_id = current_id
        self.reverse = str(query.get("reverse", "")).lower() in ("true", "1", "yes", "on",
                                                                 "t", "y")
        self.prefix = query.get("prefix", "")
        self.delimiter = query.get("delimiter", "")
        marker, version_marker = query.get("marker", ""), query.get("version_marker", "")
        self.marker, self.end_marker = marker, query.get("end_marker", "")
        self.version_marker = version_marker if marker else ""
        # Swift bounds only its is_latest rows by the markers; the versions
        # themselves are listed past end_marker, and in reverse from the
        # marker's object on: so are they here, marked not latest
        common = {"prefix": self.prefix}
        if self.reverse:
            common["reverse"] = "true"
        current_query = dict(common)
        if self.delimiter:
            current_query["delimiter"] = self.delimiter
        current_marker = marker
        if marker and self.reverse:
            current_marker = marker + "\x00"  # the marker's object too
        elif marker and version_marker == NULL_ID:
            current_marker = _before(marker)
        # each current row gives at least one answer: never read more than asked
        self.current = _Pages(fetch, "current", current_query, current_marker,
                              min(PAGE, limit) if limit > 0 else PAGE)
        old_marker = marker
        if marker and self.reverse:
            old_marker = marker + chr(ord(SEPARATOR) + 1)
        elif marker:
            if version_marker == NULL_ID:  # the marker's object: every kept version
                old_marker = marker + SEPARATOR
            elif version_marker:
                old_marker = version_name(marker, version_marker)
            else:
                old_marker = marker + SEPARATOR + "9999999999.99999"
        self.kept: Optional[_Pages] = _Pages(fetch, "versions", common, old_marker) \
            if versioned else None

    def _kept_key(self) -> Optional[Tuple[str, bool]]:
        """The next kept version's object, or the directory it folds into
        (``(key, folded)``)."""
        row = self.kept.peek() if self.kept is not None else None
        if row is None:
            return None
        name = split_version_name(row["name"])[0]
        if self.delimiter:
            cut = name.find(self.delimiter, len(self.prefix))
            if cut >= 0:
                return name[:cut + len(self.delimiter)], True
        return name, False

    def __iter__(self) -> Iterator[Row]:
        while True:
            head = self.current.peek()
            kept = self._kept_key()
            keys = ([_key(head)] if head is not None else []) + ([kept[0]] if kept else [])
            if not keys:
                return
            key = max(keys) if self.reverse else min(keys)
            if (head is not None and "subdir" in head and head["subdir"] == key) or \
                    (kept is not None and kept == (key, True)):
                yield {"subdir": key}
                if head is not None and _key(head) == key:
                    self.current.pop()
                if self.kept is not None:
                    self.kept.jump(key if self.reverse else key + _PAST, self.reverse)
                continue
            current = None
            if head is not None and _key(head) == key:
                current = self.current.pop()
            rows = self._object(key, current)
            if key == self.marker and self.version_marker:
                rows = filter(self._past_version_marker, rows)
            yield from rows

    def _past_version_marker(self, row: Row) -> bool:
        """Whether a version of the ``marker`` object comes after
        ``version_marker`` in the client's order, as Swift 2.38.3 answers:
        ``null`` stands before every version with an id (forward, newest
        first), so forward all but the null version itself follow it and in
        reverse none does; after an id come, in reverse, the newer versions
        (the current one too, not latest). Forward with an id the two
        listings' markers already start past it."""
        version_id = row["version_id"]
        if self.version_marker == NULL_ID:
            return not self.reverse and version_id != NULL_ID
        if not self.reverse:
            return True
        return version_id == NULL_ID or \
            Timestamp(version_id) > Timestamp(self.version_marker)

    def _in_window(self, name: str) -> bool:
        """Whether ``name`` is within the client's markers (its current
        version is then ``is_latest``)."""
        if self.reverse:
            return (not self.marker or name < self.marker) and \
                (not self.end_marker or name > self.end_marker)
        return (not self.marker or name > self.marker) and \
            (not self.end_marker or name < self.end_marker)

    def _object(self, name: str, current: Optional[Row]) -> Iterator[Row]:
        """One object's versions, newest id first (in reverse the other way
        round), as Swift 2.38.3 lists them: the current version stands among
        the kept ones by its id (one made latest again by ``PUT
        ?version-id=`` is older than those kept since), a ``null`` current
        version before all of them."""
        latest_id = self.current_id(current) if current is not None else None
        mine = None if current is None else \
            dict(current, is_latest=current is not None and self._in_window(name),
                 version_id=latest_id)
        for row in self._kept_rows(name, latest_id, current is None):
            if mine is not None and (_rank(mine) < _rank(row)) == self.reverse:
                yield mine
                mine = None
            yield row
        if mine is not None:
            yield mine

    def _kept_rows(self, name: str, latest_id: Optional[str], no_current: bool
                   ) -> Iterator[Row]:
        """The kept versions of ``name`` in the client's order (streamed, one
        row looked ahead to know the newest in reverse); the newest is
        ``is_latest`` when it is a delete marker and nothing is current."""
        first = True
        row = self._next_kept(name, latest_id)
        while row is not None:
            following = self._next_kept(name, latest_id)
            newest = following is None if self.reverse else first
            latest = no_current and newest and row.get("content_type") == DELETE_MARKER_TYPE
            yield dict(row, name=name, is_latest=latest,
                       version_id=split_version_name(row["name"])[1])
            first, row = False, following

    def _next_kept(self, name: str, skip_id: Optional[str]) -> Optional[Row]:
        """The next kept version of ``name`` (not the one ``skip_id``, which
        is current), or None."""
        while self.kept is not None:
            row = self.kept.peek()
            if row is None:
                return None
            obj, version_id = split_version_name(row["name"])
            if obj != name:
                return None
            self.kept.pop()
            if version_id != skip_id:
                return row
        return None
