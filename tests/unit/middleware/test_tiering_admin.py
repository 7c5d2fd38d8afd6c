"""The tiering admin API: reseller admins only, counts batches judged whole."""

import io
import json

import pytest

from objstore.common.tiering import journal
from objstore.common.tiering.config import Tier, TieringConfig
from objstore.common.tiering.queue import TierQueue
from objstore.middleware.tiering_admin import TieringAdmin, parse_counts


@pytest.fixture
def conf(tmp_path):
    tiers = [Tier("bronze", "ec", 1, 0, "GLACIER_IR"), Tier("gold", "gold", 0, 5, "STANDARD")]
    return TieringConfig(tiers, window=60, bucket=5, journal_dir=str(tmp_path / "journal"),
                         state_dir=str(tmp_path / "state"))


def _call(admin, method, path, body=b"", reseller=True, user="AUTH_admin", query=""):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    if reseller:
        env["reseller_request"] = True
    if user:
        env["REMOTE_USER"] = user
    got = {}

    def start(status, headers, exc_info=None):
        got["status"] = status

    out = b"".join(admin(env, start))
    return int(got["status"][:3]), json.loads(out)


def _journal_rows(conf):
    rows = []
    journal.collect(conf.journal_dir, lambda n: False, lambda n, r: rows.extend(r))
    return rows


def test_a_counts_batch_lands_in_the_journal(conf):
    admin = TieringAdmin(conf)
    body = json.dumps([{"path": "/v1/AUTH_a/c/o", "count": 664},
                       {"path": "/v1/AUTH_a/c/p", "count": 0}]).encode()
    assert _call(admin, "POST", "/tiering/counts", body) == (202, {"accepted": 2})
    rows = _journal_rows(conf)
    assert sorted((p, n) for p, _b, n in rows) == [("/v1/AUTH_a/c/o", 664), ("/v1/AUTH_a/c/p", 0)]


@pytest.mark.parametrize("reseller, user, status", [(False, "AUTH_test", 403),
                                                    (False, None, 401)])
def test_only_reseller_admins_get_in(conf, reseller, user, status):
    body = json.dumps([{"path": "/v1/AUTH_a/c/o", "count": 1}]).encode()
    got, _doc = _call(TieringAdmin(conf), "POST", "/tiering/counts", body, reseller, user)
    assert got == status
    assert _journal_rows(conf) == []


@pytest.mark.parametrize("body, words", [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b'{"path": "/v1/a/c/o", "count": 1}', "JSON list"),
    (b'[{"path": "/v1/a/c/o"}]', "exactly the keys"),
    (b'[{"path": "/v1/a/c/o", "count": 1, "x": 2}]', "exactly the keys"),
    (b'[{"path": "/v1/a/c/o", "count": -1}]', "count must be"),
    (b'[{"path": "/v1/a/c/o", "count": 1.5}]', "count must be"),
    (b'[{"path": "/v1/a/c/o", "count": true}]', "count must be"),
    (b'[{"path": "/v1/a/c/o", "count": 10000000000}]', "count must be"),
    (b'[{"path": "/v1/a/c", "count": 1}]', "path must be"),
    (b'[{"path": "/v2/a/c/o", "count": 1}]', "path must be"),
    (b'[{"path": "/v1/.tiers/c/o", "count": 1}]', "path must be"),
    (b'[{"path": 7, "count": 1}]', "path must be"),
])
def test_a_bad_batch_is_refused_whole_naming_the_fault(conf, body, words):
    good = b'{"path": "/v1/AUTH_a/c/ok", "count": 3}'
    batch = body if not body.startswith(b"[") else b"[" + good + b"," + body[1:]
    status, doc = _call(TieringAdmin(conf), "POST", "/tiering/counts", batch)
    assert status == 400 and words in doc["error"]
    assert _journal_rows(conf) == []


def test_too_many_items_are_refused():
    with pytest.raises(ValueError) as err:
        parse_counts(json.dumps([{"path": "/v1/a/c/o", "count": 1}] * 10001).encode())
    assert "at most 10000" in str(err.value)


def test_status_history_and_queue_read_the_tierer_s_database(conf):
    admin = TieringAdmin(conf)
    assert _call(admin, "GET", "/tiering/queue") == (200, [])
    db = TierQueue(conf.state_dir)
    db.set_tier("/v1/AUTH_a/c/o", "gold", 1.0)
    db.enqueue("/v1/AUTH_a/c/o", "gold", "bronze", "reads: 0 in 60s", 2.0)
    db.close()
    status, doc = _call(admin, "GET", "/tiering/status", query="path=/v1/AUTH_a/c/o")
    assert status == 200 and doc["tier"] == "gold" and doc["open_move"]["to_tier"] == "bronze"
    assert [m["path"] for m in _call(admin, "GET", "/tiering/queue")[1]] == ["/v1/AUTH_a/c/o"]
    assert len(_call(admin, "GET", "/tiering/history", query="since=0")[1]) == 1
    assert _call(admin, "GET", "/tiering/status", query="path=/v1/a")[0] == 400
    assert _call(admin, "GET", "/tiering/nothing")[0] == 404
