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

``install()`` also gives webob's ``EnvironHeaders`` (``req.headers``) a
``get`` and an ``items`` that answer exactly as webob's inherited ones do
without raising and catching a ``KeyError``: ``Mapping.get`` looks a missing
name up by raising one (1.4 us a miss against 0.5 for a hit), and
``ItemsView`` walks the names then maps each back to its environ key for
its value, where one pass over the environ has the value in hand (an
environ key whose name maps back to another key -- ``HTTP_x_y``, or
``HTTP_CONTENT_TYPE`` read as ``Content-Type`` -- still has its value
read as webob reads it).
"""

from __future__ import annotations

import re
from collections.abc import ItemsView
from typing import Any, Dict, Iterator, Optional, Tuple, Union

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


class _Inexact:
    """The name of an environ key that maps back to another key."""


_INEXACT = _Inexact()
_UNKNOWN = object()
#: environ key -> its header name when that name maps back to the very same
#: key, ``None`` (or ``""``) when the key is no header, ``_INEXACT`` else
_ITEM_NAME: Dict[str, Union[None, str, _Inexact]] = {}


def _item_name(key: object) -> Union[None, str, _Inexact]:
    name = _trans_key(key)
    answer: Union[None, str, _Inexact] = name
    if name and _trans_name(name) != key:
        answer = _INEXACT
    if isinstance(key, str) and len(_ITEM_NAME) < _MEMO_MAX and len(key) <= _MEMO_NAME_MAX:
        _ITEM_NAME[key] = answer
    return answer


def _environ_items(environ: Dict[Any, Any]) -> Iterator[Tuple[str, Any]]:
    """``(name, value)`` for each header of ``environ``, as webob's
    ``EnvironHeaders.items()`` walks them: environ order, keys whose name is
    ``None`` or empty left out, each value read at its name's environ key."""
    memo = _ITEM_NAME.get
    for key, value in environ.items():
        name = memo(key, _UNKNOWN)
        if name is _UNKNOWN:
            name = _item_name(key)
        if not name:
            continue
        if name is _INEXACT:
            name = _trans_key(key)
            yield name, environ[_trans_name(name)]  # type: ignore[arg-type]
        else:
            yield name, value  # type: ignore[misc]


class _EnvironItems(ItemsView):  # type: ignore[type-arg]
    """webob's ``ItemsView`` of ``req.headers`` with a one-pass walk."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Tuple[str, Any]]:
        return _environ_items(self._mapping.environ)


def _headers_get(self: webob.headers.EnvironHeaders, hname: str, default: Any = None) -> Any:
    return self.environ.get(_trans_name(hname), default)


def _headers_items(self: webob.headers.EnvironHeaders) -> _EnvironItems:
    return _EnvironItems(self)


def install() -> None:
    """Make webob's environ headers map names and keys by ASCII case only."""
    webob.headers._trans_name = _trans_name  # type: ignore[attr-defined]
    webob.headers._trans_key = _trans_key  # type: ignore[attr-defined]
    webob.headers.EnvironHeaders.get = _headers_get  # type: ignore[assignment]
    webob.headers.EnvironHeaders.items = _headers_items  # type: ignore[assignment]
