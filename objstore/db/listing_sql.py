"""The SQL of listings: live rows between two bounds, read lazily.

A listing (``objstore.db.listing.build_listing``) asks for sorted runs of
live names between two bounds; this answers each with one query that
SQLite serves by seeking the ``(deleted, name)`` index and stepping along
it, on a cursor read only as far as the listing goes. Mixed into
``DatabaseBroker``, whose subclasses name the table, the columns and how
a row becomes an entry.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Iterator, List, Tuple

from objstore.common.http.listing import ListingParams
from objstore.db.listing import Bounds, build_listing


class ListingQueries:
    """Listing reads of a broker: ``item_table`` and ``_read`` come from
    ``DatabaseBroker``, ``listing_columns`` and ``_listing_entry`` from the
    container and account brokers."""

    item_table: str

    # Columns a listing reads, in the order ``_listing_entry`` takes them.
    listing_columns = "name"

    def _listing_entry(self, row: Tuple[Any, ...]) -> Any:
        """One listing entry (``db.listing``) from a row of ``listing_columns``."""
        raise NotImplementedError

    def live_query(self, bounds: Bounds) -> Tuple[str, List[Any]]:
        """The SQL and arguments selecting live (not deleted) rows within a
        listing's ``bounds`` (lower/upper with inclusiveness, limit,
        reverse) in name order. SQLite answers it by seeking the
        ``(deleted, name)`` index to the lower (reversed: upper) bound and
        stepping along it: no sort, no scan of what lies outside."""
        where, args = ["deleted = 0"], []  # type: List[str], List[Any]
        if bounds.lower is not None:
            where.append("name >= ?" if bounds.lower_inclusive else "name > ?")
            args.append(bounds.lower)
        if bounds.upper is not None:
            where.append("name <= ?" if bounds.upper_inclusive else "name < ?")
            args.append(bounds.upper)
        args.append(int(bounds.limit))
        sql = "SELECT %s FROM %s WHERE %s ORDER BY name %s LIMIT ?" % (
            self.listing_columns, self.item_table, " AND ".join(where),
            "DESC" if bounds.reverse else "")
        return sql, args

    def _live_cursor(self, conn: sqlite3.Connection, bounds: Bounds) -> sqlite3.Cursor:
        """``live_query`` as a lazy cursor of plain tuples: rows are only
        read as far as the caller iterates, so a listing that stops early
        (a full page, a pseudo-directory to skip) pays nothing more."""
        sql, args = self.live_query(bounds)
        cur = conn.cursor()
        cur.row_factory = None  # tuples: no per-row name lookups
        return cur.execute(sql, args)

    def fetch_live(self, bounds: Bounds) -> List[Any]:
        """One run of live entries within ``bounds``, as a list (for daemons
        walking a whole database page by page)."""
        with self._read() as conn:
            return [self._listing_entry(r) for r in self._live_cursor(conn, bounds)]

    def list_live(self, params: ListingParams) -> List[Any]:
        """The entries a listing request returns (``listing.build_listing``),
        read on one connection: each pseudo-directory skipped is one index
        seek, and rows are read only as far as the listing needs them, so
        the cost follows the entries returned, not the rows stored."""
        with self._read() as conn:
            def fetch(bounds: Bounds) -> Iterator[Any]:
                cur = self._live_cursor(conn, bounds)
                try:
                    for row in cur:
                        yield self._listing_entry(row)
                finally:
                    cur.close()
            return build_listing(fetch, params)
