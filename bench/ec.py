"""EC figures for docs/performance.md: codec MB/s per core for every
backend that loads, and PUT/GET MB/s of EC against replication through a
real proxy and object servers (tests/unit/proxy/cluster.py) on this machine.

    .venv/bin/python bench/ec.py [--size-mb 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Dict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]  # bench/ring.py
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "unit", "proxy"))


def codec_figures(size_mb: int) -> Dict[str, Dict[str, float]]:
    """Encode/decode MB/s of the object (client) bytes, one core."""
    from objstore.common import ec
    body = os.urandom(size_mb << 20)
    seg = 1 << 20
    out = {}
    for ec_type in ec.available_ec_types():
        for k, m in ((4, 2), (2, 1)):
            codec = ec.Codec(ec.ECParams(ec_type, k, m, seg))
            start = time.perf_counter()
            frags = [codec.encode(body[i:i + seg]) for i in range(0, len(body), seg)]
            enc = time.perf_counter() - start
            start = time.perf_counter()
            for f in frags:  # decode without the first two data fragments: real work
                codec.decode(f[m:])
            dec = time.perf_counter() - start
            out["%s %d+%d" % (ec_type, k, m)] = {"encode": size_mb / enc,
                                                  "decode": size_mb / dec}
    return out


def cluster_figures(size_mb: int, rounds: int) -> Dict[str, Dict[str, float]]:
    from cluster import Cluster
    policy = ("[storage-policy:2]\nname = ec42\npolicy_type = erasure_coding\n"
              "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 4\n"
              "ec_num_parity_fragments = 2\n"
              "[storage-policy:3]\nname = ec21\npolicy_type = erasure_coding\n"
              "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 2\n"
              "ec_num_parity_fragments = 1\n")
    c = Cluster(tempfile.mkdtemp(), object_servers=6, extra_policies=policy,
                extra_rings={"object-2": 6, "object-3": 3},
                proxy_options="node_timeout = 30\nclient_timeout = 60\n")
    body = os.urandom(size_mb << 20)
    out = {}
    try:
        for name in ("gold", "ec42", "ec21"):
            c.request("PUT", "/v1/AUTH_b/%s" % name, {"X-Storage-Policy": name})
            put = get = 0.0
            for r in range(rounds):
                path = "/v1/AUTH_b/%s/o%d" % (name, r)
                start = time.perf_counter()
                assert c.request("PUT", path, {}, body, timeout=300)[0] == 201
                put += time.perf_counter() - start
                start = time.perf_counter()
                status, _h, got = c.request("GET", path, timeout=300)
                get += time.perf_counter() - start
                assert status == 200 and got == body
            out[name] = {"put": size_mb * rounds / put, "get": size_mb * rounds / get}
    finally:
        c.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("codec (one core, MB/s of object bytes):")
    for name, fig in codec_figures(args.size_mb).items():
        print("  %-32s encode %8.0f  decode %8.0f" % (name, fig["encode"], fig["decode"]))
    print("cluster (%d MiB objects, %d rounds, MB/s):" % (args.size_mb, args.rounds))
    for name, fig in cluster_figures(args.size_mb, args.rounds).items():
        print("  %-6s PUT %7.1f  GET %7.1f" % (name, fig["put"], fig["get"]))


if __name__ == "__main__":
    main()
