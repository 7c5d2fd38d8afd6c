"""S3 lifecycle rules as stored and applied: the one model shared by s3api
(which parses ``PutBucketLifecycleConfiguration`` into it and renders
``GetBucketLifecycleConfiguration`` from it) and the tierer (which applies it).

A bucket's rules are kept as JSON in its container sysmeta
(``LIFECYCLE_SYSMETA``). A rule matches an object by key prefix, tags (all
of them) and size bounds; it says when the object expires and when it
transitions to a storage class (mapped onto a tier). Days count from the
object's Last-Modified, as S3 does (S3 then rounds to the next midnight
UTC; objstore acts as soon as the days have passed).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

LIFECYCLE_SYSMETA = "X-Container-Sysmeta-S3api-Lifecycle"
#: the hidden container (in s3api's bucket index account) naming every
#: bucket with rules, one object ``<account>/<bucket>``, for the tierer's walk
LIFECYCLE_INDEX_CONTAINER = "lifecycle"
DAY = 86400
#: the WSGI environ key of an S3 request an in-process caller (the tierer's
#: lifecycle pass) sends for an account's owner, unsigned: s3api runs it
#: with the account's rights. Not an ``HTTP_`` key: no client can set it.
S3_INTERNAL_ACCOUNT_ENV = "objstore.s3api.internal_account"
#: objects smaller than this do not transition unless the rule filters by
#: size itself (S3's default, x-amz-transition-default-minimum-object-size:
#: all_storage_classes_128K; varies_by_storage_class only differs for
#: Glacier Flexible Retrieval and Deep Archive, which no tier maps to)
MIN_TRANSITION_SIZE = 128 * 1024


@dataclass
class Transition:
    storage_class: str
    days: Optional[int] = None
    date: Optional[float] = None  # unix time of midnight UTC


@dataclass
class NoncurrentTransition:
    """NoncurrentVersionTransition: a version noncurrent for ``days`` moves
    to ``storage_class``, unless fewer than ``newer_versions`` noncurrent
    versions are newer than it."""
    storage_class: str
    days: int
    newer_versions: Optional[int] = None


@dataclass
class Rule:
    id: str
    enabled: bool
    prefix: str = ""
    tags: Dict[str, str] = field(default_factory=dict)
    size_greater_than: Optional[int] = None
    size_less_than: Optional[int] = None
    #: the Filter was written with <And> (kept to render it back the same way)
    and_filter: bool = False
    #: the rule used the legacy top-level <Prefix> instead of <Filter>
    legacy_prefix: bool = False
    expiration_days: Optional[int] = None
    expiration_date: Optional[float] = None
    expired_object_delete_marker: Optional[bool] = None
    transitions: List[Transition] = field(default_factory=list)
    noncurrent_expiration_days: Optional[int] = None
    #: NoncurrentVersionExpiration's NewerNoncurrentVersions (versions kept)
    noncurrent_newer_versions: Optional[int] = None
    abort_multipart_days: Optional[int] = None
    noncurrent_transitions: List[NoncurrentTransition] = field(default_factory=list)

    def matches(self, name: str, size: int, tags: Optional[Mapping[str, str]]) -> bool:
        """Whether the rule applies to an object (``tags`` None: not read,
        only asked for when ``self.tags`` is not empty)."""
        if not self.enabled or not name.startswith(self.prefix):
            return False
        if self.size_greater_than is not None and not size > self.size_greater_than:
            return False
        if self.size_less_than is not None and not size < self.size_less_than:
            return False
        if self.tags:
            have = tags or {}
            return all(have.get(k) == v for k, v in self.tags.items())
        return True

    def expires(self, last_modified: float, now: float) -> bool:
        if self.expiration_days is not None:
            return now >= last_modified + self.expiration_days * DAY
        return self.expiration_date is not None and now >= self.expiration_date

    def expiry_date(self, last_modified: float) -> Optional[float]:
        """When S3 says the object expires (``x-amz-expiration``): the Date,
        or Last-Modified plus Days rounded up to the next midnight UTC."""
        if self.expiration_days is not None:
            return (int(last_modified + self.expiration_days * DAY) // DAY + 1) * DAY
        return self.expiration_date

    def aborts_upload(self, key: str, initiated: float, now: float) -> bool:
        """Whether an incomplete multipart upload of ``key`` begun at
        ``initiated`` is due to be aborted (S3 filters these by prefix only)."""
        return (self.enabled and self.abort_multipart_days is not None
                and key.startswith(self.prefix)
                and now >= initiated + self.abort_multipart_days * DAY)

    def expires_noncurrent(self, noncurrent_since: float, newer_noncurrent: int,
                           now: float) -> bool:
        """NoncurrentVersionExpiration of a version noncurrent since
        ``noncurrent_since`` with ``newer_noncurrent`` noncurrent versions
        newer than it."""
        if self.noncurrent_expiration_days is None:
            return False
        if self.noncurrent_newer_versions is not None and \
                newer_noncurrent < self.noncurrent_newer_versions:
            return False
        return now >= noncurrent_since + self.noncurrent_expiration_days * DAY

    def noncurrent_transition(self, noncurrent_since: float, newer_noncurrent: int,
                              now: float, size: int) -> Optional[str]:
        """The storage class of the latest NoncurrentVersionTransition due
        for a version noncurrent since ``noncurrent_since`` with
        ``newer_noncurrent`` noncurrent versions newer than it (the 128 KiB
        minimum applies as to current versions)."""
        if size < MIN_TRANSITION_SIZE and self.size_greater_than is None \
                and self.size_less_than is None:
            return None
        due = [(t.days, t.storage_class) for t in self.noncurrent_transitions
               if now >= noncurrent_since + t.days * DAY and
               (t.newer_versions is None or newer_noncurrent >= t.newer_versions)]
        return max(due)[1] if due else None

    def transition(self, last_modified: float, now: float, size: int) -> Optional[str]:
        """The storage class of the latest transition that is due, if any."""
        if size < MIN_TRANSITION_SIZE and self.size_greater_than is None \
                and self.size_less_than is None:
            return None
        due: List[Tuple[float, str]] = []
        for t in self.transitions:
            when = last_modified + t.days * DAY if t.days is not None else t.date
            if when is not None and now >= when:
                due.append((when, t.storage_class))
        return max(due)[1] if due else None


def dumps(rules: List[Rule]) -> str:
    return json.dumps([asdict(r) for r in rules], separators=(",", ":"), sort_keys=True)


def loads(text: str) -> List[Rule]:
    """The rules stored as ``dumps`` wrote them (nothing for empty or bad text)."""
    try:
        raw = json.loads(text) if text else []
    except ValueError:
        return []
    rules = []
    for item in raw if isinstance(raw, list) else []:
        item = dict(item)
        item["transitions"] = [Transition(**t) for t in item.get("transitions", [])]
        item["noncurrent_transitions"] = [NoncurrentTransition(**t) for t in
                                          item.get("noncurrent_transitions", [])]
        rules.append(Rule(**item))
    return rules
