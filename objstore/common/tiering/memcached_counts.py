"""Read counts on their way from the proxies to the tierer: memcached.

The other way than the journal (``journal.py``), chosen in objstore.conf
(``[tiering] counts = memcached`` with ``memcache_servers``): for proxies
on several hosts that share no disk with the tierer. A proxy worker still
counts in memory and flushes every ``flush_interval`` seconds, nothing on a
GET's path; a flush is one *batch*:

* ``incr`` of the sequence ``<PREFIX>/seq/<epoch>`` gives the batch its
  number ``n``; the rows are ``set`` at ``<PREFIX>/batch/<epoch>/<n>``
  (kept ``BATCH_TTL`` seconds: a tierer that is down a day loses counts,
  never memory).
* The epoch (``<PREFIX>/epoch``, made with ``add`` by the first writer)
  changes when memcached loses it, so numbers start anew under new keys.

The tierer reads the sequence and takes every batch past the last it
took, commits its rows with the batch's name in one transaction (a tierer
killed before the ``delete`` never counts a batch twice) and deletes it.
A number whose batch is not there yet (its writer's ``set`` still on the
way) is asked again for ``GRACE`` seconds, then given up. A sequence found
lower than what was taken (memcached restarted under it) starts a new
generation.

What memcached drops (an eviction, a restart) is sent again: a batch
carries an id of its own (``{"id": ..., "rows": [...]}``), the tierer
records that id with the rows it commits (so a batch sent twice counts
once) and then sets ``<PREFIX>/taken/<id>``. The writer keeps each batch
it sent in memory until it finds that key; at each flush it asks about
the ones it still holds, and sends again, under the current epoch and a
new number, every one whose key is gone without the tierer having taken
it (or whose epoch is no longer memcached's). A lost ``taken`` key only
costs a batch sent twice, which the tierer drops. What is still lost: the
batches a proxy worker held when it died (as with the journal, at most
what the tierer had not yet taken), and the oldest ones past ``KEEP_ROWS``
rows held by one writer (a tierer down for long).
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Tuple

from objstore.common.memcached import MemcacheRing
from objstore.common.tiering.config import TieringConfig
from objstore.common.tiering.journal import CountRow

PREFIX = "objstore/tiering/counts"
EPOCH_KEY = PREFIX + "/epoch"
BATCH_TTL = 86400
#: rows in one batch at most (a row of a 1024-byte path is about 1 KiB; a
#: memcached item holds 1 MiB)
BATCH_ROWS = 500
#: seconds a batch number without its batch is asked for again
GRACE = 60.0
#: batches taken in one pass at most (the rest next pass)
MAX_BATCHES = 10000
#: the tierer's mark (``TierQueue.mark``) of where it stands
MARK = "memcached-counts"
#: rows one writer holds, sent but not yet taken, at most (the oldest
#: batches past it are given up)
KEEP_ROWS = 50000


def _seq_key(epoch: str) -> str:
    return "%s/seq/%s" % (PREFIX, epoch)


def _batch_key(epoch: str, number: int) -> str:
    return "%s/batch/%s/%d" % (PREFIX, epoch, number)


def _taken_key(batch_id: str) -> str:
    return "%s/taken/%s" % (PREFIX, batch_id)


#: a batch sent and not yet known taken: (epoch, number, rows)
_Sent = Tuple[str, int, List[List[Any]]]


class MemcachedCounts:
    """Batches of count rows in memcached (``cache``: a ``MemcacheRing``)."""

    def __init__(self, cache: Any, keep_rows: int = KEEP_ROWS) -> None:
        self.cache = cache
        self.keep_rows = keep_rows
        #: batch id -> what was sent, oldest first, until the tierer took it
        self._sent: "OrderedDict[str, _Sent]" = OrderedDict()
        self._held_rows = 0

    def _epoch(self) -> Optional[str]:
        epoch = self.cache.get(EPOCH_KEY)
        if epoch is None:
            self.cache.add(EPOCH_KEY, uuid.uuid4().hex)
            epoch = self.cache.get(EPOCH_KEY)
        return str(epoch) if epoch is not None else None

    def held(self) -> int:
        """Batches sent and not yet known taken by the tierer."""
        return len(self._sent)

    def write(self, rows: List[CountRow], hold: bool = True) -> int:
        """Store ``rows`` as batches (and send again what memcached lost of
        the earlier ones); raises ``OSError`` when memcached does not take
        them. ``hold``: the rows not sent then are held and sent at the
        next flush (a proxy's own counts); else they are dropped (the
        sender is told, and sends them again itself)."""
        rows = [list(r) for r in rows if r[2] >= 0]
        ids = [uuid.uuid4().hex for _start in range(0, len(rows), BATCH_ROWS)]
        for number, batch_id in enumerate(ids):  # each under memcached's 1 MiB
            self._hold(batch_id, rows[number * BATCH_ROWS:(number + 1) * BATCH_ROWS])
        try:
            self.resend()
        except OSError:
            if not hold:
                for batch_id in ids:
                    if batch_id in self._sent and not self._sent[batch_id][0]:
                        self._held_rows -= len(self._sent.pop(batch_id)[2])
            raise
        return len(rows)

    def _hold(self, batch_id: str, rows: List[List[Any]]) -> None:
        """Keep a batch until the tierer takes it (not yet sent: epoch "")."""
        self._sent[batch_id] = ("", 0, rows)
        self._held_rows += len(rows)
        while self._held_rows > self.keep_rows and len(self._sent) > 1:
            _old, (_e, _n, gone) = self._sent.popitem(last=False)
            self._held_rows -= len(gone)

    def resend(self) -> int:
        """Look at the batches held: forget those the tierer took, send
        (again) those memcached does not hold under its current epoch.
        Returns the batches sent; raises ``OSError`` when memcached takes
        none (they stay held)."""
        if not self._sent:
            return 0
        epoch = self._epoch()
        if epoch is None:
            raise OSError("memcached keeps no tiering epoch (%s)" % EPOCH_KEY)
        sent = 0
        # a snapshot: the flusher and admin requests (green threads) share it
        for batch_id, (was, number, rows) in list(self._sent.items()):
            if was:
                if self.cache.get(_taken_key(batch_id)) is not None:
                    if self._sent.pop(batch_id, None) is not None:
                        self._held_rows -= len(rows)
                    continue
                if was == epoch and self.cache.get(_batch_key(was, number)) is not None:
                    continue  # waiting for the tierer
            # never sent, or lost (evicted, memcached restarted): under a new number
            number = self.cache.incr(_seq_key(epoch), time=BATCH_TTL)
            if not self.cache.set(_batch_key(epoch, number), {"id": batch_id, "rows": rows},
                                  time=BATCH_TTL):
                raise OSError("memcached did not store count batch %d" % number)
            if batch_id in self._sent:
                self._sent[batch_id] = (epoch, number, rows)
            sent += 1
        return sent

    def collect(self, mark: Callable[[], str], set_mark: Callable[[str], None],
                already: Callable[[str], bool],
                commit: Callable[[str, List[CountRow]], None], now: float) -> int:
        """Take the batches written since the last call; the rows taken.
        ``mark``/``set_mark`` keep where the tierer stands, ``already`` and
        ``commit`` are the journal's (``TierQueue``)."""
        epoch = self.cache.get(EPOCH_KEY)
        if epoch is None:
            return 0
        epoch = str(epoch)
        state = _state(mark())
        if state["epoch"] != epoch:
            state = {"epoch": epoch, "gen": 0, "next": 1, "missing": {}}
        top = int(self.cache.get(_seq_key(epoch)) or 0)
        if top < state["next"] - 1:  # the sequence started over under us
            state.update(gen=state["gen"] + 1, next=1, missing={})
        missing: Dict[str, float] = state["missing"]
        numbers = [int(n) for n in missing] + list(
            range(state["next"], min(top, state["next"] + MAX_BATCHES - 1) + 1))
        total = 0
        for number in numbers:
            key = _batch_key(epoch, number)
            batch = self.cache.get(key)
            if batch is None:
                since = missing.setdefault(str(number), now)
                if now - since > GRACE:
                    del missing[str(number)]
                continue
            missing.pop(str(number), None)
            batch_id = batch.get("id") if isinstance(batch, dict) else None
            name = "memcached:%s" % batch_id if isinstance(batch_id, str) else \
                "memcached:%s:%d:%d" % (epoch, state["gen"], number)
            if not already(name):
                items = batch.get("rows") if isinstance(batch, dict) else batch
                rows = [tuple(r) for r in items or () if isinstance(r, list) and
                        len(r) in (3, 4)]
                commit(name, rows)
                total += len(rows)
            if isinstance(batch_id, str):  # its writer stops holding it
                self.cache.set(_taken_key(batch_id), 1, time=BATCH_TTL)
            self.cache.delete(key)
        if numbers:
            state["next"] = max(state["next"], max(numbers) + 1)
        set_mark(json.dumps(state, separators=(",", ":")))
        return total


def _state(text: str) -> Dict[str, Any]:
    try:
        state = json.loads(text) if text else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict) or not {"epoch", "gen", "next", "missing"} <= set(state):
        return {"epoch": None, "gen": 0, "next": 1, "missing": {}}
    return state


def for_config(conf: TieringConfig) -> Optional[MemcachedCounts]:
    """The memcached batches of ``conf`` (None: counts go to the journal)."""
    if conf.counts != "memcached":
        return None
    return MemcachedCounts(MemcacheRing(conf.memcache_servers))
