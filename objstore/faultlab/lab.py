"""The fault lab's one entry point, shared by ``objstore-fault`` and the
dashboard: each action checks the lab is enabled, does the damage,
records how to undo it, and returns the recorded fault."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from objstore.common.config import config_true_value
from objstore.faultlab import copies, devices, processes
from objstore.faultlab.journal import Journal
from objstore.faultlab.processes import DAEMONS, Server

#: action -> the arguments it takes (the CLI's and the API's)
ACTIONS: Dict[str, List[str]] = {
    "stop": ["server"], "start": ["server"], "kill-worker": ["server"],
    "corrupt": ["path", "replica"], "delete": ["path", "replica"],
    "unmount": ["server", "device"], "fill": ["server", "device"],
    "slow": ["server", "device", "delay"], "run": ["daemon", "node", "partition"],
    "undo": ["id"],
}
#: arguments an action may go without
OPTIONAL = ("node", "partition")


class LabError(Exception):
    """An action the lab cannot do; the message tells the user why."""

    status = 400


class LabDisabled(LabError):
    status = 403


class NotFound(LabError):
    status = 404


@dataclass(frozen=True)
class LabConfig:
    enabled: bool
    swift_dir: str
    lab_dir: str
    run_dir: str
    log_dir: str

    @classmethod
    def from_conf(cls, conf: Dict[str, str]) -> "LabConfig":
        """From the ``[dashboard]`` section (docs/dashboard.md)."""
        return cls(config_true_value(conf.get("fault_lab", "false")),
                   conf.get("swift_dir", "/etc/objstore"),
                   conf.get("fault_lab_dir", "/var/run/objstore/fault-lab"),
                   conf.get("fault_lab_run_dir", "/var/run/objstore"),
                   conf.get("fault_lab_log_dir", "/var/log/objstore"))


class FaultLab:
    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self.journal = Journal(config.lab_dir)
        self.state = devices.DeviceState(config.lab_dir)

    # ------------------------------------------------------------ lookups
    def check_enabled(self) -> None:
        if not self.config.enabled:
            raise LabDisabled("the fault lab is off on this cluster (fault_lab = false in "
                              "the dashboard config); it is for study clusters only")

    def servers(self) -> Dict[str, Server]:
        return processes.find_servers(self.config.swift_dir, self.config.run_dir)

    def server(self, name: str) -> Server:
        """A server by name (``object-2``, ``proxy``) or ``ip:port``."""
        servers = self.servers()
        if name in servers:
            return servers[name]
        for server in servers.values():
            if "%s:%d" % (server.ip, server.port) == name:
                return server
        raise NotFound("no server %r; the servers are %s" % (name, ", ".join(sorted(servers))))

    def describe(self) -> Dict[str, Any]:
        """What the lab page shows: on or off, live faults, servers, daemons."""
        if not self.config.enabled:
            return {"enabled": False, "faults": [], "servers": [], "daemons": []}
        servers = [{"name": s.name, "kind": s.kind, "address": "%s:%d" % (s.ip, s.port),
                    "pid": processes.server_pid(s)} for s in self.servers().values()]
        faults = [{k: v for k, v in f.items() if k != "undo"} for f in self.journal.faults()]
        return {"enabled": True, "faults": faults, "daemons": sorted(DAEMONS),
                "servers": sorted(servers, key=lambda s: (s["kind"], s["name"]))}

    # ------------------------------------------------------------ actions
    def apply(self, action: str, args: Dict[str, Any]) -> Dict[str, Any]:
        """Run ``action`` with ``args`` (strings from a form or the CLI)."""
        self.check_enabled()
        handler: Optional[Callable[..., Dict[str, Any]]] = {
            "stop": self.stop, "start": self.start, "kill-worker": self.kill_worker,
            "corrupt": self.corrupt, "delete": self.delete, "unmount": self.unmount,
            "fill": self.fill, "slow": self.slow, "run": self.run, "undo": self.undo,
        }.get(action)
        if handler is None:
            raise NotFound("no lab action %r; the actions are %s"
                           % (action, ", ".join(sorted(ACTIONS))))
        missing = [a for a in ACTIONS[action] if a not in OPTIONAL and args.get(a) in (None, "")]
        if missing:
            raise LabError("%s needs %s" % (action, " and ".join(missing)))
        try:
            return handler(**{a: args.get(a) for a in ACTIONS[action]})
        except (processes.ProcessError, copies.CopyError, devices.DeviceError) as err:
            raise LabError(str(err))
        except OSError as err:
            raise LabError("%s failed: %s" % (action, err))

    def _record(self, action: str, target: str, detail: str, undo: Dict[str, Any]
                ) -> Dict[str, Any]:
        fault = self.journal.add({"action": action, "target": target, "detail": detail,
                                  "undo": undo})
        return {k: v for k, v in fault.items() if k != "undo"}

    def stop(self, server: str) -> Dict[str, Any]:
        srv = self.server(server)
        pid = processes.stop_server(srv)
        return self._record("stop", srv.name, "stopped pid %d" % pid, {"server": srv.name})

    def start(self, server: str) -> Dict[str, Any]:
        srv = self.server(server)
        pid = processes.start_server(srv, self.config.log_dir)
        return {"action": "start", "target": srv.name, "detail": "started pid %d" % pid}

    def kill_worker(self, server: str) -> Dict[str, Any]:
        srv = self.server(server)
        pid = processes.kill_worker(srv)
        return self._record("kill-worker", srv.name, "kill -9 of pid %d; its parent starts "
                            "a new worker" % pid, {"server": srv.name})

    def _replica(self, replica: Any) -> int:
        try:
            return int(replica)
        except (TypeError, ValueError):
            raise LabError("replica must be a whole number (the primary's index)")

    def corrupt(self, path: str, replica: Any) -> Dict[str, Any]:
        where = copies.locate(self.config.swift_dir, self.servers(), path, self._replica(replica))
        undo = copies.corrupt(where)
        return self._record("corrupt", "%s replica %d" % (where["path"], where["replica"]),
                            "flipped %d bytes of %s on %s/%s" % (
                                undo["length"], os.path.basename(undo["file"]),
                                where["server"], where["device"]), undo)

    def delete(self, path: str, replica: Any) -> Dict[str, Any]:
        where = copies.locate(self.config.swift_dir, self.servers(), path, self._replica(replica))
        hold = os.path.join(self.config.lab_dir, "held", uuid.uuid4().hex)
        undo = copies.delete(where, hold)
        return self._record("delete", "%s replica %d" % (where["path"], where["replica"]),
                            "moved the copy off %s/%s" % (where["server"], where["device"]),
                            undo)

    def unmount(self, server: str, device: str) -> Dict[str, Any]:
        srv = self.server(server)
        undo = devices.unmount(srv, device)
        return self._record("unmount", "%s/%s" % (srv.name, device),
                            "the device is gone for every server of the node", undo)

    def _device_fault(self, action: str, server: str, device: str, key: str, value: Any,
                      detail: str) -> Dict[str, Any]:
        srv = self.server(server)
        devices.check_hooked(srv, self.state)
        path = devices.device_path(srv, device)
        if not os.path.isdir(path):
            raise NotFound("%s has no device %s" % (srv.name, device))
        if self.state.read().get(path, {}).get(key):
            raise LabError("%s/%s is %s already; undo that fault first"
                           % (srv.name, device, {"full": "full", "delay": "slow"}[key]))
        self.state.set(path, key, value)
        return self._record(action, "%s/%s" % (srv.name, device), detail,
                            {"path": path, "key": key})

    def fill(self, server: str, device: str) -> Dict[str, Any]:
        return self._device_fault("fill", server, device, "full", True,
                                  "the object server finds no free space: writes get 507")

    def slow(self, server: str, device: str, delay: Any) -> Dict[str, Any]:
        try:
            seconds = devices.check_delay(float(delay))
        except (TypeError, ValueError):
            raise LabError("delay is a number of seconds")
        return self._device_fault("slow", server, device, "delay", seconds,
                                  "every request to the device waits %g s" % seconds)

    def run(self, daemon: str, node: Any = None, partition: Any = None) -> Dict[str, Any]:
        if daemon not in DAEMONS:
            raise NotFound("no daemon %r; the daemons are %s"
                           % (daemon, ", ".join(sorted(DAEMONS))))
        args: List[str] = []
        if partition not in (None, ""):
            if daemon not in processes.PARTITION_DAEMONS:
                raise LabError("only %s can be limited to a partition"
                               % ", ".join(processes.PARTITION_DAEMONS))
            if not str(partition).isdigit():
                raise LabError("partition is a partition number")
            args = ["--partitions", str(int(partition))]
        if daemon in processes.OWN_CONF:
            conf = os.path.join(self.config.swift_dir, processes.OWN_CONF[daemon])
            if not os.path.isfile(conf):
                raise NotFound("%s is not configured on this cluster (no %s)" % (daemon, conf))
            results = processes.run_once(daemon, {daemon: conf})
        else:
            kind = daemon.split("-", 1)[0]
            servers = [s for s in self.servers().values() if s.kind == kind]
            if node not in (None, ""):
                servers = [s for s in servers if str(s.node) == str(node)]
                if not servers:
                    raise NotFound("no %s server on node %s" % (kind, node))
            results = processes.run_once(daemon, {s.name: s.conf for s in servers}, args=args)
        failed = [r["server"] for r in results if r["status"] != 0]
        scope = " of partition %s" % args[1] if args else ""
        return {"action": "run", "target": daemon, "results": results,
                "detail": "one pass%s on %s; %s" % (scope, ", ".join(r["server"] for r in results),
                                                    "failed on " + ", ".join(failed) if failed
                                                    else "all passes finished")}

    def undo(self, id: Any) -> Dict[str, Any]:  # noqa: A002 (the API's name)
        """Undo fault ``id`` (or every fault for ``all``, newest first)."""
        faults = self.journal.faults()
        if str(id) == "all":
            done = [self.undo(f["id"])["detail"] for f in reversed(faults)]
            return {"action": "undo", "target": "all", "detail": "; ".join(done) or "no faults"}
        fault = next((f for f in faults if str(f.get("id")) == str(id)), None)
        if fault is None:
            raise NotFound("no live fault %s (see the list)" % id)
        undo, action = fault["undo"], fault["action"]
        if action in ("stop", "kill-worker"):
            srv = self.server(undo["server"])
            if processes.server_pid(srv) is None:
                detail = "started pid %d" % processes.start_server(srv, self.config.log_dir)
            else:
                detail = "%s is running" % srv.name
        elif action == "corrupt":
            detail = copies.uncorrupt(undo)
        elif action == "delete":
            detail = copies.undelete(undo)
        elif action == "unmount":
            detail = devices.mount(undo)
        else:  # fill, slow
            self.state.set(undo["path"], undo["key"], None)
            detail = "%s is %s again" % (fault["target"],
                                         "writable" if action == "fill" else "fast")
        self.journal.remove(fault["id"])
        return {"action": "undo", "target": "%d (%s %s)" % (fault["id"], action, fault["target"]),
                "detail": detail}
