"""read_ahead: every chunk in order, errors where they happened, and a
close that stops the fetch under way (run under eventlet, as the proxy)."""

import subprocess
import sys

SCRIPT = r"""
import eventlet
eventlet.monkey_patch()
from objstore.proxy.read_ahead import read_ahead

fetched = []

def chunks(n, fail_at=None):
    try:
        for i in range(n):
            eventlet.sleep(0.001)
            if i == fail_at:
                raise ValueError("chunk %d failed" % i)
            fetched.append(i)
            yield b"%d" % i
    finally:
        fetched.append("closed")

assert list(read_ahead(chunks(5))) == [b"0", b"1", b"2", b"3", b"4"]
assert list(read_ahead(chunks(0))) == []

got = []
try:
    for chunk in read_ahead(chunks(5, fail_at=3)):
        got.append(chunk)
except ValueError as err:
    assert str(err) == "chunk 3 failed"
else:
    raise AssertionError("the error was lost")
assert got == [b"0", b"1", b"2"]

del fetched[:]
body = read_ahead(chunks(100))
assert next(body) == b"0"
eventlet.sleep(0.01)  # chunk 1 fetched ahead meanwhile
assert fetched == [0, 1]
body.close()  # the client went away
eventlet.sleep(0.01)
assert fetched == [0, 1, "closed"], fetched
print("ok")
"""


def test_chunks_in_order_errors_in_place_and_close_stops_the_fetch():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "ok", out.stderr[-3000:]
