"""objstore-relinker: the object node's part of a partition power increase.

    objstore-relinker relink  [object-server.conf] [--device D] [--policy N]
    objstore-relinker cleanup [object-server.conf] [--device D] [--policy N]

``relink`` runs after ``objstore-ring-builder ... prepare_increase_partition_power``
(ring pushed): every object of every local device is hard-linked into its
partition under the next power. ``cleanup`` runs after
``increase_partition_power`` (ring pushed to every proxy): the old names
go. Policies whose ring is not at that step are left alone. The work is
``objstore.obj.relink``; this only picks devices, prints and exits 0 (or
1 when something could not be linked or removed).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from objstore.common.config import ConfigError, read_conf, swift_dir
from objstore.common.storage_policy import load_policies
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.relink import cleanup_device, relink_device
from ring import Ring, RingLoadError

DEFAULT_CONF = "/etc/objstore/object-server.conf"


def _devices(mgr: DiskFileManager, only: Optional[str]) -> List[str]:
    try:
        names = sorted(os.listdir(mgr.devices))
    except OSError as err:
        raise ConfigError("cannot list devices dir %s: %s" % (mgr.devices, err))
    return [n for n in names if (only is None or n == only) and mgr.get_dev_path(n)]


def run(step: str, conf_path: str, device: Optional[str] = None,
        policy: Optional[int] = None) -> int:
    """Do ``step`` (relink or cleanup) on every local device; exit status."""
    conf = dict(read_conf(conf_path)["DEFAULT"])
    mgr = DiskFileManager(conf)
    errors, done = 0, 0
    for pol in load_policies(swift_dir(conf)):
        if policy is not None and pol.index != policy:
            continue
        try:
            ring = Ring(swift_dir(conf), ring_name=pol.ring_name)
        except RingLoadError as err:
            print("policy %s: no usable ring (%s); skipped" % (pol.name, err.problem))
            continue
        nxt, power = ring.next_part_power, ring.part_power
        if step == "relink" and (nxt is None or nxt == power):
            print("policy %s: its ring has no next partition power to relink to; run "
                  "prepare_increase_partition_power and push the ring first" % pol.name)
            continue
        if step == "cleanup" and nxt != power:
            print("policy %s: its ring's partition power was not increased; run "
                  "increase_partition_power and push the ring first" % pol.name)
            continue
        for dev in _devices(mgr, device):
            if step == "relink":
                stats = relink_device(mgr, dev, pol.index, nxt)
            else:
                stats = cleanup_device(mgr, dev, pol.index, power)
            done += 1
            errors += stats.errors
            print("%s %s policy %s: %s" % (step, dev, pol.name, " ".join(
                "%s=%d" % kv for kv in sorted(stats.as_dict().items()))))
    if not done:
        print("%s: nothing to do" % step)
    return 1 if errors else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="objstore-relinker", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("step", choices=("relink", "cleanup"))
    parser.add_argument("conf", nargs="?", default=DEFAULT_CONF,
                        help="the object server's config (default %(default)s)")
    parser.add_argument("--device", help="only this device")
    parser.add_argument("--policy", type=int, help="only this policy index")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return run(args.step, args.conf, args.device, args.policy)
    except (ConfigError, OSError) as err:
        sys.stderr.write("objstore-relinker: %s\n" % err)
        return 2


if __name__ == "__main__":
    sys.exit(main())
