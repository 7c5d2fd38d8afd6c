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
from typing import Any, Dict, List, Optional, Tuple

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
        stepping along it: no sort, no scan of what lies outside. With
        ``bounds.skip`` it is ``_skip_sql``'s walk from group to group."""
        lower = bounds.lower is not None and (bounds.lower_inclusive or None)
        upper = bounds.upper is not None and (bounds.upper_inclusive or None)
        args: List[Any] = []
        if bounds.lower is not None:
            args.append(bounds.lower)
        if bounds.upper is not None:
            args.append(bounds.upper)
        if bounds.skip is not None and not bounds.reverse:
            prefix_len, delimiter, after = bounds.skip
            args += [prefix_len, prefix_len, delimiter, len(delimiter), after]
            if bounds.upper is not None:
                args.append(bounds.upper)
            args += [prefix_len, delimiter, int(bounds.limit)]
            return self._skip_sql(lower, upper), args
        args.append(int(bounds.limit))
        return self._live_sql(lower, upper, bounds.reverse), args

    # one SQL text per shape of bounds (a delimiter listing asks once per
    # pseudo-directory; the same text also reuses SQLite's prepared statement)
    _sql_cache: Dict[Tuple[Any, ...], str] = {}

    def _live_sql(self, lower: Optional[bool], upper: Optional[bool], reverse: bool) -> str:
        """``lower``/``upper``: False for no bound, None exclusive, True inclusive."""
        key = (type(self), lower, upper, reverse)
        sql = self._sql_cache.get(key)
        if sql is None:
            where = ["deleted = 0"]
            if lower is not False:
                where.append("name >= ?" if lower else "name > ?")
            if upper is not False:
                where.append("name <= ?" if upper else "name < ?")
            sql = self._sql_cache[key] = \
                "SELECT %s FROM %s WHERE %s ORDER BY name %s LIMIT ?" % (
                    self.listing_columns, self.item_table, " AND ".join(where),
                    "DESC" if reverse else "")
        return sql

    def _skip_sql(self, lower: Optional[bool], upper: Optional[bool]) -> str:
        """A run of pseudo-directories in one statement: the first live row
        within the bounds, then, for as long as the last row found starts a
        group (its name has the delimiter past the prefix), the first row
        past that whole group (``name >= group[:-1] || after``), each one
        seek of the ``(deleted, name)`` index by rowid. The walk stops
        after the first row that starts no group (``build_listing`` steps
        on from there with a plain cursor) or at ``limit`` rows. The
        group is cut in SQL as ``build_listing`` cuts it in Python:
        ``instr``, ``substr`` and ``length`` count characters, as Python's
        ``str`` does. Arguments: the bounds (as ``_live_sql``), the
        prefix's length twice, the delimiter, its length, ``after``, the
        upper bound again, the prefix's length, the delimiter, the
        limit."""
        key = (type(self), "skip", lower, upper)
        sql = self._sql_cache.get(key)
        if sql is None:
            first = ["deleted = 0"]
            if lower is not False:
                first.append("name >= ?" if lower else "name > ?")
            if upper is not False:
                first.append("name <= ?" if upper else "name < ?")
            step = ["deleted = 0", "name >= substr(skip.c0, 1, ? + instr(substr("
                    "skip.c0, ? + 1), ?) + ? - 2) || ?"]
            if upper is not False:
                step.append("name <= ?" if upper else "name < ?")
            width = len(_columns(self.listing_columns))
            names = ", ".join("c%d" % i for i in range(width))
            sql = self._sql_cache[key] = (
                "WITH RECURSIVE skip(%(names)s) AS ("
                "SELECT * FROM (SELECT %(cols)s FROM %(table)s WHERE %(first)s "
                "ORDER BY name LIMIT 1) "
                "UNION ALL "
                "SELECT %(cols)s FROM skip JOIN %(table)s ON %(table)s.rowid = ("
                "SELECT rowid FROM %(table)s WHERE %(step)s ORDER BY name LIMIT 1) "
                "WHERE instr(substr(skip.c0, ? + 1), ?) > 0 "
                "LIMIT ?) SELECT %(names)s FROM skip" % dict(
                    names=names, cols=self.listing_columns, table=self.item_table,
                    first=" AND ".join(first), step=" AND ".join(step)))
        return sql

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
        the cost follows the entries returned, not the rows stored. The
        cursors yield raw rows (name first); only rows listed become
        entries."""
        with self._read() as conn:
            return build_listing(lambda bounds: self._live_cursor(conn, bounds), params,
                                 self._listing_entry, skips=True)


def _columns(text: str) -> List[str]:
    """The expressions of a column list, split at the commas outside
    parentheses (``name, MAX(a, b), size`` is three)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out
