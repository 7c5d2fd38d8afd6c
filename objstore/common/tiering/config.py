"""The tiers of a cluster: ``[tiering]`` and ``[tier:NAME]`` in ``objstore.conf``.

A tier is a storage policy plus the number of reads (in a sliding window)
an object needs to belong to it. Tiers are ordered by ``min_reads``: an
object belongs to the highest tier whose ``min_reads`` its windowed count
reaches. Hysteresis keeps an object near a boundary from flapping: it goes
*up* when its count reaches the higher tier's ``min_reads``, and *down* only
once its count falls below ``min_reads x (1 - hysteresis)`` of the tier it
is in.

Both the proxy (counting, ``/info``, following tier pointers) and the
``objstore-tierer`` read this one module, so they never disagree on what a
tier is.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from urllib.parse import quote, unquote

from objstore.common.config import ConfigError, config_float, config_int, read_conf
from objstore.common.storage_policy import StoragePolicies

SECTION = "tiering"
#: the ``counts`` option: how proxies hand read counts to the tierer
COUNT_SINKS = ("journal", "memcached")
TIER_PREFIX = "tier:"
#: the hidden account holding moved bodies, one container per policy name
TIERS_ACCOUNT = ".tiers"
#: sysmeta of a tier pointer (the zero-byte object left at the original name)
TIER_LOCATION = "X-Object-Sysmeta-Tier-Location"
TIER_NAME = "X-Object-Sysmeta-Tier-Name"
TIER_SIZE = "X-Object-Sysmeta-Tier-Size"
#: sysmeta of a moved body: the path of the object it belongs to
#: (``origin_to_store``: %-quoted unless it is all printable ASCII)
TIER_ORIGIN = "X-Object-Sysmeta-Tier-Origin"
#: what a client sees on GET/HEAD of any object of a tiered cluster whose
#: policy (its container's, or the one it was moved to) is a tier's
STORAGE_TIER = "X-Object-Storage-Tier"
#: the S3 storage class the tiering filter gives an object on its GET/HEAD
#: answer (s3api shows it as x-amz-storage-class); a response header only,
#: never stored, so a copy of the object does not inherit it, and the
#: gatekeeper keeps it from clients (X-Backend-*)
TIER_STORAGE_CLASS = "X-Backend-Tier-Storage-Class"
#: a write the object servers refuse (409) when they hold anything newer
#: than this timestamp: a move loses to every client write made after the
#: mover read the object (the gatekeeper strips X-Backend-* from clients)
IF_TIMESTAMP = "X-Backend-If-Timestamp"
#: the object sysmeta s3api keeps the storage class a PUT asked for in
#: (s3api's ``objects.STORAGE_CLASS_SYSMETA``; a unit test keeps the two
#: equal): a PUT naming a tier's class is placed in that tier
S3_STORAGE_CLASS = "X-Object-Sysmeta-S3api-Storage-Class"
#: S3 storage classes of the default tier names (others map to STANDARD)
DEFAULT_STORAGE_CLASSES = {"gold": "STANDARD", "silver": "STANDARD_IA",
                           "bronze": "GLACIER_IR"}


@dataclass(frozen=True)
class Tier:
    name: str
    policy: str
    policy_index: int
    min_reads: int
    storage_class: str

    def info(self) -> Dict[str, object]:
        return {"name": self.name, "policy": self.policy, "min_reads": self.min_reads,
                "storage_class": self.storage_class}


@dataclass
class TieringConfig:
    """The tiers (lowest ``min_reads`` first) and the counting settings."""

    tiers: List[Tier]
    window: int = 86400
    bucket: int = 3600
    hysteresis: float = 0.2
    #: test-only: seconds added to "now" by the tierer (lifecycle days)
    clock_offset: float = 0.0
    #: where proxies append read counts and the tierer collects them
    journal_dir: str = "/var/lib/objstore/tiering/journal"
    #: the tierer's queue database lives here
    state_dir: str = "/var/lib/objstore/tiering"
    #: seconds a proxy worker keeps counts in memory before appending them
    flush_interval: float = 2.0
    #: where counts go: ``journal`` (files in journal_dir, the tierer's host)
    #: or ``memcached`` (batches in memcache_servers, ``memcached_counts``)
    counts: str = "journal"
    memcache_servers: List[str] = field(default_factory=list)
    by_name: Dict[str, Tier] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.tiers}

    def tier_of_policy(self, policy_index: int) -> Optional[Tier]:
        """The tier stored on a policy (a container's own tier)."""
        for tier in self.tiers:
            if tier.policy_index == policy_index:
                return tier
        return None

    def tier_by_storage_class(self, storage_class: str) -> Optional[Tier]:
        for tier in self.tiers:
            if tier.storage_class == storage_class.upper():
                return tier
        return None

    def target(self, count: int, current: str) -> str:
        """The tier an object in tier ``current`` with ``count`` reads in
        the window belongs to, hysteresis applied."""
        natural = self.tiers[0]
        for tier in self.tiers:
            if count >= tier.min_reads:
                natural = tier
        now = self.by_name.get(current)
        if now is None:
            return natural.name
        if natural.min_reads >= now.min_reads:
            return natural.name  # up (or stay): on reaching the boundary
        if count >= now.min_reads * (1.0 - self.hysteresis):
            return now.name  # within the hysteresis band below the boundary: stay
        # down: to the highest tier whose band the count is still in
        for tier in reversed(self.tiers):
            if tier.min_reads < now.min_reads and \
                    count >= tier.min_reads * (1.0 - self.hysteresis):
                return tier.name
        return self.tiers[0].name

    def info(self) -> Dict[str, object]:
        """The ``tiering`` section of ``/info``."""
        return {"window": self.window, "hysteresis": self.hysteresis,
                "tiers": [t.info() for t in reversed(self.tiers)]}


_PRINTABLE_ASCII = re.compile(r"[ -~]*")


def origin_to_store(path: str) -> str:
    """``TIER_ORIGIN``'s value for ``path``: %-quoted when it holds anything
    but printable ASCII (a kept version's reserved name holds a NUL, and a
    UTF-8 or control character may not travel in a header as it is)."""
    return path if _PRINTABLE_ASCII.fullmatch(path) else quote(path, safe="/")


def stored_origin(value: str, digest: str) -> str:
    """The path a ``TIER_ORIGIN`` value names, knowing the md5 ``digest`` of
    that path (the first part of the body's name tells it): raw, or quoted
    by ``origin_to_store``."""
    if hashlib.md5(value.encode("utf-8")).hexdigest() == digest:
        return value
    unquoted = unquote(value)
    if hashlib.md5(unquoted.encode("utf-8")).hexdigest() == digest:
        return unquoted
    return value


def load_tiering(directory: str, policies: StoragePolicies) -> Optional[TieringConfig]:
    """The cluster's tiers from ``<directory>/objstore.conf``; ``None`` when
    it declares no ``[tier:NAME]`` (tiering off).

    Raises ``ConfigError`` naming the section at fault: an unknown policy,
    two tiers on one policy or with one ``min_reads``, or no tier starting
    at 0 reads (every object must belong to some tier).
    """
    path = os.path.join(directory, "objstore.conf")
    if not os.path.exists(path):
        return None
    sections = read_conf(path)
    tiers: List[Tier] = []
    for name, opts in sections.items():
        if not name.startswith(TIER_PREFIX):
            continue
        tier_name = name[len(TIER_PREFIX):].strip()
        if not tier_name or "/" in tier_name:
            raise ConfigError("[%s] in %s: a tier needs a name without '/'" % (name, path))
        policy = policies.get_by_name(opts.get("policy", ""))
        if policy is None:
            raise ConfigError("[%s] in %s: policy %r is not a storage policy of this "
                              "cluster" % (name, path, opts.get("policy", "")))
        storage_class = opts.get("storage_class") or \
            DEFAULT_STORAGE_CLASSES.get(tier_name.lower(), "STANDARD")
        tiers.append(Tier(tier_name, policy.name, policy.index,
                          config_int(opts, "min_reads", 0, minimum=0),
                          storage_class.strip().upper()))
    if not tiers:
        return None
    tiers.sort(key=lambda t: t.min_reads)
    for kind, values in (("policy", [t.policy_index for t in tiers]),
                         ("min_reads", [t.min_reads for t in tiers]),
                         ("storage_class", [t.storage_class for t in tiers])):
        if len(set(values)) != len(values):
            raise ConfigError("%s: two tiers share one %s; each tier needs its own"
                              % (path, kind))
    if tiers[0].min_reads != 0:
        raise ConfigError("%s: no tier has min_reads = 0; the lowest tier must take "
                          "objects nobody reads" % path)
    opts = sections.get(SECTION, sections["DEFAULT"])
    conf = TieringConfig(
        tiers=tiers,
        window=config_int(opts, "window", 86400, minimum=1),
        bucket=config_int(opts, "bucket", 3600, minimum=1),
        hysteresis=config_float(opts, "hysteresis", 0.2),
        clock_offset=config_float(opts, "clock_offset", 0.0),
        journal_dir=opts.get("journal_dir", "/var/lib/objstore/tiering/journal"),
        state_dir=opts.get("state_dir", "/var/lib/objstore/tiering"),
        flush_interval=config_float(opts, "flush_interval", 2.0),
        counts=opts.get("counts", "journal").strip().lower(),
        memcache_servers=[s.strip() for s in opts.get("memcache_servers", "").split(",")
                          if s.strip()])
    if conf.counts not in COUNT_SINKS:
        raise ConfigError("[%s] in %s: counts must be one of %s, got %r"
                          % (SECTION, path, ", ".join(COUNT_SINKS), conf.counts))
    if conf.counts == "memcached" and not conf.memcache_servers:
        raise ConfigError("[%s] in %s: counts = memcached needs memcache_servers"
                          % (SECTION, path))
    if not 0.0 <= conf.hysteresis < 1.0:
        raise ConfigError("[%s] in %s: hysteresis must be in [0, 1), got %r"
                          % (SECTION, path, conf.hysteresis))
    if conf.bucket > conf.window:
        raise ConfigError("[%s] in %s: bucket (%d) must not exceed window (%d)"
                          % (SECTION, path, conf.bucket, conf.window))
    return conf
