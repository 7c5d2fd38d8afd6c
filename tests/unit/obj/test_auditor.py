"""The object auditor over real files on a temp device."""

import os
import time

import pytest

from objstore.common.daemon import read_recon_cache
from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj import auditor as auditor_mod
from objstore.obj.auditor import ObjectAuditor, RateLimiter
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.metadata import read_metadata, write_metadata

from tests.support.diskfiles import put_object


@pytest.fixture
def conf(obj_conf, tmp_path):
    return dict(obj_conf, recon_cache_path=str(tmp_path / "recon"), files_per_second="0",
                bytes_per_second="0", zero_byte_files_per_second="0")


@pytest.fixture
def mgr(conf):
    return DiskFileManager(conf)


def put(mgr, name, body=b"hello", policy=0, part="7", extra=None):
    return put_object(mgr, body, name=("a", "c", name), policy=policy, extra=extra,
                      part=part)[0]


def data_file(df):
    names = [n for n in os.listdir(df.datadir) if n.endswith(".data")]
    return os.path.join(df.datadir, names[0])


def quarantined(conf, policy=0):
    path = os.path.join(conf["devices"], "sda1", "quarantined",
                        "objects" if policy == 0 else "objects-%d" % policy)
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def test_good_objects_pass_both_sweeps(conf, mgr):
    for i in range(3):
        put(mgr, "o%d" % i, b"x" * (i * 1000))
    stats = ObjectAuditor(conf).run_once()
    assert stats["checked"] == 3 and stats["passed"] == 3 and stats["quarantined"] == 0
    assert stats["zbf_checked"] == 3 and stats["zbf_passed"] == 3
    assert stats["bytes"] == 3000
    assert quarantined(conf) == []


def test_flipped_bytes_are_quarantined_by_the_full_sweep_only(conf, mgr):
    df = put(mgr, "rotten", b"good data here")
    with open(data_file(df), "r+b") as fp:
        fp.write(b"BAD!")  # same size: only the MD5 (or the CRC) can tell
    stats = ObjectAuditor(conf).run_once()
    assert stats["zbf_quarantined"] == 0
    assert stats["quarantined"] == 1
    assert quarantined(conf) == [df.object_hash]
    assert not os.path.exists(df.datadir)


def test_the_full_sweep_checks_the_etag_though_the_bytes_match_their_crc(conf, mgr):
    df = put(mgr, "mislabelled", b"good data here")
    path = data_file(df)
    meta = read_metadata(path, df.datadir)
    write_metadata(path, dict(meta, ETag=md5_hex(b"other data")), path + ".side")
    stats = ObjectAuditor(conf).run_once()
    assert stats["quarantined"] == 1
    assert quarantined(conf) == [df.object_hash]


def test_truncated_file_is_quarantined_by_the_zero_byte_sweep(conf, mgr):
    df = put(mgr, "truncated", b"y" * 5000)
    os.truncate(data_file(df), 0)
    stats = ObjectAuditor(dict(conf, audit_type="zbf")).run_once()
    assert stats["zbf_quarantined"] == 1
    assert "checked" not in stats
    assert quarantined(conf) == [df.object_hash]


def test_quarantine_invalidates_the_suffix_so_replication_notices(conf, mgr):
    df = put(mgr, "noticed", b"abc")
    before = mgr.get_hashes("sda1", "7", [])
    with open(data_file(df), "r+b") as fp:
        fp.write(b"xyz")
    ObjectAuditor(conf).run_once()
    after = mgr.get_hashes("sda1", "7", [])
    assert before.get(df.object_hash[-3:]) != after.get(df.object_hash[-3:])


def test_objects_of_every_policy_are_audited(conf, mgr):
    df = put(mgr, "silver", b"abc", policy=1)
    with open(data_file(df), "r+b") as fp:
        fp.write(b"zzz")
    stats = ObjectAuditor(conf).run_once()
    assert stats["quarantined"] == 1
    assert quarantined(conf, policy=1) == [df.object_hash]


def test_tombstones_and_expired_objects_are_not_judged(conf, mgr):
    df = put(mgr, "deleted")
    df.delete(Timestamp.now())
    put(mgr, "expired", extra={"X-Delete-At": str(int(time.time()) - 10)})
    stats = ObjectAuditor(conf).run_once()
    assert stats["quarantined_total"] == 0 and stats["errors"] == 0
    assert stats["passed"] == 0


def test_pass_is_recorded_in_the_recon_cache(conf, mgr):
    put(mgr, "r")
    ObjectAuditor(conf).run_once()
    recon = read_recon_cache(os.path.join(conf["recon_cache_path"], "object.recon"))
    assert recon["object-auditor"]["stats"]["checked"] == 1


def test_bad_audit_type_is_refused(conf):
    with pytest.raises(ValueError):
        ObjectAuditor(dict(conf, audit_type="thorough"))


def test_bytes_per_second_limits_the_full_sweep(conf, mgr, monkeypatch):
    put(mgr, "big", b"z" * 200_000)
    now, slept = [0.0], {}

    def limiter(rate):
        """The sweep's limiters on a clock that moves only when they sleep."""
        def sleep(seconds):
            slept[rate] = slept.get(rate, 0.0) + seconds
            now[0] += seconds
        return real(rate, clock=lambda: now[0], sleep=sleep)
    real = auditor_mod.RateLimiter
    monkeypatch.setattr(auditor_mod, "RateLimiter", limiter)
    ObjectAuditor(dict(conf, bytes_per_second="400000", audit_type="full")).run_once()
    # 200,000 bytes at 400,000 per second: half a second of sleep in all
    assert slept[400000.0] == pytest.approx(0.5)


def test_rate_limiter_sleeps_only_when_ahead_of_the_rate():
    now = [0.0]
    slept = []
    limiter = RateLimiter(10, clock=lambda: now[0], sleep=lambda s: slept.append(s))
    for _ in range(5):
        limiter.add()
    assert slept == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    now[0] = 100.0  # far behind: no bursting sleep, no sleep at all
    slept.clear()
    limiter.add()
    assert slept == []
    RateLimiter(0, sleep=lambda s: slept.append(s)).add(10**9)
    assert slept == []


def test_console_script_once_exits_zero(conf, mgr, tmp_path):
    put(mgr, "cli")
    path = tmp_path / "object-server.conf"
    path.write_text("[DEFAULT]\n" + "\n".join("%s = %s" % kv for kv in conf.items()) + "\n")
    assert auditor_mod.main([str(path), "--once"]) == 0
