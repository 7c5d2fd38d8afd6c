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
generation. Counts are advisory: what memcached drops (eviction, a
restart) only delays a move, as a proxy crash does with the journal.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Dict, List, Optional

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


def _seq_key(epoch: str) -> str:
    return "%s/seq/%s" % (PREFIX, epoch)


def _batch_key(epoch: str, number: int) -> str:
    return "%s/batch/%s/%d" % (PREFIX, epoch, number)


class MemcachedCounts:
    """Batches of count rows in memcached (``cache``: a ``MemcacheRing``)."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def _epoch(self) -> Optional[str]:
        epoch = self.cache.get(EPOCH_KEY)
        if epoch is None:
            self.cache.add(EPOCH_KEY, uuid.uuid4().hex)
            epoch = self.cache.get(EPOCH_KEY)
        return str(epoch) if epoch is not None else None

    def write(self, rows: List[CountRow]) -> int:
        """Store ``rows`` as one batch; raises ``OSError`` when memcached
        does not take it (the caller logs it: counts are advisory)."""
        rows = [list(r) for r in rows if r[2] >= 0]
        if not rows:
            return 0
        epoch = self._epoch()
        if epoch is None:
            raise OSError("memcached keeps no tiering epoch (%s)" % EPOCH_KEY)
        for start in range(0, len(rows), BATCH_ROWS):  # each under memcached's 1 MiB
            number = self.cache.incr(_seq_key(epoch), time=BATCH_TTL)
            if not self.cache.set(_batch_key(epoch, number), rows[start:start + BATCH_ROWS],
                                  time=BATCH_TTL):
                raise OSError("memcached did not store count batch %d" % number)
        return len(rows)

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
            name = "memcached:%s:%d:%d" % (epoch, state["gen"], number)
            if not already(name):
                rows = [tuple(r) for r in batch if isinstance(r, list) and len(r) in (3, 4)]
                commit(name, rows)
                total += len(rows)
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
