"""Print how objstore differs from the reference Swift, one block per case.

    .venv/bin/python tests/conformance/report.py [--oneline] [substring ...]

Runs the cases whose id contains any of the substrings (all by default) on
both clusters (the same as the tests': OBJSTORE_REF_SWIFT, and OBJSTORE_PROXY
or saio/conformance's cluster, started and stopped here) and prints every difference; --oneline prints one line per
differing case (for FINDINGS lists). Exit status 1 when any case differs.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import EC_POLICY, REF_URL, objstore_cluster  # noqa: E402
from known_differences import KNOWN  # noqa: E402
from swiftdiff.cases import ALL  # noqa: E402
from swiftdiff.client import Target  # noqa: E402
from swiftdiff.compare import explain, run_both  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("filters", nargs="*")
    p.add_argument("--oneline", action="store_true")
    p.add_argument("--summary", metavar="FILE", help="also write the --oneline form to FILE")
    p.add_argument("--json", metavar="FILE",
                   help="write {case id: [difference lines]} of the differing cases to FILE")
    a = p.parse_args(argv)
    with objstore_cluster() as obj:
        return _report(a, Target("swift", REF_URL), obj)


def _report(a: argparse.Namespace, ref: Target, obj: Target) -> int:
    ref.discover_policies(EC_POLICY)
    obj.discover_policies(EC_POLICY)
    run = uuid.uuid4().hex[:6]
    differ = 0
    found = {}
    for c in ALL:
        if a.filters and not any(f in c.id for f in a.filters):
            continue
        r, o = run_both(c, ref, obj, run)
        if r == o:
            if c.id in KNOWN:
                print("%s: passes now (remove it from known_differences)" % c.id)
            continue
        differ += 1
        lines = explain(r, o, 600)
        found[c.id] = lines
        oneline = "%s%s: %s" % (c.id, " [known]" if c.id in KNOWN else "",
                                " | ".join(l.strip() for l in explain(r, o, 160)))
        if a.summary:
            with open(a.summary, "a") as fh:
                fh.write(oneline + "\n")
        if a.oneline:
            print(oneline)
        else:
            print("== %s%s" % (c.id, " [known]" if c.id in KNOWN else ""))
            print("\n".join(lines))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(found, fh, indent=1, ensure_ascii=False)
    print("%d case(s) differ" % differ, file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
