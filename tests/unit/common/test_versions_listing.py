"""common/versions_listing: the ?versions merge of a container's listing and
its versions container's, read a page at a time."""
from objstore.common import versions_listing as ovl
from objstore.common.versions_listing import (SEPARATOR, invert, split_version_name, uninvert,
                                              version_name)


def test_inverted_ids_sort_newest_first_and_round_trip():
    ids = ["1700000000.00001", "1700000000.5", "1800000000.12345"]
    inverted = [invert(i) for i in ids]
    assert sorted(inverted) == list(reversed(inverted))
    assert [uninvert(i) for i in inverted] == ["1700000000.00001", "1700000000.50000",
                                               "1800000000.12345"]
    assert split_version_name(version_name("a/b", ids[2])) == ("a/b", "1800000000.12345")


def test_version_names_list_in_the_objects_own_order():
    names = ["a", "a/b", "ab", "a-b"]
    kept = sorted(version_name(n, "1700000000.5") for n in names)
    assert [k.split(SEPARATOR)[0] for k in kept] == sorted(names)


def test_versions_listing_reads_pages_and_jumps_over_folded_directories(monkeypatch):
    """The merge over listings read two rows at a time answers what it
    answers over whole listings (a fake listing: sorted names)."""
    current = {"a": "1700000001.00000", "b/1": "1700000002.00000", "b/2": "1700000003.00000",
               "c/x/y": "1700000004.00000", "d": None}
    kept = [version_name("a", "1600000000.0"), version_name("a", "1600000001.0"),
            version_name("b/2", "1600000002.0"), version_name("c/x/z", "1600000003.0"),
            version_name("e", "1600000004.0"), version_name("e", "1600000005.0")]
    kept.sort()

    def fetch(kind, query):
        names = sorted(current) if kind == "current" else kept
        names = [n for n in names if n.startswith(query.get("prefix", ""))]
        rev = query.get("reverse") == "true"
        names = sorted(names, reverse=rev)
        marker = query.get("marker", "")
        if marker:
            names = [n for n in names if (n < marker if rev else n > marker)]
        rows, seen = [], set()
        delim = query.get("delimiter", "")
        for n in names:
            cut = n.find(delim, len(query.get("prefix", ""))) if delim else -1
            if cut >= 0:
                sub = n[:cut + len(delim)]
                if sub not in seen and sub != marker:  # as the container server
                    seen.add(sub)
                    rows.append({"subdir": sub})
            else:
                rows.append({"name": n, "content_type": "text/plain"})
            if len(rows) == int(query["limit"]):
                break
        return rows

    def run(query):
        return [r.get("subdir") or (r["name"], r["version_id"], r["is_latest"])
                for r in ovl.VersionsListing(fetch, lambda row: current[row["name"]] or "null",
                                             query, True)]
    queries = [{}, {"delimiter": "/"}, {"reverse": "true"}, {"reverse": "true", "delimiter": "/"},
               {"prefix": "c/", "delimiter": "/"}, {"marker": "b/1"}, {"marker": "c/"}]
    whole = [run(q) for q in queries]
    monkeypatch.setattr(ovl, "PAGE", 2)
    assert [run(q) for q in queries] == whole
    assert whole[1] == [("a", "1700000001.00000", True), ("a", "1600000001.00000", False),
                        ("a", "1600000000.00000", False), "b/", "c/", ("d", "null", True),
                        ("e", "1600000005.00000", False), ("e", "1600000004.00000", False)]
    assert whole[2] == list(reversed(whole[0]))
