"""name_check: refuse names an operator does not want stored.

Some deployments put names in places that choke on certain characters
(shells, HTML, other stores a tree is mirrored to). This filter refuses,
with 400 and a message naming the rule, any request whose (decoded) path
holds one of ``forbidden_chars``, is longer than ``maximum_length``, or
matches ``forbidden_regexp`` (by default ``.`` and ``..`` as whole path
segments), checked in that order, as Swift's ``name_check`` does.

What is checked is the request path as the server received it, decoded
once (``%3C`` is ``<``; ``%253C`` is the three characters ``%3C``), its
length counted in bytes, whatever the path names (``/info<`` too), and a
path that is not UTF-8 is still checked (Swift answers its 400 before the
proxy's 412). Swift's SAIO does not run it (its ``/info`` has no
``name_check``), so neither does objstore's: an operator adds it right after
``gatekeeper``; it is tested from the sample config's section.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable

from objstore.common import registry
from objstore.common.config import config_int
from objstore.common.http.errors import swift_error
from objstore.common.http.wsgi_str import str_to_wsgi

DEFAULT_FORBIDDEN_CHARS = "'\"`<>"
DEFAULT_MAXIMUM_LENGTH = 255
DEFAULT_FORBIDDEN_REGEXP = r"/\./|/\.\./|/\.$|/\.\.$"
SUBJECT = "Object/Container/Account name"


class NameCheck:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.forbidden_chars = conf.get("forbidden_chars", DEFAULT_FORBIDDEN_CHARS)
        self.maximum_length = config_int(conf, "maximum_length", DEFAULT_MAXIMUM_LENGTH, 1)
        self.forbidden_regexp = conf.get("forbidden_regexp", DEFAULT_FORBIDDEN_REGEXP)
        self.pattern = re.compile(self.forbidden_regexp) if self.forbidden_regexp else None
        # Paths are WSGI strings (one character per byte): so are the chars.
        self._chars = [str_to_wsgi(c) for c in self.forbidden_chars]
        registry.register_info("name_check", forbidden_chars=self.forbidden_chars,
                               maximum_length=self.maximum_length,
                               forbidden_regexp=self.forbidden_regexp)

    def problem(self, path: str) -> str:
        """Why ``path`` (a WSGI string: one character per byte) is refused,
        or ``""``."""
        if any(c in path for c in self._chars):
            return "%s contains forbidden chars from %s" % (SUBJECT, self.forbidden_chars)
        if len(path) > self.maximum_length:
            return "%s longer than the allowed maximum %d" % (SUBJECT, self.maximum_length)
        if self.pattern is not None and self.pattern.search(path):
            return "%s contains a forbidden substring from regular expression %s" % (
                SUBJECT, self.forbidden_regexp)
        return ""

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        problem = self.problem(env.get("PATH_INFO", ""))
        if problem:
            return swift_error(400, problem)(env, start_response)
        return self.app(env, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: NameCheck(app, conf)
