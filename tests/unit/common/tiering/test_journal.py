"""The read-count journal: appends under a lock, collection exactly once."""

import os

from objstore.common.tiering import journal


def _collect(directory, seen):
    got = []

    def commit(name, rows):
        seen.add(name)
        got.extend(rows)

    journal.collect(str(directory), lambda name: name in seen, commit)
    return got


def test_appended_counts_are_collected_once_and_the_file_goes(tmp_path):
    journal.append(str(tmp_path), [("/v1/a/c/o", 60, 3), ("/v1/a/c/p", 60, 0)], name="w1")
    journal.append(str(tmp_path), [("/v1/a/c/o", 120, 2)], name="w1")
    seen = set()
    assert sorted(_collect(tmp_path, seen)) == [("/v1/a/c/o", 60, 3), ("/v1/a/c/o", 120, 2),
                                                ("/v1/a/c/p", 60, 0)]
    assert os.listdir(str(tmp_path)) == []
    assert _collect(tmp_path, seen) == []


def test_a_file_left_by_a_killed_collector_is_not_counted_twice(tmp_path):
    journal.append(str(tmp_path), [("/v1/a/c/o", 60, 5)], name="w1")
    seen = set()
    # a collector renamed it aside and committed it, then died before the unlink
    name = os.listdir(str(tmp_path))[0]
    aside = os.path.join(str(tmp_path), name + ".1.1" + journal.COLLECTING)
    os.rename(os.path.join(str(tmp_path), name), aside)
    seen.add(os.path.basename(aside))
    assert _collect(tmp_path, seen) == []
    assert os.listdir(str(tmp_path)) == []


def test_a_file_left_uncommitted_by_a_killed_collector_is_counted(tmp_path):
    journal.append(str(tmp_path), [("/v1/a/c/o", 60, 5)], name="w1")
    name = os.listdir(str(tmp_path))[0]
    os.rename(os.path.join(str(tmp_path), name),
              os.path.join(str(tmp_path), name + ".1.1" + journal.COLLECTING))
    assert _collect(tmp_path, set()) == [("/v1/a/c/o", 60, 5)]


def test_a_torn_last_line_is_skipped_and_the_rest_counted(tmp_path):
    journal.append(str(tmp_path), [("/v1/a/c/o", 60, 5)], name="w1")
    path = os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])
    with open(path, "ab") as fp:
        fp.write(b'{"p": "/v1/a/c/x", "b": 6')
    assert _collect(tmp_path, set()) == [("/v1/a/c/o", 60, 5)]


def test_counter_keeps_counts_in_memory_until_its_flusher_writes_them(tmp_path):
    spawned = []
    errors = []
    counter = journal.Counter(str(tmp_path), 60, 1.0, spawned.append, lambda s: None,
                              lambda f, *a: f(*a), errors.append)
    counter.add("/v1/a/c/o", now=125.0)
    counter.add("/v1/a/c/o", now=130.0)
    counter.add("/v1/a/c/o", now=185.0)
    assert len(spawned) == 1  # one flusher per worker process
    assert os.listdir(str(tmp_path)) == []  # nothing written on the request path
    assert counter.pending() == 2
    counter.flush_now()
    assert counter.pending() == 0
    assert sorted(_collect(tmp_path, set())) == [("/v1/a/c/o", 120, 2), ("/v1/a/c/o", 180, 1)]
    assert errors == []


def test_a_journal_that_cannot_be_written_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    errors = []
    counter = journal.Counter(str(blocker), 60, 1.0, lambda f: None, lambda s: None,
                              lambda f, *a: f(*a), errors.append)
    counter.add("/v1/a/c/o")
    counter.flush_now()
    assert len(errors) == 1 and isinstance(errors[0], OSError)
