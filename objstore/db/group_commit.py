"""Group commit: rows for one database, appended and fsynced together.

Every object PUT and DELETE sends each container replica one row, which
the container server appends to the database's pending file and fsyncs
before it answers (``objstore/db/pending.py``). Done one row at a time,
each row is a hand-off to the thread pool (a wake-up of an OS thread,
and of the hub when it is done), an open, a lock, an append, an fsync
and a close. Under load the rows of one container arrive together (the
clients' PUTs into it), so the rows that come in while one append is on
the disk wait for it to end and then go to the file as one batch: one
hand-off, one append and one fsync for all of them. A row is answered
only once the fsync that covers it is done, as before; a lone row goes at
once, without waiting for company.

Who commits: the first row for a key, finding nobody committing, commits
itself, in the thread pool, from its own green thread (a lone row costs no
green thread and no event more than it did before group commit). Rows that
came meanwhile are then taken by a green thread of their own, which
commits every row waiting for that key, answers them, and goes on while
rows are waiting. A caller that gives up waiting (its own green thread
killed) leaves the others unharmed: no caller's thread does another's
work (a killed first caller hands the waiting rows on as it unwinds; its
own append, already in an OS thread, ends under the pending file's lock).

Outside a server's green threads (a daemon or a test calling the app from
OS threads) every row is committed on its own, directly: the bookkeeping
here belongs to one hub.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, List, Optional, Sequence, TypeVar

from objstore.common import concurrency

Item = TypeVar("Item")
#: commits a batch in the calling OS thread; one result per item, in order
CommitBatch = Callable[[Sequence[Any]], List[Any]]


class _Waiter(Generic[Item]):
    """One caller's items (one row, or a batch of rows sent together)."""
    __slots__ = ("items", "event")

    def __init__(self, items: List[Item]) -> None:
        self.items = items
        self.event = concurrency.Event()


class GroupCommit:
    """Batches of items per key, committed one batch at a time per key.

    ``run`` runs the commit away from the hub (the thread pool by
    default); ``green`` says whether callers are green threads of one hub
    (by default: whether the process is monkey-patched).
    """

    def __init__(self, run: Callable[..., Any] = concurrency.run_in_thread,
                 green: Optional[Callable[[], bool]] = None) -> None:
        self._run = run
        self._green = green or concurrency.green_threads
        self._waiting: Dict[str, List[_Waiter[Any]]] = {}
        self._busy: set = set()

    def submit(self, key: str, item: Any, commit: CommitBatch) -> Any:
        """Commit ``item`` with whatever else is waiting under ``key``;
        returns ``commit``'s result for it, or raises what ``commit``
        raised for its batch. ``commit`` must be the same for a key."""
        return self.submit_many(key, [item], commit)[0]

    def submit_many(self, key: str, items: List[Any], commit: CommitBatch) -> List[Any]:
        """``submit`` for several items at once (a batch of rows that came
        in one request): all of them go in the same commit; their results
        in order."""
        if not self._green():
            return commit(items)
        if key not in self._busy:  # nobody committing: this caller commits its own
            self._busy.add(key)
            try:
                return _checked(self._run(commit, items), len(items))
            finally:  # whoever queued meanwhile goes next, in a green thread of its own
                if self._waiting.get(key):
                    concurrency.spawn_n(self._commit_while_waiting, key, commit)
                else:
                    self._busy.discard(key)
        waiter = _Waiter(items)
        self._waiting.setdefault(key, []).append(waiter)
        failed, value = waiter.event.wait()
        if failed:
            raise value
        return value

    def _commit_while_waiting(self, key: str, commit: CommitBatch) -> None:
        batch: List[_Waiter[Any]] = []
        try:
            while True:
                batch = self._waiting.pop(key, [])
                if not batch:
                    return
                items = [item for w in batch for item in w.items]
                try:
                    results = _checked(self._run(commit, items), len(items))
                except Exception as err:  # every row of the batch fails with it
                    _answer(batch, [(True, err)] * len(batch))
                else:
                    outcomes, start = [], 0
                    for waiter in batch:
                        outcomes.append((False, results[start:start + len(waiter.items)]))
                        start += len(waiter.items)
                    _answer(batch, outcomes)
        finally:
            self._busy.discard(key)
            # only when this green thread was killed: nobody is left waiting
            stopped = (True, RuntimeError("group commit stopped"))
            unanswered = [w for w in batch + self._waiting.pop(key, []) if not w.event.ready()]
            _answer(unanswered, [stopped] * len(unanswered))


def _checked(results: List[Any], count: int) -> List[Any]:
    if len(results) != count:
        raise RuntimeError("commit gave %d results for %d items" % (len(results), count))
    return results


def _answer(batch: List[_Waiter[Any]], outcomes: List[Any]) -> None:
    for waiter, outcome in zip(batch, outcomes):
        waiter.event.send(outcome)
