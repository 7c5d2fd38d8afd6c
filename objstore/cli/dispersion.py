"""``objstore-dispersion-populate`` / ``objstore-dispersion-report``.

Replication health as a number: how many of the copies that should
exist do exist, measured on a fixed sample of the partition space.
*Populate* creates, through the proxy, containers named
``dispersion_<n>`` and objects ``dispersion_<n>`` in the container
``dispersion_objects``, picking ``n`` so that each lands on a partition
not yet covered, until ``dispersion_coverage`` percent of the container
and object rings' partitions each hold one. *Report* lists them through
the proxy and HEADs every replica directly on the storage servers the
rings name, so a copy the proxy would have masked (it reads any one
good copy) still counts as missing.

Config: ``[dispersion]`` of ``/etc/objstore/dispersion.conf`` (see
``etc/dispersion.conf``): ``auth_url``, ``auth_user``, ``auth_key``
(v1 auth), ``swift_dir``, ``dispersion_coverage`` (percent, default 1),
``container_populate`` / ``object_populate`` / ``container_report`` /
``object_report``, ``concurrency``, ``retries``, ``node_timeout``,
``dump_json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote, unquote, urlencode, urlparse

from objstore.common.config import (DEFAULT_SWIFT_DIR, ConfigError, config_true_value,
                                    read_conf)
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import load_policies
from ring import Ring

DEFAULT_CONF = "/etc/objstore/dispersion.conf"
OBJECTS_CONTAINER = "dispersion_objects"
NAME_PREFIX = "dispersion_"
_CONTAINER_NAME = re.compile(r"^dispersion_\d+$")
Out = Callable[[str], None]


class DispersionError(Exception):
    """Auth or a proxy request failed in a way the operator must fix."""


@dataclass
class DispersionConf:
    auth_url: str
    auth_user: str
    auth_key: str
    swift_dir: str = DEFAULT_SWIFT_DIR
    coverage: float = 1.0
    container_populate: bool = True
    object_populate: bool = True
    container_report: bool = True
    object_report: bool = True
    concurrency: int = 25
    retries: int = 5
    node_timeout: float = 10.0
    dump_json: bool = False


def load_conf(path: str) -> DispersionConf:
    """``[dispersion]`` of ``path``; ConfigError naming what is missing."""
    try:
        section = read_conf(path).get("dispersion")
    except OSError as err:
        raise ConfigError("cannot read %s: %s" % (path, err)) from None
    if section is None:
        raise ConfigError("%s has no [dispersion] section" % path)
    missing = [k for k in ("auth_url", "auth_user", "auth_key") if not section.get(k)]
    if missing:
        raise ConfigError("[dispersion] in %s needs %s" % (path, ", ".join(missing)))
    try:
        coverage = float(section.get("dispersion_coverage", "1.0"))
        conf = DispersionConf(
            section["auth_url"], section["auth_user"], section["auth_key"],
            section.get("swift_dir", DEFAULT_SWIFT_DIR), coverage,
            *(config_true_value(section.get(k, "yes")) for k in (
                "container_populate", "object_populate", "container_report",
                "object_report")),
            int(section.get("concurrency", "25")), int(section.get("retries", "5")),
            float(section.get("node_timeout", "10")),
            config_true_value(section.get("dump_json", "no")))
    except ValueError as err:
        raise ConfigError("bad number in [dispersion] of %s: %s" % (path, err)) from None
    if not 0 < conf.coverage <= 100:
        raise ConfigError("dispersion_coverage must be a percentage in (0, 100], got %s"
                          % conf.coverage)
    return conf


# ------------------------------------------------------------------ proxy

class ProxyClient:
    """Just enough of the Swift API: v1 auth, PUT, GET listings."""

    def __init__(self, conf: DispersionConf) -> None:
        self.conf = conf
        self.retries_used = 0
        self.storage_url, self.token = self._auth()
        parsed = urlparse(self.storage_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.base = parsed.path.rstrip("/")
        self.account = unquote(self.base.split("/")[2]) if self.base.count("/") >= 2 else ""
        if not self.account:
            raise DispersionError("storage URL %r names no account" % self.storage_url)

    def _auth(self) -> Tuple[str, str]:
        url = urlparse(self.conf.auth_url)
        status, headers, _body = self._call(url.hostname or "127.0.0.1", url.port or 80, "GET",
                                            url.path, {"X-Auth-User": self.conf.auth_user,
                                                       "X-Auth-Key": self.conf.auth_key})
        if status // 100 != 2 or "x-storage-url" not in headers:
            raise DispersionError("auth as %s at %s failed (%s); check auth_user/auth_key"
                                  % (self.conf.auth_user, self.conf.auth_url, status or
                                     "no answer"))
        return headers["x-storage-url"], headers.get("x-auth-token", "")

    def _call(self, host: str, port: int, method: str, path: str, headers: Dict[str, str],
              body: bytes = b"") -> Tuple[int, Dict[str, str], bytes]:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=self.conf.node_timeout * 3)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            return 0, {}, b""
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def request(self, method: str, path: str = "", body: bytes = b"",
                query: Optional[Dict[str, str]] = None) -> Tuple[int, bytes]:
        """A request on the account's ``path``, retried on 5xx/no answer."""
        full = self.base + quote(path) + ("?" + urlencode(query) if query else "")
        for attempt in range(self.conf.retries + 1):
            status, _h, data = self._call(self.host, self.port, method, full, {
                "X-Auth-Token": self.token, "Content-Length": str(len(body))}, body)
            if status and status < 500:
                return status, data
            if attempt < self.conf.retries:
                self.retries_used += 1
                time.sleep(min(2 ** attempt * 0.1, 2))
        return status, data

    def listing(self, path: str = "") -> List[str]:
        """Every name with the dispersion prefix in a listing, all pages."""
        names: List[str] = []
        while True:
            query = {"format": "json", "prefix": NAME_PREFIX}
            if names:
                query["marker"] = names[-1]
            status, data = self.request("GET", path, query=query)
            if status == 404:
                return names
            if status // 100 != 2:
                raise DispersionError("listing %s failed with %s" % (path or "the account",
                                                                     status))
            page = [item["name"] for item in json.loads(data or b"[]")]
            if not page:
                return names
            names += page


# --------------------------------------------------------------- placement

def covering_names(ring: Ring, account: str, container: Optional[str],
                   coverage: float) -> Iterator[Tuple[str, int]]:
    """``(dispersion_<n>, partition)`` for ``n`` = 0, 1, ... skipping names
    whose partition is already covered, until ``coverage`` percent of the
    ring's partitions are. Deterministic, so a second populate reuses the
    same names instead of piling up new ones."""
    target = max(1, int(round(ring.partition_count * coverage / 100.0)))
    covered: set = set()
    n = 0
    limit = 1000 * ring.partition_count  # far beyond coupon-collector odds
    while len(covered) < target and n < limit:
        name = "%s%d" % (NAME_PREFIX, n)
        part = ring.get_part(account, container, name) if container else \
            ring.get_part(account, name)
        if part not in covered:
            covered.add(part)
            yield name, part
        n += 1


def populate(conf: DispersionConf, out: Out,
             containers: bool = True, objects: bool = True) -> int:
    """Create the sample; 0 if every PUT succeeded."""
    client = ProxyClient(conf)
    rc = 0
    with ThreadPoolExecutor(max_workers=conf.concurrency) as pool:
        if containers and conf.container_populate:
            ring = Ring(conf.swift_dir, ring_name="container")
            started = time.time()
            names = [n for n, _p in covering_names(ring, client.account, None, conf.coverage)]
            statuses = list(pool.map(lambda n: client.request("PUT", "/" + n)[0], names))
            failed = sum(1 for s in statuses if s // 100 != 2)
            out("Created %d containers for dispersion reporting, %.1fs, %d retries"
                % (len(names) - failed, time.time() - started, client.retries_used))
            rc |= 1 if failed else 0
        if objects and conf.object_populate:
            started, retries_before = time.time(), client.retries_used
            status = client.request("PUT", "/" + OBJECTS_CONTAINER)[0]
            if status // 100 != 2:
                raise DispersionError("cannot create %s (%s)" % (OBJECTS_CONTAINER, status))
            policy_index = _container_policy(conf, client.account, OBJECTS_CONTAINER)
            ring = Ring(conf.swift_dir, ring_name=_ring_name(conf, policy_index))
            names = [n for n, _p in covering_names(ring, client.account, OBJECTS_CONTAINER,
                                                     conf.coverage)]
            statuses = list(pool.map(lambda n: client.request(
                "PUT", "/%s/%s" % (OBJECTS_CONTAINER, n), body=n.encode())[0], names))
            failed = sum(1 for s in statuses if s // 100 != 2)
            out("Created %d objects for dispersion reporting, %.1fs, %d retries"
                % (len(names) - failed, time.time() - started,
                   client.retries_used - retries_before))
            rc |= 1 if failed else 0
    return rc


# ------------------------------------------------------------------ report

def _ring_name(conf: DispersionConf, policy_index: int) -> str:
    policy = load_policies(conf.swift_dir).get_by_index(policy_index)
    return policy.ring_name if policy is not None else "object"


def _direct_head(node: Dict[str, Any], part: int, path: str, timeout: float,
                 policy_index: int = 0) -> Tuple[int, Dict[str, str]]:
    try:
        conn = http_connect(node["ip"], node["port"], node["device"], part, "HEAD", path,
                            headers={"X-Backend-Storage-Policy-Index": str(policy_index)},
                            timeout=timeout)
        try:
            resp = conn.getresponse()
            resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return 0, {}


def _container_policy(conf: DispersionConf, account: str, container: str) -> int:
    """The container's policy index, from its replicas (the proxy hides it)."""
    ring = Ring(conf.swift_dir, ring_name="container")
    part, nodes = ring.get_nodes(account, container)
    for node in nodes:
        status, headers = _direct_head(node, part, "/%s/%s" % (account, container),
                                       conf.node_timeout)
        if status // 100 == 2:
            return int(headers.get("x-backend-storage-policy-index", "0"))
    return 0


def count_copies(pool: ThreadPoolExecutor, ring: Ring, conf: DispersionConf,
                 paths: List[Tuple[str, Tuple[str, ...]]], policy_index: int = 0
                 ) -> Dict[str, Any]:
    """HEAD every replica of each ``(path, ring key)``; the tallies."""
    def one(item: Tuple[str, Tuple[str, ...]]) -> Tuple[int, int]:
        path, key = item
        part, nodes = ring.get_nodes(*key)
        found = sum(1 for node in nodes
                    if _direct_head(node, part, path, conf.node_timeout,
                                    policy_index)[0] // 100 == 2)
        return found, len(nodes)

    results = list(pool.map(one, paths))
    expected = sum(n for _f, n in results)
    found = sum(f for f, _n in results)
    missing: Dict[int, int] = {}
    for f, n in results:
        missing[n - f] = missing.get(n - f, 0) + 1
    stats: Dict[str, Any] = {"queried": len(paths), "copies_expected": expected,
                             "copies_found": found, "retries": 0,
                             "pct_found": round(100.0 * found / expected, 2) if expected else 0.0}
    for lost, count in sorted(missing.items()):
        stats["missing_%d" % lost] = count
    stats["coverage_pct"] = round(100.0 * len({ring.get_part(*k) for _p, k in paths})
                                  / ring.partition_count, 2)
    return stats


def _print_stats(kind: str, stats: Dict[str, Any], elapsed: float, out: Out) -> None:
    out("Queried %d %ss for dispersion reporting, %.1fs, %d retries"
        % (stats["queried"], kind, elapsed, stats["retries"]))
    for key in sorted(k for k in stats if k.startswith("missing_") and k != "missing_0"):
        lost = int(key.split("_")[1])
        out("There were %d partitions missing %d cop%s." % (stats[key], lost,
                                                            "y" if lost == 1 else "ies"))
    out("%.2f%% of %s copies found (%d of %d)" % (stats["pct_found"], kind,
                                                   stats["copies_found"],
                                                   stats["copies_expected"]))
    out("Sample represents %.2f%% of the %s partition space" % (stats["coverage_pct"], kind))


def report(conf: DispersionConf, out: Out, as_json: bool = False,
           containers: bool = True, objects: bool = True) -> int:
    """Print (or dump as JSON) the share of copies found."""
    client = ProxyClient(conf)
    result: Dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=conf.concurrency) as pool:
        if containers and conf.container_report:
            started = time.time()
            names = [n for n in client.listing() if _CONTAINER_NAME.match(n)]
            if not names:
                raise DispersionError("no dispersion containers in %s; run "
                                      "objstore-dispersion-populate first" % client.account)
            ring = Ring(conf.swift_dir, ring_name="container")
            stats = count_copies(pool, ring, conf, [
                ("/%s/%s" % (client.account, n), (client.account, n)) for n in names])
            stats["retries"] = client.retries_used
            result["container"] = stats
            if not as_json:
                _print_stats("container", stats, time.time() - started, out)
        if objects and conf.object_report:
            started, retries_before = time.time(), client.retries_used
            names = client.listing("/" + OBJECTS_CONTAINER)
            if not names:
                raise DispersionError("no dispersion objects in %s/%s; run "
                                      "objstore-dispersion-populate first"
                                      % (client.account, OBJECTS_CONTAINER))
            policy_index = _container_policy(conf, client.account, OBJECTS_CONTAINER)
            ring = Ring(conf.swift_dir, ring_name=_ring_name(conf, policy_index))
            stats = count_copies(pool, ring, conf, [
                ("/%s/%s/%s" % (client.account, OBJECTS_CONTAINER, n),
                 (client.account, OBJECTS_CONTAINER, n)) for n in names], policy_index)
            stats["retries"] = client.retries_used - retries_before
            result["object"] = stats
            if not as_json:
                _print_stats("object", stats, time.time() - started, out)
    if as_json:
        out(json.dumps(result, sort_keys=True))
    return 0


# -------------------------------------------------------------- command line

def _parse(argv: List[str], prog: str, extra: Callable[[argparse.ArgumentParser], None]
           ) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", nargs="?", default=DEFAULT_CONF,
                        help="config with a [dispersion] section (default %(default)s)")
    parser.add_argument("--container-only", action="store_true")
    parser.add_argument("--object-only", action="store_true")
    extra(parser)
    return parser.parse_args(argv)


def _run(prog: str, argv: Optional[List[str]], extra: Callable[[argparse.ArgumentParser], None],
         action: Callable[[DispersionConf, argparse.Namespace], int]) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv), prog, extra)
    if args.container_only and args.object_only:
        sys.stderr.write("%s: --container-only and --object-only exclude each other\n" % prog)
        return 2
    try:
        conf = load_conf(args.conf)
    except ConfigError as err:
        sys.stderr.write("%s: %s\n" % (prog, err))
        return 2
    try:
        return action(conf, args)
    except (DispersionError, OSError, ValueError) as err:
        sys.stderr.write("%s: %s\n" % (prog, err))
        return 1


def populate_main(argv: Optional[List[str]] = None) -> int:
    """``objstore-dispersion-populate [conf] [--container-only|--object-only]``."""
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--coverage", type=float, help="override dispersion_coverage (%%)")

    def action(conf: DispersionConf, args: argparse.Namespace) -> int:
        if args.coverage is not None:
            conf.coverage = args.coverage
        return populate(conf, lambda line: print(line, flush=True),
                        not args.object_only, not args.container_only)

    return _run("objstore-dispersion-populate", argv, extra, action)


def report_main(argv: Optional[List[str]] = None) -> int:
    """``objstore-dispersion-report [conf] [--json] [--container-only|--object-only]``."""
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-j", "--json", action="store_true", help="print one JSON object")

    def action(conf: DispersionConf, args: argparse.Namespace) -> int:
        return report(conf, lambda line: print(line, flush=True),
                      args.json or conf.dump_json, not args.object_only,
                      not args.container_only)

    return _run("objstore-dispersion-report", argv, extra, action)
