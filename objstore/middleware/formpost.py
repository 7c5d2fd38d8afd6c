"""formpost: browsers upload files straight into a container from an HTML
form, without a token, if the form is signed with the account's or
container's temp URL key.

The form POSTs ``multipart/form-data`` to ``/v1/<account>/<container>[/<prefix>]``
with, before any file, the fields ``redirect``, ``max_file_size``,
``max_file_count``, ``expires`` and ``signature``: the HMAC of::

    <path>\\n<redirect>\\n<max_file_size>\\n<max_file_count>\\n<expires>

Optional fields: ``x_delete_at`` / ``x_delete_after`` (the uploads
expire) and ``content-type`` (overrides the file parts' own type). Each
file part becomes the object ``<prefix><filename>``; parts with an empty
file name (a file input left empty) are skipped.

The body is read as a stream and each file is sent on as a chunked PUT
while it arrives, so memory stays bounded whatever the sizes. A file
larger than ``max_file_size`` is cut off: its PUT is abandoned (the
storage servers never commit it) and the answer is 400. Files before it
stay, as in Swift.

Answers: ``201 Created`` (or, with ``redirect``, ``303`` to
``<redirect>?status=<code>&message=<text>``); ``401`` for a bad
signature or an expired form; ``400`` for a malformed field or too many
files.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from objstore.common import registry
from objstore.common.config import config_int
from objstore.common.form_data import (FormDataError, FormDataReader, FormDataStartError,
                                       Part, boundary_of)
from objstore.common.utils import drain_and_close, split_path
from objstore.common.http.errors import plain_error, swift_error
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.subrequest import make_env
from objstore.middleware import hmac_keys

SIGNED_FIELDS = ("redirect", "max_file_size", "max_file_count", "expires")
KNOWN_FIELDS = SIGNED_FIELDS + ("signature", "x_delete_at", "x_delete_after", "content-type")
# Longest value kept of a plain form field.
MAX_VALUE_LENGTH = 4096
REMOTE_USER = ".wsgi.formpost"
REDIRECT_BODY = '<html><body><p><a href="%s">Click to continue...</a></p></body></html>'
StartResponse = Callable[..., Any]


class FormError(Exception):
    """The form cannot be processed: status, body and (for a redirect) the
    short message, or ``None`` when the error is never redirected."""

    def __init__(self, status: str, body: str, redirect_message: Optional[str] = None) -> None:
        super().__init__(body)
        self.status = status
        self.body = body
        self.redirect_message = redirect_message


def _unauthorized(text: str) -> FormError:
    return FormError("401 Unauthorized", "FormPost: %s" % text)


def _bad(text: str) -> FormError:
    return FormError("400 Bad Request", "FormPost: %s" % text)


def _counted(text: str) -> FormError:
    """An error a redirecting form reports through its redirect."""
    return FormError("400 Bad Request", "400 Bad Request\r\nFormPost: %s" % text, text.lower())


class _TooBig(ValueError):
    """Raised into the PUT of a file over ``max_file_size``."""


class _FileInput:
    """``wsgi.input`` of one file's PUT: the part's bytes, cut off (the PUT
    then fails, storing nothing) past ``limit`` bytes."""

    def __init__(self, part: Part, limit: int) -> None:
        self.part = part
        self.limit = limit
        self.sent = 0
        self.too_big = False
        #: the form broke off inside the file (the PUT fails, storing nothing)
        self.malformed: Optional[FormDataError] = None

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.part.read(size if size and size > 0 else 65536)
        except FormDataError as err:
            self.malformed = err
            raise
        self.sent += len(data)
        if self.sent > self.limit:
            self.too_big = True
            raise _TooBig("max_file_size exceeded")
        return data


class FormPost:
    """Turns a signed ``multipart/form-data`` POST into object PUTs."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.allowed_digests = hmac_keys.parse_allowed_digests(conf.get("allowed_digests"))
        self.chunk_size = config_int(conf, "client_chunk_size", 65536, 1)
        registry.register_info("formpost", **hmac_keys.digest_info(self.allowed_digests))

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        boundary = boundary_of(env.get("CONTENT_TYPE", ""))
        if env["REQUEST_METHOD"] != "POST" or boundary is None:
            return self.app(env, start_response)
        fields: Dict[str, str] = {}
        try:
            status = self._process(env, boundary, fields)
            message = ""
        except FormError as err:
            redirect = fields.get("redirect")
            if not redirect or err.redirect_message is None:
                return self._plain(start_response, err.status, err.body, err.status[:3] == "401")
            status, message = err.status, err.redirect_message
        except FormDataStartError:
            return self._plain(start_response, "400 Bad Request",
                               "FormPost: invalid starting boundary", False)
        except FormDataError as err:
            return self._plain(start_response, "400 Bad Request",
                               "FormPost: invalid multipart/form-data: %s" % err, False)
        redirect = fields.get("redirect")
        if not redirect:
            return self._plain(start_response, status, status, False)
        return self._redirect(start_response, redirect, status[:3], message)

    # -------------------------------------------------------------- form
    def _process(self, env: Dict[str, Any], boundary: str, fields: Dict[str, str]) -> str:
        """Store each file; the status to report (``201 Created`` or the
        first failing upload's status)."""
        try:
            path = wsgi_to_str(env["PATH_INFO"])
            _v, account, container, prefix = split_path(path, 2, 4, True)
        except (ValueError, UnicodeError):
            raise _unauthorized("Invalid Signature") from None
        files = 0
        checked: Optional[Tuple[int, int]] = None
        reader = FormDataReader(env["wsgi.input"], boundary, self.chunk_size,
                                 require_start=True)
        for part in reader.parts():
            if part.filename is None:
                if part.name in KNOWN_FIELDS:
                    fields[part.name] = part.read_all(MAX_VALUE_LENGTH).decode("utf-8", "replace")
                continue
            if part.filename == "":
                continue
            if checked is None:
                checked = self._check(env, path, account, container, fields)
            max_size, max_count = checked
            files += 1
            if files > max_count:
                raise _counted("Max File Count Exceeded")
            status = self._store(env, account, container or "", prefix or "", part,
                                 fields, max_size)
            if not status.startswith("2"):
                return status
        if checked is None:
            # Signature and expiry are checked before the missing files.
            self._check(env, path, account, container, fields)
            raise _counted("No Files To Process")
        return "201 Created"

    def _check(self, env: Dict[str, Any], path: str, account: str,
               container: Optional[str], fields: Dict[str, str]) -> Tuple[int, int]:
        """``(max_file_size, max_file_count)`` once the form proved valid."""
        max_size = _integer(fields, "max_file_size")
        max_count = _integer(fields, "max_file_count")
        try:
            expires = int(fields.get("expires", ""))
        except ValueError:
            raise _bad("expired not an integer") from None
        if expires < time.time():
            raise _unauthorized("Form Expired")
        if not container:
            raise _unauthorized("Invalid Signature")
        message = "\n".join([path] + [fields.get(f, "") for f in SIGNED_FIELDS])
        keys = (hmac_keys.account_keys(env, self.app, account)
                + hmac_keys.container_keys(env, self.app, account, container))
        sig = fields.get("signature", "")
        if not keys or not hmac_keys.signature_matches(sig, keys, [message],
                                                       self.allowed_digests):
            raise _unauthorized("Invalid Signature")
        return max_size, max_count

    def _store(self, env: Dict[str, Any], account: str, container: str, prefix: str,
               part: Part, fields: Dict[str, str], max_size: int) -> str:
        """PUT one file through the rest of the pipeline; its status."""
        headers = {"Content-Type": fields.get("content-type") or part.content_type
                   or "application/octet-stream"}
        if fields.get("x_delete_at"):
            try:
                headers["X-Delete-At"] = str(int(fields["x_delete_at"]))
            except ValueError:
                raise _bad("x_delete_at not an integer: Unix timestamp required.") from None
        if fields.get("x_delete_after"):
            try:
                headers["X-Delete-After"] = str(int(fields["x_delete_after"]))
            except ValueError:
                raise _bad("x_delete_after not an integer: Number of seconds "
                           "required.") from None
        name = prefix + part.filename  # type: ignore[operator]
        stream = _FileInput(part, max_size)
        # The form's signature stands in for authorization, for this PUT only.
        sub = make_env(env, "PUT", "/v1/%s/%s/%s" % (account, container, name), headers=headers,
                       body=stream, content_length=None, source="FP", extra={
                           "swift.authorize_override": True, "REMOTE_USER": REMOTE_USER,
                           "swift.authorize": lambda _req: None})
        captured: List[str] = []

        def start(status: str, _headers: List[Tuple[str, str]], _exc: Any = None) -> None:
            captured.append(status)
        body = self.app(sub, start)
        drain_and_close(body)
        if stream.too_big:
            raise _bad("max_file_size exceeded")
        if stream.malformed is not None:  # the form's fault, not a lost client
            raise stream.malformed
        return captured[0] if captured else "500 Internal Server Error"

    # ---------------------------------------------------------- answers
    @staticmethod
    def _plain(start_response: StartResponse, status: str, body: str,
               unauthorized: bool) -> Iterable[bytes]:
        if unauthorized:
            resp = swift_error(int(status[:3]), body, {"Www-Authenticate": 'Swift realm="unknown"'})
        else:
            resp = plain_error(int(status[:3]), body)
        resp.status = status  # a storage server's own reason phrase is kept
        return resp({"REQUEST_METHOD": "POST"}, start_response)  # never a HEAD

    @staticmethod
    def _redirect(start_response: StartResponse, redirect: str, code: str,
                  message: str) -> Iterable[bytes]:
        location = "%s%sstatus=%s&message=%s" % (redirect, "&" if "?" in redirect else "?",
                                                 code, quote(message))
        data = (REDIRECT_BODY % location).encode("utf-8")
        start_response("303 See Other", [("Location", location),
                                         ("Content-Length", str(len(data)))])
        return [data]


def _integer(fields: Dict[str, str], name: str) -> int:
    try:
        return int(fields.get(name, ""))
    except ValueError:
        raise _bad("%s not an integer" % name) from None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: FormPost(app, conf)
