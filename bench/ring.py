"""Ring benchmark: rebalance time and get_nodes lookups per second.

    .venv/bin/python bench/ring.py [--quick] [--swift /tmp/swiftvenv/bin/python]

Layouts: 12, 100 and 1000 devices over 3 regions x 4 zones (4 devices a
server), part power 16 and 20, 3 replicas.  For each we time the first
rebalance, a rebalance after adding one device, ring load, and lookups.
With ``--swift`` the same is run through swift-ring-builder's library
in that interpreter, for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# The same body runs in our venv and (with flavour='swift') under Swift.
_CASE = r'''
import os, sys, time, json
flavour, pp, ndev, lookups, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if flavour == 'swift':
    conf = os.path.join(tmp, 'swift.conf')
    with open(conf, 'w') as fh:
        fh.write('[swift-hash]\nswift_hash_path_suffix = bench\n')
    import swift.common.utils as sutils
    sutils.SWIFT_CONF_FILE = conf
    from swift.common.ring import RingBuilder, Ring
else:
    sys.path.insert(0, sys.argv[6])
    from ring import RingBuilder, Ring
b = RingBuilder(pp, 3, 1)
per_zone = max(1, ndev // 12)
for r in range(1, 4):
    for z in range(1, 5):
        for i in range(per_zone):
            b.add_dev({'region': r, 'zone': z, 'ip': '10.%d.%d.%d' % (r, z, i // 4),
                       'port': 6200, 'replication_ip': '10.%d.%d.%d' % (r, z, i // 4),
                       'replication_port': 6200, 'device': 'd%d' % i, 'weight': 100.0,
                       'meta': ''})
t = time.time(); b.rebalance(seed=1); first = time.time() - t
balance = b.get_balance()
b.add_dev({'region': 1, 'zone': 1, 'ip': '10.99.0.1', 'port': 6200, 'replication_ip': '10.99.0.1',
           'replication_port': 6200, 'device': 'new', 'weight': 100.0, 'meta': ''})
b.pretend_min_part_hours_passed()
t = time.time(); moved = b.rebalance(seed=2)[0]; add_one = time.time() - t
path = os.path.join(tmp, '%s-%d-%d.ring.gz' % (flavour, pp, ndev))
b.get_ring().save(path)
t = time.time(); ring = Ring(path); load = time.time() - t
names = ['o%d' % i for i in range(lookups)]
t = time.time()
for n in names:
    ring.get_nodes('AUTH_bench', 'c', n)
rate = lookups / (time.time() - t)
print(json.dumps({'first': first, 'add_one': add_one, 'moved': moved, 'balance': balance,
                  'load': load, 'lookups_per_s': rate, 'size': os.path.getsize(path)}))
'''


def run_case(python: str, flavour: str, pp: int, ndev: int, lookups: int, tmp: str) -> dict:
    proc = subprocess.run([python, '-c', _CASE, flavour, str(pp), str(ndev), str(lookups),
                           tmp, ROOT], capture_output=True, text=True, cwd=tmp)
    if proc.returncode:
        return {'error': proc.stderr.strip().splitlines()[-1] if proc.stderr else 'failed'}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='part power 16 only')
    parser.add_argument('--swift', metavar='PYTHON',
                        help='interpreter with swift installed, to compare')
    ns = parser.parse_args(argv)
    powers = [16] if ns.quick else [16, 20]
    lookups = 50000 if ns.quick else 200000
    flavours = [('objstore', sys.executable)]
    if ns.swift:
        flavours.append(('swift', ns.swift))
    print('%-9s %3s %5s %10s %10s %8s %8s %8s %12s' % (
        'impl', 'pp', 'devs', 'rebalance', 'add-1-dev', 'moved', 'balance', 'load', 'lookups/s'))
    with tempfile.TemporaryDirectory() as tmp:
        for pp in powers:
            for ndev in (12, 100, 1000):
                for name, python in flavours:
                    res = run_case(python, name, pp, ndev, lookups, tmp)
                    if 'error' in res:
                        print('%-9s %3d %5d  error: %s' % (name, pp, ndev, res['error']))
                        continue
                    print('%-9s %3d %5d %9.2fs %9.2fs %8d %8.2f %7.2fs %12.0f' % (
                        name, pp, ndev, res['first'], res['add_one'], res['moved'],
                        res['balance'], res['load'], res['lookups_per_s']))
                    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
