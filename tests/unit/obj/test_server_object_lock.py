"""The object server keeps a locked version (common/object_lock.py): no
DELETE, replacing PUT or expiry while the lock holds, whoever asks, and a
POST changes the lock only as the rules allow."""

import time

from objstore.common import object_lock as ol
from objstore.common.timestamp import Timestamp

from tests.unit.obj.test_server import PATH, call, put


def _future(days: float = 1) -> str:
    return ol.format_date(time.time() + days * 86400)


def _locked(app, mode="COMPLIANCE", until=None, hold=None, extra=None, ts=None):
    headers = {ol.MODE: mode, ol.UNTIL: until or _future()}
    if hold:
        headers = {ol.HOLD: hold}
    headers.update(extra or {})
    assert put(app, b"kept", ts=ts, headers=headers).status_int == 201


def _still_there(app):
    resp = call(app, "GET")
    assert resp.status_int == 200 and resp.body == b"kept"


def test_delete_and_overwrite_refused_while_compliance_holds(app):
    _locked(app)
    resp = call(app, "DELETE")
    assert resp.status_int == 403 and b"COMPLIANCE" in resp.body
    assert put(app, b"other").status_int == 403
    for bypass in (ol.BYPASS_GOVERNANCE, "yes"):
        assert call(app, "DELETE", headers={ol.BYPASS: bypass}).status_int == 403
    _still_there(app)


def test_governance_yields_only_to_its_bypass(app):
    _locked(app, mode="GOVERNANCE")
    assert call(app, "DELETE").status_int == 403
    _still_there(app)
    assert call(app, "DELETE", headers={ol.BYPASS: ol.BYPASS_GOVERNANCE}).status_int == 204
    assert call(app, "GET").status_int == 404


def test_archived_bypass_lets_versioning_replace_the_current_object(app):
    _locked(app)
    assert put(app, b"new", headers={ol.BYPASS: ol.BYPASS_ARCHIVED}).status_int == 201
    assert call(app, "GET").body == b"new"


def test_legal_hold_blocks_even_governance_bypass(app):
    _locked(app, hold="ON")
    assert call(app, "DELETE", headers={ol.BYPASS: ol.BYPASS_GOVERNANCE}).status_int == 403
    _still_there(app)
    assert call(app, "POST", headers={ol.HOLD: "OFF"}).status_int == 202
    assert call(app, "DELETE").status_int == 204


def test_lapsed_retention_locks_nothing(app):
    _locked(app, until=ol.format_date(time.time() - 5))
    assert call(app, "DELETE").status_int == 204


def test_expirer_delete_and_delete_at_leave_a_locked_object(app):
    # Written 30 s ago to expire 10 s ago (X-Delete-At is judged against the
    # write's timestamp): already past it, with no sleep and no clock edge.
    ts = Timestamp(time.time() - 30)
    delete_at = int(float(ts)) + 20
    _locked(app, extra={"X-Delete-At": str(delete_at)}, ts=ts)
    _still_there(app)  # not hidden as expired while locked
    resp = call(app, "DELETE", headers={"X-If-Delete-At": str(delete_at),
                                        "X-Timestamp": Timestamp(delete_at).internal})
    assert resp.status_int == 403
    _still_there(app)


def test_post_keeps_the_lock_and_cannot_weaken_compliance(app):
    until = _future(2)
    _locked(app, until=until)
    assert call(app, "POST", headers={"X-Object-Meta-A": "b"}).status_int == 202
    head = call(app, "HEAD")
    assert head.headers[ol.MODE] == "COMPLIANCE" and head.headers[ol.UNTIL] == until
    assert call(app, "DELETE").status_int == 403
    for change in ({ol.UNTIL: _future(1)}, {ol.MODE: "GOVERNANCE"}, {ol.MODE: "NONE"}):
        resp = call(app, "POST", headers=dict(change, **{ol.BYPASS: ol.BYPASS_GOVERNANCE}))
        assert resp.status_int == 403, change
    longer = _future(3)
    assert call(app, "POST", headers={ol.UNTIL: longer}).status_int == 202
    assert call(app, "HEAD").headers[ol.UNTIL] == longer


def test_governance_shortened_only_with_bypass(app):
    _locked(app, mode="GOVERNANCE", until=_future(2))
    assert call(app, "POST", headers={ol.UNTIL: _future(1)}).status_int == 403
    assert call(app, "POST", headers={ol.MODE: "NONE", ol.BYPASS: ol.BYPASS_GOVERNANCE}
                ).status_int == 202
    assert call(app, "HEAD").headers[ol.MODE] == "NONE"
    assert call(app, "DELETE").status_int == 204


def test_lock_set_by_post_on_an_unlocked_object(app):
    assert put(app, b"kept").status_int == 201
    assert call(app, "POST", headers={ol.MODE: "COMPLIANCE", ol.UNTIL: _future()}
                ).status_int == 202
    assert call(app, "DELETE").status_int == 403
    _still_there(app)
    assert PATH
