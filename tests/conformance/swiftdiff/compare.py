"""Run one case on both clusters and say how they differ."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from .case import Case, Names, run_case
from .cleanup import cleanup
from .client import Target

View = List[Dict[str, Any]]


def case_names(run: str, c: Case) -> Names:
    """Fresh names for one case in one run (same on both clusters)."""
    return Names("cf%s-%s" % (run, hashlib.sha1(c.id.encode()).hexdigest()[:8]))


def run_both(c: Case, ref: Target, obj: Target, run: str) -> Tuple[View, View]:
    """The case's views on the reference and on objstore (run side by side:
    the clusters are independent); cleans up both."""
    names = case_names(run, c)

    def one(target: Target) -> View:
        try:
            return run_case(c, target, names)
        finally:
            cleanup(target, names, c)

    with ThreadPoolExecutor(2) as pool:
        ref_view, obj_view = pool.submit(one, ref), pool.submit(one, obj)
        return ref_view.result(), obj_view.result()


def _short(value: Any, width: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[:width] + "...(%d chars)" % len(text)


def _from_first_difference(ref: Any, obj: Any, width: int) -> Tuple[Any, Any]:
    """Long bodies shown from a little before where they first differ."""
    if not isinstance(ref, str) or not isinstance(obj, str) or max(len(ref), len(obj)) <= width:
        return ref, obj
    i = next((n for n, (a, b) in enumerate(zip(ref, obj)) if a != b), min(len(ref), len(obj)))
    start = max(0, i - width // 4)
    mark = "...(from char %d) " % start if start else ""
    return mark + ref[start:], mark + obj[start:]


def explain(ref: View, obj: View, width: int = 600) -> List[str]:
    """The differences of two runs, step by step."""
    lines = []
    for r, o in zip(ref, obj):
        if r == o:
            continue
        lines.append("step: %s" % r["step"])
        if r["status"] != o["status"]:
            lines.append("  status: swift %s, objstore %s" % (r["status"], o["status"]))
        rh, oh = r.get("headers", {}), o.get("headers", {})
        for name in sorted(set(rh) | set(oh)):
            if rh.get(name) != oh.get(name):
                lines.append("  header %s: swift %r, objstore %r" % (name, rh.get(name), oh.get(name)))
        if r.get("header_order") != o.get("header_order"):
            lines.append("  header order: swift    %s" % ", ".join(r.get("header_order") or []))
            lines.append("                objstore %s" % ", ".join(o.get("header_order") or []))
        if r.get("body") != o.get("body"):
            rb, ob = _from_first_difference(r.get("body"), o.get("body"), width)
            lines.append("  body: swift    %s" % _short(rb, width))
            lines.append("        objstore %s" % _short(ob, width))
    return lines
