import json
import os

from objstore.obj import updates
from objstore.obj.updates import UpdateTarget, parse_targets, send_updates


def test_targets_pair_hosts_with_devices():
    targets, error = parse_targets({"X-Container-Host": "10.0.0.1:6201, [::1]:6201",
                                    "X-Container-Device": "sda,sdb",
                                    "X-Container-Partition": "12"})
    assert error is None
    assert targets == [UpdateTarget("10.0.0.1", 6201, "sda", "12"),
                       UpdateTarget("::1", 6201, "sdb", "12")]


def test_no_container_host_means_no_update():
    assert parse_targets({}) == ([], None)


def test_mismatched_or_malformed_target_headers_are_errors():
    base = {"X-Container-Host": "1.2.3.4:5,1.2.3.5:5", "X-Container-Device": "sda",
            "X-Container-Partition": "1"}
    assert "2 hosts but" in parse_targets(base)[1]
    assert "Partition" in parse_targets(dict(base, **{
        "X-Container-Device": "a,b", "X-Container-Partition": "x"}))[1]
    assert "ip:port" in parse_targets(dict(base, **{
        "X-Container-Host": "nohost", "X-Container-Device": "a"}))[1]


def test_updates_reach_the_container_server_with_the_listing_headers(container_server):
    target = UpdateTarget("127.0.0.1", container_server.port, "sdc", "3")
    failed = send_updates([target], "PUT", "/a/c/o \u00e9", {"X-Size": "5"}, 1, 1)
    assert failed == []
    method, path, headers = container_server.requests[0]
    assert (method, path) == ("PUT", "/sdc/3/a/c/o%20%C3%A9")
    assert headers["X-Size"] == "5"


def test_refused_and_erroring_updates_are_reported_as_failed(container_server, helpers):
    container_server.status = 500
    good_port_bad_answer = UpdateTarget("127.0.0.1", container_server.port, "sdc", "3")
    nobody_home = UpdateTarget("127.0.0.1", helpers.free_port(), "sdc", "3")
    failed = send_updates([good_port_bad_answer, nobody_home], "DELETE", "/a/c/o", {}, 0.5, 0.5)
    assert failed == [good_port_bad_answer, nobody_home]


def test_an_async_pending_is_written_whole_and_leaves_no_temp_file(tmp_path):
    path = str(tmp_path / "dev" / "async_pending" / "abc" / "hash-1")
    tmp_dir = str(tmp_path / "dev" / "tmp")
    updates.write_async_pending(path, tmp_dir, {"op": "PUT", "obj": "o"})
    assert json.load(open(path)) == {"op": "PUT", "obj": "o"}
    assert os.listdir(tmp_dir) == []
