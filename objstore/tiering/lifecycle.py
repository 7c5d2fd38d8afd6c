"""The tierer's S3 lifecycle pass (docs/tiering.md, "S3 lifecycle").

Walks the buckets named in s3api's lifecycle index (``lifecycle`` container
of the bucket index account), a bounded number of objects per pass,
resuming from a stored marker (``<account>/<bucket>`` and the last key),
and for each object the bucket's enabled rules match:

* ``Expiration`` due: the object is deleted (through the proxy pipeline,
  so its listing row and expirer entries go as for any delete);
* a ``Transition`` due: a move to the tier of that storage class is queued
  (reason ``lifecycle:<rule id>``); once moved the object is *pinned*:
  read counts no longer move it (S3 transitions are one-way).

A bucket that is gone leaves the index. Versioned buckets (objects
archived by s3api's versioning) are expired only in their current
objects; noncurrent versions and incomplete multipart uploads are left
(documented in docs/tiering.md).
"""

from __future__ import annotations

import calendar
import json
import logging
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote

from objstore.common.tiering.config import TieringConfig
from objstore.common.tiering.lifecycle_rules import (LIFECYCLE_INDEX_CONTAINER,
                                                     LIFECYCLE_SYSMETA, Rule, loads)
from objstore.common.tiering.queue import NOT_MOVABLE, TierQueue
from objstore.common.utils import close_if_possible
from objstore.tiering.client import InternalClient

MARK = "lifecycle"
TAGGING_SYSMETA = "X-Object-Transient-Sysmeta-S3api-Tagging"
PAGE = 1000


class LifecyclePass:
    def __init__(self, client: InternalClient, db: TierQueue, tiering: TieringConfig,
                 logger: logging.Logger, index_account: str = ".s3_bucket_index",
                 max_objects: int = 10000) -> None:
        self.client, self.db, self.tiering, self.logger = client, db, tiering, logger
        self.index_account = index_account
        self.max_objects = max_objects

    def _json(self, path: str, query: str) -> Optional[List[Dict[str, Any]]]:
        resp = self.client.request("GET", path, query=query)
        if resp.status_int == 404:
            return None
        if resp.status_int != 200:
            raise IOError("GET %s?%s: %s" % (path, query, resp.status))
        return json.loads(resp.body or b"[]")

    def run(self, now: float, stats: Dict[str, Any]) -> None:
        """One bounded step of the walk; the marker says where the next starts."""
        budget = self.max_objects
        bucket_mark, key_mark = _split_mark(self.db.mark(MARK))
        index = "/v1/%s/%s" % (self.index_account, LIFECYCLE_INDEX_CONTAINER)
        while budget > 0:
            rows = self._json(index, "format=json&limit=100&marker=" +
                              quote(_before(bucket_mark) if key_mark else bucket_mark))
            if not rows:
                self.db.set_mark(MARK, "")  # the walk is done; next pass starts over
                return
            for row in rows:
                name = row["name"]
                finished, last_key, used = self._bucket(name, key_mark if name == bucket_mark
                                                        else "", budget, now, stats)
                budget -= used
                if not finished:
                    self.db.set_mark(MARK, "%s\n%s" % (name, last_key))
                    return
                bucket_mark, key_mark = name, ""
                self.db.set_mark(MARK, "%s\n" % name)
                if budget <= 0:
                    return

    def _bucket(self, name: str, marker: str, budget: int, now: float,
                stats: Dict[str, Any]) -> Tuple[bool, str, int]:
        """Apply one bucket's rules from ``marker``; ``(finished, last key, objects)``."""
        account, _sep, bucket = name.partition("/")
        container = "/v1/%s/%s" % (account, bucket)
        head = self.client.request("HEAD", container)
        close_if_possible(head.app_iter)
        if head.status_int == 404:
            self._drop(name)
            return True, "", 0
        rules = [r for r in loads(head.headers.get(LIFECYCLE_SYSMETA, "")) if r.enabled]
        if not rules:
            self._drop(name)
            return True, "", 0
        used = 0
        while used < budget:
            rows = self._json(container, "format=json&limit=%d&marker=%s"
                              % (min(PAGE, budget - used), quote(marker)))
            if not rows:
                return True, "", used
            for row in rows:
                used += 1
                marker = row["name"]
                self._apply(rules, "%s/%s" % (container, row["name"]), row, now, stats)
        return False, marker, used

    def _apply(self, rules: List[Rule], path: str, row: Dict[str, Any], now: float,
               stats: Dict[str, Any]) -> None:
        modified = _listing_time(row["last_modified"])
        tags: Optional[Dict[str, str]] = None
        expire, transition = False, None
        for rule in rules:
            if rule.tags and tags is None:
                tags = self._tags(path)
            if not rule.matches(row["name"], int(row.get("bytes", 0)), tags):
                continue
            expire = expire or rule.expires(modified, now)
            due = rule.transition(modified, now, int(row.get("bytes", 0)))
            if due is not None:
                transition = (due, rule.id)
        if expire:
            resp = self.client.request("DELETE", path)
            close_if_possible(resp.app_iter)
            if resp.status_int in (204, 404):
                stats["expired"] = stats.get("expired", 0) + 1
                self.db.forget(path)
            else:
                self.logger.warning("tierer lifecycle: DELETE %s: %s", path, resp.status)
            return
        if transition is None:
            return
        tier = self.tiering.tier_by_storage_class(transition[0])
        if tier is None:
            return
        row_state = self.db.object_row(path)
        if row_state is not None and (row_state[2] == NOT_MOVABLE or
                                      (row_state[0] == tier.name and row_state[2])):
            return  # a manifest, or already there and pinned
        if self.db.enqueue(path, row_state[0] if row_state else None, tier.name,
                           "lifecycle:%s" % transition[1], now):
            stats["transitioned"] = stats.get("transitioned", 0) + 1

    def _tags(self, path: str) -> Dict[str, str]:
        resp = self.client.request("HEAD", path)
        close_if_possible(resp.app_iter)
        raw = resp.headers.get(TAGGING_SYSMETA, "") if resp.status_int == 200 else ""
        return dict(parse_qsl(raw, keep_blank_values=True))

    def _drop(self, name: str) -> None:
        resp = self.client.request("DELETE", "/v1/%s/%s/%s" % (
            self.index_account, LIFECYCLE_INDEX_CONTAINER, name))
        close_if_possible(resp.app_iter)


def _split_mark(mark: str) -> Tuple[str, str]:
    bucket, _sep, key = mark.partition("\n")
    return bucket, key


def _before(name: str) -> str:
    """A listing marker that lists ``name`` itself again (its walk was not
    finished: ``name`` without its last character sorts just before it)."""
    return name[:-1] if name else ""


def _listing_time(text: str) -> float:
    """Unix time of a listing's ``last_modified`` (``2026-12-05T16:04:10.940230``)."""
    base, _dot, fraction = text.partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + \
        float("0." + (fraction or "0"))
