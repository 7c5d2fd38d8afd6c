"""``objstore-fault``: the fault lab from a shell (the dashboard's buttons
do the same). Reads the lab settings from the dashboard config; refuses
everything on a cluster whose config leaves ``fault_lab`` off.

    objstore-fault [-c CONF] list
    objstore-fault stop|start|kill-worker SERVER      (object-2, proxy, 127.0.0.1:6220)
    objstore-fault corrupt|delete /a/c/o --replica N
    objstore-fault unmount|fill SERVER DEVICE
    objstore-fault slow SERVER DEVICE --delay SECONDS
    objstore-fault run DAEMON [--node N] [--partition P]  (object-auditor, ...)
    objstore-fault undo ID|all
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Dict, List, Optional

from objstore.common.config import ConfigError, read_conf
from objstore.faultlab.lab import FaultLab, LabConfig, LabError

DEFAULT_CONF = "/etc/objstore/dashboard.conf"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="objstore-fault", description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--conf", default=DEFAULT_CONF,
                        help="the dashboard config with the lab settings (%(default)s)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="the servers and the live faults")
    for action in ("stop", "start", "kill-worker"):
        sub.add_parser(action).add_argument("server")
    for action in ("corrupt", "delete"):
        one = sub.add_parser(action)
        one.add_argument("path", help="/account/container/object")
        one.add_argument("--replica", required=True, help="the primary's index (0, 1, 2)")
    for action in ("unmount", "fill", "slow"):
        one = sub.add_parser(action)
        one.add_argument("server")
        one.add_argument("device")
        if action == "slow":
            one.add_argument("--delay", required=True, help="seconds per request")
    run = sub.add_parser("run", help="one pass of a daemon on every node (or one)")
    run.add_argument("daemon")
    run.add_argument("--node")
    run.add_argument("--partition", help="only this partition (object-replicator)")
    sub.add_parser("undo").add_argument("id", help="a fault's id, or all")
    return parser


def _print_list(doc: Dict[str, Any]) -> None:
    for server in doc["servers"]:
        print("%-12s %-16s %s" % (server["name"], server["address"],
                                  "pid %d" % server["pid"] if server["pid"] else "stopped"))
    print("faults:" if doc["faults"] else "no faults")
    for fault in doc["faults"]:
        print("  %d  %s  %-11s %s: %s" % (fault["id"], time.strftime(
            "%H:%M:%S", time.localtime(fault["time"])), fault["action"], fault["target"],
            fault["detail"]))


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        conf = dict(read_conf(args.conf).get("dashboard", {}))
    except (ConfigError, OSError) as err:
        sys.stderr.write("objstore-fault: cannot read %s: %s\n" % (args.conf, err))
        return 2
    lab = FaultLab(LabConfig.from_conf(conf))
    try:
        if args.action == "list":
            lab.check_enabled()
            doc = lab.describe()
        else:
            fields = {k: v for k, v in vars(args).items() if k not in ("conf", "json", "action")}
            doc = lab.apply(args.action, fields)
    except LabError as err:
        sys.stderr.write("objstore-fault: %s\n" % err)
        return 1
    if args.json:
        print(json.dumps(doc, indent=1, sort_keys=True))
    elif args.action == "list":
        _print_list(doc)
    else:
        print("%s%s %s: %s" % ("fault %d: " % doc["id"] if "id" in doc else "", doc["action"],
                               doc["target"], doc["detail"]))
        for result in doc.get("results", []):
            if result["status"] != 0:
                print("--- %s (exit %s):\n%s" % (result["server"], result["status"],
                                                result["output"]))
    return 1 if any(r["status"] != 0 for r in doc.get("results", [])) else 0


if __name__ == "__main__":
    sys.exit(main())
