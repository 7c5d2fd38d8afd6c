"""UpdateBatcher: container updates for the same container replica that come
while one is in flight go together as one ROWS request; each caller gets the
status of the request that carried its own row."""

import json
from typing import Any, List

from objstore.common import concurrency, row_batch
from objstore.obj.update_batch import UpdateBatcher


class FakeContainer:
    """A ``request_status`` stand-in that yields while "on the wire", so
    other green threads queue behind it, and answers by script."""

    def __init__(self, statuses: Any = None, wait: float = 0.01) -> None:
        self.calls: List[Any] = []
        self.statuses = statuses or {}
        self.wait = wait

    def send(self, host, port, device, partition, method, path, headers, conn_timeout,
             node_timeout, body=b""):
        rows = json.loads(body) if body else None
        self.calls.append((method, path, rows))
        concurrency.sleep(self.wait)
        answer = self.statuses.get(method, 201 if method == "PUT" else 204)
        return answer(path, rows) if callable(answer) else answer

    def batches(self) -> List[Any]:
        """Each request: ("one", object path) or ("rows", [object names])."""
        return [("rows", [r["obj"] for r in rows]) if method == row_batch.METHOD
                else ("one", path) for method, path, rows in self.calls]


def _batcher(fake: FakeContainer, **kwargs: Any) -> UpdateBatcher:
    return UpdateBatcher(send=fake.send, green=lambda: True, **kwargs)


def _update(batcher: UpdateBatcher, obj: str, op: str = "PUT", node: str = "sdc",
            container: str = "c", timeout: float = 1.0) -> int:
    return batcher.status("127.0.0.1", 6201, node, "3", op, "/a/%s/%s" % (container, obj),
                          {"X-Timestamp": "1.00000", "X-Trans-Id": "tx-" + obj},
                          timeout, timeout)


def _together(batcher: UpdateBatcher, names: List[str], **kwargs: Any) -> List[int]:
    """The first update starts alone; the others arrive while it is in flight."""
    threads = [concurrency.spawn(_update, batcher, names[0], **kwargs)]
    concurrency.sleep(0)
    threads += [concurrency.spawn(_update, batcher, n, **kwargs) for n in names[1:]]
    return [t.wait() for t in threads]


def test_a_lone_update_goes_at_once_as_its_own_row_request():
    fake = FakeContainer()
    batcher = _batcher(fake)
    assert _update(batcher, "o1") == 201
    assert _update(batcher, "o2", op="DELETE") == 204
    assert fake.batches() == [("one", "/a/c/o1"), ("one", "/a/c/o2")]


def test_updates_arriving_during_one_in_flight_go_as_one_batch_and_each_gets_its_status():
    fake = FakeContainer()
    batcher = _batcher(fake)
    statuses = _together(batcher, ["o0", "o1", "o2", "o3"])
    assert statuses == [201, 204, 204, 204]
    assert fake.batches() == [("one", "/a/c/o0"), ("rows", ["o1", "o2", "o3"])]
    method, path, rows = fake.calls[1]
    assert (method, path) == ("ROWS", "/a/c")
    assert rows[0] == {"op": "PUT", "obj": "o1",
                       "headers": {"X-Timestamp": "1.00000", "X-Trans-Id": "tx-o1"}}


def test_a_batch_above_the_row_bound_splits():
    fake = FakeContainer()
    batcher = _batcher(fake, max_rows=3)
    names = ["o%d" % i for i in range(8)]
    assert _together(batcher, names) == [201] + [204] * 6 + [201]  # o7 went alone
    assert fake.batches() == [("one", "/a/c/o0"), ("rows", ["o1", "o2", "o3"]),
                              ("rows", ["o4", "o5", "o6"]), ("one", "/a/c/o7")]


def test_a_batch_above_the_byte_bound_splits():
    fake = FakeContainer()
    one_row = len(row_batch.encode_row("PUT", "o1", {"X-Timestamp": "1.00000",
                                                     "X-Trans-Id": "tx-o1"}))
    batcher = _batcher(fake, max_bytes=2 + 2 * (one_row + 1))  # room for two rows
    assert _together(batcher, ["o0", "o1", "o2", "o3", "o4"]) == [201] + [204] * 4
    assert fake.batches() == [("one", "/a/c/o0"), ("rows", ["o1", "o2"]),
                              ("rows", ["o3", "o4"])]


def test_a_node_dying_mid_batch_fails_every_row_of_it():
    fake = FakeContainer(statuses={"ROWS": 0})
    batcher = _batcher(fake)
    assert _together(batcher, ["o0", "o1", "o2"]) == [201, 0, 0]


def test_a_missing_container_fails_every_row_of_the_batch_with_its_404():
    fake = FakeContainer(statuses={"ROWS": 404, "PUT": 404})
    batcher = _batcher(fake)
    assert _together(batcher, ["o0", "o1", "o2"]) == [404, 404, 404]


def test_a_peer_without_batches_gets_the_rows_one_by_one():
    fake = FakeContainer(statuses={"ROWS": 405})
    batcher = _batcher(fake)
    assert _together(batcher, ["o0", "o1", "o2"]) == [201, 201, 201]
    assert fake.batches() == [("one", "/a/c/o0"), ("rows", ["o1", "o2"]),
                              ("one", "/a/c/o1"), ("one", "/a/c/o2")]


def test_updates_for_other_containers_or_nodes_are_not_batched_together():
    fake = FakeContainer()
    batcher = _batcher(fake)
    threads = [concurrency.spawn(_update, batcher, "o0")]
    concurrency.sleep(0)
    threads += [concurrency.spawn(_update, batcher, "o1", container="other"),
                concurrency.spawn(_update, batcher, "o2", node="sdd")]
    assert [t.wait() for t in threads] == [201, 201, 201]
    assert sorted(fake.batches()) == [("one", "/a/c/o0"), ("one", "/a/c/o2"),
                                      ("one", "/a/other/o1")]


def test_an_update_queued_past_its_timeouts_fails_and_is_not_sent():
    fake = FakeContainer(wait=0.3)
    batcher = _batcher(fake)
    statuses = _together(batcher, ["o0", "o1"], timeout=0.05)
    assert statuses == [201, 0]  # o1 waited 0.1 s (conn + node timeout) for o0's answer
    assert fake.batches() == [("one", "/a/c/o0")]


def test_outside_green_threads_every_update_goes_on_its_own():
    fake = FakeContainer()
    batcher = UpdateBatcher(send=fake.send, green=lambda: False)
    assert _update(batcher, "o1") == 201
    assert fake.batches() == [("one", "/a/c/o1")]


def test_a_batch_refused_whole_goes_one_by_one_so_only_the_bad_row_fails():
    def one_row(path, _rows):
        return 400 if path.endswith("/bad") else 201

    for refusal in (400, 413):
        fake = FakeContainer(statuses={"ROWS": refusal, "PUT": one_row})
        batcher = _batcher(fake)
        assert _together(batcher, ["o0", "o1", "bad", "o3"]) == [201, 201, 400, 201]
        assert fake.batches() == [("one", "/a/c/o0"), ("rows", ["o1", "bad", "o3"]),
                                  ("one", "/a/c/o1"), ("one", "/a/c/bad"), ("one", "/a/c/o3")]
