"""How a header name maps to its WSGI environ key and back: ASCII case only.

A request's header names reach the app as WSGI strings, one latin-1
character per byte on the wire, and metadata names may be UTF-8
(``X-Object-Meta-👍`` is ``X-Object-Meta-\\xf0\\x9f\\x91\\x8d``). webob
upper-cases a name into its environ key, and title-cases the key back into
a name, with ``str`` case rules, which also change latin-1 letters: 0xF0
(``ð``) becomes 0xD0 (``Ð``), the name is no longer the UTF-8 sent, and
its metadata was refused (or a name and its key missed each other). Swift
changes the case of ASCII letters only, as ``bytes.upper()`` and
``bytes.title()`` do: ``x-object-meta-éa`` is stored and returned as
``X-Object-Meta-\\xc3\\xa9A``.

``install()`` makes webob's two mappings follow that rule; it runs when
``objstore.common.http`` is imported, so every process that builds or
reads requests has it. The server's own name-to-key step is in
``common/wsgi`` (``formalize_key_naming``), with the same rule.

Both mappings are remembered per name (``_MEMO_MAX`` names each, names up to
``_MEMO_NAME_MAX`` characters; past that they are computed every time, so
a client sending endless new names costs no memory): webob maps every
environ key on each walk of ``req.headers`` (about 40 per request, several
walks per request), which was about 7% of a proxy worker's CPU per small
PUT (docs/performance.md, session 13).
"""

from __future__ import annotations

import re
from typing import Dict, Optional

import webob.headers

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ASCII_WORD = re.compile(r"[A-Za-z]+")


def ascii_upper(name: str) -> str:
    """``name`` with its ASCII letters upper-cased, every other character kept."""
    return name.upper() if name.isascii() else name.translate(_ASCII_UPPER)


def ascii_title(name: str) -> str:
    """``name`` title-cased as ``bytes.title()`` would: each run of ASCII
    letters capitalized, every other character kept (and ending a word)."""
    if name.isascii():
        return name.title()
    return _ASCII_WORD.sub(lambda m: m.group().capitalize(), name)


#: names (or environ keys) whose mapping is remembered, per direction
_MEMO_MAX = 4096
#: longer names are mapped every time
_MEMO_NAME_MAX = 100
_NAME_TO_KEY: Dict[str, str] = {}
_KEY_TO_NAME: Dict[str, Optional[str]] = {}


def _name_to_key(name: str) -> str:
    name = ascii_upper(name)
    key = webob.headers.header2key.get(name)
    return key if key is not None else "HTTP_" + name.replace("-", "_")


def _key_to_name(key: str) -> Optional[str]:
    header = webob.headers.key2header.get(key)
    if header is not None:
        return header
    if key.startswith("HTTP_"):
        return ascii_title(key[5:].replace("_", "-"))
    return None


def _trans_name(name: str) -> str:
    """A header name's environ key (webob's ``_trans_name``)."""
    try:
        return _NAME_TO_KEY[name]
    except KeyError:
        pass
    key = _name_to_key(name)
    if len(_NAME_TO_KEY) < _MEMO_MAX and len(name) <= _MEMO_NAME_MAX:
        _NAME_TO_KEY[name] = key
    return key


def _trans_key(key: object) -> Optional[str]:
    """An environ key's header name, ``None`` for a key that is not a
    header (webob's ``_trans_key``)."""
    if not isinstance(key, str):
        return None
    try:
        return _KEY_TO_NAME[key]
    except KeyError:
        pass
    name = _key_to_name(key)
    if len(_KEY_TO_NAME) < _MEMO_MAX and len(key) <= _MEMO_NAME_MAX:
        _KEY_TO_NAME[key] = name
    return name


def install() -> None:
    """Make webob's environ headers map names and keys by ASCII case only."""
    webob.headers._trans_name = _trans_name  # type: ignore[attr-defined]
    webob.headers._trans_key = _trans_key  # type: ignore[attr-defined]
