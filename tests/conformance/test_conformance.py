"""objstore answers every case exactly as a real Swift 2.38.3 does.

Each case (``swiftdiff/cases``) runs on the reference Swift and on objstore
with the same fresh names; the normalized views of the two runs must be
equal. Known differences (``known_differences.py``, mirrored in
``docs/swift-differences.md``) are strict expected failures with their
reason: once one is fixed, its XPASS fails the run until the entry goes.
"""
from __future__ import annotations

import os
import re

import pytest

from known_differences import KNOWN
from swiftdiff.case import Case, Names
from swiftdiff.cases import ALL
from swiftdiff.cleanup import leftovers
from swiftdiff.compare import explain


def _param(c: Case):
    marks = [pytest.mark.xfail(reason=KNOWN[c.id], strict=True)] if c.id in KNOWN else []
    return pytest.param(c, id=c.id, marks=marks)


DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                   "docs", "swift-differences.md")


def test_every_known_difference_names_a_case() -> None:
    ids = {c.id for c in ALL}
    assert sorted(k for k in KNOWN if k not in ids) == []


def test_known_differences_and_the_docs_list_the_same_cases() -> None:
    with open(DOC) as fh:
        quoted = set(re.findall(r"`([a-z0-9-]+)`", fh.read()))
    ids = {c.id for c in ALL}
    assert sorted(set(KNOWN) - quoted) == [], "known differences missing from the docs"
    assert sorted((quoted & ids) - set(KNOWN)) == [], "docs list cases that are not known"


@pytest.mark.parametrize("c", [_param(c) for c in ALL])
def test_objstore_answers_as_swift(c: Case, clusters, results) -> None:
    ref, obj = results.views(c)
    if obj != ref:
        pytest.fail("objstore differs from Swift 2.38.3:\n" + "\n".join(explain(ref, obj)),
                    pytrace=False)


def test_the_cases_left_no_container_behind(clusters, results) -> None:
    """Last in the module, so after every case has run and cleaned up (a
    test, not a fixture's teardown, which an expected failure of the last
    case would report as expected too)."""
    results.close()
    names = Names("cf" + clusters.run)
    assert leftovers(clusters.ref, names) + leftovers(clusters.obj, names) == []
