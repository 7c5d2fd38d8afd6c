"""objstore-tierer: moves objects between tiers (docs/tiering.md).

Each pass:

1. *collect*: fold the proxies' read counts into the queue database
   (their journals, ``common.tiering.journal.collect``, or with
   ``counts = memcached`` their batches, ``memcached_counts``);
2. *lifecycle*: apply S3 lifecycle rules (``tiering.lifecycle``), a
   bounded number of objects a pass (first, so a rule's move is queued
   before a count's);
3. *decide*: for each tracked object (at most ``max_decisions`` a pass,
   resumed from a marker), compare its reads in the window with its tier,
   hysteresis applied, and queue a move when it crosses a boundary. Up at
   once; down only after the object spent a whole window in its tier (an
   object just written is not cold yet);
4. *work*: ``workers`` green threads take moves with a lease and run them
   (``tiering.mover``), renewing the lease as they go; a failed attempt goes
   back to the queue until ``max_attempts``, then ``failed``;
5. *sweep*: delete ``.tiers`` bodies no pointer names any more (a client
   overwrote or deleted the object), ``tiering.sweep``;
6. *prune* counts older than the window and history older than
   ``history_days``.

Run continuously (``objstore-tierer CONF``), a pass every ``interval``
seconds, each under an exclusive lock on ``<state_dir>/pass.lock``. While
``<state_dir>/paused`` exists (empty, or naming a live process id: a test
session that drives passes itself writes its own) the continuous daemon
skips its passes; ``--once`` and in-process ``run_once`` are never paused.

Recon (``/recon/tiering`` on the object server sharing ``recon_cache_path``):
the pass counters, objects per tier, move states and the last moves.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import time
from typing import Any, Dict, Iterator, List, Optional

from objstore.common import concurrency
from objstore.common.config import ConfigError, config_float, config_int, swift_dir
from objstore.common.daemon import Daemon, run_daemon
from objstore.common.storage_policy import load_policies
from objstore.common.tiering import journal, memcached_counts
from objstore.common.tiering.config import TieringConfig, load_tiering
from objstore.common.tiering.queue import (ABANDONED, DONE, FAILED, NOT_MOVABLE, PINNED,
                                           PINNING_REASONS, Move, TierQueue)
from objstore.common.internal_client import InternalClient
from objstore.tiering.lifecycle import LifecyclePass
from objstore.tiering.lifecycle_versions import VersionsWalk
from objstore.tiering.mover import MoveError, Mover
from objstore.tiering.sweep import OrphanSweep

STAT_KEYS = ("collected", "decided", "queued", "moved", "abandoned", "failed", "retried",
             "expired", "expiration_skipped", "expired_markers", "noncurrent_expired",
             "aborted_uploads", "transitioned", "orphans")
RECENT_MOVES = 20
#: in ``state_dir``: held during a pass of the continuous daemon
PASS_LOCK = "pass.lock"
#: in ``state_dir``: the continuous daemon skips its passes while it exists
#: (empty, or holding the id of a process still alive)
PAUSE_FILE = "paused"


def paused(state_dir: str) -> bool:
    """Whether ``<state_dir>/paused`` holds the continuous tierer back."""
    try:
        with open(os.path.join(state_dir, PAUSE_FILE)) as fp:
            owner = fp.read().strip()
    except FileNotFoundError:
        return False
    if not owner:
        return True
    try:
        os.kill(int(owner), 0)
    except (ValueError, ProcessLookupError):
        return False  # its process is gone (a test session that died)
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def pass_lock(state_dir: str) -> Iterator[None]:
    """The lock a continuous pass holds: whoever takes it knows no pass
    of the daemon is under way."""
    os.makedirs(state_dir, exist_ok=True)
    with open(os.path.join(state_dir, PASS_LOCK), "a") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


class Tierer(Daemon):
    name = "object-tierer"
    server_type = "object"
    default_interval = 30.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 client: Optional[InternalClient] = None) -> None:
        super().__init__(conf, logger)
        directory = swift_dir(conf)
        self.policies = load_policies(directory)
        tiering = load_tiering(directory, self.policies)
        if tiering is None:
            raise ConfigError("objstore.conf in %s declares no [tier:NAME]: nothing to tier"
                              % directory)
        self.tiering: TieringConfig = tiering
        self.workers = config_int(conf, "workers", 4, minimum=1)
        self.lease_seconds = config_float(conf, "lease_seconds", 60.0)
        self.max_moves = config_int(conf, "max_moves_per_pass", 1000, minimum=1)
        self.max_decisions = config_int(conf, "max_decisions_per_pass", 10000, minimum=1)
        self.max_attempts = config_int(conf, "max_attempts", 5, minimum=1)
        self.history_days = config_float(conf, "history_days", 7.0)
        if "clock_offset" in conf:  # test-only: a tierer run "days later"
            self.tiering.clock_offset = config_float(conf, "clock_offset", 0.0)
        self.client = client or InternalClient(
            conf.get("proxy_conf", os.path.join(directory, "proxy-server.conf")),
            conf.get("pipeline", "tierer"))
        self.db = TierQueue(self.tiering.state_dir)
        self.batches = memcached_counts.for_config(self.tiering)
        self.mover = Mover(self.client, self.tiering, self.policies, self.logger,
                           pause_after=conf.get("pause_after_step", ""),
                           pause_seconds=config_float(conf, "pause_seconds", 0.0))
        self.owner = "%s-%d" % (socket.gethostname(), os.getpid())
        #: run by ``run_forever``: its passes take the pass lock and pause
        self.continuous = False
        index = conf.get("lifecycle_index_account", ".s3_bucket_index").strip()
        proxy_conf = conf.get("proxy_conf", os.path.join(directory, "proxy-server.conf"))
        versions_pipeline = conf.get("lifecycle_pipeline", "lifecycle").strip()
        versions = VersionsWalk(lambda: InternalClient(proxy_conf, versions_pipeline),
                                self.logger) if versions_pipeline else None
        self.lifecycle = LifecyclePass(
            self.client, self.db, self.tiering, self.logger, index,
            config_int(conf, "max_lifecycle_objects_per_pass", 10000, minimum=1),
            versions) if index else None
        self.sweep = OrphanSweep(self.client, self.db, self.logger,
                                 config_int(conf, "max_sweep_per_pass", 1000, minimum=1),
                                 self.mover.keeps_versions)

    def now(self) -> float:
        return time.time() + self.tiering.clock_offset

    # --------------------------------------------------------------- pass
    def run_pass(self) -> Dict[str, Any]:
        stats = {key: 0 for key in STAT_KEYS}
        now = self.now()
        commit = lambda name, rows: self.db.add_counts(name, rows, now)  # noqa: E731
        if self.batches is not None:
            stats["collected"] = self.batches.collect(
                lambda: self.db.mark(memcached_counts.MARK),
                lambda value: self.db.set_mark(memcached_counts.MARK, value),
                self.db.was_collected, commit, now)
        else:
            stats["collected"] = journal.collect(self.tiering.journal_dir,
                                                 self.db.was_collected, commit)
        if self.lifecycle is not None:  # first: a rule's move beats a count's
            self.lifecycle.run(now, stats)
        self.decide(now, stats)
        self.work(stats)
        self.sweep.run(stats, now)
        self.db.prune(journal.bucket_of(now - self.tiering.window, self.tiering.bucket),
                      now - self.history_days * 86400)
        return stats

    def run_once(self) -> Dict[str, Any]:
        if not self.continuous:
            return self._run_once()
        with pass_lock(self.tiering.state_dir):
            if paused(self.tiering.state_dir):
                self.logger.debug("tierer: paused (%s)", PAUSE_FILE)
                return {}
            return self._run_once()

    def _run_once(self) -> Dict[str, Any]:
        started = time.time()
        stats = super().run_once()
        self.dump_recon(self.recon(stats, time.time() - started))
        return stats

    def run_forever(self) -> None:
        self.continuous = True
        super().run_forever()

    def recon(self, stats: Dict[str, Any], pass_time: float) -> Dict[str, Any]:
        """What ``/recon/tiering`` answers (the dashboard's tiering panel):
        each tier with the number of tracked objects in it, move rows per
        state, the last moves."""
        counts = self.db.tier_counts()
        return {"last_pass": time.time(), "pass_time": round(pass_time, 4), "stats": stats,
                "tiers": {t.name: {"policy": t.policy, "min_reads": t.min_reads,
                                   "storage_class": t.storage_class,
                                   "objects": counts.get(t.name, 0)}
                          for t in self.tiering.tiers},
                # the same counts by tier name (the dashboard's tiering panel reads it)
                "objects_per_tier": {t.name: counts.get(t.name, 0) for t in self.tiering.tiers},
                "moves": self.db.state_counts(),
                "recent_moves": [m.as_dict() for m in self.db.history(0.0, RECENT_MOVES)]}

    # ------------------------------------------------------------- decide
    def decide(self, now: float, stats: Dict[str, Any]) -> None:
        oldest = journal.bucket_of(now - self.tiering.window, self.tiering.bucket)
        marker = self.db.mark("decide")
        rows = self.db.tracked(marker, self.max_decisions, oldest)
        self.db.set_mark("decide", rows[-1][0] if len(rows) == self.max_decisions else "")
        # the tier of objects seen for the first time, asked several at once
        unknown = [r[0] for r in rows if r[1] is None and not r[3]]
        pool = concurrency.GreenPool(self.workers * 4)
        learnt = dict(zip(unknown, pool.imap(self.mover.current_tier, unknown)))
        for path, tier, since, pinned, count in rows:
            stats["decided"] += 1
            if tier is None and not pinned:
                tier = learnt.get(path)
                if tier is None:
                    self.db.forget(path)  # gone, or in a container of no tier
                    continue
                self.db.set_tier(path, tier, since)
            if pinned or tier is None or self.db.open_move(path) is not None:
                continue
            target = self.tiering.target(count, tier)
            if target == tier:
                continue
            up = self.tiering.by_name[target].min_reads > self.tiering.by_name[tier].min_reads \
                if tier in self.tiering.by_name else True
            if not up and now - since < self.tiering.window:
                continue  # not a whole window in its tier yet: not cold
            if self.db.enqueue(path, tier, target, "reads: %d in %ds" % (count,
                               self.tiering.window), now):
                stats["queued"] += 1

    # --------------------------------------------------------------- work
    def work(self, stats: Dict[str, Any]) -> None:
        budget = [self.max_moves]
        pool = concurrency.GreenPool(self.workers)
        for index in range(self.workers):
            pool.spawn(self._worker, "%s-%d" % (self.owner, index), budget, stats)
        pool.waitall()

    def _worker(self, owner: str, budget: List[int], stats: Dict[str, Any]) -> None:
        while budget[0] > 0:
            move = self.db.lease(owner, self.now(), self.lease_seconds)
            if move is None:
                return
            budget[0] -= 1
            self.run_move(move, owner, stats)

    def run_move(self, move: Move, owner: str, stats: Dict[str, Any]) -> None:
        renewed = [time.time()]

        def keepalive() -> None:
            if time.time() - renewed[0] > self.lease_seconds / 3:
                if not self.db.renew(move.id, owner, self.now() + self.lease_seconds):
                    raise MoveError("lost the lease of move %d" % move.id)
                renewed[0] = time.time()

        try:
            outcome = self.mover.move(move, keepalive, lambda version, location: self.db.note(
                move.id, owner, version, location))
        except Exception as err:  # a failed attempt: back to the queue, or failed
            text = "%s: %s" % (type(err).__name__, err)
            if move.attempts >= self.max_attempts:
                self.db.finish(move.id, owner, FAILED, self.now(), text)
                stats["failed"] += 1
                self.logger.error("tierer: move %d of %s failed for good: %s",
                                  move.id, move.path, text)
            else:
                self.db.release(move.id, owner, text)
                stats["retried"] += 1
                self.logger.warning("tierer: move %d of %s will be retried: %s",
                                    move.id, move.path, text)
            return
        if not self.db.finish(move.id, owner, outcome.state, self.now(), outcome.detail):
            return  # lease lost to another worker: it records the move
        if outcome.state == DONE:
            stats["moved"] += 1
            self.db.set_tier(move.path, outcome.tier, self.now(),
                             pinned=PINNED if move.reason.startswith(PINNING_REASONS) else None)
        elif outcome.state == ABANDONED:
            stats["abandoned"] += 1
            tier = self.mover.current_tier(move.path)
            if tier is None:
                self.db.forget(move.path)
            else:  # a manifest is asked no more: neither counts nor rules move it
                self.db.set_tier(move.path, tier, self.now(),
                                 pinned=None if outcome.movable else NOT_MOVABLE)


def main(argv: Optional[List[str]] = None) -> int:
    concurrency.monkey_patch()
    return run_daemon(Tierer, argv)
