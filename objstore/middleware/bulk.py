"""bulk: upload a whole tree as one archive, delete many objects at once.

``PUT /v1/<account>[/<container>[/<prefix>]]?extract-archive=tar|tar.gz|tar.bz2``
unpacks the body as it arrives (``tarfile``'s stream mode: one member at a
time, memory bounded by a chunk) and PUTs every regular file below the
path; at account level the first directory of each name is its container,
created if need be. Directories, links and device files are skipped. A
member named with a ``..`` component or an absolute path is refused (an
error for that member): an archive must not write outside the place it
is unpacked to.

``POST`` or ``DELETE /v1/<account>?bulk-delete`` with a ``text/plain``
body of URL-encoded ``/<container>/<object>`` (or ``/<container>``) lines
deletes each, up to ``max_deletes_per_request``. When the client closes
its connection the deleting stops at once (checked before every name), not
at the next heartbeat.

Every subrequest is made as the client, so the usual authorization decides
each item. The answer starts at once (``200``, chunked) and sends a space
every ``yield_frequency`` seconds while working, so proxies and clients do
not time out; the result then follows in the format ``Accept`` asks for
(JSON, XML or plain text): a status, a message, counts and per-item errors.
"""

from __future__ import annotations

import tarfile
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, quote, unquote_to_bytes

from objstore.common import concurrency, constraints, registry
from objstore.common.config import config_int
from objstore.common.http import bulk_report
from objstore.common.http.errors import HTML, swift_error
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.subrequest import close_response, sub_request
from objstore.common.utils import split_path
from objstore.common.wsgi import client_gone

StartResponse = Callable[..., Any]
ARCHIVE_MODES = {"tar": "r|", "tar.gz": "r|gz", "tar.bz2": "r|bz2"}


class Abort(Exception):
    """Stop the whole request with this status and message."""

    def __init__(self, status: str, body: str = "") -> None:
        super().__init__(body)
        self.status, self.body = status, body


class _Reader:
    """``wsgi.input`` for ``tarfile``: reads never past the body."""

    def __init__(self, stream: Any, length: Optional[int]) -> None:
        self.stream, self.left = stream, length

    def read(self, size: int = -1) -> bytes:
        if self.left is not None:
            if self.left <= 0:
                return b""
            size = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(size if size >= 0 else 65536)
        if self.left is not None:
            self.left -= len(data)
        return data


class _Member:
    """``wsgi.input`` of one archive member's PUT."""

    def __init__(self, fileobj: Any) -> None:
        self.fileobj = fileobj

    def read(self, size: int = -1) -> bytes:
        return self.fileobj.read(size if size and size > 0 else 65536)


def member_path(name: str) -> Optional[str]:
    """The object path an archive member lands on, or ``None`` when the name
    climbs out (``..``) or is absolute."""
    if name.startswith("/"):
        return None
    while name.startswith("./"):
        name = name[2:]
    parts = name.split("/")
    if ".." in parts:
        return None
    return name


class Bulk:
    """Answers ``?extract-archive`` PUTs and ``?bulk-delete`` requests."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.max_containers = config_int(conf, "max_containers_per_extraction", 10000, 1)
        self.max_failed_extractions = config_int(conf, "max_failed_extractions", 1000, 1)
        self.max_deletes = config_int(conf, "max_deletes_per_request", 10000, 1)
        self.max_failed_deletes = config_int(conf, "max_failed_deletes", 1000, 1)
        self.delete_concurrency = config_int(conf, "delete_concurrency", 2, 1)
        self.yield_frequency = config_int(conf, "yield_frequency", 10, 1)
        registry.register_info("bulk_upload", max_containers_per_extraction=self.max_containers,
                               max_failed_extractions=self.max_failed_extractions)
        registry.register_info("bulk_delete", max_deletes_per_request=self.max_deletes,
                               max_failed_deletes=self.max_failed_deletes)

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(env.get("QUERY_STRING", ""), keep_blank_values=True)
        method = env["REQUEST_METHOD"]
        acceptable = bulk_report.accepted_type(env.get("HTTP_ACCEPT")) is not None
        if "extract-archive" in query and method == "PUT":
            mode = ARCHIVE_MODES.get(query["extract-archive"][0].lower())
            if mode is None:
                return swift_error(400, "Unsupported archive format")(env, start_response)
            work = self._extract(env, mode) if acceptable else iter([(
                "extract", [("Response Status", bulk_report.NOT_ACCEPTABLE),
                            ("Response Body", ""), ("Number Files Created", 0)], [])])
        elif "bulk-delete" in query and method in ("POST", "DELETE"):
            work = self._delete(env) if acceptable else iter([(
                "delete", [("Response Status", bulk_report.NOT_ACCEPTABLE),
                           ("Response Body", ""), ("Number Deleted", 0),
                           ("Number Not Found", 0)], [])])
        else:
            return self.app(env, start_response)
        # an Accept naming no report format gets plain text as text/html, as Swift's
        content_type = bulk_report.report_type(env.get("HTTP_ACCEPT"), HTML)
        start_response("200 OK", [("Content-Type", content_type)])
        return self._heartbeat(work, content_type)

    def _heartbeat(self, work: Iterator[Any], content_type: str) -> Iterator[bytes]:
        """Spaces while ``work`` runs (it yields ``None`` per item), then the
        result it returns last."""
        last = time.time()
        for item in work:
            if item is None:
                if time.time() - last >= self.yield_frequency:
                    last = time.time()
                    yield b" "
                continue
            root, fields, errors = item
            yield bulk_report.render(content_type, root, fields, errors)

    # -------------------------------------------------------- subrequests
    def _sub(self, env: Dict[str, Any], method: str, path: str, body: Any = b"",
             length: int = 0) -> str:
        """``method path`` as the client; its status (the body is drained)."""
        resp = sub_request(self.app, env, method, path, body=body, content_length=length,
                           source="BULK")
        try:
            for _chunk in resp.app_iter:
                pass
        finally:
            close_response(resp)
        return resp.status

    # ------------------------------------------------------------ extract
    def _extract(self, env: Dict[str, Any], mode: str) -> Iterator[Any]:
        created, errors = 0, []
        fields = lambda status, body: [("Response Status", status), ("Response Body", body),
                                       ("Number Files Created", created)]
        try:
            path = wsgi_to_str(env["PATH_INFO"])
            _v, account, container, prefix = split_path(path, 2, 4, True)
        except (ValueError, UnicodeError):
            yield "extract", fields("400 Bad Request", "Invalid path"), errors
            return
        if not has_body(env):
            yield "extract", fields("411 Length Required", ""), errors
            return
        base = "/v1/%s" % account
        known: Dict[str, str] = {}
        try:
            length = int(env["CONTENT_LENGTH"]) if env.get("CONTENT_LENGTH") else None
            archive = tarfile.open(mode=mode, fileobj=_Reader(env["wsgi.input"], length))
            for member in archive:
                yield None
                if not member.isfile():
                    continue
                name = member_path(member.name)
                parts = [p for p in (container, (prefix or "").rstrip("/")) if p]
                if name is None:
                    errors.append(["/".join(parts + [member.name]), "400 Bad Request"])
                    continue
                target = "/".join(parts + [name])
                if not name or "/" not in target:
                    continue  # a file at account level names no container
                self._ensure_container(env, base, target.split("/", 1)[0], known)
                status = self._sub(env, "PUT", "%s/%s" % (base, target),
                                   _Member(archive.extractfile(member)), member.size)
                if status.startswith("2"):
                    created += 1
                else:
                    errors.append([target, status])
                if len(errors) >= self.max_failed_extractions:
                    break
        except Abort as err:
            yield "extract", fields(err.status, err.body), errors
            return
        except (tarfile.TarError, EOFError, OSError, ValueError) as err:
            yield "extract", fields("400 Bad Request", "Invalid Tar File: %s" % err), errors
            return
        if errors:
            yield "extract", fields("400 Bad Request", ""), errors
        else:
            yield "extract", fields("201 Created", ""), errors

    def _ensure_container(self, env: Dict[str, Any], base: str, container: str,
                          known: Dict[str, str]) -> None:
        """Create ``container`` once per extraction; abort on refusal."""
        if container in known:
            return
        if len(known) >= self.max_containers:
            raise Abort("400 Bad Request", "More than %d containers to create from tar."
                        % self.max_containers)
        if len(container) > constraints.LIMITS["max_container_name_length"]:
            raise Abort("400 Bad Request", "Container name too long: %s" % quote(container))
        status = self._sub(env, "HEAD", "%s/%s" % (base, container))
        if status.startswith("404"):
            status = self._sub(env, "PUT", "%s/%s" % (base, container))
        if not status.startswith("2"):
            raise Abort(status, "")
        known[container] = status

    # ------------------------------------------------------------- delete
    def _names(self, env: Dict[str, Any]) -> Iterator[str]:
        limit = (constraints.LIMITS["max_container_name_length"]
                 + constraints.LIMITS["max_object_name_length"] + 2) * 3
        stream = _Reader(env["wsgi.input"], int(env.get("CONTENT_LENGTH") or 0)
                         if env.get("CONTENT_LENGTH") else None)
        pending = b""
        count = 0
        while True:
            data = stream.read(65536)
            pending += data
            lines = pending.split(b"\n")
            pending = lines.pop() if data else b""
            for raw in lines:
                line = raw.strip()
                if not line:
                    continue
                if len(line) > limit:
                    raise Abort("400 Bad Request", "Invalid File Name")
                count += 1
                if count > self.max_deletes:
                    raise Abort("413 Request Entity Too Large",
                                "Maximum Bulk Deletes: %d per request" % self.max_deletes)
                yield line.decode("utf-8", "replace")
            if len(pending) > limit:
                raise Abort("400 Bad Request", "Invalid File Name")
            if not data:
                return

    def _delete(self, env: Dict[str, Any]) -> Iterator[Any]:
        deleted = not_found = 0
        errors: List[List[str]] = []

        def fields(status: str, body: str) -> List[Tuple[str, Any]]:
            return [("Response Status", status), ("Response Body", body),
                    ("Number Deleted", deleted), ("Number Not Found", not_found)]
        try:
            account = split_path(wsgi_to_str(env["PATH_INFO"]),
                                 2, 4, True)[1]
        except (ValueError, UnicodeError):
            yield "delete", fields("400 Bad Request", "Invalid path"), errors
            return
        if not has_body(env):
            yield "delete", fields("411 Length Required", ""), errors
            return
        try:
            # All names first: a request over the limit deletes nothing.
            # At most max_deletes_per_request names of bounded length.
            names = list(self._names(env))
        except Abort as err:
            yield "delete", fields(err.status, err.body), errors
            return
        # The pool keeps taking names after the loop below stops reading
        # its results; ``stop`` makes the names left no-ops.
        stop: List[bool] = []

        def delete_one(line: str) -> Tuple[str, str]:
            """(the name as reported, the DELETE's status)."""
            raw = unquote_to_bytes(line)
            shown = quote(raw)  # Swift reports names URL-quoted ("/c%C3%A9")
            if stop or client_gone(env):
                stop.append(True)
                return shown, ""
            try:
                target = raw.decode("utf-8").lstrip("/")
            except UnicodeDecodeError:
                return shown, "412 Precondition Failed"
            if not target:
                # the account itself: never deleted by a bulk delete (the
                # account's owner gets Swift's answer, 403)
                return shown, "403 Forbidden"
            return shown, self._sub(env, "DELETE", "/v1/%s/%s" % (account, target))
        seen = 0
        pool = concurrency.GreenPool(self.delete_concurrency)
        try:
            for shown, status in pool.imap(delete_one, names):
                if stop:
                    return  # the client went away: nobody reads the result
                yield None
                seen += 1
                if status.startswith("2"):
                    deleted += 1
                elif status.startswith("404"):
                    not_found += 1
                else:
                    errors.append([shown, status])
                if len(errors) >= self.max_failed_deletes:
                    break
        finally:
            stop.append(True)
        if not seen:
            yield "delete", fields("400 Bad Request", "Invalid bulk delete."), errors
        elif errors:
            yield "delete", fields("400 Bad Request", ""), errors
        else:
            yield "delete", fields("200 OK", ""), errors


def has_body(env: Dict[str, Any]) -> bool:
    """Whether the request says how its body ends (a Content-Length, even 0,
    or chunked): without either a bulk request is 411 Length Required, as
    Swift reports it."""
    return env.get("CONTENT_LENGTH") is not None or \
        env.get("HTTP_TRANSFER_ENCODING", "").strip().lower() == "chunked"


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: Bulk(app, conf)
