"""Delete a test's container for good, whatever the test left in it.

A test container may still be versioned (deleting an object would bring
back its previous version), hold many objects, or sit on a cluster a probe
test has just restarted (the first requests after ``saio/start`` may fail).
So: stop versioning (when its listing says it versions), delete every
listed object, delete the container, and retry until a deadline; a
container that cannot be deleted is an error, as a leftover container is
one every user of the account then sees.
"""
from __future__ import annotations

import time
from typing import Dict, List, Tuple

import swiftclient

#: names asked per listing page (the proxy's most): a shorter page is the last
PAGE = 10000
#: a container that keeps versions in another one (its listing names them)
_VERSIONING = ("x-versions-location", "x-history-location")


def _listing(conn: swiftclient.Connection, name: str) -> Tuple[Dict[str, str], List[Dict]]:
    """The container's headers and every row of its listing; a page
    shorter than ``PAGE`` is the last, so a test's few objects cost one
    request, not a second one that finds nothing."""
    headers, rows = conn.get_container(name, limit=PAGE)
    page = rows
    while len(page) == PAGE:
        _, page = conn.get_container(name, limit=PAGE, marker=page[-1]["name"])
        rows = rows + page
    return headers, rows


def delete_container(conn: swiftclient.Connection, name: str, timeout: float = 60.0) -> None:
    """Empty and delete ``name``; already gone is fine, failing is an error."""
    deadline = time.time() + timeout
    while True:
        try:
            headers, objs = _listing(conn, name)
            if any(h in headers for h in _VERSIONING):
                conn.post_container(name, {"X-Remove-Versions-Location": "x",
                                           "X-Remove-History-Location": "x"})
                _, objs = _listing(conn, name)
            for obj in objs:
                try:
                    conn.delete_object(name, obj["name"])
                except swiftclient.ClientException as err:
                    if err.http_status != 404:
                        raise
            conn.delete_container(name)
            return
        except swiftclient.ClientException as err:
            if err.http_status == 404:
                return
            if time.time() > deadline:
                raise AssertionError("test container %s could not be deleted: %s" % (name, err))
        except OSError as err:  # a server just restarted by the test
            if time.time() > deadline:
                raise AssertionError("test container %s could not be deleted: %s" % (name, err))
        time.sleep(0.5)
