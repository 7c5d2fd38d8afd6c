"""When a POSTed row may go as a POST: the remote must hold the same data of
the same kind (objstore/container/sync_row.py). The rows themselves are
synced between two real clusters in tests/probe/test_container_sync.py."""

import pytest
from webob import Response

from objstore.container.sync_remote import RemoteAnswer
from objstore.common.timestamp import Timestamp
from objstore.container.sync_row import _local_ts, _same_data, _symlink_headers

EMPTY = "d41d8cd98f00b204e9800998ecf8427e"
LINK = {"X-Object-Sysmeta-Symlink-Target": "c/t",
        "X-Object-Sysmeta-Symlink-Target-Etag": "abc",
        "X-Object-Sysmeta-Symlink-Target-Bytes": "13"}


def local(etag=EMPTY, length=0, **headers):
    resp = Response(headers={"Etag": etag, **headers})
    resp.content_length = length
    return resp


def remote(etag=EMPTY, length=0, **headers):
    return RemoteAnswer(200, {"Etag": '"%s"' % etag, "Content-Length": str(length), **headers})


def test_a_static_links_target_travels_with_its_size():
    assert _symlink_headers(LINK) == {"X-Symlink-Target": "c/t", "X-Symlink-Target-Etag": "abc",
                                      "X-Symlink-Target-Bytes": "13"}
    assert _symlink_headers({"Content-Type": "text/plain"}) == {}


@pytest.mark.parametrize("theirs,ours,same", [
    (remote("e1", 5), local("e1", 5), True),
    (remote("e1", 5), local("e2", 5), False),
    (remote("e1", 6), local("e1", 5), False),
    # an SLO manifest as stored, on both sides
    (remote("m", 300, **{"X-Static-Large-Object": "True"}),
     local("m", 300, **{"X-Static-Large-Object": "true"}), True),
    (remote("m", 300), local("m", 300, **{"X-Static-Large-Object": "True"}), False),
    # a DLO's prefix is metadata a POST sets (or removes, as in Swift)
    (remote(**{"X-Object-Manifest": "segs/b/"}), local(**{"X-Object-Manifest": "segs/a/"}), True),
    (remote(), local(**{"X-Object-Manifest": "segs/a/"}), True),
    # a symlink (as its remote HEAD ?symlink=get shows it) and the local stored one
    (remote(**{"X-Symlink-Target": "c/t", "X-Symlink-Target-Etag": "abc",
               "X-Symlink-Target-Bytes": "13"}), local(**LINK), True),
    (remote(**{"X-Symlink-Target": "c/other"}), local(**{
        "X-Object-Sysmeta-Symlink-Target": "c/t"}), False),
    # an empty object is not an empty link
    (remote(**{"X-Symlink-Target": "c/t"}), local(), False),
    (remote(""), local(""), False),  # no ETag to compare: never the same
])
def test_the_same_data_is_the_same_bytes_of_the_same_kind(theirs, ours, same):
    assert _same_data(theirs, ours) is same


def test_the_local_time_keeps_the_offset_a_tiering_move_gave_the_object():
    row = Timestamp("1796499188.04446_0000000000000001")
    moved = local(**{"X-Timestamp": "1796499188.04446",
                     "X-Backend-Timestamp": "1796499188.04446_0000000000000001"})
    assert _local_ts(moved, Timestamp(0)) == row  # not older than its row
    assert _local_ts(local(**{"X-Timestamp": "1796499188.04446"}), Timestamp(0)) < row
    assert _local_ts(local(), row) == row
