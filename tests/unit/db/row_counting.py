"""A broker subclass that counts the rows its listings read out of SQLite
(every row a cursor hands out, listed or skipped) and the queries they
make, for the tests that a listing's cost follows the entries it returns."""


def counting(broker_class):
    """``broker_class`` with a ``rows_read`` counter."""

    class Counting(broker_class):
        rows_read = queries = 0

        def _live_cursor(self, conn, bounds):
            self.queries += 1
            return _CountingCursor(self, super()._live_cursor(conn, bounds))

    return Counting


class _CountingCursor:
    def __init__(self, broker, cursor):
        self.broker, self.cursor = broker, cursor

    def __iter__(self):
        for row in self.cursor:
            self.broker.rows_read += 1
            yield row

    def close(self):
        self.cursor.close()
