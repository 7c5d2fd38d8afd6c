"""Device faults the study lab asks an object server to play: a slow disk
and a full one, on a cluster whose config enables the lab.

Off unless the config names ``fault_lab_state`` (the SAIO does; the
production samples do not): then the server reads that JSON file, written
by the fault lab (``objstore-fault``, the dashboard), at most once a second
and only when it changed (``utils.file_version``: the lab replaces the file
whole, and two writes within one tick of the filesystem's coarse clock
share an mtime, so the mtime alone would miss the second)::

    {"/srv/1/node/sdb1": {"delay": 0.5, "full": true}}

``delay`` seconds are slept (green, so other requests go on) each time a
request or daemon opens that device; ``full`` makes the device's free-space
check fail, so writes get the 507 a full disk gets. Nothing is faked
beyond those two answers: the real disk is shared by the whole machine
and is never filled.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Optional, Tuple

from objstore.common import concurrency
from objstore.common.utils import file_version

#: the longest delay the lab may ask for, seconds
MAX_DELAY = 10.0
RELOAD_INTERVAL = 1.0


class DeviceFaults:
    """The lab's faults of this server's devices, re-read when changed."""

    def __init__(self, state_path: str) -> None:
        self.state_path = state_path
        self._state: Dict[str, Dict[str, Any]] = {}
        self._seen: Optional[Tuple[int, int, int]] = None
        self._checked = 0.0

    def _current(self) -> Dict[str, Dict[str, Any]]:
        now = time.monotonic()
        if now - self._checked >= RELOAD_INTERVAL:
            self._checked = now
            try:
                seen = file_version(self.state_path)
            except OSError:
                seen = None
            if seen is None:
                self._state, self._seen = {}, None
                return self._state
            if seen != self._seen:
                try:
                    with open(self.state_path) as fp:
                        doc = json.load(fp)
                    self._state = doc if isinstance(doc, dict) else {}
                except (OSError, ValueError):
                    self._state = {}  # half-written: read again next second
                    seen = None
                self._seen = seen
        return self._state

    def _entry(self, device_path: str) -> Dict[str, Any]:
        entry = self._current().get(os.path.normpath(device_path))
        return entry if isinstance(entry, dict) else {}

    def delay(self, device_path: str) -> float:
        try:
            return min(max(float(self._entry(device_path).get("delay", 0)), 0.0), MAX_DELAY)
        except (TypeError, ValueError):
            return 0.0

    def full(self, device_path: str) -> bool:
        return self._entry(device_path).get("full") is True

    def slow_down(self, device_path: str) -> None:
        """Sleep the device's delay, if the lab set one."""
        seconds = self.delay(device_path)
        if seconds > 0:
            concurrency.sleep(seconds)
