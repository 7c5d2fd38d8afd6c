"""GroupCommit: items of one key that arrive while a commit runs go
together in the next one; each caller gets its own item's result."""

from typing import Any, List, Sequence

import pytest

from objstore.common import concurrency
from objstore.db.group_commit import GroupCommit


class Recorder:
    """A commit that yields while it "runs", as a thread-pool call does,
    so that other green threads queue behind it."""

    def __init__(self, fail_on: Any = None) -> None:
        self.batches: List[List[Any]] = []
        self.fail_on = fail_on

    def run(self, func, *args):
        concurrency.sleep(0.01)
        return func(*args)

    def commit(self, items: Sequence[Any]) -> List[Any]:
        self.batches.append(list(items))
        if self.fail_on in items:
            raise OSError("disk gone")
        return ["done %s" % item for item in items]


def _green(recorder: Recorder) -> GroupCommit:
    return GroupCommit(run=recorder.run, green=lambda: True)


def _submit_all(group: GroupCommit, rec: Recorder, keys: List[str]) -> List[Any]:
    """Submit item 0 and let its commit start, then the others."""
    threads = [concurrency.spawn(group.submit, keys[0], 0, rec.commit)]
    concurrency.sleep(0)
    concurrency.sleep(0)
    threads += [concurrency.spawn(group.submit, key, i, rec.commit)
                for i, key in enumerate(keys) if i]
    return threads


def test_items_arriving_during_a_commit_share_the_next_and_each_gets_its_result():
    rec = Recorder()
    group = _green(rec)
    threads = _submit_all(group, rec, ["db1"] * 6)
    results = [t.wait() for t in threads]
    assert results == ["done %d" % i for i in range(6)]
    # the first goes alone (nobody was committing); the rest queued behind it
    assert rec.batches == [[0], [1, 2, 3, 4, 5]]


def test_a_lone_item_is_committed_at_once():
    rec = Recorder()
    group = _green(rec)
    assert group.submit("db1", "x", rec.commit) == "done x"
    assert group.submit("db1", "y", rec.commit) == "done y"
    assert rec.batches == [["x"], ["y"]]


def test_keys_are_committed_apart():
    rec = Recorder()
    group = _green(rec)
    threads = _submit_all(group, rec, ["a", "b", "a", "b"])
    assert [t.wait() for t in threads] == ["done 0", "done 1", "done 2", "done 3"]
    # "a": 0 alone, then 2; "b": 1 alone (nobody was committing "b"), then 3
    assert sorted(rec.batches) == [[0], [1], [2], [3]]


def test_a_failed_commit_fails_every_item_of_its_batch_and_the_next_batch_goes_on():
    rec = Recorder(fail_on=2)
    group = _green(rec)
    threads = _submit_all(group, rec, ["db1"] * 4)
    assert threads[0].wait() == "done 0"
    for t in threads[1:]:
        with pytest.raises(OSError, match="disk gone"):
            t.wait()
    assert group.submit("db1", 9, rec.commit) == "done 9"
    assert rec.batches == [[0], [1, 2, 3], [9]]


def test_a_commit_giving_the_wrong_number_of_results_fails_its_batch():
    group = _green(Recorder())
    with pytest.raises(RuntimeError, match="2 results for 1 items"):
        group.submit("db1", "x", lambda items: ["a", "b"])


def test_outside_green_threads_each_item_is_committed_on_its_own_directly():
    calls = []

    def run(func, *args):  # pragma: no cover - must not be used
        calls.append("thread pool")
        return func(*args)

    group = GroupCommit(run=run, green=lambda: False)
    assert group.submit("db1", "x", lambda items: [items]) == ["x"]
    assert calls == []


def test_a_callers_several_items_go_in_one_commit_with_others_and_come_back_in_order():
    rec = Recorder()
    group = _green(rec)
    threads = [concurrency.spawn(group.submit, "db1", 0, rec.commit)]
    concurrency.sleep(0)
    concurrency.sleep(0)
    threads += [concurrency.spawn(group.submit_many, "db1", [1, 2, 3], rec.commit),
                concurrency.spawn(group.submit, "db1", 4, rec.commit)]
    assert [t.wait() for t in threads] == [
        "done 0", ["done 1", "done 2", "done 3"], "done 4"]
    assert rec.batches == [[0], [1, 2, 3, 4]]
    outside = GroupCommit(green=lambda: False)
    assert outside.submit_many("db1", [5, 6], rec.commit) == ["done 5", "done 6"]


def test_the_first_caller_commits_its_own_item_in_its_own_green_thread():
    rec = Recorder()
    group = _green(rec)
    seen = []
    group.submit("db1", "x", lambda items: seen.append(concurrency.current()) or ["ok"])
    assert seen == [concurrency.current()]


def test_a_first_caller_killed_mid_commit_hands_the_waiting_items_on():
    rec = Recorder()
    group = _green(rec)
    first = concurrency.spawn(group.submit, "db1", 0, rec.commit)
    concurrency.sleep(0)
    others = [concurrency.spawn(group.submit, "db1", i, rec.commit) for i in (1, 2)]
    concurrency.sleep(0)
    first.kill()
    assert [t.wait() for t in others] == ["done 1", "done 2"]
    assert rec.batches == [[1, 2]]  # 0 was killed in its run, before its commit
    assert group.submit("db1", 3, rec.commit) == "done 3"
