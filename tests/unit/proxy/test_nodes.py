import pytest

from objstore.proxy.nodes import ErrorLimiter, NodeIter, parse_request_node_count


def _node(i):
    return {"id": i, "ip": "127.0.0.1", "port": 6000 + i, "device": "sd%d" % i,
            "region": 1, "zone": i}


class FakeRing:
    replica_count = 3

    def __init__(self, n=8):
        self.nodes = [_node(i) for i in range(n)]

    def get_part_nodes(self, part):
        return self.nodes[:3]

    def get_more_nodes(self, part):
        return iter(self.nodes[3:])


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_primaries_come_before_handoffs_and_the_count_is_bounded():
    ring = FakeRing()
    nodes = list(NodeIter(ring, 0, ErrorLimiter(), 5))
    assert [n["id"] for n in nodes] == [0, 1, 2, 3, 4]
    assert "handoff_index" in nodes[3] and "handoff_index" not in nodes[0]


def test_error_limited_primary_is_skipped_and_a_handoff_takes_its_place():
    ring = FakeRing()
    limiter = ErrorLimiter(60, 10)
    limiter.limit_now(ring.nodes[1])
    nodes = list(NodeIter(ring, 0, limiter, 4))
    assert [n["id"] for n in nodes] == [0, 2, 3, 4]


def test_a_node_is_limited_only_after_more_errors_than_the_limit():
    clock = Clock()
    limiter = ErrorLimiter(60, 2, clock=clock)
    node = _node(1)
    for _ in range(2):
        limiter.increment(node)
    assert not limiter.is_limited(node)
    limiter.increment(node)
    assert limiter.is_limited(node)


def test_error_limiting_ends_after_the_suppression_interval():
    clock = Clock()
    limiter = ErrorLimiter(60, 0, clock=clock)
    node = _node(1)
    limiter.limit_now(node)
    assert limiter.is_limited(node)
    clock.now += 61
    assert not limiter.is_limited(node)
    assert limiter.errors(node) == 0


def test_shared_node_iterator_hands_each_node_out_once():
    ring = FakeRing()
    it = NodeIter(ring, 0, ErrorLimiter(), 6)
    first = [next(it)["id"] for _ in range(2)]
    rest = [n["id"] for n in it]
    assert first + rest == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("value,replicas,expected", [
    ("2 * replicas", 3, 6), ("2*replicas", 2, 4), ("5", 3, 5), (" 1 ", 3, 1)])
def test_request_node_count_accepts_a_number_or_a_multiple_of_replicas(value, replicas, expected):
    assert parse_request_node_count(value, replicas) == expected


def test_request_node_count_rejects_nonsense():
    with pytest.raises(ValueError):
        parse_request_node_count("lots", 3)
