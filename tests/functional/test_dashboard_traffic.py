"""The dashboard's traffic view against the live cluster: the proxy's
StatsD metrics reach the dashboard, per verb and status, with the bytes,
and a headless Chromium draws them."""

import time
import uuid

from tests.functional.browser import PageServer, dump_dom
from tests.functional.test_dashboard import DASHBOARD, LOGIN_PAGE, api, session  # noqa: F401


def _since(doc, name, t0, key="requests"):
    """What series ``name`` counted from second ``t0`` on: the window slides,
    so a sum over all of it can shrink between two reads."""
    got = doc["series"].get(name)
    if not got:
        return 0.0
    first = doc["end"] - doc["seconds"] + 1
    return sum(got[key][max(0, int(t0) - first):])


def _series_until(sid, name, wanted, t0, deadline_s=30.0):
    """The traffic doc once series ``name`` counts ``wanted`` requests since
    ``t0`` (UDP is delivered a moment after the response)."""
    deadline = time.time() + deadline_s
    while True:
        status, doc = api("traffic?seconds=120", sid)
        assert status == 200
        if _since(doc, name, t0) >= wanted or time.time() > deadline:
            return doc
        time.sleep(0.2)


def test_puts_and_gets_show_up_per_verb_and_status_with_their_bytes(session, conn):  # noqa: F811
    name = "dash-traffic-" + uuid.uuid4().hex[:10]
    t0 = time.time()
    conn.put_container(name)
    try:
        for i in range(3):
            conn.put_object(name, "o%d" % i, b"x" * 10000)
        for i in range(2):
            try:
                conn.get_object(name, "missing-%d" % i)
            except Exception:
                pass
        doc = _series_until(session, "GET 404", 2, t0)
        assert doc["listening"] is True
        puts = doc["series"]["PUT 201"]
        # 3 objects + the container
        assert _since(doc, "PUT 201", t0) >= 4
        assert _since(doc, "PUT 201", t0, "bytes") >= 30000
        assert _since(doc, "GET 404", t0) >= 2
        assert len(puts["requests"]) == 120
    finally:
        for i in range(3):
            conn.delete_object(name, "o%d" % i)
        conn.delete_container(name)


def test_chromium_draws_the_traffic_and_lists_each_verb_and_status(saio, conn):
    name = "dash-traffic-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    try:
        conn.put_object(name, "o", b"drawn")
        with PageServer({"/login.html": LOGIN_PAGE % DASHBOARD}) as site:
            dom = dump_dom(site.origin + "/login.html", budget_ms=15000)
        assert '<tr class="series" data-series="PUT 201">' in dom, dom[-3000:]
        assert "StatsD on UDP port" in dom
        assert 'id="traffic-requests"' in dom and "req/s per verb and status: " in dom
    finally:
        conn.delete_object(name, "o")
        conn.delete_container(name)
