"""Conditional writes (pure rules of ``conditions.check_write``)."""

import pytest

from objstore.middleware.s3api.conditions import check_write
from objstore.middleware.s3api.errors import S3Error


def _code(headers, etag):
    with pytest.raises(S3Error) as err:
        check_write(headers, etag)
    return err.value.code, err.value.status


def test_if_none_match_star_passes_only_when_the_key_is_absent():
    check_write({"if-none-match": "*"}, None)
    assert _code({"if-none-match": "*"}, "abc") == ("PreconditionFailed", 412)


def test_if_match_needs_the_key_and_the_same_etag():
    check_write({"if-match": '"abc"'}, "abc")
    check_write({"if-match": "abc"}, "abc")
    assert _code({"if-match": '"abc"'}, None) == ("NoSuchKey", 404)
    assert _code({"if-match": '"abd"'}, "abc") == ("PreconditionFailed", 412)


@pytest.mark.parametrize("headers", [{"if-none-match": '"abc"'},
                                     {"if-none-match": "*", "if-match": "abc"}])
def test_other_forms_are_not_implemented(headers):
    assert _code(headers, None) == ("NotImplemented", 501)


def test_no_condition_is_no_check():
    check_write({}, "abc")
    check_write({}, None)


# -- the shared lock of a conditional write, on a real memcached ---------------

def test_one_conditional_write_holds_the_lock_until_it_releases_it(memcache):
    from objstore.middleware.s3api.conditions import _WriteLock
    first, second = _WriteLock(memcache, "k1"), _WriteLock(memcache, "k1")
    assert first.acquire() is True
    assert second.acquire() is False
    second.release()  # not its lock: the holder keeps it
    assert _WriteLock(memcache, "k1").acquire() is False
    first.release()
    assert second.acquire() is True
    second.release()


def test_an_unreachable_cache_lets_the_write_go_on_unlocked():
    import socket
    from objstore.common.memcached import MemcacheRing
    from objstore.middleware.s3api.conditions import _WriteLock
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    lock = _WriteLock(MemcacheRing(["127.0.0.1:%d" % port]), "k")
    assert lock.acquire() is None


# -- conditional deletes (conditions.check_delete) ------------------------------

from objstore.middleware.s3api.conditions import Current, check_delete  # noqa: E402

_OBJ = Current("abc", "Wed, 01 Jan 2025 10:00:00 GMT", 5)


def _delete_code(wanted, current):
    with pytest.raises(S3Error) as err:
        check_delete(wanted, current)
    return err.value.code, err.value.status, err.value.extra.get("Condition")


def test_delete_if_match_needs_the_object_and_its_etag():
    check_delete({"if-match": '"abc"'}, _OBJ)
    check_delete({"if-match": "*"}, _OBJ)
    assert _delete_code({"if-match": '"abd"'}, _OBJ) == ("PreconditionFailed", 412,
                                                         "If-Match")
    assert _delete_code({"if-match": "*"}, None)[:2] == ("NoSuchKey", 404)


def test_delete_size_and_time_conditions_compare_and_pass_for_a_missing_object():
    check_delete({"x-amz-if-match-size": "5",
                  "x-amz-if-match-last-modified-time": "Wed, 01 Jan 2025 10:00:00 GMT"}, _OBJ)
    check_delete({"x-amz-if-match-last-modified-time": "2025-01-01T10:00:00.000Z"}, _OBJ)
    assert _delete_code({"x-amz-if-match-size": "6"}, _OBJ) == (
        "PreconditionFailed", 412, "x-amz-if-match-size")
    assert _delete_code({"x-amz-if-match-last-modified-time":
                         "Wed, 01 Jan 2025 10:00:01 GMT"}, _OBJ) == (
        "PreconditionFailed", 412, "x-amz-if-match-last-modified-time")
    check_delete({"x-amz-if-match-size": "6"}, None)  # nothing there: deleted as usual
    # All of them must hold.
    assert _delete_code({"if-match": '"abc"', "x-amz-if-match-size": "4"}, _OBJ)[0] == \
        "PreconditionFailed"


@pytest.mark.parametrize("wanted", [{"x-amz-if-match-size": "-1"},
                                    {"x-amz-if-match-size": "five"},
                                    {"x-amz-if-match-last-modified-time": "yesterday"}])
def test_malformed_delete_conditions_are_invalid_argument_even_for_a_missing_object(wanted):
    assert _delete_code(wanted, None)[:2] == ("InvalidArgument", 400)
    assert _delete_code(wanted, _OBJ)[:2] == ("InvalidArgument", 400)
