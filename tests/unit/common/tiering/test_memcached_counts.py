"""Read counts handed over through a real memcached (``counts = memcached``):
batches written by proxy workers, taken once each by the tierer."""

import os
import shutil

import pytest

from objstore.common.memcached import MemcacheRing
from objstore.common.tiering import memcached_counts
from objstore.common.tiering.journal import Counter
from objstore.common.tiering.memcached_counts import EPOCH_KEY, GRACE, MemcachedCounts
from tests.unit.common.test_memcached import MEMCACHED, _start_memcached


@pytest.fixture(scope="module")
def server():
    if not (os.path.exists(MEMCACHED) or shutil.which("memcached")):
        pytest.skip("memcached binary is not installed")
    proc, addr = _start_memcached()
    yield addr
    proc.kill()
    proc.wait(10)


@pytest.fixture
def cache(server):
    ring = MemcacheRing([server])
    ring.delete(EPOCH_KEY)  # each test starts a new epoch
    yield ring
    ring.close()


class Tierer:
    """The tierer's side: its marks and collected names, as TierQueue keeps them."""

    def __init__(self):
        self.mark, self.names, self.rows = "", set(), []

    def collect(self, batches, now=1000.0, crash_before_delete=False):
        def commit(name, rows):
            self.names.add(name)
            self.rows.extend(rows)
            if crash_before_delete:
                raise KeyboardInterrupt("killed after the commit")
        return batches.collect(lambda: self.mark, self._set, self.names.__contains__, commit,
                               now)

    def _set(self, value):
        self.mark = value


def test_batches_of_several_writers_are_taken_once_and_deleted(cache):
    a, b = MemcachedCounts(cache), MemcachedCounts(MemcacheRing(list(cache.servers)))
    assert a.write([("/v1/A/c/o", 100, 3), ("/v1/A/c/p", 100, 1)]) == 2
    assert b.write([("/v1/A/c/o", 105, 2, "gold")]) == 1
    assert a.write([]) == 0  # nothing to send: no batch
    tierer = Tierer()
    assert tierer.collect(a) == 3
    assert sorted(tierer.rows) == sorted([("/v1/A/c/o", 100, 3), ("/v1/A/c/p", 100, 1),
                                          ("/v1/A/c/o", 105, 2, "gold")])
    assert tierer.collect(a) == 0  # taken once
    a.write([("/v1/A/c/q", 110, 7)])
    assert tierer.collect(a) == 1 and tierer.rows[-1] == ("/v1/A/c/q", 110, 7)


def test_a_tierer_killed_between_commit_and_delete_never_counts_a_batch_twice(cache):
    batches = MemcachedCounts(cache)
    batches.write([("/v1/A/c/o", 100, 5)])
    tierer = Tierer()
    with pytest.raises(KeyboardInterrupt):
        tierer.collect(batches, crash_before_delete=True)
    assert tierer.mark == ""  # its mark was not moved on
    assert tierer.collect(batches) == 0  # the batch is still there, but known
    assert tierer.rows == [("/v1/A/c/o", 100, 5)]


def test_a_number_whose_batch_is_late_is_asked_again_then_given_up(cache):
    batches = MemcachedCounts(cache)
    batches.write([("/v1/A/c/o", 100, 1)])
    epoch = cache.get(EPOCH_KEY)
    late = cache.incr(memcached_counts._seq_key(epoch))  # a writer between incr and set
    batches.write([("/v1/A/c/p", 100, 1)])
    tierer = Tierer()
    assert tierer.collect(batches, now=1000.0) == 2
    cache.set(memcached_counts._batch_key(epoch, late), [["/v1/A/c/late", 100, 4]])
    assert tierer.collect(batches, now=1001.0) == 1  # asked again: there now
    assert tierer.rows[-1] == ("/v1/A/c/late", 100, 4)
    gone = cache.incr(memcached_counts._seq_key(epoch))
    tierer.collect(batches, now=2000.0)
    assert str(gone) in tierer.mark
    tierer.collect(batches, now=2000.0 + GRACE + 1)  # given up: not asked any more
    assert '"missing":{}' in tierer.mark


def test_a_lost_epoch_or_a_restarted_sequence_starts_anew_without_losing_later_batches(cache):
    batches = MemcachedCounts(cache)
    tierer = Tierer()
    for n in range(3):
        batches.write([("/v1/A/c/o", 100, 1)])
    assert tierer.collect(batches) == 3
    cache.delete(EPOCH_KEY)  # memcached lost it: a new epoch, numbers from 1
    batches.write([("/v1/A/c/new", 100, 2)])
    assert tierer.collect(batches) == 1 and tierer.rows[-1] == ("/v1/A/c/new", 100, 2)
    # the sequence alone started over (its server restarted): a new generation
    epoch = cache.get(EPOCH_KEY)
    for n in range(2):
        batches.write([("/v1/A/c/o", 100, 1)])
    assert tierer.collect(batches) == 2
    cache.delete(memcached_counts._seq_key(epoch))
    batches.write([("/v1/A/c/again", 100, 9)])
    assert tierer.collect(batches) == 1 and tierer.rows[-1] == ("/v1/A/c/again", 100, 9)


def test_a_proxy_counter_flushes_to_memcached_and_not_to_its_journal(cache, tmp_path):
    batches = MemcachedCounts(cache)
    errors = []
    counter = Counter(str(tmp_path / "journal"), 5, 1.0, lambda *a: None, lambda s: None,
                      lambda f, *a: f(*a), errors.append, batches.write)
    counter.add("/v1/A/c/o", now=100.0)
    counter.add("/v1/A/c/o", now=101.0)
    counter.place("/v1/A/c/p", "gold", now=102.0)
    counter.flush_now()
    assert errors == [] and not os.path.exists(tmp_path / "journal")
    tierer = Tierer()
    tierer.collect(batches)
    assert sorted(tierer.rows) == [("/v1/A/c/o", 100, 2), ("/v1/A/c/p", 100, 0),
                                   ("/v1/A/c/p", 100, 0, "gold")]


def test_a_memcached_that_does_not_answer_is_an_error_the_counter_reports(tmp_path):
    dead = MemcachedCounts(MemcacheRing(["127.0.0.1:1"], connect_timeout=0.1))
    with pytest.raises(OSError):
        dead.write([("/v1/A/c/o", 100, 1)])
    errors = []
    counter = Counter(str(tmp_path), 5, 1.0, lambda *a: None, lambda s: None,
                      lambda f, *a: f(*a), errors.append, dead.write)
    counter.add("/v1/A/c/o", now=100.0)
    counter.flush_now()
    assert len(errors) == 1
    assert Tierer().collect(dead) == 0  # nothing to take, no error


def test_a_flush_larger_than_a_batch_goes_in_several_batches_each_under_an_item(cache):
    batches = MemcachedCounts(cache)
    path = "/v1/A/c/" + "x" * 1000  # the longest object paths
    rows = [(path + str(i), 100, 1) for i in range(memcached_counts.BATCH_ROWS * 2 + 3)]
    assert batches.write(rows) == len(rows)
    epoch = cache.get(EPOCH_KEY)
    assert cache.get(memcached_counts._seq_key(epoch)) == 3
    tierer = Tierer()
    assert tierer.collect(batches) == len(rows) and sorted(tierer.rows) == sorted(rows)


def _taken(tierer, path):
    return sum(r[2] for r in tierer.rows if r[0] == path)


def test_a_batch_evicted_before_the_tierer_took_it_is_sent_again_and_counted_once(cache):
    batches = MemcachedCounts(cache)
    batches.write([("/v1/A/c/evicted", 100, 4)])
    batches.write([("/v1/A/c/kept", 100, 1)])
    epoch = cache.get(EPOCH_KEY)
    cache.delete(memcached_counts._batch_key(epoch, 1))  # as an eviction does
    tierer = Tierer()
    assert tierer.collect(batches) == 1  # the evicted batch is missing
    assert batches.held() == 2
    assert batches.resend() == 1  # gone without being taken: sent again
    assert batches.resend() == 0  # held until the tierer takes it
    assert tierer.collect(batches) == 1
    assert (_taken(tierer, "/v1/A/c/evicted"), _taken(tierer, "/v1/A/c/kept")) == (4, 1)
    assert batches.resend() == 0 and batches.held() == 0  # both known taken


def test_a_lost_taken_key_sends_a_batch_again_that_the_tierer_counts_once(cache):
    batches = MemcachedCounts(cache)
    batches.write([("/v1/A/c/o", 100, 3)])
    tierer = Tierer()
    assert tierer.collect(batches) == 1
    batch_id = next(iter(batches._sent))
    cache.delete(memcached_counts._taken_key(batch_id))  # evicted before its writer saw it
    assert batches.resend() == 1
    assert tierer.collect(batches) == 0  # the same batch id: known
    assert _taken(tierer, "/v1/A/c/o") == 3
    assert batches.resend() == 0 and batches.held() == 0


def test_a_writer_holds_at_most_keep_rows_giving_up_the_oldest_batches(cache):
    batches = MemcachedCounts(cache, keep_rows=5)
    for n in range(4):
        batches.write([("/v1/A/c/%d" % n, 100, 1), ("/v1/A/c/x%d" % n, 100, 1)])
    assert batches.held() == 2 and batches._held_rows == 4  # no tierer took any


def test_a_refused_batch_of_the_admin_api_is_not_held(tmp_path):
    dead = MemcachedCounts(MemcacheRing(["127.0.0.1:1"], connect_timeout=0.1))
    with pytest.raises(OSError):
        dead.write([("/v1/A/c/o", 100, 1)], hold=False)
    assert dead.held() == 0
    with pytest.raises(OSError):
        dead.write([("/v1/A/c/o", 100, 1)])  # a proxy's own counts: held
    assert dead.held() == 1


def test_counts_survive_a_real_memcached_restart(tmp_path):
    """A proxy worker's counter flushes into a real memcached; the tierer
    takes part of the batches; memcached is killed and started again (empty,
    on the same port): the counter's next interval sends again what the
    tierer had not taken, and every read is counted exactly once."""
    if not (os.path.exists(MEMCACHED) or shutil.which("memcached")):
        pytest.skip("memcached binary is not installed")
    proc, addr = _start_memcached()
    port = int(addr.rpartition(":")[2])
    try:
        ring = MemcacheRing([addr], connect_timeout=0.5)
        batches = MemcachedCounts(ring)
        errors = []
        counter = Counter(str(tmp_path), 5, 1.0, lambda *a: None, lambda s: None,
                          lambda f, *a: f(*a), errors.append, batches.write, batches.resend)
        tierer = Tierer()
        counter.add("/v1/A/c/taken", 2, now=100.0)
        counter.flush_now()
        assert tierer.collect(batches) == 1  # taken before the restart
        counter.add("/v1/A/c/waiting", 5, now=100.0)
        counter.flush_now()
        proc.kill()
        proc.wait(10)
        counter.add("/v1/A/c/during", 1, now=101.0)
        counter.flush_now()  # memcached is down: an error, the rows held
        assert len(errors) == 1 and batches.held() == 2  # "taken" seen taken
        proc, _addr = _start_memcached(port)
        ring.close()  # the dead connections go
        counter.add("/v1/A/c/after", 1, now=102.0)
        counter.flush_now()
        assert len(errors) == 1
        tierer.collect(batches)
        assert [_taken(tierer, p) for p in ("/v1/A/c/taken", "/v1/A/c/waiting",
                                            "/v1/A/c/during", "/v1/A/c/after")] == [2, 5, 1, 1]
        counter._retry()  # an interval with nothing new: the taken ones are forgotten
        assert batches.held() == 0
    finally:
        proc.kill()
        proc.wait(10)
