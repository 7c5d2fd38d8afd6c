"""Run by test_syscall_audit.py under strace: an in-process object server
(real files, no sockets) doing one small PUT of a new object, an
overwrite, a GET, a HEAD and a DELETE, then a large PUT. Each step is bracketed by a marker
(an ``open`` of a path that does not exist, which strace shows), after a
warm-up of the same steps on another partition so lazy imports and the
device's first directories are not counted.

    python syscall_workload.py <devices dir> <swift dir>
"""

import os
import sys

from webob import Request

from objstore.common.timestamp import Timestamp
from objstore.obj.server import ObjectController

MARK = "/proc/self/objstore-audit-"


def mark(name: str) -> None:
    try:
        os.open(MARK + name, os.O_RDONLY)
    except OSError:
        pass


def call(app, method: str, path: str, body: bytes = b"") -> int:
    headers = {"X-Timestamp": Timestamp.now().internal, "Content-Type": "text/plain"}
    req = Request.blank(path, method=method, headers=headers)
    if method == "PUT":
        req.body = body
    resp = req.get_response(app)
    b"".join(resp.app_iter)
    return resp.status_int


def steps(app, path: str, audit: bool) -> None:
    body = b"x" * 4096
    for name, method in (("put-new", "PUT"), ("put-over", "PUT"), ("get", "GET"),
                         ("head", "HEAD"), ("delete", "DELETE")):
        if audit:
            mark(name + "-start")
        status = call(app, method, path, body)
        if audit:
            mark(name + "-end")
        want = {"PUT": 201, "GET": 200, "HEAD": 200, "DELETE": 204}[method]
        if status != want:
            raise SystemExit("%s %s answered %d" % (method, path, status))


def large_put(app, path: str) -> None:
    """A body past ``direct_write_size`` and over one staging buffer, not a
    whole number of blocks: written with O_DIRECT, its tail through the cache."""
    mark("put-large-start")
    status = call(app, "PUT", path, b"L" * (1024 * 1024 + 3 * 4096 + 100))
    mark("put-large-end")
    if status != 201:
        raise SystemExit("PUT %s answered %d" % (path, status))


def main() -> None:
    devices, swift_dir = sys.argv[1], sys.argv[2]
    app = ObjectController({"devices": devices, "mount_check": "false",
                            "swift_dir": swift_dir, "fallocate_reserve": "0",
                            "log_level": "WARNING"})
    steps(app, "/sda1/1/a/c/warm-up", audit=False)
    steps(app, "/sda1/2/a/c/audited", audit=True)
    large_put(app, "/sda1/2/a/c/audited-large")


if __name__ == "__main__":
    main()
