"""The continuous tierer's pause file and pass lock (tests hold it back)."""

import os
import subprocess
import sys
import threading

from objstore.tiering.tierer import PAUSE_FILE, pass_lock, paused
from tests.support.tierer_pause import tierer_paused


def test_the_pause_file_holds_while_empty_or_while_its_process_lives(tmp_path):
    state = str(tmp_path)
    assert not paused(state)
    path = os.path.join(state, PAUSE_FILE)
    open(path, "w").close()
    assert paused(state)  # an operator's empty file
    with open(path, "w") as fp:
        fp.write(str(os.getpid()))
    assert paused(state)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    with open(path, "w") as fp:
        fp.write(gone)
    assert not paused(state)  # a test session that died holds nothing back


def test_a_session_pauses_after_the_pass_under_way_and_resumes_when_it_ends(tmp_path):
    saio = str(tmp_path)
    state = os.path.join(saio, "tiering")
    entered, release, order = threading.Event(), threading.Event(), []

    def a_pass():
        with pass_lock(state):
            entered.set()
            release.wait(10)
            order.append("pass ended")
    worker = threading.Thread(target=a_pass)
    worker.start()
    assert entered.wait(60)
    threading.Timer(0.2, release.set).start()
    with tierer_paused(saio):
        order.append("paused")
        assert paused(state)
    worker.join()
    assert order == ["pass ended", "paused"]
    assert not paused(state) and not os.path.exists(os.path.join(state, PAUSE_FILE))
