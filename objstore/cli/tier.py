"""objstore-tier: what the tierer knows (docs/tiering.md).

    objstore-tier [--swift-dir DIR] status /v1/AUTH_a/c/o
    objstore-tier [--swift-dir DIR] history [--since UNIX_TIME] [--limit N]
    objstore-tier [--swift-dir DIR] queue

Reads the tierer's database (``[tiering] state_dir`` of ``objstore.conf``)
and prints JSON, as ``GET /tiering/...`` answers a reseller admin.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import List, Optional

from objstore.common.config import ConfigError, DEFAULT_SWIFT_DIR
from objstore.common.storage_policy import load_policies
from objstore.common.tiering.config import load_tiering
from objstore.common.tiering.queue import DB_NAME, TierQueue
from objstore.middleware.tiering_admin import status_of


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="objstore-tier", description=__doc__.split("\n")[0])
    parser.add_argument("--swift-dir", default=os.environ.get("OBJSTORE_DIR", DEFAULT_SWIFT_DIR))
    sub = parser.add_subparsers(dest="command", required=True)
    status = sub.add_parser("status", help="one object's tier, reads and moves")
    status.add_argument("path", help="/v1/<account>/<container>/<object>")
    history = sub.add_parser("history", help="moves, newest first")
    history.add_argument("--since", type=float, default=0.0, help="unix time")
    history.add_argument("--limit", type=int, default=100)
    sub.add_parser("queue", help="queued and moving objects")
    args = parser.parse_args(argv)
    try:
        conf = load_tiering(args.swift_dir, load_policies(args.swift_dir))
    except ConfigError as err:
        sys.stderr.write("objstore-tier: %s\n" % err)
        return 2
    if conf is None:
        sys.stderr.write("objstore-tier: %s/objstore.conf declares no [tier:NAME]\n"
                         % args.swift_dir)
        return 2
    if not os.path.exists(os.path.join(conf.state_dir, DB_NAME)):
        sys.stderr.write("objstore-tier: no tierer database in %s yet (has objstore-tierer "
                         "run?)\n" % conf.state_dir)
        return 1
    db = TierQueue(conf.state_dir, readonly=True)
    try:
        if args.command == "status":
            out = status_of(db, conf, args.path, time.time())
        elif args.command == "history":
            out = [m.as_dict() for m in db.history(args.since, args.limit)]
        else:
            out = [m.as_dict() for m in db.queue()]
    finally:
        db.close()
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
