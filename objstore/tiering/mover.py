"""One move of one object to another tier (docs/tiering.md, "One move").

For object ``p`` whose newest version is ``T`` (data or metadata, read by
HEAD):

1. *copy*: unless the target is the container's own policy, write the body
   to ``.tiers/<target policy>/<md5(p)>/<T>`` (a name that says which
   version it holds, so a retry writes the same name and an older copy is
   never mistaken for a newer one); skipped when that copy is already
   there with the object's ETag.
2. *switch*: write the pointer (or, moving home, the whole body) at ``p``
   with timestamp ``T`` + 1 offset and ``X-Backend-If-Timestamp: T``. The
   object servers refuse it (409) if they hold anything newer than ``T``:
   a client's write or delete since the HEAD wins and the move is
   abandoned (its copy deleted). Found already switched (a retry after a
   kill), it goes on.
3. *cleanup*: delete the previous ``.tiers`` body, if there was one.

Readers never fail: until step 2 they read the old copy, after it the new
one; the old copy goes only once the new one is durable (a quorum).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Set, Tuple

from webob import Response

from objstore.common.constraints import CONTENT_TYPE_PARAMS_ENV
from objstore.common.footers import LISTING_ETAG
from objstore.common.s3_layout import MANIFEST_SYSMETA
from objstore.common.storage_policy import StoragePolicies
from objstore.common.subrequest import IterReader, stored_metadata
from objstore.common.tiering import config as tconf
from objstore.common.tiering.queue import ABANDONED, DONE, Move
from objstore.common.timestamp import Timestamp
from objstore.common.versions import SYSMETA_LOCATION, reserved_versions_container
from objstore.common.utils import close_if_possible, drain_and_close
from objstore.common.internal_client import InternalClient

#: metadata of a stored object that belongs to one copy, never carried over
_PER_COPY_PREFIXES = ("x-object-sysmeta-tier-", "x-object-sysmeta-crypto-",
                      "x-object-sysmeta-ec-", "x-object-transient-sysmeta-container-update-")
#: a move's writes carry the stored Content-Type, with the ``swift_*``
#: parameters middlewares keep there (object_versioning's version id)
_STORED_TYPE = {CONTENT_TYPE_PARAMS_ENV: True}
#: container headers of a legacy versions layout (kept versions are copies
#: of the object as stored; object_versioning's ``SYSMETA_LOCATION`` is not)
LEGACY_VERSIONING = ("X-Versions-Location", "X-History-Location",
                     "X-Container-Sysmeta-S3api-Versioning")
#: objects that stay where they are (their segments or targets move)
_NOT_MOVED = ("X-Static-Large-Object", "X-Object-Manifest", "X-Object-Sysmeta-Symlink-Target")


def _moves_as_an_object(headers: Mapping[str, str]) -> bool:
    """An S3 multipart object's manifest (an SLO since session 12) moves
    as any object, as s3api's own manifest did before (a lifecycle
    Transition moves it with its parts and S3 shows its class,
    docs/tiering.md); its copy keeps what makes it an SLO."""
    return bool(_header(headers, MANIFEST_SYSMETA))


class MoveError(Exception):
    """A step failed in a way a later attempt may get past (503, timeout)."""


@dataclass
class Outcome:
    state: str
    detail: str
    #: the tier the object is in afterwards (None: gone, or not known)
    tier: Optional[str] = None
    #: False: this object is never moved (a manifest, a symlink)
    movable: bool = True


def body_name(path: str, timestamp: Timestamp) -> str:
    """The name of ``path``'s body of version ``timestamp`` in a ``.tiers``
    container."""
    return "%s/%s" % (hashlib.md5(path.encode("utf-8")).hexdigest(), timestamp.internal)


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    value = headers.get(name)
    return value if value else None


def _version(resp: Response) -> Timestamp:
    return Timestamp(resp.headers.get("X-Backend-Timestamp") or resp.headers["X-Timestamp"])


class Mover:
    def __init__(self, client: InternalClient, tiering: tconf.TieringConfig,
                 policies: StoragePolicies, logger: logging.Logger,
                 pause_after: str = "", pause_seconds: float = 0.0) -> None:
        self.client = client
        self.tiering = tiering
        self.policies = policies
        self.logger = logger
        self._containers: Set[str] = set()
        self._homes: Dict[str, Tuple[Optional[tconf.Tier], bool, bool]] = {}
        #: fault injection for the probe tests (``pause_after_step`` in the
        #: tierer's config): stop this long after a step, to be killed there
        self.pause_after = pause_after
        self.pause_seconds = pause_seconds

    def step_done(self, step: str, path: str) -> None:
        """Called after each step (``copied``, ``switched``, ``cleaned``)."""
        self.logger.debug("tierer: %s %s", step, path)
        if step == self.pause_after and self.pause_seconds > 0:
            self.logger.warning("tierer: pausing %.0fs after step %s of %s (pause_after_step)",
                                self.pause_seconds, step, path)
            time.sleep(self.pause_seconds)

    # ------------------------------------------------------------- helpers
    def home_tier(self, path: str) -> Optional[tconf.Tier]:
        """The tier of ``path``'s container's policy (None: not a tier).
        A container's policy never changes, so it is asked once."""
        return self._home(path)[0]

    def keeps_versions(self, path: str) -> bool:
        """Whether ``path`` is an object of a container object_versioning
        keeps versions of, or a kept version: a copy of its pointer may be on
        its way to the versions container, so a body it no longer names is
        left to the sweep (which waits for such copies) instead of deleted."""
        container = path.split("/", 4)[3]
        return container.startswith(reserved_versions_container("")) or self._home(path)[2]

    def _home(self, path: str) -> Tuple[Optional[tconf.Tier], bool, bool]:
        """``(tier of the container's policy, whether its objects move,
        whether object_versioning keeps their versions)``: not in a
        container keeping versions by copy in a legacy layout
        (``versioned_writes``, s3api's ``+versions``), where a kept copy of
        a pointer would outlive the body it names."""
        container = "/".join(path.split("/", 4)[:4])
        if container in self._homes:
            return self._homes[container]
        resp = self.client.request("HEAD", container, raw=True)
        close_if_possible(resp.app_iter)
        if resp.status_int // 100 != 2:
            return None, False, False
        policy = self.policies.get_by_name(resp.headers.get("X-Storage-Policy", ""))
        tier = self.tiering.tier_of_policy(policy.index) if policy else None
        versions = bool(resp.headers.get(SYSMETA_LOCATION))
        movable = versions or not any(resp.headers.get(h) for h in LEGACY_VERSIONING)
        if len(self._homes) > 100000:
            self._homes.clear()
        self._homes[container] = (tier, movable, versions)
        return tier, movable, versions

    def current_tier(self, path: str) -> Optional[str]:
        """The tier ``path`` is in now (None: gone, or not in a tier)."""
        resp = self.client.request("HEAD", path)
        close_if_possible(resp.app_iter)
        if resp.status_int // 100 != 2:
            return None
        name = _header(resp.headers, tconf.TIER_NAME)
        if name:
            return name
        home = self.home_tier(path)
        return home.name if home else None

    def _ensure_container(self, policy: str) -> None:
        if policy in self._containers:
            return
        path = "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, policy)
        resp = self.client.request("PUT", path, headers={"X-Storage-Policy": policy})
        close_if_possible(resp.app_iter)
        if resp.status_int not in (201, 202, 204):
            raise MoveError("cannot create %s: %s" % (path, resp.status))
        self._containers.add(policy)

    def _delete(self, path: str) -> None:
        resp = self.client.request("DELETE", path)
        close_if_possible(resp.app_iter)
        if resp.status_int not in (204, 404):
            raise MoveError("cannot delete %s: %s" % (path, resp.status))

    # ---------------------------------------------------------------- move
    def move(self, move: Move, keepalive: Callable[[], None],
             note: Callable[[str, Optional[str]], None] = lambda _ts, _loc: None) -> Outcome:
        """Run (or resume) ``move``; ``note(version, old location)`` is told
        what is being moved before anything is written."""
        path, to_name = move.path, move.to_tier
        target = self.tiering.by_name.get(to_name)
        if target is None:
            return Outcome(ABANDONED, "no tier named %r in objstore.conf" % to_name)
        head = self.client.request("HEAD", path)
        close_if_possible(head.app_iter)
        if head.status_int == 404:
            return Outcome(ABANDONED, "the object is gone")
        if head.status_int // 100 != 2:
            raise MoveError("HEAD %s: %s" % (path, head.status))
        if any(_header(head.headers, h) for h in _NOT_MOVED) and \
                not _moves_as_an_object(head.headers):
            return Outcome(ABANDONED, "large object manifests and symlinks stay where they "
                                      "are (their segments and targets move)", movable=False)
        version = _version(head)
        home, movable, _versions = self._home(path)
        if home is None:
            return Outcome(ABANDONED, "the container's policy is no tier")
        if not movable:
            return Outcome(ABANDONED, "the container keeps versions by copy in a legacy layout "
                                      "(X-Versions-Location, X-History-Location or s3api's "
                                      "+versions)", movable=False)
        old_location = _header(head.headers, tconf.TIER_LOCATION)
        current = _header(head.headers, tconf.TIER_NAME) or home.name
        if current == to_name:
            # also a retry of a move killed after its switch: finish its cleanup
            if move.old_location and move.old_location != old_location:
                self._cleanup(path, move.old_location)
            return Outcome(DONE, "already in %s" % to_name, current)
        note(version.internal, old_location)
        keepalive()
        new_location = None
        if target.name != home.name:
            new_location = "%s/%s" % (target.policy, body_name(path, version))
            copied = self._copy(path, old_location, new_location, version, move.attempts,
                                keepalive, self._etag(head, old_location))
            self.step_done("copied", path)
        else:
            copied = ("", "0")
        keepalive()
        switched = self._switch(path, version, old_location, new_location, target, keepalive,
                                copied)
        if not switched:
            if new_location:
                self._delete("/v1/%s/%s" % (tconf.TIERS_ACCOUNT, new_location))
            return Outcome(ABANDONED, "a newer write than %s won over the move"
                           % version.internal)
        self.step_done("switched", path)
        if old_location and old_location != new_location:
            self._cleanup(path, old_location)
        self.step_done("cleaned", path)
        return Outcome(DONE, "moved %s -> %s" % (current, to_name), to_name)

    def _cleanup(self, path: str, old_location: str) -> None:
        """Step 3: the body ``path`` named before the move goes (or, where a
        kept version may name it, is left to the sweep)."""
        if not self.keeps_versions(path):
            self._delete("/v1/%s/%s" % (tconf.TIERS_ACCOUNT, old_location))

    def _etag(self, head: Response, old_location: Optional[str]) -> str:
        """The object's ETag: its own, or (a pointer's) its body's."""
        if old_location:
            head = self.client.request("HEAD", "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, old_location))
            close_if_possible(head.app_iter)
        return head.headers.get("ETag", "").strip('"')

    def _source(self, path: str, old_location: Optional[str]) -> Response:
        src = "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, old_location) if old_location else path
        resp = self.client.request("GET", src)
        if resp.status_int != 200:
            close_if_possible(resp.app_iter)
            raise MoveError("GET %s: %s" % (src, resp.status))
        return resp

    def _copy(self, path: str, old_location: Optional[str], new_location: str,
              version: Timestamp, attempt: int, keepalive: Callable[[], None],
              expected_etag: str) -> Tuple[str, str]:
        """Step 1: the body at ``.tiers/<new_location>``, plaintext through
        the pipeline (encrypted under its own path when encryption is on)."""
        policy = new_location.split("/", 1)[0]
        self._ensure_container(policy)
        dest = "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, new_location)
        there = self.client.request("HEAD", dest)
        close_if_possible(there.app_iter)
        if there.status_int == 200 and \
                there.headers.get(tconf.TIER_ORIGIN) == tconf.origin_to_store(path) and \
                there.headers.get("ETag", "").strip('"') == expected_etag:
            # a retry: the copy of this version is already there
            return expected_etag, there.headers.get("Content-Length", "0")
        source = self._source(path, old_location)
        etag = source.headers.get("ETag", "").strip('"')
        headers = self._carried(source.headers)
        headers.update({
            tconf.TIER_ORIGIN: tconf.origin_to_store(path), "ETag": etag,
            # the object's own Last-Modified, and a later offset per attempt
            "X-Timestamp": Timestamp(version.normal, offset=max(attempt, 1)).internal})
        length = int(source.headers.get("Content-Length", "0"))
        chunks = _keepalive_chunks(source.app_iter, keepalive)
        try:
            resp = self.client.request("PUT", dest, headers=headers,
                                       body=IterReader(chunks), content_length=length,
                                       extra_env=_STORED_TYPE)
            close_if_possible(resp.app_iter)
        finally:
            drain_and_close(chunks)  # to its end, through the one iterator reading it
            close_if_possible(source.app_iter)
        if resp.status_int != 201:
            raise MoveError("PUT %s: %s" % (dest, resp.status))
        return etag, str(length)

    @staticmethod
    def _carried(headers: Mapping[str, str]) -> Dict[str, str]:
        """The metadata a copy of the object carries (its own per-copy
        sysmeta is made anew where it is written)."""
        return {k: v for k, v in stored_metadata(
            headers, manifests=_moves_as_an_object(headers)).items()
                if not k.lower().startswith(_PER_COPY_PREFIXES)}

    def _switch(self, path: str, version: Timestamp, old_location: Optional[str],
                new_location: Optional[str], target: tconf.Tier,
                keepalive: Callable[[], None], copied: Tuple[str, str]) -> bool:
        """Step 2; False if a newer write won. ``copied``: the new body's
        ETag and size."""
        switched_at = Timestamp(version, offset=1)
        condition = {"X-Timestamp": switched_at.internal, tconf.IF_TIMESTAMP: version.internal}
        if new_location is not None:
            raw = self.client.request("HEAD", path, raw=True)
            close_if_possible(raw.app_iter)
            if raw.status_int // 100 != 2 or _version(raw) != version:
                return self._already(path, switched_at)
            headers = {k: v for k, v in stored_metadata(
                raw.headers, manifests=_moves_as_an_object(raw.headers)).items()
                       if not k.lower().startswith(("x-object-sysmeta-tier-",
                                                    "x-object-sysmeta-ec-"))}
            if not any(k.lower() == LISTING_ETAG.lower() for k in headers):
                headers[LISTING_ETAG] = copied[0]
            headers.update(condition)
            headers.update({tconf.TIER_LOCATION: new_location, tconf.TIER_NAME: target.name,
                            tconf.TIER_SIZE: copied[1]})
            resp = self.client.request("PUT", path, headers=headers, body=b"", raw=True,
                                       extra_env=_STORED_TYPE)
        else:  # home: the whole body back at its name
            meta = self.client.request("HEAD", path)
            close_if_possible(meta.app_iter)
            if meta.status_int // 100 != 2 or _version(meta) != version:
                return self._already(path, switched_at)
            source = self._source(path, old_location)
            headers = {k: v for k, v in self._carried(meta.headers).items()
                       if k.lower() != tconf.S3_STORAGE_CLASS.lower()}
            # home by its reads: a class its PUT asked for no longer holds
            headers[tconf.S3_STORAGE_CLASS] = target.storage_class
            headers.update(condition)
            headers["ETag"] = source.headers.get("ETag", "").strip('"')
            chunks = _keepalive_chunks(source.app_iter, keepalive)
            try:
                resp = self.client.request(
                    "PUT", path, headers=headers, body=IterReader(chunks),
                    content_length=int(source.headers.get("Content-Length", "0")),
                    extra_env=_STORED_TYPE)
            finally:
                drain_and_close(chunks)
                close_if_possible(source.app_iter)
        close_if_possible(resp.app_iter)
        if resp.status_int == 201:
            return True
        if resp.status_int in (409, 412):
            return self._already(path, switched_at)
        raise MoveError("switch PUT %s: %s" % (path, resp.status))

    def _already(self, path: str, switched_at: Timestamp) -> bool:
        """Whether ``path`` is at ``switched_at`` (an earlier attempt switched
        it before a kill) rather than at a client's newer write."""
        resp = self.client.request("HEAD", path, raw=True)
        close_if_possible(resp.app_iter)
        return resp.status_int // 100 == 2 and _version(resp) == switched_at


def _keepalive_chunks(chunks: object, keepalive: Callable[[], None]):  # type: ignore[no-untyped-def]
    """Stream ``chunks``, renewing the lease now and then (large objects)."""
    for count, chunk in enumerate(chunks):  # type: ignore[call-overload]
        if count % 256 == 255:
            keepalive()
        yield chunk
