from objstore.faultlab.journal import Journal


def test_faults_get_ids_that_are_never_reused(tmp_path):
    journal = Journal(str(tmp_path / "lab"))
    assert journal.faults() == []
    one = journal.add({"action": "stop", "target": "object-1"})
    two = journal.add({"action": "fill", "target": "object-1/sdb1"})
    assert (one["id"], two["id"]) == (1, 2) and two["time"] >= one["time"]
    journal.remove(2)
    assert [f["id"] for f in journal.faults()] == [1]
    assert journal.add({"action": "slow"})["id"] == 3
    assert [f["id"] for f in Journal(str(tmp_path / "lab")).faults()] == [1, 3]


def test_a_broken_journal_file_starts_empty(tmp_path):
    (tmp_path / "faults.json").write_text("[not json")
    journal = Journal(str(tmp_path))
    assert journal.faults() == [] and journal.add({"action": "x"})["id"] == 1
