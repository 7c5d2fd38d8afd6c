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

* ``NoncurrentVersionTransition`` due (in a bucket versioned by
  object_versioning): a move of the kept version, an object of the
  bucket's versions container, is queued the same way (the ``null``
  version too, found by its row without a listed id); its name, ETag,
  version id and listing rows stay. A multipart object's parts are
  queued with its manifest.
* ``AbortIncompleteMultipartUpload`` due (days after the upload's
  initiation): the upload's parts and marker are deleted, as
  AbortMultipartUpload does; walked after the bucket's objects.

A bucket that is gone leaves the index. In a bucket that keeps versions the
object walk only transitions (a DELETE from here would bypass the
versioning middlewares and lose the current version); expirations there
are the versions walk's (``lifecycle_versions.py``, S3 requests), after
the uploads.
"""

from __future__ import annotations

import calendar
import json
import logging
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote

from objstore.common.reserved import ALLOW_HEADER
from objstore.common.s3_layout import (MANIFEST_SYSMETA, SEGMENTS_SUFFIX, TAGGING_SYSMETA,
                                       manifest_parts, parts_owned_by,
                                       UPLOAD_MARKER_RE, upload_initiated)
from objstore.common.tiering.config import TieringConfig
from objstore.common.tiering.lifecycle_rules import (LIFECYCLE_INDEX_CONTAINER,
                                                     LIFECYCLE_SYSMETA, Rule, loads)
from objstore.common.tiering.queue import NOT_MOVABLE, TierQueue
from objstore.common.utils import close_if_possible
from objstore.common.versions import DELETE_MARKER_TYPE, SYSMETA_LOCATION, stored_location
from objstore.common.versions_listing import (NULL_ID, SEPARATOR, split_version_name,
                                              version_name)
from objstore.common.internal_client import InternalClient
from objstore.tiering.lifecycle_versions import VersionsWalk

MARK = "lifecycle"
#: where the walk of the current bucket's multipart uploads stands
UPLOADS_MARK = "lifecycle-uploads"
#: where the versions walk of the current bucket stands ("\n<key>")
VERSIONS_MARK = "lifecycle-versions"
#: the object marker of a bucket whose keys are all walked but not its uploads
AFTER_ALL_KEYS = "\U0010ffff"
#: container headers of a bucket that keeps versions (S3 versioning on or
#: suspended, Swift's versioned_writes or object_versioning)
VERSIONING_HEADERS = ("X-Container-Sysmeta-S3api-Versioning", "X-History-Location",
                      "X-Versions-Location", "X-Versions-Enabled",
                      "X-Container-Sysmeta-Versions-Enabled")
PAGE = 1000
#: a delete marker's content type, without its parameters
MARKER_TYPE = DELETE_MARKER_TYPE.split(";", 1)[0]


class LifecyclePass:
    def __init__(self, client: InternalClient, db: TierQueue, tiering: TieringConfig,
                 logger: logging.Logger, index_account: str = ".s3_bucket_index",
                 max_objects: int = 10000, versions: Optional[VersionsWalk] = None) -> None:
        self.client, self.db, self.tiering, self.logger = client, db, tiering, logger
        #: the S3 walk of buckets that keep versions (None: they are not expired)
        self.versions = versions
        self.index_account = index_account
        self.max_objects = max_objects

    def _json(self, path: str, query: str) -> Optional[List[Dict[str, Any]]]:
        """A JSON listing, straight from the proxy app (names, sizes and
        times are stored in the clear; see ``_bucket`` for why not through
        catch_errors)."""
        resp = self.client.request("GET", path, query=query, raw=True)
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
        # straight to the proxy app: a versioned bucket's sysmeta names its
        # reserved versions container ("\x00..."), which catch_errors would
        # refuse to answer a client with
        head = self.client.request("HEAD", container, headers={ALLOW_HEADER: "true"},
                                   raw=True)
        close_if_possible(head.app_iter)
        if head.status_int != 404 and head.status_int // 100 != 2:
            # an error is no answer: the bucket stays in the index
            raise IOError("HEAD %s: %s" % (container, head.status))
        rules = [r for r in loads(head.headers.get(LIFECYCLE_SYSMETA, "")) if r.enabled]
        if head.status_int == 404 or not rules:
            self._drop(name)
            self.db.set_mark(UPLOADS_MARK, "")
            self.db.set_mark(VERSIONS_MARK, "")
            return True, "", 0
        versioned = any(head.headers.get(h) for h in VERSIONING_HEADERS)
        used = 0
        while used < budget:
            rows = self._json(container, "format=json&limit=%d&marker=%s"
                              % (min(PAGE, budget - used), quote(marker)))
            if not rows:
                break
            for row in rows:
                used += 1
                marker = row["name"]
                self._apply(rules, "%s/%s" % (container, row["name"]), row, now, stats,
                            versioned)
        else:
            return False, marker, used
        if any(r.abort_multipart_days is not None for r in rules) and \
                not self.db.mark(VERSIONS_MARK):
            done, spent = self._uploads(container + SEGMENTS_SUFFIX, rules, budget - used,
                                        now, stats)
            if not done:
                return False, AFTER_ALL_KEYS, used + spent
            used += spent
        if versioned and self.versions is not None:
            kept_in = stored_location(head.headers.get(SYSMETA_LOCATION))

            def transition(key: str, version_id: str, storage_class: str, rule: str) -> None:
                # a noncurrent version is an object of the versions container
                # (object_versioning's layout; the legacy one's are not moved)
                if not kept_in:
                    return
                name = self._kept_null(account, kept_in, key) if version_id == NULL_ID \
                    else version_name(key, version_id)
                if name is not None:
                    self._transition("/v1/%s/%s/%s" % (account, kept_in, name),
                                     storage_class, rule, now, stats)
            done, last, spent = self.versions.run(
                account, bucket, rules, self.db.mark(VERSIONS_MARK).lstrip("\n"),
                max(budget - used, 1), now, stats, transition)
            # "\n" first: the walk has begun (uploads are done) even before a key
            self.db.set_mark(VERSIONS_MARK, "" if done else "\n" + last)
            if not done:
                return False, AFTER_ALL_KEYS, used + spent
            used += spent
        return True, "", used

    def _kept_null(self, account: str, kept_in: str, key: str) -> Optional[str]:
        """The name ``key``'s ``null`` version (written before versioning
        was enabled, or while it was suspended) is kept under in the
        versions container: object_versioning keeps it under its write
        time, its row listing no version id. ``None`` when there is none."""
        container, prefix, marker = "/v1/%s/%s" % (account, kept_in), key + SEPARATOR, ""
        while True:
            rows = self._json(container, "format=json&limit=%d&prefix=%s&marker=%s"
                              % (PAGE, quote(prefix), quote(marker)))
            if not rows:
                return None
            for row in rows:
                if split_version_name(row["name"])[0] == key and not row.get("version_id") \
                        and not row.get("content_type", "").startswith(MARKER_TYPE):
                    return str(row["name"])
            marker = rows[-1]["name"]

    def _uploads(self, segments: str, rules: List[Rule], budget: int, now: float,
                 stats: Dict[str, Any]) -> Tuple[bool, int]:
        """AbortIncompleteMultipartUpload: walk the bucket's segments container
        (s3api's ``<key>/<upload id>`` markers, their parts under them) from
        the stored uploads marker, aborting each upload a rule says is due
        as AbortMultipartUpload does (its parts, then its marker).
        ``(finished, rows used)``."""
        marker, used = self.db.mark(UPLOADS_MARK), 0
        while used < budget:
            rows = self._json(segments, "format=json&limit=%d&marker=%s"
                              % (min(PAGE, budget - used), quote(marker)))
            if not rows:
                self.db.set_mark(UPLOADS_MARK, "")
                return True, used
            for row in rows:
                used += 1
                marker = row["name"]
                found = UPLOAD_MARKER_RE.match(marker)
                if found is None:
                    continue  # a part
                initiated = upload_initiated(found.group("upload"))
                if any(r.aborts_upload(found.group("key"), initiated, now) for r in rules):
                    used += self._abort(segments, marker)
                    stats["aborted_uploads"] = stats.get("aborted_uploads", 0) + 1
            self.db.set_mark(UPLOADS_MARK, marker)
        return False, used

    def _abort(self, segments: str, upload: str) -> int:
        """Delete an upload's parts, then its marker; the number of parts."""
        parts, after = 0, ""
        while True:
            rows = self._json(segments, "format=json&limit=%d&prefix=%s&marker=%s"
                              % (PAGE, quote(upload + "/"), quote(after)))
            if not rows:
                break
            for row in rows:
                self._delete("%s/%s" % (segments, row["name"]))
                parts, after = parts + 1, row["name"]
        self._delete("%s/%s" % (segments, upload))
        return parts

    def _delete(self, path: str) -> None:
        resp = self.client.request("DELETE", path)
        close_if_possible(resp.app_iter)
        if resp.status_int not in (204, 404):
            raise IOError("DELETE %s: %s" % (path, resp.status))

    def _apply(self, rules: List[Rule], path: str, row: Dict[str, Any], now: float,
               stats: Dict[str, Any], versioned: bool = False) -> None:
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
        if expire and versioned:
            # A DELETE here would bypass the versioning middlewares and lose
            # the current version: the versions walk writes the delete
            # marker through S3 (without it, nothing is expired).
            if self.versions is None:
                stats["expiration_skipped"] = stats.get("expiration_skipped", 0) + 1
            return
        if expire:
            self._expire(path, stats)
            return
        if transition is not None:
            self._transition(path, transition[0], transition[1], now, stats)

    def _transition(self, path: str, storage_class: str, rule_id: str, now: float,
                    stats: Dict[str, Any], parts: bool = True) -> None:
        """Queue a move of ``path`` to the tier of ``storage_class``, and of
        each part of a multipart object (its manifest, a small object,
        moves as any object and shows the class; its bytes are the parts)."""
        tier = self.tiering.tier_by_storage_class(storage_class)
        if tier is None:
            return
        row_state = self.db.object_row(path)
        if row_state is not None and (row_state[2] == NOT_MOVABLE or
                                      (row_state[0] == tier.name and row_state[2])):
            return  # a manifest, or already there and pinned
        if self.db.enqueue(path, row_state[0] if row_state else None, tier.name,
                           "lifecycle:%s" % rule_id, now):
            stats["transitioned"] = stats.get("transitioned", 0) + 1
        if parts:
            account = path.split("/")[2]
            for part in self._parts(path):
                self._transition("/v1/%s/%s" % (account, part), storage_class, rule_id, now,
                                 stats, parts=False)

    def _expire(self, path: str, stats: Dict[str, Any]) -> None:
        """Delete an object, and the parts of a multipart one after it, as
        s3api's DeleteObject does (the tierer's pipeline has no s3api)."""
        parts = self._parts(path)
        resp = self.client.request("DELETE", path)
        close_if_possible(resp.app_iter)
        if resp.status_int not in (204, 404):
            self.logger.warning("tierer lifecycle: DELETE %s: %s", path, resp.status)
            return
        stats["expired"] = stats.get("expired", 0) + 1
        self.db.forget(path)
        account = path.split("/")[2]
        for part in parts:
            self._delete("/v1/%s/%s" % (account, part))

    def _parts(self, path: str) -> List[str]:
        """``container/object`` of each part of an s3api multipart object
        that its upload made (``s3_layout``: its manifest, in either form,
        read as stored: this pipeline has no slo); none for others."""
        head = self.client.request("HEAD", path)
        close_if_possible(head.app_iter)
        if head.status_int != 200 or not head.headers.get(MANIFEST_SYSMETA):
            return []
        resp = self.client.request("GET", path)
        body = b"".join(resp.app_iter) if resp.status_int == 200 else b""
        close_if_possible(resp.app_iter)
        try:
            paths = [part["path"] for part in manifest_parts(body or b"[]")]
        except ValueError:
            self.logger.warning("tierer lifecycle: %s: a damaged manifest, parts kept", path)
            return []
        _v1, _account, bucket, key = path.split("/", 4)[1:]
        return parts_owned_by(key, paths, bucket)

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
