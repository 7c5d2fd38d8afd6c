"""Device faults: unmount (really: the device directory moves away, so
every server and daemon of that node finds it missing, as after an
unmount with ``mount_check``), and the slow and full disks the object
servers play from the lab's device state file (``objstore.obj.lab_faults``).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

from objstore.common.config import read_conf
from objstore.faultlab.processes import Server
from objstore.obj.lab_faults import MAX_DELAY

STATE_FILE = "devices.json"


class DeviceError(Exception):
    """A device action that cannot be done; the message says why."""


def device_path(server: Server, device: str) -> str:
    if not device or "/" in device or device in (".", ".."):
        raise DeviceError("a device is one name, such as sdb1 (got %r)" % device)
    return os.path.normpath(os.path.join(server.devices, device))


def parking_path(server: Server, device: str) -> str:
    """Where an unmounted device waits: beside the devices dir (same
    filesystem, so a rename), never inside it where it would be listed."""
    return os.path.normpath(server.devices) + ".fault-lab-unmounted" + os.sep + device


def unmount(server: Server, device: str) -> Dict[str, Any]:
    path = device_path(server, device)
    if not os.path.isdir(path):
        raise DeviceError("%s has no device %s (no directory %s)" % (server.name, device, path))
    parked = parking_path(server, device)
    if os.path.exists(parked):
        raise DeviceError("%s is unmounted already" % path)
    os.makedirs(os.path.dirname(parked), exist_ok=True)
    os.rename(path, parked)
    return {"path": path, "parked": parked}


def mount(undo: Dict[str, Any]) -> str:
    path, parked = undo["path"], undo["parked"]
    if not os.path.isdir(parked):
        return "%s is not parked at %s; nothing to mount" % (path, parked)
    if os.path.isdir(path):
        try:
            os.rmdir(path)  # an empty directory something made meanwhile
        except OSError:
            raise DeviceError("%s exists again and is not empty; move its files away "
                              "and undo again" % path)
    os.rename(parked, path)
    try:
        os.rmdir(os.path.dirname(parked))  # the parking dir, once empty
    except OSError:
        pass
    return "mounted %s again" % path


class DeviceState:
    """The lab's ``devices.json``: ``{device path: {"delay": s, "full": bool}}``."""

    def __init__(self, lab_dir: str) -> None:
        self.path = os.path.join(lab_dir, STATE_FILE)

    def read(self) -> Dict[str, Dict[str, Any]]:
        try:
            with open(self.path) as fp:
                doc = json.load(fp)
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def _write(self, doc: Dict[str, Dict[str, Any]]) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = "%s.%d.tmp" % (self.path, os.getpid())
        with open(tmp, "w") as fp:
            json.dump(doc, fp, sort_keys=True)
        os.replace(tmp, self.path)

    def set(self, path: str, key: str, value: Any) -> None:
        doc = self.read()
        entry = doc.setdefault(path, {})
        if value in (None, False, 0):
            entry.pop(key, None)
        else:
            entry[key] = value
        if not entry:
            doc.pop(path, None)
        self._write(doc)


def check_hooked(server: Server, state: DeviceState) -> None:
    """DeviceError unless this object server reads the lab's device state
    (otherwise a slow or full disk would be recorded and never played)."""
    if server.kind != "object":
        raise DeviceError("only object servers play slow and full disks; %s is a %s server"
                          % (server.name, server.kind))
    conf = read_conf(server.conf).get("DEFAULT", {})
    if os.path.normpath(conf.get("fault_lab_state", "") or "-") != os.path.normpath(state.path):
        raise DeviceError("%s does not read the lab's device state: set fault_lab_state = %s "
                          "in [DEFAULT] of %s and restart it" % (server.name, state.path,
                                                                 server.conf))


def check_delay(delay: float) -> float:
    if not 0 < delay <= MAX_DELAY:
        raise DeviceError("a delay is more than 0 and at most %g seconds (got %r)"
                          % (MAX_DELAY, delay))
    return delay
