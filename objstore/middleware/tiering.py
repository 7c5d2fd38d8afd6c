"""tiering: read counting and tier pointers on the proxy (docs/tiering.md).

Three things, all cheap on the way of a request:

* **Counting.** Each successful object GET (and each PUT, with a count of
  0, so the tierer learns of objects nobody reads) bumps a number in this
  worker's memory; ``common.tiering.journal`` appends the numbers to a
  journal every few seconds in a green thread of its own (or, with
  ``counts = memcached``, ``memcached_counts`` stores them as a batch). Nothing is
  written on a GET's path.
* **Following tier pointers.** An object the tierer moved to another
  policy is a zero-byte *pointer* at its name (the container's policy)
  whose sysmeta names the body in the hidden ``.tiers`` account. A GET or
  HEAD answered with a pointer is answered again from the body, with the
  client's Range and conditional headers (the body has the object's ETag
  and Last-Modified, so they are judged as before the move) and the
  pointer's metadata (which is the object's). A pointer whose body is
  missing answers 503, never an empty 200. A read *as stored*
  (``common.versions.RAW_ENV``: object_versioning and s3api keeping a
  version by copying it) is answered with the pointer itself, so the kept
  copy is a pointer to the same body (the tierer's sweep keeps a body any
  version of its object names).
* **Telling the tier.** ``X-Object-Storage-Tier: <tier>`` on the GET/HEAD
  of every object whose policy is a tier's: the one it was moved to, else
  its container's (from the container info the proxy cached for the
  request, so no backend request is added); an object whose policy is no
  tier's gets none. For s3api, ``X-Backend-Tier-Storage-Class`` (never
  stored, so copies do not inherit it) names the class to show: a moved
  object's tier's, else the class its PUT asked for, else its tier's.
  ``/info`` shows the tiers; reseller admins reach the admin API
  (``tiering_admin``) at ``/tiering/...``.

Place it after ``symlink`` (links and large-object segments are read
through it) and before ``keymaster``/``encryption`` (bodies are re-read
through the decrypter under their own path). Without ``[tier:NAME]``
sections in ``objstore.conf`` it passes everything through.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import concurrency, registry
from objstore.common.config import swift_dir
from objstore.common.http import errors
from objstore.common.http.paths import split_swift_path
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.info import get_container_info
from objstore.common.logs import get_logger
from objstore.common.storage_policy import load_policies
from objstore.common.subrequest import make_env
from objstore.common.tiering import config as tconf
from objstore.common.tiering import memcached_counts
from objstore.common.tiering.journal import Counter
from objstore.common.utils import close_if_possible
from objstore.common.versions import RAW_ENV
from objstore.middleware import tiering_admin

StartResponse = Callable[..., Any]
Headers = List[Tuple[str, str]]
#: swift.source of the tierer's own requests: never counted
TIERER_SOURCE = "TIER"
#: client headers a pointer's body read carries over (how to judge and cut it)
_READ_HEADERS = ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                 "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_X_NEWEST")
#: the environ key of the storage class sysmeta a PUT carries
_STORAGE_CLASS_ENV = "HTTP_" + tconf.S3_STORAGE_CLASS.upper().replace("-", "_")
#: statuses other than 2xx that an existing object answers a read with
_OBJECT_FOUND = ("304", "416")
#: answer headers that describe the bytes, taken from the body's answer
_BODY_HEADERS = frozenset(("content-length", "content-range", "etag", "accept-ranges"))
#: the pointer's own sysmeta, never part of the object's answer: a
#: middleware that copies what it reads (copy, s3api's CopyObject) would
#: otherwise write a second pointer to a body no sweep knows it uses
_POINTER_SYSMETA = frozenset(h.lower() for h in (tconf.TIER_LOCATION, tconf.TIER_NAME,
                                                   tconf.TIER_SIZE))


class _Captured:
    """What the app below answered, held until we decide what to send."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: Headers = []

    def start_response(self, status: str, headers: Headers, exc_info: Any = None) -> Any:
        self.status, self.headers = status, list(headers)
        return lambda _data: None

    def get(self, name: str) -> Optional[str]:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None


class Tiering:
    def __init__(self, app: Any, conf: Dict[str, str],
                 tiering: Optional[tconf.TieringConfig] = None) -> None:
        self.app = app
        self.logger = get_logger(conf, "tiering")
        if tiering is None:
            tiering = tconf.load_tiering(swift_dir(conf), load_policies(swift_dir(conf)))
        self.conf = tiering
        self.counter: Optional[Counter] = None
        self.admin: Optional[tiering_admin.TieringAdmin] = None
        if tiering is None:
            return
        registry.register_info("tiering", **tiering.info())
        batches = memcached_counts.for_config(tiering)
        self.counter = Counter(tiering.journal_dir, tiering.bucket, tiering.flush_interval,
                               concurrency.spawn_n, concurrency.sleep,
                               concurrency.run_in_thread, self._count_error,
                               batches.write if batches else None,
                               batches.resend if batches else None)
        self.admin = tiering_admin.TieringAdmin(tiering, batches, self.counter.watch)

    def _count_error(self, err: Exception) -> None:
        self.logger.error("tiering: cannot hand read counts over (%s): %s",
                          self.conf.counts if self.conf else "?", err)

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.conf is None or self.admin is None:
            return self.app(env, start_response)
        if env.get("PATH_INFO", "").startswith(tiering_admin.PREFIX):
            return self.admin(env, start_response)
        target = split_swift_path(env)
        method = env.get("REQUEST_METHOD")
        if target is None or target[2] is None or method not in ("GET", "HEAD", "PUT") \
                or target[0].startswith("."):
            return self.app(env, start_response)
        if method == "PUT":
            return self.app(env, self._counting_start(env, start_response, 0))
        return self._read(env, start_response)

    def _counting_start(self, env: Dict[str, Any], start_response: StartResponse,
                        count: int) -> StartResponse:
        """A PUT: tracked with a count of 0, and placed in the tier of the
        storage class it named (S3's x-amz-storage-class, which s3api
        stores as sysmeta) when that is a tier's."""
        asked = env.get(_STORAGE_CLASS_ENV)
        tier = self.conf.tier_by_storage_class(asked) if asked and self.conf else None

        def start(status: str, headers: Headers, exc_info: Any = None) -> Any:
            if status.startswith("2") and env.get("swift.source") != TIERER_SOURCE \
                    and self.counter is not None:
                path = wsgi_to_str(env["PATH_INFO"])
                if tier is not None:
                    self.counter.place(path, tier.name)
                else:
                    self.counter.add(path, count)
            return start_response(status, headers, exc_info)
        return start

    def _read(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        captured = _Captured()
        app_iter = self.app(env, captured.start_response)
        location = captured.get(tconf.TIER_LOCATION)
        if env.get(RAW_ENV):  # a version kept by copy: no read, and as stored
            start_response(captured.status, captured.headers)
            return app_iter
        if location is None:
            if env["REQUEST_METHOD"] == "GET" and captured.status.startswith("2"):
                self._count(env)
            start_response(captured.status, self._at_home(env, captured))
            return app_iter
        close_if_possible(app_iter)
        return self._from_body(env, start_response, captured, location)

    def _at_home(self, env: Dict[str, Any], answer: _Captured) -> Headers:
        """The headers of an object that lives in its container's policy,
        telling its tier when that policy is a tier's. The container's info
        is the one the proxy looked up for this request (cached: no new
        backend request)."""
        if not (answer.status.startswith("2") or answer.status[:3] in _OBJECT_FOUND) \
                or self.conf is None:
            return answer.headers
        target = split_swift_path(env)
        if target is None or target[1] is None:
            return answer.headers
        info = get_container_info(env, self.app, target[0], target[1])
        if not 200 <= info["status"] < 300:
            return answer.headers
        tier = self.conf.tier_of_policy(int(info.get("storage_policy") or 0))
        if tier is None:
            return answer.headers
        # a class the PUT asked for holds until the tierer places the object
        return _telling(answer.headers, tier, answer.get(tconf.S3_STORAGE_CLASS))

    def _count(self, env: Dict[str, Any]) -> None:
        if env.get("swift.source") != TIERER_SOURCE and self.counter is not None:
            self.counter.add(wsgi_to_str(env["PATH_INFO"]))

    def _from_body(self, env: Dict[str, Any], start_response: StartResponse,
                   pointer: _Captured, location: str) -> Iterable[bytes]:
        """Answer from the body the pointer names."""
        headers = {k: env[k] for k in _READ_HEADERS if k in env}
        sub = make_env(env, env["REQUEST_METHOD"], "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, location),
                       source=TIERER_SOURCE, extra=dict(headers, **{
                           "swift.authorize": lambda _req: None,
                           "swift.authorize_override": True}))
        body = _Captured()
        body_iter = self.app(sub, body.start_response)
        if body.status[:3] in ("404", "410") or body.status.startswith("5"):
            close_if_possible(body_iter)
            self.logger.error("tiering: %s %s points at %s, which answers %s",
                              env["REQUEST_METHOD"], env.get("PATH_INFO"), location, body.status)
            resp = errors.swift_error(503)
            return resp(env, start_response)
        out = [(k, v) for k, v in pointer.headers if k.lower() not in _BODY_HEADERS
               and k.lower() not in _POINTER_SYSMETA and k.lower() != "content-type"]
        out += [(k, v) for k, v in body.headers if k.lower() in _BODY_HEADERS
                or (k.lower() == "content-type" and "byteranges" in v)]
        if not any(k.lower() == "content-type" for k, _v in out):
            ctype = pointer.get("Content-Type")
            if ctype is not None:
                out.append(("Content-Type", ctype))
        if body.status.startswith("412"):
            out = [(k, v) for k, v in out if k.lower() != "content-type"] + \
                  [("Content-Type", body.get("Content-Type") or errors.HTML)]
        tier = self.conf.by_name.get(pointer.get(tconf.TIER_NAME) or "") if self.conf else None
        if tier is not None:
            out = _telling(out, tier, None)
        else:
            out.append((tconf.STORAGE_TIER, ""))
        if env["REQUEST_METHOD"] == "GET" and body.status.startswith("2"):
            self._count(env)
        start_response(body.status, out)
        return body_iter


def _telling(headers: Headers, tier: tconf.Tier, asked: Optional[str]) -> Headers:
    """``headers`` telling ``tier``: X-Object-Storage-Tier for Swift, and
    for s3api the storage class to show (``asked``, the class a PUT asked
    for, else the tier's)."""
    told = (tconf.STORAGE_TIER.lower(), tconf.TIER_STORAGE_CLASS.lower())
    return [(k, v) for k, v in headers if k.lower() not in told] + [
        (tconf.STORAGE_TIER, tier.name),
        (tconf.TIER_STORAGE_CLASS, asked or tier.storage_class)]


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: Tiering(app, conf)

