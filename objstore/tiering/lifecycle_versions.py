"""The lifecycle pass in a bucket that keeps versions (docs/tiering.md).

Sent as S3 requests through the ``lifecycle`` pipeline (s3api's in-process
internal account: no signature, the bucket owner's rights), so whatever
layout s3api keeps versions in, the pass does what a client would:

* ``Expiration`` (Days/Date) due on a current version: ``DELETE /bucket/key``
  (a delete marker is written; nothing is removed);
* ``ExpiredObjectDeleteMarker``: a delete marker that is the key's only
  version is deleted by its id;
* ``NoncurrentVersionExpiration`` (NoncurrentDays, counted from when the
  next newer version was written; NewerNoncurrentVersions kept): the version
  is deleted by its id.
* ``NoncurrentVersionTransition`` (the same days and count): the version
  is handed to ``transition(key, version id, storage class, rule id)``,
  which queues a move of the object that keeps it (``lifecycle.py``).

A locked version (retention, legal hold) is refused by the object server
and stays. The walk reads ``ListObjectVersions`` pages, handles a key once
all its versions are read, and stops between keys: ``(finished, last key,
entries used)``; the caller stores the key to resume from.
"""

from __future__ import annotations

import calendar
import logging
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

#: ``transition(key, version_id, storage_class, rule_id)``
Transit = Callable[[str, str, str, str], None]
from urllib.parse import urlencode
from xml.etree import ElementTree

from objstore.common.tiering.lifecycle_rules import S3_INTERNAL_ACCOUNT_ENV, Rule
from objstore.common.utils import close_if_possible
from objstore.common.internal_client import InternalClient

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
PAGE = 1000


class Entry:
    __slots__ = ("key", "version_id", "latest", "marker", "modified", "size")

    def __init__(self, elem: ElementTree.Element) -> None:
        self.key = _text(elem, "Key")
        self.version_id = _text(elem, "VersionId")
        self.latest = _text(elem, "IsLatest") == "true"
        self.marker = elem.tag == S3_NS + "DeleteMarker"
        self.modified = _iso_time(_text(elem, "LastModified"))
        self.size = int(_text(elem, "Size") or 0)


class VersionsWalk:
    def __init__(self, make_client: Callable[[], InternalClient],
                 logger: logging.Logger) -> None:
        """``make_client``: the ``lifecycle`` pipeline's client, loaded on
        the first versioned bucket."""
        self.make_client, self.logger = make_client, logger
        self._client: Optional[InternalClient] = None

    @property
    def client(self) -> InternalClient:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def _s3(self, method: str, account: str, bucket: str, key: str = "",
            query: Optional[Dict[str, str]] = None) -> Tuple[int, bytes]:
        path = "/%s" % bucket + ("/%s" % key if key else "")
        resp = self.client.request(method, path, query=urlencode(query or {}),
                                   extra_env={S3_INTERNAL_ACCOUNT_ENV: account})
        body = b"".join(resp.app_iter) if method == "GET" else b""
        close_if_possible(resp.app_iter)
        return resp.status_int, body

    def run(self, account: str, bucket: str, rules: List[Rule], key_marker: str,
            budget: int, now: float, stats: Dict[str, Any],
            transition: Optional[Transit] = None) -> Tuple[bool, str, int]:
        used, pending, query = 0, [], {"versions": "", "max-keys": str(PAGE)}
        if key_marker:
            query["key-marker"] = key_marker
        while True:
            status, body = self._s3("GET", account, bucket, query=query)
            if status != 200:
                raise IOError("ListObjectVersions %s/%s: %d" % (account, bucket, status))
            doc = ElementTree.fromstring(body)
            entries = [Entry(e) for e in doc if e.tag in (S3_NS + "Version",
                                                           S3_NS + "DeleteMarker")]
            truncated = _text(doc, "IsTruncated") == "true"
            for entry in entries:
                if pending and entry.key != pending[0].key:
                    self._key(account, bucket, rules, pending, now, stats, transition)
                    used, key_marker, pending = used + len(pending), pending[0].key, []
                    if used >= budget:
                        return False, key_marker, used
                pending.append(entry)
            if not truncated:
                if pending:
                    self._key(account, bucket, rules, pending, now, stats, transition)
                    used += len(pending)
                return True, "", used
            query["key-marker"] = _text(doc, "NextKeyMarker")
            query["version-id-marker"] = _text(doc, "NextVersionIdMarker")

    def _key(self, account: str, bucket: str, rules: List[Rule], versions: List[Entry],
             now: float, stats: Dict[str, Any], transition: Optional[Transit] = None) -> None:
        """Apply the rules to one key's versions (newest first)."""
        key = versions[0].key
        tags: Dict[str, Dict[str, str]] = {}

        def matching(entry: Entry) -> List[Rule]:
            out = []
            for rule in rules:
                if rule.tags and entry.version_id not in tags and not entry.marker:
                    tags[entry.version_id] = self._tags(account, bucket, entry)
                if rule.matches(key, entry.size, tags.get(entry.version_id)):
                    out.append(rule)
            return out

        current = versions[0]
        if current.latest and not current.marker:
            if any(r.expires(current.modified, now) for r in matching(current)):
                if self._delete(account, bucket, key, None):
                    stats["expired"] = stats.get("expired", 0) + 1
        elif current.latest and len(versions) == 1:
            if any(r.expired_object_delete_marker for r in matching(current)):
                if self._delete(account, bucket, key, current.version_id):
                    stats["expired_markers"] = stats.get("expired_markers", 0) + 1
        for rank, entry in enumerate(versions[1:]):
            since = versions[rank].modified  # the version that replaced it
            rules_of = matching(entry)
            if any(r.expires_noncurrent(since, rank, now) for r in rules_of):
                if self._delete(account, bucket, key, entry.version_id):
                    stats["noncurrent_expired"] = stats.get("noncurrent_expired", 0) + 1
                continue
            if transition is None or entry.marker:
                continue
            due = [(r.noncurrent_transition(since, rank, now, entry.size), r.id)
                   for r in rules_of]
            due = [d for d in due if d[0] is not None]
            if due:
                transition(key, entry.version_id, due[-1][0], due[-1][1])

    def _delete(self, account: str, bucket: str, key: str, version_id: Optional[str]) -> bool:
        status, _body = self._s3("DELETE", account, bucket, key,
                                 {"versionId": version_id} if version_id else None)
        if status in (200, 204):
            return True
        # 403 AccessDenied: a locked version (retention or legal hold) stays
        self.logger.info("tierer lifecycle: DELETE %s/%s/%s?versionId=%s: %d", account,
                         bucket, key, version_id, status)
        return False

    def _tags(self, account: str, bucket: str, entry: Entry) -> Dict[str, str]:
        status, body = self._s3("GET", account, bucket, entry.key,
                                {"tagging": "", "versionId": entry.version_id})
        if status != 200:
            return {}
        doc = ElementTree.fromstring(body)
        return {_text(t, "Key"): _text(t, "Value") for t in doc.iter(S3_NS + "Tag")}


def _text(elem: ElementTree.Element, name: str) -> str:
    found = elem.find(S3_NS + name)
    return (found.text or "") if found is not None else ""


def _iso_time(text: str) -> float:
    """Unix time of S3's ``2026-12-05T16:04:10.940Z``."""
    base = text.rstrip("Z").partition(".")[0]
    return float(calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))) if base else 0.0
