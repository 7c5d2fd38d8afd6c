"""Hold the SAIO's continuous tierer back while a test session runs.

saio/start runs ``objstore-tierer`` continuously, a pass every few
seconds; tests that need a pass to happen at a given moment (a move they
race a client write against, a lifecycle rule "days later") run passes
themselves. So a session writes its own process id to the tierer's pause
file (``objstore.tiering.tierer.PAUSE_FILE``) and waits for a pass under
way to end (it holds the pass lock); the daemon skips its passes while
that process lives, and the file goes when the session ends.
"""

import contextlib
import os
from typing import Iterator

from objstore.tiering.tierer import PAUSE_FILE, pass_lock


@contextlib.contextmanager
def tierer_paused(saio_dir: str) -> Iterator[None]:
    state_dir = os.path.join(saio_dir, "tiering")
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, PAUSE_FILE)
    mine = str(os.getpid())
    with open(path, "w") as fp:
        fp.write(mine)
    with pass_lock(state_dir):
        pass  # a pass begun before the pause file has ended
    try:
        yield
    finally:
        try:
            with open(path) as fp:
                if fp.read().strip() == mine:
                    os.unlink(path)
        except FileNotFoundError:
            pass
