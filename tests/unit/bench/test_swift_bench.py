"""bench/swift_bench.py: reading swift-bench's output, refusing remote endpoints."""

from bench import swift_bench

OUTPUT = """swift-bench 2026-12-06 09:59:30,512 INFO 284 PUTS [0 failures], 141.5/s
swift-bench 2026-12-06 09:59:35,504 INFO 1000 PUTS **FINAL** [0 failures], 142.9/s
swift-bench 2026-12-06 09:59:39,841 INFO 2000 GETS **FINAL** [3 failures], 461.9/s
swift-bench 2026-12-06 09:59:45,772 INFO 1000 DEL **FINAL** [0 failures], 168.7/s
"""


def test_only_the_final_line_of_each_phase_counts():
    assert swift_bench.FINAL.findall(OUTPUT) == [
        ("1000", "PUTS", "0", "142.9"), ("2000", "GETS", "3", "461.9"),
        ("1000", "DEL", "0", "168.7")]


def test_endpoints_must_be_on_loopback():
    assert swift_bench.on_loopback("http://127.0.0.1:8080/auth/v1.0")
    assert not swift_bench.on_loopback("http://10.0.0.5:8080/auth/v1.0")
