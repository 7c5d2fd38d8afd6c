"""Delete a test's container for good, whatever the test left in it.

A test container may still be versioned (deleting an object would bring
back its previous version), hold many objects, or sit on a cluster a probe
test has just restarted (the first requests after ``saio/start`` may fail).
So: stop versioning, delete every listed object, delete the container, and
retry until a deadline; a container that cannot be deleted is an error, as
a leftover container is one every user of the account then sees.
"""
from __future__ import annotations

import time

import swiftclient


def delete_container(conn: swiftclient.Connection, name: str, timeout: float = 60.0) -> None:
    """Empty and delete ``name``; already gone is fine, failing is an error."""
    deadline = time.time() + timeout
    while True:
        try:
            conn.post_container(name, {"X-Remove-Versions-Location": "x",
                                       "X-Remove-History-Location": "x"})
            _, objs = conn.get_container(name, full_listing=True)
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
