"""Reserved names: containers a middleware keeps for itself, which no
client can create, read, list or delete.

A reserved name starts with NUL (``\\x00``), and NUL separates its parts
(``\\x00versions\\x00<container>``), as in Swift's reserved namespace. A
client can never send one: the proxy refuses a NUL in a name with 412
"Invalid UTF8 or contains NULL", unless the request carries
``X-Backend-Allow-Reserved-Names: true``, which ``gatekeeper`` strips from
every client request (an ``X-Backend-*`` header), so only the subrequests a
middleware makes below it can. Storage servers accept a path segment that
starts with NUL (only the proxy and the daemons reach them), so container
and account updates of a reserved container need nothing special; NUL
anywhere else is still refused everywhere.

Account listings leave reserved containers out unless the request carries
the header (the account server's side), so a client never sees them; they
still count in the account's container count and bytes, as in Swift.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from objstore.common.config import config_true_value
from objstore.common.http.listing import ListingParams

RESERVED = "\x00"
ALLOW_HEADER = "X-Backend-Allow-Reserved-Names"
#: sorts after every reserved name and before every other one
_PAST_RESERVED = RESERVED + "\U0010ffff"


def reserved_name(*parts: str) -> str:
    """``\\x00part1\\x00part2...``: a name no client can use."""
    return RESERVED + RESERVED.join(parts)


def is_reserved(name: str) -> bool:
    return name.startswith(RESERVED)


def allowed(headers: Mapping[str, str]) -> bool:
    """Whether a request may name reserved names (a middleware's own)."""
    return config_true_value(headers.get(ALLOW_HEADER, ""))


def hide_reserved(params: ListingParams) -> ListingParams:
    """The listing ``params`` without the reserved names (they sort first:
    forward, the marker starts past them; in reverse, the end marker stops
    before them)."""
    if params.reverse:
        if params.end_marker < _PAST_RESERVED:
            return dataclasses.replace(params, end_marker=_PAST_RESERVED)
        return params
    if params.marker < _PAST_RESERVED:
        return dataclasses.replace(params, marker=_PAST_RESERVED)
    return params
