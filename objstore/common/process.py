"""This process's id, and temporary file names of its own, without a
``getpid`` system call per request.

Per-process state (the keep-alive socket pool, the database reader pool,
the random file names of ``tempfile``) must start afresh in a forked
child, so each asked ``os.getpid()`` on every use: three calls per object
PUT in an object server, more in the proxy. The id is read once here and
read again in each child right after a fork (``os.register_at_fork``,
which every ``os.fork`` -- the servers' workers, multiprocessing -- runs),
so ``pid()`` is always this process's id.

``mkstemp`` is ``tempfile.mkstemp`` for the write path: the same kind of
name (prefix, 8 random characters, suffix), opened the same way
(``O_EXCL``, ``O_NOFOLLOW``, mode 0600), but drawn from a generator that is
reseeded in each forked child instead of one that asks for the process id
before every name. Two processes drawing the same name still cannot share
a file: ``O_EXCL`` refuses the second, which draws again.
"""

from __future__ import annotations

import errno
import os
import random
from typing import Tuple

_pid = os.getpid()
_names = random.Random()
_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_OPEN_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0))
#: names tried before giving up (tempfile's TMP_MAX)
_ATTEMPTS = 10000


def _after_fork_in_child() -> None:
    global _pid
    _pid = os.getpid()
    _names.seed()


os.register_at_fork(after_in_child=_after_fork_in_child)


def pid() -> int:
    """This process's id (``os.getpid()``, kept up to date across forks)."""
    return _pid


def mkstemp(dir: str, prefix: str, suffix: str) -> Tuple[int, str]:
    """A new empty file in ``dir`` only this call opened: its fd (read and
    write, close-on-exec) and absolute path, as ``tempfile.mkstemp``."""
    for _attempt in range(_ATTEMPTS):
        name = prefix + "".join(_names.choices(_CHARACTERS, k=8)) + suffix
        path = os.path.join(dir, name)
        try:
            fd = os.open(path, _OPEN_FLAGS, 0o600)
        except FileExistsError:
            continue
        return fd, os.path.abspath(path)
    raise FileExistsError(errno.EEXIST, "No usable temporary file name found")
